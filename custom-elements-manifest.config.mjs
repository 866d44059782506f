// `npm run analyze` writes custom-elements.json from the elements' JSDoc (committed; CI checks it is current).

/**
 * The analyzer also records `this.dispatchEvent(new SomeEvent(detail))` calls, naming the event after the first
 * argument or not at all. Our events are documented with `@fires`; keep those entries only.
 */
function documentedEventsOnly() {
  return {
    name: 'documented-events-only',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (declaration.events) declaration.events = declaration.events.filter((event) => event.description);
        }
      }
    },
  };
}

/**
 * The analyzer lists some local variables as module declarations (a `const` inside a class field's arrow function
 * became a phantom `expiresAt` of src/elements/auth-login.ts). Keep what each module exports.
 */
function exportedDeclarationsOnly() {
  return {
    name: 'exported-declarations-only',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        const exported = new Set((module.exports ?? []).map((entry) => entry.declaration?.name));
        if (module.declarations) module.declarations = module.declarations.filter((declaration) => exported.has(declaration.name));
      }
    },
  };
}

/**
 * The analyzer names the sources (`src/elements/auth-login.ts`, and `/src/elements/auth-login.js` in the definitions
 * of src/define.ts), which are not in the package. Tools reading the manifest from node_modules (VS Code, Storybook,
 * API viewers) need paths that resolve there: the modules scripts/build.mjs emits, `lib/…/*.js` with their `.d.ts`.
 */
export const shippedPath = (path) => path.replace(/^\/?src\/(.+)\.(?:ts|js)$/, 'lib/$1.js');

function shippedPaths() {
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'path' || key === 'module') && typeof value === 'string') node[key] = shippedPath(value);
      else visit(value);
    }
  };
  return {
    name: 'shipped-paths',
    packageLinkPhase({ customElementsManifest }) {
      const { modules } = customElementsManifest;
      // A global superclass (`class AuthErrorEvent extends CustomEvent`) comes out as a declaration of the module
      // itself, which has none of that name; the schema's reference to a global is `package: "global:"`.
      const declared = new Set(modules.flatMap((module) => (module.declarations ?? []).map((declaration) => `${module.path}#${declaration.name}`)));
      for (const module of modules) {
        for (const declaration of module.declarations ?? []) {
          const { superclass } = declaration;
          if (superclass?.module && !superclass.package && !declared.has(`${superclass.module}#${superclass.name}`) && superclass.name in globalThis) {
            declaration.superclass = { name: superclass.name, package: 'global:' };
          }
        }
      }
      visit(modules);
    },
  };
}

export default {
  globs: ['src/elements/**/*.ts', 'src/define.ts', 'src/define/*.ts', 'src/events.ts'],
  exclude: ['src/elements/dom.ts', 'src/elements/report.ts', 'src/elements/signed-in.ts', 'src/elements/states.ts', 'src/elements/parts.ts', 'src/elements/fetch-request.ts'],
  outdir: '.',
  litelement: true,
  plugins: [documentedEventsOnly(), exportedDeclarationsOnly(), shippedPaths()],
};

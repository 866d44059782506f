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

/**
 * `<auth-fetch>` reads its defaults through its accessors (`static getPropertyDescriptor = defaulted({...})`, no
 * assignment in the constructor for the analyzer to see): the manifest takes each field's `default` from that
 * object, and leaves the hook itself out (it is no API).
 */
function accessorDefaults() {
  const found = new Map();
  return {
    name: 'accessor-defaults',
    analyzePhase({ ts, node }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      for (const member of node.members) {
        const call = member.initializer;
        if (!ts.isPropertyDeclaration(member) || member.name.getText() !== 'getPropertyDescriptor' || !call || !ts.isCallExpression(call) || call.expression.getText() !== 'defaulted') continue;
        const [literal] = call.arguments;
        if (!literal || !ts.isObjectLiteralExpression(literal)) throw new Error(`${node.name.text}: defaulted() takes an object literal`);
        found.set(node.name.text, Object.fromEntries(literal.properties.map((property) => [property.name.getText(), property.initializer.getText()])));
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          const defaults = found.get(declaration.name);
          if (!defaults) continue;
          declaration.members = declaration.members.filter((member) => member.name !== 'getPropertyDescriptor');
          // A reactive field that defaulted() does not name defaults to null.
          for (const field of declaration.members) if (field.kind === 'field' && field.attribute && !(field.name in defaults) && !field.readonly && !field.default) defaults[field.name] = 'null';
          for (const [name, value] of Object.entries(defaults)) {
            const field = declaration.members.find((member) => member.kind === 'field' && member.name === name);
            if (!field) throw new Error(`${declaration.name}: defaulted() names ${name}, which is no field`);
            field.default = value;
            for (const attribute of declaration.attributes ?? []) if (attribute.fieldName === name) attribute.default = value;
          }
        }
      }
    },
  };
}

export default {
  globs: ['src/elements/**/*.ts', 'src/define.ts', 'src/define/*.ts', 'src/events.ts'],
  exclude: ['src/elements/dom.ts', 'src/elements/report.ts', 'src/elements/signed-in.ts', 'src/elements/states.ts', 'src/elements/parts.ts', 'src/elements/fetch-request.ts'],
  outdir: '.',
  litelement: true,
  plugins: [documentedEventsOnly(), exportedDeclarationsOnly(), accessorDefaults(), shippedPaths()],
};

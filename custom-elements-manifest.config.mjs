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
          if (declaration.events) declaration.events = declaration.events.filter((event) => event.name?.startsWith('auth-'));
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

export default {
  globs: ['src/elements/**/*.ts', 'src/define.ts', 'src/events.ts'],
  exclude: ['src/elements/dom.ts', 'src/elements/report.ts', 'src/elements/signed-in.ts', 'src/elements/states.ts'],
  outdir: '.',
  litelement: true,
  plugins: [documentedEventsOnly(), exportedDeclarationsOnly()],
};

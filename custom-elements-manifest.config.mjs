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

export default {
  globs: ['src/elements/**/*.ts', 'src/define.ts', 'src/events.ts'],
  exclude: ['src/elements/dom.ts', 'src/elements/signed-in.ts'],
  outdir: '.',
  litelement: true,
  plugins: [documentedEventsOnly()],
};

// Bundles the framework examples (examples/react, examples/vue) with esbuild into examples/<name>/dist/app.js.
//
//   npm run build && node scripts/build-examples.mjs [react] [vue]
//   npx http-server examples … or any static server: open examples/react/index.html from it
//
// "auth-elements" resolves through package.json's "exports" to lib/ (so build the package first), the way a bundler
// resolves it in an app that installed the package. The tests (test/ecosystem/frameworks.test.mjs) build the same
// entries with `config` replaced by their own provider's.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));

/** Each example's entry, relative to examples/. */
export const ENTRIES = { react: 'react/main.jsx', vue: 'vue/main.js' };

/**
 * Bundles example `name` to `<outdir>/app.js` (minified, with a source map). With `config`, the shared
 * examples/config.js is replaced by `export const config = <config>` (tests point the examples at their provider).
 */
export async function buildExample(name, { outdir = `${EXAMPLES}${name}/dist`, config } = {}) {
  const plugins = config
    ? [{
        name: 'example-config',
        setup(builder) {
          builder.onResolve({ filter: /\/config\.js$/ }, (args) => (args.path === '../config.js' ? { path: 'config', namespace: 'example-config' } : undefined));
          builder.onLoad({ filter: /.*/, namespace: 'example-config' }, () => ({ contents: `export const config = ${JSON.stringify(config)};`, loader: 'js' }));
        },
      }]
    : [];
  return build({
    entryPoints: { app: `${EXAMPLES}${ENTRIES[name]}` },
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    sourcemap: true,
    // React's automatic JSX runtime (react/jsx-runtime), as Vite and Next.js compile it.
    jsx: 'automatic',
    // Vue's full build, whose compiler turns the component's template string into a render function.
    alias: { vue: 'vue/dist/vue.esm-bundler.js' },
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    // Lit's production build, as scripts/build.mjs uses.
    conditions: ['production'],
    legalComments: 'none',
    logLevel: 'warning',
    plugins,
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(ENTRIES);
  for (const name of names) {
    if (!ENTRIES[name]) throw new Error(`unknown example ${name}: one of ${Object.keys(ENTRIES).join(', ')}`);
    await buildExample(name);
    console.log(`built examples/${name}/dist/app.js`);
  }
}

// Bundle sizes, all bundled in this run: our bundle (dist/auth-elements.js, from `npm run build`), our code without
// Lit, Lit's ReactiveElement alone, and the libraries people would pick instead, each from a tiny entry in
// scripts/bench/entries/ that uses its sign-in + callback path.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { minify } from 'terser';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRIES = fileURLToPath(new URL('./entries/', import.meta.url));

/** Minified, gzip -9 and brotli (quality 11) bytes of `code`. */
export function measure(code) {
  const buffer = Buffer.from(code);
  return {
    min: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Our pipeline (scripts/build.mjs): esbuild bundle + minify, Lit's production build, then terser's safe pass. */
async function bundleOurs(entry, external = []) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['production'],
    legalComments: 'none',
    external,
    write: false,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const { code } = await minify(result.outputFiles[0].text, { module: true, ecma: 2022, compress: { passes: 2 }, mangle: true });
  return code;
}

/** How the alternatives are bundled: esbuild, minified ESM for today's browsers, production mode. */
async function bundleAnchor(entry, contents) {
  const result = await build({
    ...(contents ? { stdin: { contents, resolveDir: ROOT, sourcefile: 'whole-package.js' } } : { entryPoints: [entry] }),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    conditions: ['production'],
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    write: false,
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  return result.outputFiles[0].text;
}

/** The libraries compared, with the package whose version is shown and what the entry uses. */
export const ANCHORS = [
  { id: 'auth0-js', pkg: 'auth0-js', uses: 'WebAuth authorize + parseHash (implicit)' },
  { id: 'oidc-client-ts', pkg: 'oidc-client-ts', uses: 'UserManager signinRedirect + signinRedirectCallback/signinCallback (code + PKCE)' },
  { id: 'keycloak-js', pkg: 'keycloak-js', uses: "init({ flow: 'implicit' }) + login" },
  { id: 'auth0-spa-js', pkg: '@auth0/auth0-spa-js', uses: 'createAuth0Client, loginWithRedirect, handleRedirectCallback (code + PKCE)' },
];

function version(pkg) {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/**
 * Bundles everything into `outDir` (for the start-up benchmark) and returns the rows of the size table:
 * `{ id, label, file, min, gzip, brotli }`.
 */
export async function measureSizes(outDir) {
  const rows = [];
  const add = (id, label, code) => {
    const file = join(outDir, `${id}.js`);
    writeFileSync(file, code);
    rows.push({ id, label, file, ...measure(code) });
  };
  add('auth-elements', 'auth-elements (dist/auth-elements.js, Lit included)', readFileSync(join(ROOT, 'dist/auth-elements.js'), 'utf8'));
  add('auth-elements-without-lit', 'auth-elements without Lit (@lit/reactive-element external)',
    await bundleOurs('src/auth-elements.ts', ['@lit/reactive-element']));
  add('lit', `Lit's ReactiveElement alone (one trivial element), @lit/reactive-element ${version('@lit/reactive-element')}`,
    await bundleOurs(join(ENTRIES, 'lit-reactive-element.js')));
  for (const { id, pkg, uses } of ANCHORS) {
    add(id, `${pkg} ${version(pkg)}: ${uses}`, await bundleAnchor(join(ENTRIES, `${id}.js`)));
    // Everything the package exports, for comparison: what the entry's tree shaking leaves out.
    rows.at(-1).whole = measure(await bundleAnchor(undefined, `import * as all from '${pkg}';\nexport default all;\n`));
  }
  return rows;
}

/**
 * What the bundle is made of: esbuild's own minified bytes per source file (before terser and gzip, so shares are
 * approximate), Lit's files summed as one line.
 */
export async function bundleComposition() {
  const result = await build({
    entryPoints: ['src/auth-elements.ts'],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['production'],
    legalComments: 'none',
    metafile: true,
    write: false,
    outfile: 'composition.js',
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const [output] = Object.values(result.metafile.outputs);
  const parts = new Map();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = path.includes('node_modules/@lit/') ? "Lit's ReactiveElement (@lit/reactive-element)" : path;
    parts.set(name, (parts.get(name) ?? 0) + bytesInOutput);
  }
  const total = output.bytes;
  return { total, parts: [...parts].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes) };
}

/** An unminified bundle of our code, for profiles with readable function names. */
export async function debugBundle(outfile) {
  await build({
    entryPoints: ['src/auth-elements.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['production'],
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  return outfile;
}

// Bundle sizes, all bundled in this run through ONE pipeline, ours and theirs alike: esbuild (bundle, minify, ESM,
// es2022, browser, Lit's and everyone's production build), then the terser pass of scripts/build.mjs, then gzip -9
// and brotli (quality 11). dist/ is measured as `npm run build` wrote it (scripts/build.mjs: Rollup, then the same
// terser pass); lib/ is bundled here as bundler users' apps bundle it, with code splitting: by esbuild (the pipeline)
// and by Rollup (what Vite's production build runs), each followed by the same terser pass.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
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

/** Sums of `measure` over files. */
export function total(files) {
  return files.reduce((sum, file) => ({ min: sum.min + file.min, gzip: sum.gzip + file.gzip, brotli: sum.brotli + file.brotli }), { min: 0, gzip: 0, brotli: 0 });
}

/** scripts/build.mjs's terser pass (safe options only). */
const TERSER = { module: true, ecma: 2022, compress: { passes: 2 }, mangle: true };

/**
 * The pipeline: esbuild bundles and minifies `entryPoints` (name → file) into `outdir`, with code splitting when
 * asked (shared and dynamically imported code in chunks/), then terser goes over every output file. Returns the
 * written files: `{ path (relative to outdir), file, min, gzip, brotli }`.
 */
export async function bundle(entryPoints, outdir, { splitting = false, external = [] } = {}) {
  const result = await build({
    entryPoints,
    outdir,
    bundle: true,
    minify: true,
    splitting,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    conditions: ['production'],
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    external,
    write: false,
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  const files = [];
  for (const output of result.outputFiles.filter((file) => file.path.endsWith('.js'))) {
    const { code } = await minify(output.text, TERSER);
    mkdirSync(dirname(output.path), { recursive: true });
    writeFileSync(output.path, code);
    files.push({ path: relative(outdir, output.path), file: output.path, ...measure(code) });
  }
  return files;
}

/** Every `.js` file under `dir` (any depth), maps excluded: the entry and its chunks. */
export function scriptsUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((path) => path.endsWith('.js'))
    .sort()
    .map((path) => ({ path, file: join(dir, path), ...measure(readFileSync(join(dir, path))) }));
}

/** The libraries compared: the package whose version is shown, the flow, and what the entry uses. */
export const PEERS = [
  { id: 'auth0-js', pkg: 'auth0-js', flow: 'implicit', uses: 'WebAuth#authorize, WebAuth#parseHash (ID token signature checked)' },
  { id: 'keycloak-js', pkg: 'keycloak-js', flow: 'implicit', uses: "init({ flow: 'implicit' }), login, isTokenExpired" },
  { id: 'oidc-client-ts', pkg: 'oidc-client-ts', flow: 'code + PKCE', uses: 'UserManager#signinRedirect, signinRedirectCallback, getUser' },
  { id: 'auth0-spa-js', pkg: '@auth0/auth0-spa-js', flow: 'code + PKCE', uses: 'Auth0Client#loginWithRedirect, handleRedirectCallback, getTokenSilently' },
];

export function version(pkg) {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
}

/**
 * The peers' bundles (one file each: their entry in scripts/bench/entries/), Lit's ReactiveElement alone and our
 * code without Lit, through the pipeline into `outDir`. Rows `{ id, label, file, min, gzip, brotli }`.
 */
export async function measureSizes(outDir) {
  const rows = [];
  for (const { id, pkg, uses } of PEERS) {
    const [file] = await bundle({ [id]: join(ENTRIES, `${id}.js`) }, outDir);
    rows.push({ id, label: `${pkg} ${version(pkg)}: ${uses}`, ...file });
  }
  const [lit] = await bundle({ lit: join(ENTRIES, 'lit-reactive-element.js') }, outDir);
  rows.push({ id: 'lit', label: `Lit's ReactiveElement alone (one trivial element), @lit/reactive-element ${version('@lit/reactive-element')}`, ...lit });
  const own = await bundle({ 'without-lit': 'src/auth-elements.ts' }, join(outDir, 'without-lit'), { splitting: true, external: ['@lit/reactive-element'] });
  rows.push({ id: 'auth-elements-without-lit', label: 'auth-elements without Lit (src/auth-elements.ts, @lit/reactive-element external), all files', ...total(own) });
  return rows;
}

/**
 * Our lib/ as a bundler user's app bundles it: `page.js` imports `auth-elements/define` (lib/define.js: the tags),
 * `api.js` re-exports the whole API (lib/index.js; the benchmark uses it to start sign-ins), code splitting on, the
 * same pipeline. A page loads page.js and the chunks its usage reaches; all the files together are everything.
 * `entries` bundles another app instead (SIGNED_OUT_APP).
 */
export async function bundleLib(outDir, entries = LIB_ENTRIES) {
  return bundle(entries, outDir, { splitting: true });
}

const LIB_ENTRIES = { page: join(ROOT, 'lib/define.js'), api: join(ROOT, 'lib/index.js') };

/**
 * The signed-out page of target (a) as an app of its own, for bundleLib and bundleLibRollup: one entry,
 * `signed-out.js`, importing the three tags it uses through their own entry points (`auth-elements/auth-login`,
 * `/auth-callback`, `/auth-fetch`, resolved through package.json `exports`), nothing else.
 */
export const SIGNED_OUT_APP = { 'signed-out': join(ENTRIES, 'signed-out.js') };

/**
 * The same app bundled by Rollup (Vite's production bundler) with its default code splitting: node resolution with
 * the `browser` and `production` conditions, ES modules, then the same terser pass over every file. Rollup keeps a
 * module that the entry and a lazy chunk share in the entry (esbuild gives it a chunk of its own, which the entry
 * imports statically). Returns the written files as `bundle` does; `entries` as for bundleLib.
 */
export async function bundleLibRollup(outDir, entries = LIB_ENTRIES) {
  const built = await rollup({ input: entries, plugins: [nodeResolve({ browser: true, exportConditions: ['production'] })], onwarn: () => {} });
  const { output } = await built.generate({ format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' });
  await built.close();
  const files = [];
  for (const chunk of output.filter((item) => item.type === 'chunk')) {
    const { code } = await minify(chunk.code, TERSER);
    const file = join(outDir, chunk.fileName);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, code);
    files.push({ path: chunk.fileName, file, ...measure(code) });
  }
  return files;
}

/**
 * What our bundle is made of: esbuild's own minified bytes per source file (before terser and gzip, so shares are
 * approximate), over all output files, Lit's files summed as one line.
 */
export async function bundleComposition() {
  const result = await build({
    entryPoints: ['src/auth-elements.ts'],
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['production'],
    legalComments: 'none',
    metafile: true,
    write: false,
    outdir: 'composition',
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  const parts = new Map();
  let sum = 0;
  for (const output of Object.values(result.metafile.outputs)) {
    sum += output.bytes;
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = path.includes('node_modules/@lit/') ? "Lit's ReactiveElement (@lit/reactive-element)" : path;
      parts.set(name, (parts.get(name) ?? 0) + bytesInOutput);
    }
  }
  return { total: sum, parts: [...parts].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes) };
}

/**
 * The gzip budget of `npm run size` for dist/auth-elements.js (the entry every page loads), read from
 * scripts/size.mjs (undefined if it cannot be found there).
 */
export function sizeBudget() {
  const source = readFileSync(join(ROOT, 'scripts/size.mjs'), 'utf8');
  const match = /\bBUDGET\s*=\s*\{\s*entry:\s*([\d_]+)/.exec(source);
  return match ? Number(match[1].replace(/_/g, '')) : undefined;
}

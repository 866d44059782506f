// Builds the package: typed ES modules in lib/ (for bundler users, who split them with their own bundler) and the
// CDN entry dist/auth-elements.js (every dependency inlined, minified, defines the elements when loaded with
// <script type="module">). The entry holds what every page runs; what a page may not use (the sign-in and callback
// protocol, the session lifecycle, popup and silent sign-in, the code flow, templates, sign-out) is in chunks in
// dist/chunks/, which the entry loads with `import()` relative to its own URL when first needed (the same origin as
// the entry, so a `script-src 'self'` CSP covers them).
//
// Rollup splits, terser minifies. (esbuild's splitting puts every module that the entry and a lazy chunk share into a
// chunk of its own, which the entry then imports statically: one more round trip on every page. Rollup knows that the
// entry is always loaded before its lazy chunks and keeps such modules in the entry.)
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rollup } from 'rollup';
import { minify } from 'terser';

rmSync('lib', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });

const bundle = await rollup({
  input: { 'auth-elements': 'lib/auth-elements.js' },
  // Lit's production build (no dev-mode warnings, smaller).
  plugins: [withSourceMaps(), nodeResolve({ browser: true, exportConditions: ['production'] }), litForTheBundle()],
  // The lazy chunks import what they share with the entry from the entry itself (no facade module).
  preserveEntrySignatures: 'allow-extension',
  onwarn(warning) {
    throw new Error(`rollup: ${warning.message}`);
  },
});
const { output } = await bundle.generate({ format: 'es', generatedCode: { arrowFunctions: true }, entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true, manualChunks: chunkOf });
await bundle.close();

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist/chunks', { recursive: true });
for (const chunk of output) {
  if (chunk.type !== 'chunk') continue;
  const name = chunk.fileName.split('/').pop();
  // Safe options only; names across chunks are kept (they are the chunks' imports and exports).
  const minified = await minify(chunk.code, {
    module: true,
    ecma: 2022,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
    // The map goes back to src/ and carries its sources: src/ and node_modules are not in the package.
    sourceMap: { content: chunk.map, url: `${name}.map`, includeSources: true },
  });
  writeFileSync(`dist/${chunk.fileName}`, minified.code);
  writeFileSync(`dist/${chunk.fileName}.map`, minified.map);
}
console.log(`built lib/ and dist/auth-elements.js (+ ${output.filter((chunk) => chunk.type === 'chunk').length - 1} chunks in dist/chunks/)`);

/**
 * Which lazy chunk a module goes to: few chunks, each loaded as a whole (every file is compressed on its own and is
 * one more request). `protocol`: what a page that signs in or is signed in runs (the sign-in request, the callback's
 * checks, discovery and keys, the session lifecycle, silent and popup sign-in, the code flow, API calls);
 * `templates`: `<template>` rendering; `logout`: sign-out at the provider (token revocation and the end-session URL,
 * loaded on the click of `<auth-logout>`); `dpop`: DPoP keys and proofs (RFC 9449), for pages with DPoP-bound tokens
 * only. A module that the entry needs at once
 * stays in the entry, whatever its group.
 */
function chunkOf(id, { getModuleInfo }) {
  const file = id.replace(/\\/g, '/');
  const group = /\/lib\/(protocol\/(logout|revoke)|session\/sign-out)\.js$/.test(file) ? 'logout' : /\/lib\/protocol\/dpop\.js$/.test(file) ? 'dpop' : /\/lib\/render\//.test(file) ? 'templates' : /\/lib\/(protocol|session)\/|\/lib\/elements\/fetch-request\.js$/.test(file) ? 'protocol' : undefined;
  // Named as the entry: rollup would otherwise pull the dependencies of a group's modules into the group.
  return eager(getModuleInfo).has(id) ? 'auth-elements' : group;
}

/** The modules the entry imports statically (directly or not): they are in the entry. */
function eager(getModuleInfo) {
  if (eager.modules) return eager.modules;
  const eagerModules = (eager.modules = new Set());
  const visit = (id) => {
    if (eagerModules.has(id)) return;
    eagerModules.add(id);
    for (const next of getModuleInfo(id)?.importedIds ?? []) visit(next);
  };
  visit(new URL('../lib/auth-elements.js', import.meta.url).pathname);
  return eagerModules;
}

/** Reads lib/'s files with the source maps tsc wrote, so that the bundle's maps lead to src/. */
function withSourceMaps() {
  return {
    name: 'lib-source-maps',
    load(id) {
      if (!/[\\/]lib[\\/].*\.js$/.test(id) || !existsSync(`${id}.map`)) return null;
      return { code: readFileSync(id, 'utf8'), map: readFileSync(`${id}.map`, 'utf8') };
    },
  };
}

/**
 * Two changes to Lit's ReactiveElement, for the CDN bundle only (lib/ users' bundlers take Lit as it is):
 * - Its css-tag module (the `css` tag, `unsafeCSS`, CSSResult: about 1 KB minified) is imported only for
 *   `adoptStyles` and `getCompatibleStyle`; the elements give constructed `CSSStyleSheet`s (src/elements/dom.ts
 *   `sheet()`), never CSSResults, so scripts/css-tag-shim.mjs stands in for it.
 * - `class ReactiveElement extends HTMLElement` reads `globalThis.HTMLElement ?? class {}`, so that importing the bundle
 *   where there is no DOM (a framework's server render in Node) does not throw; the tags are then not defined (no
 *   `customElements`). Lit's own Node build does the same with @lit-labs/ssr-dom-shim.
 */
function litForTheBundle() {
  const shim = new URL('./css-tag-shim.mjs', import.meta.url).pathname;
  return {
    name: 'lit-for-the-bundle',
    resolveId(source, importer) {
      return source === './css-tag.js' && /@lit[\\/]reactive-element[\\/]/.test(importer ?? '') ? shim : null;
    },
    transform(code, id) {
      if (!/@lit[\\/]reactive-element[\\/]reactive-element\.js$/.test(id)) return null;
      const patched = code.replace(/\bextends HTMLElement\b/, 'extends (globalThis.HTMLElement ?? class {})');
      if (patched === code) throw new Error(`${id}: no "extends HTMLElement" to make server-safe (a new Lit version?)`);
      return { code: patched, map: null };
    },
  };
}

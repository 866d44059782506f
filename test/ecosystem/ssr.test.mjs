// Importing the package on a server (the module graph of a framework's server render: Astro, Next, Nuxt, SvelteKit)
// must not throw: every entry of package.json "exports" is imported by the package's own name (self-reference, so
// through the real exports map, with Node's conditions) in a fresh Node process, which has no DOM. Run after
// `npm run build`, with `node --test "test/ecosystem/*.test.mjs"`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
/** What Lit adds to globalThis: its metadata map and version list; its Node build also the shims' event target (besides the registry shim `customElements`). */
const LIT = ['litPropertyMetadata', 'reactiveElementVersions', 'litServerRoot'];

/** Imports `specifier` in a new Node process and reports what it exports and what it left on globalThis. */
function importInNode(specifier) {
  const json = specifier.endsWith('.json') ? ", { with: { type: 'json' } }" : '';
  const script = `
    const before = new Set(Reflect.ownKeys(globalThis));
    const module = await import(${JSON.stringify(specifier)}${json});
    // Node's own lazy internals (Node 22 sets undici's dispatcher symbol once fetch is first looked up) are not ours.
    const added = Reflect.ownKeys(globalThis).filter((key) => !before.has(key)).map(String).filter((key) => !key.startsWith('Symbol(undici.'));
    const registry = globalThis.customElements;
    const tags = ['auth-login', 'auth-callback', 'auth-fetch', 'auth-logout', 'auth-user'].filter((tag) => registry?.get(tag));
    console.log(JSON.stringify({ exports: Object.keys(module), added, tags, dom: ['HTMLElement', 'document', 'window', 'location', 'CSSStyleSheet'].filter((name) => name in globalThis) }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

const API = ['AuthLoginElement', 'AuthCallbackElement', 'AuthFetchElement', 'AuthLogoutElement', 'AuthUserElement', 'AuthError', 'AuthErrorEvent', 'getStore', 'startSignIn'];

describe('importing on a server (Node, no DOM)', () => {
  test('every exports entry is covered below', () => {
    assert.deepEqual(Object.keys(pkg.exports).sort(), ['.', './auth-callback', './auth-elements.js', './auth-fetch', './auth-login', './auth-logout', './auth-user', './custom-elements.json', './define', './jsx-preact', './jsx-react', './jsx-solid', './package.json']);
  });

  test('"auth-elements": the API, classes included; only Lit\'s globals (with its registry shim), no DOM', () => {
    const result = importInNode('auth-elements');
    for (const name of API) assert.ok(result.exports.includes(name), name);
    assert.deepEqual(result.added.filter((key) => !LIT.includes(key)), ['customElements']);
    assert.deepEqual(result.tags, []);
    assert.deepEqual(result.dom, []);
  });

  test('"auth-elements/define": defines the tags only in the registry shim Lit\'s Node build installs, renders nothing', () => {
    const result = importInNode('auth-elements/define');
    assert.deepEqual(result.exports, []);
    assert.deepEqual(result.added.filter((key) => !LIT.includes(key)), ['customElements']);
    assert.equal(result.tags.length, 5);
    assert.deepEqual(result.dom, []);
  });

  test('"auth-elements/auth-login" and each other tag\'s entry: defines that tag alone, in the shim registry, renders nothing', () => {
    for (const tag of ['auth-login', 'auth-callback', 'auth-fetch', 'auth-logout', 'auth-user']) {
      const result = importInNode(`auth-elements/${tag}`);
      assert.deepEqual([result.exports, result.tags, result.dom], [[], [tag], []], tag);
    }
  });

  test('"auth-elements/auth-elements.js" (the one-file bundle, Lit\'s browser build inlined): the API, no customElements, no tag', () => {
    const result = importInNode('auth-elements/auth-elements.js');
    for (const name of API) assert.ok(result.exports.includes(name), name);
    assert.deepEqual(result.added.filter((key) => !LIT.includes(key)), []);
    assert.deepEqual(result.dom, []);
  });

  test('"auth-elements/jsx-react", "auth-elements/jsx-preact" and "auth-elements/jsx-solid" (declarations) import as empty modules', () => {
    for (const entry of ['auth-elements/jsx-react', 'auth-elements/jsx-preact', 'auth-elements/jsx-solid']) {
      const result = importInNode(entry);
      assert.deepEqual([result.exports, result.added, result.dom], [[], [], []], entry);
    }
  });

  test('the JSON entries import', () => {
    assert.ok(importInNode('auth-elements/custom-elements.json').exports.includes('default'));
    assert.ok(importInNode('auth-elements/package.json').exports.includes('default'));
  });
});

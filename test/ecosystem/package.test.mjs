// What `npm publish` would ship, checked after `npm run build`: the file list of `npm pack --dry-run` (what users
// need, nothing of the repository's own), `exports` pointing at files that exist and are packed, `sideEffects`
// naming exactly the modules that define the tags (checked the way bundlers use it: esbuild drops everything else),
// the one-file bundle ready for a CDN <script type="module">, the CHANGELOG entry for this version, and the VS Code
// custom data current with the manifest. Run with `node --test "test/ecosystem/*.test.mjs"`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { MANIFEST, OUTPUT, isState, render } from '../../scripts/vscode-data.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('package.json', `file://${ROOT}`), 'utf8'));
/** Top-level files users get besides lib/ and dist/. */
const TOP_LEVEL = ['package.json', 'README.md', 'CHANGELOG.md', 'custom-elements.json', 'vscode.html-custom-data.json'];

let packed;

before(() => {
  // --ignore-scripts: no prepack build (npm test has just built; other node tests read lib/ and dist/ meanwhile).
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  packed = new Set(JSON.parse(out)[0].files.map((file) => file.path));
});

/** Every file path an exports entry can resolve to (all conditions). */
function targets(entry) {
  if (typeof entry === 'string') return [entry];
  return Object.values(entry ?? {}).flatMap(targets);
}

/** Bundles `code` (as a module inside the package, so "auth-elements" resolves through exports) with esbuild. */
async function bundle(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: ROOT, sourcefile: 'consumer.js' },
    bundle: true,
    write: false,
    format: 'esm',
    minify: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs).filter((input) => input !== 'consumer.js') };
}

describe('npm pack', () => {
  test('ships lib/, the bundle and its map, the manifests, README, CHANGELOG and package.json', () => {
    for (const file of [...TOP_LEVEL, 'dist/auth-elements.js', 'dist/auth-elements.js.map', 'lib/index.js', 'lib/index.d.ts', 'lib/define.js', 'lib/define.d.ts', 'lib/auth-elements.js']) {
      assert.ok(packed.has(file), `${file} is packed`);
    }
    assert.ok(packed.has('LICENSE'), 'LICENSE is packed');
  });

  test('ships nothing else: no sources, tests, demo, examples, scripts or docs', () => {
    const unexpected = [...packed].filter((file) => !(TOP_LEVEL.includes(file) || file === 'LICENSE'
      || /^lib\/.+\.(js|d\.ts)(\.map)?$/.test(file) || /^dist\/(chunks\/[\w-]+|auth-elements)\.js(\.map)?$/.test(file)));
    assert.deepEqual(unexpected, []);
  });

  test('every module in lib/ has its declarations', () => {
    const missing = [...packed].filter((file) => /^lib\/.+\.js$/.test(file) && !packed.has(file.replace(/\.js$/, '.d.ts')));
    assert.deepEqual(missing, []);
  });

  test('source maps carry their sources (sourcesContent), since src/ and node_modules are not shipped', () => {
    const maps = [...packed].filter((file) => file.endsWith('.js.map'));
    const without = maps.filter((file) => {
      const map = JSON.parse(readFileSync(`${ROOT}${file}`, 'utf8'));
      return map.sources.some((source, i) => !map.sourcesContent?.[i] && !packed.has(new URL(source, `file:///${file}`).pathname.slice(1)));
    });
    assert.equal(without.length, 0, `${without.length} of ${maps.length} maps name sources that are not shipped, such as ${without[0]}`);
  });
});

describe('package.json', () => {
  test('every exports target exists and is packed; "types" comes first in each condition set', () => {
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      for (const target of targets(entry)) {
        const file = target.replace(/^\.\//, '');
        assert.ok(existsSync(`${ROOT}${file}`), `${subpath} → ${target} exists`);
        assert.ok(packed.has(file), `${subpath} → ${target} is packed`);
      }
      if (typeof entry === 'object' && 'types' in entry) assert.equal(Object.keys(entry)[0], 'types', `${subpath}: types first`);
    }
    for (const field of ['main', 'module', 'types']) assert.ok(packed.has(pkg[field].replace(/^\.\//, '')), `${field} is packed`);
  });

  test('sideEffects lists exactly the shipped modules that define the tags', () => {
    const defining = [...packed].filter((file) => file.endsWith('.js') && !file.endsWith('.map')).filter((file) => {
      const code = readFileSync(`${ROOT}${file}`, 'utf8');
      return /customElements\.define\(/.test(code) || /^import\s*["']\.\/define(\.js|\/[\w-]+\.js)["']/m.test(code);
    }).sort();
    const matching = (patterns) => [...packed].filter((file) => patterns.some((path) => new RegExp(`^${path.replace(/^\.\//, '').replace(/\./g, '\\.').replace(/\*/g, '[^/]+')}$`).test(file))).sort();
    assert.deepEqual(matching(pkg.sideEffects), defining);
    assert.deepEqual(defining, ['dist/auth-elements.js', 'lib/auth-elements.js', 'lib/define.js', ...['auth-callback', 'auth-fetch', 'auth-login', 'auth-logout', 'auth-user'].map((tag) => `lib/define/${tag}.js`)]);
  });

  test('a bundler keeps the definitions for "auth-elements/define" and drops them for "auth-elements"', async () => {
    const api = await bundle(`import { getStore } from 'auth-elements'; console.log(getStore('default'));`);
    assert.doesNotMatch(api.code, /customElements\.define\(/);
    assert.ok(!api.inputs.includes('lib/define.js'));
    const unused = await bundle(`import 'auth-elements';`);
    assert.doesNotMatch(unused.code, /customElements|ReactiveElement/, 'importing the API for nothing costs nothing');
    const defining = await bundle(`import 'auth-elements/define';`);
    for (const tag of ['auth-login', 'auth-callback', 'auth-fetch', 'auth-logout', 'auth-user']) {
      assert.match(defining.code, new RegExp(`customElements\\.define\\(\\s*"${tag}"`), tag);
    }
  });

  test('"auth-elements/<tag>" defines that tag and bundles no other element', async () => {
    const tags = ['auth-login', 'auth-callback', 'auth-fetch', 'auth-logout', 'auth-user'];
    for (const tag of tags) {
      const { code, inputs } = await bundle(`import 'auth-elements/${tag}';`);
      assert.match(code, new RegExp(`customElements\\.define\\(\\s*"${tag}"`), tag);
      const others = tags.filter((other) => other !== tag && inputs.includes(`lib/elements/${other}.js`));
      // <auth-logout> shares <auth-login>'s button base, not its element.
      assert.deepEqual(others, [], `${tag} bundles ${others}`);
    }
  });
});

describe('the CDN bundle', () => {
  const dist = () => [...packed].filter((file) => /^dist\/.*\.js$/.test(file));

  test('dist/auth-elements.js imports nothing statically (one request), and its chunks only by relative import()', () => {
    const entry = readFileSync(`${ROOT}dist/auth-elements.js`, 'utf8');
    assert.doesNotMatch(entry, /(^|[;}])\s*(import|export)[^(;]*\bfrom\s*["']/, 'no static import or re-export');
    const lazy = [...entry.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]);
    assert.ok(lazy.length > 0, 'loads chunks when needed');
    for (const specifier of lazy) {
      assert.match(specifier, /^\.\/chunks\/[\w-]+\.js$/);
      assert.ok(packed.has(`dist/${specifier.slice(2)}`), `${specifier} is packed`);
    }
  });

  test('every chunk imports only the entry and other chunks, by relative paths that are packed, and points at its map', () => {
    assert.ok(dist().length > 1);
    for (const file of dist()) {
      const code = readFileSync(`${ROOT}${file}`, 'utf8');
      for (const [, specifier] of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)) {
        assert.match(specifier, /^\.\.?\//, `${file} imports ${specifier}`);
        const target = new URL(specifier, `file:///${file}`).pathname.slice(1);
        assert.ok(packed.has(target), `${file} → ${target} is packed`);
      }
      const name = file.split('/').pop();
      assert.match(code, new RegExp(`\\n//# sourceMappingURL=${name.replace(/\./g, '\\.')}\\.map\\s*$`), file);
    }
  });

  test('a bundler takes dist/auth-elements.js with its chunks and nothing else', async () => {
    const { inputs } = await bundle(`import './dist/auth-elements.js';`);
    assert.ok(inputs.every((input) => /^dist\/(chunks\/[\w-]+|auth-elements)\.js$/.test(input)), inputs.join());
  });

  test('is reachable as the package subpath "auth-elements/auth-elements.js" with types, and is what unpkg and jsDelivr serve for the bare package', () => {
    assert.deepEqual(pkg.exports['./auth-elements.js'], { types: './lib/auth-elements.d.ts', default: './dist/auth-elements.js' });
    assert.equal(pkg.unpkg, './dist/auth-elements.js');
    assert.equal(pkg.jsdelivr, './dist/auth-elements.js');
  });
});

describe('docs and editor data', () => {
  test(`CHANGELOG.md has an entry for ${pkg.version}`, () => {
    assert.match(readFileSync(`${ROOT}CHANGELOG.md`, 'utf8'), new RegExp(`^## \\[?${pkg.version.replace(/\./g, '\\.')}\\]?`, 'm'));
  });

  test('vscode.html-custom-data.json is what custom-elements.json gives (npm run analyze writes both)', () => {
    assert.equal(readFileSync(OUTPUT, 'utf8'), render(JSON.parse(readFileSync(MANIFEST, 'utf8'))));
  });

  test('every tag and settable attribute of the manifest is in the VS Code data (not the reflected states); boolean attributes take no value', () => {
    const data = JSON.parse(readFileSync(OUTPUT, 'utf8'));
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
    const elements = manifest.modules.flatMap((module) => module.declarations ?? []).filter((d) => d.customElement && d.tagName);
    assert.deepEqual(data.tags.map((tag) => tag.name), ['auth-callback', 'auth-fetch', 'auth-login', 'auth-logout', 'auth-user']);
    for (const element of elements) {
      const tag = data.tags.find((entry) => entry.name === element.tagName);
      const settable = (element.attributes ?? []).filter((attribute) => !isState(element, attribute));
      assert.deepEqual(tag.attributes.map((a) => a.name), settable.map((a) => a.name), element.tagName);
      for (const attribute of settable) {
        const entry = tag.attributes.find((a) => a.name === attribute.name);
        assert.equal(entry.valueSet === 'v', attribute.type?.text === 'boolean', `${element.tagName} ${attribute.name}`);
        if (attribute.description) assert.ok(entry.description.value.startsWith(attribute.description), `${element.tagName} ${attribute.name} description`);
      }
    }
    assert.ok(data.tags.find((tag) => tag.name === 'auth-login').attributes.some((a) => a.name === 'client-id'));
    const offered = (name) => data.tags.find((tag) => tag.name === name).attributes.map((a) => a.name);
    for (const state of ['loading', 'error', 'signed-out', 'empty']) assert.ok(!offered('auth-fetch').includes(state), `auth-fetch ${state} not offered`);
    assert.ok(!offered('auth-logout').includes('signed-in'));
    assert.ok(!offered('auth-callback').includes('handling'));
    assert.deepEqual(data.tags.find((tag) => tag.name === 'auth-fetch').attributes.find((a) => a.name === 'method').values.map((v) => v.name), ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
  });
});

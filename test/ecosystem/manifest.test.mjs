// custom-elements.json as the tools read it from node_modules (VS Code, Storybook, API viewers, JetBrains): every
// module path and module reference names a file `npm pack` ships (lib/**/*.js, with its .d.ts), every tag has a
// definition pointing at its class, and every attribute, event, slot, part and state the elements have is
// documented (checked against their sources: reflected states, `param-*`, the `emit` event). Run after
// `npm run build` with `node --test "test/ecosystem/*.test.mjs"`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(`${ROOT}custom-elements.json`, 'utf8'));
const declarations = manifest.modules.flatMap((module) => (module.declarations ?? []).map((declaration) => ({ module, declaration })));
const elements = declarations.filter(({ declaration }) => declaration.customElement && declaration.tagName);

let packed;

before(() => {
  // As in package.test.mjs: --ignore-scripts, no prepack build.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  packed = new Set(JSON.parse(out)[0].files.map((file) => file.path));
});

/**
 * Every file the manifest names, with where: module paths, and each `module` of a reference (exports, superclass,
 * inheritedFrom, types) that is not in another package.
 */
function fileReferences(node, at = 'modules', found = []) {
  if (Array.isArray(node)) node.forEach((item, i) => fileReferences(item, `${at}[${i}]`, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'path' || (key === 'module' && !node.package)) && typeof value === 'string') found.push({ at: `${at}.${key}`, file: value });
      else fileReferences(value, `${at}.${key}`, found);
    }
  }
  return found;
}

/** The TypeScript source of a manifest module (lib/elements/x.js → src/elements/x.ts). */
const sourceOf = (path) => readFileSync(`${ROOT}${path.replace(/^lib\//, 'src/').replace(/\.js$/, '.ts')}`, 'utf8');

/** Event type of each event class of src/events.ts: `AuthErrorEvent` → `auth-error`. */
const eventTypes = new Map([...readFileSync(`${ROOT}src/events.ts`, 'utf8').matchAll(/class (\w+)(?:<[^>]*>)? extends CustomEvent[^{]*\{[^}]*?super\('([\w-]+)'/g)].map((match) => [match[1], match[2]]));

/** The sources of a declaration and of its superclasses in this package. */
function sourcesOf(module, declaration) {
  const sources = [sourceOf(module.path)];
  for (let superclass = declaration.superclass; superclass?.module && !superclass.package;) {
    const next = declarations.find((entry) => entry.module.path === superclass.module && entry.declaration.name === superclass.name);
    if (!next) break;
    sources.push(sourceOf(next.module.path));
    superclass = next.declaration.superclass;
  }
  return sources.join('\n');
}

describe('custom-elements.json: paths resolve in the installed package', () => {
  test('the manifest names some files, all of lib/', () => {
    const references = fileReferences(manifest.modules);
    assert.ok(references.length > manifest.modules.length, 'module paths and references found');
    const outside = references.filter(({ file }) => !/^lib\/.+\.js$/.test(file));
    assert.deepEqual(outside, [], 'every path names a module of lib/ (no src/, no leading slash, no .ts)');
  });

  test('every path and module reference is in the npm pack file list, with its .d.ts', () => {
    const missing = fileReferences(manifest.modules).filter(({ file }) => !packed.has(file) || !packed.has(file.replace(/\.js$/, '.d.ts')));
    assert.deepEqual(missing, [], 'not packed (or without declarations)');
  });

  test('every reference names a declaration of that module (exports, superclass, inheritedFrom)', () => {
    const known = new Set(manifest.modules.flatMap((module) => [...(module.declarations ?? []), ...(module.exports ?? [])].map((entry) => `${module.path}#${entry.name}`)));
    const dangling = [];
    (function visit(node, at) {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${at}[${i}]`));
      if (!node || typeof node !== 'object') return;
      if (typeof node.module === 'string' && !node.package && node.name && !known.has(`${node.module}#${node.name}`)) dangling.push({ at, ref: `${node.module}#${node.name}` });
      for (const [key, value] of Object.entries(node)) visit(value, `${at}.${key}`);
    })(manifest.modules, 'modules');
    assert.deepEqual(dangling, []);
  });

  test('every tag has a custom-element-definition export pointing at its class, and the class is exported', () => {
    const definitions = manifest.modules.flatMap((module) => (module.exports ?? []).filter((entry) => entry.kind === 'custom-element-definition'));
    for (const { module, declaration } of elements) {
      const definition = definitions.find((entry) => entry.name === declaration.tagName);
      assert.ok(definition, `<${declaration.tagName}> is defined`);
      assert.deepEqual(definition.declaration, { name: declaration.name, module: module.path }, `<${declaration.tagName}>'s definition`);
      assert.ok(module.exports?.some((entry) => entry.kind === 'js' && entry.name === declaration.name), `${declaration.name} is exported by ${module.path}`);
    }
    assert.equal(definitions.length, elements.length, 'one definition per tag');
  });
});

describe('custom-elements.json: what the elements have is documented', () => {
  test('the five tags', () => {
    assert.deepEqual(elements.map(({ declaration }) => declaration.tagName).sort(), ['auth-callback', 'auth-fetch', 'auth-login', 'auth-logout', 'auth-user']);
  });

  test('every attribute, event, slot, CSS part and CSS state has a description; events have a name', () => {
    const undocumented = [];
    for (const { declaration } of elements) {
      for (const kind of ['attributes', 'events', 'slots', 'cssParts', 'cssStates']) {
        for (const item of declaration[kind] ?? []) {
          if (!item.description?.trim() || (kind !== 'slots' && !item.name)) undocumented.push(`<${declaration.tagName}> ${kind} ${item.name || '(default)'}`);
        }
      }
    }
    assert.deepEqual(undocumented, []);
  });

  test('every state the element mirrors or sets is an attribute and a CSS state', () => {
    for (const { module, declaration } of elements) {
      const source = sourcesOf(module, declaration);
      const names = new Set([...source.matchAll(/toggleAttribute\('([\w-]+)'/g)].map((match) => match[1]));
      for (const [, list] of source.matchAll(/(?:mirrorStates\(this, |const STATES = )\[([^\]]*)\]/g)) for (const [, name] of list.matchAll(/'([\w-]+)'/g)) names.add(name);
      assert.ok(names.size > 0, `<${declaration.tagName}> has states`);
      const attributes = new Set(declaration.attributes.map((attribute) => attribute.name));
      const states = new Set((declaration.cssStates ?? []).map((state) => state.name));
      for (const name of names) {
        assert.ok(attributes.has(name), `<${declaration.tagName}> attribute ${name}`);
        assert.ok(states.has(name), `<${declaration.tagName}> CSS state ${name}`);
      }
    }
  });

  test('attribute families read from this.attributes are documented (param-*)', () => {
    for (const { module, declaration } of elements) {
      for (const [, prefix] of sourceOf(module.path).matchAll(/name\.startsWith\('([\w-]+-)'\)/g)) {
        assert.ok(declaration.attributes.some((attribute) => attribute.name === `${prefix}*`), `<${declaration.tagName}> attribute ${prefix}*`);
      }
    }
    const fetch = elements.find(({ declaration }) => declaration.tagName === 'auth-fetch').declaration;
    assert.ok(fetch.attributes.some((attribute) => attribute.name === 'param-*'));
  });

  test('every event the element dispatches is documented (auth-* and the one named by emit)', () => {
    for (const { module, declaration } of elements) {
      const events = new Set((declaration.events ?? []).map((event) => event.name));
      for (const [, type] of sourcesOf(module, declaration).matchAll(/dispatchEvent\(new (\w+)\(/g)) {
        if (type === 'CustomEvent') continue;
        assert.ok(eventTypes.has(type), `${type} is an event class of src/events.ts`);
        assert.ok(events.has(eventTypes.get(type)), `<${declaration.tagName}> fires ${eventTypes.get(type)}`);
      }
      for (const [, attribute] of sourceOf(module.path).matchAll(/dispatchEvent\(new CustomEvent\(this\.(\w+)/g)) {
        assert.ok(events.has(attribute), `<${declaration.tagName}> documents the event named by its ${attribute} attribute`);
        assert.ok(declaration.attributes.some((entry) => entry.name === attribute), `<${declaration.tagName}> attribute ${attribute}`);
      }
    }
    const callback = elements.find(({ declaration }) => declaration.tagName === 'auth-callback').declaration;
    assert.ok(callback.attributes.some((attribute) => attribute.name === 'handling'), '<auth-callback handling>');
    const fetch = elements.find(({ declaration }) => declaration.tagName === 'auth-fetch').declaration;
    assert.ok(fetch.events.some((event) => event.name === 'emit'), '<auth-fetch> emit event');
  });

  test('method lists its usual values', () => {
    const fetch = elements.find(({ declaration }) => declaration.tagName === 'auth-fetch').declaration;
    const method = fetch.attributes.find((attribute) => attribute.name === 'method');
    for (const value of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) assert.match(method.type.text, new RegExp(`'${value}'`));
  });
});

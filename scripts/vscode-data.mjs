// Writes vscode.html-custom-data.json from custom-elements.json, so VS Code (and other editors using its HTML
// language service) completes the tags and their attributes, with descriptions, value lists and hover docs.
//
//   node scripts/vscode-data.mjs           # writes the file (run by `npm run analyze`, after the analyzer)
//   node scripts/vscode-data.mjs --check   # exit 1 when the file is not what the manifest gives
//
// The reflected states (attributes named like a CSS state) are left out of the attributes: the element sets them.
// Format: https://github.com/microsoft/vscode-custom-data (version 1.1). Boolean attributes get the value set "v"
// (present or absent, no value); an attribute whose manifest type is a union of string literals lists them as values.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url);
export const MANIFEST = fileURLToPath(new URL('custom-elements.json', ROOT));
export const OUTPUT = fileURLToPath(new URL('vscode.html-custom-data.json', ROOT));

const markdown = (value) => ({ kind: 'markdown', value });

/**
 * `'a' | 'b' | null` → ['a', 'b']; anything that is not a union of string literals (with null/undefined, and the
 * open `string` or `(string & {})`: suggested values, others allowed) → [].
 */
export function literalValues(typeText = '') {
  const open = ['null', 'undefined', 'string', '(string & {})'];
  const members = typeText.split('|').map((member) => member.trim()).filter((member) => !open.includes(member));
  const literal = /^(['"])(.*)\1$/;
  return members.length > 0 && members.every((member) => literal.test(member)) ? members.map((member) => literal.exec(member)[2]) : [];
}

function attributeOf(attribute) {
  const lines = [attribute.description ?? ''];
  const facts = [];
  if (attribute.fieldName) facts.push(`Property: \`${attribute.fieldName}\``);
  if (attribute.type?.text) facts.push(`type \`${attribute.type.text}\``);
  if (attribute.default !== undefined) facts.push(`default \`${attribute.default}\``);
  if (facts.length) lines.push(facts.join(', ') + '.');
  const entry = { name: attribute.name, description: markdown(lines.filter(Boolean).join('\n\n')) };
  const values = literalValues(attribute.type?.text);
  if (attribute.type?.text === 'boolean') entry.valueSet = 'v';
  else if (values.length) entry.values = values.map((name) => ({ name }));
  return entry;
}

function list(title, items, name) {
  if (!items?.length) return [];
  return [`**${title}**`, items.map((item) => `- ${name(item)}${item.description ? `: ${item.description}` : ''}`).join('\n')];
}

/** An attribute the element reflects its state to (a CSS state of the same name): read-only for the page. */
export const isState = (declaration, attribute) => (declaration.cssStates ?? []).some((state) => state.name === attribute.name);

function tagOf(declaration) {
  const description = [
    declaration.summary,
    declaration.description,
    ...list('Events', declaration.events, (event) => `\`${event.name}\``),
    ...list('Slots', declaration.slots, (slot) => (slot.name ? `\`${slot.name}\`` : '(default)')),
    ...list('CSS parts', declaration.cssParts, (part) => `\`::part(${part.name})\``),
    ...list('CSS states (read-only, also reflected as attributes set by the element)', declaration.cssStates, (state) => `\`:state(${state.name})\``),
    ...list('CSS custom properties', declaration.cssProperties, (property) => `\`${property.name}\``),
  ].filter(Boolean);
  return {
    name: declaration.tagName,
    description: markdown(description.join('\n\n')),
    // The reflected states (`loading`, `signed-in`…) are set by the element, never by the page: not offered.
    attributes: (declaration.attributes ?? []).filter((attribute) => !isState(declaration, attribute)).map(attributeOf),
  };
}

/** The custom data for every custom element of `manifest` (a parsed custom-elements.json), sorted by tag. */
export function htmlCustomData(manifest) {
  const tags = manifest.modules
    .flatMap((module) => module.declarations ?? [])
    .filter((declaration) => declaration.customElement && declaration.tagName)
    .map(tagOf)
    .sort((a, b) => a.name.localeCompare(b.name));
  return { version: 1.1, tags };
}

/** The file's exact text for `manifest`. */
export function render(manifest) {
  return JSON.stringify(htmlCustomData(manifest), null, 2) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = render(JSON.parse(readFileSync(MANIFEST, 'utf8')));
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUTPUT, 'utf8');
    } catch {
      // missing: stale
    }
    if (current !== text) {
      console.error('vscode.html-custom-data.json is stale: run npm run analyze and commit it');
      process.exit(1);
    }
  } else {
    writeFileSync(OUTPUT, text);
  }
}

// The demo's /docs page: each element's attributes, properties, methods, events, slots, CSS parts and CSS states,
// generated from custom-elements.json on every request (so it is what `npm run analyze` last wrote), with a live
// example per element signing in against the demo's provider. All manifest text goes in as escaped text (a
// description's `code` spans become <code> elements around escaped text), never as HTML; braces are escaped too, so
// no manifest text can become one of the pages server's {{NAME}} placeholders. The examples are static tags with
// those placeholders, filled by the pages server like demo/index.html's. No script or style of the page's own:
// the Content-Security-Policy of every demo page applies.
import { readFile } from 'node:fs/promises';

const MANIFEST = new URL('../../custom-elements.json', import.meta.url);

/** The order of the sections: how a page uses the tags. Tags the manifest adds later come after these. */
const ORDER = ['auth-login', 'auth-callback', 'auth-user', 'auth-fetch', 'auth-logout'];

/** Text as HTML text or attribute value (and `{`, `}` as references: never a placeholder). */
export const escapeHtml = (value) => String(value ?? '')
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
  .replace(/\{/g, '&#123;').replace(/\}/g, '&#125;');

/** Escaped text, with its `code` spans as <code> (the span's text escaped too). */
const prose = (text) => String(text ?? '').split(/(`[^`]+`)/).map((part) => (/^`[^`]+`$/.test(part) ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : escapeHtml(part))).join('');

const code = (text) => (text === undefined || text === '' ? '' : `<code>${escapeHtml(text)}</code>`);

/**
 * The live example of each tag: the real tags, in their own store ("docs") so the demo app's session is not touched,
 * signing in with a popup that ends on /callback.html (a redirect URI the provider knows).
 */
const LOGIN = `<auth-login store="docs" {{PROVIDER_ATTRIBUTE}}="{{PROVIDER}}" client-id="{{CLIENT_ID}}" audience="{{AUDIENCE}}"
            scope="openid profile email read:appointments" allowed-origins="{{API_ORIGIN}}"
            mode="popup" silent-redirect-uri="/callback.html">Sign in</auth-login>`;
const EXAMPLES = {
  'auth-login': {
    note: 'Signs in with a popup (demo logins: ada / ada-password, alan / alan-password); the popup ends on /callback.html.',
    html: LOGIN,
  },
  'auth-callback': {
    note: 'On this page it does nothing (no answer in the address bar): the popup of the example above ends on /callback.html, whose <auth-callback> hands the answer to this page.',
    html: '<auth-callback>Signing you in…</auth-callback>',
  },
  'auth-user': {
    note: 'Shows the ID token\'s claims once the example above has signed in.',
    html: `<auth-user store="docs">
  <p slot="signed-out">Not signed in.</p>
  <template><p>Signed in as <strong data-field="name"></strong> (<span data-field="email"></span>)</p></template>
</auth-user>`,
  },
  'auth-fetch': {
    note: 'Calls the demo API with the access token and fills the template with its answer.',
    html: `<auth-fetch store="docs" auto url="{{API}}/api/appointments">
  <p slot="signed-out">Sign in to load your appointments.</p>
  <p slot="loading">Loading…</p>
  <p slot="empty">No appointments yet.</p>
  <p slot="error">The appointments could not be loaded.</p>
  <ul>
    <template><li><span data-field="date"></span> <span data-field="title"></span></li></template>
  </ul>
</auth-fetch>`,
  },
  'auth-logout': {
    note: 'Without return-to, signs out of this page\'s "docs" store only (the provider session stays).',
    html: '<auth-logout store="docs">Sign out</auth-logout>',
  },
};

/** A table of `items`; `columns` are [heading, (item) => cell HTML]. Nothing when there are no items. */
function table(id, title, items, columns) {
  if (!items?.length) return '';
  const head = columns.map(([heading]) => `<th scope="col">${escapeHtml(heading)}</th>`).join('');
  const rows = items.map((item) => `<tr>${columns.map(([, cell]) => `<td>${cell(item)}</td>`).join('')}</tr>`).join('\n');
  return `<h3 id="${id}">${escapeHtml(title)}</h3>
<div class="table"><table aria-labelledby="${id}"><thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

const isState = (declaration, name) => (declaration.cssStates ?? []).some((state) => state.name === name);
const publicMembers = (declaration, kind) => (declaration.members ?? [])
  .filter((member) => member.kind === kind && !member.static && (member.privacy ?? 'public') === 'public' && !member.name.startsWith('#'));

function section(declaration) {
  const tag = declaration.tagName;
  const id = (part) => `${tag}-${part}`;
  const example = EXAMPLES[tag];
  const signature = (method) => `${method.name}(${(method.parameters ?? []).map((parameter) => parameter.name).join(', ')})`;
  return `<section class="card doc" id="${escapeHtml(tag)}" data-tag="${escapeHtml(tag)}" aria-labelledby="${id('heading')}">
<h2 id="${id('heading')}"><code>&lt;${escapeHtml(tag)}&gt;</code> ${prose(declaration.summary)}</h2>
<p>${prose(declaration.description)}</p>
${table(id('attributes'), 'Attributes', declaration.attributes, [
    ['Attribute', (attribute) => code(attribute.name)],
    ['Property', (attribute) => code(attribute.fieldName)],
    ['Type', (attribute) => code(attribute.type?.text)],
    ['Default', (attribute) => code(attribute.default)],
    ['Description', (attribute) => `${isState(declaration, attribute.name) ? '<strong>Read-only state</strong> (set by the element). ' : ''}${prose(attribute.description)}`],
  ])}
${table(id('properties'), 'Properties', publicMembers(declaration, 'field'), [
    ['Property', (field) => code(field.name)],
    ['Type', (field) => code(field.type?.text)],
    ['Description', (field) => `${field.readonly ? '<strong>Read-only.</strong> ' : ''}${prose(field.description)}`],
  ])}
${table(id('methods'), 'Methods', publicMembers(declaration, 'method'), [
    ['Method', (method) => code(signature(method))],
    ['Returns', (method) => code(method.return?.type?.text)],
    ['Description', (method) => prose(method.description)],
  ])}
${table(id('events'), 'Events', declaration.events, [
    ['Event', (event) => code(event.name)],
    ['Type', (event) => code(event.type?.text)],
    ['Description', (event) => prose(event.description)],
  ])}
${table(id('slots'), 'Slots', declaration.slots, [
    ['Slot', (slot) => (slot.name ? code(slot.name) : '(default)')],
    ['Description', (slot) => prose(slot.description)],
  ])}
${table(id('parts'), 'CSS parts', declaration.cssParts, [
    ['Part', (part) => code(`::part(${part.name})`)],
    ['Description', (part) => prose(part.description)],
  ])}
${table(id('states'), 'CSS states', declaration.cssStates, [
    ['State', (state) => code(`:state(${state.name})`)],
    ['Description', (state) => prose(state.description)],
  ])}
${example ? `<h3 id="${id('example')}">Live example</h3>
<p class="hint">${escapeHtml(example.note)}</p>
<div class="example" data-example="${escapeHtml(tag)}">
${example.html}
</div>
<pre class="source" aria-label="${escapeHtml(`Source of the <${tag}> example`)}"><code>${escapeHtml(example.html).replace(/&#123;&#123;([A-Z_]+)&#125;&#125;/g, '{{$1}}')}</code></pre>` : ''}
</section>`;
}

/** The custom elements of the manifest, in the page's order. */
export function documentedElements(manifest) {
  const elements = manifest.modules.flatMap((module) => module.declarations ?? []).filter((declaration) => declaration.customElement && declaration.tagName);
  const rank = (declaration) => (ORDER.includes(declaration.tagName) ? ORDER.indexOf(declaration.tagName) : ORDER.length);
  return elements.sort((a, b) => rank(a) - rank(b) || a.tagName.localeCompare(b.tagName));
}

/** The page for `manifest` (parsed custom-elements.json), with the pages server's {{NAME}} placeholders. */
export function renderDocs(manifest) {
  const elements = documentedElements(manifest);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Elements reference · auth-elements demo</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/style.css">
    <script type="module" src="/auth-elements.js"></script>
  </head>
  <body>
    <header class="bar">
      <a class="brand" href="/">ExampleCo <span>docs</span></a>
      <nav><a href="/">Appointments</a> <a href="/article.html">Journal</a></nav>
    </header>
    <main class="docs">
      <h1>The elements</h1>
      <p>Generated from <a href="/custom-elements.json">custom-elements.json</a>, the manifest the package ships.
        Each element has a live example signed in against this demo's provider, in a store of its own
        (<code>store="docs"</code>).</p>
      <nav aria-label="Elements"><ul class="toc">
${elements.map((declaration) => `        <li><a href="#${escapeHtml(declaration.tagName)}"><code>&lt;${escapeHtml(declaration.tagName)}&gt;</code></a></li>`).join('\n')}
      </ul></nav>
${elements.map(section).join('\n')}
    </main>
  </body>
</html>
`;
}

/** The page from the current custom-elements.json. */
export async function docsPage() {
  return renderDocs(JSON.parse(await readFile(MANIFEST, 'utf8')));
}

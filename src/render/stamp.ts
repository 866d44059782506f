/**
 * Fills a `<template>` with JSON, without HTML: `data-field="path"` sets an element's text, `data-attr-NAME="path"`
 * sets attribute NAME. The data is hostile (API answers, ID token claims), so what it may reach is an allow-list:
 *
 * - Never bound, nor anything inside them, in any namespace and any case (by `localName`): `script`, `style`,
 *   `iframe`, `frame`, `frameset`, `fencedframe`, `object`, `embed`, `foreignObject`, `template`, `base`, `link`,
 *   `meta`, and SMIL's `set`, `animate*` (`animate`, `animateMotion`, `animateTransform`, …) and `discard`.
 * - Text (`data-field`): every other element, in any namespace.
 * - Attributes (`data-attr-NAME`): on HTML elements only (SVG and MathML ones get text only), and only `class`,
 *   `title`, `alt`, `lang`, `dir`, `hidden`, `value`, `placeholder`, `datetime`, `role`, `width`, `height`, `colspan`,
 *   `rowspan`, `min`, `max`, `step`, `checked`, `disabled`, `selected`, `label`, `aria-*`, and the URL attributes
 *   `href`, `src`, `cite`, `poster`, whose value must parse (`new URL` against the document) as http(s). Nothing
 *   else: no `on*`, `style`, `srcdoc`, `action`, `formaction`, `srcset`, `ping`, `id`/`name` (DOM clobbering),
 *   `data-*` (other libraries' script gadgets), `xlink:href`, SMIL's `to`/`from`/`values`/`by`/`attributeName`, ….
 * - A refused binding sets and removes nothing: the copy keeps what the author wrote. An allowed one whose value is
 *   missing, an object or a refused URL removes the attribute.
 */

const FIELD = 'data-field';
const ATTR = 'data-attr-';
/** Elements never bound, nor anything inside them (by `localName`, in any case). */
const NEVER = /^(script|style|iframe|object|embed|frame|frameset|fencedframe|foreignobject|template|base|link|meta|set|animate\w*|discard)$/i;
/** The attributes data may set on HTML elements (in any case); those in the inner group are URLs (see `safeUrl`). */
const ATTRS = /^(class|title|alt|lang|dir|hidden|value|placeholder|datetime|role|width|height|colspan|rowspan|min|max|step|checked|disabled|selected|label|aria-[a-z]+|(href|src|cite|poster))$/i;

/** The value at a dotted path (`a.b.0.c`); `undefined` when any step is missing. Own properties only. */
export function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const key of path ? path.split('.') : []) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A URL attribute value that is safe to set: http(s) or relative, resolved against the document; else `null`. */
export function safeUrl(value: string): string | null {
  try {
    return /^https?:$/.test(new URL(value, document.baseURI).protocol) ? value : null;
  } catch {
    return null;
  }
}

function bind(element: Element, item: unknown): void {
  const html = element instanceof HTMLElement;
  for (const { name, value: path } of [...element.attributes]) {
    const value = valueAt(item, path);
    if (name === FIELD) {
      element.textContent = value == null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    } else if (name.startsWith(ATTR)) {
      const target = name.slice(ATTR.length);
      const allowed = html && ATTRS.exec(target);
      if (!allowed) continue;
      const safe = value == null || typeof value === 'object' ? null : allowed[2] ? safeUrl(String(value)) : String(value);
      if (safe === null) element.removeAttribute(target);
      else element.setAttribute(target, safe);
    }
  }
}

/**
 * The items a template renders: the answer itself, or the field named by the template's `data-items`; an array
 * gives one copy per item, anything else one copy (none for `null` or `undefined`).
 */
export function itemsOf(template: HTMLTemplateElement, data: unknown): unknown[] {
  const source = template.dataset.items ? valueAt(data, template.dataset.items) : data;
  return Array.isArray(source) ? source : source == null ? [] : [source];
}

/** One filled copy of `template` per item. */
export function stamp(template: HTMLTemplateElement, items: unknown[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const item of items) {
    const copy = template.content.cloneNode(true) as DocumentFragment;
    // SHOW_ELEMENT; FILTER_REJECT skips a never-bound element with everything inside it, FILTER_ACCEPT binds.
    const walker = document.createTreeWalker(copy, 1, (node) => (NEVER.test((node as Element).localName) ? 2 : 1));
    for (let node; (node = walker.nextNode()); ) bind(node as Element, item);
    fragment.append(copy);
  }
  return fragment;
}

/**
 * Fills `host`'s own `<template>`s (at any depth, but not those of a nested `<auth-fetch>` or `<auth-user>`) with
 * `data`, after removing the copies made last time (`previous`). Each template's copies go right after it, so a
 * list's template may sit in a `<ul>`. Returns the new copies' nodes and whether there was nothing to show.
 */
export function render(host: Element, data: unknown, previous: Node[]): [Node[], boolean] {
  for (const node of previous) node.parentNode?.removeChild(node);
  const nodes: Node[] = [];
  let empty = data == null || (Array.isArray(data) && !data.length);
  for (const template of host.querySelectorAll('template')) {
    if (template.parentElement!.closest('auth-fetch,auth-user') !== host) continue;
    const items = itemsOf(template, data);
    empty = !items.length;
    const fragment = stamp(template, items);
    // One push per node: a spread would pass every node as an argument (RangeError for a long list).
    for (const node of fragment.childNodes) nodes.push(node);
    template.after(fragment);
  }
  return [nodes, empty];
}

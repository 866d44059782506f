/**
 * Fills a `<template>` with JSON, without HTML: `data-field="path"` sets an element's text, `data-attr-NAME="path"`
 * sets attribute NAME. Values only ever become text or attribute values. URL attributes take http(s) and relative
 * URLs only; event-handler attributes and `style`/`srcdoc` are never bound; elements that load or run content
 * (script, iframe, object, embed, frame, base, link, meta, style) are left unbound.
 */

const FIELD = 'data-field';
const ATTR = 'data-attr-';
const URL_ATTRS = /^(href|src|action|formaction|poster|cite|background|ping|xlink:href)$/;
const UNSAFE_ATTRS = /^(on|style$|srcdoc$)/;
const UNSAFE_ELEMENTS = /^(SCRIPT|IFRAME|OBJECT|EMBED|FRAME|BASE|LINK|META|STYLE)$/;

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
  if (UNSAFE_ELEMENTS.test(element.tagName)) return;
  for (const { name, value: path } of [...element.attributes]) {
    if (name === FIELD) {
      const value = valueAt(item, path);
      element.textContent = value == null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    } else if (name.startsWith(ATTR)) {
      const target = name.slice(ATTR.length);
      if (UNSAFE_ATTRS.test(target)) continue;
      const raw = valueAt(item, path);
      const value = raw == null || typeof raw === 'object' ? null : URL_ATTRS.test(target) ? safeUrl(String(raw)) : String(raw);
      if (value === null) element.removeAttribute(target);
      else element.setAttribute(target, value);
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
    for (const element of copy.querySelectorAll("*")) bind(element, item);
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
    nodes.push(...fragment.childNodes);
    template.after(fragment);
  }
  return [nodes, empty];
}

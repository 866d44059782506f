/**
 * The elements' whole rendering: a few static nodes, built with DOM calls rather than a template library (nothing
 * to diff, no HTML parsing, so it also runs under Trusted Types with no policy).
 */

/** Appends a default `<slot>` with `fallback` text (if any) to `root`, and returns the slot. */
export function slot(root: Node, fallback?: string): HTMLSlotElement {
  return root.appendChild(Object.assign(document.createElement('slot'), { textContent: fallback }));
}

/** Creates `<button part="button" type="button"><slot>label</slot></button>`, calling `action` on click. */
export function button(label: string, action: () => unknown): HTMLButtonElement {
  // `part` forwards to the attribute (DOM: [PutForwards=value]).
  const element = Object.assign(document.createElement('button'), { type: 'button', part: 'button', onclick: action });
  slot(element, label);
  return element;
}

/**
 * A constructed style sheet (no `<style>` element, so a strict `style-src` needs no exception); none on a server
 * (Node has no `CSSStyleSheet`, and Lit's Node build finalizes the class when a tag is defined in its shim registry):
 * an empty list of styles there.
 */
export function sheet(css: string): CSSStyleSheet | [] {
  if (typeof CSSStyleSheet == 'undefined') return [];
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  return sheet;
}

/**
 * Appends `<slot name="error">` with the fallback `<span part="error-message" role="alert">` to `root`, and returns
 * the span (fill it with `textContent` only: error descriptions quote attribute and response values).
 */
export function errorSlot(root: Node): HTMLElement {
  const message = slot(root).appendChild(document.createElement('span'));
  (message.parentNode as HTMLSlotElement).name = 'error';
  message.setAttribute('part', 'error-message');
  // Announced when it appears (the slot's fallback); slotted error content should carry its own role.
  message.setAttribute('role', 'alert');
  return message;
}

/**
 * Property descriptors for a Lit element whose defaults are read through the accessor while a property is unset
 * (`static getPropertyDescriptor = defaulted({...})`): a default costs an element no own property and no entry in
 * its first update's changed properties, which for thousands of elements is most of what each one keeps. A property
 * without an entry defaults to `null`; setting a property to `undefined` or `null` gives its default back. Otherwise
 * as Lit's own accessors (`requestUpdate` with the old value).
 */
export const defaulted = (defaults: Record<PropertyKey, unknown>) => (name: PropertyKey, key: PropertyKey, options: object): PropertyDescriptor => ({
  get(this: Record<PropertyKey, unknown>) {
    return this[key] ?? defaults[name] ?? null;
  },
  set(this: Record<PropertyKey, unknown> & { requestUpdate(name: PropertyKey, old: unknown, options: object): void }, value: unknown) {
    const old = this[name];
    // The default, while unset: nothing to keep.
    if (key in this || value !== defaults[name]) this[key] = value;
    this.requestUpdate(name, old, options);
  },
  configurable: true,
  enumerable: true,
});

/** Where {@link lazyChanges} keeps the Map (exported for tests). */
export const CHANGES = Symbol();

/**
 * Makes Lit's Map of changed properties lazy on an element class's prototype: ReactiveElement keeps an empty one per
 * element between updates (about 90 B, for each of thousands of `<auth-fetch>`); this keeps one only while there are
 * changes. Lit's production build names it `_$AL` (it keeps such cross-package names from version to version); its
 * development build names it otherwise and keeps its empty Map, as would a renamed one: nothing else changes.
 */
export function lazyChanges(prototype: object): void {
  Object.defineProperty(prototype, '_$AL', {
    get(this: { [CHANGES]?: Map<PropertyKey, unknown> | undefined }) {
      return (this[CHANGES] ??= new Map());
    },
    set(this: { [CHANGES]?: Map<PropertyKey, unknown> | undefined }, map: Map<PropertyKey, unknown>) {
      this[CHANGES] = map.size ? map : undefined;
    },
  });
}

/**
 * The elements' whole rendering: a few static nodes, built with DOM calls rather than a template library (nothing
 * to diff, no HTML parsing, so it also runs under Trusted Types with no policy).
 */

/** Appends a default `<slot>` with `fallback` text to `root`, and returns the slot. */
export function slot(root: ParentNode, fallback = ''): HTMLSlotElement {
  const element = document.createElement('slot');
  element.textContent = fallback;
  root.append(element);
  return element;
}

/** Appends `<button part="button" type="button"><slot>label</slot></button>` to `root`, calling `action` on click. */
export function button(root: ParentNode, label: string, action: () => unknown): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.setAttribute('part', 'button');
  slot(element, label);
  element.addEventListener('click', () => void action());
  root.append(element);
  return element;
}

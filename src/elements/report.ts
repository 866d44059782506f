import type { AuthErrorDetail } from '../protocol/errors.js';
import { errorSlot } from './dom.js';

/**
 * What the elements tell a page author who has no script: errors on the page (the error slot) and in the console,
 * unknown attribute values in the console. No token ever goes into these messages: error descriptions are written by
 * this library (or the provider's `error_description`) and name checks, claims and URLs of configuration, never
 * credentials.
 */

const warned = new WeakMap<Element, Set<string>>();

/** `console.warn(message)`, once per element and message (a retry that fails the same way says nothing new). */
export function warnOnce(element: Element, message: string): void {
  const seen = warned.get(element) ?? new Set();
  if (!seen.has(message)) console.warn(message);
  warned.set(element, seen.add(message));
}

/**
 * Warns once when `value` of `attribute` is none of `allowed`, whose first entry is the fallback the element uses
 * then. `null` and `undefined` (no attribute) are the default, and quiet.
 */
export function checkEnum(element: Element, attribute: string, value: string | null | undefined, allowed: string[]): void {
  if (value != null && !allowed.includes(value)) {
    warnOnce(element, `${element.localName}: unknown ${attribute}="${value}", using ${allowed[0]}`);
  }
}

/** Shows `detail` in `message` as text (never parsed as HTML) and writes it once to the console. */
export function showError(element: Element, message: Element, { error, errorDescription }: AuthErrorDetail): void {
  message.textContent = errorDescription ?? error;
  warnOnce(element, `${element.localName}: ${error}${errorDescription ? `: ${errorDescription}` : ''}`);
}

/**
 * Gives `host` an error slot in `root` and shows there every `auth-error` fired on `host` itself (from whichever code
 * path), with `error` set, unless `quiet(detail)`; an `auth-signed-in` fired on `host` clears it.
 */
export function showErrors(host: HTMLElement & { error: boolean }, root: Node, quiet?: (detail: AuthErrorDetail) => boolean): void {
  const message = errorSlot(root);
  host.addEventListener('auth-error', ({ target, detail }) => {
    if (target === host && !quiet?.(detail)) {
      host.error = true;
      showError(host, message, detail);
    }
  });
  host.addEventListener('auth-signed-in', ({ target }) => target === host && (host.error = false));
}

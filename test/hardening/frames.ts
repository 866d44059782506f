// Helpers of the [hardening] tests that drive fixture pages (test/fixtures/*.html) in an iframe, through real
// navigations, and read what test/fixtures/hardening-probe.js recorded there.

/** What hardening-probe.js records, in sessionStorage (shared by this page and its same-origin frames). */
export interface ProbeRecord {
  kind: 'violation' | 'console' | 'error' | 'event' | 'loaded';
  page: string;
  directive?: string;
  blocked?: string;
  sample?: string;
  method?: string;
  text?: string;
  message?: string;
  type?: string;
  detail?: string;
  referrer?: string;
}

const PROBE_KEY = 'hardening-probe';

/** Every record of the probe so far, or only those of `kind`. */
export function probe(kind?: ProbeRecord['kind']): ProbeRecord[] {
  const all = JSON.parse(sessionStorage.getItem(PROBE_KEY) ?? '[]') as ProbeRecord[];
  return kind ? all.filter((record) => record.kind === kind) : all;
}

/** Resolves on the frame's next `load` event (a navigation that finished). */
export function loaded(frame: HTMLIFrameElement): Promise<void> {
  return new Promise((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
}

/** Appends an iframe at `src` and resolves once it has loaded. */
export async function openFrame(src: string): Promise<HTMLIFrameElement> {
  const frame = document.createElement('iframe');
  const done = loaded(frame);
  frame.src = src;
  document.body.append(frame);
  await done;
  return frame;
}

/** The first element matching `selector` in a same-origin frame. */
export function inFrame<T extends HTMLElement = HTMLElement>(frame: HTMLIFrameElement, selector: string): T {
  return frame.contentDocument!.querySelector(selector) as T;
}

/** The native button of an element of the frame (`<auth-login>`, `<auth-logout>`), once rendered. */
export function buttonOf(frame: HTMLIFrameElement, selector: string): HTMLButtonElement | null | undefined {
  return inFrame(frame, selector)?.shadowRoot?.querySelector('button');
}

/** The same URL on the other loopback host name: another origin served by the same test server. */
export function otherOrigin(url: string): string {
  const u = new URL(url, location.href);
  u.hostname = u.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return u.href;
}

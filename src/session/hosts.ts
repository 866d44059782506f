import { AuthErrorEvent } from '../events.js';
import type { SignInConfig } from '../protocol/authorize.js';
import { errorDetail, loadChunk } from '../protocol/errors.js';
import { getStore, handlingResponse, responseHandled, type TokenStore } from '../store/token-store.js';
import type { Lifecycle } from './lifecycle.js';

/** The elements attached to a store's lifecycle, each with whether it is a sign-in configuration (`<auth-login>`). */
export type Hosts = Map<Element, boolean | undefined>;

interface Entry {
  hosts: Hosts;
  lifecycle?: Promise<Lifecycle>;
  checked?: boolean;
}

const entries = new Map<TokenStore, Entry>();

function entryOf(store: TokenStore): Entry {
  let entry = entries.get(store);
  if (!entry) entries.set(store, (entry = { hosts: new Map() }));
  return entry;
}

/**
 * The lifecycle of a store (one per store and page; src/session/lifecycle.ts), loaded and created on first use:
 * when the store first holds a session while elements are attached, or when an element asks for a renewal. A
 * signed-out page with no `check-session` never loads it. A failure to load it (`network_error`) is tried again on
 * the next use.
 */
export function lifecycleOf(name: TokenStore | string): Promise<Lifecycle> {
  const store = typeof name === 'string' ? getStore(name) : name;
  const entry = entryOf(store);
  if (!entry.lifecycle) {
    const loading = (entry.lifecycle = loadChunk(import('./lifecycle.js')).then(({ Lifecycle }) => new Lifecycle(store, entry.hosts)));
    loading.catch(() => entry.lifecycle === loading && (entry.lifecycle = undefined));
  }
  return entry.lifecycle;
}

/** Loads the lifecycle for a store with a session; a failure to load it is told from the first attached element. */
function start(store: TokenStore, entry: Entry): void {
  lifecycleOf(store).catch((error: unknown) => entry.hosts.keys().next().value?.dispatchEvent(new AuthErrorEvent(errorDetail(error))));
}

/**
 * Attaches an element to the store's lifecycle; `config: true` if it is a sign-in configuration (`<auth-login>`). The
 * lifecycle is loaded once the store has a session, now or when one arrives ({@link changed}).
 */
export function attach(store: TokenStore, host: Element, config?: boolean): void {
  entryOf(store).hosts.set(host, config);
  changed(store, true);
}

/** The elements attached to `store`'s lifecycle, in order (tests). */
export function attachedHosts(store: TokenStore): Element[] {
  return [...entryOf(store).hosts.keys()];
}

export function detach(store: TokenStore, host: Element): void {
  entryOf(store).hosts.delete(host);
  changed(store, true);
}

/**
 * Called on every change of a store with attached elements (src/controllers/store-controller.ts subscribes to it
 * for them) and when its elements change (`hosts`): loads the lifecycle once the store has a session, or tells the
 * loaded one of its elements.
 */
export function changed(store: TokenStore, hosts?: boolean): void {
  const entry = entryOf(store);
  if (entry.lifecycle) {
    if (hosts) void entry.lifecycle.then((lifecycle) => lifecycle.hostsChanged(), () => {});
  } else if (store.session && entry.hosts.size) start(store, entry);
}

/**
 * `check-session`: once per page and store (in the top window only), after the page's own sign-in response is
 * handled, a silent sign-in when the store has no usable session; requests of `<auth-fetch>` wait for it. Failures
 * other than "no provider session" are told from `target`.
 */
export function checkSession(store: TokenStore, target: EventTarget, config?: SignInConfig): void {
  const entry = entryOf(store);
  if (entry.checked || top !== self) return;
  entry.checked = true;
  handlingResponse(responseHandled().then(async () => {
    if (store.signedIn) return;
    try {
      await (await lifecycleOf(store)).checkSession(target, config);
    } catch (error) {
      target.dispatchEvent(new AuthErrorEvent(errorDetail(error)));
    }
  }));
}

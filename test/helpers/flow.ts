// The elements' sign-in flow against the fake provider, without the page ever navigating:
// <auth-login> is mounted and its auth-login event canceled (the URL is captured instead), the provider's answer
// is fetched with format=json, put in the address bar's fragment, and an <auth-callback> is mounted to handle it.
import { fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthCallbackElement } from '../../src/elements/auth-callback.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthErrorDetail } from '../../src/protocol/errors.js';
import { getStore, type TokenStore } from '../../src/store/token-store.js';
import { apiOf, issuerOf, providerFragment } from './idp.js';

const usedStores = new Set<string>();

/** A fresh store name, remembered so {@link clearStores} can sign it out after the test. */
export function storeName(): string {
  const name = `s${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
  usedStores.add(name);
  return name;
}

/** Signs out every store handed out by {@link storeName} (stores are page-global and keep their session in memory). */
export function clearStores(): void {
  for (const name of usedStores) getStore(name).clear();
  usedStores.clear();
}

export interface LoginOptions {
  store: string;
  storage?: string;
  /** Defaults to the tenant's API. */
  audience?: string;
  /** `allowed-origins` of the `<auth-login>`. */
  allowedOrigins?: string;
}

/** Mounts `<auth-login>` for tenant `t`, cancels its navigation and returns the authorize URL it would go to. */
export async function startLogin(t: string, options: LoginOptions): Promise<{ login: AuthLoginElement; url: string }> {
  const login = await fixture<AuthLoginElement>(html`<auth-login
    issuer=${issuerOf(t)}
    client-id="app"
    audience=${options.audience ?? apiOf(t)}
    store=${options.store}
    storage=${options.storage ?? 'session'}
    allowed-origins=${options.allowedOrigins ?? ''}
  ></auth-login>`);
  let captured: string | undefined;
  const errors: AuthErrorDetail[] = [];
  const onLogin = (event: Event) => {
    event.preventDefault();
    captured = (event as CustomEvent<{ url: string }>).detail.url;
  };
  const onError = (event: Event) => errors.push((event as CustomEvent<AuthErrorDetail>).detail);
  login.addEventListener('auth-login', onLogin);
  login.addEventListener('auth-error', onError);
  const returned = await login.login();
  login.removeEventListener('auth-error', onError);
  if (!captured) throw new Error(`auth-login did not fire (auth-error: ${JSON.stringify(errors)})`);
  if (returned !== captured) throw new Error(`login() resolved ${String(returned)}, auth-login said ${captured}`);
  return { login, url: captured };
}

/** Puts `fragment` in the address bar (no navigation). */
export function setFragment(fragment: string): void {
  history.replaceState(null, '', location.pathname + location.search + fragment);
}

/** Puts `fragment` in the address bar and mounts an `<auth-callback>`; resolves once it has handled the response. */
export async function runCallback(fragment: string): Promise<AuthCallbackElement> {
  setFragment(fragment);
  const callback = await fixture<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
  await callback.complete;
  return callback;
}

export interface SignedIn {
  login: AuthLoginElement;
  callback: AuthCallbackElement;
  store: TokenStore;
  url: string;
  fragment: string;
}

/** The whole flow: sign-in started by `<auth-login>`, answered by the fake provider, completed by `<auth-callback>`. */
export async function signIn(t: string, options: LoginOptions & { deny?: boolean }): Promise<SignedIn> {
  const { login, url } = await startLogin(t, options);
  const fragment = await providerFragment(url, options.deny ? '&deny=1' : '');
  const callback = await runCallback(fragment);
  return { login, callback, store: getStore(options.store), url, fragment };
}

/** Collects every `type` event reaching `target` until `stop()` is called. */
export function collect<T = unknown>(target: EventTarget, ...types: string[]): { events: CustomEvent<T>[]; stop: () => void } {
  const events: CustomEvent<T>[] = [];
  const listener = (event: Event) => events.push(event as CustomEvent<T>);
  for (const type of types) target.addEventListener(type, listener);
  return { events, stop: () => types.forEach((type) => target.removeEventListener(type, listener)) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** base64url-decoded JSON payload of a JWT (no checks: test use only). */
export function jwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(part + '='.repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

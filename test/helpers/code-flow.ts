// Helpers for the authorization code flow with PKCE against the fake provider (test/server/fake-provider.mjs): its
// /authorize answers `response_type=code` with a code in the fragment, and its /token redeems it (PKCE S256 check,
// single-use codes bound to client_id and redirect_uri) and refresh tokens (rotation, reuse detection).
import { fixture } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import { startSignIn, type SignInConfig, type Transaction } from '../../src/protocol/authorize.js';
import { parseFragment } from '../../src/protocol/callback.js';
import { getStore, type TokenStore } from '../../src/store/token-store.js';
import { runCallback } from './flow.js';
import { apiOf, issuerOf, providerFragment } from './idp.js';

const TX_PREFIX = 'auth-elements:tx:';

/** Starts a code flow sign-in at tenant `t` (client `app`) and returns the provider's response (the code). */
export async function codeResponse(t: string, config: SignInConfig = {}): Promise<{ url: string; transaction: Transaction; params: Record<string, string> }> {
  const { url, transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), responseType: 'code', ...config });
  const params = parseFragment(await providerFragment(url));
  if (!params) throw new Error('The provider answered without a response in the fragment');
  return { url, transaction, params };
}

/** Rewrites the pending sign-in for `state` in sessionStorage (a test's stand-in for a tampered or lost verifier). */
export function editTransaction(state: string, edit: (tx: Record<string, unknown>) => void): void {
  const tx = JSON.parse(sessionStorage.getItem(TX_PREFIX + state)!) as Record<string, unknown>;
  edit(tx);
  sessionStorage.setItem(TX_PREFIX + state, JSON.stringify(tx));
}

/** A token request straight to the tenant's token endpoint (as an attacker holding a token would send it). */
export async function tokenEndpoint(t: string, params: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(`${issuerOf(t)}/token`, { method: 'POST', body: new URLSearchParams(params) });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

/** The tenant's counters, with the token endpoint's. */
export async function codeStats(t: string): Promise<{ silentRequests: number; codeExchanges: number; refreshes: number; verifiedCalls: number }> {
  return (await fetch(`/idp/${t}/stats`)).json();
}

/** `<auth-login response-type="code">` for tenant `t`, with the fake provider's silent answer page. */
export function codeLogin(t: string, store: string, extra = ''): Promise<AuthLoginElement> {
  return fixture<AuthLoginElement>(`<auth-login response-type="code" issuer="${issuerOf(t)}" client-id="app" audience="${apiOf(t)}"
    store="${store}" silent-redirect-uri="/fixtures/${t}/silent-callback.html" ${extra}></auth-login>`);
}

/**
 * The whole code flow through the elements: `<auth-login response-type="code">` (navigation canceled, URL kept), the
 * provider's answer put in the fragment, `<auth-callback>` exchanging the code. Resolves with the login element, the
 * authorize URL, the provider's answer (the fragment) and the store.
 */
export async function signInWithCode(t: string, store: string, extra = ''): Promise<{ login: AuthLoginElement; url: string; fragment: string; store: TokenStore }> {
  const login = await codeLogin(t, store, extra);
  let url = '';
  const keep = (event: Event) => {
    event.preventDefault();
    url = (event as CustomEvent<{ url: string }>).detail.url;
  };
  login.addEventListener('auth-login', keep);
  await login.login();
  login.removeEventListener('auth-login', keep);
  if (!url) throw new Error('auth-login did not fire');
  const fragment = await providerFragment(url);
  await runCallback(fragment);
  return { login, url, fragment, store: getStore(store) };
}

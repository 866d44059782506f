// Helpers for talking to the fake provider that web-test-runner serves (test/server/fake-provider.mjs).
import { clearDiscoveryCache } from '../../src/protocol/discovery.js';

/**
 * A fresh tenant name: its own keys, counters and issuer. Prefix behaviours (`nokid-`, `ttl10-`, `refuse-`, `hint-`…, see
 * test/server/fake-provider.mjs) combine: `tenant('ttl10-refuse-')`.
 */
export function tenant(prefix = ''): string {
  return `${prefix}t${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
}

/** The issuer URL of a tenant (same origin as the test page). */
export const issuerOf = (t: string) => `${location.origin}/idp/${t}`;
/** The base URL of a tenant's protected API. */
export const apiOf = (t: string) => `${location.origin}/api/${t}`;

export const now = () => Math.floor(Date.now() / 1000);

export interface SignOptions {
  header?: Record<string, unknown>;
  key?: 'rs' | 'es' | 'ed' | 'attacker-rs' | 'attacker-es' | 'attacker-ed';
  alg?: string;
  unsigned?: boolean;
}

/** A JWS signed by the tenant's key (or an attacker's, or none). */
export async function sign(t: string, payload: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
  const response = await fetch(`/idp/${t}/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload, ...options }) });
  if (!response.ok) throw new Error(`sign failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { jwt: string }).jwt;
}

/** Edits the tenant's published JWKs: members merged in, `null` deleting one (`{ rs: { use: 'enc' } }`). */
export async function publish(t: string, edits: Partial<Record<'rs' | 'es' | 'ed', Record<string, unknown>>>): Promise<void> {
  const response = await fetch(`/idp/${t}/publish`, { method: 'POST', body: JSON.stringify(edits) });
  if (!response.ok) throw new Error(`publish failed: ${response.status}`);
}

/** at_hash of an access token for a SHA-256 alg. */
export async function atHash(accessToken: string, hash = 'SHA-256'): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(hash, new TextEncoder().encode(accessToken)));
  let binary = '';
  for (const byte of digest.slice(0, digest.length / 2)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Valid ID token claims for a tenant, client and nonce; override or delete (value `undefined`) any claim. */
export function claims(t: string, clientId: string, nonce: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = { iss: issuerOf(t), sub: 'user-1', aud: clientId, exp: now() + 3600, iat: now(), nonce, name: 'Ada Lovelace', ...overrides };
  for (const key of Object.keys(base)) if (base[key] === undefined) delete base[key];
  return base;
}

/** The fragment the fake provider would redirect to for an authorize URL (it signs user-1 in at once). */
export async function providerFragment(authorizeUrl: string, extra = ''): Promise<string> {
  const response = await fetch(`${authorizeUrl}&format=json${extra}`);
  const { location: target } = (await response.json()) as { location: string };
  return new URL(target).hash;
}

/** The tenant's counters (test/server/fake-provider.mjs's header says what each counts). */
export interface TenantStats {
  jwksFetches: number;
  apiCalls: number;
  verifiedCalls: number;
  silentRequests: number;
  cookieChecks: number;
  codeExchanges: number;
  refreshes: number;
  /** 401s of `refuse-` / `refuseonce-` tenants to tokens that verified. */
  refusals: number;
  /** prompt=none authorize requests with an id_token_hint, and those whose hint is an ID token of the tenant. */
  hints: number;
  validHints: number;
  lastHint: string | null;
  /** The `prompt` of every authorize request, in order (null: none). */
  prompts: (string | null)[];
}

/** The tenant's counters. */
export async function stats(t: string): Promise<TenantStats> {
  return (await fetch(`/idp/${t}/stats`)).json();
}

/** Replaces the tenant's RS256 key with a new one; returns its kid. */
export async function rotate(t: string): Promise<string> {
  return ((await (await fetch(`/idp/${t}/rotate`, { method: 'POST' })).json()) as { kid: string }).kid;
}

/** Puts the page back as it was: no storage, no fragment, no cached discovery. */
export function resetPage(): void {
  sessionStorage.clear();
  localStorage.clear();
  history.replaceState(null, '', location.pathname + location.search);
  clearDiscoveryCache();
}

/** A promise with its resolve/reject kept, for deterministic race tests. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

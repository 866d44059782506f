import { attempt, fail, loadChunk, storageError } from './errors.js';
import { discover, resolveIssuer, secureUrl, type ProviderMetadata } from './discovery.js';
import { randomToken } from './encoding.js';
import { isRenewal } from './renewal.js';
import type { RequestOptions } from './http.js';
import { tokenOrigins } from './origins.js';
import { codeChallenge, tokenEndpoint } from './token.js';

/**
 * The implicit response types (OAuth 2.0 Multiple Response Type Encoding Practices), and `code`: the authorization
 * code flow with PKCE.
 */
export type ResponseType = 'id_token token' | 'id_token' | 'token' | 'code';
/** Where a store keeps its session. */
export type StorageKind = 'session' | 'local' | 'memory';
/** A sign-in in another window: a hidden iframe with `prompt=none`, or a popup. */
export type SignInMode = 'silent' | 'popup';

/** What `<auth-login>` is configured with. */
export interface SignInConfig {
  issuer?: string | null;
  domain?: string | null;
  clientId?: string | null;
  audience?: string | null;
  scope?: string | null;
  responseType?: string | null;
  redirectUri?: string | null;
  store?: string | null;
  storage?: string | null;
  /** Space-separated extra origins that may receive the access token. */
  allowedOrigins?: string | null;
  leeway?: number | null;
  /** Where the provider answers a silent (`prompt=none`) or popup sign-in; default: the redirect URI. */
  silentRedirectUri?: string | null;
  /**
   * A page on the provider that tells whether this browser lets the provider's cookies through in an iframe, by
   * posting `supported` or `unsupported` to its parent (Keycloak's `…/protocol/openid-connect/3p-cookies/step1.html`).
   */
  thirdPartyCheck?: string | null;
  /** Renew this store's session silently before it expires (recorded with the session, for pages without `<auth-login>`). */
  autoRenew?: boolean | null;
  /**
   * The ID token of the session being renewed: sent as `id_token_hint` with a silent (`prompt=none`) sign-in (OpenID
   * Connect Core section 3.1.2.1: it SHOULD be present), never with an interactive one.
   */
  idTokenHint?: string | null;
  /**
   * Bind the tokens to a key of this browser with DPoP (RFC 9449): the code flow only (an implicit grant cannot bind
   * them); the provider must issue `token_type` DPoP.
   */
  dpop?: boolean | null;
}

/** What a session needs to be renewed on a page without the `<auth-login>` that signed it in. */
export interface Renewal {
  responseType: ResponseType;
  /** The redirect URI of an interactive sign-in (absolute). */
  redirectUri: string;
  silentRedirectUri?: string;
  /** The scope asked for. */
  scope: string;
  audience?: string;
  storage: StorageKind;
  leeway: number;
  thirdPartyCheck?: string;
  autoRenew?: boolean;
  /** The tokens are DPoP-bound: renewals bind theirs too. */
  dpop?: boolean;
}

/**
 * A pending sign-in, kept in sessionStorage from the redirect to the provider until its response arrives (a popup or
 * silent one in this page's memory where sessionStorage refuses it).
 */
export interface Transaction {
  state: string;
  nonce: string;
  issuer: string;
  /** Configured with Auth0's `domain` (which changes how sign-out works). */
  auth0: boolean;
  clientId: string;
  redirectUri: string;
  responseType: ResponseType;
  scope: string;
  audience?: string;
  store: string;
  storage: StorageKind;
  allowedOrigins: string[];
  leeway: number;
  /** The page sign-in started on (same origin, recorded by the library itself, never taken from the response). */
  returnTo: string;
  /** `Date.now()` when the sign-in started. */
  createdAt: number;
  /** Where the answer goes: `silent` (a hidden iframe, `prompt=none`) or `popup`; a redirect when absent. */
  via?: SignInMode;
  /** The PKCE code verifier (response type `code`): 43 base64url characters, 256 random bits. */
  verifier?: string;
  /** The interactive redirect URI, the silent one and the renewal options: stored with the session (see {@link Renewal}). */
  renewal?: Pick<Renewal, 'redirectUri' | 'silentRedirectUri' | 'thirdPartyCheck' | 'autoRenew' | 'dpop'>;
  /**
   * The discovered `jwks_uri`, so the callback page fetches the keys along with discovery; used only if the issuer's
   * discovery document there names the same URI.
   */
  jwksUri?: string;
  /** DPoP (RFC 9449): the thumbprint of the store's key, sent as `dpop_jkt`; the tokens must come bound to it. */
  dpopJkt?: string;
}

/** A pending sign-in (or sign-out) older than this is refused. */
export const TRANSACTION_LIFETIME = 600_000; // 10 minutes
const TX_PREFIX = 'auth-elements:tx:';
/**
 * Pending popup and silent sign-ins (and their tombstones) that sessionStorage refused: their answer comes back to
 * this page, so this page's memory can hold them, under the same rules.
 */
const inMemory = new Map<string, string>();

/**
 * Checks the configuration and makes a new pending sign-in with a fresh 256-bit `state` and `nonce` (and, for the
 * code flow, PKCE code verifier).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthRequest
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.1
 */
export function createTransaction(config: SignInConfig, page: Location | URL = location, via?: SignInMode): Transaction {
  const issuer = resolveIssuer(config);
  if (!config.clientId) return fail('invalid_config', 'client-id missing');
  const pageUrl = new URL(page.href);
  pageUrl.hash = '';
  const { origin } = pageUrl;
  const absolute = (url: string | null | undefined, name: string) => {
    const href = url ? secureUrl(url, name, pageUrl.href).href : undefined;
    // RFC 6749 section 3.1.2: a redirection URI has no fragment (the response goes there).
    if (href?.includes('#')) fail('invalid_config', `${name} ${url} has a fragment`);
    return href;
  };
  const main = absolute(config.redirectUri || origin + pageUrl.pathname, 'redirect URI')!;
  const silent = absolute(config.silentRedirectUri, 'silent-redirect-uri');
  const redirect = new URL((via && silent) || main);
  // The pending sign-in lives in this origin's sessionStorage, so the response must come back to this origin.
  if (redirect.origin !== origin) fail('invalid_config', `redirect-uri is not on ${origin}`);
  // The response type in canonical order; unknown values fall back to the default, id_token token.
  const canonical = config.responseType?.match(/\S+/g)?.sort().join(' ') as ResponseType;
  const responseType = /^(id_token|token|code)$/.test(canonical) ? canonical : 'id_token token';
  // RFC 9449 binds tokens the token endpoint issues; the implicit grant's come from the authorization endpoint.
  if (config.dpop && responseType !== 'code') fail('invalid_config', `dpop needs response-type code: the implicit grant (${responseType}) cannot bind tokens to a key`);
  const scopes: string[] = (config.scope ?? 'openid profile').match(/\S+/g) ?? [];
  // An ID token is only issued for the openid scope (OpenID Connect Core section 3.1.2.1).
  if (responseType !== 'token' && !scopes.includes('openid')) scopes.unshift('openid');
  const tx: Transaction = {
    state: randomToken(),
    nonce: randomToken(),
    issuer,
    auth0: !!config.domain,
    clientId: config.clientId,
    redirectUri: redirect.href,
    responseType,
    scope: scopes.join(' '),
    store: config.store || 'default',
    // Unknown storage kinds fall back to the default, session.
    storage: config.storage === 'local' || config.storage === 'memory' ? config.storage : 'session',
    allowedOrigins: tokenOrigins(origin, config.audience, config.allowedOrigins),
    leeway: Number.isFinite(config.leeway) && (config.leeway as number) >= 0 ? (config.leeway as number) : 60,
    returnTo: pageUrl.href,
    createdAt: Date.now(),
  };
  if (config.audience) tx.audience = config.audience;
  if (via) tx.via = via;
  if (responseType === 'code') tx.verifier = randomToken();
  // JSON drops what is undefined.
  tx.renewal = JSON.parse(JSON.stringify({ redirectUri: main, silentRedirectUri: silent, thirdPartyCheck: config.thirdPartyCheck || undefined, autoRenew: config.autoRenew || undefined, dpop: config.dpop || undefined }));
  return tx;
}

/** The raw entry for `key`, in this page's memory or in sessionStorage (`null`: none); throws what sessionStorage throws. */
const entry = (key: string) => inMemory.get(key) ?? sessionStorage.getItem(key);

/** The JSON value of an entry: `null` when there is none (or sessionStorage is unavailable), `undefined` when it is not JSON. */
function read<T = Transaction>(key: string): (Partial<T> & { used?: 1; createdAt?: number }) | null | undefined {
  try {
    return JSON.parse(attempt(() => entry(key))!);
  } catch {
    return undefined;
  }
}

/** Whether a pending entry made at `createdAt` may still complete at `now`: at most {@link TRANSACTION_LIFETIME} old, and not from the future (a clock change or a forged entry). */
export const fresh = (createdAt: number, now: number) => now - createdAt <= TRANSACTION_LIFETIME && createdAt - now <= 60_000;

/**
 * Keeps a pending entry (a sign-in, or a sign-out: `src/protocol/logout.ts`) under `prefix + state` in sessionStorage,
 * after dropping the entries under `prefix` (and tombstones of used ones) that can no longer complete. Throws what
 * sessionStorage's `setItem` throws.
 */
export function savePending(prefix: string, pending: { state: string; createdAt: number }): void {
  for (const old of [...inMemory.keys(), ...(attempt(() => Object.keys(sessionStorage)) ?? [])]) {
    if (old.startsWith(prefix) && !(pending.createdAt - read(old)?.createdAt! <= TRANSACTION_LIFETIME)) {
      inMemory.delete(old);
      attempt(() => sessionStorage.removeItem(old));
    }
  }
  sessionStorage.setItem(prefix + pending.state, JSON.stringify(pending));
}

/**
 * Reads the pending entry at `key` and, unless there is none or it was used, leaves a tombstone where it was (until
 * it would have expired): an entry is taken once. `null`: none; `undefined`: not JSON; `{ used: 1 }`: already taken.
 */
export function takePending<T = Transaction>(key: string): (Partial<T> & { used?: 1; createdAt?: number }) | null | undefined {
  const value = read<T>(key);
  if (value !== null && !value?.used) {
    const tombstone = JSON.stringify({ used: 1, createdAt: value?.createdAt ?? 0 });
    if (inMemory.has(key)) inMemory.set(key, tombstone);
    else sessionStorage.setItem(key, tombstone);
  }
  return value;
}

/**
 * Records a pending sign-in in sessionStorage (and drops those that can no longer complete). Where sessionStorage
 * refuses it (blocked: `SecurityError`; full: `QuotaExceededError`), a popup or silent sign-in is kept in this page's
 * memory, since its answer comes back here; a redirect sign-in throws `storage_unavailable`, since the page it
 * leaves for the provider could never check the response.
 */
export function saveTransaction(tx: Transaction): void {
  try {
    savePending(TX_PREFIX, tx);
  } catch (error) {
    if (!tx.via) throw storageError('sessionStorage', error, 'a redirect sign-in needs it to check the response, so it was not started');
    inMemory.set(TX_PREFIX + tx.state, JSON.stringify(tx));
  }
}

/**
 * The authorization request URL for a pending sign-in, on the discovered `authorization_endpoint`
 * (its own query kept). `audience` is Auth0's parameter; other providers ignore it. With the PKCE `challenge` of a
 * code flow sign-in, the code comes back in the fragment (`response_mode=fragment`), like implicit responses: never
 * in a query string, which servers log and `Referer` headers carry.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthRequest
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.3
 */
export function authorizeUrl(metadata: ProviderMetadata, tx: Transaction, challenge?: string, idTokenHint?: string | null): string {
  const url = new URL(metadata.authorization_endpoint);
  const params: Record<string, string | undefined> = {
    client_id: tx.clientId,
    response_type: tx.responseType,
    redirect_uri: tx.redirectUri,
    scope: tx.scope,
    audience: tx.audience,
    state: tx.state,
    nonce: tx.nonce,
    code_challenge: challenge,
    code_challenge_method: challenge && 'S256',
    dpop_jkt: tx.dpopJkt,
    prompt: tx.via === 'silent' ? 'none' : undefined,
    // Only with prompt=none (and only to the issuer's own authorization endpoint): the provider then knows whose
    // session is meant, and some refuse a silent request without it.
    id_token_hint: (tx.via === 'silent' && idTokenHint) || undefined,
    // Auth0 (and a provider that lists it) posts a silent answer straight to this page: no answer page needed.
    response_mode: tx.via === 'silent' && (tx.auth0 || (metadata.response_modes_supported as unknown[] | undefined)?.includes('web_message')) ? 'web_message' : challenge && 'fragment',
  };
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

/**
 * Starts a sign-in: the pending transaction and the URL to send the user to. The transaction is checked and saved
 * synchronously, on the call (a popup opened right after gets a copy of this tab's sessionStorage with it); then the
 * provider is discovered for the URL. A redirect sign-in that sessionStorage refuses fails here with
 * `storage_unavailable`, before any request and before the page could leave.
 */
export async function startSignIn(config: SignInConfig, options: RequestOptions = {}, via?: SignInMode): Promise<{ url: string; transaction: Transaction }> {
  const transaction = createTransaction(config, location, via);
  saveTransaction(transaction);
  const metadata = await discover(transaction.issuer, options);
  // Saved again (same key) with the jwks_uri, unless taken meanwhile; optional, so a refusal changes nothing.
  transaction.jwksUri = metadata.jwks_uri;
  if (read(TX_PREFIX + transaction.state)?.state) attempt(() => saveTransaction(transaction));
  const { verifier } = transaction;
  // The code flow needs a token endpoint: said before the user leaves, not after signing in.
  if (verifier) tokenEndpoint(metadata);
  if (transaction.renewal!.dpop) {
    // The store's key (made now if there is none), bound to the code by its thumbprint (RFC 9449 section 10), and
    // kept with the pending sign-in: the tokens must come bound to this very key.
    const key = await (await loadChunk(import('./dpop.js'))).dpopKey(transaction.store, true, metadata.dpop_signing_alg_values_supported);
    transaction.dpopJkt = key.jkt;
    // Not optional: without the thumbprint, the response could not be checked.
    if (read(TX_PREFIX + transaction.state)?.state) saveTransaction(transaction);
  }
  return { url: authorizeUrl(metadata, transaction, verifier && (await codeChallenge(verifier)), config.idTokenHint), transaction };
}

/**
 * Takes the pending sign-in for a response's `state` out of sessionStorage (or this page's memory, see
 * {@link saveTransaction}): exact match, single use, at most {@link TRANSACTION_LIFETIME} old. Throws `invalid_state`
 * saying which of those failed.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12
 */
export function takeTransaction(state: string | null | undefined, now = Date.now()): Transaction {
  if (!state) fail('invalid_state', 'the response has no state');
  // null: no such entry; undefined: not JSON, reported below with the other shapes that are not a pending sign-in.
  // A used sign-in leaves a tombstone (where it was) until it would have expired, so a replay is named as such.
  const tx = takePending(TX_PREFIX + state);
  if (tx === null) fail('invalid_state', 'unknown state: no pending sign-in in this tab has it (started in another tab or browser, storage cleared, or state altered)');
  if (tx?.used) fail('invalid_state', 'state already used: a sign-in response is accepted once (replayed callback URL)');
  // Every field used later has its type: a hand-edited entry is refused here, not trusted or crashed on later.
  const strings = ['nonce', 'issuer', 'clientId', 'redirectUri', 'responseType', 'scope', 'store', 'storage', 'returnTo'] as const;
  if (!tx || tx.state !== state || strings.some((name) => typeof tx[name] !== 'string') || [tx.jwksUri, tx.dpopJkt].some((value) => value !== undefined && typeof value !== 'string') || typeof tx.createdAt !== 'number' || typeof tx.leeway !== 'number'
    || !Array.isArray(tx.allowedOrigins) || tx.allowedOrigins.some((origin) => typeof origin !== 'string') || !URL.canParse(tx.returnTo!)
    || (tx.renewal !== undefined && !isRenewal(tx.renewal))) {
    return fail('invalid_state', 'pending sign-in corrupt');
  }
  // A pending sign-in from the future means a clock change or a forged entry: refused like an expired one.
  if (!fresh(tx.createdAt, now)) fail('invalid_state', 'sign-in expired: responses are accepted for 10 minutes after it starts');
  return tx as Transaction;
}

/** What `<auth-callback>` in a hidden iframe or a popup posts to the page that opened it: the raw fragment. */
export const MESSAGE_KEY = 'auth-elements:response';

/**
 * Where the response for `state` goes when its sign-in ran in another window (`silent`: a hidden iframe, `popup`):
 * to the page that opened that window. Reads without consuming; the page that started it still checks everything.
 * Where sessionStorage is unavailable, this window cannot know (its opener or parent kept the sign-in in memory):
 * a frame hands off to its parent, a window with an opener to that opener; they check origin, window and state.
 */
export function handOff(state: string | undefined): SignInMode | undefined {
  try {
    entry(TX_PREFIX + state);
  } catch {
    return parent !== window ? 'silent' : opener ? 'popup' : undefined;
  }
  return read(TX_PREFIX + state)?.via;
}

// Read by the token store on every page: in a module of its own, so that the store does not load the sign-in code.
export { isRenewal };

import { base64url, randomToken } from './encoding.js';
import { challenge } from './http.js';
import { fail, storageError } from './errors.js';

/**
 * DPoP (RFC 9449): tokens bound to a key pair that cannot leave this browser. Loaded only by pages that use it (a
 * `<auth-login dpop>` sign-in, a session with a DPoP-bound token).
 *
 * A store's key pair is made with WebCrypto as non-extractable (`extractable: false`: the private key can sign, and
 * can never be exported, not even by this library) and kept in IndexedDB (which stores a `CryptoKey` as it is; Web
 * Storage could only hold an exported key). It survives reloads, is shared by the tabs of this origin, and is deleted
 * on sign-out (the next sign-in makes a new one).
 */

/** The DPoP proof algorithms this library signs with, and the curve and hash of each; ES256 unless the provider says otherwise. */
const CURVES = { ES256: ['P-256', 'SHA-256'], ES384: ['P-384', 'SHA-384'], ES512: ['P-521', 'SHA-512'] } as const;
type Alg = keyof typeof CURVES;

/** A store's DPoP key: the pair (private key non-extractable), its algorithm, its public JWK and RFC 7638 thumbprint. */
export interface DpopKey {
  store: string;
  alg: Alg;
  privateKey: CryptoKey;
  /** The public key, as the proof's `jwk` header carries it (`kty`, `crv`, `x`, `y` only). */
  jwk: JsonWebKey;
  /** The base64url SHA-256 JWK thumbprint (RFC 7638): the `dpop_jkt` of a sign-in, the `cnf.jkt` of its tokens. */
  jkt: string;
}

/** What IndexedDB holds per store: the pair and its algorithm. */
interface StoredKey {
  store: string;
  alg: Alg;
  keys: CryptoKeyPair;
}

const DB = 'auth-elements';
const OBJECTS = 'dpop-keys';

/** Keys of this page, by store (a key is read from IndexedDB once per page). */
const cache = new Map<string, Promise<DpopKey | undefined>>();

/**
 * The last `DPoP-Nonce` each server gave (RFC 9449 sections 8 and 9), by origin: sent in every later proof to it, so
 * only the first request to a server that wants nonces is refused.
 */
const nonces = new Map<string, string>();

/** Runs `work` on the key object store in one transaction; IndexedDB's failures are `storage_unavailable`. */
function withKeys<T>(mode: IDBTransactionMode, work: (objects: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const refused = (error: unknown) => reject(storageError('IndexedDB', error, 'DPoP keeps its key there, so the DPoP step was not taken'));
    let open: IDBOpenDBRequest;
    try {
      open = indexedDB.open(DB, 1);
    } catch (error) {
      return refused(error);
    }
    open.onupgradeneeded = () => open.result.createObjectStore(OBJECTS, { keyPath: 'store' });
    open.onerror = () => refused(open.error);
    open.onblocked = () => refused(new DOMException('the key database is blocked by another tab', 'InvalidStateError'));
    open.onsuccess = () => {
      const db = open.result;
      try {
        const tx = db.transaction(OBJECTS, mode);
        const request = work(tx.objectStore(OBJECTS));
        tx.oncomplete = () => (db.close(), resolve(request.result));
        tx.onabort = tx.onerror = () => (db.close(), refused(request.error ?? tx.error));
      } catch (error) {
        db.close();
        refused(error);
      }
    };
  });
}

/** The RFC 7638 thumbprint of an EC public key: SHA-256 of its required members in lexicographic order. */
export async function thumbprint({ crv, kty, x, y }: JsonWebKey): Promise<string> {
  return sha256(JSON.stringify({ crv, kty, x, y }));
}

/** base64url of the SHA-256 of a string's UTF-8 (also `ath`, the access token's hash). */
async function sha256(text: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

async function keyOf(stored: StoredKey): Promise<DpopKey> {
  // A public key is always exportable (WebCrypto); the private key never is.
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', stored.keys.publicKey);
  const jwk = { kty, crv, x, y };
  return { store: stored.store, alg: stored.alg, privateKey: stored.keys.privateKey, jwk, jkt: await thumbprint(jwk) };
}

/** The stored key of `store`, or `undefined` (none, or not one this library made). */
async function read(store: string): Promise<DpopKey | undefined> {
  const stored = (await withKeys('readonly', (objects) => objects.get(store))) as StoredKey | undefined;
  return stored?.keys?.privateKey instanceof CryptoKey && stored.alg in CURVES ? keyOf(stored) : undefined;
}

/**
 * The DPoP key of `store`: the one in IndexedDB, or, when `create` (a sign-in), a new one when there is none or its
 * algorithm is not among `algs` (the provider's `dpop_signing_alg_values_supported`; absent: any). A new key is
 * ES256, else the first of ES384, ES512 the provider lists; a provider that lists none of them is
 * `invalid_discovery`. Two tabs making one at once keep the first one written. Without `create`, a missing key is
 * `login_required`: a token bound to a deleted key can never be used again.
 */
export function dpopKey(store: string, create = false, algs?: unknown): Promise<DpopKey> {
  const listed = Array.isArray(algs) ? (algs as unknown[]) : undefined;
  let current = cache.get(store);
  if (!current) {
    const reading = (current = read(store));
    cache.set(store, reading);
    reading.catch(() => cache.get(store) === reading && cache.delete(store));
  }
  return current.then(async (key) => {
    if (key && (!create || !listed || listed.includes(key.alg))) return key;
    if (!create) return fail('login_required', `store ${store}: its DPoP key is gone (signed out in another tab, or site data cleared): sign in again`);
    const alg = (['ES256', 'ES384', 'ES512'] as Alg[]).find((name) => !listed || listed.includes(name));
    if (!alg) return fail('invalid_discovery', `dpop_signing_alg_values_supported (${listed!.join(', ')}) lists none of ES256, ES384, ES512`);
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: CURVES[alg][0] }, false, ['sign']);
    // `add`, not `put`: a tab must not replace the key another tab's sign-in is using (the first one written stays);
    // only a key of an algorithm the provider no longer lists is replaced.
    await withKeys('readwrite', (objects) => (key ? objects.put({ store, alg, keys }) : objects.add({ store, alg, keys }))).catch((error: unknown) => {
      if ((error as { cause?: DOMException }).cause?.name !== 'ConstraintError') throw error;
    });
    const made = read(store).then((found) => found ?? fail('storage_unavailable', `IndexedDB did not keep the DPoP key of store ${store}`));
    cache.set(store, made);
    made.catch(() => cache.get(store) === made && cache.delete(store));
    return made;
  });
}

/**
 * The key a session's tokens are bound to (`jkt`, its thumbprint): read again when this page's copy is another one
 * (another tab signed out and in since), `login_required` when it is gone.
 */
export async function boundKey(store: string, jkt: string): Promise<DpopKey> {
  let key = await dpopKey(store);
  if (key.jkt !== jkt) {
    cache.delete(store);
    key = await dpopKey(store);
  }
  return key.jkt === jkt ? key : fail('login_required', `store ${store}: the DPoP key its tokens are bound to is gone (replaced by another sign-in): sign in again`);
}

/** Deletes the DPoP key of `store` (sign-out): tokens bound to it become useless, and the next sign-in makes another. */
export async function deleteDpopKey(store: string): Promise<void> {
  cache.delete(store);
  await withKeys('readwrite', (objects) => objects.delete(store));
}

/** `url` as a proof's `htu` (RFC 9449 section 4.2): without query and fragment. */
export function htu(url: string | URL): string {
  const target = new URL(url);
  target.search = target.hash = '';
  return target.href;
}

/**
 * A DPoP proof (RFC 9449 section 4.2) for one request: a JWT of type `dpop+jwt` carrying the public key, signed with
 * the private one, with the method (`htm`), the URL without query and fragment (`htu`), the time (`iat`), a unique
 * id (`jti`, 128 random bits), the server's `nonce` when it gave one, and, with an access token, its hash (`ath`).
 */
export async function dpopProof(key: DpopKey, method: string, url: string | URL, accessToken?: string, nonce = nonces.get(new URL(url).origin)): Promise<string> {
  const encode = (value: object) => base64url(new TextEncoder().encode(JSON.stringify(value)));
  const payload: Record<string, string | number> = { jti: randomToken(16), htm: method.toUpperCase(), htu: htu(url), iat: Math.floor(Date.now() / 1000) };
  if (nonce) payload.nonce = nonce;
  if (accessToken) payload.ath = await sha256(accessToken);
  const input = `${encode({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk })}.${encode(payload)}`;
  // WebCrypto's ECDSA signature is r ‖ s, the JWS form (RFC 7518 section 3.4).
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: CURVES[key.alg][1] }, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/**
 * Whether `response` asks for a DPoP nonce (RFC 9449 sections 8 and 9): an authorization server's 400 with the JSON
 * error `use_dpop_nonce`, or a resource server's 401 with a `DPoP` challenge of that error.
 */
async function wantsNonce(response: Response): Promise<boolean> {
  if (response.status === 401) return challenge(response.headers.get('www-authenticate'), 'dpop')?.error === 'use_dpop_nonce';
  if (response.status !== 400) return false;
  const body = (await response.clone().json().catch(() => 0)) as { error?: unknown } | 0;
  return Object(body).error === 'use_dpop_nonce';
}

/**
 * A `fetch` that sends a fresh DPoP proof of `key` with every request (and, with `accessToken`, `Authorization:
 * DPoP <token>` and the proof's `ath`), and remembers each server's `DPoP-Nonce`. A refusal for want of a nonce is
 * tried again once, with the nonce that refusal gave (and only when it gave a new one): never a loop.
 */
export function dpopFetch(key: DpopKey, accessToken?: string, send: typeof fetch = fetch): typeof fetch {
  return async (input, init = {}) => {
    const url = input instanceof Request ? input.url : `${input}`;
    const method = init.method ?? 'GET';
    const { origin } = new URL(url);
    let response: Response | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const sent = nonces.get(origin);
      const headers = new Headers(init.headers);
      headers.set('dpop', await dpopProof(key, method, url, accessToken, sent));
      if (accessToken) headers.set('authorization', `DPoP ${accessToken}`);
      response = await send(input, { ...init, headers });
      const nonce = response.headers.get('dpop-nonce');
      if (nonce) nonces.set(origin, nonce);
      if (!nonce || nonce === sent || !(await wantsNonce(response))) break;
    }
    return response!;
  };
}

/** Forgets every server's nonce and this page's copies of the keys, as a new page would (tests). */
export function clearDpopCaches(): void {
  nonces.clear();
  cache.clear();
}

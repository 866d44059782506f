import type { StorageKind } from '../protocol/authorize.js';
import { isRenewal } from '../protocol/renewal.js';
import type { Session } from '../protocol/callback.js';
import type { IdTokenClaims } from '../protocol/id-token.js';
import { AuthErrorEvent } from '../events.js';
import { storageError, type AuthError } from '../protocol/errors.js';
import { storages } from './storage.js';

/** Called with the store's session (or `null`) when it changes, and when its access token expires. */
export type StoreListener = (store: TokenStore) => void;

/** Where a store's session is kept in storage: this prefix and the store's name. */
export const KEY_PREFIX = 'auth-elements:store:';
// setTimeout's delay is a signed 32-bit number of ms (HTML: timer initialisation steps).
const MAX_DELAY = 2 ** 31 - 1;

/**
 * A stored session is used only when its shape is right; anything edited by hand into another shape is dropped, and so
 * is one without an expiry (none is stored without one since 0.1: a session never lasts for good).
 */
function isSession(value: unknown): value is Session {
  // Object(): null and primitives become objects without these keys (or non-null objects stay themselves).
  const s = Object(value) as Record<string, unknown>;
  const optional = (type: string, key: string) => s[key] === undefined || typeof s[key] === type;
  return ['scope', 'issuer', 'clientId'].every((key) => typeof s[key] === 'string')
    && optional('string', 'accessToken') && optional('string', 'idToken') && optional('string', 'tokenType') && optional('string', 'dpopJkt') && typeof s.expiresAt === 'number'
    && optional('object', 'claims') && s.claims !== null && optional('number', 'issuedAt') && (s.renewal === undefined || isRenewal(s.renewal))
    && Array.isArray(s.allowedOrigins) && s.allowedOrigins.every((o) => typeof o === 'string');
}

/**
 * A named token store: the session of one sign-in, shared by every element that names the store. It reads its
 * storage once, then serves from memory; it tells subscribers about every change, including changes made in other
 * tabs (local storage) and the moment the access token expires.
 */
export class TokenStore {
  /** The store's name (the elements' `store` attribute). */
  readonly name: string;
  #key: string;
  #session: Session | null | undefined;
  #refreshToken: string | undefined;
  #listeners = new Set<StoreListener>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(name: string) {
    const key = (this.#key = KEY_PREFIX + name);
    this.name = name;
    // Local storage is shared with other tabs; their changes arrive as storage events (HTML: the storage event).
    // A `null` key means the other tab cleared the whole storage.
    globalThis.addEventListener?.('storage', (event) => (event.key ?? key) === key && this.reload());
  }

  /** The stored session, expired or not; `null` when signed out. */
  get session(): Session | null {
    if (this.#session === undefined) this.#session = this.#read();
    return this.#session;
  }

  /** True while the store holds a session whose token has not expired. */
  get signedIn(): boolean {
    return !!this.#valid;
  }

  /** The access token, only while it is usable (present and unexpired). */
  get accessToken(): string | undefined {
    return this.#valid?.accessToken;
  }

  /** The raw ID token, while the session is valid (for `id_token_hint`). */
  get idToken(): string | undefined {
    return this.#valid?.idToken;
  }

  /** The validated ID token's claims, while the session is valid. */
  get claims(): IdTokenClaims | undefined {
    return this.#valid?.claims;
  }

  /**
   * The session's refresh token, if the provider issued one: kept in this page's memory only, never in any storage
   * (a script that reads storage, or a copy of the disk, does not get a long-lived credential). After a reload, or
   * in another tab, there is none: renewal then signs in silently and gets a new one. Dropped on sign-out and when
   * another tab's sign-in changes the user.
   */
  get refreshToken(): string | undefined {
    return this.#refreshToken;
  }

  /**
   * Stores a validated session in `storage` (and removes it from the other kinds), then notifies subscribers. Its
   * `refreshToken` stays in memory (see {@link refreshToken}); a session without one keeps the current refresh token
   * if it is the same user's (a refresh that did not rotate it). When `storage` refuses the write (blocked storage:
   * `SecurityError`; full: `QuotaExceededError`), the session is kept in this page's memory instead and the store
   * is signed in all the same: returns that `storage_unavailable` error, to be told to the page; never throws for it.
   */
  set(session: Session, storage: StorageKind = 'session'): AuthError | undefined {
    const { refreshToken = this.#sameUser(session) ? this.#refreshToken : undefined, ...stored } = session;
    this.#refreshToken = refreshToken;
    return this.#write(stored, storage);
  }

  /**
   * Signs the store out: removes the session from every storage kind (and the refresh token) and notifies
   * subscribers. Never throws: a storage that refuses the removal holds nothing this page could read anyway.
   */
  clear(): void {
    this.#refreshToken = undefined;
    this.#write(null);
  }

  /** Calls `listener` on every change; returns the function that unsubscribes it. */
  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    this.#schedule();
    return () => {
      this.#listeners.delete(listener);
      this.#schedule();
    };
  }

  /** Re-reads storage (another tab changed it) and notifies when the session differs. */
  reload(): void {
    const next = this.#read();
    // A store never read has no subscribers to tell: reading it now finds `next` and changes nothing.
    if (JSON.stringify(next) !== JSON.stringify(this.session)) {
      if (!this.#sameUser(next)) this.#refreshToken = undefined;
      this.#update(next);
    }
  }

  /**
   * Whether `session` is the same user's as the current one, at the same provider and client (so the refresh token
   * still goes with it, and is never sent to another issuer's token endpoint).
   */
  #sameUser(session: Session | null): boolean {
    const current = this.session;
    return !!session?.claims && !!current && session.issuer === current.issuer && session.clientId === current.clientId && session.claims.sub === current.claims?.sub;
  }

  /** The session while its token has not expired (no expiry: `undefined <= now` is false). */
  get #valid(): Session | null | undefined {
    const { session } = this;
    return session?.expiresAt! <= Date.now() ? undefined : session;
  }

  #read(): Session | null {
    let discarded = false;
    for (const adapter of Object.values(storages)) {
      const raw = adapter.get(this.#key);
      try {
        // Nothing stored (`null`) parses as `null`, and removing nothing is harmless.
        const value: unknown = JSON.parse(raw!);
        if (isSession(value)) return value;
      } catch {
        // Not JSON: dropped below like any other tampered value.
      }
      discarded ||= raw !== null;
      adapter.remove(this.#key);
    }
    // Never trusted, never silent: the page hears of it (on the document, since no element owns a store).
    if (discarded) {
      queueMicrotask(() => document.dispatchEvent(new AuthErrorEvent({ error: 'invalid_session', errorDescription: `store ${this.name}: a stored value that is not a session was discarded` })));
    }
    return null;
  }

  /**
   * Keeps `session` in the `storage` kind only (in none for `null`), then notifies. A storage that refuses it leaves
   * the session in memory (the `memory` adapter too, so {@link reload} finds it) and gives the error to report.
   */
  #write(session: Session | null, storage?: StorageKind): AuthError | undefined {
    const value = JSON.stringify(session);
    let refused: AuthError | undefined;
    for (const [kind, adapter] of Object.entries(storages)) {
      if (kind !== storage) adapter.remove(this.#key);
      else {
        try {
          adapter.set(this.#key, value);
        } catch (error) {
          refused = storageError(adapter.name, error, `store ${this.name} keeps the session in this page's memory only (lost on reload)`);
          // A value left there from before (a full storage keeps the old one) must not come back on the next page.
          adapter.remove(this.#key);
          storages.memory.set(this.#key, value);
        }
      }
    }
    this.#update(session);
    return refused;
  }

  #update(session: Session | null): void {
    this.#session = session;
    this.#schedule();
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(this);
      } catch (error) {
        // One broken subscriber must not keep the others from hearing about the change; the page still sees its error.
        reportError(error);
      }
    }
  }

  /** Notifies once more when the access token expires, so `signed-in` and friends update by themselves. */
  #schedule(): void {
    clearTimeout(this.#timer);
    // No expiry (undefined) gives NaN, which is not > 0.
    const delay = this.session?.expiresAt! - Date.now();
    if (this.#listeners.size && delay > 0) {
      this.#timer = setTimeout(() => (delay > MAX_DELAY ? this.#schedule() : this.#notify()), Math.min(delay, MAX_DELAY));
    }
  }
}

const stores = new Map<string, TokenStore>();
let handling: Promise<unknown> = Promise.resolve();

/**
 * Settles once the sign-in response this page is handling (if any) has been stored or refused. Requests wait for it,
 * so an `<auth-fetch auto>` on the redirect page neither goes out without the token nor reports `login_required`
 * while the token is on its way: the response names its store only once it has been checked.
 */
export function responseHandled(): Promise<unknown> {
  return handling;
}

/** Records the handling of a sign-in response that requests should wait for. */
export function handlingResponse(work: Promise<unknown>): void {
  handling = work.catch(() => {});
}

/** The token store with this name (created on first use); every element naming it shares it. */
export function getStore(name?: string | null): TokenStore {
  const key = name || 'default';
  let store = stores.get(key);
  if (!store) stores.set(key, (store = new TokenStore(key)));
  return store;
}

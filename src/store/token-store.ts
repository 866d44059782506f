import type { StorageKind } from '../protocol/authorize.js';
import type { Session } from '../protocol/callback.js';
import type { IdTokenClaims } from '../protocol/id-token.js';
import { storages } from './storage.js';

/** Called with the store's session (or `null`) when it changes, and when its access token expires. */
export type StoreListener = (store: TokenStore) => void;

const KEY_PREFIX = 'auth-elements:store:';
// setTimeout's delay is a signed 32-bit number of ms (HTML: timer initialisation steps).
const MAX_DELAY = 2 ** 31 - 1;

/** A stored session is used only when its shape is right; anything edited by hand into another shape is dropped. */
function isSession(value: unknown): value is Session {
  const s = value as Record<string, unknown> | null;
  const optional = (type: string, key: string) => s![key] === undefined || typeof s![key] === type;
  return !!s && typeof s === 'object'
    && ['scope', 'issuer', 'clientId'].every((key) => typeof s[key] === 'string')
    && optional('string', 'accessToken') && optional('string', 'idToken') && optional('number', 'expiresAt')
    && optional('object', 'claims') && s.claims !== null
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
  #session: Session | null | undefined;
  #listeners = new Set<StoreListener>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(name: string) {
    this.name = name;
  }

  get #key(): string {
    return KEY_PREFIX + this.name;
  }

  /** The stored session, expired or not; `null` when signed out. */
  get session(): Session | null {
    if (this.#session === undefined) this.#session = this.#read();
    return this.#session;
  }

  /** True while the store holds a session whose token has not expired. */
  get signedIn(): boolean {
    const { session } = this;
    return !!session && (session.expiresAt === undefined || session.expiresAt > Date.now());
  }

  /** The access token, only while it is usable (present and unexpired). */
  get accessToken(): string | undefined {
    return this.signedIn ? this.session?.accessToken : undefined;
  }

  /** The raw ID token, while the session is valid (for `id_token_hint`). */
  get idToken(): string | undefined {
    return this.signedIn ? this.session?.idToken : undefined;
  }

  /** The validated ID token's claims, while the session is valid. */
  get claims(): IdTokenClaims | undefined {
    return this.signedIn ? this.session?.claims : undefined;
  }

  /** Stores a validated session in `storage` (and removes it from the other kinds), then notifies subscribers. */
  set(session: Session, storage: StorageKind = 'session'): void {
    for (const [kind, adapter] of Object.entries(storages)) {
      if (kind === storage) adapter.set(this.#key, JSON.stringify(session));
      else adapter.remove(this.#key);
    }
    this.#update(session);
  }

  /** Signs the store out: removes the session from every storage kind and notifies subscribers. */
  clear(): void {
    for (const adapter of Object.values(storages)) adapter.remove(this.#key);
    this.#update(null);
  }

  /** Calls `listener` on every change; returns the function that unsubscribes it. */
  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    this.#schedule();
    return () => {
      this.#listeners.delete(listener);
      if (!this.#listeners.size) clearTimeout(this.#timer);
    };
  }

  /** Re-reads storage (another tab changed it) and notifies when the session differs. */
  reload(): void {
    const next = this.#read();
    if (JSON.stringify(next) !== JSON.stringify(this.#session ?? null)) this.#update(next);
  }

  #read(): Session | null {
    for (const adapter of Object.values(storages)) {
      const raw = adapter.get(this.#key);
      if (raw === null) continue;
      try {
        const value: unknown = JSON.parse(raw);
        if (isSession(value)) return value;
      } catch {
        // Not JSON: dropped below like any other tampered value.
      }
      adapter.remove(this.#key);
    }
    return null;
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
        // One broken subscriber must not keep the others from hearing about the change.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Notifies once more when the access token expires, so `signed-in` and friends update by themselves. */
  #schedule(): void {
    clearTimeout(this.#timer);
    const expiresAt = this.session?.expiresAt;
    const delay = expiresAt === undefined ? -1 : expiresAt - Date.now();
    if (this.#listeners.size && delay > 0) {
      this.#timer = setTimeout(() => (delay > MAX_DELAY ? this.#schedule() : this.#notify()), Math.min(delay, MAX_DELAY));
    }
  }
}

const stores = new Map<string, TokenStore>();

/** The token store with this name (created on first use); every element naming it shares it. */
export function getStore(name: string | null | undefined = 'default'): TokenStore {
  const key = name || 'default';
  let store = stores.get(key);
  if (!store) {
    if (!stores.size && typeof addEventListener === 'function') {
      // Local storage is shared with other tabs; their changes arrive as storage events (HTML: the storage event).
      addEventListener('storage', (event) => {
        if (event.key === null) stores.forEach((s) => s.reload());
        else if (event.key.startsWith(KEY_PREFIX)) stores.get(event.key.slice(KEY_PREFIX.length))?.reload();
      });
    }
    store = new TokenStore(key);
    stores.set(key, store);
  }
  return store;
}

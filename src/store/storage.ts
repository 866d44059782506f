import type { StorageKind } from '../protocol/authorize.js';
import { attempt } from '../protocol/errors.js';

/** The small interface a token store keeps its session behind. */
export interface StorageAdapter {
  /** What it is called in error descriptions: `sessionStorage`, `localStorage` or `memory`. */
  readonly name: string;
  get(key: string): string | null;
  /** Throws what the storage throws when it refuses (blocked: `SecurityError`; full: `QuotaExceededError`). */
  set(key: string, value: string): void;
  remove(key: string): void;
  /** Every key held. */
  keys(): string[];
}

/**
 * Web Storage behind the adapter interface. Storage can be unavailable (disabled cookies, sandboxed frames, full
 * quota): reads then find nothing and removals do nothing, rather than breaking the page; a write throws, so the
 * store can keep the session in memory and say so.
 */
function webStorage(name: 'sessionStorage' | 'localStorage'): StorageAdapter {
  // The getter itself throws where storage is blocked (HTML: the sessionStorage getter), so it is read on each call.
  const area = () => globalThis[name];
  return {
    name,
    get: (key) => attempt(() => area().getItem(key)),
    set: (key, value) => area().setItem(key, value),
    // Nothing is stored where storage is unavailable.
    remove: (key) => attempt(() => area().removeItem(key)),
    keys: () => attempt(() => Object.keys(area())) ?? [],
  };
}

const memory = new Map<string, string>();

/** The adapters by kind: `session` (this tab, survives reloads), `local` (every tab, survives restarts), `memory` (this page). */
export const storages: Record<StorageKind, StorageAdapter> = {
  memory: { name: 'memory', get: (key) => memory.get(key) ?? null, set: (key, value) => memory.set(key, value), remove: (key) => memory.delete(key), keys: () => [...memory.keys()] },
  session: webStorage('sessionStorage'),
  local: webStorage('localStorage'),
};

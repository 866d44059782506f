import type { StorageKind } from '../protocol/authorize.js';

/** The small interface a token store keeps its session behind. */
export interface StorageAdapter {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  /** Every key held. */
  keys(): string[];
}

/**
 * Web Storage behind the adapter interface. Storage can be unavailable (disabled cookies, sandboxed frames, full
 * quota); the store then behaves as empty rather than breaking the page.
 */
function webStorage(area: () => Storage): StorageAdapter {
  return {
    get: (key) => attempt(() => area().getItem(key)),
    set: (key, value) => area().setItem(key, value),
    // Nothing is stored where storage is unavailable.
    remove: (key) => attempt(() => area().removeItem(key)),
    keys: () => attempt(() => Object.keys(area())) ?? [],
  };
}

/** `action()`'s result, or `null` when it throws. */
function attempt<T>(action: () => T): T | null {
  try {
    return action();
  } catch {
    return null;
  }
}

const memory = new Map<string, string>();

/** The adapters by kind: `session` (this tab, survives reloads), `local` (every tab, survives restarts), `memory` (this page). */
export const storages: Record<StorageKind, StorageAdapter> = {
  memory: { get: (key) => memory.get(key) ?? null, set: (key, value) => memory.set(key, value), remove: (key) => memory.delete(key), keys: () => [...memory.keys()] },
  session: webStorage(() => sessionStorage),
  local: webStorage(() => localStorage),
};

import type { StorageKind } from '../protocol/authorize.js';

/** The small interface a token store keeps its session behind. */
export interface StorageAdapter {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/**
 * Web Storage behind the adapter interface. Storage can be unavailable (disabled cookies, sandboxed frames, full
 * quota); the store then behaves as empty rather than breaking the page.
 */
function webStorage(area: () => Storage): StorageAdapter {
  return {
    get(key) {
      try {
        return area().getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      area().setItem(key, value);
    },
    remove(key) {
      try {
        area().removeItem(key);
      } catch {
        // Nothing stored where storage is unavailable.
      }
    },
  };
}

const memory = new Map<string, string>();

/** The adapters by kind: `session` (this tab, survives reloads), `local` (every tab, survives restarts), `memory` (this page). */
export const storages: Record<StorageKind, StorageAdapter> = {
  memory: { get: (key) => memory.get(key) ?? null, set: (key, value) => void memory.set(key, value), remove: (key) => void memory.delete(key) },
  session: webStorage(() => sessionStorage),
  local: webStorage(() => localStorage),
};

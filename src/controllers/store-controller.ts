import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { getStore, type TokenStore } from '../store/token-store.js';

/**
 * Attaches a host to the token store it names: subscribes on connect, follows a change of the store's name,
 * unsubscribes on disconnect, and asks the host to update on every change of the store.
 */
export class StoreController implements ReactiveController {
  #name: () => string | null | undefined;
  #changed: (store: TokenStore) => void;
  #attached: TokenStore | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, name: () => string | null | undefined, onChange?: (store: TokenStore) => void) {
    this.#name = name;
    this.#changed = (store) => {
      host.requestUpdate();
      onChange?.(store);
    };
    host.addController(this);
  }

  /** The store the host names now. */
  get store(): TokenStore {
    return getStore(this.#name());
  }

  hostConnected(): void {
    this.#attach(this.store);
  }

  hostUpdate(): void {
    if (this.#attached && this.#attached !== this.store) this.#attach(this.store);
  }

  hostDisconnected(): void {
    this.#attach();
  }

  /** Subscribes to `store` instead of the store attached so far (to none without one). */
  #attach(store?: TokenStore): void {
    this.#unsubscribe?.();
    this.#unsubscribe = (this.#attached = store)?.subscribe(this.#changed);
  }
}

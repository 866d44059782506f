import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { getStore, type TokenStore } from '../store/token-store.js';

/**
 * Attaches a host to the token store it names: subscribes on connect, follows a change of the store's name,
 * unsubscribes on disconnect, and asks the host to update on every change of the store.
 */
export class StoreController implements ReactiveController {
  #host: ReactiveControllerHost;
  #name: () => string | null | undefined;
  #onChange: ((store: TokenStore) => void) | undefined;
  #attached: TokenStore | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, name: () => string | null | undefined, onChange?: (store: TokenStore) => void) {
    this.#host = host;
    this.#name = name;
    this.#onChange = onChange;
    host.addController(this);
  }

  /** The store the host names now. */
  get store(): TokenStore {
    return getStore(this.#name());
  }

  hostConnected(): void {
    this.#attach();
  }

  hostUpdate(): void {
    if (this.#attached && this.#attached !== this.store) this.#attach();
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#attached = this.#unsubscribe = undefined;
  }

  #attach(): void {
    this.#unsubscribe?.();
    const store = (this.#attached = this.store);
    this.#unsubscribe = store.subscribe(() => {
      this.#host.requestUpdate();
      this.#onChange?.(store);
    });
  }
}

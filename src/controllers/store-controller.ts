import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SignInConfig } from '../protocol/authorize.js';
import { attach, detach } from '../session/hosts.js';
import { getStore, type TokenStore } from '../store/token-store.js';

/**
 * Attaches a host to the token store it names, and to that store's lifecycle (which renews it and tells the page):
 * subscribes on connect, follows a change of the store's name, unsubscribes on disconnect, and asks the host to
 * update on every change of the store. `config` gives the host's sign-in configuration, if it has one
 * (`<auth-login>`), for the lifecycle's renewals.
 */
export class StoreController implements ReactiveController {
  #name: () => string | null | undefined;
  #changed: (store: TokenStore) => void;
  #attached: TokenStore | undefined;
  #unsubscribe: (() => void) | undefined;
  #host: ReactiveControllerHost & Element;
  #config: (() => SignInConfig | undefined) | undefined;

  constructor(host: ReactiveControllerHost & Element, name: () => string | null | undefined, onChange?: (store: TokenStore) => void, config?: () => SignInConfig | undefined) {
    this.#name = name;
    this.#host = host;
    this.#config = config;
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
    if (this.#attached) detach(this.#attached, this.#host);
    this.#unsubscribe = (this.#attached = store)?.subscribe(this.#changed);
    if (store) attach(store, this.#host, this.#config);
  }
}

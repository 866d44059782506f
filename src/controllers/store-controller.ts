import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { attach, changed, detach } from '../session/hosts.js';
import { getStore, type TokenStore } from '../store/token-store.js';

/** A host names its store in its `store` property. */
type Host = ReactiveControllerHost & Element & { store?: string | null | undefined };

/**
 * The controllers attached to one store: told of its changes through one subscription (not one per element: a page
 * may have thousands), and the hosts without sign-in configuration, of which the first stands for all in the store's
 * lifecycle (it needs one element to announce from, and `<auth-login>`s for their configuration).
 */
interface Group {
  controllers: Set<StoreController>;
  unsubscribe: () => void;
  /** The first attached controller without `config`: its host stands in the lifecycle for all of them. */
  standIn?: StoreController | undefined;
}

const groups = new Map<TokenStore, Group>();

/**
 * Attaches a host to the token store its `store` property names, and to that store's lifecycle (which renews it and
 * tells the page): subscribes on connect, follows a change of the store's name, unsubscribes on disconnect, and asks
 * the host to update on every change of the store. `config: true` says the host is a sign-in configuration
 * (`<auth-login>`), for the lifecycle's renewals. All controllers of a store share one subscription of it, and the
 * hosts without `config` one place in its lifecycle (the first of them attached, then the next). `onChange` is called
 * with the host as `this` (so one function may serve every host: no closure per element).
 */
export class StoreController implements ReactiveController {
  #onChange: ((this: Host, store: TokenStore) => void) | undefined;
  #attached: TokenStore | undefined;
  #host: Host;
  #config: boolean | undefined;

  /**
   * `register: false` leaves the calls of `hostConnected`, `hostUpdate` and `hostDisconnected` to the host itself
   * (no controller list per element).
   */
  constructor(host: Host, onChange?: (this: Host, store: TokenStore) => void, config?: boolean, register = true) {
    this.#host = host;
    this.#config = config;
    this.#onChange = onChange;
    if (register) host.addController(this);
  }

  /** The store the host names now. */
  get store(): TokenStore {
    return getStore(this.#host.store);
  }

  hostConnected(): void {
    this.#attach(this.store);
  }

  hostUpdate(): void {
    // Another store once the name changed (`#attach` does nothing for the same one).
    if (this.#attached) this.#attach(this.store);
  }

  hostDisconnected(): void {
    this.#attach();
  }

  #changed(store: TokenStore): void {
    this.#host.requestUpdate();
    this.#onChange?.call(this.#host, store);
  }

  /** Attaches to `store` instead of the store attached so far (to none without one). */
  #attach(store?: TokenStore): void {
    const previous = this.#attached;
    if (previous === store) return;
    if (previous) this.#leave(previous);
    this.#attached = store;
    if (store) this.#join(store);
  }

  #join(store: TokenStore): void {
    let group = groups.get(store);
    if (!group) {
      const controllers = new Set<StoreController>();
      // As the store tells its own subscribers: every one, even when another throws (its error still reported).
      const unsubscribe = store.subscribe((store) => {
        for (const controller of [...controllers]) {
          try {
            controller.#changed(store);
          } catch (error) {
            reportError(error);
          }
        }
        // Then the store's lifecycle (loaded when a session arrives).
        changed(store);
      });
      groups.set(store, (group = { controllers, unsubscribe }));
    }
    group.controllers.add(this);
    if (this.#config) attach(store, this.#host, true);
    else if (!group.standIn) attach(store, (group.standIn = this).#host);
  }

  #leave(store: TokenStore): void {
    const group = groups.get(store)!;
    const host = this.#host;
    group.controllers.delete(this);
    if (this.#config) detach(store, host);
    else if (group.standIn === this) {
      // The next one (in the order they came) takes its place before it leaves: the lifecycle never sees the store
      // without elements. Found in the one set (a second set of hosts would cost every element an entry), by a loop
      // that stops at the first (removing thousands in order must not walk the set each time).
      let next: StoreController | undefined;
      for (const controller of group.controllers) if (!controller.#config && (next = controller)) break;
      if ((group.standIn = next)) attach(store, next.#host);
      detach(store, host);
    }
    if (!group.controllers.size) {
      groups.delete(store);
      group.unsubscribe();
    }
  }
}

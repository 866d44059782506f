import { ReactiveElement, css } from '@lit/reactive-element';
import { StoreController } from '../controllers/store-controller.js';
import { AuthErrorEvent } from '../events.js';
import { errorDetail } from '../protocol/errors.js';
import { button } from './dom.js';

/**
 * What `<auth-login>` and `<auth-logout>` share: a real button with a slotted label, the store they name, the
 * reflected `signed-in` state, and one action at a time.
 *
 * @slot - The button's label.
 * @csspart button - The native button.
 */
export abstract class AuthButtonElement extends ReactiveElement {
  static override styles = css`:host{display:inline-block}:host([hidden]){display:none}`;

  static override properties = {
    store: {},
    signedIn: { type: Boolean, attribute: 'signed-in', reflect: true },
  };

  protected storeController = new StoreController(this, () => this.store);
  #button: HTMLButtonElement | undefined;
  #busy = false;

  /** Name of the token store this element works on. */
  declare store: string;
  /** Reflected: present while the store holds a valid (unexpired) session. */
  declare signedIn: boolean;

  /** The button's label when nothing is slotted. */
  protected abstract readonly label: string;

  constructor() {
    super();
    this.store = 'default';
    this.signedIn = false;
  }

  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    this.#button = button(root, this.label, () => this.activate());
    return root;
  }

  protected override willUpdate(): void {
    this.signedIn = this.storeController.store.signedIn;
  }

  protected override updated(): void {
    this.#button!.disabled = this.#busy;
  }

  /** What a click does. */
  protected abstract activate(): Promise<unknown>;

  /** Runs `action` unless one is running; a failure becomes `auth-error`. Resolves with its result or `undefined`. */
  protected async run<T>(action: () => Promise<T>): Promise<T | undefined> {
    if (this.#busy) return undefined;
    this.#setBusy(true);
    try {
      return await action();
    } catch (error) {
      this.dispatchEvent(new AuthErrorEvent(errorDetail(error)));
      return undefined;
    } finally {
      this.#setBusy(false);
    }
  }

  /** The button is disabled while an action runs. */
  #setBusy(busy: boolean): void {
    this.#busy = busy;
    this.requestUpdate();
  }
}

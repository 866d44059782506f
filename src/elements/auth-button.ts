import { ReactiveElement, type PropertyDeclarations } from '@lit/reactive-element';
import { StoreController } from '../controllers/store-controller.js';
import { AuthErrorEvent } from '../events.js';
import type { SignInConfig } from '../protocol/authorize.js';
import { errorDetail } from '../protocol/errors.js';
import { button, sheet } from './dom.js';

/**
 * What `<auth-login>` and `<auth-logout>` share: a real button with a slotted label, the store they name, the
 * reflected `signed-in` state, and one action at a time.
 *
 * @slot - The button's label.
 * @csspart button - The native button.
 */
export abstract class AuthButtonElement extends ReactiveElement {
  // A constructed sheet rather than Lit's `css` tag (which costs bytes for features unused here), made when the
  // class is finalized, not when the module is imported.
  static override get styles(): CSSStyleSheet {
    return sheet(':host{display:inline-block}:host([hidden]){display:none}');
  }

  // Subclasses list only their own properties; ReactiveElement inherits these.
  static override properties: PropertyDeclarations = {
    store: {},
    signedIn: { type: Boolean, attribute: 'signed-in', reflect: true },
  };

  protected storeController = new StoreController(this, () => this.store, undefined, () => this.config);

  /** The sign-in configuration this element gives its store's lifecycle (`<auth-login>`: itself). */
  protected get config(): SignInConfig | undefined {
    return undefined;
  }
  /** Disabled while an action runs: its `disabled` is the element's busy state. */
  #button: HTMLButtonElement;

  /** Name of the token store this element works on. */
  declare store: string;
  /** Reflected: present while the store holds a valid (unexpired) session. */
  declare signedIn: boolean;

  /** `label` is the button's label when nothing is slotted; `action` is what a click does. */
  constructor(label: string, action: () => Promise<unknown>) {
    super();
    this.#button = button(label, action);
    this.store = 'default';
    this.signedIn = false;
  }

  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    root.append(this.#button);
    return root;
  }

  protected override willUpdate(): void {
    this.signedIn = this.storeController.store.signedIn;
  }

  /** Runs `action` unless one is running; a failure becomes `auth-error`. Resolves with its result or `undefined`. */
  protected async run<T>(action: () => Promise<T>): Promise<T | undefined> {
    const control = this.#button;
    if (control.disabled) return undefined;
    control.disabled = true;
    try {
      return await action();
    } catch (error) {
      this.dispatchEvent(new AuthErrorEvent(errorDetail(error)));
      return undefined;
    } finally {
      control.disabled = false;
    }
  }
}

import { ReactiveElement, type PropertyDeclarations } from '@lit/reactive-element';
import { StoreController } from '../controllers/store-controller.js';
import { AuthErrorEvent } from '../events.js';
import { errorDetail } from '../protocol/errors.js';
import { button, sheet } from './dom.js';
import { showErrors } from './report.js';
import { mirrorStates } from './states.js';

/**
 * What `<auth-login>` and `<auth-logout>` share: a real button with a slotted label, the store they name, the
 * reflected `signed-in` and `error` states (also CSS custom states), the error shown on the page, and one action at a
 * time. Each hides itself in the state where it has nothing to do (`<auth-login>` signed in, `<auth-logout>` signed
 * out) unless it has an error to show; a page rule setting `display` on the tag wins over that.
 *
 * @slot - The button's label.
 * @slot error - Shown while `error` is set; by default the error's description, as text.
 * @csspart button - The native button.
 * @csspart error-message - The default error text (`role="alert"`).
 * @cssstate signed-in - The store holds a valid (unexpired) session, as the `signed-in` attribute.
 * @cssstate error - The last action, sign-in or renewal of this element failed, as the `error` attribute.
 */
export abstract class AuthButtonElement extends ReactiveElement {
  /** The `:host()` condition in which this button hides itself (unless it shows an error). */
  protected static hides = '[hidden]';

  // A constructed sheet rather than Lit's `css` tag (which costs bytes for features unused here), made when the
  // class is finalized, not when the module is imported. A :host rule loses to any page rule for the tag (CSS
  // Scoping: the outer context wins), so a page can always show a hidden button.
  static override get styles(): CSSStyleSheet | [] {
    return sheet(`:host{display:inline-block}:host([hidden]),:host(${this.hides}:not([error])),:host(:not([error])) [name=error]{display:none}`);
  }

  // Subclasses list only their own properties; ReactiveElement inherits these.
  static override properties: PropertyDeclarations = {
    store: {},
    signedIn: { type: Boolean, attribute: 'signed-in', reflect: true },
    error: { type: Boolean, reflect: true },
  };

  protected storeController: StoreController;
  /** Disabled while an action runs: its `disabled` is the element's busy state. */
  #button: HTMLButtonElement;

  /** Name of the token store this element works on. */
  declare store: string;
  /** Reflected: present while the store holds a valid (unexpired) session. */
  declare signedIn: boolean;
  /**
   * Reflected: the last action (or a sign-in or renewal of this element) failed; its error shows in the `error` slot
   * and once in the console. Cleared when a new action starts and on `auth-signed-in` from this element.
   */
  declare error: boolean;

  /**
   * `label` is the button's label when nothing is slotted; `action` is what a click does; `config`: the element is a
   * sign-in configuration, which its store's lifecycle renews with (`<auth-login>`).
   */
  constructor(label: string, action: () => Promise<unknown>, config?: boolean) {
    super();
    this.storeController = new StoreController(this, undefined, config);
    this.#button = button(label, action);
    this.store = 'default';
    this.signedIn = false;
    this.error = false;
    mirrorStates(this, ['signed-in', 'error']);
  }

  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    root.append(this.#button);
    // A failed silent sign-in while signed out (check-session on every page load of a signed-out visitor:
    // login_required, consent_required, interaction_required, account_selection_required, third_party_cookies_blocked)
    // only confirms what the visible sign-in button says: it fires auth-error but is not shown.
    showErrors(this, root, ({ error }) => !this.#button.disabled && !this.storeController.store.signedIn && /_required$|^third_party/.test(error));
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
    // A new action clears the last error; if it fails, its own error shows.
    this.error = false;
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

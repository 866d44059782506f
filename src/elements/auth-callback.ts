import { ReactiveElement } from '@lit/reactive-element';
import { AuthErrorEvent } from '../events.js';
import { parseFragment } from '../protocol/fragment.js';
import { errorDetail, loadChunk } from '../protocol/errors.js';
import { handlingResponse } from '../store/token-store.js';
import { sheet, slot } from './dom.js';
import { showErrors } from './report.js';
import { mirrorStates } from './states.js';

/**
 * Completes sign-in on the redirect page: reads the provider's response from the URL fragment, removes it from the
 * address bar at once, validates it (state, ID token signature and claims, nonce, at_hash), stores the session, and
 * returns to the page where sign-in started. For the code flow (`response-type="code"`) it first exchanges the code
 * at the provider's token endpoint with the PKCE verifier, then checks the tokens the same way (plus `c_hash`). With
 * no response in the fragment it does nothing, so it can sit on every page. It also recognises the provider's return
 * from `<auth-logout>`'s sign-out (the `state` in the query) and says so with `auth-signed-out`.
 *
 * @summary Handles the redirect of the implicit grant or the code flow.
 * @tagname auth-callback
 * @slot - Shown only while a response is handled (for example "Signing you in…"); the element is hidden otherwise,
 * except while it shows an error.
 * @slot error - Shown while `error` is set; by default the error's description, as text.
 * @csspart error-message - The default error text (`role="alert"`).
 * @attr {boolean} handling - Set by the element (never by the page) while it handles a response.
 * @cssstate handling - A response is being handled, as the `handling` attribute.
 * @cssstate error - The response failed, as the `error` attribute.
 * @fires {AuthSignedInEvent} auth-signed-in - The response was valid and its session stored; detail has the ID token's claims, scope and expiry, never a token.
 * @fires {AuthSignedOutEvent} auth-signed-out - On the `return-to` page of `<auth-logout>`: the provider came back from the sign-out this tab sent it, with its `state` (exact, at most 10 minutes old, once), which was removed from the address bar; detail `{store, provider: true}`, not cancelable. Stores are not cleared again (they were before leaving). A `state` in the query that is not such a sign-out's is left alone.
 * @fires {AuthErrorEvent} auth-error - The response was an error or failed a check, or the token endpoint refused the code (`invalid_grant`: a wrong verifier, a used code, a code of another client); nothing was stored. Or, after `auth-signed-in`, `storage_unavailable`: the session could not be written to its storage and is kept in this page's memory only.
 */
export class AuthCallbackElement extends ReactiveElement {
  static override properties = {
    error: { type: Boolean, reflect: true },
  };

  /** Settles when the response in the fragment (if any) has been handled; for tests and pages that await it. */
  declare readonly complete: Promise<void>;
  /**
   * Reflected: the response was an error or failed a check; its description shows in the `error` slot and once in
   * the console. Cleared by the next successful response (`auth-signed-in`).
   */
  declare error: boolean;

  constructor() {
    super();
    this.error = false;
    mirrorStates(this, ['handling', 'error']);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    handlingResponse(((this as { complete: Promise<void> }).complete = this.#complete()));
  }

  async #complete(): Promise<void> {
    try {
      let params: Record<string, string> | null | undefined;
      const fragment = location.hash;
      try {
        params = parseFragment(fragment);
      } finally {
        // A response (even a malformed one): tokens must not stay in the address bar, history or a bookmark,
        // whatever the outcome.
        if (params !== null) history.replaceState(history.state, '', location.pathname + location.search);
      }
      // A response, or back from the provider's sign-out with a `state` in the query: only then is the code that
      // handles them loaded (src/session/response.ts), with the checks it needs.
      if (!params && !/[?&]state=/.test(location.search)) return;
      // Its content ("Signing you in…") shows only while a response is handled.
      if (params) this.toggleAttribute('handling', true);
      if (await (await loadChunk(import('../session/response.js'))).complete(this, fragment, params)) this.removeAttribute('handling');
    } catch (error) {
      this.removeAttribute('handling');
      this.dispatchEvent(new AuthErrorEvent(errorDetail(error)));
    }
  }

  static override get styles(): CSSStyleSheet | [] {
    return sheet(':host(:not([handling],[error])),:host(:not([handling])) slot:not([name]),:host(:not([error])) [name=error]{display:none}');
  }

  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    slot(root);
    showErrors(this, root);
    return root;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-callback': AuthCallbackElement;
  }
}

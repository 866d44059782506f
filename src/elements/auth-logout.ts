import { loadChunk } from '../protocol/errors.js';
import { AuthButtonElement } from './auth-button.js';

/**
 * A sign-out button: revokes the session's tokens at the provider (RFC 7009, unless `no-revoke`), clears the token
 * store (and deletes the DPoP key of DPoP-bound sessions) and, with `return-to`, ends the provider session too (OpenID Connect RP-Initiated Logout, or Auth0's
 * `/v2/logout` for `domain`).
 *
 * @summary Signs out.
 * @tagname auth-logout
 * @slot - The button's label (default "Sign out").
 * @slot error - Shown while `error` is set (the element then shows itself even when signed out); by default the error's description, as text.
 * @csspart button - The native button (disabled while a sign-out runs, revocation included).
 * @csspart error-message - The default error text (`role="alert"`).
 * @cssstate signed-in - The store holds a valid session (the element hides itself otherwise), as the `signed-in` attribute.
 * @cssstate error - The last sign-out failed, as the `error` attribute.
 * @fires {AuthSignedOutEvent} auth-signed-out - The store was cleared; cancelable: canceling it keeps the page from leaving for the provider's sign-out (`logout()` still resolves with that URL); detail `{store, revoked, revocationError?}`: `revoked` lists the tokens revoked at the provider (`refresh_token`, `access_token`), `revocationError` (`{error, errorDescription}`) says why revocation failed, when it did (the store is cleared all the same). The end-session URL carries a fresh `state`, kept pending for 10 minutes: when the provider comes back with it, `<auth-callback>` on the `return-to` page fires `auth-signed-out` again with `{store, provider: true}`.
 * @fires {AuthErrorEvent} auth-error - Token revocation failed, or the DPoP key could not be deleted (after `auth-signed-out`), the provider session could not be ended, or `return-to` is not on this origin (the local session is cleared anyway); detail `{error, errorDescription?, status?}`.
 */
export class AuthLogoutElement extends AuthButtonElement {
  protected static override hides = ':not([signed-in])';

  static override properties = {
    returnTo: { attribute: 'return-to' },
    noRevoke: { type: Boolean, attribute: 'no-revoke' },
  };

  /**
   * After clearing the store, end the provider session and come back to this URL (it must be registered with the
   * provider as a post-logout redirect URI). Without it, only the local session ends.
   */
  declare returnTo: string | null;

  /**
   * Do not revoke tokens on sign-out. By default a sign-out first revokes, at the provider's discovered
   * `revocation_endpoint` (RFC 7009), the refresh token this page holds and the unexpired access token (Auth0: the
   * refresh token only), for 3 seconds at most; a provider without that endpoint is not asked.
   */
  declare noRevoke: boolean;

  constructor() {
    super('Sign out', () => this.logout());
    this.returnTo = null;
    this.noRevoke = false;
  }

  /**
   * Signs out: revokes the session's tokens (unless `no-revoke`; bounded in time, and never in the way: a failure is
   * reported, not waited for), clears the store, fires `auth-signed-out`, then, with `return-to`, leaves for the
   * provider's sign-out endpoint unless that event was canceled. Resolves with that URL, or `undefined` when only the
   * local session ended.
   */
  logout(): Promise<string | undefined> {
    // The sign-out code (src/session/sign-out.ts: revocation, the provider's sign-out) is loaded on the click. Where
    // it cannot be (offline), the local session ends all the same, and the error says why nothing else happened.
    const { store } = this.storeController;
    return this.run(async () => (await loadChunk(import('../session/sign-out.js')).catch((error: unknown) => {
      store.clear();
      throw error;
    })).signOut(this, store));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-logout': AuthLogoutElement;
  }
}

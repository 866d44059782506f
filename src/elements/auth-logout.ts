import { AuthErrorEvent, AuthSignedOutEvent, type AuthSignedOutDetail } from '../events.js';
import { errorDetail, loadChunk, type AuthError } from '../protocol/errors.js';
import type { RevokeResult } from '../protocol/revoke.js';
import { clearSessionsOf } from '../store/token-store.js';
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
    return this.run(async () => {
      const { store } = this.storeController;
      const { session } = store;
      const detail: AuthSignedOutDetail = { store: store.name, revoked: [] };
      let failure: AuthError | undefined;
      if (session && !this.noRevoke) {
        // Loaded on the click only: a page that never signs out pays nothing for it. A chunk that fails to load is
        // a failed revocation, not a failed sign-out.
        const result: RevokeResult = await loadChunk(import('../protocol/revoke.js')).then(
          ({ revokeTokens }) => revokeTokens(session, store.refreshToken),
          (error: AuthError) => ({ revoked: [], error }),
        );
        detail.revoked = result.revoked;
        if ((failure = result.error)) detail.revocationError = { error: failure.code, errorDescription: failure.message };
      }
      store.clear();
      // The provider session ends for every store signed in with it (RP-initiated logout ends the whole session).
      const bound = session ? clearSessionsOf(session.issuer, session.clientId) : [];
      if (session?.dpopJkt) bound.push(store.name);
      // DPoP keys go with the sessions they bound (the next sign-in makes a new one); awaited, since leaving for the
      // provider could cut IndexedDB's write short. A refusal is told, and signs out all the same.
      if (bound.length) {
        await loadChunk(import('../protocol/dpop.js')).then(({ deleteDpopKey }) => Promise.all(bound.map(deleteDpopKey))).catch((error: AuthError) => (failure ??= error));
      }
      const leave = this.dispatchEvent(new AuthSignedOutEvent(detail));
      if (failure) this.dispatchEvent(new AuthErrorEvent(errorDetail(failure)));
      if (!this.returnTo) return undefined;
      const url = await (await loadChunk(import('../protocol/logout.js'))).endSessionUrl(session, this.returnTo, {}, store.name);
      if (leave) location.assign(url);
      return url;
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-logout': AuthLogoutElement;
  }
}

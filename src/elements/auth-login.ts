import { AuthErrorEvent } from '../events.js';
import type { SignInConfig } from '../protocol/authorize.js';
import { errorDetail, loadChunk } from '../protocol/errors.js';
import { checkSession, lifecycleOf } from '../session/hosts.js';
import { AuthButtonElement } from './auth-button.js';
import { checkEnum } from './report.js';

/** The popup and silent sign-in code, loaded when first needed (or when a `mode="popup"` element appears). */
const popup = () => loadChunk(import('../protocol/silent.js'));

/**
 * A sign-in button: sends the user to the provider's `/authorize` with a fresh `state` and `nonce`
 * (the OAuth 2.0 / OpenID Connect implicit grant, or with `response-type="code"` the authorization code flow with
 * PKCE).
 *
 * @summary Starts sign-in with the implicit grant or the code flow with PKCE.
 * @tagname auth-login
 * @slot - The button's label (default "Sign in").
 * @slot error - Shown while `error` is set (the element then shows itself even when signed in); by default the error's description, as text.
 * @csspart button - The native button.
 * @csspart error-message - The default error text (`role="alert"`).
 * @cssstate signed-in - The store holds a valid session (the element hides itself then), as the `signed-in` attribute.
 * @cssstate error - Its last sign-in (click, popup, renewal) failed, as the `error` attribute.
 * @fires {AuthLoginEvent} auth-login - Cancelable, just before leaving for the provider; `detail.url` is the authorize URL.
 * @fires {AuthExpiringEvent} auth-expiring - At the store's renewal point, once per token: a minute before the access token expires, or at 75 % of a lifetime under four minutes (then `auto-renew` renews); detail `{store, expiresAt}`. Fired by the store's lifecycle from the first `<auth-login>` of the store on the page.
 * @fires {AuthExpiredEvent} auth-expired - The store's access token expired and no renewal succeeded; detail `{store, expiresAt, error?}` (`error`: why the last automatic renewal failed, `login_required` when the provider session is gone).
 * @fires {AuthSignedInEvent} auth-signed-in - A popup or silent sign-in (`mode="popup"`, `check-session`, `auto-renew`, `loginSilently()`), or a renewal with a refresh token, stored a new session.
 * @fires {AuthErrorEvent} auth-error - Sign-in could not start (`invalid_config`, `invalid_discovery`, `network_error`, `timeout`, `http_error`, `popup_blocked`), a popup one failed (`popup_closed`, the provider's error or any check of `<auth-callback>`), a silent one failed (`third_party_cookies_blocked`, `login_required`, `consent_required`, `interaction_required`, `timeout`, or any check of `<auth-callback>`), or a renewal with a refresh token failed (`invalid_grant`: the session is cleared). `storage_unavailable`: a redirect sign-in could not start because sessionStorage is refused, or, after `auth-signed-in`, the session could not be written to its storage and is kept in this page's memory.
 */
export class AuthLoginElement extends AuthButtonElement implements SignInConfig {
  protected static override hides = '[signed-in]';

  static override properties = {
    issuer: {},
    domain: {},
    clientId: { attribute: 'client-id' },
    audience: {},
    scope: {},
    responseType: { attribute: 'response-type' },
    redirectUri: { attribute: 'redirect-uri' },
    storage: {},
    allowedOrigins: { attribute: 'allowed-origins' },
    leeway: { type: Number },
    silentRedirectUri: { attribute: 'silent-redirect-uri' },
    checkSession: { type: Boolean, attribute: 'check-session' },
    autoRenew: { type: Boolean, attribute: 'auto-renew' },
    mode: {},
    thirdPartyCheck: { attribute: 'third-party-check' },
    dpop: { type: Boolean },
  };

  /** OpenID issuer URL; endpoints come from `<issuer>/.well-known/openid-configuration`. */
  declare issuer: string | null;
  /** Auth0 tenant domain, shorthand for the issuer `https://<domain>/` (sign-out then uses Auth0's `/v2/logout`). */
  declare domain: string | null;
  /** The application's client id at the provider (required). */
  declare clientId: string | null;
  /** The API the access token is for (Auth0's `audience`); when it is an http(s) URL, its origin may receive the token. */
  declare audience: string | null;
  /** Space-separated scopes; `openid` is added when an ID token is asked for. */
  declare scope: string;
  /**
   * `id_token token` (default), `id_token` or `token` (implicit), or `code`: the authorization code flow with PKCE
   * (the code comes back in the fragment and is exchanged at the token endpoint; a refresh token, if the provider
   * issues one, renews without an iframe). Unknown values fall back to the default.
   */
  declare responseType: 'id_token token' | 'id_token' | 'token' | 'code';
  /** Where the provider sends the response; default: this page without query and fragment. Must be on this origin. */
  declare redirectUri: string | null;
  /**
   * Where the session is kept: `session` (default: this tab), `local` (every tab, survives restarts, so a token
   * stays on the device until it expires or sign-out) or `memory` (this page only). Unknown values mean `session`.
   */
  declare storage: 'session' | 'local' | 'memory';
  /**
   * Space-separated origins, besides this page's and the audience's, that may receive the access token.
   * Every origin listed gets the user's token: list only APIs you trust.
   */
  declare allowedOrigins: string | null;
  /** Allowed clock skew in seconds for ID token times. */
  declare leeway: number;
  /**
   * Where the provider answers a silent sign-in, in a hidden iframe; default: the redirect URI. A light page with
   * just `<auth-callback>` and the script saves loading the whole app in the iframe.
   */
  declare silentRedirectUri: string | null;
  /**
   * When the store has no usable session on page load, try once to sign in silently (the provider session may still
   * be alive). Finding no provider session is expected: no `auth-error` for it.
   */
  declare checkSession: boolean;
  /**
   * Renew the access token silently at its renewal point (a minute before it expires, or at 75 % of a lifetime under
   * four minutes), within the budgets of the README's "Session lifecycle". Recorded with the session, so pages of the
   * site without `<auth-login>` renew it too.
   */
  declare autoRenew: boolean;
  /**
   * `redirect` (default): the page leaves for the provider and comes back. `popup`: the provider opens in a popup
   * and this page stays (its answer page, `silent-redirect-uri` or the redirect URI, needs `<auth-callback>`).
   */
  declare mode: 'redirect' | 'popup';
  /**
   * The provider's third-party-cookie check page (Keycloak: `<issuer>/protocol/openid-connect/3p-cookies/step1.html`).
   * When it says this browser blocks the provider's cookies in iframes, silent sign-in (`check-session`, `auto-renew`,
   * `loginSilently()`) is not tried and fails at once with `third_party_cookies_blocked`.
   */
  declare thirdPartyCheck: string | null;
  /**
   * Bind the tokens to this browser with DPoP (RFC 9449), for `response-type="code"` only (with an implicit response
   * type, sign-in fails with `invalid_config`): a key pair that cannot be exported, kept in IndexedDB per store,
   * signs a proof for the code exchange, every refresh and every `<auth-fetch>` request; a stolen token is useless
   * without it. The provider must answer `token_type` DPoP (a Bearer answer is refused, `invalid_response`).
   */
  declare dpop: boolean;

  constructor() {
    super('Sign in', () => this.login(), true);
    this.issuer = this.domain = this.clientId = this.audience = this.redirectUri = this.allowedOrigins = null;
    this.scope = 'openid profile';
    this.responseType = 'id_token token';
    this.storage = 'session';
    this.leeway = 60;
    this.silentRedirectUri = this.thirdPartyCheck = null;
    this.checkSession = this.autoRenew = this.dpop = false;
    this.mode = 'redirect';
  }

  protected override firstUpdated(): void {
    // A popup opens in the click's user activation (a few seconds in browsers): its code is loaded beforehand.
    if (this.mode === 'popup') void popup().catch(() => {});
    // Once per page and store, and only once the page's own response (on the redirect page) is stored; requests of
    // `<auth-fetch>` wait for it in turn.
    if (this.checkSession) checkSession(this.storeController.store, this, this);
  }

  protected override updated(): void {
    // As protocol/authorize.ts reads them: response-type's words in any order, the first entry the fallback.
    checkEnum(this, 'response-type', this.responseType?.match(/\S+/g)?.sort().join(' '), ['id_token token', 'id_token', 'token', 'code']);
    checkEnum(this, 'storage', this.storage, ['session', 'local', 'memory']);
    checkEnum(this, 'mode', this.mode, ['redirect', 'popup']);
  }

  /**
   * Starts sign-in: records the pending sign-in, discovers the provider, fires `auth-login`, then leaves for the
   * provider unless that event was canceled. With `mode="popup"` the provider opens in a popup instead (call this in
   * a click handler, or the browser may block it) and the session is stored when it answers. Resolves with the
   * authorize URL, or `undefined` when it failed.
   */
  login(): Promise<string | undefined> {
    // The sign-in code (src/session/login.ts) is loaded with the protocol it needs.
    return this.run(async () => (await loadChunk(import('../session/login.js'))).login(this));
  }

  /**
   * Signs in without showing the provider: with the store's refresh token when it holds one (the refresh token
   * grant, no iframe), else `prompt=none` in a hidden iframe with the stored ID token as `id_token_hint` (one renewal
   * at a time per store, shared with the store's lifecycle and other tabs); then stores the session and
   * fires `auth-signed-in`, or fires `auth-error` (`login_required` when the provider session is gone; `invalid_grant`
   * when the provider refuses the refresh token, revoked or used twice, which also clears the session). Resolves with
   * whether it worked.
   */
  async loginSilently(): Promise<boolean> {
    try {
      return await (await lifecycleOf(this.storeController.store)).renew(this, this);
    } catch (error) {
      // The renewal code could not be loaded (`network_error`).
      this.dispatchEvent(new AuthErrorEvent(errorDetail(error)));
      return false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-login': AuthLoginElement;
  }
}

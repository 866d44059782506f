import type { AuthErrorCode, AuthErrorDetail } from './protocol/errors.js';
import type { IdTokenClaims } from './protocol/id-token.js';

// Every auth-* event bubbles and is composed, so a page can listen once on `document`. That makes `detail` public
// to the whole page: it never carries a token; listeners read tokens from the store they name.
const options = { bubbles: true, composed: true } as const;

/** `auth-login` detail: the authorize URL the page is about to leave for. */
export interface AuthLoginDetail {
  url: string;
}

/** `auth-signed-in` detail. */
export interface AuthSignedInDetail {
  /** The store the session went into. */
  store: string;
  /** The validated ID token's claims, when the response had an ID token. */
  claims?: IdTokenClaims;
  /** Granted scope. */
  scope: string;
  /** When the access token expires (ms since the epoch), when known. */
  expiresAt?: number;
}

/** `auth-signed-out` detail. */
export interface AuthSignedOutDetail {
  store: string;
  /**
   * `true` when `<auth-callback>` fires it on the `return-to` page: the provider sent the browser back with the `state`
   * of the sign-out this tab sent it, so the provider session ended. Absent on `<auth-logout>`'s event.
   */
  provider?: true;
  /**
   * `<auth-logout>`'s event: the tokens the provider confirmed revoked (RFC 7009) before the store was cleared, refresh
   * token first; empty when none was (no `revocation_endpoint`, an access token the provider cannot revoke, `no-revoke`,
   * a failure). Absent on `<auth-callback>`'s event.
   */
  revoked?: ('refresh_token' | 'access_token')[];
  /** `<auth-logout>`'s event, when revocation failed (`network_error`, `timeout`, `http_error`, …): the store was cleared anyway. */
  revocationError?: Pick<AuthErrorDetail, 'error' | 'errorDescription'>;
}

/** `auth-expiring` and `auth-expired` detail. */
export interface AuthExpiryDetail {
  store: string;
  /** When the access token expires (or expired), in ms since the epoch. */
  expiresAt: number;
  /** `auth-expired` only: why the last renewal failed (`login_required`, `timeout`, …), when one was tried. */
  error?: AuthErrorCode | (string & {});
}

/** `auth-response` detail: the API's answer. */
export interface AuthResponseDetail<T = unknown> {
  status: number;
  ok: boolean;
  data: T;
}

export type { AuthErrorDetail };

/** Fired just before the page leaves for the provider; cancelable (the page then stays, and can use `detail.url`). */
export class AuthLoginEvent extends CustomEvent<AuthLoginDetail> {
  constructor(detail: AuthLoginDetail) {
    super('auth-login', { ...options, cancelable: true, detail });
  }
}

/** Fired when a response was validated and its session stored. */
export class AuthSignedInEvent extends CustomEvent<AuthSignedInDetail> {
  constructor(detail: AuthSignedInDetail) {
    super('auth-signed-in', { ...options, detail });
  }
}

/**
 * Fired by `<auth-logout>` when a store was signed out; cancelable (the page then does not leave for the provider's
 * sign-out). Fired again, with `provider: true` and not cancelable, by `<auth-callback>` when the provider comes back
 * from that sign-out.
 */
export class AuthSignedOutEvent extends CustomEvent<AuthSignedOutDetail> {
  constructor(detail: AuthSignedOutDetail) {
    super('auth-signed-out', { ...options, cancelable: !detail.provider, detail });
  }
}

/** Fired by `<auth-login>` a minute before its store's access token expires (before an `auto-renew` renewal). */
export class AuthExpiringEvent extends CustomEvent<AuthExpiryDetail> {
  constructor(detail: AuthExpiryDetail) {
    super('auth-expiring', { ...options, detail });
  }
}

/** Fired by `<auth-login>` when its store's access token expired and no renewal succeeded. */
export class AuthExpiredEvent extends CustomEvent<AuthExpiryDetail> {
  constructor(detail: AuthExpiryDetail) {
    super('auth-expired', { ...options, detail });
  }
}

/** Fired for every failure: the provider's error codes pass through, the library's own are listed in `AuthErrorCode`. */
export class AuthErrorEvent extends CustomEvent<AuthErrorDetail> {
  constructor(detail: AuthErrorDetail) {
    super('auth-error', { ...options, detail });
  }
}

/** Fired when `<auth-fetch>` got a successful (2xx) answer. */
export class AuthResponseEvent<T = unknown> extends CustomEvent<AuthResponseDetail<T>> {
  constructor(detail: AuthResponseDetail<T>) {
    super('auth-response', { ...options, detail });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'auth-login': AuthLoginEvent;
    'auth-signed-in': AuthSignedInEvent;
    'auth-signed-out': AuthSignedOutEvent;
    'auth-expiring': AuthExpiringEvent;
    'auth-expired': AuthExpiredEvent;
    'auth-error': AuthErrorEvent;
    'auth-response': AuthResponseEvent;
  }
}

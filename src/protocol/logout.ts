import { fresh, savePending, takePending } from './authorize.js';
import type { Session } from './callback.js';
import { discover, secureUrl } from './discovery.js';
import { randomToken } from './encoding.js';
import { attempt, fail } from './errors.js';
import type { RequestOptions } from './http.js';

/**
 * A sign-out sent to the provider's `end_session_endpoint`, kept in this tab's sessionStorage until the provider sends
 * the browser back to `returnTo` with its `state`: taken once, within 10 minutes (`TRANSACTION_LIFETIME`, as a pending sign-in).
 */
export interface PendingLogout {
  state: string;
  /** The store signed out (its session, and those of the same issuer and client, were cleared before leaving). */
  store: string;
  issuer: string;
  /** The `post_logout_redirect_uri` (absolute). */
  returnTo: string;
  /** `Date.now()` when the sign-out started. */
  createdAt: number;
}

const LOGOUT_PREFIX = 'auth-elements:logout:';

/**
 * Where to send the user to end the provider session and come back to `returnTo`: Auth0's `/v2/logout` for a
 * `domain` session, else the issuer's `end_session_endpoint` with `id_token_hint` (sent to the issuer that minted
 * it, as the spec requires), `post_logout_redirect_uri`, `client_id` and a fresh 256-bit `state`, kept as a
 * {@link PendingLogout} of `store` (some providers redirect back only when `state` is present; it comes back on
 * `returnTo`, see {@link takeLogoutReturn}). Where sessionStorage refuses it, the state is sent all the same (the
 * return is then not recognised; the sign-out is not held up for it). Without a session, or when the provider has no
 * such endpoint, it is `returnTo` itself, which must be on this page's origin (else `invalid_config`).
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function endSessionUrl(session: Session | null, returnTo: string, options: RequestOptions = {}, store = 'default'): Promise<string> {
  const back = secureUrl(returnTo, 'return-to URL', location.href).href;
  // Only back to this site: never an open redirect, whether the provider or this page does the navigation.
  if (!back.startsWith(location.origin + '/')) fail('invalid_config', `return-to ${back} is not on ${location.origin}`);
  if (!session) return back;
  let url: URL;
  const params: Record<string, string | undefined> = { client_id: session.clientId };
  if (session.auth0) {
    url = new URL('v2/logout', session.issuer);
    params.returnTo = back;
  } else {
    const { issuer } = session;
    const endpoint = (await discover(issuer, options)).end_session_endpoint;
    if (!endpoint) return back;
    url = secureUrl(endpoint, 'end_session_endpoint');
    const pending: PendingLogout = { state: randomToken(), store, issuer, returnTo: back, createdAt: Date.now() };
    attempt(() => savePending(LOGOUT_PREFIX, pending));
    params.id_token_hint = session.idToken;
    params.post_logout_redirect_uri = back;
    params.state = pending.state;
  }
  for (const [name, value] of Object.entries(params)) if (value) url.searchParams.set(name, value);
  return url.href;
}

/**
 * The provider's return from a sign-out this tab sent it (RP-Initiated Logout section 3): when `page`'s query has
 * exactly one `state` and it names a {@link PendingLogout} (exact match, unexpired, not from the future), that
 * sign-out, taken from storage (single use), with the address to show instead: `page` without its `state`, the rest
 * of the query and the fragment kept as written. Anything else (no state, a page's own `?state=`, a wrong, expired,
 * used or repeated one) is `undefined` and changes nothing but marking a pending sign-out used.
 */
export function takeLogoutReturn(page: Location | URL = location, now = Date.now()): { logout: PendingLogout; url: string } | undefined {
  const url = new URL(page.href);
  const [state, twice] = url.searchParams.getAll('state');
  const logout = state && twice === undefined ? attempt(() => takePending<PendingLogout>(LOGOUT_PREFIX + state)) : undefined;
  if (logout && logout.state === state && typeof logout.store === 'string' && fresh(logout.createdAt!, now)) {
    // The rest of the query as written (not re-encoded by URLSearchParams); a state of this library is base64url.
    url.search = url.search.slice(1).split('&').filter((part) => !part.startsWith('state=')).join('&');
    return { logout: logout as PendingLogout, url: url.href };
  }
  return undefined;
}

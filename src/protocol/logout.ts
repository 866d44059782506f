import type { Session } from './callback.js';
import { discover, secureUrl } from './discovery.js';
import { fail } from './errors.js';
import type { RequestOptions } from './http.js';

/**
 * Where to send the user to end the provider session and come back to `returnTo`: Auth0's `/v2/logout` for a
 * `domain` session, else the issuer's `end_session_endpoint` with `id_token_hint` (sent to the issuer that minted
 * it, as the spec requires), `post_logout_redirect_uri` and `client_id`. Without a session, or when the provider has
 * no such endpoint, it is `returnTo` itself, which must be on this page's origin (else `invalid_config`).
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function endSessionUrl(session: Session | null, returnTo: string, options: RequestOptions = {}): Promise<string> {
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
    const endpoint = (await discover(session.issuer, options)).end_session_endpoint;
    if (!endpoint) return back;
    url = secureUrl(endpoint, 'end_session_endpoint');
    params.id_token_hint = session.idToken;
    params.post_logout_redirect_uri = back;
  }
  for (const [name, value] of Object.entries(params)) if (value) url.searchParams.set(name, value);
  return url.href;
}

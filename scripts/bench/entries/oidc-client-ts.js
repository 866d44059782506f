// oidc-client-ts: the authorization code flow with PKCE (version 3 has no implicit grant). Sign-in:
// UserManager#signinRedirect; callback: signinRedirectCallback (state, the token request, the ID token's claims;
// no signature check), the user kept in sessionStorage; each request reads it back with getUser().
import { UserManager } from 'oidc-client-ts';

export function construct(config) {
  return new UserManager({ authority: config.provider, client_id: config.clientId, redirect_uri: config.redirectUri, response_type: 'code', scope: config.scope });
}

export function signIn(config) {
  return construct(config).signinRedirect();
}

export async function callback(config) {
  const client = construct(config);
  const user = await client.signinRedirectCallback();
  return { client, accessToken: user.access_token };
}

export async function token(client) {
  return (await client.getUser()).access_token;
}

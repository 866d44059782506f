// @auth0/auth0-spa-js: the authorization code flow with PKCE (it has no implicit grant). Sign-in: loginWithRedirect;
// callback: handleRedirectCallback (state, the token request to <domain>/oauth/token, the ID token's claims: iss,
// aud, nonce, exp; it does not check the signature), tokens in its in-memory cache; each request asks
// getTokenSilently(), which answers from that cache.
import { Auth0Client } from '@auth0/auth0-spa-js';

export function construct(config) {
  return new Auth0Client({
    domain: config.provider,
    clientId: config.clientId,
    authorizationParams: { redirect_uri: config.redirectUri, scope: config.scope },
  });
}

export function signIn(config) {
  return construct(config).loginWithRedirect();
}

export async function callback(config) {
  const client = construct(config);
  await client.handleRedirectCallback();
  return { client, accessToken: await client.getTokenSilently() };
}

export function token(client) {
  return client.getTokenSilently();
}

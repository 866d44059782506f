// @auth0/auth0-spa-js: sign-in (loginWithRedirect) and callback (handleRedirectCallback). It has no implicit grant
// (authorization code flow with PKCE only), so this is its closest sign-in + callback path.
import { createAuth0Client } from '@auth0/auth0-spa-js';

export async function signIn(options) {
  const client = await createAuth0Client(options);
  await client.loginWithRedirect();
}

export async function callback(options) {
  const client = await createAuth0Client(options);
  return client.handleRedirectCallback();
}

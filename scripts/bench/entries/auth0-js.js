// auth0-js: the implicit grant. Sign-in: WebAuth#authorize (state and nonce kept in its transaction storage);
// callback: WebAuth#parseHash, which checks state and nonce and validates the ID token (RS256 signature against the
// JWKS, iss, aud, exp, at_hash). `overrides` point it at the loopback provider instead of an Auth0 tenant.
import { WebAuth } from 'auth0-js';

/** The client, as an app would construct it. */
export function construct(config) {
  return new WebAuth({
    domain: config.provider,
    clientID: config.clientId,
    redirectUri: config.redirectUri,
    responseType: 'id_token token',
    scope: config.scope,
    overrides: { __tenant: 'bench', __token_issuer: config.issuer, __jwks_uri: `${config.provider}/jwks` },
  });
}

export function signIn(config) {
  construct(config).authorize();
}

/** Handles the response in the URL; auth0-js keeps no session, so the app stores the result (sessionStorage here). */
export function callback(config) {
  const client = construct(config);
  return new Promise((resolve, reject) => {
    client.parseHash({ hash: location.hash }, (error, result) => {
      if (error || !result) return reject(new Error(error ? JSON.stringify(error) : 'no result'));
      sessionStorage.setItem('bench:auth0-js', JSON.stringify(result));
      resolve({ client, accessToken: result.accessToken });
    });
  });
}

/** No per-request API: auth0-js hands the tokens over and keeps nothing. */
export const token = undefined;

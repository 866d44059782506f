// keycloak-js: the implicit grant (`flow: 'implicit'`) against a generic OpenID provider (`oidcProvider`, found by
// discovery). init() handles the response in the URL: state, then the nonce of the ID token (it does not check the
// signature); tokens are kept in memory. Each request checks isTokenExpired() first (updateToken() needs a refresh
// token, which the implicit grant has not).
import Keycloak from 'keycloak-js';

const INIT = { flow: 'implicit', checkLoginIframe: false };

export function construct(config) {
  return new Keycloak({ clientId: config.clientId, oidcProvider: config.provider });
}

export async function signIn(config) {
  const client = construct(config);
  await client.init(INIT);
  return client.login({ redirectUri: config.redirectUri, scope: config.scope });
}

export async function callback(config) {
  const client = construct(config);
  if (!(await client.init(INIT))) throw new Error('keycloak-js: not authenticated after init');
  return { client, accessToken: client.token };
}

export function token(client) {
  if (client.isTokenExpired(5)) throw new Error('keycloak-js: token expired');
  return client.token;
}

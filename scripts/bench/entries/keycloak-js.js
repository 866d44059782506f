// keycloak-js: init with the implicit flow (which also handles the callback in the URL fragment), then login.
import Keycloak from 'keycloak-js';

export async function signIn(config) {
  const keycloak = new Keycloak(config);
  await keycloak.init({ flow: 'implicit' });
  return keycloak.login();
}

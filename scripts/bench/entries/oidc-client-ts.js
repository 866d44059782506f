// oidc-client-ts: sign-in by redirect (UserManager#signinRedirect) and its callback (signinRedirectCallback, or
// signinCallback which picks the kind of callback itself). Version 3 only does the authorization code flow with PKCE.
import { UserManager } from 'oidc-client-ts';

export function signIn(settings) {
  return new UserManager(settings).signinRedirect();
}

export function callback(settings) {
  return new UserManager(settings).signinRedirectCallback();
}

export function anyCallback(settings) {
  return new UserManager(settings).signinCallback();
}

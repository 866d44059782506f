/**
 * auth-elements: custom elements for the OAuth 2.0 / OpenID Connect implicit grant and the authorization code flow
 * with PKCE.
 * This entry exports the classes and the API without defining any tag; import `auth-elements/define` for that.
 */
export { AuthLoginElement } from './elements/auth-login.js';
export { AuthCallbackElement } from './elements/auth-callback.js';
export { AuthFetchElement } from './elements/auth-fetch.js';
export { AuthLogoutElement } from './elements/auth-logout.js';
export { AuthUserElement } from './elements/auth-user.js';
export * from './events.js';
export { AuthError, type AuthErrorCode } from './protocol/errors.js';
export { getStore, TokenStore, type StoreListener } from './store/token-store.js';
export type { Session } from './protocol/callback.js';
export type { IdTokenClaims } from './protocol/id-token.js';
export type { ResponseType, StorageKind, SignInConfig } from './protocol/authorize.js';
export { startSignIn } from './protocol/authorize.js';
export { silentSignIn } from './protocol/silent.js';
export { handleResponse, refreshSession } from './protocol/callback.js';
export { parseFragment } from './protocol/fragment.js';
export { validateIdToken } from './protocol/id-token.js';
export { callApi } from './protocol/request.js';
export { clearDiscoveryCache } from './protocol/caches.js';

/**
 * The CDN entry (dist/auth-elements.js): defines every element and exports the whole API. What every page runs is in
 * the entry; the protocol functions below are loaded when first called (chunks beside the entry), so a page that only
 * uses the tags does not pay for them. Each has the signature of the function of the same name in `auth-elements`.
 */
import './define.js';
import type * as Authorize from './protocol/authorize.js';
import type * as Callback from './protocol/callback.js';
import type * as IdToken from './protocol/id-token.js';
import type * as Request from './protocol/request.js';
import type * as Silent from './protocol/silent.js';
import { loadChunk } from './protocol/errors.js';

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
export { parseFragment } from './protocol/fragment.js';
export { clearDiscoveryCache } from './protocol/caches.js';

export const startSignIn: typeof Authorize.startSignIn = async (...args) => (await loadChunk(import('./protocol/authorize.js'))).startSignIn(...args);
export const silentSignIn: typeof Silent.silentSignIn = async (...args) => (await loadChunk(import('./protocol/silent.js'))).silentSignIn(...args);
export const handleResponse: typeof Callback.handleResponse = async (...args) => (await loadChunk(import('./protocol/callback.js'))).handleResponse(...args);
export const refreshSession: typeof Callback.refreshSession = async (...args) => (await loadChunk(import('./protocol/callback.js'))).refreshSession(...args);
export const validateIdToken: typeof IdToken.validateIdToken = async (...args) => (await loadChunk(import('./protocol/id-token.js'))).validateIdToken(...args);
export const callApi: typeof Request.callApi = async (...args) => (await loadChunk(import('./protocol/request.js'))).callApi(...args);

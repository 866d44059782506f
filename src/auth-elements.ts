/**
 * The CDN entry (dist/auth-elements.js): defines every element and exports the whole API. What every page runs is in
 * the entry; the protocol functions below are loaded when first called (chunks beside the entry), so a page that only
 * uses the tags does not pay for them. Each has the signature of the function of the same name in `auth-elements`.
 */
import './define.js';
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

type Api = typeof import('./session/api.js');

/** `name` of the API chunk, loaded on the first call (a failure to load it is `network_error`, tried again next time). */
const lazy = <K extends keyof Api>(name: K) => (async (...args: unknown[]) => ((await loadChunk(import('./session/api.js')))[name] as (...args: unknown[]) => unknown)(...args)) as Api[K];

export const startSignIn = lazy('startSignIn');
export const silentSignIn = lazy('silentSignIn');
export const handleResponse = lazy('handleResponse');
export const refreshSession = lazy('refreshSession');
export const validateIdToken = lazy('validateIdToken');
export const callApi = lazy('callApi');

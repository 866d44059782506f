// The protocol functions of the CDN entry's API (src/auth-elements.ts), loaded together on the first call of one.
export { startSignIn } from '../protocol/authorize.js';
export { silentSignIn } from '../protocol/silent.js';
export { handleResponse, refreshSession } from '../protocol/callback.js';
export { validateIdToken } from '../protocol/id-token.js';
export { callApi } from '../protocol/request.js';

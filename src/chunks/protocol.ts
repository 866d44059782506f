/**
 * The protocol chunk: what a page that signs in or is signed in runs (the sign-in request, the callback's checks,
 * discovery and keys, the session lifecycle, popup and silent sign-in, the code flow, API calls). Every element and
 * the API load it through this one module with `import()`, so a bundler builds it as one lazy chunk (with a few
 * shared files at most), as the CDN build does, instead of a file for each part; a page loads it on its first need.
 */
export { startSignIn } from '../protocol/authorize.js';
export { popupSignIn, silentSignIn } from '../protocol/silent.js';
export { handleResponse, refreshSession } from '../protocol/callback.js';
export { validateIdToken } from '../protocol/id-token.js';
export { callApi } from '../protocol/request.js';
export { login } from '../session/login.js';
export { complete } from '../session/response.js';
export { Lifecycle } from '../session/lifecycle.js';
export { formRequest, run, signedOut } from '../elements/fetch-request.js';

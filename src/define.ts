import { AuthCallbackElement } from './elements/auth-callback.js';
import { AuthFetchElement } from './elements/auth-fetch.js';
import { AuthLoginElement } from './elements/auth-login.js';
import { AuthLogoutElement } from './elements/auth-logout.js';
import { AuthUserElement } from './elements/auth-user.js';

// Idempotent: a tag already defined (this module loaded twice, or by another copy) is left as it is.
// Tags are literals so the manifest analyzer can link each class to its tag name.
// On a server without a registry (Node, the one-file bundle) this does nothing: the tags upgrade in the browser.
// (Lit's Node build installs the registry shim of @lit-labs/ssr-dom-shim; the tags are then defined there.)
if (typeof customElements != 'undefined') {
  if (!customElements.get('auth-login')) customElements.define('auth-login', AuthLoginElement);
  if (!customElements.get('auth-callback')) customElements.define('auth-callback', AuthCallbackElement);
  if (!customElements.get('auth-fetch')) customElements.define('auth-fetch', AuthFetchElement);
  if (!customElements.get('auth-logout')) customElements.define('auth-logout', AuthLogoutElement);
  if (!customElements.get('auth-user')) customElements.define('auth-user', AuthUserElement);
}

// Defines every element. Idempotent: a tag already defined (this module loaded twice, or by another copy) is left as it
// is. Tags are literals so the manifest analyzer can link each class to its tag name. On a server without a registry
// (Node, the CDN bundle) this does nothing: the tags upgrade in the browser. (Lit's Node build installs the registry
// shim of @lit-labs/ssr-dom-shim; the tags are then defined there.) Each tag alone: `auth-elements/<tag>`.
import './define/auth-login.js';
import './define/auth-callback.js';
import './define/auth-fetch.js';
import './define/auth-logout.js';
import './define/auth-user.js';

/** Defines `<auth-callback>` alone (`import 'auth-elements/auth-callback'`): a bundle takes only the elements a page uses. */
import { AuthCallbackElement } from '../elements/auth-callback.js';

// Idempotent, and nothing on a server without a registry (see src/define.ts).
if (typeof customElements != 'undefined' && !customElements.get('auth-callback')) customElements.define('auth-callback', AuthCallbackElement);

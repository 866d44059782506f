/** Defines `<auth-user>` alone (`import 'auth-elements/auth-user'`): a bundle takes only the elements a page uses. */
import { AuthUserElement } from '../elements/auth-user.js';

// Idempotent, and nothing on a server without a registry (see src/define.ts).
if (typeof customElements != 'undefined' && !customElements.get('auth-user')) customElements.define('auth-user', AuthUserElement);

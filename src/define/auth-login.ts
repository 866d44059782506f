/** Defines `<auth-login>` alone (`import 'auth-elements/auth-login'`): a bundle takes only the elements a page uses. */
import { AuthLoginElement } from '../elements/auth-login.js';

// Idempotent, and nothing on a server without a registry (see src/define.ts).
if (typeof customElements != 'undefined' && !customElements.get('auth-login')) customElements.define('auth-login', AuthLoginElement);

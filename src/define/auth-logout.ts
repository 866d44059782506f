/** Defines `<auth-logout>` alone (`import 'auth-elements/auth-logout'`): a bundle takes only the elements a page uses. */
import { AuthLogoutElement } from '../elements/auth-logout.js';

// Idempotent, and nothing on a server without a registry (see src/define.ts).
if (typeof customElements != 'undefined' && !customElements.get('auth-logout')) customElements.define('auth-logout', AuthLogoutElement);

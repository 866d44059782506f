/** Defines `<auth-fetch>` alone (`import 'auth-elements/auth-fetch'`): a bundle takes only the elements a page uses. */
import { AuthFetchElement } from '../elements/auth-fetch.js';

// Idempotent, and nothing on a server without a registry (see src/define.ts).
if (typeof customElements != 'undefined' && !customElements.get('auth-fetch')) customElements.define('auth-fetch', AuthFetchElement);

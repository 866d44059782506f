/**
 * The sign-out chunk: sign-out at the provider (token revocation, the end-session URL) and the return from it, loaded
 * through this one module on the click of `<auth-logout>` or on the page it returns to (see src/chunks/protocol.ts).
 */
export { signOut } from '../session/sign-out.js';
export { takeLogoutReturn } from '../protocol/logout.js';

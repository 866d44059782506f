import { AuthErrorEvent, AuthSignedOutEvent, type AuthSignedOutDetail } from '../events.js';
import type { AuthLogoutElement } from '../elements/auth-logout.js';
import { errorDetail, loadChunk, type AuthError } from '../protocol/errors.js';
import { endSessionUrl } from '../protocol/logout.js';
import { revokeTokens } from '../protocol/revoke.js';
import { storages } from '../store/storage.js';
import { getStore, KEY_PREFIX, type TokenStore } from '../store/token-store.js';

/**
 * `<auth-logout>`'s `logout()`, loaded on the click (the `logout` chunk): revokes the session's tokens (unless
 * `no-revoke`; bounded in time, and never in the way: a failure is reported, not waited for), clears the store (and
 * the stores of the same provider session, and the DPoP keys of those sessions), fires `auth-signed-out`, then, with
 * `return-to`, leaves for the provider's sign-out endpoint unless that event was canceled. Resolves with that URL, or
 * `undefined` when only the local session ended.
 */
export async function signOut(host: AuthLogoutElement, store: TokenStore): Promise<string | undefined> {
  const { session } = store;
  const detail: AuthSignedOutDetail = { store: store.name, revoked: [] };
  let failure: AuthError | undefined;
  if (session && !host.noRevoke) {
    const result = await revokeTokens(session, store.refreshToken);
    detail.revoked = result.revoked;
    if ((failure = result.error)) detail.revocationError = { error: failure.code, errorDescription: failure.message };
  }
  store.clear();
  // The provider session ends for every store signed in with it (RP-initiated logout ends the whole session).
  const bound = session ? clearSessionsOf(session.issuer, session.clientId) : [];
  if (session?.dpopJkt) bound.push(store.name);
  // DPoP keys go with the sessions they bound (the next sign-in makes a new one); awaited, since leaving for the
  // provider could cut IndexedDB's write short. A refusal is told, and signs out all the same.
  if (bound.length) {
    await loadChunk(import('../protocol/dpop.js')).then(({ deleteDpopKey }) => Promise.all(bound.map(deleteDpopKey))).catch((error: AuthError) => (failure ??= error));
  }
  const leave = host.dispatchEvent(new AuthSignedOutEvent(detail));
  if (failure) host.dispatchEvent(new AuthErrorEvent(errorDetail(failure)));
  if (!host.returnTo) return undefined;
  const url = await endSessionUrl(session, host.returnTo, {}, store.name);
  if (leave) location.assign(url);
  return url;
}

/**
 * Signs out every store, on this page or only in storage, whose session is from `issuer` for `clientId`; returns
 * the names of those whose tokens were DPoP-bound (their keys are to go too).
 */
function clearSessionsOf(issuer: string, clientId: string): string[] {
  const bound: string[] = [];
  for (const adapter of Object.values(storages)) {
    for (const key of adapter.keys()) {
      const store = key.startsWith(KEY_PREFIX) && getStore(key.slice(KEY_PREFIX.length));
      const session = store && store.session;
      if (session && session.issuer === issuer && session.clientId === clientId) {
        if (session.dpopJkt) bound.push(store.name);
        store.clear();
      }
    }
  }
  return bound;
}

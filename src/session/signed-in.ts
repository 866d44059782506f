import { AuthErrorEvent, AuthSignedInEvent } from '../events.js';
import type { Transaction } from '../protocol/authorize.js';
import type { Session } from '../protocol/callback.js';
import { errorDetail } from '../protocol/errors.js';
import { getStore, type TokenStore } from '../store/token-store.js';

/**
 * Stores a validated session in the store its sign-in named and announces it with `auth-signed-in` from `target`.
 * When its storage refused it (the store then holds it in this page's memory, signed in all the same), an
 * `auth-error` `storage_unavailable` follows from `target`.
 */
export function storeSession(target: EventTarget, { session, transaction }: { session: Session; transaction: Transaction }): TokenStore {
  const store = getStore(transaction.store);
  const refused = store.set(session, transaction.storage);
  target.dispatchEvent(new AuthSignedInEvent({ store: store.name, claims: session.claims, scope: session.scope, expiresAt: session.expiresAt }));
  if (refused) target.dispatchEvent(new AuthErrorEvent(errorDetail(refused)));
  return store;
}

import { AuthSignedInEvent } from '../events.js';
import type { Transaction } from '../protocol/authorize.js';
import type { Session } from '../protocol/callback.js';
import { getStore, type TokenStore } from '../store/token-store.js';

/** Stores a validated session in the store its sign-in named and announces it with `auth-signed-in` from `target`. */
export function storeSession(target: EventTarget, { session, transaction }: { session: Session; transaction: Transaction }): TokenStore {
  const store = getStore(transaction.store);
  store.set(session, transaction.storage);
  target.dispatchEvent(new AuthSignedInEvent({ store: store.name, claims: session.claims, scope: session.scope, expiresAt: session.expiresAt }));
  return store;
}

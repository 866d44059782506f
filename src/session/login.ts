import { AuthLoginEvent } from '../events.js';
import { startSignIn } from '../protocol/authorize.js';
import { popupSignIn } from '../protocol/silent.js';
import type { AuthLoginElement } from '../elements/auth-login.js';
import { storeSession } from './signed-in.js';

/**
 * `<auth-login>`'s `login()`, loaded with the sign-in code (in the protocol chunk, which a `mode="popup"` button
 * preloads so that the popup still opens in the click's user activation): fires `auth-login`, then leaves for the
 * provider unless it was canceled, or with `mode="popup"` opens the provider in a popup and stores the session when
 * it answers. Resolves with the authorize URL (`undefined` if none was made); throws what failed.
 */
export async function login(host: AuthLoginElement): Promise<string | undefined> {
  let url: string | undefined;
  const proceed = (to: string) => host.dispatchEvent(new AuthLoginEvent({ url: (url = to) }));
  if (host.mode === 'popup') {
    // Synchronously, in the click's user activation: the popup opens before any await.
    const result = await popupSignIn(host, proceed);
    if (result) storeSession(host, result);
  } else {
    const started = await startSignIn(host);
    if (proceed(started.url)) location.assign(started.url);
  }
  return url;
}

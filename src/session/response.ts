import { AuthSignedOutEvent } from '../events.js';
import { handOff, MESSAGE_KEY } from '../protocol/authorize.js';
import { handleResponse } from '../protocol/callback.js';
import { loadChunk } from '../protocol/errors.js';
import { storeSession } from './signed-in.js';

/**
 * What `<auth-callback>` does once the page's URL had a sign-in response in its fragment (`params`, parsed from
 * `fragment`, already removed from the address bar) or a `state` in its query, loaded only then. Back from
 * `<auth-logout>`'s sign-out with the state this tab sent, the state leaves the address bar (after the fragment, which
 * went first) and `host` fires `auth-signed-out`. Then, with a response: in the hidden iframe of a silent sign-in or
 * in a sign-in popup, hands the raw response to the page that opened it (on this origin only; that page checks it; a
 * popup then closes); otherwise checks it, stores the session (`auth-signed-in` from `host`) and returns to the page
 * where sign-in started. Resolves with `true` when this page stays and has finished; throws what failed.
 */
export async function complete(host: EventTarget, fragment: string, params: Record<string, string> | null): Promise<boolean> {
  // The sign-out code (its own chunk) only for a query with a `state`.
  const ended = /[?&]state=/.test(location.search) && (await loadChunk(import('../protocol/logout.js'))).takeLogoutReturn();
  if (ended) {
    history.replaceState(history.state, '', ended.url);
    host.dispatchEvent(new AuthSignedOutEvent({ store: ended.logout.store, provider: true }));
  }
  if (!params) return true;
  const via = handOff(params.state);
  const opener = via === 'silent' ? parent !== window && parent : via === 'popup' && window.opener as Window | null;
  if (opener) {
    opener.postMessage({ [MESSAGE_KEY]: fragment }, location.origin);
    if (via === 'popup') close();
    return false;
  }
  const result = await handleResponse(params);
  storeSession(host, result);
  const back = new URL(result.transaction.returnTo);
  // returnTo was recorded by createTransaction on this origin; the response cannot choose it.
  if (back.origin === location.origin && back.pathname + back.search !== location.pathname + location.search) {
    location.replace(back.href);
    return false;
  }
  return true;
}

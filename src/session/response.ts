import { handOff, MESSAGE_KEY } from '../protocol/authorize.js';
import { handleResponse } from '../protocol/callback.js';
import { storeSession } from './signed-in.js';

/**
 * What `<auth-callback>` does with a sign-in response in the fragment (`params`, parsed from `fragment`), loaded only
 * on a page that has one: in the hidden iframe of a silent sign-in or in a sign-in popup, hands the raw response to
 * the page that opened it (on this origin only; that page checks it; a popup then closes); otherwise checks it,
 * stores the session (`auth-signed-in` from `host`) and returns to the page where sign-in started. Resolves with
 * `true` when this page stays and has finished; throws what failed.
 */
export async function handle(host: EventTarget, fragment: string, params: Record<string, string>): Promise<boolean> {
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

import { MESSAGE_KEY, startSignIn, TRANSACTION_LIFETIME, type SignInConfig, type Transaction } from './authorize.js';
import { handleResponse, parseFragment, refreshSession, type Session } from './callback.js';
import { secureUrl } from './discovery.js';
import { AuthError, fail } from './errors.js';

export { MESSAGE_KEY };

type Result = { session: Session; transaction: Transaction };

const inflight = new Map<string, Promise<Result>>();

/**
 * Silent authentication: `/authorize` with `prompt=none` in a hidden iframe, with the same state, nonce (and, for the
 * code flow, PKCE) and validation as an interactive sign-in. The iframe's `<auth-callback>` hands the fragment back
 * by `postMessage`. The provider's `login_required`, `consent_required` or `interaction_required` pass through; no
 * answer in `timeout` ms gives `timeout`. The iframe is always removed. With `refresh` (the store's session and its
 * refresh token), the refresh token grant renews the session instead, without an iframe. One silent sign-in at a
 * time per store: concurrent callers share it (so a refresh token is never sent twice).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (prompt=none)
 */
export function silentSignIn(config: SignInConfig, timeout = 10_000, refresh?: [Session, string]): Promise<Result> {
  const key = config.store || 'default';
  let running = inflight.get(key);
  if (!running) {
    running = refresh ? refreshSession(config, ...refresh) : inFrame(config, timeout);
    inflight.set(key, running);
    running.finally(() => inflight.delete(key)).catch(() => {});
  }
  return running;
}

/** `prompt=none` in a hidden iframe (after the third-party-cookie check, if any); the iframe is always removed. */
function inFrame(config: SignInConfig, timeout: number): Promise<Result> {
  const frame = hiddenFrame();
  const started = cookiesBlocked(config.thirdPartyCheck, timeout).then((blocked) => {
    if (blocked) fail('third_party_cookies_blocked', 'this browser keeps the provider\'s cookies out of iframes, so silent sign-in cannot work: sign in with a redirect or a popup');
    return startSignIn(config, {}, 'silent');
  });
  return answer(started, frame, timeout, (url) => {
    frame.src = url;
    document.body.append(frame);
  }).finally(() => frame.remove()) as Promise<Result>;
}

const hiddenFrame = () => Object.assign(document.createElement('iframe'), { hidden: true });

const checks = new Map<string, Promise<boolean>>();

/**
 * Whether the browser keeps the provider's cookies out of iframes (third-party cookies blocked), asked once per page
 * of the provider's check page (as keycloak-js does): loaded in a hidden iframe, it posts `supported` or
 * `unsupported`; only that iframe, from the page's origin, is heard. No check page, or no answer: `false` (unknown).
 */
async function cookiesBlocked(url: string | null | undefined, timeout: number): Promise<boolean> {
  if (!url) return false;
  let check = checks.get(url);
  if (!check) {
    const frame = hiddenFrame();
    frame.src = secureUrl(url, 'third-party-check', location.href).href;
    const listeners = new AbortController();
    check = new Promise<boolean>((resolve) => {
      setTimeout(resolve, timeout, false);
      addEventListener('message', (event) => {
        if (event.source === frame.contentWindow && event.origin === new URL(frame.src).origin && /^(un)?supported$/.test(event.data)) resolve(event.data === 'unsupported');
      }, { signal: listeners.signal });
      document.body.append(frame);
    }).finally(() => {
      listeners.abort();
      frame.remove();
    });
    checks.set(url, check);
  }
  return check;
}

/**
 * Sign-in in a popup: must be called in the click (user activation) that asks for it, since the popup is opened at
 * once and sent to the provider once it is discovered. A blocked popup gives `popup_blocked`; a popup the user
 * closes, `popup_closed`; no answer while the sign-in is valid (10 minutes), `timeout`. The popup is always closed.
 * `proceed` is asked with the authorize URL before the popup goes there; false cancels (resolves with `undefined`).
 */
export function popupSignIn(config: SignInConfig, proceed: (url: string) => boolean = () => true): Promise<Result | undefined> {
  // The transaction is saved before the popup opens, so the popup's copy of sessionStorage has it.
  const started = startSignIn(config, {}, 'popup');
  const popup = open('', 'auth-elements:popup', 'popup,width=520,height=680');
  if (!popup) {
    started.catch(() => {});
    return Promise.reject(new AuthError('popup_blocked', 'the browser blocked the sign-in popup: allow popups for this site, or sign in without mode="popup"'));
  }
  let timer: ReturnType<typeof setInterval> | undefined;
  return answer(started, popup, TRANSACTION_LIFETIME, (url, reject) => {
    if (!proceed(url)) return false;
    popup.location.href = url;
    // No event tells that the user closed it: poll (a provider sending Cross-Origin-Opener-Policy also cuts it off).
    timer = setInterval(() => popup.closed && reject(new AuthError('popup_closed', 'the sign-in popup was closed before the provider answered')), 400);
    return true;
  }).finally(() => {
    clearInterval(timer);
    popup.close();
  });
}

/**
 * Waits for the response that `<auth-callback>` in `target` (an iframe or a popup) posts back: only a message from
 * this origin and from that very window is taken (HTML: postMessage security), and its `state` must be this
 * sign-in's; then it is checked like any response. `go` sends the window to the provider; when it returns false
 * (canceled), this resolves with `undefined`.
 */
async function answer(
  started: Promise<{ url: string; transaction: Transaction }>,
  target: HTMLIFrameElement | Window,
  timeout: number,
  go: (url: string, reject: (error: AuthError) => void) => boolean | void,
): Promise<Result | undefined> {
  const { url, transaction } = await started;
  const listeners = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const fragment = await new Promise<string | void>((resolve, reject) => {
      timer = setTimeout(() => reject(new AuthError('timeout', `${transaction.via} sign-in: no answer from the provider in ${timeout} ms`)), timeout);
      const provider = new URL(url);
      addEventListener('message', (event) => {
        const data = event.data as Record<string, unknown> | null;
        if (event.source !== ('contentWindow' in target ? target.contentWindow : target)) return;
        if (event.origin === location.origin && typeof data?.[MESSAGE_KEY] === 'string') resolve(data[MESSAGE_KEY] as string);
        // response_mode=web_message (Auth0): the provider's own page posts `{type, response}` from its origin.
        else if (event.origin === provider.origin && provider.searchParams.get('response_mode') === 'web_message' && data?.type === 'authorization_response') {
          resolve(new URLSearchParams(Object.entries(Object(data.response)).filter(([, value]) => /^(string|number)$/.test(typeof value)) as [string, string][]).toString());
        }
      }, { signal: listeners.signal });
      if (go(url, reject) === false) resolve();
    });
    if (fragment === undefined) return undefined;
    const params = parseFragment(fragment);
    if (params?.state !== transaction.state) fail('invalid_state', 'the answer is not for this sign-in');
    return await handleResponse(params!);
  } finally {
    clearTimeout(timer);
    listeners.abort();
  }
}

import { startSignIn, type SignInConfig } from './authorize.js';
import { handleResponse, parseFragment, type Session } from './callback.js';
import type { Transaction } from './authorize.js';
import { AuthError, fail } from './errors.js';

/** What the hidden iframe's `<auth-callback>` posts to the page that opened it: the raw fragment. */
export const MESSAGE_KEY = 'auth-elements:response';

const inflight = new Map<string, Promise<{ session: Session; transaction: Transaction }>>();

/**
 * Silent authentication: `/authorize` with `prompt=none` in a hidden iframe, with the same state, nonce and
 * validation as an interactive sign-in. The iframe's `<auth-callback>` hands the fragment back by `postMessage`;
 * only a message from this origin and from that very iframe is taken. The provider's `login_required`,
 * `consent_required` or `interaction_required` pass through; no answer in `timeout` ms gives `timeout`. The iframe
 * is always removed. One silent sign-in at a time per store: concurrent callers share it.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest (prompt=none)
 */
export function silentSignIn(config: SignInConfig, timeout = 10_000): Promise<{ session: Session; transaction: Transaction }> {
  const key = config.store || 'default';
  let running = inflight.get(key);
  if (!running) {
    running = run(config, timeout);
    inflight.set(key, running);
    running.finally(() => inflight.delete(key)).catch(() => {});
  }
  return running;
}

async function run(config: SignInConfig, timeout: number): Promise<{ session: Session; transaction: Transaction }> {
  const { url, transaction } = await startSignIn(config, {}, 'none');
  const frame = document.createElement('iframe');
  frame.hidden = true;
  frame.src = url;
  const listeners = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const fragment = await new Promise<string>((resolve, reject) => {
      timer = setTimeout(() => reject(new AuthError('timeout', `silent sign-in: no answer from the provider in ${timeout} ms`)), timeout);
      addEventListener('message', (event) => {
        // Exact origin and the very window we opened, never a prefix or another frame (HTML: postMessage security).
        const data = event.data as Record<string, unknown> | null;
        if (event.origin === location.origin && event.source === frame.contentWindow && typeof data?.[MESSAGE_KEY] === 'string') {
          resolve(data[MESSAGE_KEY] as string);
        }
      }, { signal: listeners.signal });
      document.body.append(frame);
    });
    const params = parseFragment(fragment);
    if (params?.state !== transaction.state) fail('invalid_state', 'silent sign-in: the answer is not for this request');
    return await handleResponse(params!);
  } finally {
    clearTimeout(timer);
    listeners.abort();
    frame.remove();
  }
}

// [hardening] postMessage: the page waiting for a silent (hidden iframe) sign-in's answer takes only a message from
// that very window AND from this origin (or, for response_mode=web_message, the provider's origin), with the right
// shape; anything else is ignored, and a response is accepted once. (A message from another window of this origin is
// covered by test/elements/auth-login-silent.test.ts and auth-login-popup.test.ts.)
//
// `hang-` tenants never answer prompt=none, so the silent iframe stays on the provider's page (this origin) and the
// test decides what that window, or the page it is sent to next, posts. test/fixtures/post-message.html posts the JSON
// in its fragment to its parent from whatever origin it is loaded on.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthErrorEvent } from '../../src/events.js';
import { MESSAGE_KEY, silentSignIn } from '../../src/protocol/silent.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, sleep, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, providerFragment, resetPage, tenant } from '../helpers/idp.js';
import { otherOrigin } from './frames.js';

/** The silent sign-in's hidden iframe, once it is at the provider. */
async function silentFrame(): Promise<HTMLIFrameElement> {
  let frame: HTMLIFrameElement | undefined;
  await waitUntil(() => (frame = [...document.querySelectorAll('iframe')].find((f) => f.src.includes('/authorize') && f.src.includes('prompt=none'))), 'the silent iframe', { timeout: 8000 });
  // Its document is the provider's page (so the listener is in place and the window can post).
  await waitUntil(() => {
    try {
      return frame!.contentDocument?.readyState === 'complete' && frame!.contentWindow!.location.pathname.endsWith('/authorize');
    } catch {
      return false;
    }
  }, 'the provider page loaded', { timeout: 8000 });
  return frame!;
}

/** Runs `code` in a same-origin window, so that a message it posts has that window as its source. */
const run = (win: Window, code: string) => (win as unknown as { eval(code: string): void }).eval(code);

/** The URL of post-message.html on `origin`, posting `data` to its parent. */
const poster = (origin: string, t: string, data: unknown) => `${origin}/fixtures/${t}/post-message.html#${encodeURIComponent(JSON.stringify(data))}`;

/** The other loopback origin (localhost ↔ 127.0.0.1), served by the same test server. */
const elsewhere = () => new URL(otherOrigin('/')).origin;

/** Resolves with the next message this page receives from `origin` (to prove the ignored message did arrive). */
const arrival = (origin: string) => new Promise<unknown>((resolve) => {
  const listener = (event: MessageEvent) => {
    if (event.origin !== origin) return;
    removeEventListener('message', listener);
    resolve(event.data);
  };
  addEventListener('message', listener);
});

const settledPromises = new WeakSet<Promise<unknown>>();
/** Whether `pending` (watched by {@link watch}) has settled. */
const settled = (pending: Promise<unknown>) => settledPromises.has(pending);
/** Starts watching `pending`, so {@link settled} can tell. */
function watch<T>(pending: Promise<T>): Promise<T> {
  const mark = () => settledPromises.add(pending);
  pending.then(mark, mark);
  return pending;
}

/** Awaits a silent sign-in's failure and returns its code and description. */
async function failure(pending: Promise<unknown>): Promise<{ code?: string; message?: string }> {
  try {
    await pending;
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  throw new Error('the silent sign-in succeeded');
}

describe('[hardening] postMessage', function () {
  // Frames load pages and modules: generous under a loaded machine.
  this.timeout(15_000);
  const uncaught: string[] = [];
  const onError = (event: ErrorEvent) => uncaught.push(String(event.message));
  beforeEach(() => addEventListener('error', onError));
  afterEach(() => {
    removeEventListener('error', onError);
    expect(uncaught.splice(0), 'uncaught errors').to.deep.equal([]);
  });
  afterEach(clearStores);
  afterEach(resetPage);

  const config = (t: string, silentRedirectUri = `/fixtures/${t}/silent-callback.html`) => ({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), store: storeName(), silentRedirectUri });

  describe('from the silent iframe, sent on to a page of another origin', () => {
    it('control: the same page on this origin is heard (the provider\'s error comes through)', async () => {
      const t = tenant('hang-');
      const pending = watch(silentSignIn(config(t), 10_000));
      const frame = await silentFrame();
      const state = new URL(frame.src).searchParams.get('state');
      frame.src = poster(location.origin, t, { [MESSAGE_KEY]: `#error=access_denied&state=${state}` });
      expect((await failure(pending)).code).to.equal('access_denied');
    });

    it('a well-formed answer with the right state, from another origin, is ignored', async () => {
      const t = tenant('hang-');
      const pending = watch(silentSignIn(config(t), 3000));
      const frame = await silentFrame();
      const state = new URL(frame.src).searchParams.get('state');
      const arrived = arrival(elsewhere());
      frame.src = poster(elsewhere(), t, { [MESSAGE_KEY]: `#error=access_denied&state=${state}` });
      expect(await arrived).to.deep.equal({ [MESSAGE_KEY]: `#error=access_denied&state=${state}` });
      expect(settled(pending), 'the message arrived while the sign-in still waited').to.equal(false);
      expect((await failure(pending)).code).to.equal('timeout');
    });

    it('response_mode=web_message: an authorization_response from an origin that is not the provider\'s is ignored', async () => {
      const t = tenant('wm-hang-');
      const pending = watch(silentSignIn(config(t, `/fixtures/${t}/no-such-page.html`), 3000));
      const frame = await silentFrame();
      expect(new URL(frame.src).searchParams.get('response_mode')).to.equal('web_message');
      const state = new URL(frame.src).searchParams.get('state');
      const arrived = arrival(elsewhere());
      frame.src = poster(elsewhere(), t, { type: 'authorization_response', response: { error: 'access_denied', state } });
      expect(await arrived).to.deep.equal({ type: 'authorization_response', response: { error: 'access_denied', state } });
      expect(settled(pending), 'the message arrived while the sign-in still waited').to.equal(false);
      expect((await failure(pending)).code).to.equal('timeout');
    });

    it('control: response_mode=web_message, the same message from the provider\'s origin is heard', async () => {
      const t = tenant('wm-hang-');
      const pending = watch(silentSignIn(config(t, `/fixtures/${t}/no-such-page.html`), 10_000));
      const frame = await silentFrame();
      const state = new URL(frame.src).searchParams.get('state');
      frame.src = poster(location.origin, t, { type: 'authorization_response', response: { error: 'access_denied', state } });
      expect((await failure(pending)).code).to.equal('access_denied');
    });
  });

  it('messages of the wrong shape from the right window and origin are ignored, without an error; the right one is then taken', async () => {
    const t = tenant('hang-');
    const pending = watch(silentSignIn(config(t), 10_000));
    const frame = await silentFrame();
    const state = new URL(frame.src).searchParams.get('state');
    const key = JSON.stringify(MESSAGE_KEY);
    const wrong = [
      'null', 'undefined', '0', '"#error=access_denied"', `"${MESSAGE_KEY}"`, '[]', `[{ ${key}: "#error=x&state=${state}" }]`, '{}',
      `{ ${key}: 42 }`, `{ ${key}: null }`, `{ ${key}: ["#error=x&state=${state}"] }`, `{ ${key}: { state: "${state}" } }`,
      `{ ${key}: new String("#error=x&state=${state}") }`, `{ "auth-elements:Response": "#error=x&state=${state}" }`,
      `{ type: "authorization_response", response: { error: "x", state: "${state}" } }`,
      `new Blob(["#error=x&state=${state}"])`, `new Map([[${key}, "#error=x&state=${state}"]])`, 'new Error("boom")',
    ];
    for (const data of wrong) run(frame.contentWindow!, `parent.postMessage(${data}, ${JSON.stringify(location.origin)})`);
    await sleep(300);
    run(frame.contentWindow!, `parent.postMessage({ ${key}: "#error=access_denied&state=${state}" }, ${JSON.stringify(location.origin)})`);
    expect((await failure(pending)).code).to.equal('access_denied');
  });

  it('a response is accepted once: posted twice, one sign-in; replayed afterwards, from any window, it does nothing', async () => {
    const t = tenant('hang-');
    const store = storeName();
    const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store}
      silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>`);
    const seen = collect(document, 'auth-signed-in', 'auth-error');
    const first = el.loginSilently();
    const frame = await silentFrame();
    // The provider's real answer for this sign-in (same state and nonce, asked interactively: hang- tenants only
    // hang on prompt=none).
    const fragment = await providerFragment(frame.src.replace('prompt=none', 'prompt=login'));
    const message = `parent.postMessage({ ${JSON.stringify(MESSAGE_KEY)}: ${JSON.stringify(fragment)} }, ${JSON.stringify(location.origin)})`;
    run(frame.contentWindow!, `${message}; ${message}`);
    expect(await first).to.equal(true);
    await sleep(200);
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-in']);
    const token = getStore(store).accessToken;
    expect(token).to.be.a('string');

    // Replayed by another window of this origin, after success: nobody is listening any more.
    const other = document.createElement('iframe');
    document.body.append(other);
    run(other.contentWindow!, message);
    await sleep(200);
    expect(seen.events).to.have.length(1);

    // Replayed by the iframe of the next silent sign-in: not this sign-in's answer.
    const second = el.loginSilently();
    const next = await silentFrame();
    const failed = oneEvent(el, 'auth-error');
    run(next.contentWindow!, message);
    expect(await second).to.equal(false);
    const { detail } = (await failed) as AuthErrorEvent;
    expect(detail.error).to.equal('invalid_state');
    expect(detail.errorDescription).to.match(/not for this sign-in/);
    expect(getStore(store).accessToken).to.equal(token);
    seen.stop();
    other.remove();
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-in', 'auth-error']);
  });
});

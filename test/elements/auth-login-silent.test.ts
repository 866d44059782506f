// Silent authentication (prompt=none in a hidden iframe), check-session and auto-renew, against the fake provider:
// its /authorize sets a provider-session cookie on an interactive sign-in and answers prompt=none with tokens only
// when that cookie is there (else login_required); `hang-` tenants never answer prompt=none.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthErrorEvent, AuthSignedInEvent } from '../../src/events.js';
import { MESSAGE_KEY, silentSignIn } from '../../src/protocol/silent.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, signIn, sleep, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, resetPage, stats, tenant } from '../helpers/idp.js';

const frames = () => document.querySelectorAll('iframe').length;

/** A tenant whose provider session is alive (an interactive sign-in happened), with the store emptied again. */
async function liveSession(): Promise<{ t: string; store: string }> {
  const t = tenant();
  const store = storeName();
  await signIn(t, { store });
  getStore(store).clear();
  return { t, store };
}

function login(t: string, store: string, extra: Partial<Record<'check-session' | 'auto-renew', boolean>> = {}) {
  return fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store}
    silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`} ?check-session=${!!extra['check-session']} ?auto-renew=${!!extra['auto-renew']}></auth-login>`);
}

describe('<auth-login> silent authentication', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  it('loginSilently() signs in with a live provider session, without a visible page, and removes the iframe', async () => {
    const { t, store } = await liveSession();
    const el = await login(t, store);
    const fired = oneEvent(el, 'auth-signed-in');
    const navigations = collect(el, 'auth-login');
    expect(await el.loginSilently()).to.equal(true);
    const { detail } = (await fired) as AuthSignedInEvent;
    expect(detail.store).to.equal(store);
    expect(detail.claims?.sub).to.equal('user-1');
    expect(JSON.stringify(detail)).to.not.contain(getStore(store).accessToken);
    expect(getStore(store).signedIn).to.equal(true);
    await el.updateComplete;
    expect(el.hasAttribute('signed-in')).to.equal(true);
    expect(navigations.events).to.have.length(0);
    expect(frames()).to.equal(0);
  });

  it('gives login_required without a provider session, stores nothing, and removes the iframe', async () => {
    const t = tenant();
    const store = storeName();
    const el = await login(t, store);
    const failed = oneEvent(el, 'auth-error');
    expect(await el.loginSilently()).to.equal(false);
    expect(((await failed) as AuthErrorEvent).detail.error).to.equal('login_required');
    expect(getStore(store).session).to.equal(null);
    expect(frames()).to.equal(0);
  });

  it('gives timeout when the provider never answers, and removes the iframe', async () => {
    const t = tenant('hang-');
    const started = Date.now();
    let error: { code?: string } | undefined;
    const running = silentSignIn({ issuer: issuerOf(t), clientId: 'app', store: storeName(), silentRedirectUri: `/fixtures/${t}/silent-callback.html` }, 400);
    await waitUntil(() => frames() === 1, 'the iframe is there while waiting');
    await running.catch((e: { code?: string }) => (error = e));
    expect(error?.code).to.equal('timeout');
    expect(Date.now() - started).to.be.within(350, 2000);
    expect(frames()).to.equal(0);
  });

  it('ignores a message from another window, even with the right shape and origin', async () => {
    const t = tenant('hang-');
    let error: { code?: string } | undefined;
    const running = silentSignIn({ issuer: issuerOf(t), clientId: 'app', store: storeName(), silentRedirectUri: `/fixtures/${t}/silent-callback.html` }, 500);
    await waitUntil(() => frames() === 1, 'iframe added');
    const state = new URL(document.querySelector('iframe')!.src).searchParams.get('state');
    // Posted by this window, not by the iframe: must be ignored.
    window.postMessage({ [MESSAGE_KEY]: `#error=login_required&state=${state}` }, location.origin);
    await running.catch((e: { code?: string }) => (error = e));
    expect(error?.code).to.equal('timeout');
  });

  it('runs one silent sign-in at a time per store', async () => {
    const { t, store } = await liveSession();
    const config = { issuer: issuerOf(t), clientId: 'app', store, silentRedirectUri: `/fixtures/${t}/silent-callback.html` };
    const first = silentSignIn(config);
    expect(silentSignIn(config)).to.equal(first);
    await first;
    const next = silentSignIn(config);
    expect(next).to.not.equal(first);
    await next;
  });

  it('check-session signs the page in on load when the provider session is alive', async () => {
    const { t, store } = await liveSession();
    const wrapper = document.createElement('div');
    const fired = oneEvent(wrapper, 'auth-signed-in');
    document.body.append(wrapper);
    try {
      wrapper.append(await login(t, store, { 'check-session': true }));
      await fired;
      expect(getStore(store).signedIn).to.equal(true);
    } finally {
      wrapper.remove();
    }
  });

  it('check-session tries once and, finding no provider session (an expected outcome), fires no auth-error', async () => {
    const t = tenant();
    const store = storeName();
    const seen = collect(document, 'auth-signed-in', 'auth-error');
    const el = await login(t, store, { 'check-session': true });
    await waitUntil(async () => (await stats(t)).silentRequests === 1 && frames() === 0, 'one silent request, answered');
    const { responseHandled } = await import('../../src/store/token-store.js');
    await responseHandled();
    // A second element of the store, and the same page's check again: no second try.
    await fixture(html`<auth-login issuer=${issuerOf(t)} client-id="app" store=${store} check-session></auth-login>`);
    await responseHandled();
    seen.stop();
    expect(seen.events.map((e) => e.type)).to.deep.equal([]);
    expect((await stats(t)).silentRequests).to.equal(1);
    expect(el.hasAttribute('error')).to.equal(false);
  });

  it('auto-renew renews shortly before expiry, once for several elements, and fires auth-signed-in again, once', async function () {
    this.timeout(5000);
    const { t, store } = await liveSession();
    await signIn(t, { store });
    const before = getStore(store).session!;
    // Pretend an hour-long token expires in 61 s: renewal (a minute before expiry) is due in about 1 s.
    getStore(store).set({ ...before, issuedAt: Date.now() - 3_539_000, expiresAt: Date.now() + 61_000 });
    // The sign-in helper's <auth-login> (no silent-redirect-uri) leaves: the store's renewals take the configuration
    // of its first <auth-login> on the page.
    document.querySelectorAll('auth-login').forEach((element) => element.remove());
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store} auto-renew silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>
      <auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store} auto-renew silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>
    </div>`);
    let iframes = 0;
    const observer = new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => (iframes += n.nodeName === 'IFRAME' ? 1 : 0))));
    observer.observe(document.body, { childList: true });
    const seen = collect(document, 'auth-signed-in', 'auth-error');
    try {
      await waitUntil(() => seen.events.length >= 1, 'the renewal was announced', { timeout: 3500 });
      await sleep(300);
      // One renewal, announced once (the second element found it done when its turn came).
      expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-in']);
      expect(iframes).to.equal(1);
      expect(getStore(store).session!.expiresAt).to.be.above(Date.now() + 3000_000);
    } finally {
      observer.disconnect();
      seen.stop();
    }
  });
});

describe('check-session on the redirect page', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  it('waits for <auth-callback>, then does not sign in again; <auth-fetch auto> waits for both', async () => {
    const { t, store } = await liveSession();
    const { startLogin, setFragment } = await import('../helpers/flow.js');
    const { providerFragment } = await import('../helpers/idp.js');
    const { url } = await startLogin(t, { store });
    setFragment(await providerFragment(url));
    const wrapper = document.createElement('div');
    const seen = collect(wrapper, 'auth-signed-in', 'auth-response', 'auth-error');
    wrapper.innerHTML = `<auth-login check-session issuer="${issuerOf(t)}" client-id="app" store="${store}" silent-redirect-uri="/fixtures/${t}/silent-callback.html"></auth-login>
      <auth-fetch auto url="${apiOf(t)}/echo" store="${store}"></auth-fetch><auth-callback></auth-callback>`;
    document.body.append(wrapper);
    try {
      await waitUntil(() => seen.events.some((e) => e.type === 'auth-response'), 'the API answered', { timeout: 2500 });
      await sleep(300);
      seen.stop();
      expect(seen.events.map((e) => `${(e.target as Element).localName} ${e.type}`)).to.deep.equal(['auth-callback auth-signed-in', 'auth-fetch auth-response']);
    } finally {
      wrapper.remove();
    }
  });
});

describe('<auth-login> expiry events', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  it('fires auth-expiring at the renewal point and auth-expired at expiry, once each, with no renewal without auto-renew', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    const expiresAt = Date.now() + 400;
    getStore(store).set({ ...getStore(store).session!, expiresAt });
    // The store's lifecycle fires them from the first <auth-login> of the store (they bubble: listen on the document).
    const seen = collect<{ store: string; expiresAt: number }>(document, 'auth-expiring', 'auth-expired', 'auth-signed-in', 'auth-error');
    const el = await login(t, store);
    await waitUntil(() => seen.events.length === 2, 'expiring then expired', { timeout: 2000 });
    await sleep(200);
    seen.stop();
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-expiring', 'auth-expired']);
    expect(seen.events[1]!.detail).to.deep.equal({ store, expiresAt });
    expect(seen.events[1]!.bubbles && seen.events[1]!.composed).to.equal(true);
    expect(el.hasAttribute('signed-in')).to.equal(false);
  });

  it('with auto-renew and no provider session: expiring, the renewal fails once with login_required, then expired', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    // A provider with no session for this browser: sign-in above used fetch, whose cookie is on /idp/<t>; use another tenant's issuer for renewal.
    const other = tenant();
    // A 16 s token with 4 s left: its renewal point (25 % of the lifetime before expiry) is now; the renewal's
    // failure comes well before expiry.
    getStore(store).set({ ...getStore(store).session!, issuedAt: Date.now() - 12_000, expiresAt: Date.now() + 4000 });
    // The sign-in's own <auth-login> is gone: this one configures the renewal.
    document.querySelectorAll('auth-login').forEach((element) => element.remove());
    const seen = collect(document, 'auth-expiring', 'auth-expired', 'auth-error', 'auth-signed-in');
    await login(other, store, { 'auto-renew': true });
    await waitUntil(() => seen.events.some((e) => e.type === 'auth-expired'), 'expired', { timeout: 8000 });
    await waitUntil(async () => (await stats(other)).silentRequests === 1 && frames() === 0, 'the renewal answered');
    seen.stop();
    // No provider session is no error: the renewal stops quietly, and auth-expired says why.
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-expiring', 'auth-expired']);
    expect((seen.events[1]!.detail as { error?: string }).error).to.equal('login_required');
  });

  it('fires auth-expiring ahead of time when the token is further from expiry', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    getStore(store).set({ ...getStore(store).session!, issuedAt: Date.now() - 3_539_500, expiresAt: Date.now() + 60_500 });
    const seen = collect(document, 'auth-expiring', 'auth-expired');
    await login(t, store);
    await sleep(200);
    expect(seen.events).to.have.length(0);
    await waitUntil(() => seen.events.length === 1, 'expiring after ~0.5 s', { timeout: 1500 });
    seen.stop();
    expect(seen.events[0]!.type).to.equal('auth-expiring');
  });
});

describe('<auth-fetch> renews through <auth-login>', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  it('on 401 invalid_token renews silently once and retries once', async () => {
    const { t, store } = await liveSession();
    await signIn(t, { store });
    // A token issued a while ago (a token refused right after it was issued is the API's problem: no renewal).
    getStore(store).set({ ...getStore(store).session!, issuedAt: Date.now() - 60_000 });
    const before = getStore(store).accessToken;
    document.querySelectorAll('auth-login').forEach((element) => element.remove());
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store} silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>
      <auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>
    </div>`);
    // The provider rotates its key: the API now refuses the old token as invalid_token.
    const { rotate } = await import('../helpers/idp.js');
    await rotate(t);
    const seen = collect(wrapper, 'auth-signed-in', 'auth-response', 'auth-error');
    const detail = await wrapper.querySelector<import('../../src/elements/auth-fetch.js').AuthFetchElement>('auth-fetch')!.send();
    seen.stop();
    expect(detail?.status).to.equal(200);
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-in', 'auth-response']);
    expect(getStore(store).accessToken).to.not.equal(before);
    expect(document.querySelectorAll('iframe')).to.have.length(0);
  });

  it('gives the 401 when the renewal fails, and does not try again for the same session', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    getStore(store).set({ ...getStore(store).session!, issuedAt: Date.now() - 60_000 });
    document.querySelectorAll('auth-login').forEach((element) => element.remove());
    const other = tenant(); // no provider session there: renewal fails with login_required
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <auth-login issuer=${issuerOf(other)} client-id="app" store=${store} silent-redirect-uri=${`/fixtures/${other}/silent-callback.html`}></auth-login>
      <auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>
    </div>`);
    const { rotate } = await import('../helpers/idp.js');
    await rotate(t);
    const seen = collect(wrapper, 'auth-signed-in', 'auth-response', 'auth-error');
    const fetcher = wrapper.querySelector<import('../../src/elements/auth-fetch.js').AuthFetchElement>('auth-fetch')!;
    expect(await fetcher.send()).to.equal(undefined);
    expect(await fetcher.send()).to.equal(undefined);
    seen.stop();
    // The renewal found no provider session (quiet); each request says 401; one renewal for the token, not two.
    expect(seen.events.map((e) => (e.detail as { error?: string; status?: number }).status ?? (e.detail as { error?: string }).error)).to.deep.equal([401, 401]);
    expect((await stats(other)).silentRequests).to.equal(1);
    expect(document.querySelectorAll('iframe')).to.have.length(0);
  });
});

describe('<auth-login auto-renew> in two tabs sharing a session (storage="local")', () => {
  let other: Window | null = null;
  afterEach(() => other?.close());
  afterEach(clearStores);
  afterEach(resetPage);

  it('only one tab renews (Web Locks); the other takes the renewed session from storage', async () => {
    const t = tenant();
    await signIn(t, { store: 'default', storage: 'local' });
    const store = getStore('default');
    const session = store.session!;
    // Both tabs see a token a minute and a bit from expiry: both reach their "expiring" moment at once.
    store.set({ ...session, issuedAt: Date.now() - 3_539_600, expiresAt: Date.now() + 60_400 }, 'local');
    other = window.open(`/fixtures/${t}/renew-tab.html`, '_blank');
    const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} storage="local" auto-renew
      silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>`);
    const seen = collect(document, 'auth-signed-in', 'auth-error');
    await waitUntil(() => (store.session?.expiresAt ?? 0) > Date.now() + 120_000, 'renewed', { timeout: 5000 });
    await sleep(1000);
    seen.stop();
    expect((await stats(t)).silentRequests).to.equal(1);
    expect(seen.events.filter((e) => e.type === 'auth-error')).to.have.length(0);
    const renewed = JSON.parse(other!.localStorage.getItem('auth-elements:store:default')!) as { expiresAt: number };
    expect(renewed.expiresAt).to.equal(store.session!.expiresAt);
  });
});

describe('<auth-login third-party-check>', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  const checked = (t: string, store: string, extra = '') =>
    fixture<AuthLoginElement>(`<auth-login issuer="${issuerOf(t)}" client-id="app" audience="${apiOf(t)}" store="${store}" ${extra}
      third-party-check="${issuerOf(t)}/3p-cookies/step1.html" silent-redirect-uri="/fixtures/${t}/silent-callback.html"></auth-login>`);

  it('signs in silently when the check says the provider\'s cookies get through; the check runs once per page', async () => {
    const { t, store } = await liveSession();
    const el = await checked(t, store);
    expect(await el.loginSilently()).to.equal(true);
    getStore(store).clear();
    expect(await el.loginSilently()).to.equal(true);
    const { cookieChecks, silentRequests } = await stats(t);
    expect(cookieChecks).to.equal(1);
    expect(silentRequests).to.equal(2);
    expect(frames()).to.equal(0);
  });

  it('does not try when they are blocked: third_party_cookies_blocked at once, no prompt=none request, no iframe left', async () => {
    const t = tenant('no3p-');
    const store = storeName();
    await signIn(t, { store });
    getStore(store).clear();
    const el = await checked(t, store);
    const failed = oneEvent(el, 'auth-error');
    expect(await el.loginSilently()).to.equal(false);
    const { detail } = (await failed) as AuthErrorEvent;
    expect(detail.error).to.equal('third_party_cookies_blocked');
    expect(detail.errorDescription).to.contain('popup');
    expect((await stats(t)).silentRequests).to.equal(0);
    expect(getStore(store).session).to.equal(null);
    expect(frames()).to.equal(0);
  });

  it('with check-session: one check, no prompt=none, no auth-error (an expected outcome), no loop', async () => {
    const t = tenant('no3p-');
    const store = storeName();
    const wrapper = document.createElement('div');
    const seen = collect(wrapper, 'auth-error', 'auth-signed-in');
    document.body.append(wrapper);
    try {
      wrapper.innerHTML = `<auth-login issuer="${issuerOf(t)}" client-id="app" store="${store}" check-session auto-renew
        third-party-check="${issuerOf(t)}/3p-cookies/step1.html" silent-redirect-uri="/fixtures/${t}/silent-callback.html"></auth-login>`;
      await waitUntil(async () => (await stats(t)).cookieChecks === 1 && frames() === 0, 'the check-session outcome');
      const { responseHandled } = await import('../../src/store/token-store.js');
      await responseHandled();
      expect(seen.events.map((e) => (e.detail as { error?: string }).error)).to.deep.equal([]);
      expect((await stats(t)).cookieChecks).to.equal(1);
      expect((await stats(t)).silentRequests).to.equal(0);
    } finally {
      seen.stop();
      wrapper.remove();
    }
  });

  it('ignores a check answer from another window', async () => {
    const { t, store } = await liveSession();
    const el = await checked(t, store);
    // Another same-origin window says "unsupported" first: not the check's iframe, so not heard.
    const other = document.createElement('iframe');
    document.body.append(other);
    const pending = el.loginSilently();
    (other.contentWindow as unknown as { eval(code: string): void }).eval(`parent.postMessage('unsupported', '*')`);
    expect(await pending).to.equal(true);
    other.remove();
  });
});

describe('silent sign-in by response_mode=web_message (as with Auth0)', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  // The answer page is one that does not exist: the provider's own page must post the response to this one.
  const direct = (t: string, store: string) => fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)}
    store=${store} silent-redirect-uri=${`/fixtures/${t}/no-such-page.html`}></auth-login>`);

  it('signs in with the response the provider posts from its origin and that iframe', async () => {
    const t = tenant('wm-');
    const store = storeName();
    await signIn(t, { store });
    getStore(store).clear();
    const el = await direct(t, store);
    const sources: string[] = [];
    const observer = new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => n instanceof HTMLIFrameElement && sources.push(n.src))));
    observer.observe(document.body, { childList: true });
    expect(await el.loginSilently()).to.equal(true);
    observer.disconnect();
    expect(new URL(sources[0]!).searchParams.get('response_mode')).to.equal('web_message');
    expect(getStore(store).claims?.sub).to.equal('user-1');
    expect(getStore(store).session!.expiresAt).to.be.above(Date.now() + 60_000);
    expect(frames()).to.equal(0);
  });

  it('passes the provider\'s login_required through', async () => {
    const t = tenant('wm-');
    const store = storeName();
    const el = await direct(t, store);
    const failed = oneEvent(el, 'auth-error');
    expect(await el.loginSilently()).to.equal(false);
    expect(((await failed) as AuthErrorEvent).detail.error).to.equal('login_required');
  });

  it('ignores an authorization_response posted by another window', async () => {
    const t = tenant('wm-hang-');
    const store = storeName();
    const el = await direct(t, store);
    const seen = collect(el, 'auth-error', 'auth-signed-in');
    const pending = silentSignIn({ issuer: issuerOf(t), clientId: 'app', store, silentRedirectUri: `/fixtures/${t}/no-such-page.html` }, 800);
    const other = document.createElement('iframe');
    document.body.append(other);
    // Once the silent sign-in's own iframe is there (and so its listener), a look-alike answer from another window.
    await waitUntil(() => [...document.querySelectorAll('iframe')].some((frame) => frame.src.includes('/authorize')), 'the silent iframe');
    (other.contentWindow as unknown as { eval(code: string): void }).eval(`parent.postMessage({ type: 'authorization_response', response: { error: 'access_denied' } }, '*')`);
    let error: { code?: string } = {};
    await pending.catch((caught: { code?: string }) => (error = caught));
    expect(error.code).to.equal('timeout');
    seen.stop();
    other.remove();
    expect(el.isConnected).to.equal(true);
  });
});

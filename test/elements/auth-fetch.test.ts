import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthErrorEvent, AuthResponseEvent } from '../../src/events.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, setFragment, signIn, sleep, startLogin, storeName } from '../helpers/flow.js';
import { apiOf, providerFragment, resetPage, stats, tenant } from '../helpers/idp.js';

/** The same URL on the other loopback name (localhost ↔ 127.0.0.1): another origin, same server. */
function otherOrigin(url: string): string {
  const u = new URL(url);
  u.hostname = u.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
  return u.href;
}

describe('<auth-fetch>', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  describe('with a token', () => {
    it('send() GETs with the bearer token and fires auth-response', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-response');
      const result = el.send();
      const event = (await fired) as AuthResponseEvent;
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      expect(event.detail.status).to.equal(200);
      expect(event.detail.ok).to.equal(true);
      expect(event.detail.data).to.deep.equal({ sub: 'user-1', scope: 'openid profile', method: 'GET', query: '', body: null, contentType: null });
      expect(await result).to.deep.equal(event.detail);
    });

    it('POSTs the body as JSON', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} method="POST" body='{"a":1}' store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-response');
      void el.send();
      const { detail } = (await fired) as AuthResponseEvent<{ method: string; body: unknown; contentType: string }>;
      expect(detail.status).to.equal(200);
      expect(detail.data.method).to.equal('POST');
      expect(detail.data.body).to.deep.equal({ a: 1 });
      expect(detail.data.contentType).to.equal('application/json');
    });

    it('sends content-type as given', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} method="PUT" body="plain words" content-type="text/plain" store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-response');
      void el.send();
      const { detail } = (await fired) as AuthResponseEvent<{ method: string; body: unknown; contentType: string }>;
      expect(detail.data).to.include({ method: 'PUT', body: 'plain words', contentType: 'text/plain' });
    });

    it('reads text with as="text"', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/text`} as="text" store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-response');
      void el.send();
      const { detail } = (await fired) as AuthResponseEvent;
      expect(detail).to.deep.equal({ status: 200, ok: true, data: `hello ${t}` });
    });

    it('fires auth-error http_error with the status for a 500', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/status/500`} store=${store}></auth-fetch>`);
      const seen = collect(el, 'auth-response');
      const fired = oneEvent(el, 'auth-error');
      const result = el.send();
      const event = (await fired) as AuthErrorEvent;
      seen.stop();
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      expect(event.detail.error).to.equal('http_error');
      expect(event.detail.status).to.equal(500);
      expect(event.detail.errorDescription).to.include('500');
      expect(await result).to.equal(undefined);
      expect(seen.events).to.have.length(0);
    });

    it('fires auth-error timeout when the answer takes longer than timeout', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/slow?ms=2000`} timeout="100" store=${store}></auth-fetch>`);
      expect(el.timeout).to.equal(100);
      const fired = oneEvent(el, 'auth-error');
      const started = Date.now();
      void el.send();
      const event = (await fired) as AuthErrorEvent;
      expect(event.detail.error).to.equal('timeout');
      expect(Date.now() - started).to.be.below(1500);
    });

    it('aborts the request in flight silently when send() is called again', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/slow?ms=1500`} store=${store}></auth-fetch>`);
      const seen = collect(el, 'auth-response', 'auth-error');
      const first = el.send();
      await sleep(50);
      el.url = `${apiOf(t)}/echo`;
      const second = el.send();
      expect(await first).to.equal(undefined);
      const detail = await second;
      expect(detail?.data).to.include({ sub: 'user-1', method: 'GET' });
      // Had the first request not been aborted, its answer would come at 1.5 s.
      await sleep(1700);
      seen.stop();
      expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-response']);
      expect(seen.events[0]!.detail).to.deep.equal(detail);
    }).timeout(4000);

    it('fires nothing once removed from the page mid-request', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/slow?ms=1500`} store=${store}></auth-fetch>`);
      // A detached element's events no longer reach document: listen on the element itself as well.
      const onDocument = collect(document, 'auth-response', 'auth-error');
      const onElement = collect(el, 'auth-response', 'auth-error');
      const result = el.send();
      await sleep(50);
      el.remove();
      await sleep(1700);
      onDocument.stop();
      onElement.stop();
      expect(await result).to.equal(undefined);
      expect(onElement.events).to.have.length(0);
      expect(onDocument.events).to.have.length(0);
    }).timeout(4000);
  });

  describe('requests in flight', () => {
    // README (<auth-fetch>): "A newer request, a `url` change or removal from the page aborts the request in flight
    // without an event." Here auto is off, so the url change starts no new request: only the abort is at stake.
    it('a url change aborts the request in flight without an event (auto off)', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/slow?ms=1500`} store=${store}></auth-fetch>`);
      const seen = collect(el, 'auth-response', 'auth-error');
      const result = el.send();
      await sleep(50);
      el.url = `${apiOf(t)}/echo`;
      await el.updateComplete;
      // The answer for the old URL would come at 1.5 s; it must not be reported as the answer of this element.
      const settled = await Promise.race([result.then(() => 'settled'), sleep(1700).then(() => 'pending')]);
      seen.stop();
      expect(seen.events.map((e) => `${e.type} ${JSON.stringify(e.detail)}`)).to.deep.equal([]);
      expect(settled).to.equal('settled');
      expect(await result).to.equal(undefined);
    }).timeout(4000);

    it('with auto, a url change mid-request reports only the new URL\'s answer', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const seen = collect(document, 'auth-response', 'auth-error');
      const el = await fixture<AuthFetchElement>(html`<auth-fetch auto url=${`${apiOf(t)}/slow?ms=1500`} store=${store}></auth-fetch>`);
      await sleep(50);
      const answered = oneEvent(el, 'auth-response');
      el.url = `${apiOf(t)}/echo`;
      expect(((await answered) as AuthResponseEvent).detail.data).to.include({ sub: 'user-1' });
      await sleep(1700);
      seen.stop();
      expect(seen.events).to.have.length(1);
    }).timeout(4000);
  });

  describe('answers and configuration', () => {
    it('resolves a relative url against the page', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`/api/${t}/echo`} store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-response');
      void el.send();
      expect(((await fired) as AuthResponseEvent).detail.data).to.include({ sub: 'user-1' });
    });

    it('fires invalid_response for an answer that is not JSON', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/invalid-json`} store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-error');
      void el.send();
      expect(((await fired) as AuthErrorEvent).detail.error).to.equal('invalid_response');
    });

    it('fires invalid_config without url, and makes no request', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-error');
      void el.send();
      const event = (await fired) as AuthErrorEvent;
      expect(event.detail.error).to.equal('invalid_config');
      expect(event.detail.errorDescription).to.match(/url/i);
      expect((await stats(t)).apiCalls).to.equal(0);
    });

    it('sends the token to an origin listed in <auth-login allowed-origins>', async () => {
      const t = tenant();
      const store = storeName();
      const url = otherOrigin(`${apiOf(t)}/echo`);
      await signIn(t, { store, allowedOrigins: new URL(url).origin });
      const before = (await stats(t)).apiCalls;
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${url} store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-error');
      void el.send();
      // The request goes out (the fake API sends no CORS headers, so the browser then refuses the answer).
      expect(((await fired) as AuthErrorEvent).detail.error).to.equal('network_error');
      expect((await stats(t)).apiCalls).to.be.above(before);
    });
  });

  describe('auto', () => {
    it('on the redirect page, waits for <auth-callback>: no login_required, then the answer with the new token', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      setFragment(await providerFragment(url));
      const wrapper = document.createElement('div');
      const seen = collect(wrapper, 'auth-signed-in', 'auth-response', 'auth-error');
      wrapper.innerHTML = `<auth-fetch auto url="${apiOf(t)}/echo" store="${store}"></auth-fetch><auth-callback></auth-callback>`;
      document.body.append(wrapper);
      try {
        await waitUntil(() => seen.events.some((e) => e.type === 'auth-response'), 'the API answered', { timeout: 2500 });
        await sleep(50);
        seen.stop();
        expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-in', 'auth-response']);
      } finally {
        wrapper.remove();
      }
    });

    it('requests on connect and again when url changes', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const container = await fixture<HTMLDivElement>(html`<div></div>`);
      const el = document.createElement('auth-fetch');
      el.setAttribute('auto', '');
      el.setAttribute('store', store);
      el.setAttribute('url', `${apiOf(t)}/echo`);
      const first = oneEvent(el, 'auth-response');
      container.append(el);
      expect(((await first) as AuthResponseEvent).detail.data).to.include({ sub: 'user-1' });

      const second = oneEvent(el, 'auth-response');
      el.setAttribute('url', `${apiOf(t)}/text`);
      el.as = 'text';
      expect(((await second) as AuthResponseEvent).detail.data).to.equal(`hello ${t}`);
      expect((await stats(t)).apiCalls).to.equal(2);
    });

    it('does not request on connect without auto', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const seen = collect(document, 'auth-response', 'auth-error');
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>`);
      el.url = `${apiOf(t)}/text`;
      await el.updateComplete;
      await sleep(200);
      seen.stop();
      expect(seen.events).to.have.length(0);
      expect((await stats(t)).apiCalls).to.equal(0);
    });

    it('makes no request and no error before sign-in (signed-out says it), then requests when a token arrives', async () => {
      const t = tenant();
      const store = storeName();
      const container = await fixture<HTMLDivElement>(html`<div></div>`);
      const el = document.createElement('auth-fetch');
      el.auto = true;
      el.store = store;
      el.url = `${apiOf(t)}/echo`;
      const quiet = collect(el, 'auth-error', 'auth-response');
      container.append(el);
      await sleep(200);
      quiet.stop();
      expect(quiet.events).to.have.length(0);
      expect(el.hasAttribute('signed-out')).to.equal(true);
      expect((await stats(t)).apiCalls).to.equal(0);

      const answered = oneEvent(el, 'auth-response');
      await signIn(t, { store });
      const event = (await answered) as AuthResponseEvent;
      expect(event.detail.data).to.include({ sub: 'user-1', method: 'GET' });
    });

    it('requests again when store changes to a signed-in store', async () => {
      const t = tenant();
      const signedInStore = storeName();
      await signIn(t, { store: signedInStore });
      const container = await fixture<HTMLDivElement>(html`<div></div>`);
      const el = document.createElement('auth-fetch');
      el.auto = true;
      el.store = storeName();
      el.url = `${apiOf(t)}/echo`;
      container.append(el);
      await el.updateComplete;
      expect(el.hasAttribute('signed-out')).to.equal(true);
      const answered = oneEvent(el, 'auth-response');
      el.setAttribute('store', signedInStore);
      expect(((await answered) as AuthResponseEvent).detail.data).to.include({ sub: 'user-1' });
    });

    it('requests again when removed and appended again', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const container = await fixture<HTMLDivElement>(html`<div></div>`);
      const el = document.createElement('auth-fetch');
      el.auto = true;
      el.store = store;
      el.url = `${apiOf(t)}/echo`;
      const first = oneEvent(el, 'auth-response');
      container.append(el);
      await first;
      el.remove();
      await el.updateComplete;
      const again = oneEvent(el, 'auth-response');
      container.append(el);
      expect(((await again) as AuthResponseEvent).detail.data).to.include({ sub: 'user-1' });
      expect((await stats(t)).apiCalls).to.equal(2);
    });
  });

  describe('without a usable token, no request is made', () => {
    it('fires login_required when the store is empty', async () => {
      const t = tenant();
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} store=${storeName()}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-error');
      const result = el.send();
      const event = (await fired) as AuthErrorEvent;
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      expect(event.detail.error).to.equal('login_required');
      expect(event.detail.errorDescription).to.be.a('string').and.not.empty;
      expect(await result).to.equal(undefined);
      expect((await stats(t)).apiCalls).to.equal(0);
    });

    it('fires login_required when the token has expired', async () => {
      const t = tenant();
      const store = storeName();
      const { store: s, login } = await signIn(t, { store });
      // Without an <auth-login> of the store on the page, and a session that recorded nothing to renew with (as one
      // stored by an earlier version), there is nothing to renew the token with.
      login.remove();
      const session = s.session!;
      expect(session.accessToken).to.be.a('string');
      getStore(store).set({ ...session, expiresAt: Date.now() - 1000, renewal: undefined });
      const before = (await stats(t)).apiCalls;
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-error');
      void el.send();
      expect(((await fired) as AuthErrorEvent).detail.error).to.equal('login_required');
      expect((await stats(t)).apiCalls).to.equal(before);
    });

    it('fires origin_not_allowed for another origin and sends nothing there', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const url = otherOrigin(`${apiOf(t)}/echo`);
      expect(new URL(url).origin).to.not.equal(location.origin);
      const before = (await stats(t)).apiCalls;
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${url} store=${store}></auth-fetch>`);
      const fired = oneEvent(el, 'auth-error');
      const result = el.send();
      const event = (await fired) as AuthErrorEvent;
      expect(event.detail.error).to.equal('origin_not_allowed');
      expect(event.detail.errorDescription).to.include(new URL(url).origin);
      expect(await result).to.equal(undefined);
      expect((await stats(t)).apiCalls).to.equal(before);
    });

    it('control: the same store and API on the page origin are reachable', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>`);
      void el.send();
      await waitUntil(async () => (await stats(t)).apiCalls === 1, 'one API call', { timeout: 2000 });
    });
  });
});

// <auth-login response-type="code">: the authorization code flow with PKCE through the elements, against the fake
// provider (test/server/fake-provider.mjs): sign-in and <auth-callback>'s exchange, the refresh token kept in memory
// only, renewal with it (auto-renew, loginSilently(), <auth-fetch>'s renewal: no iframe), rotation, reuse, and the
// silent iframe with code + PKCE when no refresh token is held.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthErrorEvent, AuthLoginEvent, AuthSignedInEvent } from '../../src/events.js';
import { codeChallenge } from '../../src/protocol/token.js';
import { getStore } from '../../src/store/token-store.js';
import { codeLogin, codeStats, signInWithCode, tokenEndpoint } from '../helpers/code-flow.js';
import { clearStores, collect, runCallback, sleep, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, providerFragment, resetPage, rotate, tenant } from '../helpers/idp.js';

/** Counts the iframes added to the page while it runs. */
function watchFrames() {
  const added: HTMLIFrameElement[] = [];
  const observer = new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => n instanceof HTMLIFrameElement && added.push(n))));
  observer.observe(document.body, { childList: true, subtree: true });
  return { added, stop: () => observer.disconnect() };
}

const inStorage = (value: string) => [sessionStorage, localStorage].some((area) => Object.values(area).some((item) => String(item).includes(value)));

describe('<auth-login response-type="code">', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  describe('sign-in', () => {
    it('sends response_type=code with the S256 challenge of the verifier kept in the pending sign-in', async () => {
      const t = tenant();
      const el = await codeLogin(t, storeName());
      el.addEventListener('auth-login', (event) => event.preventDefault());
      const fired = oneEvent(el, 'auth-login');
      void el.login();
      const { detail } = (await fired) as AuthLoginEvent;
      const params = new URL(detail.url).searchParams;
      expect(params.get('response_type')).to.equal('code');
      expect(params.get('response_mode')).to.equal('fragment');
      expect(params.get('code_challenge_method')).to.equal('S256');
      const pending = JSON.parse(sessionStorage.getItem(`auth-elements:tx:${params.get('state')}`)!) as { verifier: string; nonce: string };
      expect(pending.verifier).to.match(/^[\w-]{43}$/);
      expect(params.get('code_challenge')).to.equal(await codeChallenge(pending.verifier));
      expect(params.get('nonce')).to.equal(pending.nonce);
      expect(detail.url).to.not.include(pending.verifier);
    });

    it('<auth-callback> exchanges the code: the fragment goes at once, auth-signed-in, the same stored session as implicit, the refresh token in memory only', async () => {
      const t = tenant();
      const store = storeName();
      const el = await codeLogin(t, store, 'storage="local"');
      let url = '';
      el.addEventListener('auth-login', (event) => {
        event.preventDefault();
        url = (event as AuthLoginEvent).detail.url;
      });
      await el.login();
      const fragment = await providerFragment(url);
      expect(fragment).to.match(/^#code=[\w-]+&state=[\w-]+$/);
      const signedIn = oneEvent(document, 'auth-signed-in');
      const callback = runCallback(fragment);
      const { detail, bubbles, composed } = (await signedIn) as AuthSignedInEvent;
      // Removed before the exchange resolved.
      expect(location.hash).to.equal('');
      await callback;
      expect(bubbles && composed).to.equal(true);
      expect(detail.store).to.equal(store);
      expect(detail.claims?.name).to.equal('Ada Lovelace');
      const { accessToken, refreshToken, session } = getStore(store);
      expect(JSON.stringify(detail)).to.not.include(accessToken!).and.not.include(refreshToken!);
      expect(refreshToken).to.be.a('string');
      expect(Object.keys(JSON.parse(localStorage.getItem(`auth-elements:store:${store}`)!)).sort())
        .to.deep.equal(['accessToken', 'allowedOrigins', 'auth0', 'claims', 'clientId', 'expiresAt', 'idToken', 'issuedAt', 'issuer', 'renewal', 'scope', 'tokenType']);
      expect(session).to.not.have.property('refreshToken');
      expect(inStorage(refreshToken!)).to.equal(false);
      await el.updateComplete;
      expect(el.hasAttribute('signed-in')).to.equal(true);
      expect((await codeStats(t)).codeExchanges).to.equal(1);
    });

    it('a replayed callback URL: invalid_state, no second exchange, the session as it was', async () => {
      const t = tenant();
      const store = storeName();
      const { fragment } = await signInWithCode(t, store);
      const before = getStore(store).session;
      const failed = oneEvent(document, 'auth-error');
      await runCallback(fragment);
      const { detail } = (await failed) as AuthErrorEvent;
      expect(detail.error).to.equal('invalid_state');
      expect(detail.errorDescription).to.match(/already used/);
      expect(getStore(store).session).to.deep.equal(before);
      expect((await codeStats(t)).codeExchanges).to.equal(1);
    });

    it('a wrong verifier: auth-error invalid_grant from <auth-callback>, nothing stored, the fragment removed', async () => {
      const t = tenant();
      const store = storeName();
      const el = await codeLogin(t, store);
      let url = '';
      el.addEventListener('auth-login', (event) => {
        event.preventDefault();
        url = (event as AuthLoginEvent).detail.url;
      });
      await el.login();
      const state = new URL(url).searchParams.get('state')!;
      const key = `auth-elements:tx:${state}`;
      sessionStorage.setItem(key, JSON.stringify({ ...JSON.parse(sessionStorage.getItem(key)!), verifier: 'x'.repeat(43) }));
      const failed = oneEvent(document, 'auth-error');
      await runCallback(await providerFragment(url));
      const { detail } = (await failed) as AuthErrorEvent;
      expect(detail.error).to.equal('invalid_grant');
      expect(detail.errorDescription).to.match(/PKCE/);
      expect(location.hash).to.equal('');
      expect(getStore(store).session).to.equal(null);
      expect(getStore(store).refreshToken).to.equal(undefined);
    });
  });

  describe('renewal with the refresh token (no iframe)', () => {
    it('loginSilently() uses the refresh token grant: a new access token, a rotated refresh token, auth-signed-in, no iframe', async () => {
      const t = tenant();
      const store = storeName();
      const { login } = await signInWithCode(t, store);
      const { accessToken, refreshToken } = getStore(store);
      const frames = watchFrames();
      const signedIn = oneEvent(login, 'auth-signed-in');
      try {
        expect(await login.loginSilently()).to.equal(true);
      } finally {
        frames.stop();
      }
      expect(((await signedIn) as AuthSignedInEvent).detail.claims?.sub).to.equal('user-1');
      expect(frames.added).to.have.length(0);
      expect(getStore(store).accessToken).to.be.a('string').and.not.equal(accessToken);
      expect(getStore(store).refreshToken).to.be.a('string').and.not.equal(refreshToken);
      expect(inStorage(getStore(store).refreshToken!)).to.equal(false);
      expect(await codeStats(t)).to.include({ refreshes: 1, silentRequests: 0 });
    });

    it('auto-renew renews a minute before expiry with the refresh token: once for several elements, no iframe', async function () {
      this.timeout(5000);
      const t = tenant();
      const store = storeName();
      await signInWithCode(t, store);
      const before = getStore(store).session!;
      // The token expires in 61 s: the renewal is due in about 1 s (the refresh token stays: same user).
      getStore(store).set({ ...before, issuedAt: Date.now() - 3_539_000, expiresAt: Date.now() + 61_000 });
      expect(getStore(store).refreshToken).to.be.a('string');
      const frames = watchFrames();
      const wrapper = await fixture<HTMLDivElement>(html`<div>
        <auth-login response-type="code" issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store} auto-renew></auth-login>
        <auth-login response-type="code" issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store} auto-renew></auth-login>
      </div>`);
      // The lifecycle announces from the store's first <auth-login> (the sign-in's): listen on the document.
      const seen = collect(document, 'auth-signed-in', 'auth-error');
      try {
        await waitUntil(() => seen.events.length >= 1, 'the renewal was announced', { timeout: 3500 });
        await sleep(300);
        expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-in']);
        expect(frames.added).to.have.length(0);
        expect(getStore(store).session!.expiresAt).to.be.above(Date.now() + 3000_000);
        expect(await codeStats(t)).to.include({ refreshes: 1, silentRequests: 0 });
      } finally {
        frames.stop();
        seen.stop();
      }
    });

    it('<auth-fetch> renews through the store on 401 invalid_token with the refresh token and retries once', async () => {
      const t = tenant();
      const store = storeName();
      await signInWithCode(t, store);
      // A token issued a while ago (one refused right after it was issued is the API's problem: no renewal).
      getStore(store).set({ ...getStore(store).session!, issuedAt: Date.now() - 60_000 });
      const wrapper = await fixture<HTMLDivElement>(html`<div>
        <auth-login response-type="code" issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store}></auth-login>
        <auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>
      </div>`);
      // The provider rotates its signing key: the API now refuses the old access token as invalid_token.
      await rotate(t);
      const frames = watchFrames();
      const seen = collect(document, 'auth-signed-in', 'auth-response', 'auth-error');
      const detail = await wrapper.querySelector<AuthFetchElement>('auth-fetch')!.send();
      seen.stop();
      frames.stop();
      expect(detail?.status).to.equal(200);
      expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-in', 'auth-response']);
      expect(frames.added).to.have.length(0);
      expect(await codeStats(t)).to.include({ refreshes: 1, silentRequests: 0 });
    });

    it('two renewals at once send the refresh token once', async () => {
      const t = tenant();
      const store = storeName();
      const { login } = await signInWithCode(t, store);
      expect(await Promise.all([login.loginSilently(), login.loginSilently()])).to.deep.equal([true, true]);
      expect((await codeStats(t)).refreshes).to.equal(1);
    });

    it('rotation: each renewal gets a new refresh token, and the old one is refused by the provider afterwards', async () => {
      const t = tenant();
      const store = storeName();
      const { login } = await signInWithCode(t, store);
      const tokens = [getStore(store).refreshToken!];
      for (let i = 0; i < 2; i += 1) {
        expect(await login.loginSilently()).to.equal(true);
        tokens.push(getStore(store).refreshToken!);
      }
      expect(new Set(tokens).size).to.equal(3);
      expect(getStore(store).signedIn).to.equal(true);
    });

    it('reuse detected (a rotated refresh token used again elsewhere): the next renewal gets invalid_grant, the session is cleared', async () => {
      const t = tenant();
      const store = storeName();
      const { login } = await signInWithCode(t, store, 'storage="local"');
      const stolen = getStore(store).refreshToken!;
      expect(await login.loginSilently()).to.equal(true);
      // Someone else uses the old (rotated) token: the provider revokes the whole grant.
      const replay = await tokenEndpoint(t, { grant_type: 'refresh_token', refresh_token: stolen, client_id: 'app' });
      expect([replay.status, replay.body.error]).to.deep.equal([400, 'invalid_grant']);
      const failed = oneEvent(login, 'auth-error');
      const frames = watchFrames();
      expect(await login.loginSilently()).to.equal(false);
      frames.stop();
      const { detail } = (await failed) as AuthErrorEvent;
      expect(detail.error).to.equal('invalid_grant');
      expect(getStore(store).session).to.equal(null);
      expect(getStore(store).refreshToken).to.equal(undefined);
      expect(localStorage.getItem(`auth-elements:store:${store}`)).to.equal(null);
      // No fallback to the iframe.
      expect(frames.added).to.have.length(0);
      await login.updateComplete;
      expect(login.hasAttribute('signed-in')).to.equal(false);
    });

    it('a network failure of the renewal keeps the session and fires auth-error', async () => {
      const t = tenant();
      const store = storeName();
      const { login } = await signInWithCode(t, store);
      const realFetch = window.fetch;
      window.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => (String(input).endsWith('/token') ? Promise.reject(new TypeError('Failed to fetch')) : realFetch(input, init))) as typeof fetch;
      const failed = oneEvent(login, 'auth-error');
      try {
        expect(await login.loginSilently()).to.equal(false);
      } finally {
        window.fetch = realFetch;
      }
      expect(((await failed) as AuthErrorEvent).detail.error).to.equal('network_error');
      expect(getStore(store).signedIn).to.equal(true);
      expect(getStore(store).refreshToken).to.be.a('string');
    });
  });

  describe('without a refresh token', () => {
    it('signs in silently in the hidden iframe with code + PKCE (prompt=none), and gets a refresh token', async () => {
      const t = tenant();
      const store = storeName();
      const { login } = await signInWithCode(t, store);
      // A reload: the session is still stored, the refresh token (memory only) is gone.
      getStore(store).clear();
      const frames = watchFrames();
      try {
        expect(await login.loginSilently()).to.equal(true);
      } finally {
        frames.stop();
      }
      expect(frames.added).to.have.length(1);
      const params = new URL(frames.added[0]!.src).searchParams;
      expect(params.get('prompt')).to.equal('none');
      expect(params.get('response_type')).to.equal('code');
      expect(params.get('code_challenge_method')).to.equal('S256');
      expect(params.get('code_challenge')).to.match(/^[\w-]{43}$/);
      expect(getStore(store).signedIn).to.equal(true);
      expect(getStore(store).refreshToken).to.be.a('string');
      expect(await codeStats(t)).to.include({ silentRequests: 1, codeExchanges: 2, refreshes: 0 });
      expect(document.querySelectorAll('iframe')).to.have.length(0);
    });

    it('passes login_required through when the provider session is gone', async () => {
      const t = tenant();
      const store = storeName();
      const el = await codeLogin(t, store);
      const failed = oneEvent(el, 'auth-error');
      expect(await el.loginSilently()).to.equal(false);
      expect(((await failed) as AuthErrorEvent).detail.error).to.equal('login_required');
      expect(getStore(store).session).to.equal(null);
    });
  });

  it('an implicit sign-in of the same store holds no refresh token, and renews in the iframe as before', async () => {
    const t = tenant();
    const store = storeName();
    const { signIn } = await import('../helpers/flow.js');
    await signIn(t, { store });
    expect(getStore(store).refreshToken).to.equal(undefined);
  });
});

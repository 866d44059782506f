import { expect, fixture, fixtureSync, html, oneEvent } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthCallbackElement } from '../../src/elements/auth-callback.js';
import type { AuthErrorEvent, AuthSignedInEvent } from '../../src/events.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, jwtPayload, runCallback, setFragment, startLogin, storeName } from '../helpers/flow.js';
import { atHash, claims, providerFragment, resetPage, sign, tenant } from '../helpers/idp.js';

const KEY = (store: string) => `auth-elements:store:${store}`;

/** The provider fragment's parameters. */
const paramsOf = (fragment: string) => new URLSearchParams(fragment.slice(1));

/** The fragment with `id_token` replaced. */
function withIdToken(fragment: string, idToken: string): string {
  const params = paramsOf(fragment);
  params.set('id_token', idToken);
  return `#${params}`;
}

function expectNothingStored(store: string) {
  const s = getStore(store);
  expect(s.session).to.equal(null);
  expect(s.accessToken).to.equal(undefined);
  expect(sessionStorage.getItem(KEY(store))).to.equal(null);
  expect(localStorage.getItem(KEY(store))).to.equal(null);
}

describe('<auth-callback>', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  describe('its content ("Signing you in…")', () => {
    it('is hidden without a response, shown while one is handled, hidden again after', async () => {
      setFragment('');
      const idle = await fixture<AuthCallbackElement>(html`<auth-callback>Signing you in…</auth-callback>`);
      await idle.complete;
      expect(getComputedStyle(idle).display).to.equal('none');

      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      setFragment(await providerFragment(url));
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback>Signing you in…</auth-callback>`);
      expect(el.hasAttribute('handling')).to.equal(true);
      await el.updateComplete;
      expect(getComputedStyle(el).display).to.not.equal('none');
      await el.complete;
      expect(el.hasAttribute('handling')).to.equal(false);
      expect(getComputedStyle(el).display).to.equal('none');
      expect(getStore(store).signedIn).to.equal(true);
    });

    it('is hidden again after a failed response', async () => {
      setFragment('#error=access_denied&state=nope');
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback>Signing you in…</auth-callback>`);
      expect(el.hasAttribute('handling')).to.equal(true);
      await el.complete;
      expect(el.hasAttribute('handling')).to.equal(false);
    });
  });

  describe('without a response in the fragment', () => {
    for (const fragment of ['', '#section', '#state=abc&foo=bar']) {
      it(`does nothing and keeps the fragment "${fragment}"`, async () => {
        setFragment(fragment);
        const seen = collect(document, 'auth-signed-in', 'auth-error');
        const el = await fixture<AuthCallbackElement>(html`<auth-callback>Signing you in…</auth-callback>`);
        await el.complete;
        seen.stop();
        expect(seen.events).to.have.length(0);
        expect(location.hash).to.equal(fragment);
      });
    }
  });

  describe('a valid response', () => {
    it('removes the fragment at once, then fires auth-signed-in with claims, scope and expiry but no token', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      const fragment = await providerFragment(url);
      const accessToken = paramsOf(fragment).get('access_token')!;
      const idToken = paramsOf(fragment).get('id_token')!;
      expect(accessToken).to.be.a('string').and.not.empty;
      expect(idToken).to.be.a('string').and.not.empty;
      setFragment(fragment);
      expect(location.hash).to.equal(fragment);
      const signedIn = oneEvent(document, 'auth-signed-in');
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
      // Synchronously after connection, before any network round trip.
      expect(location.hash).to.equal('');
      expect(location.href).to.not.include(accessToken);
      const before = Date.now();
      const event = (await signedIn) as AuthSignedInEvent;
      await el.complete;
      expect(event.target).to.equal(el);
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      const { detail } = event;
      expect(Object.keys(detail).sort()).to.deep.equal(['claims', 'expiresAt', 'scope', 'store']);
      expect(detail.store).to.equal(store);
      expect(detail.scope).to.equal('openid profile');
      expect(detail.claims!.sub).to.equal('user-1');
      expect(detail.claims!.name).to.equal('Ada Lovelace');
      expect(detail.claims!.aud).to.equal('app');
      expect(detail.expiresAt).to.be.within(before + 3600_000 - 10_000, Date.now() + 3600_000 + 1000);
      const json = JSON.stringify(detail);
      expect(json).to.not.include(accessToken);
      expect(json).to.not.include(idToken);
      expect(json).to.not.include(idToken.split('.')[2]!);
      expect(location.hash).to.equal('');
    });

    it('stores the session in sessionStorage by default', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      const fragment = await providerFragment(url);
      await runCallback(fragment);
      const s = getStore(store);
      expect(s.accessToken).to.equal(paramsOf(fragment).get('access_token'));
      expect(s.idToken).to.equal(paramsOf(fragment).get('id_token'));
      expect(s.claims!.sub).to.equal('user-1');
      expect(s.signedIn).to.be.true;
      const raw = JSON.parse(sessionStorage.getItem(KEY(store))!);
      expect(raw.accessToken).to.equal(s.accessToken);
      expect(localStorage.getItem(KEY(store))).to.equal(null);
    });

    it('stores the session in localStorage with storage="local"', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store, storage: 'local' });
      const fragment = await providerFragment(url);
      await runCallback(fragment);
      const s = getStore(store);
      expect(s.accessToken).to.equal(paramsOf(fragment).get('access_token'));
      expect(JSON.parse(localStorage.getItem(KEY(store))!).accessToken).to.equal(s.accessToken);
      expect(sessionStorage.getItem(KEY(store))).to.equal(null);
    });

    it('keeps the session in memory only with storage="memory"', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store, storage: 'memory' });
      const fragment = await providerFragment(url);
      await runCallback(fragment);
      const s = getStore(store);
      expect(s.accessToken).to.equal(paramsOf(fragment).get('access_token'));
      expect(s.claims!.sub).to.equal('user-1');
      expect(sessionStorage.getItem(KEY(store))).to.equal(null);
      expect(localStorage.getItem(KEY(store))).to.equal(null);
    });
  });

  describe('a failed response', () => {
    it('fires auth-error with the provider error, stores nothing and removes the fragment', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      const fragment = await providerFragment(url, '&deny=1');
      expect(paramsOf(fragment).get('error')).to.equal('access_denied');
      setFragment(fragment);
      const failed = oneEvent(document, 'auth-error');
      const seen = collect(document, 'auth-signed-in');
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
      expect(location.hash).to.equal('');
      const event = (await failed) as AuthErrorEvent;
      await el.complete;
      seen.stop();
      expect(event.target).to.equal(el);
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      expect(event.detail).to.deep.equal({ error: 'access_denied', errorDescription: 'The user denied access' });
      expect(seen.events).to.have.length(0);
      expectNothingStored(store);
      expect(location.hash).to.equal('');
    });

    it('refuses the same response a second time (replay): invalid_state', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      const fragment = await providerFragment(url);
      const firstSignedIn = oneEvent(document, 'auth-signed-in');
      await runCallback(fragment);
      await firstSignedIn;
      getStore(store).clear();

      setFragment(fragment);
      const failed = oneEvent(document, 'auth-error');
      const seen = collect(document, 'auth-signed-in');
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
      expect(location.hash).to.equal('');
      const event = (await failed) as AuthErrorEvent;
      await el.complete;
      seen.stop();
      expect(event.target).to.equal(el);
      expect(event.detail.error).to.equal('invalid_state');
      expect(event.detail.errorDescription).to.match(/already used|replay/i);
      expect(seen.events).to.have.length(0);
      expectNothingStored(store);
    });

    it('refuses a parameter given twice: invalid_response, fragment removed', async () => {
      setFragment('#access_token=a&access_token=b&state=x');
      const failed = oneEvent(document, 'auth-error');
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
      expect(location.hash).to.equal('');
      const event = (await failed) as AuthErrorEvent;
      await el.complete;
      expect(event.target).to.equal(el);
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      expect(event.detail.error).to.equal('invalid_response');
      expect(event.detail.errorDescription).to.include('access_token');
      expect(JSON.stringify(event.detail)).to.not.match(/"a"|"b"/);
    });

    it('refuses an ID token signed by another key: invalid_id_token, nothing stored', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      const fragment = await providerFragment(url);
      // The same claims (nonce, at_hash…) as the provider's token; only the signature is the attacker's.
      const payload = jwtPayload(paramsOf(fragment).get('id_token')!);
      expect(payload.at_hash).to.equal(await atHash(paramsOf(fragment).get('access_token')!));
      const forged = await sign(t, payload, { key: 'attacker-rs' });
      setFragment(withIdToken(fragment, forged));
      const failed = oneEvent(document, 'auth-error');
      const seen = collect(document, 'auth-signed-in');
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
      expect(location.hash).to.equal('');
      const event = (await failed) as AuthErrorEvent;
      await el.complete;
      seen.stop();
      expect(event.detail.error).to.equal('invalid_id_token');
      expect(seen.events).to.have.length(0);
      expectNothingStored(store);
    });

    it('accepts the same claims re-signed with the provider key (control for the forgery test)', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      const fragment = await providerFragment(url);
      const payload = jwtPayload(paramsOf(fragment).get('id_token')!);
      const resigned = await sign(t, payload, { key: 'rs' });
      const signedIn = oneEvent(document, 'auth-signed-in');
      await runCallback(withIdToken(fragment, resigned));
      await signedIn;
      expect(getStore(store).idToken).to.equal(resigned);
    });

    it('refuses an ID token with another nonce: invalid_nonce, nothing stored', async () => {
      const t = tenant();
      const store = storeName();
      const { url } = await startLogin(t, { store });
      const fragment = await providerFragment(url);
      const accessToken = paramsOf(fragment).get('access_token')!;
      const idToken = await sign(t, claims(t, 'app', 'not-the-nonce', { at_hash: await atHash(accessToken) }));
      setFragment(withIdToken(fragment, idToken));
      const failed = oneEvent(document, 'auth-error');
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
      const event = (await failed) as AuthErrorEvent;
      await el.complete;
      expect(event.detail.error).to.equal('invalid_nonce');
      expectNothingStored(store);
      expect(location.hash).to.equal('');
    });
  });

  it('handles a response once when two <auth-callback> are on the page', async () => {
    const t = tenant();
    const store = storeName();
    const { url } = await startLogin(t, { store });
    setFragment(await providerFragment(url));
    const seen = collect(document, 'auth-signed-in', 'auth-error');
    const container = await fixture<HTMLDivElement>(html`<div><auth-callback></auth-callback><auth-callback></auth-callback></div>`);
    const [a, b] = [...container.querySelectorAll('auth-callback')];
    await Promise.all([a!.complete, b!.complete]);
    seen.stop();
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-in']);
    expect(getStore(store).signedIn).to.be.true;
  });
});

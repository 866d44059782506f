// Storage that throws: a browser that blocks this site's data (reading `sessionStorage` throws SecurityError), and a
// full storage (setItem throws QuotaExceededError). A redirect sign-in is refused before the page leaves; a popup or
// silent one keeps its pending sign-in in memory; a validated session that cannot be written is kept in memory and
// the page is told with `storage_unavailable`. The answer page test/fixtures/blocked-callback.html has its storage
// blocked too, as every page of the site would.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthErrorEvent, AuthSignedInEvent } from '../../src/events.js';
import { createTransaction, handOff, saveTransaction, startSignIn, takeTransaction, TRANSACTION_LIFETIME } from '../../src/protocol/authorize.js';
import type { Session } from '../../src/protocol/callback.js';
import { errorDetail } from '../../src/protocol/errors.js';
import { storages } from '../../src/store/storage.js';
import { getStore } from '../../src/store/token-store.js';
import { expectAuthError } from '../helpers/expect-error.js';
import { clearStores, collect, runCallback, signIn, startLogin, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, providerFragment, resetPage, tenant } from '../helpers/idp.js';

type Area = 'sessionStorage' | 'localStorage';
type Method = 'setItem' | 'getItem' | 'removeItem' | 'key';

const keyOf = (name: string) => `auth-elements:store:${name}`;
const restores: (() => void)[] = [];

/** Puts back every getter and method replaced by the test (registered first, so it runs before the other cleanups). */
function restoreStorage(): void {
  for (const restore of restores.splice(0).reverse()) restore();
}

/** Makes reading `window[area]` throw SecurityError, as when the browser blocks this site's data. */
function block(area: Area): void {
  const owner = Object.hasOwn(window, area) ? window : Object.getPrototypeOf(window);
  const descriptor = Object.getOwnPropertyDescriptor(owner, area)!;
  Object.defineProperty(window, area, {
    configurable: true,
    get() {
      throw new DOMException(`Failed to read the '${area}' property from 'Window': Access is denied for this document.`, 'SecurityError');
    },
  });
  restores.push(() => (owner === window ? Object.defineProperty(window, area, descriptor) : delete (window as unknown as Record<string, unknown>)[area]));
}

/**
 * Makes `methods` of Storage throw a DOMException named `name`: on `only` alone when given (else on both storages), and
 * for keys starting with `prefix` alone when given.
 */
function refuse(methods: Method[], name: 'SecurityError' | 'QuotaExceededError', { only, prefix }: { only?: Area; prefix?: string } = {}): void {
  const target = only && window[only];
  for (const method of methods) {
    const real = Storage.prototype[method] as (...args: unknown[]) => unknown;
    (Storage.prototype as unknown as Record<Method, unknown>)[method] = function (this: Storage, ...args: unknown[]) {
      if ((!target || this === target) && (prefix === undefined || String(args[0]).startsWith(prefix))) {
        throw new DOMException(`Failed to execute '${method}' on 'Storage': refused in this test.`, name);
      }
      return real.apply(this, args);
    };
    restores.push(() => ((Storage.prototype as unknown as Record<Method, unknown>)[method] = real));
  }
}

function session(overrides: Partial<Session> = {}): Session {
  const nowS = Math.floor(Date.now() / 1000);
  return {
    accessToken: 'access-token',
    tokenType: 'Bearer',
    scope: 'openid',
    expiresAt: Date.now() + 3600_000,
    claims: { iss: 'https://idp.example/', sub: 'user-1', aud: 'app', exp: nowS + 3600, iat: nowS },
    issuer: 'https://idp.example/',
    clientId: 'app',
    auth0: false,
    allowedOrigins: ['https://app.example'],
    ...overrides,
  };
}

/** A tenant whose provider session is alive (an interactive sign-in happened, with storage working), store emptied. */
async function liveSession(): Promise<{ t: string; store: string }> {
  const t = tenant();
  const store = storeName();
  await signIn(t, { store });
  getStore(store).clear();
  return { t, store };
}

/** `<auth-login>` whose popup and silent answers come to the answer page with blocked storage. */
function blockedLogin(t: string, store: string, attributes = ''): Promise<AuthLoginElement> {
  return fixture<AuthLoginElement>(`<auth-login issuer="${issuerOf(t)}" client-id="app" audience="${apiOf(t)}" store="${store}" ${attributes}
    silent-redirect-uri="/fixtures/${t}/blocked-callback.html"></auth-login>`);
}

const codes = (events: Event[]) => events.map((event) => (event as AuthErrorEvent).detail?.error ?? event.type);

describe('storage faults', () => {
  afterEach(restoreStorage);
  afterEach(clearStores);
  afterEach(resetPage);

  describe('the storage_unavailable code', () => {
    it('errorDetail maps a thrown SecurityError or QuotaExceededError DOMException to storage_unavailable', () => {
      expect(errorDetail(new DOMException('x', 'SecurityError')).error).to.equal('storage_unavailable');
      expect(errorDetail(new DOMException('full', 'QuotaExceededError'))).to.deep.equal({ error: 'storage_unavailable', errorDescription: 'full' });
      // Other failures keep their codes.
      expect(errorDetail(new DOMException('slow', 'TimeoutError')).error).to.equal('timeout');
      expect(errorDetail(new TypeError('Failed to fetch')).error).to.equal('network_error');
    });
  });

  describe('a redirect sign-in', () => {
    for (const fault of ['SecurityError', 'QuotaExceededError'] as const) {
      it(`is refused before leaving, with auth-error storage_unavailable and no auth-login (sessionStorage: ${fault})`, async () => {
        const t = tenant();
        const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" store=${storeName()}></auth-login>`);
        if (fault === 'SecurityError') block('sessionStorage');
        else refuse(['setItem'], fault, { only: 'sessionStorage' });
        // Were it to start after all, the test page stays (and the auth-login event says so).
        el.addEventListener('auth-login', (event) => event.preventDefault());
        const seen = collect<{ error: string; errorDescription: string }>(el, 'auth-login', 'auth-error');
        const here = location.href;
        expect(await el.login()).to.equal(undefined);
        seen.stop();
        expect(codes(seen.events)).to.deep.equal(['storage_unavailable']);
        expect(seen.events[0]!.detail.errorDescription).to.equal(`sessionStorage threw ${fault}: a redirect sign-in needs it to check the response, so it was not started`);
        expect(seen.events[0]!.bubbles && seen.events[0]!.composed).to.equal(true);
        expect(location.href).to.equal(here);
        expect(el.shadowRoot!.querySelector('button')!.disabled).to.equal(false);
      });
    }

    it('fails in startSignIn before any request (the provider is not even discovered)', async () => {
      block('sessionStorage');
      const requests: unknown[] = [];
      const fetch = (...args: Parameters<typeof window.fetch>) => (requests.push(args), Promise.reject(new Error('no request expected')));
      const started = startSignIn({ issuer: issuerOf(tenant()), clientId: 'app' }, { fetch });
      await expectAuthError(() => started, 'storage_unavailable', /^sessionStorage threw SecurityError/);
      expect(requests).to.have.length(0);
    });
  });

  describe('pending popup and silent sign-ins', () => {
    const config = { issuer: 'https://idp.example', clientId: 'app' };

    it('are kept in this page\'s memory when sessionStorage throws: exact match, single use', async () => {
      block('sessionStorage');
      const tx = createTransaction(config, location, 'silent');
      saveTransaction(tx);
      await expectAuthError(() => takeTransaction(`${tx.state}x`), 'invalid_state', /unknown state/);
      expect(takeTransaction(tx.state)).to.deep.equal(tx);
      await expectAuthError(() => takeTransaction(tx.state), 'invalid_state', /already used/);
    });

    it('are kept there for 10 minutes only', async () => {
      refuse(['setItem'], 'QuotaExceededError', { only: 'sessionStorage' });
      const tx = createTransaction(config, location, 'popup');
      saveTransaction(tx);
      await expectAuthError(() => takeTransaction(tx.state, tx.createdAt + TRANSACTION_LIFETIME + 1), 'invalid_state', /expired/);
    });

    it('where sessionStorage throws, a response with an unknown state gives invalid_state (not network_error)', async () => {
      block('sessionStorage');
      const failed = oneEvent(document.body, 'auth-error');
      await runCallback(`#access_token=x&token_type=Bearer&state=${'s'.repeat(43)}`);
      const { detail } = (await failed) as AuthErrorEvent;
      expect(detail.error).to.equal('invalid_state');
      expect(detail.errorDescription).to.match(/^unknown state/);
    });

    it('handOff: a top-level window without an opener keeps the response when sessionStorage throws', () => {
      block('sessionStorage');
      expect(handOff('s'.repeat(43))).to.equal(undefined);
    });
  });

  describe('silent sign-in with blocked storage', () => {
    it('signs in with storage="memory" (auth-signed-in, signed in, no error)', async () => {
      const { t, store } = await liveSession();
      const el = await blockedLogin(t, store, 'storage="memory"');
      block('sessionStorage');
      block('localStorage');
      const seen = collect(el, 'auth-signed-in', 'auth-error');
      expect(await el.loginSilently()).to.equal(true);
      seen.stop();
      expect(codes(seen.events)).to.deep.equal(['auth-signed-in']);
      expect(getStore(store).signedIn).to.equal(true);
      expect(getStore(store).claims?.sub).to.equal('user-1');
      expect(document.querySelectorAll('iframe')).to.have.length(0);
    });

    it('signs in with the default storage too, then says the session is in memory only', async () => {
      const { t, store } = await liveSession();
      const el = await blockedLogin(t, store);
      block('sessionStorage');
      const seen = collect<{ error: string; errorDescription: string }>(el, 'auth-signed-in', 'auth-error');
      expect(await el.loginSilently()).to.equal(true);
      seen.stop();
      expect(codes(seen.events)).to.deep.equal(['auth-signed-in', 'storage_unavailable']);
      expect(seen.events[1]!.detail.errorDescription).to.equal(`sessionStorage threw SecurityError: store ${store} keeps the session in this page's memory only (lost on reload)`);
      expect(getStore(store).signedIn).to.equal(true);
    });
  });

  describe('popup sign-in with blocked storage', () => {
    const realOpen = window.open;
    let opened: (Window | null)[] = [];
    beforeEach(() => {
      opened = [];
      window.open = (...args: Parameters<typeof window.open>) => {
        const popup = realOpen.apply(window, args);
        opened.push(popup);
        return popup;
      };
    });
    afterEach(() => {
      window.open = realOpen;
      for (const popup of opened) popup?.close();
    });

    it('signs in with storage="memory": the blocked popup hands the response to its opener and closes', async () => {
      const t = tenant();
      const store = storeName();
      const el = await blockedLogin(t, store, 'mode="popup" storage="memory"');
      block('sessionStorage');
      block('localStorage');
      const seen = collect(el, 'auth-login', 'auth-signed-in', 'auth-error');
      const signedIn = oneEvent(el, 'auth-signed-in');
      el.shadowRoot!.querySelector('button')!.click();
      const { detail } = (await signedIn) as AuthSignedInEvent;
      expect(detail.store).to.equal(store);
      await waitUntil(() => opened[0]?.closed, 'the popup closed itself', { timeout: 5000 });
      seen.stop();
      expect(codes(seen.events)).to.deep.equal(['auth-login', 'auth-signed-in']);
      expect(getStore(store).signedIn).to.equal(true);
    });
  });

  describe('a validated session whose write is refused', () => {
    for (const storage of ['session', 'local'] as const) {
      const area = storage === 'session' ? 'sessionStorage' : 'localStorage';
      it(`is kept in memory, signed in, with auth-signed-in then auth-error storage_unavailable (storage="${storage}", QuotaExceededError)`, async () => {
        const t = tenant();
        const store = storeName();
        // Pending sign-ins still fit; the session does not.
        refuse(['setItem'], 'QuotaExceededError', { only: area, prefix: 'auth-elements:store:' });
        const { url } = await startLogin(t, { store, storage });
        const fragment = await providerFragment(url);
        const seen = collect<{ error: string; errorDescription: string }>(document.body, 'auth-signed-in', 'auth-error');
        const callback = await runCallback(fragment);
        seen.stop();
        expect(seen.events.map((event) => `${(event.target as Element).localName} ${event.type}`)).to.deep.equal(['auth-callback auth-signed-in', 'auth-callback auth-error']);
        const { detail } = seen.events[1]!;
        expect(detail.error).to.equal('storage_unavailable');
        expect(detail.errorDescription).to.equal(`${area} threw QuotaExceededError: store ${store} keeps the session in this page's memory only (lost on reload)`);
        expect(callback.hasAttribute('handling')).to.equal(false);
        const tokens = getStore(store);
        expect(tokens.signedIn).to.equal(true);
        expect(window[area].getItem(keyOf(store))).to.equal(null);
        expect(JSON.parse(storages.memory.get(keyOf(store))!)).to.deep.equal(tokens.session);
        // A reload of the store (another tab's storage event) still finds it.
        tokens.reload();
        expect(tokens.signedIn).to.equal(true);
      });
    }
  });

  describe('TokenStore', () => {
    it('set() returns undefined when the write works, and the storage_unavailable error when it is refused, never throwing', () => {
      const store = getStore(storeName());
      expect(store.set(session(), 'local')).to.equal(undefined);
      refuse(['setItem'], 'QuotaExceededError');
      const refused = store.set(session({ accessToken: 'second' }), 'local');
      expect(refused?.code).to.equal('storage_unavailable');
      expect(refused?.message).to.equal(`localStorage threw QuotaExceededError: store ${store.name} keeps the session in this page's memory only (lost on reload)`);
      expect((refused?.cause as DOMException).name).to.equal('QuotaExceededError');
      expect(store.accessToken).to.equal('second');
      // The session stored before (a full storage keeps the old value) is not left to come back on the next page.
      expect(localStorage.getItem(keyOf(store.name))).to.equal(null);
      expect(JSON.parse(storages.memory.get(keyOf(store.name))!).accessToken).to.equal('second');
    });

    it('set() to a blocked storage keeps the session in memory and notifies subscribers', () => {
      const store = getStore(storeName());
      const heard: (string | undefined)[] = [];
      const unsubscribe = store.subscribe((s) => heard.push(s.accessToken));
      block('sessionStorage');
      expect(store.set(session(), 'session')?.message).to.match(/^sessionStorage threw SecurityError: /);
      unsubscribe();
      expect(heard).to.deep.equal(['access-token']);
      expect(store.signedIn).to.equal(true);
    });

    it('clear() does not throw when removing from storage throws, and signs the store out', () => {
      const store = getStore(storeName());
      store.set(session(), 'session');
      refuse(['removeItem', 'setItem', 'getItem', 'key'], 'SecurityError');
      expect(() => store.clear()).to.not.throw();
      expect(store.session).to.equal(null);
      restoreStorage();
      block('sessionStorage');
      block('localStorage');
      store.set(session(), 'memory');
      expect(() => store.clear()).to.not.throw();
      expect(store.signedIn).to.equal(false);
      expect(storages.memory.get(keyOf(store.name))).to.equal(null);
    });

    it('reads from a throwing storage find nothing (signed out, no error)', () => {
      const store = getStore(storeName());
      refuse(['getItem'], 'SecurityError');
      expect(store.session).to.equal(null);
    });
  });
});

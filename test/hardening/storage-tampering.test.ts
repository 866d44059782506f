// [hardening] Storage tampering. A session edited by hand in sessionStorage or localStorage (not JSON, another shape,
// wrong types) is dropped from storage and never used: <auth-login>, <auth-fetch>, <auth-user> and <auth-logout>
// mounted afterwards all render, show "signed out", and no request goes out. An expired one is kept but not used.
// Extra fields are ignored (and pollute no prototype). A pending sign-in edited by hand gives invalid_state.
//
// The store drops the value and fires auth-error invalid_session on the document; the elements show the signed-out
// state (no request is made).
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthErrorEvent } from '../../src/events.js';
import { getStore } from '../../src/store/token-store.js';
import { startSignIn } from '../../src/protocol/authorize.js';
import { handleResponse, parseFragment } from '../../src/protocol/callback.js';
import { expectAuthError } from '../helpers/expect-error.js';
import { clearStores, collect, runCallback, signIn, sleep, startLogin, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, providerFragment, resetPage, stats, tenant } from '../helpers/idp.js';

const storeKey = (store: string) => `auth-elements:store:${store}`;
const txKey = (state: string) => `auth-elements:tx:${state}`;

/** A well-formed session, as the store writes it (fake tokens). */
const good = (t: string, overrides: Record<string, unknown> = {}) => ({
  accessToken: 'at', idToken: 'x.y.z', tokenType: 'Bearer', scope: 'openid', expiresAt: Date.now() + 3600_000,
  claims: { sub: 'user-1', name: 'Ada Lovelace' }, issuer: issuerOf(t), clientId: 'app', auth0: false, allowedOrigins: [location.origin], ...overrides,
});

/** Stored values that are not a session: [what, the raw stored text]. */
const TAMPERED: [string, (t: string) => string][] = [
  ['not JSON', () => '{"accessToken": "at", '],
  ['the text undefined', () => 'undefined'],
  ['an empty string', () => ''],
  ['markup', () => '<img src=x onerror=alert(1)>'],
  ['a number', () => '42'],
  ['a string', () => '"at"'],
  ['true', () => 'true'],
  ['an array', () => '[]'],
  ['an array holding a session', (t) => JSON.stringify([good(t)])],
  ['scope a number', (t) => JSON.stringify(good(t, { scope: 1 }))],
  ['issuer missing', (t) => JSON.stringify(good(t, { issuer: undefined }))],
  ['issuer null', (t) => JSON.stringify(good(t, { issuer: null }))],
  ['clientId an object', (t) => JSON.stringify(good(t, { clientId: {} }))],
  ['accessToken a number', (t) => JSON.stringify(good(t, { accessToken: 42 }))],
  ['accessToken an object', (t) => JSON.stringify(good(t, { accessToken: { toString: 'at' } }))],
  ['idToken an array', (t) => JSON.stringify(good(t, { idToken: ['x.y.z'] }))],
  ['expiresAt a string', (t) => JSON.stringify(good(t, { expiresAt: String(Date.now() + 3600_000) }))],
  ['expiresAt null', (t) => JSON.stringify(good(t, { expiresAt: null }))],
  // [hardening-2]: a session never lasts for good, even one stored by hand (or by an old version) without an expiry.
  ['expiresAt missing', (t) => JSON.stringify(good(t, { expiresAt: undefined }))],
  ['claims a string', (t) => JSON.stringify(good(t, { claims: 'Ada' }))],
  ['claims null', (t) => JSON.stringify(good(t, { claims: null }))],
  ['allowedOrigins a string', (t) => JSON.stringify(good(t, { allowedOrigins: 'https://evil.example' }))],
  ['allowedOrigins holding a number', (t) => JSON.stringify(good(t, { allowedOrigins: [1] }))],
  ['allowedOrigins missing', (t) => JSON.stringify(good(t, { allowedOrigins: undefined }))],
];

describe('[hardening] storage tampering', function () {
  // Frames load pages and modules: generous under a loaded machine.
  this.timeout(15_000);
  const uncaught: string[] = [];
  const onError = (event: ErrorEvent) => uncaught.push(String(event.message));
  const onRejection = (event: PromiseRejectionEvent) => uncaught.push(String(event.reason));
  beforeEach(() => {
    addEventListener('error', onError);
    addEventListener('unhandledrejection', onRejection);
  });
  afterEach(() => {
    removeEventListener('error', onError);
    removeEventListener('unhandledrejection', onRejection);
    expect(uncaught.splice(0), 'uncaught errors').to.deep.equal([]);
  });
  afterEach(clearStores);
  afterEach(resetPage);

  /** The four elements of a page, on `store`, with <auth-fetch auto> calling the tenant's API. */
  async function mountAll(t: string, store: string) {
    const errors = collect<{ error: string }>(document, 'auth-error');
    const page = await fixture<HTMLDivElement>(html`<div>
      <auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store} silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>
      <auth-fetch auto url=${`${apiOf(t)}/echo`} store=${store}><template><p class="sub" data-field="sub"></p></template></auth-fetch>
      <auth-user store=${store}><template><b class="name" data-field="name"></b></template></auth-user>
      <auth-logout store=${store}></auth-logout>
    </div>`);
    const [login, fetcher, user, logout] = ['auth-login', 'auth-fetch', 'auth-user', 'auth-logout'].map((tag) => page.querySelector(tag)! as HTMLElement & { updateComplete: Promise<boolean> });
    await Promise.all([login, fetcher, user, logout].map((el) => el!.updateComplete));
    return { page, login: login!, fetcher: fetcher!, user: user!, logout: logout!, errors };
  }

  /** Every element rendered and says "signed out"; <auth-fetch> sent nothing. */
  async function expectSignedOutPage(t: string, store: string, what: string) {
    const { login, fetcher, user, logout, errors } = await mountAll(t, store);
    expect(login.shadowRoot?.querySelector('button'), `${what}: auth-login rendered`).to.exist;
    expect(logout.shadowRoot?.querySelector('button'), `${what}: auth-logout rendered`).to.exist;
    // Its shadow root (the state slots come with slotted content or an error).
    expect(fetcher.shadowRoot?.querySelector('slot'), `${what}: auth-fetch rendered`).to.exist;
    expect(user.shadowRoot?.querySelector('slot'), `${what}: auth-user rendered`).to.exist;
    expect(login.hasAttribute('signed-in'), what).to.equal(false);
    expect(user.hasAttribute('signed-in'), what).to.equal(false);
    expect(fetcher.hasAttribute('signed-out'), what).to.equal(true);
    expect(user.querySelector('.name'), what).to.equal(null);
    // No session: an automatic request is not even tried. (For an expired session, <auth-fetch> first has
    // <auth-login> try a silent renewal, which fails: no provider session; then login_required.)
    await sleep(300);
    if (getStore(store).session) await waitUntil(() => errors.events.some((e) => e.detail.error === 'login_required'), `${what}: login_required`, { timeout: 3000 });
    errors.stop();
    expect(fetcher.querySelector('.sub'), what).to.equal(null);
    expect((await stats(t)).apiCalls, `${what}: no request`).to.equal(0);
    // Signing out of the tampered store works too.
    logout.shadowRoot!.querySelector('button')!.click();
    await sleep(0);
  }

  // Every case in sessionStorage; in localStorage (read by the same code) one of each kind.
  const LOCAL = ['not JSON', 'an array holding a session', 'issuer null', 'accessToken an object', 'expiresAt a string', 'expiresAt missing', 'allowedOrigins a string'];
  for (const storage of ['sessionStorage', 'localStorage'] as const) {
    describe(`a session edited by hand in ${storage}`, () => {
      for (const [what, value] of TAMPERED.filter(([name]) => storage === 'sessionStorage' || LOCAL.includes(name))) {
        it(`${what}: dropped from storage, never used, every element renders signed out`, async () => {
          const t = tenant();
          const store = storeName();
          window[storage].setItem(storeKey(store), value(t));
          const discarded = collect<{ error: string; errorDescription: string }>(document, 'auth-error');
          await expectSignedOutPage(t, store, what);
          discarded.stop();
          // Discarded with an auth-error: invalid_session, once, naming the store.
          const named = discarded.events.filter((e) => e.detail.error === 'invalid_session');
          expect(named, what).to.have.length(1);
          expect(named[0]!.detail.errorDescription).to.contain(store);
          expect(getStore(store).session, what).to.equal(null);
          expect(window[storage].getItem(storeKey(store)), what).to.equal(null);
        });
      }
    });
  }

  it('control: the same well-formed session is used (the elements show it signed in)', async () => {
    const t = tenant();
    const store = storeName();
    sessionStorage.setItem(storeKey(store), JSON.stringify(good(t)));
    const { login, user, errors } = await mountAll(t, store);
    expect(login.hasAttribute('signed-in')).to.equal(true);
    await sleep(0);
    expect(errors.events.filter((e) => e.detail.error === 'invalid_session')).to.have.length(0);
    await waitUntil(() => user.querySelector('.name')?.textContent === 'Ada Lovelace', 'auth-user shows the claims', { timeout: 8000 });
  });

  it('an expired session is kept but never used: signed out, no request, auth-expired', async () => {
    const t = tenant();
    const store = storeName();
    localStorage.setItem(storeKey(store), JSON.stringify(good(t, { expiresAt: Date.now() - 1000 })));
    const expired = collect(document, 'auth-expired');
    await expectSignedOutPage(t, store, 'expired');
    expired.stop();
    expect(expired.events).to.have.length(1);
    expect(getStore(store).accessToken).to.equal(undefined);
  });

  it('extra fields are ignored: the session works, and nothing lands on Object.prototype', async () => {
    const t = tenant();
    const real = storeName();
    await signIn(t, { store: real });
    const json = sessionStorage.getItem(storeKey(real))!;
    const store = storeName();
    sessionStorage.setItem(storeKey(store), `${json.slice(0, -1)},"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"isAdmin":true,"allowedOriginsExtra":["https://evil.example"]}`);
    const { fetcher } = await mountAll(t, store);
    await waitUntil(() => fetcher.querySelector('.sub')?.textContent === 'user-1', 'the API answered', { timeout: 8000 });
    expect((await stats(t)).verifiedCalls).to.equal(1);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    expect(getStore(store).session).to.not.have.property('polluted');
  });

  it('a value tampered with in another tab (storage event) signs the elements out at once, without a crash', async () => {
    const t = tenant();
    const store = storeName();
    localStorage.setItem(storeKey(store), JSON.stringify(good(t)));
    const { login, fetcher, user } = await mountAll(t, store);
    expect(login.hasAttribute('signed-in')).to.equal(true);
    localStorage.setItem(storeKey(store), '{"accessToken": 42');
    dispatchEvent(new StorageEvent('storage', { key: storeKey(store), storageArea: localStorage }));
    await waitUntil(() => !login.hasAttribute('signed-in'), 'signed out', { timeout: 8000 });
    await waitUntil(() => fetcher.hasAttribute('signed-out') && !user.hasAttribute('signed-in'), 'every element', { timeout: 8000 });
    expect(localStorage.getItem(storeKey(store))).to.equal(null);
  });

  describe('a pending sign-in edited by hand: invalid_state, nothing stored, the fragment removed', () => {
    const TX_TAMPERED: [string, (tx: Record<string, unknown>) => string][] = [
      ['not JSON', () => '{"state": '],
      ['null', () => 'null'],
      ['a number', () => '42'],
      ['an array', (tx) => JSON.stringify([tx])],
      ['another state', (tx) => JSON.stringify({ ...tx, state: 'another-state' })],
      ['state missing', (tx) => JSON.stringify({ ...tx, state: undefined })],
      ['nonce a number', (tx) => JSON.stringify({ ...tx, nonce: 7 })],
      ['nonce missing', (tx) => JSON.stringify({ ...tx, nonce: undefined })],
      ['issuer missing', (tx) => JSON.stringify({ ...tx, issuer: undefined })],
      ['issuer an object', (tx) => JSON.stringify({ ...tx, issuer: {} })],
      ['createdAt a string', (tx) => JSON.stringify({ ...tx, createdAt: String(tx.createdAt) })],
      ['createdAt missing', (tx) => JSON.stringify({ ...tx, createdAt: undefined })],
      ['createdAt 11 minutes ago', (tx) => JSON.stringify({ ...tx, createdAt: Date.now() - 11 * 60_000 })],
      ['createdAt 5 minutes ahead', (tx) => JSON.stringify({ ...tx, createdAt: Date.now() + 5 * 60_000 })],
      ['marked used', (tx) => JSON.stringify({ ...tx, used: 1 })],
    ];
    for (const [what, tamper] of TX_TAMPERED) {
      it(what, async () => {
        const t = tenant();
        const store = storeName();
        const { url } = await startLogin(t, { store });
        const fragment = await providerFragment(url);
        const key = txKey(new URLSearchParams(fragment.slice(1)).get('state')!);
        sessionStorage.setItem(key, tamper(JSON.parse(sessionStorage.getItem(key)!)));
        const seen = collect<{ error: string }>(document, 'auth-signed-in', 'auth-error');
        await runCallback(fragment);
        seen.stop();
        expect(seen.events.map((e) => e.detail.error ?? e.type), what).to.deep.equal(['invalid_state']);
        expect(location.hash).to.equal('');
        expect(getStore(store).session).to.equal(null);
        expect(sessionStorage.getItem(storeKey(store))).to.equal(null);
      });
    }
  });

  it('a pending sign-in removed by hand: invalid_state saying so', async () => {
    const t = tenant();
    const store = storeName();
    const { url } = await startLogin(t, { store });
    const fragment = await providerFragment(url);
    sessionStorage.removeItem(txKey(new URLSearchParams(fragment.slice(1)).get('state')!));
    const failed = oneEvent(document, 'auth-error');
    await runCallback(fragment);
    const { detail } = (await failed) as AuthErrorEvent;
    expect(detail.error).to.equal('invalid_state');
    expect(detail.errorDescription).to.match(/unknown state/);
  });
});

describe('[hardening] pending sign-ins of the wrong shape, and answers of the wrong size', () => {
  afterEach(resetPage);

  for (const [what, change] of [
    ['responseType a number', { responseType: 42 }],
    ['allowedOrigins a string', { allowedOrigins: 'http://localhost:8000 https://evil.example' }],
    ['allowedOrigins with a number', { allowedOrigins: [location.origin, 7] }],
    ['a relative returnTo', { returnTo: '/elsewhere' }],
    ['no leeway', { leeway: undefined }],
    ['jwksUri a number', { jwksUri: 42 }],
  ] as const) {
    it(`a pending sign-in with ${what} is refused as invalid_state, nothing stored`, async () => {
      const t = tenant();
      const { url, transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t) });
      sessionStorage.setItem(`auth-elements:tx:${transaction.state}`, JSON.stringify({ ...transaction, ...change }));
      const params = parseFragment(await providerFragment(url))!;
      const error = await expectAuthError(() => handleResponse(params), 'invalid_state');
      expect(error.message).to.contain('corrupt');
    });
  }

  it('an empty access_token is no access token: invalid_response, not a session with an empty token', async () => {
    const t = tenant();
    const { transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', responseType: 'token', scope: 'read' });
    await expectAuthError(() => handleResponse({ access_token: '', token_type: 'Bearer', state: transaction.state }), 'invalid_response');
  });

  it('refuses a response fragment over 64 KB before parsing it (no frozen page); an ordinary long fragment is not a response', () => {
    const huge = `#access_token=x&${'x&'.repeat(500_000)}`;
    const start = performance.now();
    expect(() => parseFragment(huge)).to.throw(/over 64 KB/);
    expect(performance.now() - start).to.be.below(100);
    expect(parseFragment(`#section-${'y'.repeat(70_000)}`)).to.equal(null);
  });
});

import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthCallbackElement } from '../../src/elements/auth-callback.js';
import type { AuthLogoutElement } from '../../src/elements/auth-logout.js';
import type { AuthSignedOutEvent } from '../../src/events.js';
import { getStore } from '../../src/store/token-store.js';
import { signInWithCode, tokenEndpoint } from '../helpers/code-flow.js';
import { clearStores, collect, signIn, storeName } from '../helpers/flow.js';
import { deferred, issuerOf, resetPage, tenant } from '../helpers/idp.js';

const buttonOf = (el: HTMLElement) => el.shadowRoot!.querySelector('button')!;
const labelOf = (el: HTMLElement) =>
  buttonOf(el).querySelector('slot')!.assignedNodes({ flatten: true }).map((node) => node.textContent).join('').trim();
/** Cancels auth-signed-out so the page never leaves for the provider's sign-out. */
const stay = (el: HTMLElement) => el.addEventListener('auth-signed-out', (event) => event.preventDefault());

describe('<auth-logout>', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  it('renders a native button part with a default slot whose fallback is "Sign out"', async () => {
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${storeName()}></auth-logout>`);
    const buttons = el.shadowRoot!.querySelectorAll('button');
    expect(buttons).to.have.length(1);
    expect(buttons[0]!.getAttribute('part')).to.equal('button');
    expect(buttons[0]!.getAttribute('type')).to.equal('button');
    expect(buttons[0]!.tabIndex).to.be.at.least(0);
    expect(labelOf(el)).to.equal('Sign out');
  });

  it('shows slotted text instead of the fallback', async () => {
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${storeName()}>Log out</auth-logout>`);
    expect(labelOf(el)).to.equal('Log out');
  });

  it('maps return-to to returnTo', async () => {
    const el = await fixture<AuthLogoutElement>(html`<auth-logout return-to="/bye" store="x"></auth-logout>`);
    expect(el.returnTo).to.equal('/bye');
    expect(el.store).to.equal('x');
  });

  it('a click clears the store and fires auth-signed-out (bubbling, composed, cancelable)', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    expect(getStore(store).signedIn).to.be.true;
    expect(sessionStorage.getItem(`auth-elements:store:${store}`)).to.not.equal(null);
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store}></auth-logout>`);
    const fired = oneEvent(el, 'auth-signed-out');
    buttonOf(el).click();
    const event = (await fired) as AuthSignedOutEvent;
    expect(event.bubbles).to.be.true;
    expect(event.composed).to.be.true;
    expect(event.cancelable).to.be.true;
    // An implicit sign-in: an access token, no refresh token.
    expect(event.detail).to.deep.equal({ store, revoked: ['access_token'] });
    // The store is already empty when listeners hear the event.
    expect(getStore(store).session).to.equal(null);
    expect(sessionStorage.getItem(`auth-elements:store:${store}`)).to.equal(null);
  });

  it('reflects signed-in, and drops it on sign-out', async () => {
    const t = tenant();
    const store = storeName();
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store}></auth-logout>`);
    expect(el.hasAttribute('signed-in')).to.be.false;
    await signIn(t, { store });
    await el.updateComplete;
    expect(el.hasAttribute('signed-in')).to.be.true;
    expect(el.signedIn).to.be.true;
    await el.logout();
    await el.updateComplete;
    expect(el.hasAttribute('signed-in')).to.be.false;
  });

  it('without return-to, logout() resolves undefined and ends the local session only', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store}></auth-logout>`);
    const href = location.href;
    const fired = oneEvent(el, 'auth-signed-out');
    const result = await el.logout();
    const event = (await fired) as AuthSignedOutEvent;
    expect(event.defaultPrevented).to.be.false;
    expect(result).to.equal(undefined);
    expect(getStore(store).signedIn).to.be.false;
    expect(location.href).to.equal(href);
  });

  it('with return-to, resolves the end_session_endpoint URL with id_token_hint, post_logout_redirect_uri and client_id', async () => {
    const t = tenant();
    const store = storeName();
    const { store: s } = await signIn(t, { store });
    const idToken = s.idToken!;
    expect(idToken).to.be.a('string');
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="/done"></auth-logout>`);
    stay(el);
    const fired = oneEvent(el, 'auth-signed-out');
    const result = el.logout();
    const event = (await fired) as AuthSignedOutEvent;
    expect(event.cancelable).to.be.true;
    expect(event.defaultPrevented).to.be.true;
    expect(event.detail).to.deep.equal({ store, revoked: ['access_token'] });
    const url = new URL((await result)!);
    expect(url.origin + url.pathname).to.equal(`${issuerOf(t)}/logout`);
    expect(url.searchParams.get('id_token_hint')).to.equal(idToken);
    expect(url.searchParams.get('post_logout_redirect_uri')).to.equal(`${location.origin}/done`);
    expect(url.searchParams.get('client_id')).to.equal('app');
    expect(getStore(store).session).to.equal(null);
  });

  it('for an Auth0 session, resolves Auth0\'s /v2/logout URL', async () => {
    const store = storeName();
    getStore(store).set({
      accessToken: 'opaque-at',
      tokenType: 'Bearer',
      scope: 'openid profile',
      expiresAt: Date.now() + 3600_000,
      issuer: 'https://tenant.example.com/',
      clientId: 'auth0-client',
      auth0: true,
      allowedOrigins: [location.origin],
    });
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="/done"></auth-logout>`);
    stay(el);
    const seen = collect(el, 'auth-error');
    const url = new URL((await el.logout())!);
    seen.stop();
    expect(seen.events).to.have.length(0);
    expect(url.origin + url.pathname).to.equal('https://tenant.example.com/v2/logout');
    expect(url.searchParams.get('client_id')).to.equal('auth0-client');
    expect(url.searchParams.get('returnTo')).to.equal(`${location.origin}/done`);
    expect(url.searchParams.has('id_token_hint')).to.be.false;
    expect(getStore(store).session).to.equal(null);
  });

  it('with an empty store and return-to, resolves the return-to URL itself', async () => {
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${storeName()} return-to="/done"></auth-logout>`);
    stay(el);
    const fired = oneEvent(el, 'auth-signed-out');
    const result = el.logout();
    await fired;
    expect(await result).to.equal(`${location.origin}/done`);
  });

  it('fires auth-error when the provider cannot be reached, and clears the local session anyway', async () => {
    const store = storeName();
    getStore(store).set({
      accessToken: 'at', idToken: 'a.b.c', tokenType: 'Bearer', scope: 'openid', expiresAt: Date.now() + 3600_000,
      issuer: `${location.origin}/nowhere`, clientId: 'app', auth0: false, allowedOrigins: [location.origin],
    });
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="/done"></auth-logout>`);
    stay(el);
    const signedOut = oneEvent(el, 'auth-signed-out');
    const failed = oneEvent(el, 'auth-error');
    const result = el.logout();
    await signedOut;
    const event = (await failed) as CustomEvent<{ error: string; status?: number }>;
    expect(event.bubbles).to.be.true;
    expect(event.composed).to.be.true;
    expect(event.detail.error).to.equal('http_error');
    expect(event.detail.status).to.equal(404);
    expect(await result).to.equal(undefined);
    expect(getStore(store).session).to.equal(null);
    expect(sessionStorage.getItem(`auth-elements:store:${store}`)).to.equal(null);
  });

  it('ignores a second logout() while one runs', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="/done"></auth-logout>`);
    stay(el);
    const seen = collect(el, 'auth-signed-out');
    const first = el.logout();
    const second = el.logout();
    expect(await second).to.equal(undefined);
    expect(await first).to.be.a('string');
    seen.stop();
    expect(seen.events).to.have.length(1);
  });
});

describe('<auth-logout> signs out everywhere', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  it('clears every store of the same issuer and client, in every storage, and leaves the others', async () => {
    const t = tenant();
    const [a, b, c, d] = [storeName(), storeName(), storeName(), storeName()];
    await signIn(t, { store: a });
    await signIn(t, { store: b, storage: 'local' });
    await signIn(tenant(), { store: c });
    // Same issuer, another client: must stay.
    await signIn(t, { store: d });
    getStore(d).set({ ...getStore(d).session!, clientId: 'another-app' });
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${a}></auth-logout>`);
    const fired = oneEvent(el, 'auth-signed-out');
    await el.logout();
    await fired;
    expect(getStore(a).session).to.equal(null);
    expect(getStore(b).session).to.equal(null);
    expect(localStorage.getItem(`auth-elements:store:${b}`)).to.equal(null);
    expect(getStore(c).signedIn).to.equal(true);
    expect(getStore(d).signedIn).to.equal(true);
  });
});

describe('<auth-logout> state (RP-Initiated Logout) and the return through <auth-callback>', () => {
  /** The test page's own query (web-test-runner's session id), put back after each test. */
  const home = location.search;
  const pendingKey = (state: string) => `auth-elements:logout:${state}`;
  afterEach(clearStores);
  afterEach(resetPage);
  afterEach(() => history.replaceState(null, '', location.pathname + home));

  /** Signs store `store` of tenant `t` in, signs it out with return-to="/done" (page kept) and returns the end-session URL. */
  async function signOut(t: string, store: string): Promise<URL> {
    await signIn(t, { store });
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="/done"></auth-logout>`);
    stay(el);
    return new URL((await el.logout())!);
  }

  /** Where the fake provider's end_session_endpoint sends the browser back (its 302, followed). */
  async function providerReturn(endSession: URL): Promise<URL> {
    return new URL((await fetch(endSession)).url);
  }

  /** Puts `query` after the page's own and `hash` in the address bar, mounts <auth-callback>, and says what it fired. */
  async function returnWith(query: string, hash = '') {
    history.replaceState(null, '', `${location.pathname}${home}${query}${hash}`);
    const before = location.href;
    const seen = collect<{ store: string; provider?: boolean }>(document, 'auth-signed-out', 'auth-error');
    const callback = await fixture<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
    await callback.complete;
    seen.stop();
    return { events: seen.events, before, callback };
  }

  it('sends a fresh 256-bit state each time and keeps each sign-out pending in sessionStorage', async () => {
    const t = tenant();
    const store = storeName();
    const first = (await signOut(t, store)).searchParams.get('state')!;
    const second = (await signOut(t, store)).searchParams.get('state')!;
    expect(first).to.match(/^[\w-]{43}$/);
    expect(second).to.match(/^[\w-]{43}$/);
    expect(second).to.not.equal(first);
    for (const state of [first, second]) {
      const pending = JSON.parse(sessionStorage.getItem(pendingKey(state))!) as Record<string, unknown>;
      expect(pending).to.include({ state, store, issuer: issuerOf(t), returnTo: `${location.origin}/done` });
      expect(pending.createdAt).to.be.a('number').within(Date.now() - 60_000, Date.now());
    }
  });

  it('the provider passes it back; <auth-callback> then strips it from the URL at once and fires auth-signed-out {store, provider: true}', async () => {
    const t = tenant();
    const store = storeName();
    const endSession = await signOut(t, store);
    const back = await providerReturn(endSession);
    expect(back.origin + back.pathname).to.equal(`${location.origin}/done`);
    const state = back.searchParams.get('state')!;
    expect(state).to.equal(endSession.searchParams.get('state'));
    // Signed in again in the meantime (another tab, a new sign-in): the return does not clear stores again.
    const other = storeName();
    await signIn(t, { store: other });
    let urlWhenFired = '';
    document.addEventListener('auth-signed-out', () => (urlWhenFired = location.href), { once: true });
    // The page's own query (written as a server would) and fragment stay exactly as they were.
    const { events, callback } = await returnWith(`&keep=a+b%20c&flag&state=${state}&z=%7E`, '#section');
    expect(events.map((event) => [event.type, event.detail])).to.deep.equal([['auth-signed-out', { store, provider: true }]]);
    const [event] = events;
    expect(event!.target).to.equal(callback);
    expect(event!.bubbles).to.be.true;
    expect(event!.composed).to.be.true;
    expect(event!.cancelable).to.be.false;
    const expected = `${location.origin}${location.pathname}${home}&keep=a+b%20c&flag&z=%7E#section`;
    expect(urlWhenFired).to.equal(expected);
    expect(location.href).to.equal(expected);
    expect(sessionStorage.getItem(pendingKey(state))).to.not.include(store);
    expect(getStore(other).signedIn).to.be.true;
  });

  it('a return with only its state leaves no "?"', async () => {
    const store = storeName();
    const state = (await signOut(tenant(), store)).searchParams.get('state')!;
    history.replaceState(null, '', `${location.pathname}?state=${state}`);
    const callback = await fixture<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
    await callback.complete;
    expect(location.href).to.equal(`${location.origin}${location.pathname}`);
  });

  describe('a state that is not a pending sign-out\'s: no outcome, the URL and the stores untouched', () => {
    /** A sign-out pending (state `state`), and another store signed in that must stay. */
    async function pendingAndSignedIn() {
      const t = tenant();
      const state = (await signOut(t, storeName())).searchParams.get('state')!;
      const other = storeName();
      await signIn(t, { store: other });
      return { state, other };
    }
    function expectUntouched(result: Awaited<ReturnType<typeof returnWith>>, other: string) {
      expect(result.events).to.have.length(0);
      expect(location.href).to.equal(result.before);
      expect(getStore(other).signedIn).to.be.true;
    }

    it('a wrong state, or the page\'s own ?state=, keeps working and leaves the sign-out pending', async () => {
      const { state, other } = await pendingAndSignedIn();
      for (const wrong of [state.slice(0, -1) + (state.endsWith('A') ? 'B' : 'A'), 'page-own', state.slice(1), `${state}x`]) {
        expectUntouched(await returnWith(`&state=${wrong}`), other);
      }
      expect(new URLSearchParams(location.search).get('state')).to.equal(`${state}x`);
      expect(JSON.parse(sessionStorage.getItem(pendingKey(state))!).state).to.equal(state);
    });

    it('a missing state: nothing, and the sign-out stays pending', async () => {
      const { state, other } = await pendingAndSignedIn();
      expectUntouched(await returnWith('&from=provider'), other);
      expectUntouched(await returnWith('&state='), other);
      expect(JSON.parse(sessionStorage.getItem(pendingKey(state))!).state).to.equal(state);
    });

    it('a replayed state (second use) is refused', async () => {
      const { state, other } = await pendingAndSignedIn();
      const first = await returnWith(`&state=${state}`);
      expect(first.events).to.have.length(1);
      expectUntouched(await returnWith(`&state=${state}`), other);
    });

    it('an expired state (over 10 minutes old) is refused', async () => {
      const { state, other } = await pendingAndSignedIn();
      const pending = JSON.parse(sessionStorage.getItem(pendingKey(state))!) as { createdAt: number };
      sessionStorage.setItem(pendingKey(state), JSON.stringify({ ...pending, createdAt: Date.now() - 600_000 - 5_000 }));
      expectUntouched(await returnWith(`&state=${state}`), other);
    });
  });

  it('an Auth0 (domain) sign-out has no state and keeps nothing pending', async () => {
    const store = storeName();
    getStore(store).set({
      accessToken: 'opaque-at', tokenType: 'Bearer', scope: 'openid profile', expiresAt: Date.now() + 3600_000,
      issuer: 'https://tenant.example.com/', clientId: 'auth0-client', auth0: true, allowedOrigins: [location.origin],
    });
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="/done"></auth-logout>`);
    stay(el);
    const url = new URL((await el.logout())!);
    expect(url.pathname).to.equal('/v2/logout');
    expect(url.searchParams.has('state')).to.be.false;
    expect(Object.keys(sessionStorage).filter((key) => key.startsWith('auth-elements:logout:'))).to.deep.equal([]);
  });
});

describe('<auth-logout> revokes the tokens first (RFC 7009)', () => {
  /** What the fake provider recorded of each revocation request. */
  type Revocation = { type: string; hint: string | null; clientId: string | null; revoked: boolean; status: number | null };
  const revocations = async (t: string): Promise<Revocation[]> => ((await (await fetch(`/idp/${t}/stats`)).json()) as { revocations: Revocation[] }).revocations;
  let original: typeof fetch;
  beforeEach(() => (original = window.fetch));
  afterEach(() => (window.fetch = original));
  afterEach(clearStores);
  afterEach(resetPage);

  /**
   * Replaces the page's fetch with one that records every URL (and whether `store` was still signed in then), and
   * holds each revocation request on `hold()` when given.
   */
  function watchFetch(store: string, hold?: () => Promise<unknown>) {
    const seen: { url: string; signedIn: boolean; body?: string }[] = [];
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new Request(input, init).url;
      seen.push({ url, signedIn: getStore(store).session !== null, body: init?.body instanceof URLSearchParams ? String(init.body) : undefined });
      if (hold && url.endsWith('/revoke')) await hold();
      return original(input, init);
    };
    return { seen, revokes: () => seen.filter(({ url }) => url.endsWith('/revoke')) };
  }

  it('a click revokes the refresh and access tokens while still signed in, then clears the store; the event lists them', async () => {
    const t = tenant();
    const store = storeName();
    const { store: s } = await signInWithCode(t, store);
    const refreshToken = s.refreshToken!;
    expect(refreshToken).to.be.a('string');
    const watched = watchFetch(store);
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store}></auth-logout>`);
    const seen = collect<AuthSignedOutEvent['detail']>(el, 'auth-signed-out', 'auth-error');
    const fired = oneEvent(el, 'auth-signed-out');
    buttonOf(el).click();
    const event = (await fired) as AuthSignedOutEvent;
    seen.stop();
    expect(event.detail).to.deep.equal({ store, revoked: ['refresh_token', 'access_token'] });
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-out']);
    expect(el.error).to.be.false;
    // Sent before the store was cleared.
    expect(watched.revokes()).to.have.length(2);
    expect(watched.revokes().every(({ signedIn }) => signedIn)).to.be.true;
    expect(getStore(store).session).to.equal(null);
    const records = await revocations(t);
    expect(records.map(({ type, hint, revoked }) => [type, hint, revoked]).sort()).to.deep.equal([['access_token', 'access_token', true], ['refresh_token', 'refresh_token', true]]);
    // The provider now refuses the refresh token.
    const refused = await tokenEndpoint(t, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'app' });
    expect(refused.status).to.equal(400);
    expect(refused.body.error).to.equal('invalid_grant');
  });

  it('the button is busy (disabled) while revoking, and the store still signed in; both end when it is done', async () => {
    const t = tenant();
    const store = storeName();
    await signInWithCode(t, store);
    const release = deferred();
    const arrived = deferred();
    watchFetch(store, () => {
      arrived.resolve();
      return release.promise;
    });
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store}></auth-logout>`);
    const fired = oneEvent(el, 'auth-signed-out');
    buttonOf(el).click();
    await arrived.promise;
    expect(buttonOf(el).disabled).to.be.true;
    expect(getStore(store).signedIn).to.be.true;
    // A second click while it runs does nothing.
    expect(await el.logout()).to.equal(undefined);
    release.resolve();
    const event = (await fired) as AuthSignedOutEvent;
    expect(event.detail.revoked).to.deep.equal(['refresh_token', 'access_token']);
    // The button is enabled again once the sign-out has finished (just after its event).
    await waitUntil(() => !buttonOf(el).disabled, 'the button stays disabled', { timeout: 5000 });
    expect(getStore(store).session).to.equal(null);
  });

  it('a provider that is down: signs out all the same, and the event, the error state, the slot and the console say so', async () => {
    const t = tenant('revoke503-');
    const store = storeName();
    await signInWithCode(t, store);
    const warn = console.warn;
    const warned: string[] = [];
    console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(' '));
    try {
      const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="/done"></auth-logout>`);
      stay(el);
      const seen = collect<Record<string, unknown>>(el, 'auth-signed-out', 'auth-error');
      const url = await el.logout();
      seen.stop();
      expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-signed-out', 'auth-error']);
      const [signedOut, failed] = seen.events;
      const { revocationError, ...rest } = signedOut!.detail as { revocationError: { error: string; errorDescription: string } };
      expect(rest).to.deep.equal({ store, revoked: [] });
      expect(revocationError.error).to.equal('http_error');
      expect(revocationError.errorDescription).to.contain('HTTP 503');
      expect(Object.keys(revocationError).sort()).to.deep.equal(['error', 'errorDescription']);
      expect(failed!.detail).to.deep.equal({ ...revocationError, status: 503 });
      // Signed out anyway, and on its way to the provider's sign-out.
      expect(getStore(store).session).to.equal(null);
      expect(sessionStorage.getItem(`auth-elements:store:${store}`)).to.equal(null);
      expect(new URL(url!).pathname).to.equal(`/idp/${t}/logout`);
      await el.updateComplete;
      expect(el.error).to.be.true;
      expect(el.hasAttribute('error')).to.be.true;
      expect(el.shadowRoot!.querySelector('[part=error-message]')!.textContent).to.equal(revocationError.errorDescription);
      expect(warned.filter((message) => message.startsWith('auth-logout: '))).to.deep.equal([`auth-logout: http_error: ${revocationError.errorDescription}`]);
    } finally {
      console.warn = warn;
    }
  });

  it('a provider that never answers: signs out after the 3-second budget, with timeout', async () => {
    const t = tenant('hang-');
    const store = storeName();
    await signInWithCode(t, store);
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store}></auth-logout>`);
    const failed = oneEvent(el, 'auth-error');
    const started = performance.now();
    await el.logout();
    const took = performance.now() - started;
    const event = (await failed) as CustomEvent<{ error: string }>;
    expect(event.detail.error).to.equal('timeout');
    expect(getStore(store).session).to.equal(null);
    expect(took).to.be.at.least(2_900).and.below(10_000);
    expect((await revocations(t)).map(({ type }) => type).sort()).to.deep.equal(['access_token', 'refresh_token']);
  });

  it('no-revoke sends nothing, and the event says nothing was revoked', async () => {
    const t = tenant();
    const store = storeName();
    await signInWithCode(t, store);
    const watched = watchFetch(store);
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} no-revoke></auth-logout>`);
    expect(el.noRevoke).to.be.true;
    const fired = oneEvent(el, 'auth-signed-out');
    await el.logout();
    expect(((await fired) as AuthSignedOutEvent).detail).to.deep.equal({ store, revoked: [] });
    expect(getStore(store).session).to.equal(null);
    expect(watched.seen).to.deep.equal([]);
    expect(await revocations(t)).to.deep.equal([]);
  });

  it('a page with no session sends nothing', async () => {
    const store = storeName();
    const watched = watchFetch(store);
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store}></auth-logout>`);
    const fired = oneEvent(el, 'auth-signed-out');
    await el.logout();
    expect(((await fired) as AuthSignedOutEvent).detail).to.deep.equal({ store, revoked: [] });
    expect(watched.seen).to.deep.equal([]);
  });

  it('never puts the access or refresh token in a URL (revocation, discovery, the provider sign-out)', async () => {
    const t = tenant();
    const store = storeName();
    const { store: s } = await signInWithCode(t, store);
    const secrets = [s.accessToken!, s.refreshToken!];
    const watched = watchFetch(store);
    performance.clearResourceTimings();
    const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="/done"></auth-logout>`);
    stay(el);
    const endSession = (await el.logout())!;
    expect(watched.revokes()).to.have.length(2);
    // In the bodies only.
    expect(watched.revokes().map(({ body }) => new URLSearchParams(body).get('token')).sort()).to.deep.equal([...secrets].sort());
    const urls = [endSession, ...watched.seen.map(({ url }) => url), ...performance.getEntriesByType('resource').map((entry) => entry.name)];
    for (const url of urls) for (const secret of secrets) expect(url).to.not.contain(secret);
  });
});

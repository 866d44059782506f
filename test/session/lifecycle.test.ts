// The session lifecycle (src/session/lifecycle.ts): every automatic action bounded, counted, not slept on.
// - Planning, with the lifecycle's clock and renewer replaced: hours of renewals of short tokens in a moment, counted.
// - Against the fake provider: an API refusing every token, a POST refused once, a renewal during a POST,
//   id_token_hint, and a page with <auth-fetch> but no <auth-login>.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { SignInConfig, Transaction } from '../../src/protocol/authorize.js';
import type { Session } from '../../src/protocol/callback.js';
import { AuthError } from '../../src/protocol/errors.js';
import { lifecycleOf } from '../../src/session/hosts.js';
import { budget, clock, renewer } from '../../src/session/lifecycle.js';
import { getStore, responseHandled } from '../../src/store/token-store.js';
import { clearStores, collect, signIn, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, resetPage, stats, tenant } from '../helpers/idp.js';

const frames = () => document.querySelectorAll('iframe').length;
const realClock = { ...clock };
const realRenewer = { ...renewer };

/** A virtual clock for the lifecycle: `advance(ms)` runs its timers in order, letting each renewal settle. */
function virtualClock() {
  let now = Date.now();
  let id = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  clock.now = () => now;
  clock.set = (callback, ms) => (timers.set(++id, { at: now + ms, callback }), id);
  clock.clear = (timer) => void timers.delete(timer as number);
  // A renewal goes through a Web Lock and a few promises: a real task or two lets it finish.
  // (until it planned the next timer, or for 50 tasks when nothing follows).
  const settle = async () => {
    for (let i = 0; i < 52 && (i < 2 || !timers.size); i++) await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return {
    get now() {
      return now;
    },
    pending: () => timers.size,
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...timers].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > end) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].callback();
        await settle();
      }
      now = end;
      await settle();
    },
  };
}

let serial = 0;
/** A session as a sign-in gives it, issued now (virtual time), valid for `ttl` seconds. */
function session(store: string, ttl: number, at: number): Session {
  return { accessToken: `token-${++serial}`, tokenType: 'Bearer', scope: 'openid', expiresAt: at + ttl * 1000, issuedAt: at, issuer: issuerOf('virtual'), clientId: 'app', auth0: false, allowedOrigins: [location.origin], claims: { iss: issuerOf('virtual'), sub: 'user-1', aud: 'app', exp: 0, iat: 0 } };
}

describe('session lifecycle: planning and budgets (virtual clock, counted renewals)', () => {
  afterEach(() => {
    Object.assign(clock, realClock);
    Object.assign(renewer, realRenewer);
  });
  afterEach(clearStores);
  afterEach(resetPage);

  /** An <auth-login auto-renew> of a fresh store holding a `ttl` s token; `answer` replaces the silent sign-in. */
  async function renewing(ttl: number, answer?: (config: SignInConfig) => Promise<{ session: Session; transaction: Transaction }>) {
    const time = virtualClock();
    const store = storeName();
    const calls: SignInConfig[] = [];
    renewer.run = (config) => {
      calls.push(config);
      return answer ? answer(config) : Promise.resolve({ session: session(store, ttl, time.now), transaction: { store, storage: 'memory' } as Transaction });
    };
    getStore(store).set(session(store, ttl, time.now), 'memory');
    const seen = collect(document, 'auth-expiring', 'auth-signed-in', 'auth-error');
    const login = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf('virtual')} client-id="app" store=${store} storage="memory" auto-renew></auth-login>`);
    // The lifecycle's code is loaded when a store with a session gets its first element: before virtual time runs.
    await lifecycleOf(store);
    return { time, store, calls, seen, login };
  }

  // Renewal at expiresAt - min(60 s, 25 % of the lifetime), never sooner than 5 s after the previous one started.
  for (const [ttl, expected] of [[10, 80], [30, 26], [60, 13], [90, 8], [3600, 0]] as const) {
    it(`expires_in=${ttl}: ${expected} renewals in 10 minutes, each announced once`, async () => {
      const { time, calls, seen } = await renewing(ttl);
      await time.advance(600_000);
      seen.stop();
      expect(calls.length).to.be.within(Math.max(0, expected - 1), expected + 1);
      expect(seen.events.filter((e) => e.type === 'auth-signed-in')).to.have.length(calls.length);
      expect(seen.events.filter((e) => e.type === 'auth-expiring')).to.have.length(calls.length);
      expect(seen.events.filter((e) => e.type === 'auth-error')).to.have.length(0);
    });
  }

  it('a 1-second token renews at most once per 5 s (the gap), not in a loop', async () => {
    const { time, calls } = await renewing(1);
    await time.advance(60_000);
    expect(calls.length).to.be.within(1, 13);
  });

  it('a token valid for 30 days: timers in steps under 2^31-1 ms, one renewal a minute before expiry', async () => {
    const { time, calls } = await renewing(30 * 86_400);
    await time.advance(30 * 86_400_000 - 61_000);
    expect(calls).to.have.length(0);
    await time.advance(2000);
    expect(calls).to.have.length(1);
  });

  it('a transient failure is tried again after 5, 10 and 20 s, then reported once and left', async () => {
    const { time, calls, seen } = await renewing(60, () => Promise.reject(new AuthError('network_error', 'down')));
    await time.advance(45_000);
    expect(calls).to.have.length(1);
    await time.advance(4_900);
    expect(calls).to.have.length(1);
    await time.advance(200);
    expect(calls).to.have.length(2);
    await time.advance(10_000);
    expect(calls).to.have.length(3);
    await time.advance(20_000);
    expect(calls).to.have.length(4);
    await time.advance(600_000);
    seen.stop();
    expect(calls).to.have.length(1 + budget.backoff.length);
    expect(seen.events.filter((e) => e.type === 'auth-error').map((e) => (e.detail as { error: string }).error)).to.deep.equal(['network_error']);
  });

  it('no provider session (login_required) stops at once, quietly', async () => {
    const { time, calls, seen } = await renewing(60, () => Promise.reject(new AuthError('login_required', 'no session')));
    await time.advance(600_000);
    seen.stop();
    expect(calls).to.have.length(1);
    expect(seen.events.filter((e) => e.type === 'auth-error')).to.have.length(0);
  });

  it('another failure (invalid_config) is reported once, not tried again', async () => {
    const { time, calls, seen, login } = await renewing(60, () => Promise.reject(new AuthError('invalid_config', 'bad')));
    await time.advance(600_000);
    seen.stop();
    expect(calls).to.have.length(1);
    const errors = seen.events.filter((e) => e.type === 'auth-error');
    expect(errors).to.have.length(1);
    // Shown where the page can see it: on the store's <auth-login>.
    expect(errors[0]!.target).to.equal(login);
  });

  it('renews with the stored ID token as id_token_hint', async () => {
    const { time, calls, store } = await renewing(60);
    getStore(store).set({ ...getStore(store).session!, idToken: 'the-id-token' }, 'memory');
    await time.advance(60_000);
    expect(calls.length).to.be.at.least(1);
    expect(calls[0]!.idTokenHint).to.equal('the-id-token');
  });
});

describe('session lifecycle against the fake provider', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  /** Signed in at tenant `t` (live provider session), the helper's <auth-login> gone, the token issued `age` ms ago. */
  async function signedIn(t: string, store: string, age = 60_000) {
    await signIn(t, { store });
    document.querySelectorAll('auth-login').forEach((element) => element.remove());
    const current = getStore(store).session!;
    getStore(store).set({ ...current, issuedAt: Date.now() - age });
  }

  const silentLogin = (t: string, store: string) => html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store}
    silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>`;

  it('an API refusing every token: per element at most two requests, one renewal, one auth-error, no loop', async () => {
    const t = tenant('refuse-');
    const store = storeName();
    await signedIn(t, store);
    const seen = collect(document, 'auth-error', 'auth-response', 'auth-signed-in');
    await fixture(html`<div>${silentLogin(t, store)}
      <auth-fetch auto url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>
      <auth-fetch auto url=${`${apiOf(t)}/echo?b`} store=${store}></auth-fetch></div>`);
    await waitUntil(() => seen.events.filter((e) => e.type === 'auth-error').length === 2, 'both requests failed', { timeout: 15_000 });
    // Whatever else could follow (a new token re-requesting, a renewal per refusal) would come now.
    await waitUntil(async () => frames() === 0 && (await stats(t)).silentRequests === 1, 'the one renewal answered');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    seen.stop();
    const { apiCalls, silentRequests } = await stats(t);
    expect(silentRequests).to.equal(1);
    expect(apiCalls).to.be.within(2, 4);
    const errors = seen.events.filter((e) => e.type === 'auth-error');
    expect(errors.map((e) => [(e.target as Element).localName, (e.detail as { status?: number }).status])).to.deep.equal([['auth-fetch', 401], ['auth-fetch', 401]]);
    expect(document.querySelectorAll('auth-fetch[error]')).to.have.length(2);
  });

  it('a token refused just after it was issued is not renewed: the API is wrong, one auth-error', async () => {
    const t = tenant('refuse-');
    const store = storeName();
    await signedIn(t, store, 0);
    const el = await fixture<AuthFetchElement>(html`<div>${silentLogin(t, store)}<auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch></div>`);
    const fetcher = el.querySelector<AuthFetchElement>('auth-fetch')!;
    expect(await fetcher.send()).to.equal(undefined);
    expect(await stats(t)).to.include({ apiCalls: 1, silentRequests: 0 });
  });

  it('a POST refused once (invalid_token) is retried once with the renewed token: success, form reset, auth-response', async () => {
    const t = tenant('refuseonce-');
    const store = storeName();
    await signedIn(t, store);
    const before = getStore(store).session!.issuedAt;
    const wrapper = await fixture<HTMLDivElement>(html`<div>${silentLogin(t, store)}
      <auth-fetch url=${`${apiOf(t)}/echo`} method="POST" store=${store}><form><input name="title" value="Dentist"><button>Add</button></form></auth-fetch></div>`);
    const fetcher = wrapper.querySelector<AuthFetchElement>('auth-fetch')!;
    const input = fetcher.querySelector('input')!;
    input.value = 'Tea';
    const seen = collect(fetcher, 'auth-response', 'auth-error');
    fetcher.querySelector('form')!.requestSubmit();
    await waitUntil(() => seen.events.length > 0, 'the POST settled', { timeout: 15_000 });
    seen.stop();
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-response']);
    expect((seen.events[0]!.detail as { data: { body: { title: string } } }).data.body.title).to.equal('Tea');
    expect(input.value).to.equal('Dentist');
    expect(getStore(store).session!.issuedAt).to.not.equal(before);
    expect(await stats(t)).to.include({ apiCalls: 2, silentRequests: 1, refusals: 1 });
  });

  it('a POST that fails keeps its values and shows the error', async () => {
    const t = tenant('refuse-');
    const store = storeName();
    await signedIn(t, store, 0);
    const fetcher = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} method="POST" store=${store}><form><input name="title" value="x"></form></auth-fetch>`);
    const input = fetcher.querySelector('input')!;
    input.value = 'Kept';
    const seen = collect(fetcher, 'auth-response', 'auth-error');
    fetcher.querySelector('form')!.requestSubmit();
    await waitUntil(() => seen.events.length > 0, 'the POST settled', { timeout: 15_000 });
    seen.stop();
    expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-error']);
    expect(input.value).to.equal('Kept');
    expect(fetcher.hasAttribute('error')).to.equal(true);
    expect(fetcher.shadowRoot!.querySelector('[part=error-message]')!.textContent).to.contain('401');
  });

  it('a renewal while a POST is in flight does not abort it: its answer, the form reset, auth-response; auto GETs go on', async () => {
    const t = tenant();
    const store = storeName();
    await signedIn(t, store);
    const wrapper = await fixture<HTMLDivElement>(html`<div>${silentLogin(t, store)}
      <auth-fetch auto url=${`${apiOf(t)}/echo`} store=${store}>
        <form method="POST"><input name="title" value="Dentist"><button>Add</button></form></auth-fetch></div>`);
    const login = wrapper.querySelector<AuthLoginElement>('auth-login')!;
    const fetcher = wrapper.querySelector<AuthFetchElement>('auth-fetch')!;
    await waitUntil(() => !fetcher.loading, 'the first GET');
    const input = fetcher.querySelector('input')!;
    input.value = 'Tea';
    // Hold the POST's answer until the renewal is stored.
    const { fetch } = window;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    window.fetch = async (...args) => {
      const response = await fetch(...args);
      if ((args[1] as RequestInit | undefined)?.method === 'POST') await held;
      return response;
    };
    const seen = collect(fetcher, 'auth-response', 'auth-error');
    try {
      fetcher.querySelector('form')!.requestSubmit();
      await waitUntil(async () => (await stats(t)).apiCalls >= 2, 'the POST reached the API');
      const before = getStore(store).session;
      expect(await login.loginSilently()).to.equal(true);
      expect(getStore(store).session).to.not.equal(before);
      release();
      await waitUntil(() => seen.events.some((e) => (e.detail as { data?: { method?: string } }).data?.method === 'POST'), 'the POST answered', { timeout: 10_000 });
    } finally {
      window.fetch = fetch;
      release();
      seen.stop();
    }
    expect(seen.events.filter((e) => e.type === 'auth-error')).to.have.length(0);
    expect(input.value).to.equal('Dentist');
    expect(fetcher.loading).to.equal(false);
  });

  it('silent renewals send id_token_hint: the stored ID token, to a provider that requires it', async () => {
    const t = tenant('hint-');
    const store = storeName();
    await signedIn(t, store);
    const idToken = getStore(store).idToken;
    const login = await fixture<AuthLoginElement>(silentLogin(t, store));
    expect(await login.loginSilently()).to.equal(true);
    const { hints, validHints, lastHint } = await stats(t);
    expect([hints, validHints]).to.deep.equal([1, 1]);
    expect(lastHint).to.equal(idToken);
    // Without a session there is no hint to give: such a provider refuses.
    getStore(store).clear();
    const seen = collect(login, 'auth-error');
    expect(await login.loginSilently()).to.equal(false);
    seen.stop();
    expect((seen.events[0]!.detail as { error: string }).error).to.equal('invalid_request');
  });

  it('a page with <auth-fetch> and no <auth-login> renews with what the session recorded at sign-in', async () => {
    const t = tenant();
    const store = storeName();
    // Signed in by an <auth-login> with a silent-redirect-uri, on another page of the site.
    const { runCallback } = await import('../helpers/flow.js');
    const { providerFragment } = await import('../helpers/idp.js');
    const login = await fixture<AuthLoginElement>(silentLogin(t, store));
    let url = '';
    login.addEventListener('auth-login', (event) => {
      event.preventDefault();
      url = (event as CustomEvent<{ url: string }>).detail.url;
    });
    await login.login();
    login.remove();
    await runCallback(await providerFragment(url));
    document.querySelectorAll('auth-login').forEach((element) => element.remove());
    const recorded = getStore(store).session!;
    expect(recorded.renewal?.silentRedirectUri).to.equal(`${location.origin}/fixtures/${t}/silent-callback.html`);
    // The token is past its renewal point.
    getStore(store).set({ ...recorded, issuedAt: Date.now() - 3_590_000, expiresAt: Date.now() + 10_000 });
    const fetcher = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>`);
    const detail = await fetcher.send();
    await responseHandled();
    expect(detail?.status).to.equal(200);
    expect(getStore(store).session!.expiresAt).to.be.above(Date.now() + 3_000_000);
    expect((await stats(t)).silentRequests).to.equal(1);
  });
});

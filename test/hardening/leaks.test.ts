// [hardening] No token leaks: after a sign-in by real redirect (test/fixtures/leak-*.html in an iframe, recorded by
// test/fixtures/hardening-probe.js) the tokens are not in the address bar, in any session history entry, in the
// referrer of the next page, in an event detail or in the console; and they go to no origin that is not allowed,
// however the URL is spelled, nor across a redirect to another origin.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthLogoutElement } from '../../src/elements/auth-logout.js';
import { AuthError } from '../../src/protocol/errors.js';
import { callApi } from '../../src/protocol/request.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, runCallback, signIn, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, now, resetPage, sign, stats, tenant } from '../helpers/idp.js';
import { buttonOf, inFrame, loaded, openFrame, otherOrigin, probe } from './frames.js';

/** The secrets of a session: both tokens and their signatures (a signature alone is enough to recognise a token). */
function secretsOf(session: { accessToken?: string; idToken?: string } | null): string[] {
  const tokens = [session?.accessToken, session?.idToken].filter((token): token is string => !!token);
  expect(tokens, 'the session has tokens').to.have.length.above(0);
  return [...tokens, ...tokens.map((token) => token.split('.')[2]!).filter(Boolean)];
}

/** Fails when any of `texts` contains any secret, or a response parameter name. */
function expectNoSecret(texts: (string | undefined)[], secrets: string[], where: string) {
  for (const text of texts) {
    for (const secret of secrets) expect(text ?? '', `${where}: ${String(text).slice(0, 120)}`).to.not.include(secret);
    expect(text ?? '', where).to.not.match(/access_token=|id_token=/);
  }
}

/** The URLs of the frame's session history entries (Navigation API: this frame's same-origin entries). */
function historyOf(frame: HTMLIFrameElement): string[] {
  const { navigation } = frame.contentWindow as unknown as { navigation: { entries(): { url: string | null }[] } };
  return navigation.entries().map((entry) => entry.url ?? '');
}

describe('[hardening] no token leaks', function () {
  // Frames load pages and modules: generous under a loaded machine.
  this.timeout(15_000);
  let frame: HTMLIFrameElement | undefined;

  afterEach(() => {
    frame?.remove();
    frame = undefined;
  });
  afterEach(clearStores);
  afterEach(resetPage);

  it('a page that is its own redirect page: not in location, history, the next page\'s referrer, events or console', async () => {
    const t = tenant();
    frame = await openFrame(`/fixtures/${t}/leak-page.html`);
    await waitUntil(() => buttonOf(frame!, 'auth-login'), 'auth-login rendered', { timeout: 8000 });
    const back = loaded(frame);
    buttonOf(frame, 'auth-login')!.click();
    await back;
    await waitUntil(() => inFrame(frame!, '.sub')?.textContent === 'user-1', 'signed in, the API answered', { timeout: 8000 });
    const secrets = secretsOf(JSON.parse(sessionStorage.getItem('auth-elements:store:default')!));

    const page = `${location.origin}/fixtures/${t}/leak-page.html`;
    expect(frame.contentWindow!.location.href).to.equal(page);
    expect(frame.contentDocument!.URL).to.equal(page);
    const entries = historyOf(frame);
    expect(entries, 'the first load and the return from the provider').to.have.length(2);
    expectNoSecret(entries, secrets, 'a history entry');

    // The next page, by a link: its referrer is the page without the response.
    const next = loaded(frame);
    inFrame(frame, '#next').click();
    await next;
    const arrivals = probe('loaded').filter((r) => r.page.endsWith('/leak-next.html'));
    expect(arrivals.map((r) => r.referrer)).to.deep.equal([page]);
    expectNoSecret(historyOf(frame), secrets, 'a history entry after leaving');

    const events = probe('event');
    expect(events.map((e) => e.type)).to.include.members(['auth-login', 'auth-signed-in', 'auth-response']);
    expectNoSecret(events.map((e) => e.detail), secrets, 'an event detail');
    expectNoSecret(probe('console').map((c) => c.text), secrets, 'the console');
    expect(probe('error')).to.deep.equal([]);
  });

  it('a separate redirect page that returns to the start page: not in location, history, referrer, events or console', async function () {
    const t = tenant();
    frame = await openFrame(`/fixtures/${t}/leak-start.html`);
    await waitUntil(() => buttonOf(frame!, 'auth-login'), 'auth-login rendered', { timeout: 8000 });
    buttonOf(frame, 'auth-login')!.click();
    // The provider, its redirect to leak-callback.html, then location.replace back to the start page.
    await waitUntil(() => inFrame(frame!, '.sub')?.textContent === 'user-1', 'back on the start page, signed in', { timeout: 8000 });
    const secrets = secretsOf(JSON.parse(sessionStorage.getItem('auth-elements:store:default')!));

    const start = `${location.origin}/fixtures/${t}/leak-start.html`;
    expect(frame.contentWindow!.location.href).to.equal(start);
    expectNoSecret(historyOf(frame), secrets, 'a history entry');
    // The start page, loaded again by the redirect page: its referrer is the redirect page without the response.
    const starts = probe('loaded').filter((r) => r.page.endsWith('/leak-start.html'));
    expect(starts).to.have.length(2);
    expect(starts[1]!.referrer).to.equal(`${location.origin}/fixtures/${t}/leak-callback.html`);
    expect(probe('loaded').filter((r) => r.page.endsWith('/leak-callback.html'))).to.have.length(1);

    const next = loaded(frame);
    inFrame(frame, '#next').click();
    await next;
    expect(probe('loaded').filter((r) => r.page.endsWith('/leak-next.html')).map((r) => r.referrer)).to.deep.equal([start]);

    expectNoSecret(probe('event').map((e) => e.detail), secrets, 'an event detail');
    expectNoSecret(probe('console').map((c) => c.text), secrets, 'the console');
    expect(probe('error')).to.deep.equal([]);
  });

  it('not in any event detail or console output of sign-in, API calls, failures, silent sign-in and sign-out', async function () {
    const logged: string[] = [];
    const originals = new Map<string, (...args: unknown[]) => void>();
    const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table'] as const;
    for (const method of methods) {
      originals.set(method, console[method] as (...args: unknown[]) => void);
      (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        logged.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      };
    }
    const details: string[] = [];
    const record = (event: Event) => details.push(`${event.type} ${JSON.stringify((event as CustomEvent).detail)}`);
    const types = ['auth-login', 'auth-signed-in', 'auth-signed-out', 'auth-response', 'auth-error', 'auth-expiring', 'auth-expired'];
    for (const type of types) document.addEventListener(type, record);
    try {
      const t = tenant();
      const store = storeName();
      // Sign-in by the elements (auth-login, auth-signed-in).
      const { fragment, login } = await signIn(t, { store });
      const session = getStore(store).session;
      const secrets = secretsOf(session);
      // The same response again (invalid_state), and a tampered one (invalid_id_token): auth-error.
      await runCallback(fragment);
      await runCallback(fragment.replace(/(id_token=[^&]*)/, '$1x'));
      // API calls: an answer, an error status, a refused origin.
      const call = async (url: string) => {
        const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${url} store=${store}></auth-fetch>`);
        await el.send();
        el.remove();
      };
      await call(`${apiOf(t)}/echo`);
      await call(`${apiOf(t)}/status/500`);
      await call(otherOrigin(`${apiOf(t)}/echo`));
      // A silent sign-in (auth-signed-in again), then sign-out (auth-signed-out), staying on the page.
      (login as AuthLoginElement).silentRedirectUri = `/fixtures/${t}/silent-callback.html`;
      expect(await login.loginSilently()).to.equal(true);
      const logout = await fixture<AuthLogoutElement>(html`<auth-logout store=${store}></auth-logout>`);
      const out = oneEvent(logout, 'auth-signed-out');
      await logout.logout();
      await out;
      const seen = details.map((d) => d.split(' ')[0]);
      expect(seen).to.include.members(['auth-login', 'auth-signed-in', 'auth-error', 'auth-response', 'auth-signed-out']);
      expect(details.filter((d) => d.startsWith('auth-error'))).to.have.length(4);
      expectNoSecret(details, [...secrets, ...secretsOf(getStore(store).session ?? session)], 'an event detail');
      expectNoSecret(logged, secrets, 'the console');
    } finally {
      for (const [method, original] of originals) (console as unknown as Record<string, unknown>)[method] = original;
      for (const type of types) document.removeEventListener(type, record);
    }
  });

  it('never to another origin, however its URL is spelled: origin_not_allowed and no request', async () => {
    const requests: string[] = [];
    const spy = (async (input: RequestInfo | URL) => {
      requests.push(String(input));
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const { host, port, origin } = location;
    const refused = [
      otherOrigin('/api/x'),
      `//127.0.0.1:${port}/api`,
      `/\\127.0.0.1:${port}/api`,
      `http:\\\\127.0.0.1:${port}\\api`,
      `http://${host}@127.0.0.1:${port}/api`,
      `http://${location.hostname}.evil.example:${port}/api`,
      `http://localhost.:${port}/api`,
      `http://localhost:${Number(port) + 1}/api`,
      `https://${host}/api`,
      `ws://${host}/api`,
      'http://[::1]/api',
      `http://0x7f.1:${port}/api`,
      'javascript:alert(1)',
      'data:text/plain,hello',
      'about:blank',
    ];
    for (const url of refused) {
      let error: unknown;
      try {
        await callApi({ url }, { accessToken: 'the-token', allowedOrigins: [origin] }, { fetch: spy });
      } catch (caught) {
        error = caught;
      }
      expect(error, url).to.be.instanceOf(AuthError);
      expect((error as AuthError).code, url).to.equal('origin_not_allowed');
    }
    expect(requests).to.deep.equal([]);
    // Control: the page's own origin, however spelled, gets it.
    for (const url of ['/api/x', `${origin.toUpperCase()}/api/x`, `http://${location.hostname}:${port}/./api/x`, `${origin}/../api/x`]) {
      await callApi({ url }, { accessToken: 'the-token', allowedOrigins: [origin] }, { fetch: spy });
    }
    expect(requests.map((r) => new URL(r).origin)).to.deep.equal([origin, origin, origin, origin]);
  });

  it('a redirect to another origin does not carry the token there (the API there never verifies a call)', async function () {
    const t = tenant();
    const store = storeName();
    // A token the other origin's API would accept: its issuer is that origin's (the fake provider keys tenants by
    // name, so both origins share the keys).
    const token = await sign(t, { iss: otherOrigin(issuerOf(t)), sub: 'user-1', aud: 'api', scope: 'read', iat: now(), exp: now() + 3600 });

    // Control: sent by a page of that origin itself, the API there verifies it.
    const answered = new Promise<unknown>((resolve) => addEventListener('message', (event) => resolve((event.data as Record<string, unknown>)?.['bearer-echo']), { once: true }));
    frame = await openFrame(`${otherOrigin(`/fixtures/${t}/bearer-echo.html`)}#${token}`);
    expect(await answered).to.equal(200);
    expect((await stats(t)).verifiedCalls).to.equal(1);
    const { apiCalls } = await stats(t);

    // The page's own origin is allowed; the provider's /logout there redirects (302) to the other origin's API.
    getStore(store).set({ accessToken: token, tokenType: 'Bearer', scope: 'read', issuer: issuerOf(t), clientId: 'app', auth0: false, allowedOrigins: [location.origin], expiresAt: Date.now() + 3600_000 }, 'memory');
    const target = otherOrigin(`${apiOf(t)}/echo`);
    const el = await fixture<AuthFetchElement>(html`<auth-fetch store=${store} url=${`/idp/${t}/logout?post_logout_redirect_uri=${encodeURIComponent(target)}`}></auth-fetch>`);
    const failed = oneEvent(el, 'auth-error');
    void el.send();
    // The other origin answers 401 without CORS headers: the browser reports a failed request.
    expect((await failed).detail.error).to.equal('network_error');
    const after = await stats(t);
    expect(after.apiCalls, 'the redirected request reached the other origin').to.be.above(apiCalls);
    expect(after.verifiedCalls, 'but without the token').to.equal(1);
  });
});

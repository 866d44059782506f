// End to end, the token lifecycle of the demo app (demo/index.html: `check-session auto-renew storage="local"`, the
// list an `<auth-fetch auto>`), against the real node-oidc-provider of `npm start`'s demo (demo/demo.mjs's startDemo on
// free loopback ports) in Debian's Chromium driven by playwright-core. The budgets it holds the elements to:
//
// - renewal point = expiresAt − min(60 s, 25 % of the token's lifetime): 30 s access tokens are renewed 7.5 s before
//   they expire, every 22.5 s, so about 5 times in 2 minutes, and the API keeps answering;
// - an API that refuses every token with 401 `WWW-Authenticate: Bearer error="invalid_token"` (here: it requires
//   another audience, startDemo's `apiRequiredAudience`) gets at most one renewal and one retry per token, none for a
//   token younger than 10 s: a handful of calls, one visible error, no loop;
// - silent (prompt=none) renewals send `id_token_hint`: the ID token the store holds from the same issuer.
//
// Run with `node --test test/e2e-node/lifecycle.test.mjs` after `npm run build` (npm test does both). It takes about
// four minutes: the auto-renew test watches the page for two minutes on purpose.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { chromium } from 'playwright-core';
import { startDemo } from '../../demo/demo.mjs';
import { CLIENT_ID } from '../../demo/server/provider.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { ensureBundle } from './bundle.mjs';

const STORE_KEY = 'auth-elements:store:default';
const AUTH_EVENTS = ['auth-login', 'auth-signed-in', 'auth-signed-out', 'auth-response', 'auth-error', 'auth-expiring', 'auth-expired'];
/** Per browser step (a click, a navigation, a wait); generous, for a busy 2-core machine. */
const STEP = 10_000;
/** What the demo API holds for Ada at start (demo/server/api.mjs), in the order the list shows it. */
const ADA = ['Review the Analytical Engine notes', 'Tea with Charles Babbage'];
/** The access token lifetime of the short-token demo, in seconds. */
const TTL = 30;

let browser;
/** The demo with 30-second access tokens. */
let short;

before(async () => {
  await ensureBundle();
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 30_000 });
  short = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true, accessTokenTtl: TTL });
});

after(async () => {
  await browser?.close();
  await short?.close();
});

/**
 * A fresh browser context recording every request (of every page and frame) and the auth-* events of the demo pages
 * (on `window.__events`, and in `events` across documents). Test instrumentation injected by Playwright.
 */
async function openBrowser(demo) {
  const origin = new URL(demo.urls.pages).origin;
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP);
  context.setDefaultNavigationTimeout(STEP);
  const requests = [];
  const events = [];
  const pageErrors = [];
  context.on('request', (request) => requests.push(request));
  context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`)));
  await context.exposeBinding('__recordAuthEvent', (_source, entry) => events.push(entry));
  await context.addInitScript(({ origin: expected, types }) => {
    if (location.origin !== expected) return;
    window.__events = [];
    for (const type of types) {
      window.addEventListener(type, (event) => {
        const entry = { type, detail: JSON.parse(JSON.stringify(event.detail ?? null)), from: event.target?.localName ?? 'document', at: Date.now() };
        window.__events.push(entry);
        window.__recordAuthEvent(entry);
      }, true);
    }
  }, { origin, types: AUTH_EVENTS });
  return { context, requests, events, pageErrors };
}

/** Opens the app, signs in as Ada at the provider (redirect), and waits until the page is back and signed in. */
async function signIn(page, demo) {
  await page.goto(demo.urls.pages);
  await page.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
  await page.locator('auth-login').locator('button').click();
  await page.waitForURL((url) => url.origin === demo.urls.provider && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('ada-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(demo.urls.pages);
  await page.getByRole('heading', { name: 'Signed in as Ada Lovelace' }).waitFor();
}

/** The silent authorization requests (prompt=none to the provider's /auth) among `requests`. */
const silentRequests = (requests, demo) => requests.filter((r) => r.url().startsWith(`${demo.urls.provider}/auth?`)
  && new URL(r.url()).searchParams.get('prompt') === 'none');

/** The requests to the API that carry an Authorization header (preflights carry none). */
async function apiCalls(requests, demo) {
  const calls = [];
  for (const request of requests.filter((r) => r.url().startsWith(`${demo.urls.api}/api/`))) {
    const authorization = await request.headerValue('authorization');
    if (authorization) calls.push({ request, authorization });
  }
  return calls;
}

/** The session in the page's localStorage (the app's `storage="local"`), or null. */
const stored = async (page) => JSON.parse(await page.evaluate((key) => localStorage.getItem(key), STORE_KEY));

/** Polls `check` (async, truthy = done) every 250 ms until `deadline` (ms since the epoch); false when it ran out. */
async function until(check, deadline) {
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The visible error texts on the page: slotted `slot="error"` content, and `<auth-fetch>`'s own error-message part. */
const visibleErrors = (page) => page.locator('[slot="error"]:visible, [part="error-message"]:visible').allTextContents();

const summary = (requests) => requests.map((r) => {
  const url = new URL(r.url());
  return `${r.method()} ${url.pathname} ${url.searchParams.get('prompt') ?? ''}`.trim();
}).join(', ');

describe('auto-renew with 30-second access tokens, against the real provider', () => {
  test('kept open for 2 minutes: renewed about every 22.5 s (3 to 7 times), the API keeps answering, the list stays', { timeout: 240_000 }, async (t) => {
    const { context, requests, events, pageErrors } = await openBrowser(short);
    try {
      const page = await context.newPage();
      await signIn(page, short);
      await page.locator('#appointments .appointments li').nth(1).waitFor();
      const fromHere = requests.length;
      const eventsFromHere = events.length;
      const first = await stored(page);
      assert.ok(first?.accessToken, 'signed in');

      // The deliberate observation window: two minutes of the page left alone (cut short if renewals run away).
      const windowEnd = Date.now() + 120_000;
      await until(() => silentRequests(requests.slice(fromHere), short).length > 7, windowEnd);

      const silent = silentRequests(requests.slice(fromHere), short);
      t.diagnostic(`prompt=none requests in 2 minutes: ${silent.length} (watched ${Math.round((Date.now() - windowEnd + 120_000) / 1000)} s)`);
      assert.ok(silent.length >= 3 && silent.length <= 7, `expected 3..7 silent renewals in 2 minutes with ${TTL} s tokens, saw ${silent.length}`);
      for (const request of silent) {
        const answer = await request.response();
        assert.ok(answer && answer.status() < 400, `a renewal answered ${answer?.status()}`);
      }

      // A renewed, unexpired session; the list still shows; every API call answered 200.
      const last = await stored(page);
      assert.notEqual(last.accessToken, first.accessToken, 'the token was renewed');
      assert.ok(last.expiresAt > Date.now(), 'the stored token has not expired');
      const calls = await apiCalls(requests, short);
      const statuses = await Promise.all(calls.map(async ({ request }) => (await request.response())?.status()));
      t.diagnostic(`API calls: ${calls.length}, answered ${statuses.join(' ')}`);
      assert.ok(statuses.every((status) => status === 200), `API answers: ${statuses.join(' ')}`);
      // The API answers the current token (asked from the page, as the app would).
      const now = await page.evaluate(async ([url, token]) => (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status,
        [`${short.urls.api}/api/appointments`, last.accessToken]);
      assert.equal(now, 200);
      assert.deepEqual(await page.locator('#appointments .appointments li .title').allTextContents(), ADA);
      assert.ok(await page.locator('#appointments .appointments').isVisible());
      assert.deepEqual(await visibleErrors(page), []);
      const later = events.slice(eventsFromHere);
      assert.deepEqual(later.filter((e) => e.type === 'auth-error' || e.type === 'auth-expired').map((e) => `${e.from} ${e.type} ${e.detail?.error ?? ''}`), []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('silent renewals send id_token_hint: the ID token the store holds', { timeout: 120_000 }, async () => {
    const { context, requests, pageErrors } = await openBrowser(short);
    try {
      const page = await context.newPage();
      await signIn(page, short);
      const fromHere = requests.length;
      const first = await stored(page);
      assert.ok(first?.idToken, 'the store holds an ID token');
      // The first renewal: due 22.5 s after sign-in (7.5 s before the 30 s token expires); allow for a busy machine.
      const renewed = await until(() => silentRequests(requests.slice(fromHere), short).length >= 1, Date.now() + TTL * 1000 + 3 * STEP);
      assert.ok(renewed, 'no silent renewal within the token\'s lifetime');
      const [request] = silentRequests(requests.slice(fromHere), short);
      const params = new URL(request.url()).searchParams;
      const hint = params.get('id_token_hint');
      assert.ok(hint, `the prompt=none request has no id_token_hint: ${[...params.keys()].join(', ')}`);
      assert.equal(hint, first.idToken, 'the hint is the stored ID token');
      const claims = decodeJwt(hint);
      assert.equal(claims.iss, short.urls.provider);
      assert.deepEqual([claims.aud].flat(), [CLIENT_ID]);
      assert.equal(claims.sub, 'ada');
      // The provider took it: the renewal answered with tokens.
      const answer = await request.response();
      const location = answer?.headers().location ?? '';
      assert.ok(new URLSearchParams(new URL(location, short.urls.provider).hash.slice(1)).has('access_token'), `the renewal answered ${answer?.status()} ${location.replace(/(token=)[^&]+/g, '$1…')}`);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

describe('an API that refuses every token (it requires another audience), against the real provider', () => {
  /** The demo whose API wants tokens for an audience the provider never issues: 401 invalid_token for each. */
  let wrong;
  before(async () => {
    wrong = await startDemo({
      pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true, apiRequiredAudience: 'https://other-api.example',
    });
  });
  after(async () => {
    await wrong?.close();
  });

  test('<auth-fetch auto> within 20 s: at most 3 API calls, at most 1 silent renewal, exactly one visible error', { timeout: 90_000 }, async (t) => {
    const { context, requests, events, pageErrors } = await openBrowser(wrong);
    try {
      const page = await context.newPage();
      await signIn(page, wrong);
      const signedInAt = Date.now();
      const fromHere = requests.length;
      // The deliberate observation window: 20 s from the sign-in (cut short once it loops).
      const tooMany = async () => (await apiCalls(requests, wrong)).length > 3 || silentRequests(requests.slice(fromHere), wrong).length > 1;
      await until(tooMany, signedInAt + 20_000);

      // The set-up: the API refused the list's first call as RFC 6750 says.
      const [refused] = await apiCalls(requests, wrong);
      assert.ok(refused, 'the list called the API');
      const answer = await refused.request.response();
      assert.equal(answer.status(), 401);
      assert.match(answer.headers()['www-authenticate'] ?? '', /^Bearer .*error="invalid_token"/);

      const calls = await apiCalls(requests, wrong);
      const silent = silentRequests(requests.slice(fromHere), wrong);
      const fetchErrors = events.filter((e) => e.type === 'auth-error' && e.from === 'auth-fetch');
      t.diagnostic(`API calls ${calls.length}, silent renewals ${silent.length}, <auth-fetch> auth-errors ${fetchErrors.map((e) => e.detail?.error).join(' ')}; requests: ${summary(requests.slice(fromHere)).slice(0, 600)}`);
      assert.ok(calls.length >= 1 && calls.length <= 3, `API calls with a token: ${calls.length} (at most 3)`);
      assert.ok(silent.length <= 1, `silent renewals: ${silent.length} (at most 1)`);
      // No loop: the list ends in its error state (a last retry near the window's end may still be settling).
      await page.locator('#appointments [slot="error"]').waitFor({ state: 'visible', timeout: STEP });
      assert.deepEqual(await visibleErrors(page), ['The appointments could not be loaded.'], 'exactly one visible error, the list\'s');
      assert.ok(fetchErrors.length >= 1, 'the list reported an auth-error');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

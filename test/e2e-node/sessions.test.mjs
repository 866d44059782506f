// End to end, the [sessions] features as the demo uses them, against the real node-oidc-provider of `npm start`'s demo
// (demo/demo.mjs's startDemo on free loopback ports) in Debian's Chromium driven by playwright-core:
//
// - the article (demo/article.html) signs in in a popup (`<auth-login mode="popup" silent-redirect-uri=
//   "/callback.html">`): the reader never leaves the article; closing the popup gives `popup_closed`;
// - the app (demo/index.html, `storage="local"`) shares its session between tabs: sign-in and sign-out in one tab
//   show in the other at once;
// - `auto-renew` with two tabs open renews once per renewal, under the Web Lock, and both tabs take the new token.
//
// Run with `node --test test/e2e-node/sessions.test.mjs` after `npm run build` (npm test does both).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startDemo } from '../../demo/demo.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { ensureBundle } from './bundle.mjs';

const STORE_KEY = 'auth-elements:store:default';
const AUTH_EVENTS = ['auth-login', 'auth-signed-in', 'auth-signed-out', 'auth-response', 'auth-error', 'auth-expiring', 'auth-expired'];
/** Per browser step (a click, a navigation, a wait). */
const STEP = 5000;
/** What the demo API holds for each user at start (demo/server/api.mjs), in the order the lists show them. */
const ADA = ['Review the Analytical Engine notes', 'Tea with Charles Babbage'];
const GRACE = ['COBOL committee meeting', 'Nanosecond wire lecture'];

/** The demo with hour-long access tokens (popup and tabs). */
let demo;
let browser;

before(async () => {
  await ensureBundle();
  demo = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true });
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

/**
 * A fresh browser context (its own cookies and storage, shared by all its tabs and popups) that records every
 * request of every tab, popup and frame in it, and every auth-* event on the demo pages' origin: on `window.__events`
 * of the current document, and in `events` across documents and tabs, each with the Playwright page it came from.
 * Test instrumentation injected by Playwright, not page code.
 */
async function openBrowser(on = demo) {
  const origin = new URL(on.urls.pages).origin;
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP);
  context.setDefaultNavigationTimeout(STEP);
  const requests = [];
  const events = [];
  const pageErrors = [];
  context.on('request', (request) => requests.push(request));
  context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`)));
  await context.exposeBinding('__recordAuthEvent', ({ page }, entry) => events.push({ ...entry, page }));
  await context.addInitScript(({ origin: expected, types }) => {
    if (location.origin !== expected) return;
    window.__events = [];
    for (const type of types) {
      window.addEventListener(type, (event) => {
        const entry = {
          type, detail: JSON.parse(JSON.stringify(event.detail ?? null)), from: event.target?.localName ?? 'document',
          path: location.pathname, top: window === window.top, at: Date.now(),
        };
        window.__events.push(entry);
        window.__recordAuthEvent(entry);
      }, true);
    }
  }, { origin, types: AUTH_EVENTS });
  return { context, requests, events, pageErrors };
}

const loginButton = (page) => page.locator('auth-login').locator('button');
const logoutButton = (page) => page.locator('auth-logout').locator('button');

/** Records the URLs the page's main frame navigates to (new documents and same-document changes alike). */
function recordNavigations(page) {
  const urls = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) urls.push(frame.url());
  });
  return urls;
}

/** Waits for an auth-error with that code, from that element (tag name). */
/**
 * check-session's silent sign-in was made (a prompt=none request) and is over (its iframe gone), and, since finding no
 * provider session is an expected outcome, no auth-error came of it.
 */
const checkSessionQuiet = async (page) => {
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /[?&]prompt=none/.test(e.name)) && !document.querySelector('iframe'), null, { timeout: 2 * STEP });
  const errors = await page.evaluate(() => (window.__events ?? []).filter((e) => e.type === 'auth-error').map((e) => e.detail?.error));
  if (errors.length) throw new Error(`check-session without a provider session fired auth-error: ${errors.join(', ')}`);
};
const waitForError = (page, error, from) => page.waitForFunction(
  ([code, tag]) => window.__events?.some((e) => e.type === 'auth-error' && e.detail?.error === code && e.from === tag),
  [error, from], { timeout: 2 * STEP },
);

/** On the provider's pages in `page` (a tab or a popup): signs in as `login` and allows access. */
async function signInAtProvider(page, providerOrigin, login) {
  await page.waitForURL((url) => url.origin === providerOrigin && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('User name').fill(login);
  await page.getByLabel('Password').fill(`${login}-password`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
  await page.getByRole('button', { name: 'Allow' }).click();
}

/** The appointments' titles shown by a list (`<auth-fetch>` with the given id), in order. */
const titles = (page, id) => page.locator(`#${id} .appointments li .title`).allTextContents();

/** The stored session of a store (the app's `default`, the article's `reader`) in that page's sessionStorage or localStorage, or null. */
const stored = async (page, area, key = STORE_KEY) => JSON.parse(await page.evaluate(
  ([name, kind]) => (kind === 'local' ? localStorage : sessionStorage).getItem(name), [key, area],
));
const READER_KEY = 'auth-elements:store:reader';

/** The default store's session as the page's own copy of the bundle holds it in memory (not its storage). */
const inMemory = (page) => page.evaluate(async () => {
  const { getStore } = await import('/auth-elements.js');
  const { session } = getStore('default');
  return session && { accessToken: session.accessToken, expiresAt: session.expiresAt };
});

/** Requests to the API that carry an Authorization header, with the header. */
async function apiCallsWithToken(requests, apiUrl) {
  const calls = [];
  for (const request of requests.filter((r) => r.url().startsWith(apiUrl))) {
    const authorization = await request.headerValue('authorization');
    if (authorization) calls.push({ request, authorization });
  }
  return calls;
}

/** The silent authorization requests (prompt=none to the provider's /auth) among the recorded requests. */
const silentRequests = (requests, providerOrigin) => requests.filter((r) => r.url().startsWith(`${providerOrigin}/auth?`)
  && new URL(r.url()).searchParams.get('prompt') === 'none');

/** Which page (tab) a request came from, for messages. */
const tabOf = (request, tabs) => {
  const index = tabs.indexOf(request.frame().page());
  return index === -1 ? 'another page' : `tab ${'AB'[index]}`;
};

describe('popup sign-in on the demo article (mode="popup"), against the real provider', () => {
  test('the provider opens in a popup, the popup closes itself, the widget shows the list, the article never navigates', { timeout: 30_000 }, async (t) => {
    const { context, requests, events, pageErrors } = await openBrowser();
    const providerOrigin = demo.urls.provider;
    try {
      const page = await context.newPage();
      const navigations = recordNavigations(page);
      await page.goto(demo.urls.article);
      await page.getByText('Sign in to see your own appointments here.').waitFor();
      const historyLength = await page.evaluate(() => history.length);

      const [popup] = await Promise.all([page.waitForEvent('popup'), loginButton(page).click()]);
      const popupNavigations = recordNavigations(popup);
      const closed = popup.waitForEvent('close', { timeout: 3 * STEP });
      // One sign-in at a time: the button is busy while the popup is open.
      assert.equal(await loginButton(page).isDisabled(), true);
      await signInAtProvider(popup, providerOrigin, 'grace');
      await closed;
      assert.equal(popup.isClosed(), true, 'the popup closed itself');

      await page.locator('#widget .appointments li').nth(1).waitFor();
      assert.deepEqual(await titles(page, 'widget'), GRACE);
      assert.equal(await page.getByText('Sign in to see your own appointments here.').isVisible(), false);
      assert.ok(await logoutButton(page).isVisible());

      // The article did not move: one document, its URL as loaded, never a fragment, one history entry.
      assert.deepEqual(navigations, [demo.urls.article]);
      assert.equal(page.url(), demo.urls.article);
      assert.equal(await page.evaluate(() => history.length), historyLength, 'no history entry added');
      assert.deepEqual(context.pages(), [page]);

      // The authorize request was the popup's, answered on /callback.html in the popup (where the fragment was).
      const authorize = requests.filter((r) => r.url().startsWith(`${providerOrigin}/auth?`));
      assert.equal(authorize.length, 1, authorize.map((r) => `${r.method()} ${r.isNavigationRequest()} ${r.frame().page() === popup} ${r.url()}`).join('\n'));
      assert.equal(authorize[0].frame().page(), popup);
      const params = new URL(authorize[0].url()).searchParams;
      assert.equal(params.get('redirect_uri'), `${new URL(demo.urls.pages).origin}/callback.html`);
      assert.equal(params.get('prompt'), null);
      assert.ok(!requests.some((r) => r.frame().page() === page && r.url().startsWith(providerOrigin) && r.isNavigationRequest()),
        'the article itself never went to the provider');
      t.diagnostic(`the popup went: ${popupNavigations.map((url) => url.replace(/(token=)[^&]+/g, '$1…').slice(0, 90)).join(' → ')}`);
      assert.ok(popupNavigations.some((url) => url.startsWith(`${new URL(demo.urls.pages).origin}/callback.html#`)));

      // Stored in the article's tab (sessionStorage, the default) in its own store, announced by <auth-login> on the article.
      const session = await stored(page, 'session', READER_KEY);
      assert.equal(session?.claims?.sub, 'grace');
      assert.equal(await stored(page, 'local', READER_KEY), null);
      assert.equal(await stored(page, 'session'), null);
      const signedIn = events.filter((e) => e.type === 'auth-signed-in');
      assert.deepEqual(signedIn.map((e) => [e.from, e.path, e.page === page]), [['auth-login', '/article.html', true]]);
      assert.equal(signedIn[0].detail.claims.name, 'Grace Hopper');
      const calls = await apiCallsWithToken(requests, demo.urls.api);
      assert.deepEqual(calls.map(({ request }) => [request.method(), request.frame().page() === page]), [['GET', true]]);
      assert.equal(calls[0].authorization, `Bearer ${session.accessToken}`);
      assert.deepEqual(events.filter((e) => e.type === 'auth-error' && e.from === 'auth-login'), []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('closing the popup before the end: auth-error popup_closed on the article, and the button works again', { timeout: 30_000 }, async () => {
    const { context, requests, events, pageErrors } = await openBrowser();
    const providerOrigin = demo.urls.provider;
    try {
      const page = await context.newPage();
      const navigations = recordNavigations(page);
      await page.goto(demo.urls.article);
      await page.getByText('Sign in to see your own appointments here.').waitFor();
      const historyLength = await page.evaluate(() => history.length);

      const [popup] = await Promise.all([page.waitForEvent('popup'), loginButton(page).click()]);
      await popup.getByLabel('User name').waitFor();
      assert.equal(new URL(popup.url()).origin, providerOrigin);
      await popup.close();

      await waitForError(page, 'popup_closed', 'auth-login');
      const login = events.filter((e) => e.from === 'auth-login' && e.type !== 'auth-login');
      assert.deepEqual(login.map((e) => [e.type, e.detail.error, e.path]), [['auth-error', 'popup_closed', '/article.html']]);
      assert.equal(await stored(page, 'session', READER_KEY), null);
      assert.equal(await page.getByText('Sign in to see your own appointments here.').isVisible(), true);
      assert.equal(await loginButton(page).isEnabled(), true);
      assert.deepEqual(await apiCallsWithToken(requests, demo.urls.api), []);

      // Again, to the end this time.
      const [again] = await Promise.all([page.waitForEvent('popup'), loginButton(page).click()]);
      const closed = again.waitForEvent('close', { timeout: 3 * STEP });
      await signInAtProvider(again, providerOrigin, 'ada');
      await closed;
      await page.locator('#widget .appointments li').nth(1).waitFor();
      assert.deepEqual(await titles(page, 'widget'), ADA);
      assert.deepEqual(events.filter((e) => e.from === 'auth-login').map((e) => e.detail.error ?? e.type),
        ['auth-login', 'popup_closed', 'auth-login', 'auth-signed-in']);
      assert.deepEqual(navigations, [demo.urls.article]);
      assert.equal(await page.evaluate(() => history.length), historyLength, 'no history entry added');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

describe('two tabs of the demo app share the session (storage="local")', () => {
  test('sign-in in tab A shows in tab B without reload; sign-out in tab A signs tab B out, with no API call after', { timeout: 45_000 }, async (t) => {
    const { context, requests, events, pageErrors } = await openBrowser();
    const tabs = [];
    try {
      const [a, b] = [await context.newPage(), await context.newPage()];
      tabs.push(a, b);
      const navigationsB = recordNavigations(b);
      for (const tab of [b, a]) {
        await tab.goto(demo.urls.pages);
        await tab.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
        // check-session found no provider session (quietly: no auth-error).
        await checkSessionQuiet(tab);
      }

      // Sign in in tab A (the app's redirect sign-in).
      await loginButton(a).click();
      await signInAtProvider(a, demo.urls.provider, 'ada');
      await a.waitForURL(demo.urls.pages);
      await a.getByRole('heading', { name: 'Signed in as Ada Lovelace' }).waitFor();

      // Tab B: her name and her list, without reloading.
      await b.getByRole('heading', { name: 'Signed in as Ada Lovelace' }).waitFor();
      await b.locator('#appointments .appointments li').nth(1).waitFor();
      assert.deepEqual(await titles(b, 'appointments'), ADA);
      assert.ok(await logoutButton(b).isVisible());
      assert.equal(await loginButton(b).isVisible(), false);
      assert.equal(await b.locator('auth-login').getAttribute('signed-in'), '');
      assert.deepEqual(navigationsB, [demo.urls.pages], 'tab B did not reload');

      // One session, in localStorage (seen by both tabs), not in either tab's sessionStorage.
      const session = await stored(a, 'local');
      assert.equal(session?.claims?.sub, 'ada');
      assert.deepEqual(await stored(b, 'local'), session);
      assert.equal(await stored(a, 'session'), null);
      assert.equal(await stored(b, 'session'), null);
      const callsB = (await apiCallsWithToken(requests, demo.urls.api)).filter(({ request }) => request.frame().page() === b);
      assert.ok(callsB.length >= 1);
      assert.ok(callsB.every(({ authorization }) => authorization === `Bearer ${session.accessToken}`));

      // Sign out in tab A: tab B is signed out at once, and from the click on no request carries a token.
      const beforeSignOut = requests.length;
      await logoutButton(a).click();
      await b.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
      await loginButton(b).waitFor();
      assert.equal(await logoutButton(b).isVisible(), false);
      assert.equal(await b.locator('auth-user strong').count(), 0, 'no name in tab B');
      assert.equal(await b.locator('#appointments .appointments li:visible').count(), 0, 'no list shown in tab B');
      assert.equal(await b.getByRole('heading', { name: 'Your appointments', exact: true }).isVisible(), false);
      // <auth-fetch> keeps what it rendered (the page's CSS hides it while signed out): say so, for the report.
      t.diagnostic(`list items left in tab B's DOM after the sign-out: ${await b.locator('#appointments .appointments li').count()}`);
      assert.equal(await b.locator('auth-login').getAttribute('signed-in'), null);
      // Tab A went through the provider's end_session_endpoint and is back, signed out.
      await a.waitForURL((url) => url.href === demo.urls.pages, { timeout: 3 * STEP });
      await checkSessionQuiet(a);
      await b.waitForTimeout(1000);
      const signOutRequests = requests.slice(beforeSignOut);
      assert.ok(signOutRequests.some((r) => r.url().startsWith(`${demo.urls.provider}/session/end`)));
      assert.deepEqual((await apiCallsWithToken(signOutRequests, demo.urls.api)).map(({ request }) => `${tabOf(request, tabs)}: ${request.url()}`), []);
      assert.equal(await stored(b, 'local'), null);
      assert.equal((await inMemory(b)), null);
      assert.deepEqual(navigationsB, [demo.urls.pages], 'tab B did not reload');
      t.diagnostic(`tab B's events: ${events.filter((e) => e.page === b).map((e) => `${e.from} ${e.detail?.error ?? e.type}`).join(', ')}`);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

describe('auto-renew with two tabs open (storage="local", Web Lock per store)', () => {
  test('one prompt=none request per renewal in the whole browser, both tabs take the new token, no auth-error', { timeout: 90_000 }, async (t) => {
    // Access tokens for 24 s: auto-renew is due 18 s after sign-in (6 s, 25 % of the lifetime, before expiry), then 18 s after each
    // renewal. A demo of its own, so the other tests keep hour-long tokens.
    const ttl = 24;
    const lead = Math.min(60_000, ttl * 250);
    const short = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true, accessTokenTtl: ttl });
    const { context, requests, events, pageErrors } = await openBrowser(short);
    const tabs = [];
    try {
      const [a, b] = [await context.newPage(), await context.newPage()];
      tabs.push(a, b);
      await a.goto(short.urls.pages);
      await loginButton(a).click();
      await signInAtProvider(a, short.urls.provider, 'ada');
      await a.waitForURL(short.urls.pages);
      await a.locator('#appointments .appointments li').nth(1).waitFor();
      const first = await stored(a, 'local');
      const fromHere = requests.length;
      const eventsFromHere = events.length;
      // Tab B opens on the stored session: nothing silent for it (check-session only runs on an empty store).
      await b.goto(short.urls.pages);
      await b.locator('#appointments .appointments li').nth(1).waitFor();
      assert.deepEqual(await inMemory(b), { accessToken: first.accessToken, expiresAt: first.expiresAt });
      assert.ok(first.expiresAt - Date.now() > lead, `the renewal was due before tab B was open (${first.expiresAt - Date.now() - lead} ms)`);

      let previous = first;
      for (const round of [1, 2]) {
        // The new session: in localStorage, then in both tabs' stores, and each tab's list asked the API with it.
        await a.waitForFunction(([key, expiresAt]) => JSON.parse(localStorage.getItem(key))?.expiresAt !== expiresAt,
          [STORE_KEY, previous.expiresAt], { timeout: previous.expiresAt - lead - Date.now() + 3 * STEP });
        const renewed = await stored(a, 'local');
        const expected = { accessToken: renewed.accessToken, expiresAt: renewed.expiresAt };
        for (const tab of tabs) {
          await tab.waitForFunction(async (want) => {
            const { getStore } = await import('/auth-elements.js');
            return getStore('default').session?.expiresAt === want;
          }, renewed.expiresAt);
          assert.deepEqual(await inMemory(tab), expected);
        }
        // Time for a second renewal to show up, if a tab were to renew again.
        await a.waitForTimeout(1500);

        assert.notEqual(renewed.accessToken, previous.accessToken);
        assert.ok(renewed.expiresAt > previous.expiresAt);
        assert.equal(renewed.claims.sub, 'ada');
        const silent = silentRequests(requests.slice(fromHere), short.urls.provider);
        t.diagnostic(`renewal ${round}: ${silent.slice(round - 1).map((r) => `${tabOf(r, tabs)} ${r.frame() === r.frame().page().mainFrame() ? "page" : "iframe"}`).join(", ")}, renewed about ${renewed.expiresAt - ttl * 1000 - (previous.expiresAt - lead)} ms after it was due`);
        assert.equal(silent.length, round, `prompt=none requests so far: ${silent.map((r) => tabOf(r, tabs)).join(', ')}`);
        const answer = await silent.at(-1).response();
        assert.equal(answer.status(), 303, 'answered at once, without a page of the provider');
        assert.ok(new URLSearchParams(new URL(answer.headers().location).hash.slice(1)).has('access_token'));
        // Both tabs' lists asked again with the new token.
        const calls = await apiCallsWithToken(requests.slice(fromHere), short.urls.api);
        for (const tab of tabs) {
          const last = calls.filter(({ request }) => request.frame().page() === tab).at(-1);
          assert.equal(last?.authorization, `Bearer ${renewed.accessToken}`, `tab ${'AB'[tabs.indexOf(tab)]}'s last API call`);
        }
        // One auth-signed-in per renewal (from the tab that renewed), and nothing went wrong anywhere.
        const later = events.slice(eventsFromHere);
        assert.equal(later.filter((e) => e.type === 'auth-signed-in').length, round, JSON.stringify(later.map((e) => e.type)));
        assert.deepEqual(later.filter((e) => e.type === 'auth-error' || e.type === 'auth-expired').map((e) => `${e.type} ${e.detail.error ?? ''}`), []);
        previous = renewed;
      }
      for (const tab of tabs) assert.equal(await tab.locator('iframe').count(), 0);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
      await short.close();
    }
  });
});

// End to end, the demo that `npm start` runs (demo/demo.mjs's startDemo, here on free loopback ports): the pages
// demo/index.html (the seed tutorial's app, tags only) and demo/article.html (the CMS case), served with their
// Content-Security-Policy, the real node-oidc-provider with its login and consent forms, and the appointments API
// verifying the tokens. Debian's Chromium driven by playwright-core. Run with `node --test test/e2e-node/` (after
// `npm run build`; npm test does both).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startDemo } from '../../demo/demo.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { ensureBundle } from './bundle.mjs';

const STORE_KEY = 'auth-elements:store:default';
const AUTH_EVENTS = ['auth-login', 'auth-signed-in', 'auth-signed-out', 'auth-response', 'auth-error', 'appointment-added'];
/** Per browser step (a click, a navigation, a wait). */
const STEP = 5000;

let demo;
let pagesOrigin;
let apiOrigin;
let providerOrigin;
let browser;

before(async () => {
  await ensureBundle();
  demo = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true });
  pagesOrigin = new URL(demo.urls.pages).origin;
  apiOrigin = new URL(demo.urls.api).origin;
  providerOrigin = new URL(demo.urls.provider).origin;
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

/**
 * A fresh browser context that records every request, console message, page error, Content-Security-Policy
 * violation and auth-* event (on `window.__events` of the current document, and in `events` across navigations).
 * The recording is test instrumentation injected by Playwright, not page code.
 */
async function openBrowser() {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP);
  context.setDefaultNavigationTimeout(STEP);
  const requests = [];
  const events = [];
  const consoleMessages = [];
  const pageErrors = [];
  const violations = [];
  context.on('request', (request) => requests.push(request));
  await context.exposeFunction('__recordAuthEvent', (entry) => events.push(entry));
  await context.exposeFunction('__recordViolation', (entry) => violations.push(entry));
  await context.addInitScript(({ origin, types }) => {
    if (location.origin !== origin) return;
    window.__events = [];
    for (const type of types) {
      window.addEventListener(type, (event) => {
        const entry = { type, detail: JSON.parse(JSON.stringify(event.detail ?? null)), from: event.target?.localName ?? 'document', id: event.target?.id || undefined, top: window === window.top };
        window.__events.push(entry);
        window.__recordAuthEvent(entry);
      }, true);
    }
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__recordViolation({ directive: event.violatedDirective, blocked: event.blockedURI, page: location.pathname });
    });
  }, { origin: pagesOrigin, types: AUTH_EVENTS });
  const page = await context.newPage();
  page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}${message.location().url ? ` (${message.location().url})` : ''}`));
  page.on('pageerror', (error) => pageErrors.push(error));
  return { context, page, requests, events, consoleMessages, pageErrors, violations };
}

const loginButton = (page) => page.locator('auth-login').locator('button');
const logoutButton = (page) => page.locator('auth-logout').locator('button');
const isOn = (origin) => (url) => url.origin === origin;
/** Waits for an auth-* event of that type and error code, optionally from one element (by tag name). */
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
  ([code, tag]) => window.__events.some((e) => e.type === 'auth-error' && e.detail?.error === code && (!tag || e.from === tag)),
  [error, from], { timeout: STEP },
);

/** Clicks the page's Sign in and signs in on the provider's login page (as ada); returns on the consent page. */
async function signInUntilConsent(page, login = 'ada') {
  await loginButton(page).click();
  await page.waitForURL((url) => url.origin === providerOrigin && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('User name').fill(login);
  await page.getByLabel('Password').fill(`${login}-password`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
}

/** The appointments' titles shown by a list (`<auth-fetch>` with the given id), in order. */
const titles = (page, id) => page.locator(`#${id} .appointments li .title`).allTextContents();

/** Signature segments of JWTs: any copy of a token, whole or cut after its payload, contains it. */
const signatures = (...tokens) => tokens.filter(Boolean).map((token) => token.split('.')[2]);

/** Requests to the API that carry an Authorization header. */
async function apiCallsWithToken(requests) {
  const calls = [];
  for (const request of requests.filter((r) => r.url().startsWith(apiOrigin))) {
    const authorization = await request.headerValue('authorization');
    if (authorization) calls.push({ request, authorization });
  }
  return calls;
}

/** The calls that got an answer; the aborted ones are reported as a diagnostic. */
async function answered(calls, t) {
  const aborted = calls.filter(({ request }) => request.failure());
  for (const { request } of aborted) t.diagnostic(`aborted by the page: ${request.method()} ${request.url()} (${request.failure().errorText})`);
  return calls.filter(({ request }) => !request.failure());
}

describe('npm start\'s demo in Chromium: provider, API and pages on free ports', () => {
  test('the pages come with their security headers', async () => {
    for (const path of ['/', '/article.html', '/callback.html']) {
      const response = await fetch(`${pagesOrigin}${path}`);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      const csp = response.headers.get('content-security-policy');
      assert.match(csp, /script-src 'self';/);
      assert.match(csp, new RegExp(`connect-src 'self' ${providerOrigin} ${apiOrigin};`));
      assert.match(csp, new RegExp(`frame-src 'self' ${providerOrigin};`));
      const html = await response.text();
      assert.ok(!html.includes('{{'), `every placeholder filled in ${path}`);
      // No script of their own: the bundle is the only script.
      assert.deepEqual([...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag), ['<script type="module" src="/auth-elements.js">']);
    }
    const bundle = await fetch(`${pagesOrigin}/auth-elements.js`);
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type'), /^text\/javascript/);
    assert.equal((await fetch(`${pagesOrigin}/nothing-here`)).status, 404);
    assert.equal((await fetch(`${pagesOrigin}/`, { method: 'POST' })).status, 405);
  });

  test('signing out comes back to the app it started from: / to /, /code to /code', async () => {
    for (const [path, back] of [['/', '/'], ['/code', '/code']]) {
      const html = await (await fetch(`${pagesOrigin}${path}`)).text();
      assert.match(html, new RegExp(`<auth-logout return-to="${pagesOrigin}${back}">`), path);
    }
  });

  test('the app: sign in as ada, her name, her list, add an appointment, sign out', { timeout: 60_000 }, async (t) => {
    const { context, page, requests, events, consoleMessages, pageErrors, violations } = await openBrowser();
    try {
      await page.goto(demo.urls.pages);
      // Signed out: the invitation with the demo logins, the Sign in button, no list and no form.
      await page.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
      await page.getByText('Demo logins: ada / ada-password').waitFor();
      await loginButton(page).waitFor();
      assert.equal(await logoutButton(page).isVisible(), false);
      assert.equal(await page.getByRole('heading', { name: 'Your appointments', exact: true }).isVisible(), false);
      assert.equal(await page.getByLabel('Title').isVisible(), false);
      // check-session found no provider session: no auth-error (expected), and no API call. Before trying, it asked the
      // provider's third-party-cookie check once (same site here: supported).
      await checkSessionQuiet(page);
      const checks = requests.filter((request) => new URL(request.url()).pathname === '/3p-cookies/step2.html');
      assert.equal(checks.length, 1);
      assert.match(await (await checks[0].response()).text(), /"supported"/);

      await signInUntilConsent(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(isOn(pagesOrigin));

      // Her name, from the validated ID token (<auth-user>), and her two appointments (<auth-fetch auto>).
      await page.getByRole('heading', { name: 'Signed in as Ada Lovelace' }).waitFor();
      assert.equal(await page.locator('auth-user strong').textContent(), 'Ada Lovelace');
      assert.equal(await page.locator('auth-user [data-field=email]').textContent(), 'ada@example.com');
      await page.locator('#appointments .appointments li').nth(1).waitFor();
      assert.deepEqual(await titles(page, 'appointments'), ['Review the Analytical Engine notes', 'Tea with Charles Babbage']);
      assert.equal(await page.locator('#appointments').getAttribute('empty'), null);
      assert.equal(await page.getByText('No appointments yet.').isVisible(), false);
      assert.equal(await page.getByText('Loading…').isVisible(), false);
      assert.equal(await loginButton(page).isVisible(), false);
      assert.ok(await logoutButton(page).isVisible());
      assert.equal(page.url(), demo.urls.pages, 'the response left the address bar');

      // storage="local": the session is shared with the app's other tabs (sessions.test.mjs), not in this tab's own.
      const { accessToken, idToken } = JSON.parse(await page.evaluate((key) => localStorage.getItem(key), STORE_KEY));
      assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), STORE_KEY), null);
      // One answered GET (a request the element aborted for a newer one is not counted; static-page.test.mjs
      // counts those).
      const firstCalls = await answered(await apiCallsWithToken(requests), t);
      assert.deepEqual(firstCalls.map(({ request }) => request.method()), ['GET']);
      assert.equal(firstCalls[0].authorization, `Bearer ${accessToken}`);

      // Add one through the form: POST, then the list asks again (emit="appointment-added" → refresh-on).
      const date = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
      const requestsBeforeAdd = requests.length;
      await page.getByLabel('Title').fill('Demo day at the Royal Society');
      await page.getByLabel('Date').fill(date);
      await page.getByLabel('Time').fill('14:30');
      await page.getByRole('button', { name: 'Add' }).click();
      await page.locator('#appointments .appointments li', { hasText: 'Demo day at the Royal Society' }).waitFor();
      assert.deepEqual(await titles(page, 'appointments'),
        ['Review the Analytical Engine notes', 'Demo day at the Royal Society', 'Tea with Charles Babbage']);
      assert.equal(await page.locator('#appointments li', { hasText: 'Demo day' }).locator('time').getAttribute('datetime'), date);
      assert.equal(await page.locator('#appointments li', { hasText: 'Demo day' }).locator('.time').textContent(), '14:30');
      const addCalls = await answered(await apiCallsWithToken(requests.slice(requestsBeforeAdd)), t);
      assert.deepEqual(addCalls.map(({ request }) => request.method()), ['POST', 'GET']);
      assert.deepEqual(JSON.parse(addCalls[0].request.postData()), { title: 'Demo day at the Royal Society', date, time: '14:30' });
      assert.equal((await addCalls[0].request.response()).status(), 201);
      assert.ok(events.some((e) => e.type === 'appointment-added'), 'the add form emitted appointment-added');
      // The form was reset, and no error is shown.
      assert.equal(await page.getByLabel('Title').inputValue(), '');
      assert.equal(await page.locator('auth-fetch[error]').count(), 0);

      // Without a time (the form sends "" for the empty field).
      await page.getByLabel('Title').fill('Walk in Hyde Park');
      await page.getByLabel('Date').fill(date);
      await page.getByRole('button', { name: 'Add' }).click();
      await page.locator('#appointments .appointments li', { hasText: 'Walk in Hyde Park' }).waitFor();
      assert.equal(await page.locator('#appointments li', { hasText: 'Walk in Hyde Park' }).locator('.time').textContent(), '');

      // Sign out: the store is cleared, the provider's session ends, the page is back signed out, and from the click
      // on no request to the API carries a token.
      const requestsBeforeSignOut = requests.length;
      await logoutButton(page).click();
      await page.waitForURL((url) => url.origin === pagesOrigin && url.href === demo.urls.pages, { timeout: 3 * STEP });
      await page.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
      await loginButton(page).waitFor();
      // check-session on the page we came back to: the provider session is gone too.
      await checkSessionQuiet(page);
      await page.waitForTimeout(500);
      const signOutRequests = requests.slice(requestsBeforeSignOut);
      assert.ok(signOutRequests.some((r) => r.url().startsWith(`${providerOrigin}/session/end`)), 'went to the end_session_endpoint');
      assert.deepEqual((await apiCallsWithToken(signOutRequests)).map(({ request }) => request.url()), []);
      assert.equal(await page.evaluate((key) => localStorage.getItem(key), STORE_KEY), null);
      assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), STORE_KEY), null);
      assert.equal(await page.locator('auth-user strong').count(), 0, 'no name after sign-out');
      assert.ok(events.some((e) => e.type === 'auth-signed-out'));

      // Never the access token in a URL, a console message, an event detail or a request body: only in the
      // Authorization header, and in the body of sign-out's revocation request (RFC 7009, to the provider's
      // revocation endpoint, which is where a token is sent to be revoked). The ID token is in one URL only, by design: id_token_hint to the provider's
      // end_session_endpoint (OpenID Connect RP-Initiated Logout).
      const [accessSignature, idSignature] = signatures(accessToken, idToken);
      for (const request of requests) {
        const url = request.url();
        assert.ok(!url.includes(accessSignature), `the access token in ${url.slice(0, 80)}`);
        const revocation = request.method() === 'POST' && url === `${providerOrigin}/token/revocation` && new URLSearchParams(request.postData()).get('token') === accessToken;
        assert.ok(revocation || !(request.postData() ?? '').includes(accessSignature), `the access token in the body to ${url}`);
        if (url.includes(idSignature)) {
          assert.ok(url.startsWith(`${providerOrigin}/session/end?`), `the ID token in ${url.slice(0, 80)}`);
          assert.equal(new URL(url).searchParams.get('id_token_hint'), idToken);
        }
      }
      for (const secret of [accessSignature, idSignature]) {
        for (const message of consoleMessages) assert.ok(!message.includes(secret), `a token in the console: ${message.slice(0, 80)}`);
        for (const entry of events) assert.ok(!JSON.stringify(entry).includes(secret), `a token in ${entry.type}`);
      }

      t.diagnostic(`${requests.length} requests; console: ${consoleMessages.length ? consoleMessages.join(' | ') : 'empty'}`);
      assert.deepEqual(violations, [], 'nothing blocked by the Content-Security-Policy');
      assert.deepEqual(pageErrors, []);
      // Chromium logs every 4xx: sign-out's revocation of the JWT access token gets node-oidc-provider's 400
      // unsupported_token_type (README, Sign-out revokes tokens), expected, once; nothing else.
      const expected = (m) => m === `error: Failed to load resource: the server responded with a status of 400 (Bad Request) (${providerOrigin}/token/revocation)`;
      assert.deepEqual(consoleMessages.filter((m) => m.startsWith('error:') && !expected(m)), []);
      assert.ok(consoleMessages.filter(expected).length <= 1);
    } finally {
      await context.close();
    }
  });

  test('Deny on the consent page: auth-error access_denied, still signed out, no API call', { timeout: 30_000 }, async () => {
    const { context, page, requests, pageErrors, violations } = await openBrowser();
    try {
      await page.goto(demo.urls.pages);
      await signInUntilConsent(page);
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.waitForURL(isOn(pagesOrigin));
      await waitForError(page, 'access_denied');
      const pageEvents = await page.evaluate(() => window.__events);
      const denied = pageEvents.find((e) => e.type === 'auth-error' && e.detail.error === 'access_denied');
      assert.equal(denied.from, 'auth-callback');
      assert.equal(denied.detail.errorDescription, 'The user denied access');
      assert.ok(!pageEvents.some((e) => e.type === 'auth-signed-in' || e.type === 'auth-response'), JSON.stringify(pageEvents));

      await loginButton(page).waitFor();
      await page.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
      assert.equal(page.url(), demo.urls.pages);
      assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), STORE_KEY), null);
      assert.deepEqual(await apiCallsWithToken(requests), []);
      assert.deepEqual(violations, []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('the article (CMS case): its widget signs in in a popup and shows the appointments', { timeout: 30_000 }, async (t) => {
    // As grace: ada's list has changed in the test above.
    const { context, page, requests, pageErrors, violations } = await openBrowser();
    const navigations = [];
    page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));
    try {
      await page.goto(demo.urls.article);
      await page.getByRole('heading', { name: 'Five tips for a calmer week' }).waitFor();
      await page.getByText('Sign in to see your own appointments here.').waitFor();
      assert.equal(await page.locator('#widget').getAttribute('signed-out'), '');
      assert.equal(await logoutButton(page).isVisible(), false);
      // The widget's own button.
      assert.equal((await page.locator('auth-login').textContent()).trim(), 'Sign in to see them');

      // mode="popup": the provider's pages open in a popup, which closes itself; the article stays where it is
      // (sessions.test.mjs has the details).
      const [popup] = await Promise.all([page.waitForEvent('popup'), loginButton(page).click()]);
      popup.on('pageerror', (error) => pageErrors.push(error));
      const closed = popup.waitForEvent('close', { timeout: 3 * STEP });
      await popup.waitForURL((url) => url.origin === providerOrigin && url.pathname.startsWith('/interaction/'));
      await popup.getByLabel('User name').fill('grace');
      await popup.getByLabel('Password').fill('grace-password');
      await popup.getByRole('button', { name: 'Sign in' }).click();
      await popup.getByRole('heading', { name: 'Allow access?' }).waitFor();
      // The article asks for less than the app: no write scope.
      assert.equal(await popup.getByText('write:appointments').count(), 0);
      await popup.getByRole('button', { name: 'Allow' }).click();
      await closed;
      assert.deepEqual(navigations, [demo.urls.article], 'the article never navigated');

      await page.locator('#widget .appointments li').nth(1).waitFor();
      assert.deepEqual(await titles(page, 'widget'), ['COBOL committee meeting', 'Nanosecond wire lecture']);
      assert.equal(await page.getByText('Sign in to see your own appointments here.').isVisible(), false);
      assert.ok(await logoutButton(page).isVisible());
      const calls = await answered(await apiCallsWithToken(requests), t);
      assert.equal(calls.length, 1);
      assert.equal(calls[0].request.method(), 'GET');
      assert.equal((await calls[0].request.response()).status(), 200);

      // The widget has its own store: its read-only token is in "reader", never in the app's "default".
      const keys = await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.startsWith('auth-elements:store:')));
      assert.deepEqual(keys, ['auth-elements:store:reader']);
      assert.deepEqual(violations, []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

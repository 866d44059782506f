// End to end, with nothing faked: a static HTML page with the four tags and no script of its own, loading the
// built bundle dist/auth-elements.js, signs in against the demo OpenID provider (node-oidc-provider,
// demo/server/provider.mjs) with the implicit grant, calls the demo API, which verifies the JWT access token with
// jose (demo/server/api.mjs), and signs out through RP-initiated logout. The browser is Debian's Chromium driven by
// playwright-core (no browser is downloaded). Run with `node --test test/e2e-node/`.
//
// Silent authentication (`<auth-login check-session>` and `auto-renew`) is tested against the same provider:
// `prompt=none` in a hidden iframe whose answer page is /callback.html (the script and `<auth-callback>` only).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startApi } from '../../demo/server/api.mjs';
import { close, listen } from '../../demo/server/net.mjs';
import { CLIENT_ID, EDDSA_CLIENT_ID, startProvider } from '../../demo/server/provider.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { ensureBundle, serveBundle } from './bundle.mjs';

const STORE_KEY = 'auth-elements:store:default';
const AUTH_EVENTS = ['auth-login', 'auth-signed-in', 'auth-signed-out', 'auth-response', 'auth-error'];
/** Per browser step (a click, a navigation, a wait). */
const STEP = 5000;

let pageServer;
let pageOrigin;
let op;
let api;
let apiUrl;
let browser;
/** A second provider and API with short-lived access tokens, for auto-renew (started by that test). */
let renewal;

/** A free loopback port: listen on 0, read it, close. (Another process could take it before we do; see startStack.) */
async function freePort() {
  const server = createNetServer();
  await listen(server, 0, 'localhost');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The static page: the four tags, the built bundle, no page script. `issuer` and `api` name the provider and API
 * (default: the file's shared ones); `loginAttributes` are added to `<auth-login>` (silent authentication).
 */
function pageHtml({ issuer = op.issuer, api = apiUrl, loginAttributes = '', clientId = CLIENT_ID } = {}) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>auth-elements: a static page</title>
<script type="module" src="/auth-elements.js"></script>
</head>
<body>
<auth-callback></auth-callback>
<auth-login issuer="${issuer}" client-id="${clientId}" audience="${api}"
            scope="openid profile email read:appointments write:appointments"
            allowed-origins="${new URL(api).origin}"${loginAttributes ? ` ${loginAttributes}` : ''}>Sign in</auth-login>
<auth-fetch auto url="${api}/api/appointments"></auth-fetch>
<auth-logout return-to="${pageOrigin}/">Sign out</auth-logout>
</body>
</html>
`;
}

/** Where the provider answers silent sign-ins (one of the client's registered redirect URIs, see provider.mjs). */
const SILENT_PATH = '/callback.html';

/** The silent sign-in answer page, loaded in the hidden iframe: the bundle and `<auth-callback>`, nothing else. */
function silentPageHtml() {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>auth-elements: silent sign-in answer</title>
<script type="module" src="/auth-elements.js"></script>
</head>
<body>
<auth-callback></auth-callback>
</body>
</html>
`;
}

/**
 * The pages, by path (all registered redirect URIs of the demo client): `/` the plain page; `/index.html` the same
 * with `check-session`; `/code` the plain page for the client whose ID tokens are EdDSA; `/article.html` with `auto-renew` against the short-lived-token provider and API
 * (`renewal`, started by its test); `/callback.html` the silent answer page.
 */
function pageFor(pathname) {
  const silent = `silent-redirect-uri="${SILENT_PATH}"`;
  switch (pathname) {
    case '/': return pageHtml();
    case '/index.html': return pageHtml({ loginAttributes: `check-session ${silent}` });
    // The demo provider's client whose ID tokens are signed with EdDSA (Ed25519).
    case '/code': return pageHtml({ clientId: EDDSA_CLIENT_ID });
    case '/article.html':
      return renewal && pageHtml({ issuer: renewal.op.issuer, api: renewal.apiUrl, loginAttributes: `auto-renew ${silent}` });
    case SILENT_PATH: return silentPageHtml();
    default: return undefined;
  }
}

async function startPageServer() {
  const server = createServer(async (req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    const { pathname } = new URL(req.url, 'http://localhost');
    const html = pageFor(pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.end();
    } else if (html) {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(html);
    } else if (!(await serveBundle(pathname, res))) {
      res.statusCode = 404;
      res.end();
    }
  });
  await listen(server, 0, 'localhost');
  return server;
}

/**
 * The demo provider and API for the page server's origin. The provider needs the API's audience (its URL) and the
 * API needs the provider's issuer: pick the API's port first, start the provider on any port, then the API on the
 * picked one (again with a new port if it was taken).
 */
async function startStack({ accessTokenTtl } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    const url = `http://localhost:${await freePort()}`;
    const provider = await startProvider({ port: 0, clientOrigin: pageOrigin, apiAudience: url, accessTokenTtl });
    try {
      const server = await startApi({
        port: Number(new URL(url).port), issuer: provider.issuer, audience: url, allowedOrigin: pageOrigin,
      });
      assert.equal(server.url, url);
      return { op: provider, api: server, apiUrl: url };
    } catch (error) {
      await provider.close();
      if (error.code !== 'EADDRINUSE' || attempt === 3) throw error;
    }
  }
}

before(async () => {
  await ensureBundle();

  pageServer = await startPageServer();
  pageOrigin = `http://localhost:${pageServer.address().port}`;

  ({ op, api, apiUrl } = await startStack());
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await Promise.allSettled([api?.close(), op?.close(), renewal?.api.close(), renewal?.op.close(), pageServer && close(pageServer)]);
});

/**
 * A fresh browser context (its own cookies and storage) that records every request Chromium makes and every
 * auth-* event on the page's origin: on `window.__events` of the current document, and in `events` across
 * navigations. This is test instrumentation injected by Playwright, not page code.
 */
async function openBrowser() {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP);
  context.setDefaultNavigationTimeout(STEP);
  const requests = [];
  const events = [];
  const pageErrors = [];
  context.on('request', (request) => requests.push(request));
  await context.exposeFunction('__recordAuthEvent', (entry) => events.push(entry));
  await context.addInitScript(({ origin, types }) => {
    if (location.origin !== origin) return;
    window.__events = [];
    for (const type of types) {
      window.addEventListener(type, (event) => {
        // Where it came from: the element, whether in the top-level page or a frame (the silent sign-in's iframe
        // is on this origin too), and when (the page's clock, which also computes expiresAt).
        const entry = {
          type, detail: JSON.parse(JSON.stringify(event.detail ?? null)),
          from: event.target?.localName, top: window === window.top, at: Date.now(),
        };
        window.__events.push(entry);
        window.__recordAuthEvent(entry);
      }, true);
    }
  }, { origin: pageOrigin, types: AUTH_EVENTS });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error));
  return { context, page, requests, events, pageErrors };
}

const loginButton = (page) => page.locator('auth-login').locator('button');
const logoutButton = (page) => page.locator('auth-logout').locator('button');
const isOn = (origin) => (url) => url.origin === origin;

/** Opens the page, clicks Sign in and signs in as ada on the provider's page; returns on the consent page. */
async function signInUntilConsent(page, { path = '/', issuer = op.issuer } = {}) {
  await page.goto(`${pageOrigin}${path}`);
  await loginButton(page).click();
  await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('ada-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
}

/** Records the URLs the page's main frame navigates to (new documents and same-document changes alike). */
function recordNavigations(page) {
  const urls = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) urls.push(frame.url());
  });
  return urls;
}

/** The page's auth-* events so far, from `<auth-login>` only. */
const fromLogin = (entries) => entries.filter((e) => e.from === 'auth-login');

/** The silent authorization requests (prompt=none to `issuer`'s /auth) among the recorded requests. */
const silentRequests = (requests, issuer = op.issuer) => requests
  .filter((r) => r.url().startsWith(`${issuer}/auth?`) && new URL(r.url()).searchParams.get('prompt') === 'none');

/** Signature segments of the JWTs: any copy of a token, whole or cut after its payload, contains it. */
const signatures = (...tokens) => tokens.filter(Boolean).map((token) => token.split('.')[2]);

describe('a static page with the four tags, the built bundle, the demo provider and API, in Chromium', () => {
  test('signed out, the page loads dist/auth-elements.js alone; the protocol chunk comes with the sign-in click', { timeout: 60_000 }, async () => {
    const { context, page, requests } = await openBrowser();
    try {
      const scripts = () => requests.filter((r) => r.resourceType() === 'script').map((r) => new URL(r.url()).pathname);
      await page.goto(`${pageOrigin}/`);
      await loginButton(page).waitFor();
      await page.locator('auth-fetch[signed-out]').waitFor({ state: 'attached' });
      // Everything a signed-out page does (upgrade, read the store, check the fragment) has run.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 200))));
      assert.deepEqual(scripts(), ['/auth-elements.js']);
      await loginButton(page).click();
      await page.waitForURL((url) => url.origin !== pageOrigin);
      assert.deepEqual(scripts().slice(0, 1), ['/auth-elements.js']);
      assert.ok(scripts().some((path) => /^\/chunks\/protocol-[\w-]+\.js$/.test(path)), scripts().join());
      assert.ok(!scripts().some((path) => /templates|logout|dpop/.test(path)), scripts().join());
    } finally {
      await context.close();
    }
  });

  test('signs in, calls the API with a token it verifies, and signs out of the provider too', { timeout: 60_000 }, async (t) => {
    const { context, page, requests, events, pageErrors } = await openBrowser();
    try {
      // Sign in: the provider's own sign-in and consent pages.
      await signInUntilConsent(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(isOn(pageOrigin));
      await page.locator('auth-login[signed-in]').waitFor({ state: 'attached' });
      await page.waitForFunction(() => window.__events.some((e) => e.type === 'auth-response'), null, { timeout: STEP });

      const pageEvents = await page.evaluate(() => window.__events);
      t.diagnostic(`events on the page the provider sent back to: ${pageEvents.map((e) => e.detail?.error ?? e.type).join(', ')}`);
      const signedIn = pageEvents.find((e) => e.type === 'auth-signed-in');
      assert.ok(signedIn, `auth-signed-in fired: ${JSON.stringify(pageEvents)}`);
      assert.equal(signedIn.detail.store, 'default');
      assert.equal(signedIn.detail.claims.sub, 'ada');
      assert.equal(signedIn.detail.claims.name, 'Ada Lovelace');
      assert.equal(signedIn.detail.claims.iss, op.issuer);
      assert.match(signedIn.detail.scope, /\bread:appointments\b/);

      // The callback took the response out of the address bar.
      assert.ok(!page.url().includes('#'), page.url());
      assert.equal(page.url(), `${pageOrigin}/`);
      assert.equal(await page.evaluate(() => location.hash), '');

      // The API verified the token (jose, issuer's JWKS, audience, typ at+jwt) and answered with ada's appointments.
      const response = pageEvents.find((e) => e.type === 'auth-response');
      assert.equal(response.detail.status, 200);
      assert.equal(response.detail.ok, true);
      assert.ok(Array.isArray(response.detail.data), JSON.stringify(response.detail));
      assert.deepEqual(response.detail.data.map((a) => a.title).sort(),
        ['Review the Analytical Engine notes', 'Tea with Charles Babbage']);

      const stored = JSON.parse(await page.evaluate((key) => sessionStorage.getItem(key), STORE_KEY));
      const { accessToken, idToken } = stored;
      assert.match(accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.match(idToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);

      // The access token went to the API in the Authorization header, and nowhere else in the request.
      const apiCalls = requests.filter((r) => r.url() === `${apiUrl}/api/appointments` && r.method() === 'GET');
      assert.equal(apiCalls.length, 1, apiCalls.map((r) => r.url()).join('\n'));
      assert.equal(await apiCalls[0].headerValue('authorization'), `Bearer ${accessToken}`);
      assert.equal((await apiCalls[0].response()).status(), 200);
      // A bearer session (the implicit grant) never loads the DPoP code.
      assert.ok(!requests.some((r) => /\/chunks\/dpop-/.test(r.url())), 'the DPoP chunk was loaded');
      assert.equal(await apiCalls[0].headerValue('dpop'), null);

      // Sign out: the store is cleared, then the provider's end_session_endpoint (with id_token_hint) ends its
      // session and sends the browser back. Its page submits itself when the hint matches the session; otherwise
      // it asks, and we confirm.
      const requestsBeforeSignOut = requests.length;
      const returned = page.waitForRequest(
        (r) => r.isNavigationRequest() && r.frame() === page.mainFrame() && new URL(r.url()).origin === pageOrigin,
        { timeout: 3 * STEP },
      );
      await logoutButton(page).click();
      // `returned` was set up before the click: the auto-submitting page may be gone before we could look at it.
      let logoutPage = 'submitted itself';
      const back = await Promise.race([returned, new Promise((resolve) => setTimeout(resolve, STEP, null))]);
      if (!back) {
        logoutPage = 'asked for confirmation';
        assert.equal(new URL(page.url()).origin, op.issuer, `on the provider's sign-out page, not ${page.url()}`);
        await page.getByRole('button', { name: 'Sign out', exact: true }).click();
        await returned;
      }
      await page.waitForURL(isOn(pageOrigin));
      await page.waitForLoadState('load');
      await page.waitForFunction(() => customElements.get('auth-login') !== undefined);
      await page.locator('auth-login button').waitFor();

      t.diagnostic(`the provider's sign-out page ${logoutPage}`);
      assert.equal(page.url(), `${pageOrigin}/`);
      assert.equal(await page.evaluate((key) => sessionStorage.getItem(key), STORE_KEY), null);
      assert.equal(await page.evaluate((key) => localStorage.getItem(key), STORE_KEY), null);
      assert.equal(await page.locator('auth-login').getAttribute('signed-in'), null);
      const signOutRequests = requests.slice(requestsBeforeSignOut);
      const endSession = signOutRequests.find((r) => r.url().startsWith(`${op.issuer}/session/end?`));
      assert.ok(endSession, 'went to the end_session_endpoint');
      const endSessionParams = new URL(endSession.url()).searchParams;
      assert.equal(endSessionParams.get('id_token_hint'), idToken);
      assert.equal(endSessionParams.get('post_logout_redirect_uri'), `${pageOrigin}/`);
      assert.equal(endSessionParams.get('client_id'), 'auth-elements-demo');
      assert.ok(!signOutRequests.some((r) => r.url().startsWith(apiUrl)), 'no API call without a session');
      assert.ok(events.some((e) => e.type === 'auth-signed-out' && e.detail.store === 'default'), JSON.stringify(events));

      // The provider session really ended: signing in again asks for the password.
      await loginButton(page).click();
      await page.waitForURL((url) => url.origin === op.issuer && url.pathname.startsWith('/interaction/'));
      await page.getByLabel('Password').waitFor();

      // No token in any auth-* event detail, on any page load (events also holds those from before navigations).
      for (const entry of [...events, ...pageEvents]) {
        const text = JSON.stringify(entry);
        for (const secret of signatures(accessToken, idToken)) assert.ok(!text.includes(secret), `a token in ${entry.type}`);
      }
      assert.ok(!JSON.stringify(events).includes(accessToken.split('.')[1]), 'not even the access token payload');

      // Never the access token in a URL Chromium requested (nor in a request body but sign-out's revocation request,
      // RFC 7009, to the provider's revocation endpoint). The implicit response carries it in the fragment, which is
      // not part of a request.
      assert.ok(requests.length > 10, `${requests.length} requests recorded`);
      for (const request of requests) {
        for (const secret of signatures(accessToken)) {
          assert.ok(!request.url().includes(secret), `the access token in ${request.url().slice(0, 80)}`);
          const revocation = request.method() === 'POST' && request.url() === `${op.issuer}/token/revocation` && new URLSearchParams(request.postData()).get('token') === accessToken;
          assert.ok(revocation || !(request.postData() ?? '').includes(secret), `the access token in the body to ${request.url()}`);
        }
      }
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('EdDSA (Ed25519) ID tokens from node-oidc-provider verify in Chromium; its RFC 9207 promise is kept', { timeout: 60_000 }, async () => {
    const { context, page, pageErrors } = await openBrowser();
    try {
      const navigations = recordNavigations(page);
      await signInUntilConsent(page, { path: '/code' });
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(isOn(pageOrigin));
      await page.waitForFunction(() => window.__events.some((e) => e.type === 'auth-response' || e.type === 'auth-error'), null, { timeout: STEP });
      const pageEvents = await page.evaluate(() => window.__events);
      assert.ok(pageEvents.some((e) => e.type === 'auth-signed-in'), JSON.stringify(pageEvents));
      assert.equal(pageEvents.find((e) => e.type === 'auth-response').detail.status, 200);
      const { idToken } = JSON.parse(await page.evaluate((key) => sessionStorage.getItem(key), STORE_KEY));
      const header = JSON.parse(Buffer.from(idToken.split('.')[0], 'base64url').toString());
      assert.equal(header.alg, 'EdDSA');
      // The provider says authorization_response_iss_parameter_supported, and leaves iss out of a response with an ID
      // token (RFC 9207 section 2 allows it: the ID token names the issuer): accepted.
      const response = navigations.find((url) => url.startsWith(`${pageOrigin}/code#`));
      assert.ok(response, navigations.join('\n'));
      const fragment = new URLSearchParams(new URL(response).hash.slice(1));
      assert.ok(fragment.has('id_token') && !fragment.has('iss'), [...fragment.keys()].join());
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('Deny on the consent page: auth-error access_denied, nothing stored', { timeout: 30_000 }, async () => {
    const { context, page, requests, events, pageErrors } = await openBrowser();
    try {
      await signInUntilConsent(page);
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.waitForURL(isOn(pageOrigin));
      await page.waitForFunction(
        () => window.__events.some((e) => e.type === 'auth-error' && e.detail.error === 'access_denied'), null, { timeout: STEP },
      );
      const pageEvents = await page.evaluate(() => window.__events);
      const denied = pageEvents.find((e) => e.type === 'auth-error' && e.detail.error === 'access_denied');
      assert.equal(denied.detail.errorDescription, 'The user denied access');
      assert.ok(!pageEvents.some((e) => e.type === 'auth-signed-in' || e.type === 'auth-response'), JSON.stringify(pageEvents));

      assert.equal(page.url(), `${pageOrigin}/`);
      assert.equal(await page.locator('auth-login').getAttribute('signed-in'), null);
      const storage = await page.evaluate(() => ({ session: { ...sessionStorage }, local: { ...localStorage } }));
      assert.equal(storage.session[STORE_KEY], undefined);
      assert.equal(storage.local[STORE_KEY], undefined);
      assert.ok(!JSON.stringify(storage).includes('accessToken'), JSON.stringify(storage));
      assert.ok(!requests.some((r) => r.url().startsWith(apiUrl) && r.method() !== 'OPTIONS'), 'no API call');
      assert.ok(events.length >= pageEvents.length);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

describe('silent authentication (prompt=none in a hidden iframe) against the demo provider, in Chromium', () => {
  /** The page's stored session (sessionStorage), or null. */
  const storedSession = async (page) => JSON.parse(await page.evaluate((key) => sessionStorage.getItem(key), STORE_KEY));

  /** Waits until `<auth-login>` on the page reported a silent sign-in's outcome (auth-signed-in or auth-error). */
  const silentOutcome = (page) => page.waitForFunction(
    () => window.__events.some((e) => e.from === 'auth-login' && (e.type === 'auth-signed-in' || e.type === 'auth-error')),
    null, { timeout: 3 * STEP },
  );

  /**
   * Checks one silent authorization request: made by a frame, not the page, answered at once on the silent page
   * with tokens, or with `expected.error`. Returns the answer's fragment parameters.
   */
  async function assertSilentRequest(request, page, issuer, expected) {
    assert.notEqual(request.frame(), page.mainFrame(), 'prompt=none was requested by the iframe, not the page');
    const params = new URL(request.url()).searchParams;
    assert.equal(params.get('redirect_uri'), `${pageOrigin}${SILENT_PATH}`);
    assert.equal(params.get('client_id'), 'auth-elements-demo');
    assert.equal(params.get('response_type'), 'id_token token');
    const response = await request.response();
    assert.equal(response.status(), 303, 'the provider answered at once, without a page of its own');
    const location = new URL(response.headers().location);
    assert.equal(location.origin + location.pathname, `${pageOrigin}${SILENT_PATH}`);
    const answer = new URLSearchParams(location.hash.slice(1));
    const shown = location.hash.replace(/(token=)[^&]+/g, '$1…');
    if (expected.error) assert.equal(answer.get('error'), expected.error, shown);
    else assert.ok(answer.get('access_token') && answer.get('id_token') && !answer.has('error'), shown);
    assert.equal(answer.get('state'), params.get('state'));
    return answer;
  }

  test('check-session with a live provider session: signed in without leaving the page, the API answers', { timeout: 60_000 }, async (t) => {
    const { context, page, requests, events, pageErrors } = await openBrowser();
    try {
      // A provider session: an interactive sign-in on the plain page (no check-session), in this browser context.
      await signInUntilConsent(page);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(isOn(pageOrigin));
      await page.waitForFunction(() => window.__events.some((e) => e.type === 'auth-response'), null, { timeout: STEP });
      const interactive = await storedSession(page);
      assert.match(interactive?.accessToken ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);

      // 1. A new tab of the same context: the provider's cookies, but a sessionStorage of its own, so an empty store.
      const tab = await context.newPage();
      tab.on('pageerror', (error) => pageErrors.push(error));
      const navigations = recordNavigations(tab);
      const firstRequest = requests.length;
      await tab.goto(`${pageOrigin}/index.html`);
      await silentOutcome(tab);
      // The outcome first, so a failed silent sign-in says why instead of timing out below.
      const login = fromLogin(await tab.evaluate(() => window.__events));
      assert.deepEqual(login.map((e) => e.type), ['auth-signed-in'], JSON.stringify(login));
      await tab.waitForFunction(() => window.__events.some((e) => e.type === 'auth-response'), null, { timeout: STEP });

      const tabEvents = await tab.evaluate(() => window.__events);
      t.diagnostic(`events in the new tab: ${tabEvents.map((e) => `${e.from} ${e.detail?.error ?? e.type}`).join(', ')}`);
      assert.deepEqual(fromLogin(tabEvents), login);
      assert.equal(login[0].detail.store, 'default');
      assert.equal(login[0].detail.claims.sub, 'ada');
      assert.equal(login[0].detail.claims.iss, op.issuer);
      assert.match(login[0].detail.scope, /\bread:appointments\b/);
      const response = tabEvents.find((e) => e.type === 'auth-response');
      assert.equal(response.from, 'auth-fetch');
      assert.equal(response.detail.status, 200);
      assert.deepEqual(response.detail.data.map((a) => a.title).sort(),
        ['Review the Analytical Engine notes', 'Tea with Charles Babbage']);

      // A session of its own: a new access token, kept in this tab.
      const silent = await storedSession(tab);
      assert.match(silent?.accessToken ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.match(silent.idToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.notEqual(silent.accessToken, interactive.accessToken);
      assert.equal(silent.claims.sub, 'ada');
      assert.equal(await tab.locator('auth-login').getAttribute('signed-in'), '');

      // The API got the new token in the Authorization header, once (no request went out before there was a token).
      const tabRequests = requests.slice(firstRequest);
      const apiCalls = tabRequests.filter((r) => r.url() === `${apiUrl}/api/appointments` && r.method() === 'GET');
      assert.equal(apiCalls.length, 1, apiCalls.map((r) => r.url()).join('\n'));
      assert.equal(await apiCalls[0].headerValue('authorization'), `Bearer ${silent.accessToken}`);
      assert.equal((await apiCalls[0].response()).status(), 200);

      // One prompt=none request, from the hidden iframe, answered with tokens on the silent page; the page itself
      // never went anywhere, and the iframe is gone.
      const silentCalls = silentRequests(tabRequests);
      assert.equal(silentCalls.length, 1, silentCalls.map((r) => r.url()).join('\n'));
      await assertSilentRequest(silentCalls[0], tab, op.issuer, {});
      assert.deepEqual(navigations, [`${pageOrigin}/index.html`]);
      assert.equal(tab.url(), `${pageOrigin}/index.html`);
      assert.equal(await tab.locator('iframe').count(), 0);
      assert.deepEqual(tab.frames(), [tab.mainFrame()]);
      // The silent page only hands the fragment over: no auth-* event in any frame but the top-level pages.
      assert.deepEqual(events.filter((e) => !e.top), []);

      // 2. The same again in the first tab, emptied: clear its sessionStorage and load the check-session page.
      const navigationsBefore = recordNavigations(page);
      const secondRequest = requests.length;
      await page.evaluate(() => sessionStorage.clear());
      await page.goto(`${pageOrigin}/index.html`);
      await silentOutcome(page);
      const again = fromLogin(await page.evaluate(() => window.__events));
      assert.deepEqual(again.map((e) => e.type), ['auth-signed-in'], JSON.stringify(again));
      await page.waitForFunction(() => window.__events.some((e) => e.type === 'auth-response'), null, { timeout: STEP });
      const reloaded = await storedSession(page);
      assert.ok(![interactive.accessToken, silent.accessToken].includes(reloaded?.accessToken), 'another new token');
      assert.equal(silentRequests(requests.slice(secondRequest)).length, 1);
      assert.deepEqual(navigationsBefore, [`${pageOrigin}/index.html`]);
      assert.equal(await page.locator('iframe').count(), 0);

      for (const entry of events) {
        const text = JSON.stringify(entry);
        for (const secret of signatures(interactive.accessToken, silent.accessToken, silent.idToken, reloaded.accessToken)) {
          assert.ok(!text.includes(secret), `a token in ${entry.type}`);
        }
      }
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('check-session without a provider session: one silent request, no auth-error (an expected outcome), nothing else', { timeout: 30_000 }, async (t) => {
    const { context, page, requests, events, pageErrors } = await openBrowser();
    const navigations = recordNavigations(page);
    try {
      await page.goto(`${pageOrigin}/index.html`);
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => /[?&]prompt=none/.test(e.name)) && !document.querySelector('iframe'), null, { timeout: 3 * STEP });
      // check-session tries once: give a second try time to show up before counting.
      await page.waitForTimeout(1000);

      const pageEvents = await page.evaluate(() => window.__events);
      t.diagnostic(`events: ${pageEvents.map((e) => `${e.from} ${e.detail?.error ?? e.type}`).join(', ')}`);
      assert.deepEqual(fromLogin(pageEvents), []);
      assert.equal(await page.locator('auth-login').getAttribute('error'), null);
      assert.ok(!events.some((e) => e.type === 'auth-signed-in' || e.type === 'auth-response'), JSON.stringify(events));
      // <auth-fetch auto> has no token either: its own login_required, and no API request.
      assert.ok(pageEvents.filter((e) => e.from === 'auth-fetch').every((e) => e.type === 'auth-error' && e.detail.error === 'login_required'));
      assert.ok(!requests.some((r) => r.url().startsWith(apiUrl) && r.method() !== 'OPTIONS'), 'no API call');

      const silentCalls = silentRequests(requests);
      assert.equal(silentCalls.length, 1, silentCalls.map((r) => r.url()).join('\n'));
      await assertSilentRequest(silentCalls[0], page, op.issuer, { error: 'login_required' });
      assert.deepEqual(navigations, [`${pageOrigin}/index.html`]);
      assert.equal(await page.locator('iframe').count(), 0);
      assert.deepEqual(page.frames(), [page.mainFrame()]);
      assert.deepEqual(events.filter((e) => !e.top), []);
      assert.equal(await storedSession(page), null);
      assert.equal(await page.locator('auth-login').getAttribute('signed-in'), null);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('auto-renew: a new access token at the renewal point, without leaving the page', { timeout: 60_000 }, async (t) => {
    // Access tokens for 24 s: the renewal is due 18 s after sign-in (6 s, 25 % of the lifetime, before expiry). A
    // provider and API of their own, so the other tests keep hour-long tokens.
    const ttl = 24;
    const lead = Math.min(60_000, ttl * 250);
    renewal = await startStack({ accessTokenTtl: ttl });
    const { context, page, requests, events, pageErrors } = await openBrowser();
    const navigations = recordNavigations(page);
    try {
      await signInUntilConsent(page, { path: '/article.html', issuer: renewal.op.issuer });
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(isOn(pageOrigin));
      await page.waitForFunction(() => window.__events.some((e) => e.type === 'auth-response'), null, { timeout: STEP });
      const first = await storedSession(page);
      const signedIn = (await page.evaluate(() => window.__events)).find((e) => e.type === 'auth-signed-in');
      assert.equal(signedIn.from, 'auth-callback');
      assert.ok(Math.abs(first.expiresAt - (signedIn.at + ttl * 1000)) < 2000, `expires in ${first.expiresAt - signedIn.at} ms`);
      // The recorder does see the main frame's navigations: to the provider's pages and back.
      assert.ok(navigations.some((url) => url.startsWith(renewal.op.issuer)), navigations.join('\n'));
      const navigationsAtSignIn = navigations.length;
      const firstRequest = requests.length;

      // The renewal: auth-login signs in silently, the store gets the new token, <auth-fetch auto> calls the API with it.
      await page.waitForFunction(
        () => window.__events.some((e) => e.from === 'auth-login'), null, { timeout: first.expiresAt - Date.now() - lead + 3 * STEP },
      );
      const login = fromLogin(await page.evaluate(() => window.__events));
      assert.deepEqual(login.map((e) => e.type), ['auth-signed-in'], JSON.stringify(login));
      await page.waitForFunction(() => window.__events.filter((e) => e.type === 'auth-response').length === 2, null, { timeout: STEP });
      const pageEvents = await page.evaluate(() => window.__events);
      t.diagnostic(`events: ${pageEvents.map((e) => `${e.from} ${e.detail?.error ?? e.type}`).join(', ')}`);
      assert.deepEqual(fromLogin(pageEvents), login);
      const renewedAfter = login[0].at - (first.expiresAt - lead);
      t.diagnostic(`renewed ${login[0].at - signedIn.at} ms after sign-in, ${renewedAfter} ms after it was due`);
      assert.ok(renewedAfter >= 0 && renewedAfter < STEP, `renewed ${renewedAfter} ms after it was due`);
      assert.equal(login[0].detail.claims.sub, 'ada');
      assert.ok(login[0].detail.expiresAt > first.expiresAt);

      const renewed = await storedSession(page);
      assert.notEqual(renewed.accessToken, first.accessToken);
      assert.equal(renewed.expiresAt, login[0].detail.expiresAt);
      assert.equal(await page.locator('auth-login').getAttribute('signed-in'), '');
      const renewalRequests = requests.slice(firstRequest);
      const apiCalls = renewalRequests.filter((r) => r.url() === `${renewal.apiUrl}/api/appointments` && r.method() === 'GET');
      assert.equal(apiCalls.length, 1);
      assert.equal(await apiCalls[0].headerValue('authorization'), `Bearer ${renewed.accessToken}`);
      assert.equal((await apiCalls[0].response()).status(), 200);
      const response = pageEvents.filter((e) => e.type === 'auth-response')[1];
      assert.equal(response.detail.status, 200);

      const silentCalls = silentRequests(renewalRequests, renewal.op.issuer);
      assert.equal(silentCalls.length, 1, silentCalls.map((r) => r.url()).join('\n'));
      const answer = await assertSilentRequest(silentCalls[0], page, renewal.op.issuer, {});
      assert.equal(answer.get('expires_in'), String(ttl));
      assert.deepEqual(navigations.slice(navigationsAtSignIn), [], 'the page did not navigate for the renewal');
      assert.equal(page.url(), `${pageOrigin}/article.html`);
      assert.equal(await page.locator('iframe').count(), 0);
      assert.deepEqual(page.frames(), [page.mainFrame()]);
      assert.deepEqual(events.filter((e) => !e.top), []);
      for (const entry of events) {
        for (const secret of signatures(first.accessToken, renewed.accessToken, renewed.idToken)) {
          assert.ok(!JSON.stringify(entry).includes(secret), `a token in ${entry.type}`);
        }
      }
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

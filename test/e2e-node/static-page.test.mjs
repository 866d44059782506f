// End to end, with nothing faked: a static HTML page with the four tags and no script of its own, loading the
// built bundle dist/auth-elements.js, signs in against the demo OpenID provider (node-oidc-provider,
// demo/server/provider.mjs) with the implicit grant, calls the demo API, which verifies the JWT access token with
// jose (demo/server/api.mjs), and signs out through RP-initiated logout. The browser is Debian's Chromium driven by
// playwright-core (no browser is downloaded). Run with `node --test test/e2e-node/`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startApi } from '../../demo/server/api.mjs';
import { close, listen } from '../../demo/server/net.mjs';
import { startProvider } from '../../demo/server/provider.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../dist/auth-elements.js', import.meta.url));
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
let bundle;

/** A free loopback port: listen on 0, read it, close. (Another process could take it before we do; see startAll.) */
async function freePort() {
  const server = createNetServer();
  await listen(server, 0, 'localhost');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The static page: the four tags, the built bundle, no page script. */
function pageHtml() {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>auth-elements: a static page</title>
<script type="module" src="/auth-elements.js"></script>
</head>
<body>
<auth-callback></auth-callback>
<auth-login issuer="${op.issuer}" client-id="auth-elements-demo" audience="${apiUrl}"
            scope="openid profile email read:appointments write:appointments"
            allowed-origins="${new URL(apiUrl).origin}">Sign in</auth-login>
<auth-fetch auto url="${apiUrl}/api/appointments"></auth-fetch>
<auth-logout return-to="${pageOrigin}/">Sign out</auth-logout>
</body>
</html>
`;
}

async function startPageServer() {
  const server = createServer((req, res) => {
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    const { pathname } = new URL(req.url, 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.statusCode = 405;
      res.end();
    } else if (pathname === '/') {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end(pageHtml());
    } else if (pathname === '/auth-elements.js') {
      res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      res.end(bundle);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await listen(server, 0, 'localhost');
  return server;
}

before(async () => {
  if (!existsSync(BUNDLE)) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
  } else {
    // npm test builds first; run alone, this file tests whatever dist/ holds, so say when src/ is newer.
    const built = (await stat(BUNDLE)).mtimeMs;
    const sources = await readdir(join(ROOT, 'src'), { recursive: true, withFileTypes: true });
    const newer = [];
    for (const entry of sources.filter((e) => e.isFile())) {
      const path = join(entry.parentPath ?? entry.path, entry.name);
      if ((await stat(path)).mtimeMs > built) newer.push(relative(ROOT, path));
    }
    if (newer.length) {
      process.stderr.write(`warning: dist/auth-elements.js is older than ${newer.join(', ')}: run npm run build\n`);
    }
  }
  bundle = await readFile(BUNDLE);

  pageServer = await startPageServer();
  pageOrigin = `http://localhost:${pageServer.address().port}`;

  // The provider needs the API's audience (its URL) and the API needs the provider's issuer: pick the API's port
  // first, start the provider on any port, then the API on the picked one (again with a new port if it was taken).
  for (let attempt = 1; ; attempt += 1) {
    apiUrl = `http://localhost:${await freePort()}`;
    op = await startProvider({ port: 0, clientOrigin: pageOrigin, apiAudience: apiUrl });
    try {
      api = await startApi({
        port: Number(new URL(apiUrl).port), issuer: op.issuer, audience: apiUrl, allowedOrigin: pageOrigin,
      });
      break;
    } catch (error) {
      await op.close();
      op = undefined;
      if (error.code !== 'EADDRINUSE' || attempt === 3) throw error;
    }
  }
  assert.equal(api.url, apiUrl);

  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await Promise.allSettled([api?.close(), op?.close(), pageServer && close(pageServer)]);
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
        const entry = { type, detail: JSON.parse(JSON.stringify(event.detail ?? null)) };
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
async function signInUntilConsent(page) {
  await page.goto(`${pageOrigin}/`);
  await loginButton(page).click();
  await page.waitForURL((url) => url.origin === op.issuer && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('ada-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
}

/** Signature segments of the JWTs: any copy of a token, whole or cut after its payload, contains it. */
const signatures = (...tokens) => tokens.filter(Boolean).map((token) => token.split('.')[2]);

describe('a static page with the four tags, the built bundle, the demo provider and API, in Chromium', () => {
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

      // Never the access token in a URL Chromium requested (nor in a request body). The implicit response carries it
      // in the fragment, which is not part of a request.
      assert.ok(requests.length > 10, `${requests.length} requests recorded`);
      for (const request of requests) {
        for (const secret of signatures(accessToken)) {
          assert.ok(!request.url().includes(secret), `the access token in ${request.url().slice(0, 80)}`);
          assert.ok(!(request.postData() ?? '').includes(secret), `the access token in the body to ${request.url()}`);
        }
      }
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

// The README's "Try your own page against the demo provider", end to end: the demo (`startDemo()`, as `npm start`
// runs it) with the origin of a page server of this test as a client origin (`--client-origin`), and on that origin
// the very page of the README (its tags, read from README.md; the ports changed to the free ones the demo got).
// Debian's Chromium (playwright-core) signs in there through the provider's login and consent pages, the API answers
// with the user's appointments, and signing out comes back to the page. Run with `node --test test/e2e-node/`.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startDemo } from '../../demo/demo.mjs';
import { close, listen } from '../../demo/server/net.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { ensureBundle, serveBundle } from './bundle.mjs';

const README = new URL('../../README.md', import.meta.url);
const STEP = 5000;

/** The page of the README's section "Try your own page against the demo provider" (the heredoc's text). */
async function readmePage() {
  const readme = await readFile(README, 'utf8');
  const section = readme.split('### Try your own page against the demo provider')[1]?.split('\n### ')[0];
  assert.ok(section, 'README.md has the section "Try your own page against the demo provider"');
  const match = /cat > my-page\/index\.html <<'EOF'\n([\s\S]*?)\nEOF\n/.exec(section);
  assert.ok(match, 'the section writes my-page/index.html');
  return match[1];
}

let pageServer;
let pageOrigin;
let demo;
let browser;
let html;

before(async () => {
  await ensureBundle();
  const template = await readmePage();
  // What python3 -m http.server serves from my-page/: the page at / and /index.html, and the bundle.
  pageServer = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (pathname === '/' || pathname === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
    } else if (!(await serveBundle(pathname, res))) {
      res.writeHead(404).end();
    }
  });
  await listen(pageServer, 0, 'localhost');
  pageOrigin = `http://localhost:${pageServer.address().port}`;

  demo = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true, clientOrigins: [pageOrigin] });
  assert.equal(demo.clientId, 'auth-elements-demo');
  assert.deepEqual(demo.clientOrigins, [pageOrigin]);
  // The README's ports are npm start's defaults: the provider's 7000 and the API's 7001.
  html = template
    .replaceAll('http://localhost:7000', demo.urls.provider)
    .replaceAll('http://localhost:7001', demo.audience);
  assert.notEqual(html, template);
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await Promise.allSettled([demo?.close(), pageServer && close(pageServer)]);
});

test('the README\'s own page on a --client-origin signs in with the demo provider, calls the API and signs out', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP);
  context.setDefaultNavigationTimeout(STEP);
  const pageErrors = [];
  await context.addInitScript((origin) => {
    if (location.origin !== origin) return;
    window.__responses = [];
    window.addEventListener('auth-response', (event) => window.__responses.push(JSON.parse(JSON.stringify(event.detail))), true);
  }, pageOrigin);
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(`${pageOrigin}/`);
    await page.locator('auth-login').locator('button').click();
    await page.waitForURL((url) => url.origin === demo.urls.provider && url.pathname.startsWith('/interaction/'));
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Password').fill('ada-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.origin === pageOrigin);

    await page.waitForFunction(() => window.__responses.length > 0, null, { timeout: STEP });
    const [response] = await page.evaluate(() => window.__responses);
    assert.equal(response.status, 200);
    assert.deepEqual(response.data.map((a) => a.title).sort(), ['Review the Analytical Engine notes', 'Tea with Charles Babbage']);
    assert.equal(page.url(), `${pageOrigin}/`);
    assert.equal(await page.locator('auth-login').getAttribute('signed-in'), '');

    // Sign out: through the provider's end-session page (return-to="/" is on the client origin too), back to the
    // page. The provider's page submits itself when the ID token hint matches its session; otherwise it asks.
    const returned = page.waitForRequest(
      (r) => r.isNavigationRequest() && r.frame() === page.mainFrame() && new URL(r.url()).origin === pageOrigin,
      { timeout: 3 * STEP },
    );
    await page.locator('auth-logout').locator('button').click();
    const back = await Promise.race([returned, new Promise((resolve) => setTimeout(resolve, STEP, null))]);
    if (!back) {
      assert.equal(new URL(page.url()).origin, demo.urls.provider, `on the provider's sign-out page, not ${page.url()}`);
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await returned;
    }
    await page.waitForURL(`${pageOrigin}/`);
    await page.locator('auth-login button').waitFor();
    assert.equal(await page.locator('auth-login').getAttribute('signed-in'), null);
    assert.deepEqual(pageErrors, []);
  } finally {
    await context.close();
  }
});

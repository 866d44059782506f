// The demo's /docs page (demo/server/docs.mjs), in Chromium with playwright-core, against the demo that `npm start`
// runs (startDemo on free ports): a section per element of custom-elements.json with its attributes, events, slots,
// parts and states; manifest text only as text; its live examples sign in with a popup through the provider's login
// page and <auth-fetch> shows the API's answer; axe-core finds no violation (signed out and signed in); no
// Content-Security-Policy violation, no console error. Run with `node --test test/e2e-node/` after `npm run build`.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startDemo } from '../../demo/demo.mjs';
import { documentedElements, renderDocs } from '../../demo/server/docs.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { ensureBundle } from './bundle.mjs';

const STEP = 5000;
const manifest = JSON.parse(await readFile(new URL('../../custom-elements.json', import.meta.url), 'utf8'));
const AXE = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_RULES = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } };

let demo;
let pagesOrigin;
let providerOrigin;
let browser;

before(async () => {
  await ensureBundle();
  demo = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true });
  pagesOrigin = new URL(demo.urls.pages).origin;
  providerOrigin = new URL(demo.urls.provider).origin;
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

/** A fresh context recording console messages, page errors and CSP violations (test instrumentation, not page code). */
async function openBrowser() {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP);
  context.setDefaultNavigationTimeout(STEP);
  const consoleMessages = [];
  const pageErrors = [];
  const violations = [];
  await context.exposeFunction('__recordViolation', (entry) => violations.push(entry));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__recordViolation({ directive: event.violatedDirective, blocked: event.blockedURI, page: location.href });
    });
  });
  context.on('page', (page) => {
    page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()} (${message.location().url || page.url()})`));
    page.on('pageerror', (error) => pageErrors.push(error));
  });
  const page = await context.newPage();
  return { context, page, consoleMessages, pageErrors, violations };
}

/** axe-core's violations on the page (axe evaluated by Playwright: no script tag, so the CSP is not involved). */
async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const results = await page.evaluate((rules) => window.axe.run(document, rules), AXE_RULES);
  assert.ok(results.passes.length > 10, 'axe ran its rules');
  return results.violations.map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => `${JSON.stringify(node.target)} ${node.failureSummary}`).join('; ')}`);
}

describe('renderDocs (demo/server/docs.mjs)', () => {
  test('manifest text is escaped, never HTML, and can not become a placeholder', () => {
    const hostile = structuredClone(manifest);
    const element = hostile.modules.flatMap((module) => module.declarations ?? []).find((declaration) => declaration.tagName === 'auth-fetch');
    element.summary = '<img src=x onerror=alert(1)>';
    element.attributes[0].description = '`<script>alert(1)</script>` and {{API}} "quoted"';
    const html = renderDocs(hostile);
    assert.ok(!html.includes('<img src=x'), 'no markup from the manifest');
    assert.ok(!html.includes('<script>alert'), 'no markup inside code spans either');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>'));
    assert.ok(!html.includes('{{API}} &quot;quoted'), 'manifest braces escaped');
    assert.ok(html.includes('&#123;&#123;API&#125;&#125; &quot;quoted&quot;'));
  });

  test('one section per custom element of the manifest', () => {
    const tags = manifest.modules.flatMap((module) => module.declarations ?? []).filter((declaration) => declaration.customElement && declaration.tagName).map((declaration) => declaration.tagName);
    assert.deepEqual(documentedElements(manifest).map((declaration) => declaration.tagName).sort(), tags.sort());
  });
});

describe('/docs in Chromium, against the demo on free ports', () => {
  test('served with the pages\' CSP, every placeholder filled, the bundle its only script', async () => {
    const response = await fetch(`${pagesOrigin}/docs`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-security-policy'), /script-src 'self'; style-src 'self';/);
    const html = await response.text();
    assert.ok(!html.includes('{{'), 'every placeholder filled');
    assert.deepEqual([...html.matchAll(/<script\b[^>]*>/g)].map(([tag]) => tag), ['<script type="module" src="/auth-elements.js">']);
    assert.ok(!/\sstyle=/.test(html), 'no inline style');
    // Linked from the app's header.
    assert.match(await (await fetch(`${pagesOrigin}/`)).text(), /<a href="\/docs">/);
  });

  test('documents every element; an example signs in with a popup and <auth-fetch> shows the API\'s answer; axe, CSP and console clean', { timeout: 60_000 }, async () => {
    const { context, page, consoleMessages, pageErrors, violations } = await openBrowser();
    try {
      await page.goto(`${pagesOrigin}/docs`);
      await page.waitForFunction(() => customElements.get('auth-login') && customElements.get('auth-fetch'));

      // A section per element of the manifest, each with the tables its declaration has.
      const elements = documentedElements(manifest);
      assert.deepEqual(await page.locator('section[data-tag]').evaluateAll((sections) => sections.map((section) => section.dataset.tag)), elements.map((declaration) => declaration.tagName));
      for (const declaration of elements) {
        const section = page.locator(`section[data-tag="${declaration.tagName}"]`);
        await section.getByRole('heading', { level: 2, name: `<${declaration.tagName}>` }).waitFor();
        for (const [kind, heading] of [['attributes', 'Attributes'], ['events', 'Events'], ['slots', 'Slots'], ['cssParts', 'CSS parts'], ['cssStates', 'CSS states']]) {
          const items = declaration[kind] ?? [];
          if (!items.length) continue;
          const rows = section.getByRole('table', { name: heading }).locator('tbody tr');
          assert.equal(await rows.count(), items.length, `<${declaration.tagName}> ${heading}`);
        }
        for (const attribute of declaration.attributes ?? []) {
          assert.ok(await section.getByRole('table', { name: 'Attributes' }).getByRole('cell', { name: attribute.name, exact: true }).count(), `<${declaration.tagName} ${attribute.name}>`);
        }
        assert.equal(await section.locator(`.example ${declaration.tagName}`).count(), 1, `a live <${declaration.tagName}>`);
      }
      const callback = page.locator('section[data-tag="auth-callback"]');
      assert.equal(await callback.getByRole('table', { name: 'Attributes' }).getByRole('cell', { name: 'handling', exact: true }).count(), 1);
      const fetchSection = page.locator('section[data-tag="auth-fetch"]');
      assert.equal(await fetchSection.getByRole('table', { name: 'Events' }).getByRole('cell', { name: 'emit', exact: true }).count(), 1);

      // Signed out: the examples say so; axe finds nothing.
      await fetchSection.locator('.example').getByText('Sign in to load your appointments.').waitFor();
      assert.deepEqual(await axeViolations(page), [], 'axe, signed out');

      // The <auth-login> example: the provider's login page in a popup, which closes itself; the page never leaves.
      const login = page.locator('section[data-tag="auth-login"] .example auth-login button');
      const [popup] = await Promise.all([page.waitForEvent('popup'), login.click()]);
      const closed = popup.waitForEvent('close', { timeout: 3 * STEP });
      await popup.waitForURL((url) => url.origin === providerOrigin && url.pathname.startsWith('/interaction/'));
      await popup.getByLabel('User name').fill('ada');
      await popup.getByLabel('Password').fill('ada-password');
      await popup.getByRole('button', { name: 'Sign in' }).click();
      await popup.getByRole('heading', { name: 'Allow access?' }).waitFor();
      await popup.getByRole('button', { name: 'Allow' }).click();
      await closed;
      assert.equal(page.url(), `${pagesOrigin}/docs`);

      // <auth-user> shows her name, <auth-fetch> the API's answer (her appointments), <auth-logout> its button.
      await page.locator('section[data-tag="auth-user"] .example strong', { hasText: 'Ada Lovelace' }).waitFor();
      await fetchSection.locator('.example li', { hasText: 'Tea with Charles Babbage' }).waitFor();
      assert.equal(await fetchSection.locator('.example li').count(), 2);
      const logout = page.locator('section[data-tag="auth-logout"] .example auth-logout button');
      assert.ok(await logout.isVisible());
      assert.deepEqual(await axeViolations(page), [], 'axe, signed in');

      // Sign out of the docs store: the examples go back to signed out.
      await logout.click();
      await fetchSection.locator('.example').getByText('Sign in to load your appointments.').waitFor();
      await page.locator('section[data-tag="auth-user"] .example').getByText('Not signed in.').waitFor();

      assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
      assert.deepEqual(pageErrors, [], 'no page error');
      // Chromium logs every 4xx answer. Sign-out revokes the access token too (RFC 7009), and node-oidc-provider
      // answers 400 unsupported_token_type for a JWT access token (README, Sign-out revokes tokens): that one line
      // is the browser's, not the page's, and is expected; any other error is not.
      const revocation = `${new URL(demo.urls.provider).origin}/token/revocation`;
      const expected = (message) => message.startsWith('error: Failed to load resource: the server responded with a status of 400') && message.endsWith(`(${revocation})`);
      assert.deepEqual(consoleMessages.filter((message) => message.startsWith('error') && !expected(message)), [], 'no console error');
      assert.ok(consoleMessages.filter(expected).length <= 1);
    } finally {
      await context.close();
    }
  });
});

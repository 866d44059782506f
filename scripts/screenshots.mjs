// Screenshots of the demo, step by step, for the README and for checking by eye that it works:
//
//   npm run build && node scripts/screenshots.mjs [outdir]     (default docs/screenshots/)
//
// Starts the demo (demo/demo.mjs, the same as `npm start`) on free loopback ports, drives Debian's headless Chromium
// (playwright-core, no browser download) through it as ada, and saves a 1000x700 PNG per step:
// 01-signed-out, 02-provider-login, 03-consent, 04-signed-in, 05-added, 06-signed-out-again, 07-article (signed in
// through the article's sign-in popup).
// It stops with an error when a step does not show what it should, or the page reports an error.
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startDemo } from '../demo/demo.mjs';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = resolve(process.argv[2] ?? join(ROOT, 'docs/screenshots'));
const STEP = 8000;

const demo = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true });
const pagesOrigin = new URL(demo.urls.pages).origin;
const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
const problems = [];
try {
  await mkdir(OUT, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1, colorScheme: 'light' });
  context.setDefaultTimeout(STEP);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error on ${page.url()}: ${message.text()}`);
  });

  let count = 0;
  const shot = async (name) => {
    // No blinking caret or pending transitions in the picture.
    await page.evaluate(() => document.activeElement?.blur?.());
    const path = join(OUT, `${String(++count).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path });
    console.log(`saved ${relative(process.cwd(), path)}`);
  };

  // 1. Signed out: the invitation, the demo logins, the Sign in button. check-session has had its say.
  await page.goto(demo.urls.pages);
  await page.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
  await page.locator('auth-login button').waitFor();
  await page.waitForTimeout(600);
  await shot('signed-out');

  // 2. The provider's sign-in page, filled in.
  await page.locator('auth-login button').click();
  await page.waitForURL((url) => url.origin !== pagesOrigin && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('ada-password');
  await shot('provider-login');

  // 3. Its consent page.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
  await shot('consent');

  // 4. Back in the app: her name from the ID token, her appointments from the API.
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.origin === pagesOrigin);
  await page.getByRole('heading', { name: 'Signed in as Ada Lovelace' }).waitFor();
  await page.locator('#appointments .appointments li').nth(1).waitFor();
  await shot('signed-in');

  // 5. After adding one through the form: the list asked again and shows it.
  const date = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('Title').fill('Demo day at the Royal Society');
  await page.getByLabel('Date').fill(date);
  await page.getByLabel('Time').fill('14:30');
  await page.getByRole('button', { name: 'Add' }).click();
  await page.locator('#appointments li', { hasText: 'Demo day at the Royal Society' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('auth-fetch[loading]'));
  await shot('added');

  // 6. Signed out again (of the provider too), back on the app.
  await page.locator('auth-logout button').click();
  await page.waitForURL((url) => url.href === demo.urls.pages, { timeout: 3 * STEP });
  await page.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
  await page.locator('auth-login button').waitFor();
  await page.waitForTimeout(600);
  await shot('signed-out-again');

  // 7. The article (CMS case), signed in from its widget as grace (in a popup: mode="popup"), in a new browser.
  const reader = await browser.newContext({ viewport: { width: 1000, height: 700 }, deviceScaleFactor: 1 });
  reader.setDefaultTimeout(STEP);
  const article = await reader.newPage();
  article.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await article.goto(demo.urls.article);
  const [popup] = await Promise.all([article.waitForEvent('popup'), article.locator('auth-login button').click()]);
  popup.on('pageerror', (error) => problems.push(`page error in the popup: ${error.message}`));
  const closed = popup.waitForEvent('close', { timeout: 3 * STEP });
  await popup.getByLabel('User name').fill('grace');
  await popup.getByLabel('Password').fill('grace-password');
  await popup.getByRole('button', { name: 'Sign in' }).click();
  await popup.getByRole('button', { name: 'Allow' }).click();
  await closed;
  await article.locator('#widget .appointments li').nth(1).waitFor();
  await article.evaluate(() => document.activeElement?.blur?.());
  const path = join(OUT, `${String(++count).padStart(2, '0')}-article.png`);
  await article.screenshot({ path });
  console.log(`saved ${relative(process.cwd(), path)}`);

  // Whatever the page says when something goes wrong must not be on any of them.
  for (const p of [page, article]) {
    const shown = await p.locator('[role=alert]:visible').allTextContents();
    if (shown.length) problems.push(`an error shown on ${p.url()}: ${shown.join(' / ')}`);
  }
} finally {
  await browser.close();
  await demo.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}

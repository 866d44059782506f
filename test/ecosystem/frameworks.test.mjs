// The React 19 and Vue 3 examples (examples/react, examples/vue), bundled with esbuild the way an app would bundle
// them ("auth-elements" resolved through package.json's exports to lib/, so this runs after `npm run build`), served
// with the unit tests' fake OpenID provider (test/server/fake-provider.mjs, mounted in @web/dev-server as
// web-test-runner mounts it) and driven in Debian's Chromium by playwright-core: the framework sets the elements'
// properties and listens to their events its own way, and the page signs in by a real redirect, renders the user
// and the API's answer from the events, and signs out. Run with `node --test "test/ecosystem/*.test.mjs"`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@web/dev-server';
import { chromium } from 'playwright-core';
import { buildExample } from '../../scripts/build-examples.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { fakeProvider } from '../server/fake-provider.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
/** Per browser step (a click, a navigation, a wait). */
const STEP = 5000;

let server;
let origin;
let browser;
const outdir = mkdtempSync(join(tmpdir(), 'auth-elements-examples-'));

/** Serves the bundles built into `outdir` at /examples/<name>/dist/*; the pages themselves come from examples/. */
async function builtExamples(ctx, next) {
  const match = /^\/examples\/(react|vue)\/dist\/(app\.js(?:\.map)?)$/.exec(ctx.path);
  if (!match) return next();
  ctx.type = match[2].endsWith('.map') ? 'application/json' : 'text/javascript';
  ctx.set('cache-control', 'no-store');
  ctx.body = readFileSync(join(outdir, match[1], match[2]));
}

before(async () => {
  server = await startDevServer({
    config: { rootDir: ROOT, hostname: 'localhost', port: 0, middleware: [fakeProvider, builtExamples] },
    readCliArgs: false,
    readFileConfig: false,
    autoExitProcess: false,
    logStartMessage: false,
  });
  origin = `http://localhost:${server.server.address().port}`;
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(outdir, { recursive: true, force: true });
});

/** A fresh fake-provider tenant (its own keys and counters) and the example's config pointing at it. */
function tenantConfig() {
  const t = `t${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  return { t, config: { issuer: `${origin}/idp/${t}`, clientId: 'example-app', audience: `${origin}/api/${t}`, api: `${origin}/api/${t}/echo` } };
}

async function stats(t) {
  return (await fetch(`${origin}/idp/${t}/stats`)).json();
}

/** Opens example `name` built for a fresh tenant; collects page errors and console errors. */
async function open(name) {
  const { t, config } = tenantConfig();
  await buildExample(name, { outdir: join(outdir, name), config });
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  page.setDefaultTimeout(STEP);
  await page.goto(`${origin}/examples/${name}/index.html`);
  return { t, config, context, page, problems };
}

/** axe-core's WCAG 2.x A/AA and best-practice violations on the whole page, as `rule: targets` lines. */
async function violations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
    return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`);
  });
}

/** What the framework did with the elements: properties (not lower-cased attributes) and the state they show. */
function elementState(page) {
  return page.evaluate(() => {
    const login = document.querySelector('auth-login');
    const fetcher = document.querySelector('auth-fetch');
    return {
      clientId: login?.clientId,
      issuer: login?.issuer,
      loginAttributes: login ? [...login.attributes].map((a) => a.name).sort() : null,
      url: fetcher?.url,
      auto: fetcher?.auto,
      signedOut: fetcher?.hasAttribute('signed-out'),
    };
  });
}

for (const [name, framework] of [['react', 'React 19'], ['vue', 'Vue 3']]) {
  describe(`the ${framework} example`, () => {
    test('sets properties, signs in by redirect, renders the user and the API answer from events, signs out', async () => {
      const { t, config, context, page, problems } = await open(name);
      try {
        await page.getByRole('heading', { name: `auth-elements in ${framework}` }).waitFor();
        await page.getByRole('status').filter({ hasText: 'Signed out' }).waitFor();

        // Properties, the framework's way: no `clientid` attribute, no stringified `auto`.
        const before = await elementState(page);
        assert.equal(before.clientId, config.clientId);
        assert.equal(before.issuer, config.issuer);
        assert.ok(!before.loginAttributes.includes('clientid'), `attributes: ${before.loginAttributes}`);
        assert.equal(before.url, config.api);
        assert.equal(before.auto, true);
        assert.equal(before.signedOut, true);
        assert.equal((await stats(t)).apiCalls, 0, 'no API call while signed out');
        assert.deepEqual(await page.getByRole('alert').allTextContents(), [], 'no error shown for being signed out');
        assert.deepEqual(await violations(page), [], 'axe, signed out');

        // The button in <auth-login>'s shadow root (role queries pierce open shadow roots).
        await page.getByRole('button', { name: 'Sign in' }).click();
        // To the provider and back: <auth-callback> (rendered by the framework) validates, its auth-signed-in
        // event sets the framework's state, and <auth-fetch auto> calls the API with the new token.
        await page.getByRole('status').filter({ hasText: 'Signed in as Ada Lovelace' }).waitFor();
        assert.equal(new URL(page.url()).pathname, `/examples/${name}/index.html`);
        assert.equal(new URL(page.url()).hash, '', 'the fragment is gone');
        const answer = page.getByLabel("The API's answer");
        await answer.waitFor();
        const echoed = JSON.parse(await answer.textContent());
        assert.equal(echoed.sub, 'user-1');
        assert.equal(echoed.method, 'GET');
        assert.equal((await stats(t)).verifiedCalls, 1, 'the API verified the token once');
        assert.deepEqual(await violations(page), [], 'axe, signed in');

        // auth-signed-out updates the framework's state; the store is empty.
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('status').filter({ hasText: 'Signed out' }).waitFor();
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        assert.equal(await answer.count(), 0);
        assert.equal(await page.evaluate(() => sessionStorage.getItem('auth-elements:store:default')), null);
        assert.deepEqual(await page.getByRole('alert').allTextContents(), [], 'no auth-error shown');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    test('shows a denied sign-in from the auth-error event', async () => {
      const { t, context, page, problems } = await open(name);
      try {
        // The fake provider answers `access_denied` when the authorize URL has deny=1: add it on the way out.
        await page.evaluate(() => document.addEventListener('auth-login', (event) => {
          event.preventDefault();
          location.assign(`${event.detail.url}&deny=1`);
        }, { once: true }));
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('alert').filter({ hasText: 'The user denied access' }).waitFor();
        await page.getByRole('status').filter({ hasText: 'Signed out' }).waitFor();
        assert.equal((await stats(t)).apiCalls, 0);
        assert.deepEqual(await violations(page), [], 'axe, with the error shown');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  });
}

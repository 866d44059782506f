// End to end, the demo app switched to the authorization code flow with PKCE (`/code`: the pages server fills in
// `<auth-login response-type="code">`, the only difference from the implicit app at `/`), against the real node-oidc-provider
// of `npm start`'s demo (demo/demo.mjs's startDemo on free loopback ports) in Debian's Chromium driven by
// playwright-core: sign in with DPoP (RFC 9449: `<auth-login dpop>`, the provider's and the API's nonces), call the
// API with DPoP-bound tokens, renew with the refresh token (no iframe, rotation, a proof of the same key), the token
// replayed as Bearer and a proof replayed both refused, a stolen refresh token useless without the key, sign out. The implicit flow's own suite (demo.test.mjs, sessions.test.mjs) runs unchanged.
//
// Run with `node --test test/e2e-node/code-flow.test.mjs` after `npm run build` (npm test does both).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import { chromium } from 'playwright-core';
import { startDemo } from '../../demo/demo.mjs';
import { INTROSPECTOR_CLIENT_ID, INTROSPECTOR_CLIENT_SECRET } from '../../demo/server/provider.mjs';
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';
import { ensureBundle } from './bundle.mjs';

const STORE_KEY = 'auth-elements:store:default';
const AUTH_EVENTS = ['auth-login', 'auth-signed-in', 'auth-signed-out', 'auth-response', 'auth-error', 'auth-expiring', 'auth-expired'];
/** Per browser step (a click, a navigation, a wait). */
const STEP = 5000;
const ADA = ['Review the Analytical Engine notes', 'Tea with Charles Babbage'];
/**
 * Access tokens for 24 s: auto-renew is due 18 s after sign-in (the renewal point: 25 % of a lifetime under four
 * minutes before expiry), then 18 s after each renewal.
 */
const TTL = 24;
/** How long before expiry the renewal is due (README, Session lifecycle). */
const LEAD = Math.min(60_000, TTL * 250);

let demo;
let browser;

before(async () => {
  await ensureBundle();
  demo = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true, accessTokenTtl: TTL });
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

/** A fresh browser context recording every request, page error and auth-* event of the demo pages' origin. */
async function openBrowser() {
  const origin = new URL(demo.urls.pages).origin;
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP);
  context.setDefaultNavigationTimeout(STEP);
  const requests = [];
  const events = [];
  const pageErrors = [];
  const consoleMessages = [];
  context.on('request', (request) => requests.push(request));
  context.on('page', (page) => {
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
  });
  await context.exposeBinding('__recordAuthEvent', (_source, entry) => events.push(entry));
  await context.addInitScript(({ expected, types }) => {
    if (location.origin !== expected) return;
    window.__events = [];
    for (const type of types) {
      window.addEventListener(type, (event) => {
        const entry = { type, detail: JSON.parse(JSON.stringify(event.detail ?? null)), from: event.target?.localName ?? 'document', path: location.pathname + location.search, top: window === window.top };
        window.__events.push(entry);
        window.__recordAuthEvent(entry);
      }, true);
    }
  }, { expected: origin, types: AUTH_EVENTS });
  return { context, requests, events, pageErrors, consoleMessages };
}

const loginButton = (page) => page.locator('auth-login').locator('button');
const logoutButton = (page) => page.locator('auth-logout').locator('button');
const titles = (page) => page.locator('#appointments .appointments li .title').allTextContents();
const stored = async (page) => JSON.parse(await page.evaluate((key) => localStorage.getItem(key), STORE_KEY));
/** The default store as the page's own copy of the bundle holds it in memory: the access and refresh tokens. */
const inMemory = (page) => page.evaluate(async () => {
  const { getStore } = await import('/auth-elements.js');
  const store = getStore('default');
  return { accessToken: store.accessToken, refreshToken: store.refreshToken, expiresAt: store.session?.expiresAt };
});
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

/** Requests to the API that carry an Authorization header, with the header. */
async function apiCallsWithToken(requests) {
  const calls = [];
  for (const request of requests.filter((r) => r.url().startsWith(demo.urls.api))) {
    const authorization = await request.headerValue('authorization');
    if (authorization) calls.push({ request, authorization });
  }
  return calls;
}

/** The token requests (POST to the provider's token endpoint), with their form. */
const tokenRequests = (requests) => requests
  .filter((r) => r.method() === 'POST' && r.url() === `${demo.urls.provider}/token`)
  .map((request) => ({ request, form: new URLSearchParams(request.postData() ?? '') }));

/** A refresh token grant sent from here (not the browser), as someone who copied the token would send it. */
async function refreshFromElsewhere(refreshToken) {
  const response = await fetch(`${demo.urls.provider}/token`, {
    method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'auth-elements-demo' }),
  });
  return { status: response.status, body: await response.json() };
}

/** Signs in from the code flow page as ada (login and consent at the provider), back on the page with her list. */
async function signIn(page) {
  await page.goto(demo.urls.codeFlow);
  await page.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
  // check-session tried silently (prompt=none, with code and PKCE too) and found no provider session: no error.
  await checkSessionQuiet(page);
  await loginButton(page).click();
  await page.waitForURL((url) => url.origin === demo.urls.provider && url.pathname.startsWith('/interaction/'));
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('ada-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(demo.urls.codeFlow);
  await page.getByRole('heading', { name: 'Signed in as Ada Lovelace' }).waitFor();
  await page.locator('#appointments .appointments li').nth(1).waitFor();
}

describe('the demo app with the code flow and PKCE (/code), against the real provider', () => {
  test('the switch: only <auth-login response-type> and dpop (and where signing out returns) differ between the two pages', async () => {
    const implicit = await (await fetch(demo.urls.pages)).text();
    const code = await (await fetch(demo.urls.codeFlow)).text();
    assert.match(implicit, /<auth-login [^>]*response-type="id_token token"/);
    assert.match(code, /<auth-login [^>]*response-type="code" dpop\s/);
    const strip = (html) => html.replace(/<nav>.*<\/nav>/, '').replace(/Signs in with\s+[^.]+\./, '');
    // Signing out returns to the app it started from.
    assert.ok(code.includes(`<auth-logout return-to="${demo.urls.codeFlow}">`));
    assert.equal(strip(code).replace('response-type="code" dpop', 'response-type="id_token token"').replace(`return-to="${demo.urls.codeFlow}"`, `return-to="${demo.urls.pages}"`), strip(implicit));
    assert.match(implicit, /href="\/code"[^>]*>Use the code flow/);
    assert.match(code, /href="\/"[^>]*>Use the implicit grant/);
  });

  test('sign in with DPoP, call the API, renew with the refresh token (no iframe, rotated, a proof), replays refused, sign out', { timeout: 90_000 }, async (t) => {
    const { context, requests, events, pageErrors, consoleMessages } = await openBrowser();
    try {
      const page = await context.newPage();
      await signIn(page);
      assert.deepEqual(await titles(page), ADA);

      // The authorization request: response_type=code, the S256 challenge, the code in the fragment.
      const authorize = requests.filter((r) => r.url().startsWith(`${demo.urls.provider}/auth?`) && r.isNavigationRequest() && r.frame() === page.mainFrame());
      assert.equal(authorize.length, 1);
      const params = new URL(authorize[0].url()).searchParams;
      assert.equal(params.get('response_type'), 'code');
      assert.equal(params.get('code_challenge_method'), 'S256');
      assert.match(params.get('code_challenge'), /^[\w-]{43}$/);
      assert.equal(params.get('response_mode'), 'fragment');
      assert.equal(params.get('prompt'), null);
      // DPoP: the code is bound to the key's thumbprint (dpop_jkt).
      const jkt = params.get('dpop_jkt');
      assert.match(jkt, /^[\w-]{43}$/);
      // The page's exchange: the provider wants a nonce (400 use_dpop_nonce with DPoP-Nonce), the page sends it again
      // once with it; each with a proof of the key the code is bound to.
      const exchanges = tokenRequests(requests);
      assert.deepEqual(exchanges.map(({ form }) => form.get('grant_type')), ['authorization_code', 'authorization_code']);
      const refused = await exchanges[0].request.response();
      assert.equal(refused.status(), 400);
      assert.equal((await refused.json()).error, 'use_dpop_nonce');
      const nonce = await refused.headerValue('dpop-nonce');
      const proofs = await Promise.all(exchanges.map(({ request }) => request.headerValue('dpop')));
      const [header, payload] = proofs[1].split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url')));
      assert.equal(header.typ, 'dpop+jwt');
      assert.equal(header.alg, 'ES256');
      assert.deepEqual(Object.keys(header.jwk).sort(), ['crv', 'kty', 'x', 'y']);
      assert.deepEqual([payload.htm, payload.htu, payload.nonce], ['POST', `${demo.urls.provider}/token`, nonce]);
      assert.notEqual(JSON.parse(Buffer.from(proofs[0].split('.')[1], 'base64url')).jti, payload.jti);
      assert.equal(await calculateJwkThumbprint(header.jwk), jkt);
      const { form } = exchanges[1];
      assert.equal(form.get('client_id'), 'auth-elements-demo');
      // The page is its own redirect URI: the code is exchanged where the refresh token is to stay.
      assert.equal(form.get('redirect_uri'), demo.urls.codeFlow);
      assert.match(form.get('code_verifier'), /^[\w-]{43}$/);
      assert.equal((await exchanges[1].request.response()).status(), 200);

      // The same session as implicit in localStorage; the refresh token only in the page's memory.
      const session = await stored(page);
      assert.equal(session.claims.sub, 'ada');
      assert.equal(session.tokenType, 'DPoP');
      assert.equal(session.dpopJkt, jkt);
      // The key cannot leave the browser: the page itself cannot export it.
      const exported = await page.evaluate(() => new Promise((resolve) => {
        const open = indexedDB.open('auth-elements');
        open.onsuccess = () => {
          const get = open.result.transaction('dpop-keys').objectStore('dpop-keys').get('default');
          get.onsuccess = () => crypto.subtle.exportKey('jwk', get.result.keys.privateKey).then(() => 'exported', (error) => error.name).then(resolve);
        };
      }));
      assert.equal(exported, 'InvalidAccessError');
      assert.equal('refreshToken' in session, false);
      const first = await inMemory(page);
      assert.equal(first.accessToken, session.accessToken);
      assert.ok(first.refreshToken);
      const everything = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
      assert.ok(!everything.includes(first.refreshToken), 'the refresh token in storage or cookies');
      const calls = await apiCallsWithToken(requests);
      assert.ok(calls.length >= 1);
      assert.ok(calls.every(({ authorization }) => authorization === `DPoP ${session.accessToken}`));
      // Every API request has its own proof, with the token's hash.
      const apiProofs = await Promise.all(calls.map(({ request }) => request.headerValue('dpop')));
      assert.equal(new Set(apiProofs).size, apiProofs.length);
      const apiClaims = JSON.parse(Buffer.from(apiProofs.at(-1).split('.')[1], 'base64url'));
      assert.equal(apiClaims.ath, createHash('sha256').update(session.accessToken).digest('base64url'));
      // The DPoP-bound token copied and sent as a bearer token, and a proof sent again: both refused.
      const asBearer = await fetch(`${demo.urls.api}/api/appointments`, { headers: { authorization: `Bearer ${session.accessToken}` } });
      assert.equal(asBearer.status, 401);
      const replayed = await fetch(calls.at(-1).request.url(), { headers: { authorization: `DPoP ${session.accessToken}`, dpop: apiProofs.at(-1) } });
      assert.equal(replayed.status, 401);
      assert.match(replayed.headers.get('www-authenticate'), /^DPoP .*error="invalid_dpop_proof"/);

      // Renewal a minute before expiry (auto-renew): the refresh token grant, no prompt=none, no iframe; rotated.
      const fromHere = requests.length;
      await page.waitForFunction(([key, expiresAt]) => JSON.parse(localStorage.getItem(key))?.expiresAt !== expiresAt,
        [STORE_KEY, session.expiresAt], { timeout: session.expiresAt - LEAD - Date.now() + 3 * STEP });
      const renewed = await stored(page);
      await page.waitForFunction(async (want) => {
        const { getStore } = await import('/auth-elements.js');
        return getStore('default').session?.expiresAt === want;
      }, renewed.expiresAt);
      const second = await inMemory(page);
      assert.notEqual(second.accessToken, first.accessToken);
      assert.notEqual(second.refreshToken, first.refreshToken);
      assert.ok(renewed.expiresAt > session.expiresAt);
      assert.equal(renewed.claims.sub, 'ada');
      const later = requests.slice(fromHere);
      const refreshes = tokenRequests(later);
      // One refresh (a second only when the provider's nonce rotated meanwhile: use_dpop_nonce, retried once), with
      // the refresh token and a proof of the same key.
      assert.ok(refreshes.length === 1 || (refreshes.length === 2 && (await refreshes[0].request.response()).status() === 400), `${refreshes.length} refreshes`);
      assert.ok(refreshes.every(({ form: f }) => f.get('grant_type') === 'refresh_token' && f.get('refresh_token') === first.refreshToken));
      const refreshProof = await refreshes.at(-1).request.headerValue('dpop');
      assert.deepEqual(JSON.parse(Buffer.from(refreshProof.split('.')[0], 'base64url')).jwk, header.jwk);
      assert.equal(later.filter((r) => r.url().startsWith(`${demo.urls.provider}/auth?`)).length, 0, 'no authorization request (no iframe)');
      assert.equal(await page.locator('iframe').count(), 0);
      // The list asked the API again, with the new token.
      const deadline = Date.now() + STEP;
      while ((await apiCallsWithToken(requests.slice(fromHere))).length === 0 && Date.now() < deadline) await page.waitForTimeout(100);
      const afterRenewal = await apiCallsWithToken(requests.slice(fromHere));
      t.diagnostic(`API calls after the renewal: ${afterRenewal.length}`);
      assert.ok(afterRenewal.length >= 1);
      assert.ok(afterRenewal.every(({ authorization }) => authorization === `DPoP ${second.accessToken}`));

      const signedIn = events.filter((e) => e.type === 'auth-signed-in');
      assert.deepEqual(signedIn.map((e) => e.from), ['auth-callback', 'auth-login']);
      // Before sign-in, check-session found no provider session and the list had no token (login_required, as on
      // the implicit page); after it, nothing went wrong.
      t.diagnostic(events.map((e) => `${e.from} ${e.detail?.error ?? e.type}`).join(', '));
      const sinceSignIn = events.slice(events.findIndex((e) => e.type === 'auth-login'));
      assert.deepEqual(sinceSignIn.filter((e) => e.type === 'auth-error' || e.type === 'auth-expired'), []);
      for (const entry of events) {
        for (const secret of [first.refreshToken, second.refreshToken, second.accessToken]) assert.ok(!JSON.stringify(entry).includes(secret), `a token in ${entry.type}`);
      }
      for (const message of consoleMessages) assert.ok(![first.refreshToken, second.refreshToken].some((secret) => message.includes(secret)));

      // Sign out: the store is cleared (the refresh token with it), the provider session ends, no token is sent after.
      const beforeSignOut = requests.length;
      await logoutButton(page).click();
      await page.waitForURL((url) => url.href === demo.urls.codeFlow, { timeout: 3 * STEP });
      await page.getByRole('heading', { name: 'Your appointments, anywhere' }).waitFor();
      await loginButton(page).waitFor();
      await page.waitForTimeout(500);
      const signOut = requests.slice(beforeSignOut);
      assert.ok(signOut.some((r) => r.url().startsWith(`${demo.urls.provider}/session/end`)));
      assert.deepEqual((await apiCallsWithToken(signOut)).map(({ request }) => request.url()), []);
      assert.equal(await stored(page), null);
      assert.equal((await inMemory(page)).refreshToken, undefined);
      // Sign-out revoked the refresh token first (RFC 7009): the provider's introspection says it is no longer active;
      // the access token, a JWT, cannot be revoked there (unsupported_token_type), which sign-out takes in its stride.
      const revocations = signOut.filter((r) => r.method() === 'POST' && r.url() === `${demo.urls.provider}/token/revocation`).map((r) => new URLSearchParams(r.postData()));
      assert.deepEqual(revocations.map((form) => form.get('token_type_hint')).sort(), ['access_token', 'refresh_token']);
      const signedOut = events.find((e) => e.type === 'auth-signed-out' && e.from === 'auth-logout');
      assert.deepEqual(signedOut.detail.revoked, ['refresh_token']);
      assert.equal(signedOut.detail.revocationError, undefined);
      const basic = Buffer.from(`${INTROSPECTOR_CLIENT_ID}:${INTROSPECTOR_CLIENT_SECRET}`).toString('base64');
      const introspection = await fetch(`${demo.urls.provider}/token/introspection`, { method: 'POST', headers: { authorization: `Basic ${basic}` }, body: new URLSearchParams({ token: second.refreshToken }) });
      assert.deepEqual(await introspection.json(), { active: false });
      assert.equal((await refreshFromElsewhere(second.refreshToken)).body.error, 'invalid_grant');
      // The DPoP key went with the session: none is left, or (check-session's silent sign-in on the page signing out
      // came back to) a new one.
      const left = await page.evaluate(() => new Promise((resolve) => {
        const open = indexedDB.open('auth-elements');
        open.onsuccess = () => {
          const get = open.result.transaction('dpop-keys').objectStore('dpop-keys').get('default');
          get.onsuccess = () => (get.result ? crypto.subtle.exportKey('jwk', get.result.keys.publicKey).then(resolve) : resolve(null));
        };
      }));
      assert.ok(left === null || (await calculateJwkThumbprint(left)) !== jkt, 'the signed-out session\'s DPoP key is still there');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('a stolen refresh token is useless without the key: refused elsewhere, the page still renews with it', { timeout: 45_000 }, async () => {
    const { context, requests, events, pageErrors } = await openBrowser();
    try {
      const page = await context.newPage();
      await signIn(page);
      const { refreshToken, accessToken } = await inMemory(page);
      // Someone who copied it sends it without a proof of the key (they cannot have the key): refused.
      const theirs = await refreshFromElsewhere(refreshToken);
      assert.equal(theirs.status, 400);
      assert.equal(theirs.body.error, 'invalid_grant');
      assert.equal(theirs.body.access_token, undefined);
      // The page's own renewal, with the key, works: the refused attempt did not use the token up.
      const renewed = await page.evaluate(() => document.querySelector('auth-login').loginSilently());
      assert.equal(renewed, true);
      const after = await inMemory(page);
      assert.notEqual(after.accessToken, accessToken);
      assert.notEqual(after.refreshToken, refreshToken);
      assert.equal((await stored(page)).tokenType, 'DPoP');
      assert.ok(tokenRequests(requests).filter(({ form }) => form.get('grant_type') === 'refresh_token').length >= 1);
      assert.ok(!events.some((e) => e.type === 'auth-error' && e.detail?.error === 'invalid_grant'));
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});

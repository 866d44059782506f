// The benchmarks that run in Chromium (playwright-core, Debian's Chromium, headless flags from scripts/chromium.mjs):
// the callback side by side with the peers, our callback's parts, what each page loads, request overhead, scale on
// one page, start-up. Each returns raw numbers; run.mjs formats them.
import { OURS, peerConfig } from './pages.mjs';
import { measure } from './sizes.mjs';
import { summary } from './stats.mjs';

const WAIT = 30_000;

/** The sign-in configuration every page uses. */
export function signInConfig(server, clientId) {
  return { issuer: server.urls.provider, clientId, scope: 'openid profile read', allowedOrigins: server.urls.api };
}

/**
 * Starts a sign-in on `path` with the bundle's exported `startSignIn` (the pending transaction goes into this tab's
 * sessionStorage), signs tokens for its nonce, and returns the fragment of the response the provider would send.
 */
async function pendingSignIn(page, server, config, path, ttl, api = OURS.dist.api) {
  await page.goto(`${server.urls.pages}${path}`);
  const { state, nonce } = await page.evaluate(async ({ config, api }) => {
    const { startSignIn } = await import(api);
    const { transaction } = await startSignIn(config);
    return { state: transaction.state, nonce: transaction.nonce };
  }, { config, api });
  const tokens = await server.issueTokens({ nonce, ttl });
  return { fragment: server.fragment(tokens, state), tokens, nonce };
}

/**
 * Navigates to `url` and waits for the page's console message `bench:<what>` (or `bench:error`), without touching
 * the page meanwhile: polling it would take its main thread in the middle of what is measured.
 */
async function gotoAndWait(page, url, what, timeout = WAIT) {
  const heard = page.waitForEvent('console', { predicate: (message) => message.text() === `bench:${what}` || message.text() === 'bench:error', timeout });
  await page.goto(url, { waitUntil: 'commit' });
  const message = await heard;
  if (message.text() === 'bench:error') {
    throw new Error(`${url.split('#')[0]}: ${JSON.stringify(await page.evaluate(() => window.__bench.errors))}`);
  }
}

/** Signs the tab in on `path` for real: pending sign-in, then a full page load of `path#<response>`. */
async function signIn(page, server, config, path, ttl, api) {
  const { fragment } = await pendingSignIn(page, server, config, path, ttl, api);
  await page.goto(`${server.urls.pages}/blank.html`);
  await gotoAndWait(page, `${server.urls.pages}${path}#${fragment}`, 'signed-in');
}

/**
 * A sign-in through the provider, as the library's own sign-in makes it, held there (server `settings.hold`: the
 * provider answers 204 and the page stays): `start` runs in the page and sends it to /authorize. Returns the URL the
 * provider would have redirected to (the callback URL with the response), for the benchmark to load as a fresh page.
 */
async function heldSignIn(page, server, start, arg) {
  server.settings.hold = true;
  try {
    const redirect = server.nextRedirect();
    // Not awaited: some libraries' sign-in never settles (the page is meant to leave).
    page.evaluate(start, arg).catch(() => {});
    return await redirect;
  } finally {
    server.settings.hold = false;
  }
}

/**
 * Our sign-in through the provider: startSignIn from the bundle's API, then off to /authorize. `as`: the page first
 * takes that URL (history.replaceState, same origin), so the sign-in returns to it and the callback page stays where
 * it is instead of going back to a page of the benchmark.
 */
const OUR_SIGN_IN = async ({ api, config, as }) => {
  if (as) history.replaceState(null, '', as);
  const { startSignIn } = await import(api);
  const { url } = await startSignIn(config);
  location.assign(url);
};

/**
 * Times the page's WebCrypto calls (importKey, verify, digest) from their call to their settling, so the time past
 * the JWKS response can be split. A wrapper around each method: a few microseconds per call.
 */
const TIME_WEBCRYPTO = () => {
  const calls = (window.__crypto = []);
  for (const name of ['importKey', 'verify', 'digest']) {
    const original = SubtleCrypto.prototype[name];
    SubtleCrypto.prototype[name] = function (...args) {
      const start = performance.now();
      const result = original.apply(this, args);
      result.then(() => calls.push({ name, start, end: performance.now() }), () => {});
      return result;
    };
  }
};

/**
 * 2. Callback cost: navigation start to auth-signed-in on the redirect page, for a fragment carrying `id_token token`,
 * split with resource timing and the WebCrypto calls' times. `cacheKeys`: discovery and JWKS sent with max-age (then
 * the HTTP cache answers them).
 */
export async function callbackCost(browser, server, clientId, { loads, warmup, cacheKeys }) {
  const context = await browser.newContext();
  await context.addInitScript(TIME_WEBCRYPTO);
  const page = await context.newPage();
  const config = signInConfig(server, clientId);
  server.settings.cacheKeys = cacheKeys;
  const samples = [];
  try {
    for (let i = 0; i < warmup + loads; i++) {
      const { fragment } = await pendingSignIn(page, server, config, '/features/callback.html');
      // Away first, so the next load is a full page load.
      await page.goto(`${server.urls.pages}/blank.html`);
      const jwksBefore = server.counts.jwks;
      await gotoAndWait(page, `${server.urls.pages}/features/callback.html#${fragment}`, 'signed-in');
      const timing = await page.evaluate(() => {
        const entries = performance.getEntriesByType('resource');
        const pick = (part) => entries.filter((entry) => entry.name.includes(part)).map(({ startTime, responseEnd, transferSize }) => ({ startTime, responseEnd, transferSize }));
        const calls = window.__crypto;
        return {
          signedIn: window.__bench.signedIn,
          discovery: pick('/.well-known/openid-configuration'),
          jwks: pick('/jwks'),
          cryptoStart: Math.min(...calls.map((call) => call.start)),
          cryptoEnd: Math.max(...calls.map((call) => call.end)),
          isolated: crossOriginIsolated,
        };
      });
      if (i < warmup) continue;
      const [discovery] = timing.discovery;
      const [jwks] = timing.jwks;
      samples.push({
        total: timing.signedIn,
        beforeDiscovery: discovery.startTime,
        discovery: discovery.responseEnd - discovery.startTime,
        jwks: jwks.responseEnd - jwks.startTime,
        afterJwks: timing.signedIn - jwks.responseEnd,
        // Past the JWKS response: until the first WebCrypto call (the body read, JSON, key selection, and any wait
        // for the main thread), the WebCrypto calls (importKey, verify, at_hash digest), then until auth-signed-in
        // (claim checks, storing the session, the event).
        toCrypto: timing.cryptoStart - jwks.responseEnd,
        crypto: timing.cryptoEnd - timing.cryptoStart,
        afterCrypto: timing.signedIn - timing.cryptoEnd,
        jwksFromCache: jwks.transferSize === 0,
        jwksEntries: timing.jwks.length,
        jwksServerRequests: server.counts.jwks - jwksBefore,
        isolated: timing.isolated,
      });
    }
  } finally {
    server.settings.cacheKeys = false;
    await context.close();
  }
  const pick = (key) => summary(samples.map((sample) => sample[key]));
  return {
    loads: samples.length,
    total: pick('total'),
    beforeDiscovery: pick('beforeDiscovery'),
    discovery: pick('discovery'),
    jwks: pick('jwks'),
    afterJwks: pick('afterJwks'),
    toCrypto: pick('toCrypto'),
    crypto: pick('crypto'),
    afterCrypto: pick('afterCrypto'),
    jwksFromCache: samples.filter((sample) => sample.jwksFromCache).length,
    jwksEntriesPerPage: summary(samples.map((sample) => sample.jwksEntries)),
    jwksServerRequestsPerPage: summary(samples.map((sample) => sample.jwksServerRequests)),
    isolated: samples.every((sample) => sample.isolated),
  };
}

/**
 * 3. Request overhead: `n` GETs through `<auth-fetch>`'s send() vs plain fetch with the Authorization header set by
 * hand (and `callApi()`, the protocol step the element uses), awaited one after another, same page, interleaved in
 * blocks of `block` whose order rotates, after `warmup` of each. Then the same with the network taken out.
 */
export async function requestOverhead(browser, server, clientId, { n, warmup, block, stubBlocks }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, server, signInConfig(server, clientId), '/req.html');
    const before = server.counts.api;
    const preflightsBefore = server.counts.preflight;
    const result = await page.evaluate(async ({ n, warmup, block, url, api, stubBlocks }) => {
      const { getStore, callApi } = await import(api);
      const element = document.getElementById('f');
      const store = getStore('default');
      const token = store.accessToken;
      const viaElement = async () => {
        const start = performance.now();
        const detail = await element.send();
        if (!detail?.ok) throw new Error('auth-fetch failed');
        return performance.now() - start;
      };
      const viaFetch = async () => {
        const start = performance.now();
        const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
        if (!response.ok) throw new Error(`fetch failed: ${response.status}`);
        await response.json();
        return performance.now() - start;
      };
      // The library's protocol step alone (what <auth-fetch> calls), to split the overhead between element and protocol.
      const viaCallApi = async () => {
        const start = performance.now();
        const detail = await callApi({ url, as: 'json' }, { accessToken: store.accessToken, allowedOrigins: store.session.allowedOrigins });
        if (!detail.ok) throw new Error('callApi failed');
        return performance.now() - start;
      };
      const arms = { element: [viaElement, []], fetch: [viaFetch, []], callApi: [viaCallApi, []] };
      for (let i = 0; i < warmup; i++) for (const [run] of Object.values(arms)) await run();
      const wallStart = performance.now();
      for (let b = 0; b < n / block; b++) {
        // The order of the arms rotates from block to block.
        const order = Object.values(arms);
        for (let r = 0; r < b % order.length; r++) order.push(order.shift());
        for (const [run, into] of order) for (let i = 0; i < block; i++) into.push(await run());
      }
      const wall = performance.now() - wallStart;
      // The network taken out: fetch answers at once from memory, so what is left is each arm's own main-thread
      // work. Timed per block of 100 requests (mean per request), blocks interleaved.
      const realFetch = window.fetch;
      const body = '{"ok":true,"items":[{"id":1,"title":"Dentist"}]}';
      window.fetch = async () => new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } });
      // The floor of any element with <auth-fetch>'s contract: fetch + .json() with an abort signal of its own (a
      // newer GET aborts the one in flight) and one bubbling, composed event with the answer; nothing else (no
      // token lookup, origin check, state or renewal).
      const viaFloor = async () => {
        const start = performance.now();
        const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: new AbortController().signal });
        if (!response.ok) throw new Error(`fetch failed: ${response.status}`);
        const data = await response.json();
        element.dispatchEvent(new CustomEvent('bench-response', { bubbles: true, composed: true, detail: { status: response.status, ok: true, data } }));
        return performance.now() - start;
      };
      const stubArms = [['element', viaElement], ['fetch', viaFetch], ['floor', viaFloor]];
      const stubbed = Object.fromEntries(stubArms.map(([name]) => [name, []]));
      try {
        // Two warm-up rounds, then `stubBlocks` rounds of one block per arm, in turn.
        for (let b = 0; b < (2 + stubBlocks) * stubArms.length; b++) {
          const [name, run] = stubArms[b % stubArms.length];
          const start = performance.now();
          for (let i = 0; i < 100; i++) await run();
          if (b >= 2 * stubArms.length) stubbed[name].push(((performance.now() - start) / 100) * 1000);
        }
      } finally {
        window.fetch = realFetch;
      }
      return { ...Object.fromEntries(Object.entries(arms).map(([name, [, times]]) => [name, times])), wall, stubbed, isolated: crossOriginIsolated };
    }, { n, warmup, block, url: `${server.urls.api}/api/ping`, api: OURS.dist.api, stubBlocks });
    const element = summary(result.element);
    const plain = summary(result.fetch);
    const protocol = summary(result.callApi);
    const sum = (values) => values.reduce((a, b) => a + b, 0);
    return {
      n,
      warmup,
      block,
      element,
      fetch: plain,
      callApi: protocol,
      ratio: element.median / plain.median,
      callApiRatio: protocol.median / plain.median,
      preflights: server.counts.preflight - preflightsBefore,
      stubbed: { ...Object.fromEntries(Object.entries(result.stubbed).map(([name, times]) => [name, summary(times)])), blocks: result.stubbed.element.length },
      totals: { element: sum(result.element), fetch: sum(result.fetch), callApi: sum(result.callApi) },
      apiRequests: server.counts.api - before,
      isolated: result.isolated,
    };
  } finally {
    await context.close();
  }
}

/** Counts the page's reads of token-store keys from Web Storage (every frame has its own count). */
const COUNT_STORE_READS = () => {
  const getItem = Storage.prototype.getItem;
  window.__storeReads = 0;
  Storage.prototype.getItem = function (key) {
    if (typeof key === 'string' && key.startsWith('auth-elements:store:')) window.__storeReads++;
    return getItem.call(this, key);
  };
};


/** Runs `block` (µs per call, mean of 100) of `arms` in turn, the network taken out: a stub answers fetch from memory. */
const STUBBED_LOOP = async ({ arms, blocks, url, body }) => {
  const realFetch = window.fetch;
  window.fetch = async () => new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } });
  const names = Object.keys(arms);
  const out = Object.fromEntries(names.map((name) => [name, []]));
  try {
    // Two warm-up rounds, then `blocks` rounds; arms alternate within each.
    for (let b = 0; b < 2 + blocks; b++) {
      for (const name of b % 2 ? [...names].reverse() : names) {
        const start = performance.now();
        for (let i = 0; i < 100; i++) await arms[name]();
        if (b >= 2) out[name].push(((performance.now() - start) / 100) * 1000);
      }
    }
  } finally {
    window.fetch = realFetch;
  }
  return out;
};

/**
 * The callback side by side: for ours and each peer, `loads` times (after `warmup`), in one tab of its own: the
 * library's sign-in on its callback page (sent to the provider, held there), then a fresh load of the callback URL
 * with the response, timed from navigation start to "signed in" (the response handled: validated and stored) and to
 * the answer of one API call with the bearer token. Libraries take turns load by load, so the machine's load falls
 * on all of them alike. After the last load, where the library has a per-request step (getting the token before each
 * call), its main-thread time per request against a bare fetch, the network taken out, `stubBlocks` blocks of 100.
 */
export async function sideBySide(browser, server, clientId, ids, { loads, warmup, stubBlocks }) {
  const tabs = {};
  const samples = Object.fromEntries(ids.map((id) => [id, []]));
  const perRequest = {};
  const failures = {};
  try {
    for (const id of ids) {
      const context = await browser.newContext();
      tabs[id] = { context, page: await context.newPage() };
    }
    for (let i = 0; i < warmup + loads; i++) {
      for (const id of i % 2 ? [...ids].reverse() : ids) {
        if (failures[id]) continue;
        const { page } = tabs[id];
        try {
          const start = `${server.urls.pages}/cb/${id}.html`;
          await page.goto(start);
          const redirect = id === 'ours'
            ? await heldSignIn(page, server, OUR_SIGN_IN, { api: OURS.dist.api, config: { ...signInConfig(server, clientId), redirectUri: start } })
            : await heldSignIn(page, server, async () => {
              while (!window.__signIn) await new Promise((resolve) => setTimeout(resolve, 10));
              await window.__signIn();
            });
          await page.goto(`${server.urls.pages}/blank.html`);
          await gotoAndWait(page, redirect, 'answered');
          const sample = await page.evaluate(() => ({ signedIn: window.__bench.signedIn, answered: window.__bench.done }));
          if (i >= warmup) samples[id].push(sample);
        } catch (error) {
          failures[id] = String(error?.message ?? error).split('\n')[0].slice(0, 300);
        }
      }
    }
    const body = '{"ok":true,"items":[{"id":1,"title":"Dentist"}]}';
    for (const id of ids) {
      if (failures[id]) continue;
      const { page } = tabs[id];
      const url = `${server.urls.api}/api/ping`;
      perRequest[id] = await page.evaluate(async ({ id, url, body, blocks, loop }) => {
        const run = new Function(`return (${loop})`)();
        const bearer = (token) => ({ headers: { Authorization: `Bearer ${token}` } });
        if (id === 'ours') {
          // Ours: the page's <auth-fetch> sent again, against fetch with the token read once.
          const element = document.querySelector('auth-fetch');
          const { accessToken } = JSON.parse(sessionStorage.getItem('auth-elements:store:default'));
          return run({ url, body, blocks, arms: {
            library: async () => { if (!(await element.send())?.ok) throw new Error('auth-fetch failed'); },
            fetch: async () => { await (await fetch(url, bearer(accessToken))).json(); },
          } });
        }
        const { __lib: lib, __client: client } = window;
        if (!lib.token) return null;
        const token = await lib.token(client);
        return run({ url, body, blocks, arms: {
          library: async () => { await (await fetch(url, bearer(await lib.token(client)))).json(); },
          fetch: async () => { await (await fetch(url, bearer(token))).json(); },
        } });
      }, { id, url, body, blocks: stubBlocks, loop: STUBBED_LOOP.toString() }).catch((error) => {
        failures[`${id} per request`] = String(error?.message ?? error).split('\n')[0].slice(0, 300);
        return null;
      });
    }
  } finally {
    for (const { context } of Object.values(tabs)) await context.close();
  }
  return Object.fromEntries(ids.map((id) => {
    const list = samples[id];
    const stub = perRequest[id];
    return [id, {
      loads: list.length,
      failure: failures[id] ?? failures[`${id} per request`],
      signedIn: list.length ? summary(list.map((s) => s.signedIn)) : undefined,
      answered: list.length ? summary(list.map((s) => s.answered)) : undefined,
      perRequest: stub ? { library: summary(stub.library), fetch: summary(stub.fetch), blocks: stub.library.length } : undefined,
    }];
  }));
}

/**
 * What a page loads: every script response of one navigation (`url`, waited for with `what`), its body gzip -9 and
 * brotli as served (scripts are served no-store meanwhile, so each comes over the network and is seen here).
 */
async function scriptsLoaded(page, server, url, what) {
  const seen = new Map();
  const listener = (response) => {
    if (response.request().resourceType() === 'script') seen.set(response.url().split(/[?#]/)[0], response.body().catch(() => Buffer.alloc(0)));
  };
  page.on('response', listener);
  try {
    await gotoAndWait(page, url, what);
    await page.waitForLoadState('networkidle');
    // Late imports (a chunk asked for after the event) are counted too.
    await page.waitForTimeout(300);
  } finally {
    page.off('response', listener);
  }
  const files = [];
  for (const [file, body] of seen) files.push({ path: new URL(file).pathname, ...measure(await body) });
  return files;
}

/**
 * The feature sets of the size table, each observed in a fresh tab with our code from `bundle` ('dist', 'lib' or 'rollup'):
 * (a) a signed-out page with <auth-login>, <auth-callback>, <auth-fetch auto>; (b) the callback page handling an
 * implicit response; (c) a signed-in page with <auth-user> and an <auth-fetch> with a <template>; (d) the callback
 * page handling a code + PKCE response (the token request); and the side-by-side callback page (<auth-callback>, one
 * <auth-fetch auto>). Returns `{ id: files }`.
 */
export async function featureSizes(browser, server, clientId, bundle) {
  const { urls } = server;
  const api = OURS[bundle].api;
  const q = `?bundle=${bundle}`;
  const config = signInConfig(server, clientId);
  const sets = {};
  server.settings.scripts = 'no-store';
  const fresh = async (name, action) => {
    const context = await browser.newContext();
    try {
      sets[name] = await action(await context.newPage());
    } finally {
      await context.close();
    }
  };
  try {
    // The signed-out page as its own app (its three tags alone), and with the tags of auth-elements/define in the
    // app of every other page here (lib/ only: dist/ has one entry for both, measured once).
    const variants = OURS[bundle].signedOut === OURS[bundle].page ? [['signedOut', '']] : [['signedOut', '&app'], ['signedOutDefine', '']];
    for (const [name, app] of variants) {
      await fresh(name, async (page) => {
        // Nothing to wait for but the load: a signed-out <auth-fetch auto> sends nothing.
        await page.goto(`${urls.pages}/blank.html`);
        const seen = [];
        const listener = (response) => response.request().resourceType() === 'script' && seen.push([response.url().split(/[?#]/)[0], response.body()]);
        page.on('response', listener);
        await page.goto(`${urls.pages}/features/signed-out.html${q}${app}`, { waitUntil: 'networkidle' });
        await page.waitForTimeout(300);
        page.off('response', listener);
        const files = new Map();
        for (const [file, body] of seen) files.set(file, { path: new URL(file).pathname, ...measure(await body) });
        return [...files.values()];
      });
    }
    sets.signedOutDefine ??= sets.signedOut;
    for (const [name, responseType] of [['callback', undefined], ['code', 'code']]) {
      await fresh(name, async (page) => {
        await page.goto(`${urls.pages}/blank.html`);
        const target = `${urls.pages}/features/callback.html${q}`;
        const redirect = await heldSignIn(page, server, OUR_SIGN_IN, { api, as: target, config: { ...config, responseType, redirectUri: target } });
        await page.goto(`${urls.pages}/blank.html`);
        return scriptsLoaded(page, server, redirect, 'signed-in');
      });
    }
    // The side-by-side callback page (<auth-callback> and one <auth-fetch auto>): what ours loads there.
    await fresh('sideBySide', async (page) => {
      const target = `${urls.pages}/cb/ours.html${q}`;
      await page.goto(`${urls.pages}/blank.html`);
      const redirect = await heldSignIn(page, server, OUR_SIGN_IN, { api, as: target, config: { ...config, redirectUri: target } });
      await page.goto(`${urls.pages}/blank.html`);
      return scriptsLoaded(page, server, redirect, 'answered');
    });
    await fresh('signedIn', async (page) => {
      await signIn(page, server, config, `/app.html`, undefined, api);
      await page.goto(`${urls.pages}/blank.html`);
      return scriptsLoaded(page, server, `${urls.pages}/features/signed-in.html${q}`, 'answered');
    });
  } finally {
    server.settings.scripts = 'max-age=3600';
  }
  return sets;
}

/** The heap a page keeps, after two full garbage collections: V8's JS heap and Blink's (embedder) heap, in bytes. */
async function retainedHeap(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const usage = await cdp.send('Runtime.getHeapUsage');
    return { js: usage.usedSize, embedder: usage.embedderHeapUsedSize ?? 0 };
  } finally {
    await cdp.detach();
  }
}

/**
 * Signs the tab in (an access token valid for `ttl` seconds) and, `wait` ms later, loads `path`; waits for the n-th
 * auth-response (`answered`) and the next frame, then `settle` ms more, and reads the figures.
 */
async function scaleRun(page, server, clientId, path, { ttl = 3600, settle = 300, wait = 0 } = {}) {
  await signIn(page, server, signInConfig(server, clientId), '/app.html', ttl);
  if (wait) await page.waitForTimeout(wait);
  server.resetCounts();
  // The first error does not end it: the page may still answer everywhere (an error is reported below if not).
  // Heard as a console message, as everything here: a `page.waitForFunction` would put Playwright's injected script
  // (about 565 KB of JS heap) into the page, which the baselines (n = 0, inert) do not have.
  const painted = page.waitForEvent('console', { predicate: (message) => message.text() === 'bench:painted', timeout: 120_000 }).catch(() => {});
  await gotoAndWait(page, `${server.urls.pages}${path}`, 'painted', 120_000).catch(() => {});
  await painted;
  // Late renewals or requests would show up in the counts.
  await page.waitForTimeout(settle);
  const retained = await retainedHeap(page);
  const result = await page.evaluate(() => {
    const b = window.__bench;
    return { done: b.done, painted: b.painted, responses: b.responses, expected: b.expected, errors: b.errors, peakHeap: b.peakHeap, storeReads: window.__storeReads };
  });
  if (result.done === null) throw new Error(`${path}: ${result.responses} of ${result.expected} answered; errors ${JSON.stringify(result.errors.slice(0, 3))}`);
  return { ...result, retained, counts: { ...server.counts } };
}

/** A page load that waits for nothing but `load` (and a moment), then the retained heap. */
async function heapOf(page, server, clientId, path) {
  await signIn(page, server, signInConfig(server, clientId), '/app.html');
  await page.goto(`${server.urls.pages}${path}`, { timeout: 120_000 });
  await page.waitForTimeout(300);
  return retainedHeap(page);
}

/**
 * 4. Scale on one page, `runs` measured runs after `warmup` of each case, each a fresh page load in a tab that has
 * just signed in: `sizes` (1,000 and 10,000) `<auth-fetch auto>` sharing one GET answer: time to the last answer,
 * heap kept; the baselines: the same page with none (n = 0) and with 10,000 of the same tags that nothing defines
 * (what the DOM alone costs); renewals: 1,000 elements and a token past its renewal point; and a callback page with
 * 10,000 `<auth-fetch>` that are not automatic: does it sign in, and how long does it take.
 */
export async function scale(browser, server, clientId, { sizes, runs, warmup, renewal }) {
  const context = await browser.newContext();
  await context.addInitScript(COUNT_STORE_READS);
  const page = await context.newPage();
  const results = { sizes: {} };
  const repeat = async (run) => {
    const samples = [];
    for (let i = 0; i < warmup + runs; i++) {
      const sample = await run();
      if (i >= warmup) samples.push(sample);
    }
    return samples;
  };
  const heapSummary = (samples) => ({ js: summary(samples.map((s) => s.js)), embedder: summary(samples.map((s) => s.embedder)) });
  try {
    results.baseline = heapSummary(await repeat(() => heapOf(page, server, clientId, '/scale.html?n=0')));
    results.inert = heapSummary(await repeat(() => heapOf(page, server, clientId, `/scale.html?n=${Math.max(...sizes)}&inert`)));
    for (const n of sizes) {
      const samples = await repeat(() => scaleRun(page, server, clientId, `/scale.html?n=${n}`));
      results.sizes[n] = {
        done: summary(samples.map((s) => s.done)),
        painted: summary(samples.map((s) => s.painted)),
        retained: heapSummary(samples.map((s) => s.retained)),
        apiRequests: summary(samples.map((s) => s.counts.api)),
        silent: summary(samples.map((s) => s.counts.silent)),
      };
    }
    // Renewal: signed in with a token of `ttl` s, the page loads `wait` ms later, past its renewal point
    // (src/session/lifecycle.ts: expiresAt − min(60 s, 25 % of the lifetime)) and before it expires.
    const renewals = await repeat(() => scaleRun(page, server, clientId, `/scale.html?n=${renewal.n}`, { ttl: renewal.ttl, wait: renewal.wait, settle: renewal.settle }));
    results.renewal = {
      ...renewal,
      silent: summary(renewals.map((s) => s.counts.silent)),
      apiRequests: summary(renewals.map((s) => s.counts.api)),
      unauthorized: summary(renewals.map((s) => s.counts.apiUnauthorized)),
      storeReads: summary(renewals.map((s) => s.storeReads)),
      done: summary(renewals.map((s) => s.done)),
    };
    // The callback page with 10,000 elements that wait to be sent.
    const many = Math.max(...sizes);
    const manyRuns = await repeat(async () => {
      const start = `${server.urls.pages}/cb-many.html?n=${many}`;
      await page.goto(`${server.urls.pages}/blank.html`);
      const redirect = await heldSignIn(page, server, OUR_SIGN_IN, { api: OURS.dist.api, as: start, config: { ...signInConfig(server, clientId), redirectUri: start } });
      await page.goto(`${server.urls.pages}/blank.html`);
      try {
        await gotoAndWait(page, redirect, 'signed-in', 120_000);
      } catch (error) {
        const at = await page.evaluate(() => ({ errorAt: window.__bench.errorAt, defined: document.querySelectorAll('auth-fetch:defined').length })).catch(() => ({}));
        return { ok: false, ...at, error: String(error?.message ?? error).split('\n')[0].replace(/https?:\/\/127\.0\.0\.1:\d+/g, '').slice(0, 200) };
      }
      return { ok: true, ...(await page.evaluate(() => ({ signedIn: window.__bench.signedIn, defined: document.querySelectorAll('auth-fetch:defined').length }))) };
    });
    const loaded = manyRuns.filter((r) => r.ok);
    results.callbackMany = {
      n: many,
      loaded: loaded.length,
      runs: manyRuns.length,
      error: manyRuns.find((r) => !r.ok)?.error,
      failedAt: manyRuns.some((r) => !r.ok && r.errorAt !== null && r.errorAt !== undefined) ? summary(manyRuns.filter((r) => !r.ok && typeof r.errorAt === 'number').map((r) => r.errorAt)) : undefined,
      definedOnFailure: manyRuns.filter((r) => !r.ok).map((r) => r.defined).filter((d) => d !== undefined),
      signedIn: loaded.length ? summary(loaded.map((r) => r.signedIn)) : undefined,
      defined: loaded.length ? Math.min(...loaded.map((r) => r.defined)) : 0,
    };
  } finally {
    await context.close();
  }
  return results;
}

/**
 * 5. Start-up, on a fresh page load each time, libraries in turn, `loads` after `warmup`: ours from the import of
 * dist/auth-elements.js to the page's tags upgraded (<auth-login>, <auth-callback>, <auth-fetch>), the peers' from
 * the import of their bundle to their client constructed. Scripts come over loopback (no-store) with a comment that
 * changes every load, so neither the HTTP cache nor V8's compilation cache can help.
 */
export async function startup(browser, server, ids, { loads, warmup }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const times = Object.fromEntries(ids.map((id) => [id, []]));
  let isolated = true;
  server.settings.scripts = 'no-store';
  try {
    for (let i = 0; i < warmup + loads; i++) {
      for (const id of i % 2 ? [...ids].reverse() : ids) {
        server.settings.bust = `${i}-${Math.random()}`;
        await page.goto(`${server.urls.pages}/startup.html`);
        const result = await page.evaluate(async ({ id, api, config }) => {
          const start = performance.now();
          if (id === 'ours') {
            await import(api);
            await Promise.all(['auth-login', 'auth-callback', 'auth-fetch'].map((tag) => customElements.whenDefined(tag)));
            if (document.querySelectorAll('auth-login:not(:defined), auth-callback:not(:defined), auth-fetch:not(:defined)').length) throw new Error('not upgraded');
          } else {
            const lib = await import(`/bundles/${id}.js`);
            lib.construct(config);
          }
          return { time: performance.now() - start, isolated: crossOriginIsolated };
        }, { id, api: OURS.dist.api, config: id === 'ours' ? undefined : peerConfig(server.urls, id) });
        isolated &&= result.isolated;
        if (i >= warmup) times[id].push(result.time);
      }
    }
  } finally {
    server.settings.scripts = 'max-age=3600';
    server.settings.bust = '';
    await context.close();
  }
  return { loads, isolated, times: Object.fromEntries(Object.entries(times).map(([id, values]) => [id, summary(values)])) };
}

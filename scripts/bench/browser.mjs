// The benchmarks that run in Chromium (playwright-core, Debian's Chromium, headless flags from scripts/chromium.mjs):
// callback cost, request overhead, scale on one page, start-up. Each returns raw numbers; run.mjs formats them.
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
async function pendingSignIn(page, server, config, path, ttl) {
  await page.goto(`${server.urls.pages}${path}`);
  const { state, nonce } = await page.evaluate(async (config) => {
    const { startSignIn } = await import('/auth-elements.js');
    const { transaction } = await startSignIn(config);
    return { state: transaction.state, nonce: transaction.nonce };
  }, config);
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
async function signIn(page, server, config, path, ttl) {
  const { fragment } = await pendingSignIn(page, server, config, path, ttl);
  await page.goto(`${server.urls.pages}${path}?blank`);
  await gotoAndWait(page, `${server.urls.pages}${path}#${fragment}`, 'signed-in');
}

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
      const { fragment } = await pendingSignIn(page, server, config, '/cb.html');
      // Away first (the same page without a response, same process), so the next load is a full page load.
      await page.goto(`${server.urls.pages}/cb.html?blank`);
      const jwksBefore = server.counts.jwks;
      await gotoAndWait(page, `${server.urls.pages}/cb.html#${fragment}`, 'signed-in');
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
 * Runs `action` under a Chromium trace and returns the renderer main thread's complete events (`ph: 'X'`) and its
 * navigationStart marks; the main thread is the CrRendererMain with the most events.
 */
async function traceMainThread(browser, page, action) {
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'blink', 'loading', 'cc', 'blink.user_timing'] });
  let result;
  let buffer;
  try {
    result = await action();
  } finally {
    buffer = await browser.stopTracing();
  }
  const events = JSON.parse(buffer.toString()).traceEvents;
  const threads = events.filter((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain');
  const count = new Map(threads.map((t) => [t, events.filter((event) => event.pid === t.pid && event.tid === t.tid).length]));
  const main = threads.sort((a, b) => count.get(b) - count.get(a))[0];
  const mine = events.filter((event) => event.pid === main.pid && event.tid === main.tid);
  return { result, complete: mine.filter((event) => event.ph === 'X'), navigationStarts: mine.filter((event) => event.name === 'navigationStart') };
}

/** Main-thread busy time (top-level tasks, clipped to the window) between two trace timestamps, in ms. */
function busyBetween(complete, from, to) {
  let busy = 0;
  let end = -Infinity;
  for (const event of complete.filter((e) => e.name === 'ThreadControllerImpl::RunTask').sort((a, b) => a.ts - b.ts)) {
    if (event.ts < end) continue; // nested
    end = event.ts + event.dur;
    busy += Math.max(0, Math.min(end, to) - Math.max(event.ts, from));
  }
  return busy / 1000;
}

/**
 * Why the time past the JWKS response is what it is: `loads` callback loads under a Chromium trace, and how much of
 * the window from the JWKS response to auth-signed-in the page's main thread was busy (tasks of any kind) rather
 * than waiting (for the response body from the network process, for the WebCrypto thread, for a turn).
 */
export async function callbackTrace(browser, server, clientId, { loads }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const config = signInConfig(server, clientId);
  const samples = [];
  try {
    for (let i = 0; i < loads; i++) {
      const { fragment } = await pendingSignIn(page, server, config, '/cb.html');
      await page.goto(`${server.urls.pages}/cb.html?blank`);
      const url = `${server.urls.pages}/cb.html#${fragment}`;
      const { result, complete, navigationStarts } = await traceMainThread(browser, page, async () => {
        await gotoAndWait(page, url, 'signed-in');
        return page.evaluate(() => ({
          signedIn: window.__bench.signedIn,
          jwksEnd: performance.getEntriesByType('resource').find((entry) => entry.name.includes('/jwks')).responseEnd,
        }));
      });
      const start = navigationStarts.find((event) => event.args?.data?.documentLoaderURL === url) ?? navigationStarts.at(-1);
      if (!start) continue;
      const from = start.ts + result.jwksEnd * 1000;
      const to = start.ts + result.signedIn * 1000;
      const busy = busyBetween(complete, from, to);
      samples.push({ window: result.signedIn - result.jwksEnd, busy, waiting: result.signedIn - result.jwksEnd - busy });
    }
  } finally {
    await context.close();
  }
  return { loads: samples.length, window: summary(samples.map((x) => x.window)), busy: summary(samples.map((x) => x.busy)), waiting: summary(samples.map((x) => x.waiting)) };
}

/**
 * Signature verification alone: `validateIdToken` (the library's whole ID-token check: signature, claims, at_hash)
 * on one page with the JWKS already fetched, `runs` times after `warmup` runs; and, for the floor, WebCrypto's
 * importKey + verify on their own. Then JWKS requests when `tokens` ID tokens are validated on one fresh page, at
 * once and one after another.
 */
export async function verification(browser, server, clientId, { runs, warmup, tokens: tokenCount }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const { urls } = server;
  try {
    await page.goto(`${urls.pages}/cb.html`);
    const nonce = 'bench-nonce';
    const { idToken, accessToken } = await server.issueTokens({ nonce });
    const timing = await page.evaluate(async ({ idToken, accessToken, nonce, issuer, clientId, runs, warmup }) => {
      const { validateIdToken } = await import('/auth-elements.js');
      const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
      const expected = { issuer, clientId, nonce, accessToken, leeway: 60 };
      const library = [];
      for (let i = 0; i < warmup + runs; i++) {
        const start = performance.now();
        await validateIdToken(idToken, metadata, expected);
        if (i >= warmup) library.push(performance.now() - start);
      }
      // The floor: import the JWK and verify the RS256 signature, nothing else.
      const { keys: [jwk] } = await (await fetch(metadata.jwks_uri)).json();
      const [header, payload, signature] = idToken.split('.');
      const sig = Uint8Array.from(atob(signature.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const data = new TextEncoder().encode(`${header}.${payload}`);
      const params = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
      const webCrypto = [];
      for (let i = 0; i < warmup + runs; i++) {
        const start = performance.now();
        const key = await crypto.subtle.importKey('jwk', { kty: jwk.kty, n: jwk.n, e: jwk.e }, params, false, ['verify']);
        if (!(await crypto.subtle.verify(params, key, sig, data))) throw new Error('signature does not verify');
        if (i >= warmup) webCrypto.push(performance.now() - start);
      }
      return { library, webCrypto, isolated: crossOriginIsolated };
    }, { idToken, accessToken, nonce, issuer: urls.provider, clientId, runs, warmup });

    // JWKS requests per page, however many tokens: `tokenCount` ID tokens (each its own nonce) on one fresh page.
    const batch = await Promise.all(Array.from({ length: tokenCount }, (_, i) => server.issueTokens({ nonce: `n${i}` }).then((t) => ({ ...t, nonce: `n${i}` }))));
    const jwksRequests = {};
    for (const mode of ['parallel', 'sequential']) {
      await page.goto(`${urls.pages}/cb.html?${mode}`);
      const before = server.counts.jwks;
      const result = await page.evaluate(async ({ batch, issuer, clientId, mode }) => {
        const { validateIdToken } = await import('/auth-elements.js');
        const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
        const check = (t) => validateIdToken(t.idToken, metadata, { issuer, clientId, nonce: t.nonce, accessToken: t.accessToken, leeway: 60 });
        let valid = 0;
        if (mode === 'parallel') valid = (await Promise.all(batch.map(check))).length;
        else for (const t of batch) valid += (await check(t)) ? 1 : 0;
        return { valid, entries: performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/jwks')).length };
      }, { batch, issuer: urls.provider, clientId, mode });
      jwksRequests[mode] = { ...result, server: server.counts.jwks - before };
    }
    return { library: summary(timing.library), webCrypto: summary(timing.webCrypto), runs, isolated: timing.isolated, tokens: tokenCount, jwksRequests };
  } finally {
    await context.close();
  }
}

/**
 * 3. Request overhead: `n` GETs through `<auth-fetch>`'s send() vs plain fetch with the Authorization header set by
 * hand (and `callApi()`, the protocol step the element uses), awaited one after another, same page, interleaved in
 * blocks of `block` whose order rotates, after `warmup` of each. Then the same with the network taken out.
 */
export async function requestOverhead(browser, server, clientId, { n, warmup, block }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, server, signInConfig(server, clientId), '/req.html');
    const before = server.counts.api;
    const preflightsBefore = server.counts.preflight;
    const result = await page.evaluate(async ({ n, warmup, block, url }) => {
      const { getStore, callApi } = await import('/auth-elements.js');
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
      const stubbed = { element: [], fetch: [] };
      try {
        for (let b = 0; b < 2 + 2 * 20; b++) {
          const [name, run] = b % 2 ? ['fetch', viaFetch] : ['element', viaElement];
          const start = performance.now();
          for (let i = 0; i < 100; i++) await run();
          if (b >= 2) stubbed[name].push(((performance.now() - start) / 100) * 1000);
        }
      } finally {
        window.fetch = realFetch;
      }
      return { ...Object.fromEntries(Object.entries(arms).map(([name, [, times]]) => [name, times])), wall, stubbed, isolated: crossOriginIsolated };
    }, { n, warmup, block, url: `${server.urls.api}/api/ping` });
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
      stubbed: { element: summary(result.stubbed.element), fetch: summary(result.stubbed.fetch), blocks: result.stubbed.element.length },
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

/** The JS heap in use after a full garbage collection (what the page keeps). */
async function retainedHeap(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    return await page.evaluate(() => performance.memory.usedJSHeapSize);
  } finally {
    await cdp.detach();
  }
}

/**
 * Signs the tab in (an access token valid for `ttl` seconds), loads `path`, waits for its expected auth-response
 * events and the next frame, then `settle` ms more, and reads the figures.
 */
async function scaleRun(page, server, clientId, path, { ttl = 3600, settle = 300 } = {}) {
  await signIn(page, server, signInConfig(server, clientId), '/app.html', ttl);
  server.resetCounts();
  // The first error does not end it: the page may still answer everywhere (an error is reported below if not).
  await gotoAndWait(page, `${server.urls.pages}${path}`, 'painted').catch(() => {});
  await page.waitForFunction(() => window.__bench.painted !== null, null, { timeout: WAIT, polling: 100 }).catch(() => {});
  // Late renewals or requests would show up in the counts.
  await page.waitForTimeout(settle);
  const retained = await retainedHeap(page);
  const result = await page.evaluate(() => {
    const b = window.__bench;
    const rows = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/api/rows'));
    return {
      done: b.done,
      painted: b.painted,
      responses: b.responses,
      expected: b.expected,
      errors: b.errors,
      peakHeap: b.peakHeap,
      storeReads: window.__storeReads,
      rowsResponseEnd: rows?.responseEnd,
      rowCount: document.querySelectorAll('tbody tr').length,
    };
  });
  if (result.done === null) throw new Error(`${path}: ${result.responses} of ${result.expected} answered; errors ${JSON.stringify(result.errors.slice(0, 3))}`);
  return { ...result, retained, counts: { ...server.counts } };
}

/**
 * 4. Scale on one page: `n` `<auth-fetch auto>` sharing one store (same URL, then distinct URLs), with a token about
 * to expire (renewals), and 10,000 rows from one template. `runs` measured runs after `warmup`, each a fresh page
 * load in a tab that has just signed in.
 */
export async function scale(browser, server, clientId, { n, runs, warmup }) {
  const context = await browser.newContext();
  await context.addInitScript(COUNT_STORE_READS);
  const page = await context.newPage();
  const scenarios = {
    shared: { path: `/scale.html?n=${n}` },
    distinct: { path: `/scale.html?n=${n}&distinct` },
    // Signed in with a token that expires in 30 s: within auth-fetch's one-minute renewal window, so every element
    // asks for a renewal before its request and <auth-login auto-renew> plans one at once.
    expiring: { path: `/scale.html?n=${n}`, ttl: 30 },
    rows: { path: '/rows.html' },
    baseline: { path: '/scale.html?n=0' },
  };
  const results = {};
  try {
    for (const [name, { path, ttl }] of Object.entries(scenarios)) {
      const samples = [];
      for (let i = 0; i < warmup + runs; i++) {
        let sample;
        if (name === 'baseline') {
          // The same page with no <auth-fetch>: the heap a page with the bundle and <auth-login> starts from.
          await signIn(page, server, signInConfig(server, clientId), '/app.html');
          await page.goto(`${server.urls.pages}${path}`);
          await page.waitForTimeout(300);
          sample = { retained: await retainedHeap(page), ...(await page.evaluate(() => ({ storeReads: window.__storeReads }))) };
        } else {
          sample = await scaleRun(page, server, clientId, path, { ttl });
          // From the answer (its last byte) to the rows in the DOM: reading and parsing the JSON, filling the template.
          if (name === 'rows') sample.render = sample.done - sample.rowsResponseEnd;
        }
        if (i >= warmup) samples.push(sample);
      }
      const pick = (key) => summary(samples.map((sample) => sample[key]));
      results[name] = {
        runs: samples.length,
        retained: pick('retained'),
        storeReads: pick('storeReads'),
      };
      if (name !== 'baseline') {
        results[name].done = pick('done');
        results[name].painted = pick('painted');
        results[name].peakHeap = pick('peakHeap');
        results[name].silent = summary(samples.map((sample) => sample.counts.silent));
        results[name].apiRequests = summary(samples.map((sample) => sample.counts.api));
      }
      if (name === 'rows') {
        results.rows.render = pick('render');
        results.rows.rowCount = summary(samples.map((sample) => sample.rowCount));
      }
    }
  } finally {
    await context.close();
  }
  return results;
}

/**
 * 5. Start-up: parse, compile and evaluate of each bundle, timed with performance.now() around a dynamic import of
 * a blob: URL holding its code (no network; a unique comment each time defeats V8's in-memory compilation cache),
 * on a fresh page load each time, bundles in turn.
 */
export async function startup(browser, server, names, { loads, warmup }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const times = Object.fromEntries(names.map((name) => [name, []]));
  let isolated = true;
  try {
    for (let i = 0; i < warmup + loads; i++) {
      for (const name of i % 2 ? [...names].reverse() : names) {
        await page.goto(`${server.urls.pages}/startup.html`);
        const result = await page.evaluate(async (name) => {
          const code = await (await fetch(`/bundles/${name}.js`)).text();
          const url = URL.createObjectURL(new Blob([`${code}\n//# ${Math.random()}`], { type: 'text/javascript' }));
          const start = performance.now();
          await import(url);
          return { time: performance.now() - start, isolated: crossOriginIsolated };
        }, name);
        isolated &&= result.isolated;
        if (i >= warmup) times[name].push(result.time);
      }
    }
  } finally {
    await context.close();
  }
  return { loads, isolated, times: Object.fromEntries(Object.entries(times).map(([name, values]) => [name, summary(values)])) };
}

/**
 * Where `<auth-fetch>`'s overhead goes: the V8 sampling profiler (CDP Profiler, 50 µs) over `n` sends of the
 * element and `n` plain fetches, with the network taken out (fetch answers from memory), on a page with the
 * unminified bundle (readable function names). Returns, per request, the busy (non-idle) main-thread time of each
 * arm and the functions whose self time grew most; then, with the network, `traced` requests per arm under a
 * Chromium trace: the main thread's busy time, microtask checkpoints and frames per request.
 */
export async function profileRequests(browser, server, clientId, { n, warmup, traced: tracedRequests }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await signIn(page, server, signInConfig(server, clientId), '/req-debug.html');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
    const arms = {};
    for (const arm of ['element', 'fetch']) {
      const run = (count) => page.evaluate(async ({ arm, url, count }) => {
        const element = document.getElementById('f');
        const { accessToken } = JSON.parse(sessionStorage.getItem('auth-elements:store:default'));
        const realFetch = window.fetch;
        window.fetch = async () => new Response('{"ok":true,"items":[{"id":1,"title":"Dentist"}]}', { status: 200, headers: { 'Content-Type': 'application/json' } });
        try {
          for (let i = 0; i < count; i++) {
            if (arm === 'element') {
              if (!(await element.send())?.ok) throw new Error('auth-fetch failed');
            } else {
              await (await fetch(url, { headers: { Authorization: `Bearer ${accessToken}` } })).json();
            }
          }
        } finally {
          window.fetch = realFetch;
        }
      }, { arm, url: `${server.urls.api}/api/ping`, count });
      await run(warmup);
      await cdp.send('Profiler.start');
      await run(n);
      const { profile } = await cdp.send('Profiler.stop');
      const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
      const self = new Map();
      profile.samples.forEach((id, i) => {
        const { functionName, url } = nodes.get(id).callFrame;
        const name = `${functionName || '(anonymous)'}${url.includes('auth-elements') ? '' : url ? ' (page)' : ''}`;
        self.set(name, (self.get(name) ?? 0) + profile.timeDeltas[i] / 1000);
      });
      arms[arm] = self;
    }
    await cdp.detach();

    // With the network and the minified bundle (the tab's session is still in its sessionStorage): the main thread's
    // tasks, frames and microtask checkpoints per request, under a trace.
    await page.goto(`${server.urls.pages}/req.html`);
    const traced = {};
    for (const arm of ['element', 'fetch']) {
      const { result: wall, complete } = await traceMainThread(browser, page, () => page.evaluate(async ({ arm, url, count }) => {
        const element = document.getElementById('f');
        const { accessToken } = JSON.parse(sessionStorage.getItem('auth-elements:store:default'));
        const start = performance.now();
        for (let i = 0; i < count; i++) {
          if (arm === 'element') {
            if (!(await element.send())?.ok) throw new Error('auth-fetch failed');
          } else {
            await (await fetch(url, { headers: { Authorization: `Bearer ${accessToken}` } })).json();
          }
        }
        return performance.now() - start;
      }, { arm, url: `${server.urls.api}/api/ping`, count: tracedRequests }));
      const total = (name) => complete.filter((event) => event.name === name).reduce((sum, event) => sum + event.dur / 1000, 0);
      traced[arm] = {
        wall: wall / tracedRequests,
        busy: busyBetween(complete, -Infinity, Infinity) / tracedRequests,
        microtasks: total('BlinkScheduler_PerformMicrotaskCheckpoint') / tracedRequests,
        frames: complete.filter((event) => event.name === 'ProxyMain::BeginMainFrame').length,
        frameTime: total('ProxyMain::BeginMainFrame') / tracedRequests,
      };
    }
    const busy = (self) => [...self].filter(([name]) => name !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0) / n;
    const names = new Set([...arms.element.keys(), ...arms.fetch.keys()]);
    const growth = [...names]
      .filter((name) => name !== '(idle)')
      .map((name) => ({ name, perRequest: ((arms.element.get(name) ?? 0) - (arms.fetch.get(name) ?? 0)) / n }))
      .sort((a, b) => b.perRequest - a.perRequest);
    return { n, busy: { element: busy(arms.element), fetch: busy(arms.fetch) }, top: growth.slice(0, 10), tracedRequests, traced };
  } finally {
    await context.close();
  }
}

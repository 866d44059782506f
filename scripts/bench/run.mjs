// `npm run bench`: size, speed and scale of auth-elements, side by side with the libraries people would pick instead,
// all measured in this run on this machine. Prints a Markdown report and writes it to BENCHMARKS.md.
//
//   npm run bench                              the build, then everything (a few minutes at most)
//   node scripts/bench/run.mjs --no-build      use dist/auth-elements.js as it is
//   node scripts/bench/run.mjs --quick         small N, to try the suite out; prints only, BENCHMARKS.md untouched
//
// Only the size budget is a pass/fail check (`npm run size`); nothing here fails on a missed target, and nothing of
// it runs in `npm test`. Timings vary from machine to machine (and with whatever else runs): compare the ratios and
// the columns of one run, not numbers across runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../chromium.mjs';
import { callbackCost, callbackTrace, profileRequests, requestOverhead, scale, startup, verification } from './browser.mjs';
import { benchPages } from './pages.mjs';
import { CLIENT_ID, startServers } from './server.mjs';
import { ANCHORS, bundleComposition, debugBundle, measureSizes } from './sizes.mjs';
import { bytes, kb, num, spread } from './stats.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');

/** Fixed sizes of every measurement (warm-up runs are discarded). */
const N = quick
  ? { callback: { loads: 5, warmup: 1 }, verify: { runs: 30, warmup: 5, tokens: 10 }, requests: { n: 100, warmup: 10, block: 10 }, profile: { n: 500, warmup: 50, traced: 50 }, trace: { loads: 3 }, scale: { n: 1000, runs: 1, warmup: 0 }, startup: { loads: 3, warmup: 1 } }
  : { callback: { loads: 30, warmup: 3 }, verify: { runs: 200, warmup: 20, tokens: 10 }, requests: { n: 1000, warmup: 100, block: 25 }, profile: { n: 3000, warmup: 300, traced: 300 }, trace: { loads: 10 }, scale: { n: 1000, runs: 5, warmup: 1 }, startup: { loads: 20, warmup: 3 } };

/** The targets of the [bench] issue. */
const TARGET = { gzip: 10 * 1024, pastJwks: 5, jwksPerPage: 1, ratio: 1.05, renewals: 1 };

const started = Date.now();
const load = { before: loadavg() };
const log = (message) => process.stderr.write(`bench: ${message}\n`);

// ── 1. Sizes ────────────────────────────────────────────────────────────────────────────────────────────────────
if (!args.has('--no-build')) {
  log('npm run build');
  // The build's output goes to stderr: stdout is the report.
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    log('the build failed (see above); nothing measured');
    process.exit(1);
  }
}
const outDir = mkdtempSync(join(tmpdir(), 'auth-elements-bench-'));
log('bundling and measuring sizes');
const sizes = await measureSizes(outDir);
const composition = await bundleComposition();
const debugFile = await debugBundle(join(outDir, 'auth-elements.debug.js'));
const size = Object.fromEntries(sizes.map((row) => [row.id, row]));

// ── 2.–5. In Chromium ───────────────────────────────────────────────────────────────────────────────────────────
const pages = {};
const server = await startServers({
  pages,
  bundleFile: join(ROOT, 'dist/auth-elements.js'),
  debugBundleFile: debugFile,
  bundles: Object.fromEntries(sizes.filter((row) => row.id !== 'auth-elements-without-lit').map((row) => [row.id, row.file])),
});
Object.assign(pages, benchPages(server.urls, CLIENT_ID));
// Precise heap figures (performance.memory is coarse and delayed without it).
const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'], timeout: 20_000 });
const chromiumVersion = browser.version();
let results;
try {
  log(`callback cost (${N.callback.loads} loads, JWKS fetched)`);
  const callbackCold = await callbackCost(browser, server, CLIENT_ID, { ...N.callback, cacheKeys: false });
  log(`callback cost (${N.callback.loads} loads, JWKS from the HTTP cache)`);
  const callbackCached = await callbackCost(browser, server, CLIENT_ID, { ...N.callback, cacheKeys: true });
  log(`callback under a trace (${N.trace.loads} loads)`);
  const callbackTraced = await callbackTrace(browser, server, CLIENT_ID, N.trace);
  log(`signature verification (${N.verify.runs} runs) and JWKS requests for ${N.verify.tokens} tokens`);
  const verify = await verification(browser, server, CLIENT_ID, N.verify);
  log(`request overhead (${N.requests.n} requests per arm)`);
  const requests = await requestOverhead(browser, server, CLIENT_ID, N.requests);
  log('profile of the request overhead');
  const profile = await profileRequests(browser, server, CLIENT_ID, N.profile);
  log(`scale (${N.scale.n} elements, ${N.scale.runs} runs per case)`);
  const scaled = await scale(browser, server, CLIENT_ID, N.scale);
  log(`start-up (${N.startup.loads} loads per bundle)`);
  const boot = await startup(browser, server, ['auth-elements', 'lit', ...ANCHORS.map((a) => a.id)], N.startup);
  results = { callbackCold, callbackCached, callbackTraced, verify, requests, profile, scaled, boot };
} finally {
  await browser.close();
  await server.close();
  rmSync(outDir, { recursive: true, force: true });
}
load.after = loadavg();
const seconds = (Date.now() - started) / 1000;

// ── The report ──────────────────────────────────────────────────────────────────────────────────────────────────
const { callbackCold, callbackCached, callbackTraced, verify, requests, profile, scaled, boot } = results;
const pct = (value) => `${value >= 0 ? '+' : ''}${num(value * 100, 1)} %`;
const verdict = (met, missed) => (met ? '**met**' : `**missed**: ${missed}`);
const ms = (value, digits = 2) => `${num(value, digits)} ms`;
const mb = (value) => `${num(value / 1024 / 1024, 1)} MB`;
const cpuModel = cpus()[0]?.model?.trim() ?? 'unknown CPU';
const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
const ours = size['auth-elements'];
const gzipMiss = ours.gzip - TARGET.gzip;
const pastJwks = callbackCold.afterJwks.median;
const jwksMax = Math.max(callbackCold.jwksServerRequestsPerPage.max, verify.jwksRequests.parallel.server, verify.jwksRequests.sequential.server);
const renewals = scaled.expiring.silent;
const startupRatio = boot.times['auth-elements'].median / boot.times['auth0-js'].median;
const perRequest = (requests.element.median - requests.fetch.median) * 1000;
const ownCost = requests.stubbed.element.median - requests.stubbed.fetch.median;
const anchorsGzip = ANCHORS.map((a) => `${a.id} ${bytes(size[a.id].gzip)}`).join(' · ');

const lines = [];
const out = (...text) => lines.push(...text);

out(
  '# Benchmarks',
  '',
  `Written by \`npm run bench\` (scripts/bench/run.mjs) on ${date} UTC: Node ${process.version}, Chromium ${chromiumVersion} (Debian's, headless,`,
  `driven by playwright-core), ${cpus().length} CPUs (${cpuModel}), load average ${load.before.map((v) => num(v, 2)).join(' / ')} before and`,
  `${load.after.map((v) => num(v, 2)).join(' / ')} after (1 / 5 / 15 min). The whole run took ${num(seconds, 0)} s.`,
  '',
  'Everything is measured in the same run on the same machine: the bundles are built and bundled now, and the browser',
  'figures come from this machine\'s Chromium against loopback servers (scripts/bench/server.mjs: a minimal OpenID',
  'provider signing RS256 tokens with jose, and an API with CORS and a bearer check). Times are medians with min–max;',
  'warm-up runs are discarded. They vary from machine to machine and with the load of the machine (other jobs ran on',
  'this one at the same time): read the ratios and the columns of one run side by side.',
  '',
  '## Summary',
  '',
  '| # | what | auth-elements | compared with | target | result |',
  '|---|---|---|---|---|---|',
  `| 1 | bundle, gzip -9, Lit included, every feature | ${bytes(ours.gzip)} (${kb(ours.gzip)}) | ${anchorsGzip} | ≤ ${bytes(TARGET.gzip)} (10 KB) | ${verdict(gzipMiss <= 0, `over by ${bytes(gzipMiss)} (${pct(gzipMiss / TARGET.gzip)})`)} |`,
  `| 2 | callback: JWKS response → \`auth-signed-in\` | ${ms(pastJwks)} (${num(callbackCold.afterJwks.min, 2)}–${num(callbackCold.afterJwks.max, 2)}) | whole callback ${ms(callbackCold.total.median, 1)} | ≤ ${TARGET.pastJwks} ms | ${verdict(pastJwks <= TARGET.pastJwks, `by ${ms(pastJwks - TARGET.pastJwks)} (median)`)} |`,
  `| 2 | JWKS requests per page (${verify.tokens} tokens validated; each callback load) | ${jwksMax} | | ≤ ${TARGET.jwksPerPage} | ${verdict(jwksMax <= TARGET.jwksPerPage, `${jwksMax} requests`)} |`,
  `| 3 | \`<auth-fetch>\` send() vs plain fetch, ratio of medians (N = ${num(requests.n)}) | ${num(requests.ratio, 3)} | fetch ${ms(requests.fetch.median, 3)}, auth-fetch ${ms(requests.element.median, 3)} | ≤ ${TARGET.ratio} | ${verdict(requests.ratio <= TARGET.ratio, `by ${num((requests.ratio - TARGET.ratio) * 100, 1)} points (${num(perRequest, 0)} µs per request)`)} |`,
  `| 4 | silent renewals, ${num(N.scale.n)} \`<auth-fetch auto>\`, token about to expire | ${renewals.median} (${renewals.min}–${renewals.max}) | | ${TARGET.renewals} | ${verdict(renewals.max <= TARGET.renewals && renewals.min >= 1, `${renewals.min}–${renewals.max}`)} |`,
  `| 4 | ${num(N.scale.n)} \`<auth-fetch auto>\` until all answered (one shared GET) | ${ms(scaled.shared.done.median, 0)} | | | |`,
  `| 4 | 10,000 rows from one \`<template>\`: answer → rows in the DOM | ${ms(scaled.rows.render.median, 0)} | | | |`,
  `| 5 | start-up: parse + compile + evaluate | ${ms(boot.times['auth-elements'].median)} | auth0-js ${ms(boot.times['auth0-js'].median)} (ours ×${num(startupRatio, 2)}) | | |`,
  '',
);

// 1. Sizes
out(
  '## 1. Bundle size',
  '',
  '`dist/auth-elements.js` from `npm run build` (esbuild, then terser). Our code without Lit and Lit\'s ReactiveElement alone',
  'go through the same pipeline. The others are bundled by esbuild (minify, ESM, es2022, browser platform, production) from',
  'a tiny entry in scripts/bench/entries/ that uses their sign-in and callback path, so only that path is counted.',
  '',
  '| bundle | minified | gzip -9 | brotli | gzip vs ours | whole package, gzip -9 |',
  '|---|---:|---:|---:|---:|---:|',
  ...sizes.map((row) => `| ${row.label} | ${num(row.min)} | ${num(row.gzip)} | ${num(row.brotli)} | ${row.id === 'auth-elements' ? '' : `×${num(row.gzip / ours.gzip, 2)}`} | ${row.whole ? num(row.whole.gzip) : ''} |`),
  '',
  '"Whole package" bundles everything the package exports (`import * as all`), to show what the entries leave out: almost',
  'nothing, these libraries do not tree-shake much. The issue\'s reference figures (auth0-js 53.7 KB, oidc-client-ts',
  `17.8 KB, keycloak-js 8.4 KB) match; its auth0-spa-js figure (64.9 KB) does not: @auth0/auth0-spa-js ${size['auth0-spa-js'].label.split(' ')[1].replace(':', '')} bundles to`,
  `${kb(size['auth0-spa-js'].whole.gzip)} here even whole. Its "Lit alone" figure (6.3 KB) is not the line above: that is ReactiveElement only, the`,
  'part of Lit we use (LitElement adds lit-html\'s templating).',
  '',
  `Target: ≤ ${bytes(TARGET.gzip)} gzip with Lit and every feature of [core], [sessions] and [fetch]. ${gzipMiss <= 0 ? `Met, with ${bytes(-gzipMiss)} to spare.` : `**Missed by ${bytes(gzipMiss)} (${pct(gzipMiss / TARGET.gzip)}).**`}`,
  `The budget in scripts/size.mjs (\`npm run size\`, the only pass/fail check) is 12,800 B, by a product decision; this run's`,
  `bundle is ${ours.gzip <= 12800 ? `within it by ${bytes(12800 - ours.gzip)}` : `over it by ${bytes(ours.gzip - 12800)}`}.`,
  '',
);
if (gzipMiss > 0) {
  const lit = composition.parts.find((part) => part.name.startsWith('Lit'));
  const own = size['auth-elements-without-lit'];
  out(
    `Why: our own code is ${bytes(own.gzip)} gzip without Lit, ${own.gzip > TARGET.gzip ? 'itself over the target' : `${bytes(TARGET.gzip - own.gzip)} under the target`};`,
    `Lit's ReactiveElement adds about ${bytes(ours.gzip - own.gzip)} gzip in the bundle (${bytes(size.lit.gzip)} alone). By esbuild's minified bytes`,
    `(before terser and gzip, ${num(composition.total)} B in all), the largest parts are:`,
    '',
    '| part | minified bytes | share |',
    '|---|---:|---:|',
    ...composition.parts.slice(0, 10).map((part) => `| ${part.name} | ${num(part.bytes)} | ${num((part.bytes / composition.total) * 100, 1)} % |`),
    '',
    `Lit's part (${num(lit?.bytes ?? 0)} B minified) does not explain the miss alone: our own code is over the target without it.`,
    'What I would change (not done here: src/ is not the benchmark\'s to edit): replace ReactiveElement with a small base',
    'of our own (docs/experiments/lit-free-base.patch measured about −1.9 KB gzip for that: Lit\'s ~2.5 KB against ~0.65 KB',
    `for base.ts), which still leaves the bundle near ${kb(ours.gzip - 1900)}; getting under 10 KB needs a second step, such as`,
    'separate entry points for what a page may not use: popup and silent sign-in (silent.ts), and the script-free extras',
    'of `<auth-fetch>` (templates with stamp.ts, forms, query parameters, refresh-on/emit). Every feature in one file',
    'within 10 KB does not look reachable without such a split.',
    '',
  );
}

// 2. Callback
out(
  '## 2. Callback cost',
  '',
  `The redirect page (\`<auth-callback>\` and the bundle) loads with a fragment carrying \`id_token token\` for a pending`,
  'sign-in made just before with the bundle\'s `startSignIn` (so state and nonce are real, and the tokens are signed for',
  `that nonce). Timed from navigation start to \`auth-signed-in\`, ${callbackCold.loads} page loads after ${N.callback.warmup} warm-up loads, split with`,
  'resource timing (discovery, JWKS) and with the times of the page\'s WebCrypto calls (a thin wrapper around',
  '`crypto.subtle.importKey/verify/digest`). The bundle comes from the HTTP cache, like a returning visitor\'s; the page is',
  `cross-origin isolated for 5 µs timers (${callbackCold.isolated ? 'checked' : 'NOT isolated: 100 µs timers'}).`,
  '',
  '| step | JWKS fetched (no-store) | JWKS from the HTTP cache (max-age) |',
  '|---|---|---|',
  ...[
    ['navigation start → `auth-signed-in`', 'total', 1],
    ['… before the discovery request (HTML, bundle, upgrade, state check)', 'beforeDiscovery', 1],
    ['… discovery document fetch', 'discovery'],
    ['… JWKS fetch (resource timing)', 'jwks'],
    ['… **JWKS response → `auth-signed-in`** (target ≤ 5 ms)', 'afterJwks'],
    ['    … JWKS response → first WebCrypto call (body, JSON, key choice, waiting for the main thread)', 'toCrypto'],
    ['    … WebCrypto: importKey, verify, at_hash digest', 'crypto'],
    ['    … last WebCrypto call → `auth-signed-in` (claims, storing the session, the event)', 'afterCrypto'],
  ].map(([label, key, digits = 2]) => `| ${label} | ${spread(callbackCold[key], 'ms', digits)} | ${spread(callbackCached[key], 'ms', digits)} |`),
  `| rest: total − JWKS fetch − verification (below) | ${ms(callbackCold.total.median - callbackCold.jwks.median - verify.library.median, 1)} | ${ms(callbackCached.total.median - callbackCached.jwks.median - verify.library.median, 1)} |`,
  `| JWKS requests per page load (server count) | ${callbackCold.jwksServerRequestsPerPage.min}–${callbackCold.jwksServerRequestsPerPage.max} | ${callbackCached.jwksServerRequestsPerPage.min}–${callbackCached.jwksServerRequestsPerPage.max} (${callbackCached.jwksFromCache} of ${callbackCached.loads} loads from the cache) |`,
  '',
  `Signature verification alone, on one page with the JWKS already fetched (${verify.runs} runs after ${N.verify.warmup} warm-up runs):`,
  '',
  '| | median (min–max) |',
  '|---|---|',
  `| \`validateIdToken\` (signature, every claim check, at_hash) | ${spread(verify.library, 'ms', 3)} |`,
  `| WebCrypto alone: importKey + verify (RS256, 2048-bit key) | ${spread(verify.webCrypto, 'ms', 3)} |`,
  '',
  `JWKS requests when ${verify.tokens} ID tokens (each with its own nonce) are validated on one fresh page: ${verify.jwksRequests.parallel.server} at once`,
  `(\`Promise.all\`), ${verify.jwksRequests.sequential.server} one after another (server counts; ${verify.jwksRequests.parallel.valid} and ${verify.jwksRequests.sequential.valid} tokens valid). Target ≤ 1: ${jwksMax <= 1 ? '**met**' : '**missed**'}.`,
  '',
);
const ct = callbackTraced;
out(
  `Under a Chromium trace (${ct.loads} more loads, JWKS fetched; tracing slows the page a little), the window from the JWKS`,
  `response to \`auth-signed-in\` was ${spread(ct.window, 'ms', 2)}, of which the page's main thread was busy (tasks of any`,
  `kind) ${spread(ct.busy, 'ms', 2)} and waiting ${spread(ct.waiting, 'ms', 2)}: for the response body to come over from the network`,
  'process, for WebCrypto\'s thread, for its turn on a machine with other work.',
  '',
);
if (pastJwks > TARGET.pastJwks) {
  out(
    `Target ≤ ${TARGET.pastJwks} ms past the JWKS fetch: **missed by ${ms(pastJwks - TARGET.pastJwks)}** (median ${ms(pastJwks)}; fastest load ${ms(callbackCold.afterJwks.min)}).`,
    `Why: not the library's own work, which is small: the whole ID-token check takes ${ms(verify.library.median, 3)} on a warm page and`,
    `the WebCrypto calls of the callback ${ms(callbackCold.crypto.median)}; from the last of them to the event (claims, storing the session,`,
    `dispatch) ${ms(callbackCold.afterCrypto.median)}. Most of the window passes before the first WebCrypto call`,
    `(${ms(callbackCold.toCrypto.median)}), with the main thread mostly idle (trace above): the JWKS body reaching the page from the network`,
    'process and the turns of a page that is still loading. That part grows with the machine\'s load (see the load',
    'average above). The one change on our side that would shorten it: start the JWKS fetch together with discovery',
    '(or from a `<link rel=preload>`-like hint), so the key set arrives while the page is still starting up instead of',
    'after the discovery document; the time past the JWKS response itself has little of ours left to cut.',
    '',
  );
} else {
  out(
    `Target ≤ ${TARGET.pastJwks} ms past the JWKS fetch: **met** (median ${ms(pastJwks)}, range ${num(callbackCold.afterJwks.min, 2)}–${num(callbackCold.afterJwks.max, 2)} ms).` +
      (callbackCold.afterJwks.max > TARGET.pastJwks
        ? ' The slow loads are waiting, not work: the library\'s own part (WebCrypto calls, then claims, storage and the event) stays near' +
          ` ${ms(callbackCold.crypto.median + callbackCold.afterCrypto.median)}; on a busy machine the median itself can go over ${TARGET.pastJwks} ms.`
        : ''),
    '',
  );
}

// 3. Requests
out(
  '## 3. Request overhead',
  '',
  `${num(requests.n)} GETs to the loopback API (CORS, bearer check, a small JSON answer) per arm, awaited one after another on one`,
  `page, in blocks of ${requests.block} whose order rotates, after ${requests.warmup} warm-up requests per arm. Preflights: ${requests.preflights} in all (cached by`,
  'Access-Control-Max-Age, the same for every arm).',
  '',
  '| arm | median (min–max) per request | total |',
  '|---|---|---:|',
  `| plain \`fetch\`, Authorization set by hand, \`.json()\` | ${spread(requests.fetch, 'ms', 3)} | ${ms(requests.totals.fetch, 0)} |`,
  `| \`<auth-fetch>\` \`send()\` | ${spread(requests.element, 'ms', 3)} | ${ms(requests.totals.element, 0)} |`,
  `| \`callApi()\` (the protocol step \`<auth-fetch>\` uses, without the element) | ${spread(requests.callApi, 'ms', 3)} | ${ms(requests.totals.callApi, 0)} |`,
  '',
  `Ratio of medians, \`<auth-fetch>\` / fetch: **${num(requests.ratio, 3)}** (target ≤ ${TARGET.ratio}: ${requests.ratio <= TARGET.ratio ? '**met**' : `**missed** by ${num((requests.ratio - TARGET.ratio) * 100, 1)} points`}),`,
  `that is ${num(perRequest, 0)} µs per request; \`callApi\` / fetch: ${num(requests.callApiRatio, 3)}.`,
  '',
  `With the network taken out (\`fetch\` answering at once from memory; ${requests.stubbed.blocks} blocks of 100 requests per arm, mean per request`,
  'in each block), what is left is each arm\'s own main-thread work:',
  '',
  '| arm, network taken out | per request, median of blocks (min–max) |',
  '|---|---|',
  `| plain \`fetch\` + \`.json()\` | ${spread(requests.stubbed.fetch, 'µs', 0)} |`,
  `| \`<auth-fetch>\` \`send()\` | ${spread(requests.stubbed.element, 'µs', 0)} |`,
  '',
  `So \`<auth-fetch>\` does about ${num(ownCost, 0)} µs more main-thread work per request than a bare fetch. Against this run's median`,
  `loopback request (${ms(requests.fetch.median, 3)}) that alone would be a ratio of ${num(1 + ownCost / 1000 / requests.fetch.median, 3)}; the rest of the measured gap comes only with a`,
  'request really in flight: the page renders frames for the element\'s changed attributes while it waits (trace below).',
  '',
  `Where it goes (V8 sampling profiler, 50 µs, over ${num(profile.n)} requests per arm with the network taken out, unminified bundle):`,
  `busy main-thread time ${num(profile.busy.element * 1000, 0)} µs per \`send()\` against ${num(profile.busy.fetch * 1000, 0)} µs per plain fetch. The entries`,
  'that grew most (self time, per request):',
  '',
  '| function (self time) | extra per request |',
  '|---|---:|',
  ...profile.top.slice(0, 10).map(({ name, perRequest: extra }) => `| ${name.replace(/\|/g, '\\|')} | ${num(extra * 1000, 1)} µs |`),
  '',
  '"(program)" is the browser\'s own work outside JavaScript (attribute changes and style invalidation for the reflected',
  '`loading`/`aria-busy`, event dispatch, Lit\'s update cycle between microtasks); "(garbage collector)" the garbage',
  'collector.',
  '',
  `With the network, under a Chromium trace (${profile.tracedRequests} requests per arm; tracing slows both arms), per request:`,
  '',
  '| arm | wall time | main thread busy | of which microtask checkpoints (promise continuations, JS) | frames rendered (in all) | frame time |',
  '|---|---:|---:|---:|---:|---:|',
  ...['fetch', 'element'].map((arm) => {
    const t = profile.traced[arm];
    return `| ${arm === 'fetch' ? 'plain `fetch`' : '`<auth-fetch>` `send()`'} | ${ms(t.wall, 3)} | ${ms(t.busy, 3)} | ${ms(t.microtasks, 3)} | ${t.frames} | ${ms(t.frameTime, 3)} |`;
  }),
  '',
  `Plain fetch changes nothing on the page (${profile.traced.fetch.frames} frames in ${profile.tracedRequests} requests); \`<auth-fetch>\` turns \`loading\` and`,
  `\`aria-busy\` on and off for every request, so the page renders frames (style, layout, paint: ${profile.traced.element.frames} in ${profile.tracedRequests} requests) while`,
  'requests run, and its promise continuations (Lit\'s update cycle, `send`, `#run`, `callApi`) take more of the main thread.',
  '',
);
if (requests.ratio > TARGET.ratio) {
  out(
    `Target ≤ ${TARGET.ratio}: **missed by ${num((requests.ratio - TARGET.ratio) * 100, 1)} points** on loopback. What I would change (not done: src/ is not the`,
    'benchmark\'s to edit): leave `loading`/`aria-busy` alone for a request that settles within a frame (set them from a',
    '`requestAnimationFrame` or a short timer that the answer cancels), so a fast request renders no frame; skip',
    '`render()` and the `#params()` DOM queries when the element has no `<template>` and no `param-`/`data-param` inputs',
    '(known on connect and on child changes); and let a GET nobody shares skip `callApi`\'s in-flight map, its extra',
    'Promise and abort listeners.',
    '',
  );
}

// 4. Scale
const s = scaled;
const scaleRow = (label, r) => `| ${label} | ${spread(r.done, 'ms', 0)} | ${spread(r.painted, 'ms', 0)} | ${mb(r.peakHeap.median)} | ${mb(r.retained.median)} | ${r.storeReads.min}–${r.storeReads.max} | ${r.apiRequests.min}–${r.apiRequests.max} | ${r.silent.min}–${r.silent.max} |`;
out(
  '## 4. Scale on one page',
  '',
  `Each case is a fresh page load in a tab that has just signed in (session storage), ${N.scale.runs} runs after ${N.scale.warmup} warm-up run(s);`,
  'times from navigation start. Peak heap: `performance.memory.usedJSHeapSize` sampled every 5 ms and at the last answer',
  '(`--enable-precise-memory-info`); retained: after a forced garbage collection (CDP HeapProfiler.collectGarbage). Token reads:',
  'calls of `Storage.prototype.getItem` for keys starting with `auth-elements:store:` (wrapped in an init script), top page only.',
  '',
  '| case | all answered | next frame painted | peak JS heap | retained JS heap | token reads | API requests | silent renewals (prompt=none) |',
  '|---|---|---|---:|---:|---:|---:|---:|',
  scaleRow(`${num(N.scale.n)} \`<auth-fetch auto>\`, same URL (one shared GET)`, s.shared),
  scaleRow(`${num(N.scale.n)} \`<auth-fetch auto>\`, distinct URLs (${num(N.scale.n)} GETs over HTTP/1.1)`, s.distinct),
  scaleRow(`${num(N.scale.n)} \`<auth-fetch auto>\`, same URL, token expiring in 30 s (\`<auth-login auto-renew>\`)`, s.expiring),
  scaleRow('10,000 rows from one `<template>` (one `<auth-fetch auto>`)', s.rows),
  `| the same page with no \`<auth-fetch>\` (baseline) | | | | ${mb(s.baseline.retained.median)} | ${s.baseline.storeReads.min}–${s.baseline.storeReads.max} | | |`,
  '',
  `10,000 rows: ${spread(s.rows.render, 'ms', 0)} from the answer's last byte to the rows in the DOM (reading and parsing the JSON, filling`,
  `the template), ${s.rows.rowCount.min === 10000 ? '10,000 rows checked' : `only ${s.rows.rowCount.min} rows`}. Renewals with the token about to expire: ${renewals.min}–${renewals.max} (target one: ${renewals.max <= 1 && renewals.min >= 1 ? '**met**' : '**missed**'}).`,
  '',
);
if (s.expiring.storeReads.max > 1) {
  out(
    `Token reads with the token about to expire: ${s.expiring.storeReads.min}–${s.expiring.storeReads.max} instead of one. Each \`<auth-fetch>\` asks the store's`,
    'renewer before its request; every call queues for the Web Lock and, once it holds it, reloads the store from storage',
    '(`store.reload()`, to take a session another tab renewed) before finding the renewal already done. What I would change:',
    'share one renewal promise per store in the tab (callers that arrive while it runs await it and never queue for the',
    'lock), so only the first caller reads storage.',
    '',
  );
}

// 5. Start-up
const b0 = boot.times['auth-elements'];
out(
  '## 5. Start-up',
  '',
  `Parse, compile and evaluate of each bundle: \`performance.now()\` around a dynamic \`import()\` of a blob: URL holding the`,
  `bundle's code (no network; a unique comment each time keeps V8 from reusing a compilation), on a fresh page load each`,
  `time, bundles in turn, ${boot.loads} loads each after ${N.startup.warmup} warm-up loads (page ${boot.isolated ? 'cross-origin isolated, 5 µs timers' : 'not isolated'}). Ours defines its five`,
  'elements when evaluated; the others only define their exports (nothing is called).',
  '',
  '| bundle | median (min–max) | vs ours |',
  '|---|---|---:|',
  ...Object.entries(boot.times).map(([id, t]) => `| ${size[id].label} | ${spread(t, 'ms', 2)} | ${id === 'auth-elements' ? '' : `×${num(t.median / b0.median, 2)}`} |`),
  '',
  `Ours against auth0-js: ${ms(b0.median)} against ${ms(boot.times['auth0-js'].median)} (×${num(startupRatio, 2)}).`,
  '',
);

out(
  '## Not measured',
  '',
  '- Anything against a real Auth0 tenant or another remote provider (no network here); the provider is a loopback stand-in',
  '  that answers /authorize at once, so sign-in round trips through a login page are not part of any figure.',
  '- The other libraries\' callback cost, request overhead and scale: oidc-client-ts and auth0-spa-js have no implicit grant',
  '  (code + PKCE only) and none has a declarative fetch element, so only size and start-up are compared side by side.',
  '',
);

const report = lines.join('\n');
process.stdout.write(`${report}\n`);
if (!quick) {
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), `${report.trimEnd()}\n`);
  log(`wrote BENCHMARKS.md (${num(seconds, 0)} s)`);
} else {
  log(`--quick: BENCHMARKS.md left as it is (${num(seconds, 0)} s)`);
}

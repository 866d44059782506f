// The benchmark pages, served by scripts/bench/server.mjs on the pages origin. Tags and a script, plus one inline
// classic script (first in the head) that records the events with performance.now() (milliseconds since the
// navigation started) and samples the JS heap. Every page that loads our code takes `?bundle=lib` (esbuild) or
// `?bundle=rollup` to load lib/ as a bundler user's app would have it (scripts/bench/sizes.mjs bundleLib) instead of
// dist/ (the CDN entry).
import { PEERS } from './sizes.mjs';

/**
 * Where a page loads our code from: the tags (`page`), the whole API (`api`, for the benchmark's own calls), and the
 * signed-out page's own app (`signedOut`: its three tags alone, scripts/bench/sizes.mjs SIGNED_OUT_APP; dist/ has
 * one entry for every page).
 */
export const OURS = {
  dist: { page: '/dist/auth-elements.js', api: '/dist/auth-elements.js', signedOut: '/dist/auth-elements.js' },
  lib: { page: '/lib-bundle/page.js', api: '/lib-bundle/api.js', signedOut: '/lib-bundle/signed-out/signed-out.js' },
  rollup: { page: '/lib-rollup/page.js', api: '/lib-rollup/api.js', signedOut: '/lib-rollup/signed-out/signed-out.js' },
};

/**
 * Records what the benchmark reads back: first auth-signed-in, errors, auth-response count and time of the n-th
 * (`expected`). Peer pages set signedIn/done themselves, with the same console messages.
 */
const RECORDER = `<script>
window.__bench = { signedIn: null, errors: [], errorAt: null, responses: 0, expected: Infinity, done: null, painted: null, peakHeap: 0 };
(() => {
  const b = window.__bench;
  const heap = () => { const used = performance.memory?.usedJSHeapSize ?? 0; if (used > b.peakHeap) b.peakHeap = used; };
  // Pages that wait for n answers sample the JS heap every 5 ms (only then: the sampling costs time too).
  b.watch = (n, sample = true) => { b.expected = n; if (sample) { heap(); setInterval(heap, 5); } };
  // The benchmark hears of these through console messages, so it never polls the page while it is being measured.
  b.signal = (what) => console.debug('bench:' + what);
  document.addEventListener('auth-signed-in', () => {
    if (b.signedIn !== null) return;
    b.signedIn = performance.now();
    b.signal('signed-in');
  }, true);
  document.addEventListener('auth-error', (event) => {
    if (b.errorAt === null) b.errorAt = performance.now();
    if (b.errors.length < 20) b.errors.push(event.detail);
    b.signal('error');
  }, true);
  document.addEventListener('auth-response', () => {
    if (++b.responses !== b.expected) return;
    b.done = performance.now();
    heap();
    b.signal('answered');
    // The next frame after the last answer: style, layout and paint of what it rendered.
    requestAnimationFrame(() => setTimeout(() => {
      b.painted = performance.now();
      b.signal('painted');
    }));
  }, true);
})();
</script>`;

function html(title, body, { head = '', src } = {}) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
${RECORDER}
${head}${src ? `<script type="module" src="${src}"></script>\n` : ''}</head>
<body>
${body}
</body>
</html>
`;
}

/** What a peer's page is given: its provider, client and redirect (the provider knows these clients: server.mjs). */
export function peerConfig(urls, id) {
  return {
    provider: urls.provider,
    // auth0-spa-js wants its domain's URL with a trailing slash as the issuer; the provider signs it so for that client.
    issuer: id === 'auth0-spa-js' ? `${urls.provider}/` : urls.provider,
    clientId: `bench-${id}`,
    redirectUri: `${urls.pages}/cb/${id}.html`,
    scope: 'openid profile read',
    api: urls.api,
  };
}

/**
 * A peer's callback page: the same work as ours (handle the response: validate, store; then one API call with the
 * bearer token) in a module script importing its bundle. Without a response in the URL it only offers the sign-in
 * (`__signIn`), which the benchmark calls.
 */
function peerPage(urls, id) {
  const config = peerConfig(urls, id);
  return html(id, '', {
    head: `<script type="module">
import * as lib from '/bundles/${id}.js';
const config = ${JSON.stringify(config)};
const b = window.__bench;
window.__lib = lib;
window.__config = config;
if (/[?&#](code|state|access_token|id_token)=/.test(location.href)) {
  try {
    const { client, accessToken } = await lib.callback(config);
    b.signedIn = performance.now();
    b.signal('signed-in');
    const response = await fetch(config.api + '/api/ping', { headers: { Authorization: 'Bearer ' + accessToken } });
    if (!response.ok) throw new Error('API: ' + response.status);
    await response.json();
    b.done = performance.now();
    window.__client = client;
    b.signal('answered');
  } catch (error) {
    b.errors.push(String(error?.message ?? error));
    b.signal('error');
  }
} else {
  window.__signIn = () => lib.signIn(config);
}
</script>
`,
  });
}

/** The pages, by path; `urls` are the servers' origins. */
export function benchPages(urls, clientId) {
  const ours = (url) => (Object.hasOwn(OURS, url.searchParams.get('bundle')) ? OURS[url.searchParams.get('bundle')] : OURS.dist);
  const login = (extra = '') =>
    `<auth-login issuer="${urls.provider}" client-id="${clientId}" scope="openid profile read" allowed-origins="${urls.api}" silent-redirect-uri="/silent.html"${extra}></auth-login>`;
  const pages = {
    // Where the benchmark waits between two loads.
    '/blank.html': { html: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body></body></html>' },
    // Our callback page in the side-by-side: <auth-callback> handles the response, one <auth-fetch auto> calls the API.
    '/cb/ours.html': (url) => ({ isolated: true, html: html('callback', `<auth-callback></auth-callback>\n<auth-fetch auto url="${urls.api}/api/ping"></auth-fetch>`, { head: '<script>window.__bench.watch(1, false);</script>\n', src: ours(url).page }) }),
    // The request-overhead page: one <auth-fetch> driven by send(), and plain fetch next to it.
    '/req.html': { isolated: true, html: html('requests', `<auth-callback></auth-callback>\n<auth-fetch id="f" url="${urls.api}/api/ping"></auth-fetch>`, { src: OURS.dist.page }) },
    // Where the scale pages sign in first (same tab, so the same sessionStorage).
    '/app.html': (url) => ({ html: html('app', `<auth-callback></auth-callback>\n${login()}`, { src: ours(url).page }) }),
    // The silent sign-in's answer page, in the hidden iframe.
    '/silent.html': { html: html('silent', '<auth-callback></auth-callback>', { src: OURS.dist.page }) },
    // n <auth-fetch auto> sharing the default store and one GET; `inert`: the same tags under a name nobody defines
    // (what n such elements cost the DOM alone).
    '/scale.html': (url) => {
      const n = Number(url.searchParams.get('n') ?? 1000);
      const tag = url.searchParams.has('inert') ? 'inert-fetch' : 'auth-fetch';
      const fetches = Array.from({ length: n }, () => `<${tag} auto url="${urls.api}/api/item"></${tag}>`).join('\n');
      return { html: html('scale', `${login(' auto-renew')}\n${fetches}`, { head: `<script>window.__bench.watch(${url.searchParams.has('inert') ? 0 : n});</script>\n`, src: ours(url).page }) };
    },
    // A callback page with n <auth-fetch> that wait to be sent (not automatic).
    '/cb-many.html': (url) => {
      const n = Number(url.searchParams.get('n') ?? 10_000);
      const fetches = Array.from({ length: n }, (_, i) => `<auth-fetch url="${urls.api}/api/item?i=${i}"></auth-fetch>`).join('\n');
      return { html: html('callback, many', `<auth-callback></auth-callback>\n${fetches}`, { src: ours(url).page }) };
    },
    // Start-up: our tags, signed out, no script (the benchmark imports it); the peers' page is empty.
    '/startup.html': { isolated: true, html: html('start-up', `${login()}\n<auth-callback></auth-callback>\n<auth-fetch auto url="${urls.api}/api/ping"></auth-fetch>`) },
    // The feature sets of the size table: what each page loads.
    // (a) signed out: sign-in, callback and an automatic fetch of the implicit grant, no template; `&app` loads the
    // page's own app (its three tags alone) instead of the tags of auth-elements/define.
    '/features/signed-out.html': (url) => ({ html: html('signed out', `${login()}\n<auth-callback></auth-callback>\n<auth-fetch auto url="${urls.api}/api/ping"></auth-fetch>`, { src: ours(url)[url.searchParams.has('app') ? 'signedOut' : 'page'] }) }),
    // (b) and (d) the redirect page handling an implicit response, or a code to exchange (code + PKCE).
    '/features/callback.html': (url) => ({ html: html('callback', '<auth-callback></auth-callback>', { src: ours(url).page }) }),
    // (c) signed in: <auth-user>, an <auth-fetch> with a <template>.
    '/features/signed-in.html': (url) => ({
      html: html('signed in', `${login()}
<auth-user></auth-user>
<auth-fetch auto url="${urls.api}/api/ping"><ul><template><li data-field="title"></li></template></ul></auth-fetch>`, { head: '<script>window.__bench.watch(1, false);</script>\n', src: ours(url).page }),
    }),
  };
  for (const { id } of PEERS) pages[`/cb/${id}.html`] = { isolated: true, html: peerPage(urls, id) };
  return pages;
}

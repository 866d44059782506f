// The benchmark pages, served by scripts/bench/server.mjs on the pages origin. Tags and the bundle, plus one inline
// classic script (before the bundle) that records the events with performance.now() (milliseconds since the
// navigation started) and samples the JS heap.

/** Records what the benchmark reads back: first auth-signed-in, errors, auth-response count and time of the n-th. */
const RECORDER = `<script>
window.__bench = { signedIn: null, errors: [], responses: 0, expected: Infinity, done: null, painted: null, peakHeap: 0 };
(() => {
  const b = window.__bench;
  const heap = () => { const used = performance.memory?.usedJSHeapSize ?? 0; if (used > b.peakHeap) b.peakHeap = used; };
  // Pages that wait for n answers sample the JS heap every 5 ms (only then: the sampling costs time too).
  b.watch = (n) => { b.expected = n; heap(); setInterval(heap, 5); };
  // The benchmark hears of these through console messages, so it never polls the page while it is being measured.
  document.addEventListener('auth-signed-in', () => {
    if (b.signedIn !== null) return;
    b.signedIn = performance.now();
    console.debug('bench:signed-in');
  }, true);
  document.addEventListener('auth-error', (event) => {
    if (b.errors.length < 20) b.errors.push(event.detail);
    console.debug('bench:error');
  }, true);
  document.addEventListener('auth-response', () => {
    if (++b.responses !== b.expected) return;
    b.done = performance.now();
    heap();
    // The next frame after the last answer: style, layout and paint of what it rendered.
    requestAnimationFrame(() => setTimeout(() => {
      b.painted = performance.now();
      console.debug('bench:painted');
    }));
  }, true);
})();
</script>`;

function html(title, body, head = '', src = '/auth-elements.js') {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
${RECORDER}
${head}<script type="module" src="${src}"></script>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The pages, by path; `urls` are the servers' origins. */
export function benchPages(urls, clientId) {
  const login = (extra = '') =>
    `<auth-login issuer="${urls.provider}" client-id="${clientId}" scope="openid profile read" allowed-origins="${urls.api}" silent-redirect-uri="/silent.html"${extra}></auth-login>`;
  return {
    // The redirect page of the callback benchmark (cross-origin isolated: 5 µs timers).
    '/cb.html': { isolated: true, html: html('callback', '<auth-callback></auth-callback>') },
    // The request-overhead page: one <auth-fetch> driven by send(), and plain fetch next to it.
    '/req.html': { isolated: true, html: html('requests', `<auth-callback></auth-callback>\n<auth-fetch id="f" url="${urls.api}/api/ping"></auth-fetch>`) },
    // The same with the unminified bundle, for the profile of where a request's overhead goes.
    '/req-debug.html': { isolated: true, html: html('requests (profile)', `<auth-callback></auth-callback>\n<auth-fetch id="f" url="${urls.api}/api/ping"></auth-fetch>`, '', '/auth-elements.debug.js') },
    // Where the scale pages sign in first (same tab, so the same sessionStorage).
    '/app.html': { html: html('app', `<auth-callback></auth-callback>\n${login()}`) },
    // The silent sign-in's answer page, in the hidden iframe.
    '/silent.html': { html: html('silent', '<auth-callback></auth-callback>') },
    // n <auth-fetch auto> sharing the default store; `distinct` gives each its own URL (no shared GET).
    '/scale.html': (url) => {
      const n = Number(url.searchParams.get('n') ?? 1000);
      const distinct = url.searchParams.has('distinct');
      const fetches = Array.from({ length: n }, (_, i) => `<auth-fetch auto url="${urls.api}/api/item${distinct ? `?i=${i}` : ''}"></auth-fetch>`).join('\n');
      return { html: html('scale', `${login(' auto-renew')}\n${fetches}`, `<script>window.__bench.watch(${n});</script>\n`) };
    },
    // 10,000 rows from one <template>.
    '/rows.html': {
      html: html('rows', `${login()}
<auth-fetch auto url="${urls.api}/api/rows">
  <table><tbody><template><tr><td data-field="id"></td><td data-field="name"></td><td><a data-field="email" data-attr-href="email"></a></td></tr></template></tbody></table>
</auth-fetch>`, '<script>window.__bench.watch(1);</script>\n'),
    },
    // Start-up: an empty page importing one bundle at a time (cross-origin isolated: 5 µs timers).
    '/startup.html': { isolated: true, html: '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>start-up</title></head><body></body></html>' },
  };
}

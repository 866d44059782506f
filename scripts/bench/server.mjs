// The benchmark's own loopback servers, three origins on 127.0.0.1 (free ports):
//   pages    the benchmark pages, the bundle under test and the other bundles (start-up benchmark)
//   provider a minimal OpenID provider for the implicit grant: discovery, JWKS, and /authorize answering at once
//            (no login page) with an ID token and a JWT access token signed RS256 with jose for the request's nonce;
//            it counts JWKS requests and prompt=none (silent) requests
//   api      CORS and a bearer check (the token must be one the provider issued, unexpired), small JSON answers and
//            a 10,000-item list; it counts requests
// Nothing here is a real provider: it exists to measure the browser side under controlled, repeatable conditions.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const CLIENT_ID = 'bench-client';
const HOST = '127.0.0.1';

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve(`http://${HOST}:${server.address().port}`));
  });
}

function close(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const base64url = (buffer) => Buffer.from(buffer).toString('base64url');

/** `at_hash` for RS256: the left half of SHA-256 of the access token (OpenID Connect Core 3.2.2.9). */
function atHash(accessToken) {
  return base64url(createHash('sha256').update(accessToken).digest().subarray(0, 16));
}

/** Headers that make a page cross-origin isolated (finer performance.now(), 5 µs instead of 100 µs). */
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * Starts the three servers. `pages` maps a path to `{ html, isolated? }` or a function of the URL giving one;
 * `bundleFile` is served at /auth-elements.js, `debugBundleFile` (unminified, for profiles) at
 * /auth-elements.debug.js, and `bundles` maps a name to a file served at /bundles/<name>.js.
 */
export async function startServers({ pages, bundleFile, debugBundleFile, bundles = {} }) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-key', alg: 'RS256', use: 'sig' };
  const counts = { jwks: 0, discovery: 0, authorize: 0, silent: 0, api: 0, apiUnauthorized: 0, preflight: 0 };
  /** Settings the benchmark changes between runs. */
  const settings = { cacheKeys: false, ttl: 3600, silentTtl: 3600 };
  /** Access tokens issued, with their expiry (ms). */
  const issued = new Map();
  const urls = {};
  const bundleCode = () => readFileSync(bundleFile);
  const rows = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, name: `Row ${i + 1}`, email: `user${i + 1}@example.com` })));

  /** Signs an ID token and a JWT access token for `nonce` (what /authorize issues, also used by the benchmark directly). */
  async function issueTokens({ nonce, ttl = settings.ttl, scope = 'openid profile read' }) {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({ scope, client_id: CLIENT_ID, jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' })
      .setIssuer(urls.provider).setSubject('user-1').setAudience(urls.api).setIssuedAt(now).setExpirationTime(now + ttl)
      .sign(privateKey);
    issued.set(accessToken, (now + ttl) * 1000);
    const idToken = await new SignJWT({ nonce, at_hash: atHash(accessToken), name: 'Ada Lovelace', email: 'ada@example.com' })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
      .setIssuer(urls.provider).setSubject('user-1').setAudience(CLIENT_ID).setIssuedAt(now).setExpirationTime(now + 3600)
      .sign(privateKey);
    return { accessToken, idToken, ttl, scope };
  }

  /** The implicit response fragment (without `#`). */
  function fragment({ accessToken, idToken, ttl, scope }, state) {
    return new URLSearchParams({ access_token: accessToken, token_type: 'Bearer', expires_in: String(ttl), id_token: idToken, scope, state }).toString();
  }

  const pagesServer = createServer((req, res) => {
    const url = new URL(req.url, urls.pages);
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (url.pathname === '/auth-elements.js') {
      // The page's own bundle: cached like a deployed static asset, so repeated loads measure the page, not the disk.
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'max-age=3600', 'Cross-Origin-Resource-Policy': 'same-origin' });
      return res.end(bundleCode());
    }
    if (url.pathname === '/auth-elements.debug.js' && debugBundleFile) {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store', 'Cross-Origin-Resource-Policy': 'same-origin' });
      return res.end(readFileSync(debugBundleFile));
    }
    const bundle = /^\/bundles\/([\w-]+)\.js$/.exec(url.pathname)?.[1];
    if (bundle && bundles[bundle]) {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': 'no-store' });
      return res.end(readFileSync(bundles[bundle]));
    }
    const entry = pages[url.pathname];
    const page = typeof entry === 'function' ? entry(url) : entry;
    if (!page) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      return res.end('not found');
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...(page.isolated ? ISOLATED : {}) });
    res.end(page.html);
  });

  const providerServer = createServer(async (req, res) => {
    const url = new URL(req.url, urls.provider);
    // Discovery and JWKS are fetched with CORS, without credentials.
    const cors = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin', 'Timing-Allow-Origin': '*' };
    const cache = settings.cacheKeys ? 'public, max-age=600' : 'no-store';
    if (url.pathname === '/.well-known/openid-configuration') {
      counts.discovery++;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': cache, ...cors });
      return res.end(JSON.stringify({
        issuer: urls.provider,
        authorization_endpoint: `${urls.provider}/authorize`,
        jwks_uri: `${urls.provider}/jwks`,
        response_types_supported: ['id_token token', 'id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }));
    }
    if (url.pathname === '/jwks') {
      counts.jwks++;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': cache, ...cors });
      return res.end(JSON.stringify({ keys: [jwk] }));
    }
    if (url.pathname === '/authorize') {
      counts.authorize++;
      const q = url.searchParams;
      const silent = q.get('prompt') === 'none';
      if (silent) counts.silent++;
      const redirect = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== CLIENT_ID || !redirect.startsWith(`${urls.pages}/`) || !q.get('nonce') || !q.get('state')) {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        return res.end('bad authorization request');
      }
      const tokens = await issueTokens({ nonce: q.get('nonce'), ttl: silent ? settings.silentTtl : settings.ttl, scope: q.get('scope') ?? 'openid' });
      res.writeHead(302, { Location: `${redirect}#${fragment(tokens, q.get('state'))}`, 'Cache-Control': 'no-store' });
      return res.end();
    }
    res.writeHead(404, cors);
    res.end();
  });

  const apiServer = createServer((req, res) => {
    const url = new URL(req.url, urls.api);
    const cors = {
      'Access-Control-Allow-Origin': urls.pages,
      'Access-Control-Allow-Headers': 'authorization, content-type',
      'Access-Control-Allow-Methods': 'GET, POST',
      // Preflights are cached: both sides of the request benchmark send the same Authorization header.
      'Access-Control-Max-Age': '600',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Timing-Allow-Origin': urls.pages,
      Vary: 'Origin',
    };
    if (req.method === 'OPTIONS') {
      counts.preflight++;
      res.writeHead(204, cors);
      return res.end();
    }
    counts.api++;
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = token && issued.get(token);
    if (!expiry || expiry <= Date.now()) {
      counts.apiUnauthorized++;
      res.writeHead(401, { ...cors, 'WWW-Authenticate': 'Bearer error="invalid_token"', 'Access-Control-Expose-Headers': 'WWW-Authenticate' });
      return res.end();
    }
    const json = (body) => {
      res.writeHead(200, { ...cors, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (url.pathname === '/api/ping') return json('{"ok":true,"items":[{"id":1,"title":"Dentist"}]}');
    if (url.pathname === '/api/item') return json(JSON.stringify({ id: Number(url.searchParams.get('i') ?? 0), title: 'Dentist' }));
    if (url.pathname === '/api/rows') return json(rows);
    res.writeHead(404, cors);
    res.end();
  });

  urls.pages = await listen(pagesServer);
  urls.provider = await listen(providerServer);
  urls.api = await listen(apiServer);

  return {
    urls,
    counts,
    settings,
    issueTokens,
    fragment,
    bundleName: basename(bundleFile),
    resetCounts() {
      for (const key of Object.keys(counts)) counts[key] = 0;
    },
    async close() {
      await Promise.all([close(pagesServer), close(providerServer), close(apiServer)]);
    },
  };
}

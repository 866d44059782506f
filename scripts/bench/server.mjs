// The benchmark's own loopback servers, three origins on 127.0.0.1 (free ports):
//   pages    the benchmark pages; dist/ as built (/dist/…: the CDN entry and whatever chunks sit beside it), the
//            bundles of this run (/bundles/<name>.js: the peers' entries) and our lib/ bundled for bundler users
//            (/lib-bundle/…: esbuild, /lib-rollup/…: Rollup; entry + chunks)
//   provider a minimal OpenID provider: discovery, JWKS, /authorize answering at once (no login page) with an ID
//            token and a JWT access token signed RS256 with jose for the request's nonce (implicit), or with a code
//            that /token exchanges for them once the PKCE verifier matches (code + PKCE); it counts JWKS, silent
//            (prompt=none), authorize and token requests. `settings.hold` makes /authorize answer 204 (the page
//            stays where it is) and hand its redirect to the benchmark, which then loads it as a fresh navigation
//   api      CORS and a bearer check (the token must be one the provider issued, unexpired), small JSON answers and
//            a 10,000-item list; it counts requests
// Nothing here is a real provider: it exists to measure the browser side under controlled, repeatable conditions.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, normalize, sep } from 'node:path';
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

/**
 * The clients the provider knows, by client_id, with the issuer their ID tokens carry: auth0-spa-js expects its
 * domain with a trailing slash (`http://127.0.0.1:port/`), every other library the discovery document's issuer.
 */
export const CLIENTS = {
  [CLIENT_ID]: {},
  'bench-auth0-js': {},
  'bench-keycloak-js': {},
  'bench-oidc-client-ts': {},
  'bench-auth0-spa-js': { trailingSlash: true },
};

/** Files under `root` by URL path (no `..`), or undefined. */
function fileUnder(root, path) {
  if (!root) return undefined;
  const file = normalize(join(root, decodeURIComponent(path)));
  return file.startsWith(normalize(root) + sep) && existsSync(file) && statSync(file).isFile() ? file : undefined;
}

/** Headers that make a page cross-origin isolated (finer performance.now(), 5 µs instead of 100 µs). */
const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * Starts the three servers. `pages` maps a path to `{ html, isolated? }` or a function of the URL giving one;
 * `distDir` is served under /dist/, `libBundleDir` under /lib-bundle/, `rollupBundleDir` under /lib-rollup/, and
 * `bundles` maps a name to a file served at /bundles/<name>.js.
 */
export async function startServers({ pages, distDir, libBundleDir, rollupBundleDir, bundles = {} }) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-key', alg: 'RS256', use: 'sig' };
  const counts = { jwks: 0, discovery: 0, authorize: 0, silent: 0, token: 0, api: 0, apiUnauthorized: 0, preflight: 0 };
  /**
   * Settings the benchmark changes between runs. `scripts`: Cache-Control of every script (cached like a deployed
   * static asset by default); `bust`: a comment appended to every script so that V8 cannot reuse a compilation.
   */
  const settings = { cacheKeys: false, ttl: 3600, silentTtl: 3600, hold: false, scripts: 'max-age=3600', bust: '' };
  /** The held /authorize redirects, oldest first, and who waits for the next one. */
  const held = [];
  let waiting = null;
  /** Codes issued by /authorize (code flow), single use. */
  const codes = new Map();
  /** Access tokens issued, with their expiry (ms). */
  const issued = new Map();
  const urls = {};
  const rows = JSON.stringify(Array.from({ length: 10_000 }, (_, i) => ({ id: i + 1, name: `Row ${i + 1}`, email: `user${i + 1}@example.com` })));

  /** Signs an ID token and a JWT access token for `nonce` (what /authorize issues, also used by the benchmark directly). */
  async function issueTokens({ nonce, ttl = settings.ttl, scope = 'openid profile read', clientId = CLIENT_ID }) {
    const now = Math.floor(Date.now() / 1000);
    const issuer = CLIENTS[clientId]?.trailingSlash ? `${urls.provider}/` : urls.provider;
    // The nonce in the access token too: keycloak-js compares the nonce of every token it parses.
    const accessToken = await new SignJWT({ scope, client_id: clientId, jti: randomUUID(), ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' })
      .setIssuer(issuer).setSubject('user-1').setAudience(urls.api).setIssuedAt(now).setExpirationTime(now + ttl)
      .sign(privateKey);
    issued.set(accessToken, (now + ttl) * 1000);
    const idToken = await new SignJWT({ ...(nonce ? { nonce } : {}), at_hash: atHash(accessToken), name: 'Ada Lovelace', email: 'ada@example.com' })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
      .setIssuer(issuer).setSubject('user-1').setAudience(clientId).setIssuedAt(now).setExpirationTime(now + 3600)
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
    // Every script the same way, ours and theirs: dist/ as built, lib/ bundled, the peers' bundles.
    const bundle = /^\/bundles\/([\w-]+)\.js$/.exec(url.pathname)?.[1];
    const script = (bundle && bundles[bundle])
      || (url.pathname.startsWith('/dist/') && fileUnder(distDir, url.pathname.slice('/dist/'.length)))
      || (url.pathname.startsWith('/lib-bundle/') && fileUnder(libBundleDir, url.pathname.slice('/lib-bundle/'.length)))
      || (url.pathname.startsWith('/lib-rollup/') && rollupBundleDir && fileUnder(rollupBundleDir, url.pathname.slice('/lib-rollup/'.length)));
    if (script && script.endsWith('.js')) {
      res.writeHead(200, { 'Content-Type': 'text/javascript', 'Cache-Control': settings.scripts, 'Cross-Origin-Resource-Policy': 'same-origin' });
      return res.end(settings.bust ? `${readFileSync(script, 'utf8')}\n//# ${settings.bust}\n` : readFileSync(script));
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
        token_endpoint: `${urls.provider}/token`,
        jwks_uri: `${urls.provider}/jwks`,
        response_types_supported: ['id_token token', 'id_token', 'code'],
        code_challenge_methods_supported: ['S256'],
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
      const clientId = q.get('client_id');
      const code = q.get('response_type') === 'code';
      if (!(clientId in CLIENTS) || !redirect.startsWith(`${urls.pages}/`) || !q.get('state') || (!code && !q.get('nonce'))
        || (code && (q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')))) {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        return res.end('bad authorization request');
      }
      const ttl = silent ? settings.silentTtl : settings.ttl;
      let location;
      if (code) {
        // Code + PKCE: a code bound to the request, exchanged at /token (RFC 6749 4.1.2).
        const value = randomUUID();
        codes.set(value, { clientId, redirect, challenge: q.get('code_challenge'), nonce: q.get('nonce'), scope: q.get('scope') ?? 'openid', ttl });
        const answer = new URLSearchParams({ code: value, state: q.get('state') });
        // In the query by default; in the fragment when asked (response_mode=fragment, as auth-elements asks).
        location = q.get('response_mode') === 'fragment' ? `${redirect}#${answer}` : `${redirect}${redirect.includes('?') ? '&' : '?'}${answer}`;
      } else {
        const tokens = await issueTokens({ nonce: q.get('nonce'), ttl, scope: q.get('scope') ?? 'openid', clientId });
        location = `${redirect}#${fragment(tokens, q.get('state'))}`;
      }
      if (settings.hold && !silent) {
        // The benchmark loads the redirect itself; 204 leaves the page where it is.
        if (waiting) waiting(location);
        else held.push(location);
        waiting = null;
        res.writeHead(204, { 'Cache-Control': 'no-store' });
        return res.end();
      }
      res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
      return res.end();
    }
    if (url.pathname === '/token' || url.pathname === '/oauth/token') {
      // /oauth/token is where auth0-spa-js sends it (it derives its endpoints from the domain, no discovery).
      const tokenCors = { ...cors, 'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'content-type', 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Max-Age': '600' };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, tokenCors);
        return res.end();
      }
      counts.token++;
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = (req.headers['content-type'] ?? '').includes('json') ? new URLSearchParams(JSON.parse(body)) : new URLSearchParams(body);
      const grant = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      const verifier = form.get('code_verifier') ?? '';
      const challenge = base64url(createHash('sha256').update(verifier).digest());
      if (form.get('grant_type') !== 'authorization_code' || !grant || grant.clientId !== form.get('client_id') || grant.redirect !== form.get('redirect_uri') || grant.challenge !== challenge) {
        res.writeHead(400, { ...tokenCors, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        return res.end('{"error":"invalid_grant"}');
      }
      const tokens = await issueTokens({ nonce: grant.nonce, ttl: grant.ttl, scope: grant.scope, clientId: grant.clientId });
      res.writeHead(200, { ...tokenCors, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return res.end(JSON.stringify({ access_token: tokens.accessToken, id_token: tokens.idToken, token_type: 'Bearer', expires_in: tokens.ttl, scope: tokens.scope }));
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
    /** The next held /authorize redirect (with `settings.hold`). */
    nextRedirect(timeout = 30_000) {
      if (held.length) return Promise.resolve(held.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no /authorize request came')), timeout);
        waiting = (location) => {
          clearTimeout(timer);
          resolve(location);
        };
      });
    },
    resetCounts() {
      for (const key of Object.keys(counts)) counts[key] = 0;
    },
    async close() {
      await Promise.all([close(pagesServer), close(providerServer), close(apiServer)]);
    },
  };
}

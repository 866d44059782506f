// The demo OpenID provider (demo/server/provider.mjs), run with `node --test "test/demo/*.test.mjs"`: its configuration as the
// library's elements see it, over HTTP, with the implicit flow driven by fetch and a cookie jar.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { startProvider } from '../../demo/server/provider.mjs';
import { CookieJar, authorizeUrl, csrfOf, implicitFlow, request } from './implicit-flow.mjs';

const CLIENT_ORIGIN = 'http://localhost:8000';
const AUDIENCE = 'http://localhost:7001';

let op;
let discovery;

before(async () => {
  op = await startProvider({ port: 0, clientOrigin: CLIENT_ORIGIN, apiAudience: AUDIENCE });
  discovery = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
});

after(() => op?.close());

/** Starts a flow in a new browser and returns the login page's URL, HTML and the jar. */
async function openLoginPage(params = {}) {
  const jar = new CookieJar();
  const start = await request(jar, authorizeUrl(op.issuer, { redirect_uri: `${CLIENT_ORIGIN}/callback.html`, ...params }));
  assert.equal(start.status, 303);
  const location = new URL(start.headers.get('location'), op.issuer);
  const page = await request(jar, location);
  return { jar, location, page, html: await page.text() };
}

describe('discovery and keys', () => {
  test('the issuer is http://localhost:<port> and discovery says so', () => {
    assert.match(op.issuer, /^http:\/\/localhost:\d+$/);
    assert.equal(op.url, op.issuer);
    assert.equal(discovery.issuer, op.issuer);
    assert.deepEqual(discovery.response_types_supported, ['id_token token', 'id_token', 'code']);
    assert.equal(discovery.token_endpoint, `${op.issuer}/token`);
    assert.deepEqual(discovery.code_challenge_methods_supported, ['S256']);
    assert.ok(['implicit', 'authorization_code', 'refresh_token'].every((grant) => discovery.grant_types_supported.includes(grant)));
    assert.equal(discovery.end_session_endpoint, `${op.issuer}/session/end`);
    assert.ok(discovery.id_token_signing_alg_values_supported.includes('RS256'));
  });

  test('discovery and the JWKS are readable from the demo pages’ origin (CORS)', async () => {
    for (const url of [`${op.issuer}/.well-known/openid-configuration`, discovery.jwks_uri]) {
      const response = await fetch(url, { headers: { origin: CLIENT_ORIGIN } });
      assert.equal(response.status, 200, url);
      assert.equal(response.headers.get('access-control-allow-origin'), CLIENT_ORIGIN, url);
    }
  });

  test('the JWKS has public RS256, ES256 and EdDSA (Ed25519) signing keys with kid', async () => {
    const { keys } = await (await fetch(discovery.jwks_uri)).json();
    assert.deepEqual(keys.map((key) => key.alg).sort(), ['ES256', 'EdDSA', 'RS256']);
    assert.equal(keys.find((key) => key.alg === 'EdDSA').crv, 'Ed25519');
    for (const key of keys) {
      assert.equal(key.use, 'sig');
      assert.ok(key.kid);
      assert.equal(key.d, undefined, 'no private parts');
    }
  });
});

describe('implicit flow', () => {
  test('id_token token: a signed ID token with name and email, and a JWT access token for the API', async () => {
    const { response, pages } = await implicitFlow({
      issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, params: { nonce: 'nonce-1', state: 'state-1' },
    });
    assert.deepEqual(pages, ['login', 'consent']);
    assert.equal(response.get('state'), 'state-1');
    assert.equal(response.get('token_type'), 'Bearer');
    assert.equal(response.get('expires_in'), '3600');

    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload: idToken } = await jwtVerify(response.get('id_token'), jwks, { issuer: op.issuer, audience: 'auth-elements-demo' });
    assert.equal(idToken.sub, 'ada');
    assert.equal(idToken.name, 'Ada Lovelace');
    assert.equal(idToken.email, 'ada@example.com');
    assert.equal(idToken.nonce, 'nonce-1');
    assert.ok(idToken.at_hash);

    const accessToken = response.get('access_token');
    assert.equal(decodeProtectedHeader(accessToken).typ, 'at+jwt');
    assert.equal(decodeProtectedHeader(accessToken).alg, 'RS256');
    const { payload } = await jwtVerify(accessToken, jwks, { issuer: op.issuer, audience: AUDIENCE });
    assert.equal(payload.scope, 'read:appointments write:appointments');
    assert.equal(payload.client_id, 'auth-elements-demo');
  });

  test('Auth0’s audience parameter, RFC 8707 resource, and neither all give a token for the API', async () => {
    for (const params of [{ audience: AUDIENCE }, { resource: AUDIENCE }, { audience: `${AUDIENCE}/` }, {}]) {
      const { response } = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, params });
      assert.equal(decodeJwt(response.get('access_token')).aud, AUDIENCE, JSON.stringify(params));
    }
  });

  test('an unknown audience is an invalid_target error response', async () => {
    const { response } = await implicitFlow({
      issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, params: { audience: 'appointments:api', state: 'st' },
    });
    assert.equal(response.get('error'), 'invalid_target');
    assert.equal(response.get('state'), 'st');
  });

  test('id_token alone: no access token', async () => {
    const { response } = await implicitFlow({
      issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, login: 'grace', params: { response_type: 'id_token', scope: 'openid profile email' },
    });
    assert.equal(response.get('access_token'), null);
    const claims = decodeJwt(response.get('id_token'));
    assert.equal(claims.name, 'Grace Hopper');
    assert.equal(claims.email, 'grace@example.com');
  });

  test('every registered page of the client origin can be the redirect URI (http and localhost allowed)', async () => {
    const jar = new CookieJar();
    for (const path of ['/', '/index.html', '/article.html', '/callback.html']) {
      const { location, response } = await implicitFlow({
        issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, jar, params: { redirect_uri: `${CLIENT_ORIGIN}${path}` },
      });
      assert.equal(location.pathname, path);
      assert.ok(response.get('access_token'), path);
    }
  });

  test('an unregistered redirect URI is refused with an error page, not a redirect', async () => {
    for (const redirect of [`${CLIENT_ORIGIN}/other.html`, 'http://localhost:9999/callback.html']) {
      const response = await fetch(authorizeUrl(op.issuer, { redirect_uri: redirect }), { redirect: 'manual' });
      assert.equal(response.status, 400, redirect);
      assert.match(await response.text(), /redirect_uri did not match/);
    }
  });

  test('Deny on the consent page is access_denied with its description', async () => {
    const { response, pages } = await implicitFlow({
      issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, consent: 'deny', params: { state: 'denied' },
    });
    assert.deepEqual(pages, ['login', 'consent']);
    assert.equal(response.get('error'), 'access_denied');
    assert.equal(response.get('error_description'), 'The user denied access');
    assert.equal(response.get('state'), 'denied');
    assert.equal(response.get('access_token'), null);
  });

  test('a second sign-in in the same browser needs neither the password nor consent again', async () => {
    const first = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN });
    const second = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, jar: first.jar });
    assert.deepEqual(second.pages, []);
    assert.ok(second.response.get('access_token'));
  });
});

describe('authorization code flow with PKCE, and refresh tokens', () => {
  const base64url = (buffer) => buffer.toString('base64url');
  const pkce = () => {
    const verifier = base64url(randomBytes(32));
    return { verifier, challenge: base64url(createHash('sha256').update(verifier).digest()) };
  };
  /** A token request as the demo page sends it: form-encoded, from the pages' origin. */
  const token = async (params) => {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST', headers: { origin: CLIENT_ORIGIN }, body: new URLSearchParams({ client_id: 'auth-elements-demo', ...params }),
    });
    return { status: response.status, cors: response.headers.get('access-control-allow-origin'), body: await response.json() };
  };
  /** Signs in with response_type=code and returns the code, the verifier and what else the request had. */
  const codeFor = async (params = {}, options = {}) => {
    const { verifier, challenge } = pkce();
    const redirect = `${CLIENT_ORIGIN}/`;
    const { response, jar } = await implicitFlow({
      issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, ...options,
      params: { response_type: 'code', response_mode: 'fragment', code_challenge: challenge, code_challenge_method: 'S256', redirect_uri: redirect, nonce: 'nonce-c', ...params },
    });
    return { code: response.get('code'), response, verifier, redirect, jar };
  };
  const redeem = ({ code, verifier, redirect }, extra = {}) => token({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirect, ...extra });

  test('the code comes in the fragment; the token endpoint (CORS for the pages) gives an ID token, a JWT access token for the API and a refresh token', async () => {
    const flow = await codeFor({ state: 'state-c' });
    assert.equal(flow.response.get('state'), 'state-c');
    assert.equal(flow.response.get('iss'), op.issuer);
    assert.equal(flow.response.get('access_token'), null);
    assert.ok(flow.code);
    const { status, cors, body } = await redeem(flow);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(cors, CLIENT_ORIGIN);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.ok(body.refresh_token);
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload: idToken } = await jwtVerify(body.id_token, jwks, { issuer: op.issuer, audience: 'auth-elements-demo' });
    assert.equal(idToken.sub, 'ada');
    assert.equal(idToken.name, 'Ada Lovelace');
    assert.equal(idToken.nonce, 'nonce-c');
    const { payload: access } = await jwtVerify(body.access_token, jwks, { issuer: op.issuer, audience: AUDIENCE });
    assert.equal(access.scope, 'read:appointments write:appointments');
  });

  test('PKCE is required: a code request without a challenge is refused, a wrong or missing verifier is invalid_grant', async () => {
    const { response } = await implicitFlow({
      issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, params: { response_type: 'code', response_mode: 'fragment', redirect_uri: `${CLIENT_ORIGIN}/`, state: 's' },
    });
    assert.equal(response.get('error'), 'invalid_request');
    assert.match(response.get('error_description'), /PKCE/);
    const wrong = await redeem({ ...(await codeFor()), verifier: pkce().verifier });
    assert.deepEqual([wrong.status, wrong.body.error], [400, 'invalid_grant']);
    const missing = await token({ grant_type: 'authorization_code', code: (await codeFor()).code, redirect_uri: `${CLIENT_ORIGIN}/` });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error, /^invalid_(grant|request)$/);
  });

  test('a code works once: a replay is invalid_grant', async () => {
    const flow = await codeFor();
    assert.equal((await redeem(flow)).status, 200);
    const again = await redeem(flow);
    assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);
  });

  test('refresh tokens rotate; a rotated one used again is invalid_grant and revokes the grant', async () => {
    const first = (await redeem(await codeFor())).body;
    const second = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(second.cors, CLIENT_ORIGIN);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.notEqual(second.body.access_token, first.access_token);
    assert.equal(decodeJwt(second.body.access_token).aud, AUDIENCE);
    assert.equal(decodeJwt(second.body.id_token).sub, 'ada');
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.deepEqual([reuse.status, reuse.body.error], [400, 'invalid_grant']);
    const revoked = await token({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token });
    assert.deepEqual([revoked.status, revoked.body.error], [400, 'invalid_grant']);
  });

  test('the implicit grant still works for the same client', async () => {
    const { response } = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN });
    assert.ok(response.get('access_token'));
    assert.equal(response.get('code'), null);
  });
});

describe('sign-in and consent pages', () => {
  test('the login page is HTML with a CSRF field and strict headers', async () => {
    const { page, html } = await openLoginPage();
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(page.headers.get('content-security-policy'), /default-src 'none'.*frame-ancestors 'none'/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    // A browser sends `Origin: null` on form posts from a no-referrer page; the Origin check needs the real one.
    assert.equal(page.headers.get('referrer-policy'), 'same-origin');
    assert.ok(csrfOf(html));
    assert.match(html, /name="password"/);
  });

  test('a wrong password shows the form again (401) with the user name escaped', async () => {
    const { jar, location, html } = await openLoginPage();
    const login = '"><script>alert(1)</script>';
    const response = await request(jar, `${location.href}/login`, {
      method: 'POST', headers: { origin: op.issuer }, form: { csrf: csrfOf(html), login, password: 'wrong' },
    });
    assert.equal(response.status, 401);
    const page = await response.text();
    assert.match(page, /Wrong user name or password/);
    assert.ok(!page.includes('<script>alert(1)</script>'));
    assert.ok(page.includes('&#34;&#62;&#60;script&#62;'));
  });

  test('a post without the CSRF token is refused', async () => {
    const { jar, location } = await openLoginPage();
    const response = await request(jar, `${location.href}/login`, {
      method: 'POST', headers: { origin: op.issuer }, form: { login: 'ada', password: 'ada-password' },
    });
    assert.equal(response.status, 403);
  });

  test('a post from another origin is refused', async () => {
    const { jar, location, html } = await openLoginPage();
    const response = await request(jar, `${location.href}/login`, {
      method: 'POST', headers: { origin: 'http://evil.localhost' }, form: { csrf: csrfOf(html), login: 'ada', password: 'ada-password' },
    });
    assert.equal(response.status, 403);
  });

  test('a post without the interaction cookie (another browser, or a cross-site post) is refused', async () => {
    const { location, html } = await openLoginPage();
    const response = await request(new CookieJar(), `${location.href}/login`, {
      method: 'POST', headers: { origin: op.issuer }, form: { csrf: csrfOf(html), login: 'ada', password: 'ada-password' },
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /expired/);
  });

  test('the uid in the URL must be the interaction of the cookie', async () => {
    const first = await openLoginPage();
    const second = await openLoginPage();
    // The first browser's interaction cookie, sent to the second interaction's URL.
    const response = await fetch(second.location, {
      redirect: 'manual', headers: { cookie: first.jar.header(first.location.pathname) },
    });
    assert.equal(response.status, 400);
  });
});

describe('RP-initiated logout', () => {
  test('with an id_token_hint the page submits itself; confirming ends the session and returns to the client', async () => {
    const { response, jar } = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN });
    const url = new URL(discovery.end_session_endpoint);
    url.searchParams.set('id_token_hint', response.get('id_token'));
    url.searchParams.set('post_logout_redirect_uri', `${CLIENT_ORIGIN}/`);
    url.searchParams.set('state', 'bye');
    const page = await request(jar, url);
    assert.equal(page.status, 200);
    const html = await page.text();
    const script = /<script>([^<]*)<\/script>/.exec(html)?.[1];
    assert.ok(script, 'an auto-submit script');
    const hash = createHash('sha256').update(script).digest('base64');
    assert.ok(page.headers.get('content-security-policy').includes(`'sha256-${hash}'`), 'the script is allowed by its hash');

    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)[1];
    const confirm = await request(jar, `${op.issuer}/session/end/confirm`, {
      method: 'POST', headers: { origin: op.issuer }, form: { xsrf, logout: 'yes' },
    });
    assert.equal(confirm.status, 303);
    assert.equal(confirm.headers.get('location'), `${CLIENT_ORIGIN}/?state=bye`);

    const again = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, jar });
    assert.deepEqual(again.pages, ['login', 'consent'], 'signed out: the password is needed again');
  });

  test('without an id_token_hint the user is asked to confirm', async () => {
    const { jar } = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN });
    const url = new URL(discovery.end_session_endpoint);
    url.searchParams.set('client_id', 'auth-elements-demo');
    const page = await request(jar, url);
    const html = await page.text();
    assert.ok(!html.includes('<script>'));
    assert.match(html, /Sign out\?/);
  });

  test('an unregistered post_logout_redirect_uri is refused', async () => {
    const url = new URL(discovery.end_session_endpoint);
    url.searchParams.set('client_id', 'auth-elements-demo');
    url.searchParams.set('post_logout_redirect_uri', 'http://localhost:9999/');
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 400);
  });
});

describe('options and limits', () => {
  test('only the demo client may use http: and localhost implicit redirect URIs', async () => {
    const metadata = {
      client_id: 'someone-else',
      token_endpoint_auth_method: 'none',
      grant_types: ['implicit'],
      response_types: ['id_token'],
      redirect_uris: ['http://localhost:8000/'],
    };
    await assert.rejects(op.provider.Client.validate(metadata), {
      error_description: 'redirect_uris for web clients using implicit flow MUST only register URLs using the https scheme',
    });
    await assert.rejects(op.provider.Client.validate({ ...metadata, redirect_uris: ['https://localhost:8000/'] }), {
      error_description: 'redirect_uris for web clients using implicit flow must not be using localhost',
    });
    await op.provider.Client.validate({ ...metadata, client_id: 'auth-elements-demo' });
    // The demo client keeps every other check.
    await assert.rejects(
      op.provider.Client.validate({ ...metadata, client_id: 'auth-elements-demo', redirect_uris: ['http://localhost:8000/#x'] }),
      { error_description: 'redirect_uris must not contain fragments' },
    );
  });

  test('accessTokenTtl sets expires_in and exp', async () => {
    const short = await startProvider({ port: 0, clientOrigin: CLIENT_ORIGIN, accessTokenTtl: 60 });
    try {
      const { response } = await implicitFlow({ issuer: short.issuer, clientOrigin: CLIENT_ORIGIN });
      assert.equal(response.get('expires_in'), '60');
      const { exp, iat } = decodeJwt(response.get('access_token'));
      assert.equal(exp - iat, 60);
    } finally {
      await short.close();
    }
  });

  test('keysFile keeps the signing keys across restarts (mode 0600)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-keys-'));
    const keysFile = join(dir, '.demo-keys.json');
    try {
      const kids = async () => {
        const started = await startProvider({ port: 0, clientOrigin: CLIENT_ORIGIN, keysFile });
        try {
          const meta = await (await fetch(`${started.issuer}/.well-known/openid-configuration`)).json();
          return (await (await fetch(meta.jwks_uri)).json()).keys.map((key) => key.kid).sort();
        } finally {
          await started.close();
        }
      };
      const first = await kids();
      assert.equal((await stat(keysFile)).mode & 0o777, 0o600);
      assert.deepEqual(await kids(), first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('it listens on loopback only', async () => {
    await assert.rejects(startProvider({ host: '0.0.0.0', clientOrigin: CLIENT_ORIGIN }), /loopback/);
  });
});

describe('third-party-cookie check (Keycloak-style pages for <auth-login third-party-check>)', () => {
  test('step1 sets a SameSite=None cookie and goes to step2', async () => {
    const response = await fetch(`${op.issuer}/3p-cookies/step1.html`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), '/3p-cookies/step2.html');
    assert.match(response.headers.get('set-cookie'), /^demo_3p_check=1; Path=\/3p-cookies; SameSite=None; Secure; HttpOnly$/);
  });

  test('step2 tells its parent "supported" when the cookie came back, "unsupported" when not, under a CSP allowing only that script', async () => {
    const answer = async (cookie) => {
      const response = await fetch(`${op.issuer}/3p-cookies/step2.html`, { headers: cookie ? { cookie } : {} });
      const body = await response.text();
      const script = /<script>(.*)<\/script>/.exec(body)[1];
      const csp = response.headers.get('content-security-policy');
      assert.equal(csp, `default-src 'none'; script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
      return script;
    };
    assert.equal(await answer('demo_3p_check=1'), `parent.postMessage("supported", '*');`);
    assert.equal(await answer('other=1'), `parent.postMessage("unsupported", '*');`);
    assert.equal(await answer(), `parent.postMessage("unsupported", '*');`);
  });
});

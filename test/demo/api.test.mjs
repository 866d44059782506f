// The demo appointments API (demo/server/api.mjs), run with `node --test "test/demo/*.test.mjs"`.
//
// Two API instances run on free loopback ports:
// - one trusts a stub issuer started here (discovery + JWKS with a test key), so the tests can mint exactly the
//   broken tokens they need (bad signature, expired, wrong audience, …);
// - one trusts the real demo provider (node-oidc-provider), whose tokens come from its implicit flow driven over HTTP.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT, generateKeyPair, generateSecret } from 'jose';
import { startApi } from '../../demo/server/api.mjs';
import { startProvider } from '../../demo/server/provider.mjs';
import { implicitFlow } from './implicit-flow.mjs';
import { startStubIssuer } from './stub-issuer.mjs';

const CLIENT_ORIGIN = 'http://localhost:8000';
const OTHER_ORIGIN = 'http://localhost:9999';
const AUDIENCE = 'http://localhost:7001';
const BOTH_SCOPES = 'read:appointments write:appointments';
/** What fetch shows of the two WWW-Authenticate headers sent when no credentials came. */
const NO_CREDENTIALS_CHALLENGES = 'Bearer realm="appointments", DPoP algs="ES256 ES384 ES512 PS256 RS256 EdDSA"';

let stub; // { issuer, rsa, ec, close }
let stubApi; // API trusting the stub issuer
let op; // the real demo provider
let api; // API trusting the real provider

/** Signs an access token; claims and header default to a valid token from the stub issuer. */
async function mint(claims = {}, { key = stub.rsa.privateKey, alg = 'RS256', kid = 'stub-rsa', typ = 'at+jwt' } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: stub.issuer,
    aud: AUDIENCE,
    sub: 'stub-user',
    scope: BOTH_SCOPES,
    client_id: 'auth-elements-demo',
    iat: now,
    exp: now + 300,
    jti: crypto.randomUUID(),
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg, kid, typ }).sign(key);
}

/** fetch on an API with an optional bearer token and JSON body. */
function call(base, { method = 'GET', token, authorization, body, contentType, origin, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (authorization) init.headers.authorization = authorization;
  if (origin) init.headers.origin = origin;
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['content-type'] = contentType ?? 'application/json';
  }
  return fetch(`${base.url}/api/appointments`, init);
}

/** Asserts a 401 invalid_token with its RFC 6750 challenge and returns the body. */
async function assertInvalidToken(response, descriptionPattern) {
  assert.equal(response.status, 401);
  const challenge = response.headers.get('www-authenticate');
  assert.match(challenge, /^Bearer realm="appointments", error="invalid_token", error_description="[^"\\]+"$/);
  const body = await response.json();
  assert.equal(body.error, 'invalid_token');
  if (descriptionPattern) assert.match(body.error_description, descriptionPattern);
  return body;
}

before(async () => {
  stub = await startStubIssuer();
  stubApi = await startApi({ port: 0, issuer: stub.issuer, audience: AUDIENCE, allowedOrigin: CLIENT_ORIGIN });
  op = await startProvider({ port: 0, clientOrigin: CLIENT_ORIGIN, apiAudience: AUDIENCE });
  api = await startApi({ port: 0, issuer: op.issuer, audience: AUDIENCE, allowedOrigin: CLIENT_ORIGIN });
});

after(async () => {
  await Promise.all([api?.close(), op?.close(), stubApi?.close(), stub?.close()]);
});

describe('access tokens', () => {
  test('a request without credentials gets 401 and bare Bearer and DPoP challenges (RFC 6750 3.1, RFC 9449 7.1)', async () => {
    const response = await call(stubApi);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), NO_CREDENTIALS_CHALLENGES);
    assert.equal((await response.json()).error, 'invalid_token');
  });

  test('another authentication scheme counts as no credentials', async () => {
    const response = await call(stubApi, { authorization: 'Basic YWRhOmFkYS1wYXNzd29yZA==' });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), NO_CREDENTIALS_CHALLENGES);
  });

  test('a malformed token is invalid_token', async () => {
    await assertInvalidToken(await call(stubApi, { token: 'not-a-jwt' }), /malformed/);
    await assertInvalidToken(await call(stubApi, { authorization: 'Bearer' }), /malformed/);
    await assertInvalidToken(await call(stubApi, { token: 'aaaa.bbbb.cccc' }));
  });

  test('a valid token from the stub issuer is accepted (RS256 and ES256)', async () => {
    assert.equal((await call(stubApi, { token: await mint() })).status, 200);
    const es256 = await mint({}, { key: stub.ec.privateKey, alg: 'ES256', kid: 'stub-ec' });
    assert.equal((await call(stubApi, { token: es256 })).status, 200);
  });

  test('a token signed by another key with the same kid is refused', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await assertInvalidToken(await call(stubApi, { token: await mint({}, { key: privateKey }) }), /signature/);
  });

  test('a token with an unknown kid is refused', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await assertInvalidToken(await call(stubApi, { token: await mint({}, { key: privateKey, kid: 'nope' }) }), /unknown key/);
  });

  test('an expired token is refused, one within the 5 s clock tolerance is not', async () => {
    const now = Math.floor(Date.now() / 1000);
    await assertInvalidToken(await call(stubApi, { token: await mint({ iat: now - 600, exp: now - 60 }) }), /expired/);
    assert.equal((await call(stubApi, { token: await mint({ iat: now - 600, exp: now - 2 }) })).status, 200);
  });

  test('a token not valid yet (nbf) is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await assertInvalidToken(await call(stubApi, { token: await mint({ nbf: now + 120 }) }), /not valid yet/);
  });

  test('a token without exp is refused', async () => {
    await assertInvalidToken(await call(stubApi, { token: await mint({ exp: undefined }) }));
  });

  test('a token for another audience is refused', async () => {
    await assertInvalidToken(await call(stubApi, { token: await mint({ aud: 'http://localhost:7002' }) }), /audience/);
    await assertInvalidToken(await call(stubApi, { token: await mint({ aud: 'auth-elements-demo' }) }), /audience/);
  });

  test('a token from another issuer is refused', async () => {
    await assertInvalidToken(await call(stubApi, { token: await mint({ iss: 'http://localhost:1' }) }), /issuer/);
  });

  test('a JWT that is not an access token (typ) is refused', async () => {
    await assertInvalidToken(await call(stubApi, { token: await mint({}, { typ: 'JWT' }) }), /typ/);
  });

  test('HMAC and unsigned tokens are refused', async () => {
    const hs256 = await mint({}, { key: await generateSecret('HS256'), alg: 'HS256' });
    await assertInvalidToken(await call(stubApi, { token: hs256 }));
    const [, payload] = (await mint()).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    // Empty signature: not even the shape of a signed JWT.
    await assertInvalidToken(await call(stubApi, { token: none }), /malformed/);
    const forged = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.AAAA`;
    await assertInvalidToken(await call(stubApi, { token: forged }));
  });

  test('the issuer being unreachable is a 503, not a 401', async () => {
    const logged = [];
    const lonely = await startApi({
      port: 0, issuer: 'http://localhost:1', audience: AUDIENCE, log: (message) => logged.push(message),
    });
    try {
      const response = await call(lonely, { token: await mint({ iss: 'http://localhost:1' }) });
      assert.equal(response.status, 503);
      assert.equal((await response.json()).error, 'temporarily_unavailable');
      assert.match(logged.join('\n'), /cannot get the issuer's keys/);
    } finally {
      await lonely.close();
    }
  });
});

describe('scopes', () => {
  test('POST without write:appointments is 403 insufficient_scope', async () => {
    const token = await mint({ scope: 'read:appointments' });
    const before = await (await call(stubApi, { token })).json();
    const response = await call(stubApi, { method: 'POST', token, body: { title: 'Nope', date: '2030-01-01' } });
    assert.equal(response.status, 403);
    assert.equal(
      response.headers.get('www-authenticate'),
      'Bearer realm="appointments", error="insufficient_scope", '
        + 'error_description="The access token lacks the write:appointments scope", scope="write:appointments"',
    );
    assert.equal((await response.json()).error, 'insufficient_scope');
    assert.deepEqual(await (await call(stubApi, { token })).json(), before);
  });

  test('GET without read:appointments is 403 insufficient_scope', async () => {
    const response = await call(stubApi, { token: await mint({ scope: 'write:appointments' }) });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('www-authenticate'), /error="insufficient_scope", .*scope="read:appointments"$/);
  });

  test('a token without any scope claim is 403', async () => {
    assert.equal((await call(stubApi, { token: await mint({ scope: undefined }) })).status, 403);
  });
});

describe('appointments', () => {
  test('GET lists the caller’s appointments, POST adds one (201)', async () => {
    const token = await mint({ sub: 'appointments-user' });
    let response = await call(stubApi, { token });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await response.json(), []);

    response = await call(stubApi, { method: 'POST', token, body: { title: '  Dentist  ', date: '2030-02-28', time: '08:15' } });
    assert.equal(response.status, 201);
    const created = await response.json();
    assert.deepEqual(Object.keys(created).sort(), ['date', 'id', 'time', 'title']);
    assert.deepEqual({ ...created, id: undefined }, { id: undefined, title: 'Dentist', date: '2030-02-28', time: '08:15' });

    response = await call(stubApi, { method: 'POST', token, body: { title: 'All day', date: '2030-01-01' } });
    assert.equal(response.status, 201);
    assert.equal((await response.json()).time, null);

    // What a form with its optional time field left empty sends.
    response = await call(stubApi, { method: 'POST', token, body: { title: 'From a form', date: '2030-01-02', time: '' } });
    assert.equal(response.status, 201);
    assert.equal((await response.json()).time, null);

    const list = await (await call(stubApi, { token })).json();
    assert.deepEqual(list.map((a) => a.title), ['All day', 'From a form', 'Dentist']);
    assert.equal(list[2].id, created.id);
  });

  test('appointments are per user', async () => {
    const mine = await mint({ sub: 'user-one' });
    const theirs = await mint({ sub: 'user-two' });
    await call(stubApi, { method: 'POST', token: mine, body: { title: 'Mine', date: '2030-03-03' } });
    assert.deepEqual(await (await call(stubApi, { token: theirs })).json(), []);
  });

  const invalidBodies = [
    ['missing title', { date: '2030-01-01' }, /title is required/],
    ['empty title', { title: '   ', date: '2030-01-01' }, /title must be 1 to 120/],
    ['title too long', { title: 'x'.repeat(121), date: '2030-01-01' }, /title must be 1 to 120/],
    ['title not a string', { title: 42, date: '2030-01-01' }, /title must be a string/],
    ['title with control characters', { title: 'a\u0000b', date: '2030-01-01' }, /control/],
    ['missing date', { title: 'Lunch' }, /date is required/],
    ['date not a string', { title: 'Lunch', date: 20300101 }, /date must be a string/],
    ['date in another format', { title: 'Lunch', date: '01/02/2030' }, /YYYY-MM-DD/],
    ['date that does not exist', { title: 'Lunch', date: '2031-02-29' }, /valid date/],
    ['month 13', { title: 'Lunch', date: '2030-13-01' }, /valid date/],
    ['time not a string', { title: 'Lunch', date: '2030-01-01', time: 1200 }, /time must be a string/],
    ['time out of range', { title: 'Lunch', date: '2030-01-01', time: '24:00' }, /HH:MM/],
    ['time with seconds', { title: 'Lunch', date: '2030-01-01', time: '12:00:00' }, /HH:MM/],
    ['unknown field', { title: 'Lunch', date: '2030-01-01', owner: 'ada' }, /Unknown field "owner"/],
    ['an array', [{ title: 'Lunch', date: '2030-01-01' }], /JSON object/],
    ['null', null, /JSON object/],
    ['a string', 'just text', /JSON object/],
  ];

  test('invalid bodies are 400 invalid_request and store nothing', async () => {
    const token = await mint({ sub: 'validation-user' });
    for (const [name, body, pattern] of invalidBodies) {
      const response = await call(stubApi, { method: 'POST', token, body: JSON.stringify(body) });
      assert.equal(response.status, 400, name);
      const error = await response.json();
      assert.equal(error.error, 'invalid_request', name);
      assert.match(error.error_description, pattern, name);
    }
    assert.deepEqual(await (await call(stubApi, { token })).json(), []);
  });

  test('a body that is not JSON, or not sent as JSON, is 400', async () => {
    const token = await mint({ sub: 'validation-user' });
    let response = await call(stubApi, { method: 'POST', token, body: '{"title": "Lunch",' });
    assert.equal(response.status, 400);
    assert.match((await response.json()).error_description, /not valid JSON/);
    response = await call(stubApi, {
      method: 'POST', token, body: 'title=Lunch&date=2030-01-01', contentType: 'application/x-www-form-urlencoded',
    });
    assert.equal(response.status, 400);
    assert.match((await response.json()).error_description, /must be JSON/);
    response = await call(stubApi, { method: 'POST', token });
    assert.equal(response.status, 400);
    assert.deepEqual(await (await call(stubApi, { token })).json(), []);
  });

  test('a body over 10 KB is 413', async () => {
    const token = await mint({ sub: 'validation-user' });
    const response = await call(stubApi, { method: 'POST', token, body: { title: 'x', date: '2030-01-01', pad: 'y'.repeat(11 * 1024) } });
    assert.equal(response.status, 413);
    assert.deepEqual(await (await call(stubApi, { token })).json(), []);
  });

  test('a title of exactly 120 characters is fine', async () => {
    const token = await mint({ sub: 'long-title-user' });
    const response = await call(stubApi, { method: 'POST', token, body: { title: 'é'.repeat(120), date: '2032-02-29' } });
    assert.equal(response.status, 201);
  });

  test('unknown paths are 404, other methods 405', async () => {
    const token = await mint();
    const notFound = await fetch(`${stubApi.url}/api/other`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(notFound.status, 404);
    const deleted = await call(stubApi, { method: 'DELETE', token });
    assert.equal(deleted.status, 405);
    assert.equal(deleted.headers.get('allow'), 'GET, HEAD, POST, OPTIONS');
  });
});

describe('CORS', () => {
  const preflight = (origin) => fetch(`${stubApi.url}/api/appointments`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, dpop',
    },
  });

  test('a preflight from the allowed origin is allowed', async () => {
    const response = await preflight(CLIENT_ORIGIN);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);
    assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST');
    assert.equal(response.headers.get('access-control-allow-headers'), 'authorization, content-type, dpop');
    assert.match(response.headers.get('vary'), /Origin/);
  });

  test('a preflight from another origin gets no CORS headers', async () => {
    const response = await preflight(OTHER_ORIGIN);
    assert.equal(response.headers.get('access-control-allow-origin'), null);
    assert.equal(response.headers.get('access-control-allow-methods'), null);
    assert.match(response.headers.get('vary'), /Origin/);
  });

  test('responses to the allowed origin are readable (challenge included), others are not', async () => {
    const allowed = await call(stubApi, { origin: CLIENT_ORIGIN });
    assert.equal(allowed.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);
    assert.equal(allowed.headers.get('access-control-expose-headers'), 'WWW-Authenticate, DPoP-Nonce');
    const other = await call(stubApi, { origin: OTHER_ORIGIN, token: await mint() });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});

describe('with tokens from the demo provider (node-oidc-provider, implicit flow)', () => {
  let ada;

  before(async () => {
    // Auth0 style: the API named by `audience`, mapped onto `resource` by the demo provider.
    ada = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, params: { audience: AUDIENCE } });
  });

  test('the flow returns an ID token and a JWT access token for the API', () => {
    assert.deepEqual(ada.pages, ['login', 'consent']);
    assert.equal(ada.location.origin + ada.location.pathname, `${CLIENT_ORIGIN}/callback.html`);
    assert.equal(ada.response.get('token_type'), 'Bearer');
    assert.ok(ada.response.get('id_token'));
    assert.ok(ada.response.get('access_token'));
  });

  test('GET with the provider’s access token lists Ada’s seeded appointments', async () => {
    const response = await call(api, { token: ada.response.get('access_token'), origin: CLIENT_ORIGIN });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);
    const list = await response.json();
    assert.equal(list.length, 2);
    for (const item of list) assert.deepEqual(Object.keys(item).sort(), ['date', 'id', 'time', 'title']);
  });

  test('POST with the provider’s access token creates an appointment', async () => {
    const token = ada.response.get('access_token');
    const response = await call(api, { method: 'POST', token, body: { title: 'Demo day', date: '2030-06-01', time: '14:00' } });
    assert.equal(response.status, 201);
    const created = await response.json();
    const list = await (await call(api, { token })).json();
    assert.ok(list.some((item) => item.id === created.id));
  });

  test('another user sees only their own appointments', async () => {
    const grace = await implicitFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, login: 'grace' });
    const list = await (await call(api, { token: grace.response.get('access_token') })).json();
    assert.equal(list.length, 2);
    assert.ok(!list.some((item) => item.title === 'Demo day'));
  });

  test('a token asked with read:appointments only cannot POST (403)', async () => {
    const reader = await implicitFlow({
      issuer: op.issuer,
      clientOrigin: CLIENT_ORIGIN,
      jar: ada.jar,
      params: { scope: 'openid read:appointments', audience: AUDIENCE },
    });
    assert.deepEqual(reader.pages, [], 'the provider session and grant are reused: no sign-in, no consent');
    assert.equal(reader.response.get('scope'), 'read:appointments');
    const token = reader.response.get('access_token');
    assert.equal((await call(api, { token })).status, 200);
    const response = await call(api, { method: 'POST', token, body: { title: 'x', date: '2030-01-01' } });
    assert.equal(response.status, 403);
    assert.match(response.headers.get('www-authenticate'), /error="insufficient_scope"/);
  });

  test('the ID token is not accepted as an access token', async () => {
    await assertInvalidToken(await call(api, { token: ada.response.get('id_token') }));
  });

  test('the provider’s token is refused by an API trusting another issuer', async () => {
    await assertInvalidToken(await call(stubApi, { token: ada.response.get('access_token') }));
  });
});

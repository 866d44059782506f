// DPoP end to end in Node, run with `node --test "test/demo/*.test.mjs"`: the real demo provider (node-oidc-provider)
// and the demo API on loopback, the authorization code flow with PKCE and `dpop_jkt` driven over HTTP (a cookie jar,
// the sign-in and consent forms), token requests with DPoP proofs and the provider's nonce, API calls with the API's
// nonce, refresh, revocation and introspection.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { startApi } from '../../demo/server/api.mjs';
import { CLIENT_ID, INTROSPECTOR_CLIENT_ID, INTROSPECTOR_CLIENT_SECRET, startProvider } from '../../demo/server/provider.mjs';
import { codeFlow, dpopKey, dpopProof, postForm } from './code-flow.mjs';

const CLIENT_ORIGIN = 'http://localhost:8000';
const AUDIENCE = 'http://localhost:7001';

let op;
let api;
let discovery;
let jwks;
/** node-oidc-provider's reasons for refused grants (its error_detail, not sent to clients), latest last. */
const grantErrors = [];

before(async () => {
  op = await startProvider({ port: 0, clientOrigin: CLIENT_ORIGIN, apiAudience: AUDIENCE });
  api = await startApi({ port: 0, issuer: op.issuer, audience: AUDIENCE, allowedOrigin: CLIENT_ORIGIN });
  discovery = await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json();
  jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  op.provider.on('grant.error', (_ctx, error) => grantErrors.push(error.error_detail ?? error.message));
});

after(async () => {
  await Promise.all([api?.close(), op?.close()]);
});

const appointments = () => `${api.url}/api/appointments`;

/** A token request from the demo pages' origin, with a proof of `dpop` (and the nonce retry) when given. */
const token = (params, options = {}) => postForm(discovery.token_endpoint, { client_id: CLIENT_ID, ...params }, { origin: CLIENT_ORIGIN, ...options });

/** Exchanges a codeFlow result's code. */
const redeem = (flow, options) => token({
  grant_type: 'authorization_code', code: flow.code, code_verifier: flow.verifier, redirect_uri: flow.redirect,
}, options);

/** Introspection by the tests' confidential client (client_secret_basic). */
async function introspect(value) {
  const basic = Buffer.from(`${INTROSPECTOR_CLIENT_ID}:${INTROSPECTOR_CLIENT_SECRET}`).toString('base64');
  const { status, body } = await postForm(discovery.introspection_endpoint, { token: value }, { headers: { authorization: `Basic ${basic}` } });
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

/** Calls the API with DPoP like a client: without a nonce first, then once more with the API's nonce. */
async function callApi(accessToken, key, { nonce } = {}) {
  let currentNonce = nonce;
  for (let attempt = 1; ; attempt += 1) {
    const proof = await dpopProof(key, { htm: 'GET', htu: appointments(), accessToken, nonce: currentNonce });
    const response = await fetch(appointments(), {
      headers: { authorization: `DPoP ${accessToken}`, dpop: proof, origin: CLIENT_ORIGIN },
    });
    const body = await response.json();
    const challenge = response.headers.get('www-authenticate') ?? '';
    currentNonce = response.headers.get('dpop-nonce') ?? currentNonce;
    if (attempt === 1 && response.status === 401 && /error="use_dpop_nonce"/.test(challenge)) continue;
    return { response, body, proof, attempts: attempt, nonce: currentNonce };
  }
}

describe('discovery and CORS for DPoP', () => {
  test('discovery lists the DPoP algorithms, the revocation and the introspection endpoints', () => {
    assert.deepEqual(discovery.dpop_signing_alg_values_supported, ['ES256', 'EdDSA']);
    assert.equal(discovery.revocation_endpoint, `${op.issuer}/token/revocation`);
    assert.equal(discovery.introspection_endpoint, `${op.issuer}/token/introspection`);
  });

  test('the token and revocation endpoints allow the dpop request header from the demo pages (preflight)', async () => {
    for (const url of [discovery.token_endpoint, discovery.revocation_endpoint]) {
      const response = await fetch(url, {
        method: 'OPTIONS',
        headers: { origin: CLIENT_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, dpop' },
      });
      assert.equal(response.status, 204, url);
      assert.equal(response.headers.get('access-control-allow-origin'), CLIENT_ORIGIN, url);
      assert.match(response.headers.get('access-control-allow-headers'), /dpop/, url);
    }
  });
});

describe('the DPoP code flow end to end', () => {
  const key = {};
  let flow;
  let exchange;
  let first; // the first token response
  let apiNonce;

  before(async () => {
    Object.assign(key, await dpopKey('ES256'));
    flow = await codeFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, params: { dpop_jkt: key.jkt, state: 'dpop' } });
  });

  test('sign-in as ada with dpop_jkt gives a code', () => {
    assert.deepEqual(flow.pages, ['login', 'consent']);
    assert.equal(flow.response.get('state'), 'dpop');
    assert.ok(flow.code);
  });

  test('the code exchange with a proof: first 400 use_dpop_nonce with a readable DPoP-Nonce, then DPoP tokens', async () => {
    exchange = await redeem(flow, { dpop: key, retryNonce: false });
    assert.equal(exchange.status, 400);
    assert.equal(exchange.body.error, 'use_dpop_nonce');
    assert.ok(exchange.headers.get('dpop-nonce'));
    assert.equal(exchange.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);
    assert.match(exchange.headers.get('access-control-expose-headers'), /(^|,\s*)DPoP-Nonce(,|$)/i);

    const retried = await redeem(flow, { dpop: key, nonce: exchange.nonce });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    first = retried.body;
    assert.equal(first.token_type, 'DPoP');
    assert.ok(first.refresh_token);
    const { payload } = await jwtVerify(first.access_token, jwks, { issuer: op.issuer, audience: AUDIENCE, typ: 'at+jwt' });
    assert.deepEqual(payload.cnf, { jkt: key.jkt });
    assert.equal(payload.sub, 'ada');
  });

  test('the API with DPoP: first 401 use_dpop_nonce, then Ada’s appointments and a nonce', async () => {
    const result = await callApi(first.access_token, key);
    assert.equal(result.response.status, 200, JSON.stringify(result.body));
    assert.equal(result.attempts, 2);
    assert.equal(result.body.length, 2);
    assert.ok(result.response.headers.get('dpop-nonce'));
    assert.equal(result.response.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);
    apiNonce = result.nonce;

    // The same proof again: a replay.
    const replay = await fetch(appointments(), { headers: { authorization: `DPoP ${first.access_token}`, dpop: result.proof } });
    assert.equal(replay.status, 401);
    assert.match(replay.headers.get('www-authenticate'), /^DPoP .*error="invalid_dpop_proof"/);
    assert.match((await replay.json()).error_description, /replayed/);
  });

  test('the access token replayed as Bearer is 401 invalid_token', async () => {
    const response = await fetch(appointments(), { headers: { authorization: `Bearer ${first.access_token}` } });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate'), /^Bearer realm="appointments", error="invalid_token"/);
  });

  test('the access token with another key’s proof is 401 invalid_token', async () => {
    const thief = await dpopKey('ES256');
    const result = await callApi(first.access_token, thief, { nonce: apiNonce });
    assert.equal(result.response.status, 401);
    assert.equal(result.body.error, 'invalid_token');
  });

  test('the refresh token is DPoP-bound: without a proof, or with another key, invalid_grant', async () => {
    const bare = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.deepEqual([bare.status, bare.body.error], [400, 'invalid_grant']);
    assert.equal(grantErrors.at(-1), 'failed jkt verification');
    const thief = await dpopKey('ES256');
    const stolen = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, { dpop: thief });
    assert.deepEqual([stolen.status, stolen.body.error], [400, 'invalid_grant']);
    assert.equal(grantErrors.at(-1), 'failed jkt verification');
  });

  let second;
  test('refresh with a proof of the key: new DPoP tokens (rotation), still bound to the key', async () => {
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token }, { dpop: key, nonce: exchange.nonce });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    second = refreshed.body;
    assert.equal(second.token_type, 'DPoP');
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.deepEqual(decodeJwt(second.access_token).cnf, { jkt: key.jkt });
    const result = await callApi(second.access_token, key, { nonce: apiNonce });
    assert.equal(result.response.status, 200);
    assert.equal(result.attempts, 1, 'the API nonce from before is still good');
  });

  test('revocation from the demo pages: the JWT access token cannot be revoked; the refresh token is, without a proof', async () => {
    assert.equal((await introspect(second.refresh_token)).active, true);

    const access = await postForm(discovery.revocation_endpoint, { client_id: CLIENT_ID, token: second.access_token }, { origin: CLIENT_ORIGIN });
    assert.deepEqual([access.status, access.body.error], [400, 'unsupported_token_type']);
    assert.equal(access.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);

    const refresh = await postForm(discovery.revocation_endpoint, {
      client_id: CLIENT_ID, token: second.refresh_token, token_type_hint: 'refresh_token',
    }, { origin: CLIENT_ORIGIN });
    assert.equal(refresh.status, 200);
    assert.equal(refresh.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);

    assert.deepEqual(await introspect(second.refresh_token), { active: false });
    const after = await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token }, { dpop: key, nonce: exchange.nonce });
    assert.deepEqual([after.status, after.body.error], [400, 'invalid_grant']);
  });
});

describe('dpop_jkt binds the code (RFC 9449 10)', () => {
  test('a code requested with dpop_jkt is refused with another key’s proof, and without a proof', async () => {
    const key = await dpopKey('ES256');
    const thief = await dpopKey('ES256');
    const bound = await codeFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, params: { dpop_jkt: key.jkt } });
    const stolen = await redeem(bound, { dpop: thief });
    assert.deepEqual([stolen.status, stolen.body.error], [400, 'invalid_grant']);
    assert.equal(stolen.attempts, 2, 'refused after the nonce retry, not for the nonce');
    assert.equal(grantErrors.at(-1), 'DPoP proof key thumbprint does not match dpop_jkt');

    const other = await codeFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN, jar: bound.jar, params: { dpop_jkt: key.jkt } });
    const bare = await redeem(other);
    assert.deepEqual([bare.status, bare.body.error], [400, 'invalid_grant']);
    assert.equal(grantErrors.at(-1), 'missing DPoP proof JWT');
  });

  test('a code without dpop_jkt can be bound at the exchange by any key', async () => {
    const key = await dpopKey('EdDSA', { crv: 'Ed25519' });
    const flow = await codeFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN });
    const { status, body } = await redeem(flow, { dpop: key });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'DPoP');
    assert.deepEqual(decodeJwt(body.access_token).cnf, { jkt: key.jkt });
    assert.equal((await callApi(body.access_token, key)).response.status, 200);
  });
});

describe('without DPoP nothing changes', () => {
  test('a code exchange without a proof gives Bearer tokens the API takes as Bearer; the refresh needs no proof', async () => {
    const flow = await codeFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN });
    const { status, body } = await redeem(flow);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    assert.equal(decodeJwt(body.access_token).cnf, undefined);
    const response = await fetch(appointments(), { headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(response.status, 200);
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.token_type, 'Bearer');
  });

  test('a proof with an alg the provider does not list (ES384) is refused at the token endpoint', async () => {
    const flow = await codeFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN });
    const { status, body } = await redeem(flow, { dpop: await dpopKey('ES384') });
    assert.deepEqual([status, body.error], [400, 'invalid_dpop_proof']);
  });
});

describe('introspection is for the tests’ client only', () => {
  test('the public demo client gets active: false for its own live token; a wrong secret is invalid_client', async () => {
    const flow = await codeFlow({ issuer: op.issuer, clientOrigin: CLIENT_ORIGIN });
    const { body } = await redeem(flow);
    assert.equal((await introspect(body.refresh_token)).active, true);
    const asPublic = await postForm(discovery.introspection_endpoint, { client_id: CLIENT_ID, token: body.refresh_token });
    assert.deepEqual(asPublic.body, { active: false });
    const basic = Buffer.from(`${INTROSPECTOR_CLIENT_ID}:wrong`).toString('base64');
    const wrong = await postForm(discovery.introspection_endpoint, { token: body.refresh_token }, { headers: { authorization: `Basic ${basic}` } });
    assert.deepEqual([wrong.status, wrong.body.error], [401, 'invalid_client']);
  });
});

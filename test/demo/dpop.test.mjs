// DPoP (RFC 9449) at the demo API (demo/server/api.mjs), run with `node --test "test/demo/*.test.mjs"`: proofs made
// here with jose, access tokens minted by a stub issuer with the `cnf.jkt` of the proof key, so that every check of
// the proof and of the binding can be broken on its own.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateSecret } from 'jose';
import {
  DPOP_ALGORITHMS, DPOP_IAT_LEEWAY, DPOP_NONCE_PERIOD, DPOP_PROOF_WINDOW, startApi,
} from '../../demo/server/api.mjs';
import { dpopKey, dpopProof } from './code-flow.mjs';
import { startStubIssuer } from './stub-issuer.mjs';

const CLIENT_ORIGIN = 'http://localhost:8000';
const AUDIENCE = 'http://localhost:7001';
const ALGS = 'ES256 ES384 ES512 PS256 RS256 EdDSA';

let stub;
let api; // nonces required (the default)
let noNonceApi; // requireDpopNonce: false
let key; // the client's ES256 key
let other; // another client's key
/** The API instances started with requireDpopNonce: false. */
const withoutNonces = new WeakSet();

before(async () => {
  stub = await startStubIssuer({ audience: AUDIENCE });
  api = await startApi({ port: 0, issuer: stub.issuer, audience: AUDIENCE, allowedOrigin: CLIENT_ORIGIN });
  noNonceApi = await startApi({ port: 0, issuer: stub.issuer, audience: AUDIENCE, requireDpopNonce: false });
  withoutNonces.add(noNonceApi);
  key = await dpopKey('ES256');
  other = await dpopKey('ES256');
});

after(async () => {
  await Promise.all([api?.close(), noNonceApi?.close(), stub?.close()]);
});

const endpoint = (server) => `${server.url}/api/appointments`;

/** An access token bound to `boundTo` (a dpopKey): `cnf.jkt` is its thumbprint. */
const mintBound = (boundTo = key, claims = {}, options = {}) => stub.mint({ cnf: { jkt: boundTo.jkt }, ...claims }, options);

/** fetch with `Authorization: DPoP <token>` and the proof (none when undefined). */
function dpopCall(server, { method = 'GET', token, proof, body, scheme = 'DPoP', origin } = {}) {
  const headers = { authorization: `${scheme} ${token}` };
  if (proof !== undefined) headers.dpop = proof;
  if (origin) headers.origin = origin;
  const init = { method, headers };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  return fetch(endpoint(server), init);
}

/** The API's current nonce: what a DPoP request without one is answered with. */
async function nonceOf(server = api, token) {
  const response = await dpopCall(server, { token: token ?? await mintBound(), proof: await dpopProof(key, { htm: 'GET', htu: endpoint(server) }) });
  await response.arrayBuffer();
  const nonce = response.headers.get('dpop-nonce');
  assert.ok(nonce, 'a DPoP-Nonce header');
  return nonce;
}

/** A valid proof for GET on `server` with `token` (and the API's nonce), with `overrides` for dpopProof. */
async function proofFor(server, token, overrides = {}, proofKey = key) {
  const nonce = withoutNonces.has(server) ? undefined : await nonceOf(server);
  return dpopProof(proofKey, { htm: 'GET', htu: endpoint(server), accessToken: token, nonce, ...overrides });
}

/** Asserts a 401 with the RFC 9449 7.1 DPoP challenge for `error` and returns the JSON body. */
async function assertDpopError(response, error, descriptionPattern) {
  const body = await response.json();
  assert.equal(response.status, 401, JSON.stringify(body));
  assert.match(
    response.headers.get('www-authenticate'),
    new RegExp(`^DPoP algs="${ALGS}", error="${error}", error_description="[^"\\\\]+"$`),
  );
  assert.equal(body.error, error);
  if (descriptionPattern) assert.match(body.error_description, descriptionPattern);
  return body;
}

/** node:http, for what fetch does not send: another Host header, two DPoP header lines. */
function rawRequest(url, headers) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('DPoP at the API: a valid proof', () => {
  test('a bound token with a valid proof (and the API nonce) is accepted; the answer carries the current nonce', async () => {
    const token = await mintBound();
    const response = await dpopCall(api, { token, proof: await proofFor(api, token), origin: CLIENT_ORIGIN });
    assert.equal(response.status, 200);
    assert.ok(Array.isArray(await response.json()));
    assert.ok(response.headers.get('dpop-nonce'));
    assert.equal(response.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);
    assert.equal(response.headers.get('access-control-expose-headers'), 'WWW-Authenticate, DPoP-Nonce');
  });

  test('POST with a proof for POST creates an appointment', async () => {
    const token = await mintBound(key, { sub: 'dpop-writer' });
    const proof = await proofFor(api, token, { htm: 'POST' });
    const response = await dpopCall(api, { method: 'POST', token, proof, body: { title: 'Bound', date: '2030-01-01' } });
    assert.equal(response.status, 201);
  });

  test('the scheme name is case-insensitive', async () => {
    const token = await mintBound();
    const response = await dpopCall(api, { token, proof: await proofFor(api, token), scheme: 'dpop' });
    assert.equal(response.status, 200);
  });

  test('EdDSA (Ed25519), ES384 and PS256 proofs are accepted', async () => {
    for (const [alg, options] of [['EdDSA', { crv: 'Ed25519' }], ['ES384', {}], ['PS256', {}]]) {
      const alt = await dpopKey(alg, options);
      const token = await mintBound(alt);
      const response = await dpopCall(api, { token, proof: await proofFor(api, token, {}, alt) });
      assert.equal(response.status, 200, alg);
    }
  });

  test('403 insufficient_scope comes with the DPoP challenge and the nonce', async () => {
    const token = await mintBound(key, { scope: 'read:appointments' });
    const proof = await proofFor(api, token, { htm: 'POST' });
    const response = await dpopCall(api, { method: 'POST', token, proof, body: { title: 'x', date: '2030-01-01' } });
    assert.equal(response.status, 403);
    assert.equal(
      response.headers.get('www-authenticate'),
      `DPoP algs="${ALGS}", error="insufficient_scope", error_description="The access token lacks the write:appointments scope", scope="write:appointments"`,
    );
    assert.ok(response.headers.get('dpop-nonce'));
  });

  test('the constants are what the brief says', () => {
    assert.deepEqual(DPOP_ALGORITHMS, ALGS.split(' '));
    assert.equal(DPOP_PROOF_WINDOW, 60);
    assert.equal(DPOP_IAT_LEEWAY, 5);
    assert.equal(DPOP_NONCE_PERIOD, 300);
  });
});

describe('DPoP nonces (RFC 9449 9)', () => {
  test('a proof without a nonce is 401 use_dpop_nonce with a DPoP-Nonce; signed again with it, 200', async () => {
    const token = await mintBound();
    const first = await dpopCall(api, { token, proof: await dpopProof(key, { htm: 'GET', htu: endpoint(api), accessToken: token }), origin: CLIENT_ORIGIN });
    await assertDpopError(first, 'use_dpop_nonce', /needs a nonce/);
    const nonce = first.headers.get('dpop-nonce');
    assert.match(nonce, /^[\w-]{43}$/);
    assert.equal(first.headers.get('access-control-expose-headers'), 'WWW-Authenticate, DPoP-Nonce');
    const second = await dpopCall(api, { token, proof: await dpopProof(key, { htm: 'GET', htu: endpoint(api), accessToken: token, nonce }) });
    assert.equal(second.status, 200);
  });

  test('a forged nonce is use_dpop_nonce', async () => {
    const token = await mintBound();
    for (const nonce of ['x', 'A'.repeat(43), '']) {
      const proof = await dpopProof(key, { htm: 'GET', htu: endpoint(api), accessToken: token, nonce });
      await assertDpopError(await dpopCall(api, { token, proof }), 'use_dpop_nonce', /stale or unknown|needs a nonce/);
    }
  });

  test('another API instance’s nonce (another secret) is refused', async () => {
    const token = await mintBound();
    const elsewhere = await startApi({ port: 0, issuer: stub.issuer, audience: AUDIENCE });
    try {
      const nonce = await nonceOf(elsewhere);
      const proof = await dpopProof(key, { htm: 'GET', htu: endpoint(api), accessToken: token, nonce });
      await assertDpopError(await dpopCall(api, { token, proof }), 'use_dpop_nonce', /stale or unknown/);
    } finally {
      await elsewhere.close();
    }
  });

  test('nonces rotate: the previous period’s is still good, an older one is stale', async () => {
    // A clock of our own (the API's `now` option), at the start of a nonce period.
    let clock = Math.ceil(Date.now() / 1000 / DPOP_NONCE_PERIOD) * DPOP_NONCE_PERIOD * 1000;
    const clocked = await startApi({ port: 0, issuer: stub.issuer, audience: AUDIENCE, now: () => clock });
    try {
      const seconds = () => Math.floor(clock / 1000);
      const call = async (nonce) => {
        const token = await mintBound(key, {}, { now: seconds() });
        const proof = await dpopProof(key, { htm: 'GET', htu: endpoint(clocked), accessToken: token, nonce, claims: { iat: seconds() } });
        return dpopCall(clocked, { token, proof });
      };
      const first = await call(undefined);
      await first.arrayBuffer();
      const nonce = first.headers.get('dpop-nonce');
      assert.equal((await call(nonce)).status, 200);

      clock += DPOP_NONCE_PERIOD * 1000; // the next period: the old nonce still works, a new one is sent
      const next = await call(nonce);
      assert.equal(next.status, 200);
      assert.notEqual(next.headers.get('dpop-nonce'), nonce);

      clock += DPOP_NONCE_PERIOD * 1000; // two periods later: stale
      const stale = await call(nonce);
      await assertDpopError(stale, 'use_dpop_nonce', /stale/);
      assert.equal((await call(stale.headers.get('dpop-nonce'))).status, 200);
    } finally {
      await clocked.close();
    }
  });

  test('with requireDpopNonce: false a proof without a nonce is accepted and no nonce is sent', async () => {
    const token = await mintBound();
    const response = await dpopCall(noNonceApi, { token, proof: await proofFor(noNonceApi, token) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('dpop-nonce'), null);
  });
});

describe('DPoP proof checks (RFC 9449 4.3): each broken on its own is 401 invalid_dpop_proof', () => {
  test('typ must be dpop+jwt', async () => {
    const token = await mintBound();
    for (const typ of ['JWT', 'at+jwt', undefined]) {
      const proof = await proofFor(api, token, { header: { typ } });
      await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /typ/);
    }
  });

  test('alg none is refused', async () => {
    const token = await mintBound();
    const [, payload] = (await proofFor(api, token)).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: key.jwk })).toString('base64url');
    await assertDpopError(await dpopCall(api, { token, proof: `${header}.${payload}.` }), 'invalid_dpop_proof');
    await assertDpopError(await dpopCall(api, { token, proof: `${header}.${payload}.AAAA` }), 'invalid_dpop_proof', /alg/);
  });

  test('HS256 (a symmetric key in jwk) is refused', async () => {
    const token = await mintBound();
    const secret = await generateSecret('HS256', { extractable: true });
    const jwk = await exportJWK(secret);
    const proof = await proofFor(api, token, { header: { alg: 'HS256', jwk }, signingKey: secret });
    await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /alg/);
  });

  test('an asymmetric alg outside the allow-list (RS384) is refused', async () => {
    const rs384 = await dpopKey('RS384');
    const token = await mintBound(rs384);
    const proof = await proofFor(api, token, {}, rs384);
    await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /alg/);
  });

  test('a jwk with private members (d) is refused', async () => {
    const token = await mintBound();
    const privateJwk = await exportJWK(key.privateKey);
    assert.ok(privateJwk.d);
    const proof = await proofFor(api, token, { header: { jwk: privateJwk } });
    await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /public key/);
  });

  test('no jwk header is refused', async () => {
    const token = await mintBound();
    const proof = await proofFor(api, token, { header: { jwk: undefined } });
    await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /jwk/);
  });

  test('a signature by another key than the jwk’s is refused', async () => {
    const token = await mintBound();
    const proof = await proofFor(api, token, { signingKey: other.privateKey });
    await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /signature/);
  });

  test('htm must be the request method', async () => {
    const token = await mintBound();
    for (const htm of ['POST', 'get', undefined]) {
      const proof = await proofFor(api, token, { htm });
      await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /method/);
    }
  });

  test('htu must be this API’s URL for the path: another path, origin, port or scheme is refused', async () => {
    const token = await mintBound();
    const { port } = new URL(api.url);
    for (const htu of [
      `${api.url}/api/other`,
      `${api.url}/api/appointments/`,
      `http://127.0.0.1:${port}/api/appointments`,
      `http://localhost:${Number(port) + 1}/api/appointments`,
      `https://localhost:${port}/api/appointments`,
      `http://user@localhost:${port}/api/appointments`,
      'not a url',
      undefined,
    ]) {
      const proof = await proofFor(api, token, { htu });
      await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /URL/);
    }
  });

  test('htu is compared without query and fragment, after normalisation (RFC 9449 4.3 point 9, RFC 3986 6.2)', async () => {
    const { port } = new URL(api.url);
    for (const htu of [
      `${api.url}/api/appointments?page=2`,
      `${api.url}/api/appointments#top`,
      `HTTP://LOCALHOST:${port}/api/appointments`,
      `http://localhost:${port}/api/%61ppointments`,
      `http://localhost:${port}/api/./x/../appointments`,
    ]) {
      const token = await mintBound();
      const response = await dpopCall(api, { token, proof: await proofFor(api, token, { htu }) });
      assert.equal(response.status, 200, htu);
    }
  });

  test('the request’s Host header does not name the origin: a proof for the Host sent is refused, one for the API’s URL is not', async () => {
    const token = await mintBound();
    const forHost = await proofFor(api, token, { htu: 'http://evil.example/api/appointments' });
    const refused = await rawRequest(endpoint(api), { host: 'evil.example', authorization: `DPoP ${token}`, dpop: forHost });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_dpop_proof');
    const accepted = await rawRequest(endpoint(api), { host: 'evil.example', authorization: `DPoP ${token}`, dpop: await proofFor(api, token) });
    assert.equal(accepted.status, 200);
  });

  test(`iat must be within ${DPOP_PROOF_WINDOW} s (+ ${DPOP_IAT_LEEWAY} s leeway) of now`, async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await mintBound();
    for (const iat of [now - 120, now + 120, now - DPOP_PROOF_WINDOW - DPOP_IAT_LEEWAY - 5, undefined, String(now)]) {
      const proof = await proofFor(api, token, { claims: { iat } });
      await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /iat/);
    }
    // At the edges of the window (taken from the clock right before the call, so a slow machine does not matter).
    for (const offset of [-DPOP_PROOF_WINDOW, DPOP_PROOF_WINDOW]) {
      const nonce = await nonceOf(api);
      const iat = Math.floor(Date.now() / 1000) + offset;
      const proof = await dpopProof(key, { htm: 'GET', htu: endpoint(api), accessToken: token, nonce, claims: { iat } });
      assert.equal((await dpopCall(api, { token, proof })).status, 200, String(offset));
    }
  });

  test('jti must be there', async () => {
    const token = await mintBound();
    for (const jti of [undefined, '', 42]) {
      const proof = await proofFor(api, token, { claims: { jti } });
      await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /jti/);
    }
  });

  test('the same proof twice: the second is refused (replay)', async () => {
    const token = await mintBound();
    const proof = await proofFor(api, token);
    assert.equal((await dpopCall(api, { token, proof })).status, 200);
    await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_dpop_proof', /replayed/);
    // Another proof of the same key is fine.
    assert.equal((await dpopCall(api, { token, proof: await proofFor(api, token) })).status, 200);
  });

  test('a refused proof is not remembered: only a proof that passed every check counts as used', async () => {
    const token = await mintBound();
    const jti = crypto.randomUUID();
    const noNonce = await dpopProof(key, { htm: 'GET', htu: endpoint(api), accessToken: token, claims: { jti } });
    await assertDpopError(await dpopCall(api, { token, proof: noNonce }), 'use_dpop_nonce');
    assert.equal((await dpopCall(api, { token, proof: await proofFor(api, token, { claims: { jti } }) })).status, 200);
  });

  test('the replay cache is bounded: when full of recent proofs, further DPoP requests get 503', async () => {
    const logged = [];
    const small = await startApi({
      port: 0, issuer: stub.issuer, audience: AUDIENCE, requireDpopNonce: false, replayCacheSize: 2, log: (message) => logged.push(message),
    });
    withoutNonces.add(small);
    try {
      const token = await mintBound();
      for (let i = 0; i < 2; i += 1) assert.equal((await dpopCall(small, { token, proof: await proofFor(small, token) })).status, 200);
      const full = await dpopCall(small, { token, proof: await proofFor(small, token) });
      assert.equal(full.status, 503);
      assert.equal((await full.json()).error, 'temporarily_unavailable');
      assert.match(logged.join('\n'), /replay cache is full/);
    } finally {
      await small.close();
    }
  });

  test('ath must be the SHA-256 of the access token sent', async () => {
    const token = await mintBound();
    const missing = await proofFor(api, token, { accessToken: undefined });
    await assertDpopError(await dpopCall(api, { token, proof: missing }), 'invalid_dpop_proof', /ath/);
    const wrong = await proofFor(api, token, { accessToken: await mintBound() });
    await assertDpopError(await dpopCall(api, { token, proof: wrong }), 'invalid_dpop_proof', /ath/);
  });

  test('no DPoP header, an empty one, or two of them is refused', async () => {
    const token = await mintBound();
    await assertDpopError(await dpopCall(api, { token }), 'invalid_dpop_proof', /exactly one/);
    await assertDpopError(await dpopCall(api, { token, proof: '' }), 'invalid_dpop_proof', /exactly one/);
    const [a, b] = [await proofFor(api, token), await proofFor(api, token)];
    const two = await rawRequest(endpoint(api), { authorization: `DPoP ${token}`, dpop: [a, b] });
    assert.deepEqual([two.status, two.body.error], [401, 'invalid_dpop_proof']);
    await assertDpopError(await dpopCall(api, { token, proof: `${a}, ${b}` }), 'invalid_dpop_proof', /exactly one/);
  });
});

describe('the key binding (RFC 9449 6, 7)', () => {
  test('a token bound to another key than the proof’s is 401 invalid_token', async () => {
    const token = await mintBound(other);
    const proof = await proofFor(api, token);
    await assertDpopError(await dpopCall(api, { token, proof }), 'invalid_token', /another key/);
  });

  test('a token without cnf.jkt sent with the DPoP scheme is 401 invalid_token', async () => {
    const token = await stub.mint();
    await assertDpopError(await dpopCall(api, { token, proof: await proofFor(api, token) }), 'invalid_token', /not DPoP-bound/);
  });

  test('a DPoP-bound token sent as Bearer is 401 invalid_token (RFC 9449 7.2), with the DPoP challenge besides', async () => {
    for (const cnf of [{ jkt: key.jkt }, { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' }]) {
      const token = await stub.mint({ cnf });
      const response = await fetch(endpoint(api), { headers: { authorization: `Bearer ${token}`, dpop: await proofFor(api, token) } });
      assert.equal(response.status, 401);
      assert.equal(
        response.headers.get('www-authenticate'),
        'Bearer realm="appointments", error="invalid_token", error_description="The access token is DPoP-bound: send it as '
          + `Authorization: DPoP <token> with a DPoP proof", DPoP algs="${ALGS}"`,
      );
      assert.equal((await response.json()).error, 'invalid_token');
    }
  });

  test('an unbound token as Bearer keeps working', async () => {
    const response = await fetch(endpoint(api), { headers: { authorization: `Bearer ${await stub.mint()}` } });
    assert.equal(response.status, 200);
  });

  test('token errors with the DPoP scheme use the DPoP challenge', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await mintBound(key, { iat: now - 600, exp: now - 60 });
    await assertDpopError(await dpopCall(api, { token, proof: await proofFor(api, token) }), 'invalid_token', /expired/);
    await assertDpopError(await dpopCall(api, { token: 'nope', proof: await proofFor(api, 'nope') }), 'invalid_token', /malformed/);
  });
});

describe('CORS for DPoP', () => {
  test('a preflight with the dpop request header is allowed', async () => {
    const response = await fetch(endpoint(api), {
      method: 'OPTIONS',
      headers: { origin: CLIENT_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, dpop' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), CLIENT_ORIGIN);
    assert.match(response.headers.get('access-control-allow-headers'), /(^|, )dpop(,|$)/);
  });
});

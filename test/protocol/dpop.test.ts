// DPoP (RFC 9449) in the protocol layer: the store's key (non-extractable, in IndexedDB), the proofs (every claim,
// checked with jose, an independent implementation), the nonce retry, and the code flow with DPoP against the fake
// provider (dpop_jkt, proofs on the code exchange, refreshes and API calls, token_type DPoP required).
import { expect } from '@open-wc/testing';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { startSignIn, takeTransaction } from '../../src/protocol/authorize.js';
import { handleResponse, parseFragment, refreshSession } from '../../src/protocol/callback.js';
import { boundKey, clearDpopCaches, deleteDpopKey, dpopFetch, dpopKey, dpopProof, htu, thumbprint } from '../../src/protocol/dpop.js';
import { callApi } from '../../src/protocol/request.js';
import { codeStats } from '../helpers/code-flow.js';
import { expectAuthError } from '../helpers/expect-error.js';
import { apiOf, issuerOf, providerFragment, resetPage, tenant } from '../helpers/idp.js';

const storeName = () => `dpop-${crypto.randomUUID()}`;
const claimsOf = (jwt: string) => JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
const sha256 = async (text: string) => btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The record IndexedDB holds for `store`, read without the library. */
function stored(store: string): Promise<{ alg: string; keys: CryptoKeyPair } | undefined> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('auth-elements', 1);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction('dpop-keys').objectStore('dpop-keys').get(store);
      request.onsuccess = () => (open.result.close(), resolve(request.result as { alg: string; keys: CryptoKeyPair } | undefined));
      request.onerror = () => reject(request.error);
    };
  });
}

/** A fetch that answers with `answers` in turn and records each request's headers. */
function scripted(...answers: (() => Response)[]) {
  const sent: Headers[] = [];
  const fetch = (async (_input: RequestInfo | URL, init: RequestInit = {}) => {
    sent.push(new Headers(init.headers));
    return (answers.shift() ?? (() => new Response('{}')))();
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

describe('DPoP: the key', () => {
  afterEach(() => clearDpopCaches());

  it('is made non-extractable (exportKey fails), kept in IndexedDB and never in Web Storage', async () => {
    const store = storeName();
    const key = await dpopKey(store, true);
    expect(key.alg).to.equal('ES256');
    expect(key.privateKey.extractable).to.equal(false);
    let exported: unknown;
    await crypto.subtle.exportKey('jwk', key.privateKey).then((value) => (exported = value), (error: Error) => (exported = error.name));
    expect(exported).to.equal('InvalidAccessError');
    const record = await stored(store);
    expect(record?.keys.privateKey.extractable).to.equal(false);
    expect(record?.alg).to.equal('ES256');
    const everything = JSON.stringify({ ...localStorage, ...sessionStorage });
    expect(everything).to.not.include(key.jwk.x!);
    // The public JWK holds the public members only.
    expect(Object.keys(key.jwk).sort()).to.deep.equal(['crv', 'kty', 'x', 'y']);
  });

  it('survives a reload (read back from IndexedDB: the same thumbprint) and is shared by calls', async () => {
    const store = storeName();
    const first = await dpopKey(store, true);
    expect(await dpopKey(store, true)).to.equal(first);
    clearDpopCaches();
    const again = await dpopKey(store);
    expect(again.jkt).to.equal(first.jkt);
    expect(again).to.not.equal(first);
  });

  it('has the RFC 7638 thumbprint (as jose computes it)', async () => {
    const key = await dpopKey(storeName(), true);
    expect(key.jkt).to.equal(await calculateJwkThumbprint(key.jwk as Parameters<typeof calculateJwkThumbprint>[0]));
    expect(await thumbprint({ ...key.jwk, kid: 'ignored', alg: 'ES256' } as JsonWebKey)).to.equal(key.jkt);
  });

  it('follows the provider: ES384 when it lists only that, invalid_discovery when it lists none this library signs with', async () => {
    const store = storeName();
    expect((await dpopKey(store, true, ['ES384'])).alg).to.equal('ES384');
    // A listed key is kept; one the provider no longer lists is replaced.
    expect((await dpopKey(store, true, ['ES384', 'ES256'])).alg).to.equal('ES384');
    expect((await dpopKey(store, true, ['ES512'])).alg).to.equal('ES512');
    await expectAuthError(() => dpopKey(storeName(), true, ['RS256', 'PS256']), 'invalid_discovery', /RS256, PS256.*none of ES256, ES384, ES512/);
  });

  it('a missing key is login_required (never a new one for a bound token); deleted, the next sign-in makes another', async () => {
    const store = storeName();
    await expectAuthError(() => dpopKey(store), 'login_required', /DPoP key is gone/);
    const key = await dpopKey(store, true);
    await deleteDpopKey(store);
    expect(await stored(store)).to.equal(undefined);
    await expectAuthError(() => boundKey(store, key.jkt), 'login_required');
    const next = await dpopKey(store, true);
    expect(next.jkt).to.not.equal(key.jkt);
    await expectAuthError(() => boundKey(store, key.jkt), 'login_required', /bound to is gone/);
  });

  it('two tabs making a key at once keep one (the first one written)', async () => {
    const store = storeName();
    const mine = dpopKey(store, true);
    clearDpopCaches();
    const theirs = dpopKey(store, true);
    const [a, b] = await Promise.all([mine, theirs]);
    expect(a.jkt).to.equal(b.jkt);
  });

  it('a key another tab wrote while this one was making its own wins: the first one written stays', async () => {
    const store = storeName();
    const { generateKey } = crypto.subtle;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const generating = new Promise<void>((resolve) => (started = resolve));
    // This tab's key generation waits until "another tab" has stored its key.
    crypto.subtle.generateKey = (async (...args: Parameters<typeof generateKey>) => {
      started();
      await held;
      return generateKey.apply(crypto.subtle, args);
    }) as typeof generateKey;
    try {
      const mine = dpopKey(store, true);
      await generating;
      const keys = (await generateKey.call(crypto.subtle, { name: 'ECDSA', namedCurve: 'P-256' } as EcKeyGenParams, false, ['sign'])) as CryptoKeyPair;
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('auth-elements', 1);
        open.onsuccess = () => {
          const tx = open.result.transaction('dpop-keys', 'readwrite');
          tx.objectStore('dpop-keys').put({ store, alg: 'ES256', keys });
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      });
      release();
      const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', keys.publicKey);
      expect((await mine).jkt).to.equal(await thumbprint({ kty, crv, x, y }));
    } finally {
      crypto.subtle.generateKey = generateKey;
    }
  });

  it('IndexedDB refused is storage_unavailable', async () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!;
    Object.defineProperty(globalThis, 'indexedDB', { configurable: true, value: { open: () => { throw new DOMException('blocked', 'SecurityError'); } } });
    try {
      await expectAuthError(() => dpopKey(storeName(), true), 'storage_unavailable', /IndexedDB threw SecurityError/);
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', descriptor);
    }
  });
});

describe('DPoP: the proof', () => {
  afterEach(() => clearDpopCaches());

  it('is a dpop+jwt with the public jwk, htm, htu, iat and a unique jti, verified by jose with the embedded key', async () => {
    const key = await dpopKey(storeName(), true);
    const proof = await dpopProof(key, 'post', 'https://api.example/things?page=2#top');
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    expect(protectedHeader.jwk).to.deep.equal(key.jwk);
    expect(protectedHeader.jwk).to.not.have.property('d');
    expect(payload.htm).to.equal('POST');
    expect(payload.htu).to.equal('https://api.example/things');
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).to.be.below(5);
    expect(payload.jti).to.match(/^[\w-]{22,}$/);
    expect(payload).to.not.have.property('ath');
    expect(payload).to.not.have.property('nonce');
    const other = claimsOf(await dpopProof(key, 'POST', 'https://api.example/things'));
    expect(other.jti).to.not.equal(payload.jti);
  });

  it('carries ath, the base64url SHA-256 of the access token, and the nonce given', async () => {
    const key = await dpopKey(storeName(), true);
    const claims = claimsOf(await dpopProof(key, 'GET', 'https://api.example/', 'the-token', 'n-1'));
    expect(claims.ath).to.equal(await sha256('the-token'));
    expect(claims.nonce).to.equal('n-1');
  });

  it('htu has no query and no fragment, and is the URL as parsed (host in lower case, default port dropped)', () => {
    expect(htu('https://API.example:443/a/b?x=1#f')).to.equal('https://api.example/a/b');
    expect(htu(new URL('http://localhost:8000/token?'))).to.equal('http://localhost:8000/token');
  });

  it('an ES384 key signs ES384 proofs', async () => {
    const key = await dpopKey(storeName(), true, ['ES384']);
    const proof = await dpopProof(key, 'GET', 'https://api.example/');
    expect(decodeProtectedHeader(proof).alg).to.equal('ES384');
    await jwtVerify(proof, EmbeddedJWK, { algorithms: ['ES384'] });
  });
});

describe('DPoP: the fetch', () => {
  afterEach(() => clearDpopCaches());

  it('sends a fresh proof and Authorization: DPoP, and retries an authorization server\'s use_dpop_nonce once with its nonce', async () => {
    const key = await dpopKey(storeName(), true);
    const { fetch, sent } = scripted(
      () => Response.json({ error: 'use_dpop_nonce' }, { status: 400, headers: { 'dpop-nonce': 'n-1' } }),
      () => Response.json({ ok: 1 }),
    );
    const response = await dpopFetch(key, 'tok', fetch)('https://as.example/token', { method: 'POST', body: 'a=1' });
    expect(response.status).to.equal(200);
    expect(sent).to.have.length(2);
    expect(sent[0]!.get('authorization')).to.equal('DPoP tok');
    expect(claimsOf(sent[0]!.get('dpop')!)).to.not.have.property('nonce');
    expect(claimsOf(sent[1]!.get('dpop')!).nonce).to.equal('n-1');
    expect(claimsOf(sent[1]!.get('dpop')!).jti).to.not.equal(claimsOf(sent[0]!.get('dpop')!).jti);
    // Remembered for the next request to that server.
    const next = scripted();
    await dpopFetch(key, undefined, next.fetch)('https://as.example/other', { method: 'POST' });
    expect(claimsOf(next.sent[0]!.get('dpop')!).nonce).to.equal('n-1');
  });

  it('retries a resource server\'s 401 DPoP error="use_dpop_nonce" once; a second refusal is the answer (no loop)', async () => {
    const key = await dpopKey(storeName(), true);
    const refuse = (nonce: string) => () => new Response('', { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"', 'dpop-nonce': nonce } });
    const { fetch, sent } = scripted(refuse('n-1'), refuse('n-2'), refuse('n-3'));
    const response = await dpopFetch(key, 'tok', fetch)('https://rs.example/x');
    expect(response.status).to.equal(401);
    expect(sent).to.have.length(2);
  });

  it('does not retry other refusals, nor a nonce refusal without a new nonce', async () => {
    const key = await dpopKey(storeName(), true);
    const cases = [
      () => new Response('', { status: 401, headers: { 'www-authenticate': 'DPoP error="invalid_token"', 'dpop-nonce': 'n' } }),
      () => new Response('', { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"' } }),
      () => Response.json({ error: 'invalid_grant' }, { status: 400, headers: { 'dpop-nonce': 'n2' } }),
    ];
    for (const answer of cases) {
      const { fetch, sent } = scripted(answer);
      await dpopFetch(key, 'tok', fetch)('https://rs.example/x');
      expect(sent, String(answer)).to.have.length(1);
    }
  });

  it('does not retry a nonce refusal that gives back the nonce the proof already carried', async () => {
    const key = await dpopKey(storeName(), true);
    const refuse = () => new Response('', { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'same' } });
    // The first request learns the nonce (one retry, with it) ...
    const first = scripted(refuse, refuse);
    await dpopFetch(key, 'tok', first.fetch)('https://rs-same.example/x');
    expect(first.sent).to.have.length(2);
    expect(claimsOf(first.sent[1]!.get('dpop')!).nonce).to.equal('same');
    // ... the next one sends it, and the same refusal with the same nonce is the answer: nothing new to try.
    const next = scripted(refuse, refuse);
    const response = await dpopFetch(key, 'tok', next.fetch)('https://rs-same.example/y');
    expect(response.status).to.equal(401);
    expect(next.sent).to.have.length(1);
  });
});

describe('DPoP: the code flow through the fake provider', () => {
  afterEach(() => {
    resetPage();
    clearDpopCaches();
  });

  async function dpopSignIn(t: string, store = storeName()) {
    const { url, transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), responseType: 'code', dpop: true, store });
    const params = parseFragment(await providerFragment(url))!;
    return { url, transaction, params, store };
  }

  it('sends dpop_jkt, the thumbprint of the store\'s key, and keeps it with the pending sign-in', async () => {
    const t = tenant();
    const store = storeName();
    const { url, transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', responseType: 'code', dpop: true, store });
    const key = await dpopKey(store);
    expect(new URL(url).searchParams.get('dpop_jkt')).to.equal(key.jkt);
    expect(takeTransaction(transaction.state).dpopJkt).to.equal(key.jkt);
    expect(transaction.renewal?.dpop).to.equal(true);
  });

  it('is refused for an implicit response type (invalid_config) before anything is sent', async () => {
    await expectAuthError(() => startSignIn({ issuer: issuerOf(tenant()), clientId: 'app', responseType: 'id_token token', dpop: true }), 'invalid_config', /dpop needs response-type code/);
  });

  it('exchanges the code with a proof (nonce retried once), gets a DPoP-bound session and calls the API with DPoP', async () => {
    const t = tenant('dpopnonce-');
    const { params, store } = await dpopSignIn(t);
    const { session } = await handleResponse(params);
    const key = await dpopKey(store);
    expect(session.tokenType).to.equal('DPoP');
    expect(session.dpopJkt).to.equal(key.jkt);
    expect((claimsOf(session.accessToken!).cnf as { jkt: string }).jkt).to.equal(key.jkt);
    const { dpopProofs, nonceRefusals } = (await codeStats(t)) as unknown as { dpopProofs: { payload: Record<string, unknown> }[]; nonceRefusals: number };
    expect(nonceRefusals).to.equal(1);
    expect(dpopProofs).to.have.length(1);
    expect(dpopProofs[0]!.payload.htu).to.equal(`${issuerOf(t)}/token`);
    expect(dpopProofs[0]!.payload.htm).to.equal('POST');
    expect(dpopProofs[0]!.payload).to.not.have.property('ath');

    const answer = await callApi({ url: `${apiOf(t)}/echo?x=1` }, { accessToken: session.accessToken, allowedOrigins: [location.origin], store, dpopJkt: session.dpopJkt });
    expect(answer.data).to.include({ sub: 'user-1', query: 'x=1' });
    const after = (await codeStats(t)) as unknown as { dpopProofs: { payload: Record<string, unknown> }[]; nonceRefusals: number };
    const apiProof = after.dpopProofs[1]!.payload;
    expect(apiProof.htu).to.equal(`${apiOf(t)}/echo`);
    expect(apiProof.ath).to.equal(await sha256(session.accessToken!));
    // The API's nonce is the tenant's too: remembered from the token endpoint, so no second refusal.
    expect(after.nonceRefusals).to.equal(1);
  });

  it('a refresh sends a proof of the same key; the refresh token with another key is refused', async () => {
    const t = tenant();
    const { params, store } = await dpopSignIn(t);
    const { session } = await handleResponse(params);
    const renewed = await refreshSession({ issuer: issuerOf(t), clientId: 'app', responseType: 'code', store }, session, session.refreshToken!);
    expect(renewed.session.tokenType).to.equal('DPoP');
    expect(renewed.session.dpopJkt).to.equal(session.dpopJkt);
    expect(renewed.session.accessToken).to.not.equal(session.accessToken);
    // The same refresh token (rotated) from another key: the provider refuses it.
    const thief = storeName();
    await dpopKey(thief, true);
    const stolen = { ...renewed.session, dpopJkt: (await dpopKey(thief)).jkt };
    await expectAuthError(() => refreshSession({ issuer: issuerOf(t), clientId: 'app', responseType: 'code', store: thief }, stolen, renewed.session.refreshToken!), 'invalid_grant', /another DPoP key/);
  });

  it('a Bearer answer to a DPoP request is refused (invalid_response): the token would travel without proofs', async () => {
    const { params } = await dpopSignIn(tenant('dpopbearer-'));
    await expectAuthError(() => handleResponse(params), 'invalid_response', /token_type Bearer is not DPoP/);
  });

  it('a code bound by dpop_jkt is refused when the key changed before the exchange', async () => {
    const t = tenant();
    const { params, store, transaction } = await dpopSignIn(t);
    await deleteDpopKey(store);
    await dpopKey(store, true);
    await expectAuthError(() => handleResponse(params), 'login_required', /bound to is gone/);
    expect(transaction.dpopJkt).to.be.a('string');
  });

  it('the API refuses the DPoP-bound token sent as Bearer, and a proof sent twice', async () => {
    const t = tenant();
    const { params, store } = await dpopSignIn(t);
    const { session } = await handleResponse(params);
    await expectAuthError(() => callApi({ url: `${apiOf(t)}/echo` }, { accessToken: session.accessToken, allowedOrigins: [location.origin] }), 'http_error', /HTTP 401 \(invalid_token\)/);
    const proof = await dpopProof(await dpopKey(store), 'GET', `${apiOf(t)}/echo`, session.accessToken);
    const send = () => fetch(`${apiOf(t)}/echo`, { headers: { authorization: `DPoP ${session.accessToken}`, dpop: proof } });
    expect((await send()).status).to.equal(200);
    const replay = await send();
    expect(replay.status).to.equal(401);
    expect(replay.headers.get('www-authenticate')).to.equal('DPoP error="invalid_dpop_proof"');
  });
});

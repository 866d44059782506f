// The authorization code flow with PKCE (response_type=code) in the protocol layer, against the fake provider's
// /authorize and /token: the authorization request, the code exchange and every way it must fail, and refresh tokens.
import { expect } from '@open-wc/testing';
import { authorizeUrl, createTransaction, startSignIn, takeTransaction } from '../../src/protocol/authorize.js';
import { handleResponse, parseFragment, refreshSession, type Session } from '../../src/protocol/callback.js';
import { codeChallenge, tokenEndpoint, tokenRequest } from '../../src/protocol/token.js';
import { codeResponse, codeStats, editTransaction, tokenEndpoint as post } from '../helpers/code-flow.js';
import { expectAuthError } from '../helpers/expect-error.js';
import { apiOf, issuerOf, resetPage, tenant } from '../helpers/idp.js';

const BASE64URL_256 = /^[A-Za-z0-9_-]{43}$/;
const metadata = { issuer: 'https://idp.example/', authorization_endpoint: 'https://idp.example/authorize', jwks_uri: 'https://idp.example/jwks', token_endpoint: 'https://idp.example/token' };

describe('code flow: a token endpoint answer of the wrong types', () => {
  afterEach(resetPage);

  it('an access_token that is not text is no access token: invalid_response, nothing returned', async () => {
    const { params } = await codeResponse(tenant('oddjson-'));
    const error = await expectAuthError(() => handleResponse(params), 'invalid_response');
    expect(error.message).to.contain('access_token missing');
  });
});

describe('code flow: the authorization request', () => {
  afterEach(resetPage);

  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).to.equal('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('keeps a fresh 43-character verifier with the pending sign-in, and none for implicit', () => {
    const a = createTransaction({ issuer: metadata.issuer, clientId: 'app', responseType: 'code' });
    const b = createTransaction({ issuer: metadata.issuer, clientId: 'app', responseType: ' code ' });
    expect(a.responseType).to.equal('code');
    expect(a.verifier).to.match(BASE64URL_256);
    expect(b.verifier).to.match(BASE64URL_256);
    expect(a.verifier).to.not.equal(b.verifier);
    expect(a.verifier).to.not.be.oneOf([a.state, a.nonce]);
    expect(createTransaction({ issuer: metadata.issuer, clientId: 'app' })).to.not.have.property('verifier');
  });

  it('adds openid to the scope, as for an ID token', () => {
    expect(createTransaction({ issuer: metadata.issuer, clientId: 'app', responseType: 'code', scope: 'read' }).scope).to.equal('openid read');
  });

  it('startSignIn sends response_type=code, the S256 challenge of the saved verifier, response_mode=fragment and the nonce', async () => {
    const t = tenant();
    const { url, transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), responseType: 'code' });
    const params = new URL(url).searchParams;
    expect(params.get('response_type')).to.equal('code');
    expect(params.get('code_challenge_method')).to.equal('S256');
    expect(params.get('code_challenge')).to.equal(await codeChallenge(transaction.verifier!));
    expect(params.get('response_mode')).to.equal('fragment');
    expect(params.get('nonce')).to.equal(transaction.nonce);
    expect(params.get('state')).to.equal(transaction.state);
    // Never the verifier itself.
    expect(url).to.not.include(transaction.verifier!);
    for (const name of ['code_challenge', 'code_challenge_method', 'response_mode']) expect(params.getAll(name), name).to.have.length(1);
    expect(takeTransaction(transaction.state).verifier).to.equal(transaction.verifier);
  });

  it('sends no PKCE parameters and no response_mode for implicit response types', async () => {
    const { url } = await startSignIn({ issuer: issuerOf(tenant()), clientId: 'app' });
    const params = new URL(url).searchParams;
    for (const name of ['code_challenge', 'code_challenge_method', 'response_mode']) expect(params.has(name), name).to.equal(false);
  });

  it('asks a silent code answer by web_message from a provider that lists it, else in the fragment', () => {
    const tx = createTransaction({ issuer: metadata.issuer, clientId: 'app', responseType: 'code' }, location, 'silent');
    const listing = { ...metadata, response_modes_supported: ['fragment', 'web_message'] };
    expect(new URL(authorizeUrl(listing, tx, 'challenge')).searchParams.get('response_mode')).to.equal('web_message');
    const params = new URL(authorizeUrl(metadata, tx, 'challenge')).searchParams;
    expect(params.get('response_mode')).to.equal('fragment');
    expect(params.get('prompt')).to.equal('none');
    expect(params.get('code_challenge')).to.equal('challenge');
  });

  it('fails with invalid_discovery, before leaving, when the provider has no token endpoint', async () => {
    const t = tenant('notoken-');
    await expectAuthError(() => startSignIn({ issuer: issuerOf(t), clientId: 'app', responseType: 'code' }), 'invalid_discovery', /token_endpoint/);
    // The implicit grant needs none.
    await startSignIn({ issuer: issuerOf(t), clientId: 'app' });
  });

  it('refuses a token endpoint that is not https (nor loopback): invalid_discovery', async () => {
    expect(tokenEndpoint(metadata).href).to.equal('https://idp.example/token');
    expect(tokenEndpoint({ ...metadata, token_endpoint: 'http://localhost:8080/token' }).href).to.equal('http://localhost:8080/token');
    await expectAuthError(() => tokenEndpoint({ ...metadata, token_endpoint: 'http://idp.example/token' }), 'invalid_discovery');
    await expectAuthError(() => tokenEndpoint({ ...metadata, token_endpoint: 42 }), 'invalid_discovery');
  });
});

describe('parseFragment with a code', () => {
  it('recognizes code with state as a response', () => {
    expect(parseFragment('#code=abc&state=xyz')).to.deep.equal({ code: 'abc', state: 'xyz' });
    expect(parseFragment('#state=xyz&code=abc&iss=https%3A%2F%2Fidp.example')).to.deep.equal({ state: 'xyz', code: 'abc', iss: 'https://idp.example' });
  });

  it('leaves a link target named code alone', () => {
    expect(parseFragment('#code')).to.equal(null);
    expect(parseFragment('#code=example')).to.equal(null);
  });

  it('refuses a code given twice', async () => {
    await expectAuthError(() => parseFragment('#code=a&code=b&state=s'), 'invalid_response', /code given twice/);
  });
});

describe('code flow: the exchange at the token endpoint', () => {
  let t: string;
  beforeEach(() => {
    t = tenant();
  });
  afterEach(resetPage);

  it('redeems the code with the verifier and returns the same session as implicit, plus a refresh token', async () => {
    const { transaction, params } = await codeResponse(t, { scope: 'openid profile read' });
    expect(Object.keys(params).sort()).to.deep.equal(['code', 'state']);
    const before = Date.now();
    const { session, transaction: taken } = await handleResponse(params);
    expect(taken).to.deep.equal(transaction);
    expect(Object.keys(session).sort()).to.deep.equal(['accessToken', 'allowedOrigins', 'auth0', 'claims', 'clientId', 'expiresAt', 'idToken', 'issuedAt', 'issuer', 'refreshToken', 'renewal', 'scope', 'tokenType']);
    expect(session.tokenType).to.equal('Bearer');
    expect(session.expiresAt).to.be.within(before + 3600_000, Date.now() + 3600_000);
    expect(session.scope).to.equal('openid profile read');
    expect(session.claims?.sub).to.equal('user-1');
    expect(session.claims?.nonce).to.equal(transaction.nonce);
    // The provider's ID token has c_hash (checked) and no at_hash (not required from the token endpoint).
    expect(session.claims?.c_hash).to.be.a('string');
    expect(session.claims).to.not.have.property('at_hash');
    expect(session.refreshToken).to.be.a('string');
    expect(session.issuer).to.equal(issuerOf(t));
    expect(session.allowedOrigins).to.deep.equal([location.origin]);
    expect((await codeStats(t)).codeExchanges).to.equal(1);
  });

  it('takes the state (single use) before the exchange: the same response again is invalid_state, with no second exchange', async () => {
    const { params } = await codeResponse(t);
    await handleResponse(params);
    await expectAuthError(() => handleResponse(params), 'invalid_state', /already used/);
    expect((await codeStats(t)).codeExchanges).to.equal(1);
  });

  it('refuses a wrong verifier: invalid_grant from the provider', async () => {
    const { transaction, params } = await codeResponse(t);
    editTransaction(transaction.state, (tx) => (tx.verifier = createTransaction({ issuer: issuerOf(t), clientId: 'app', responseType: 'code' }).verifier));
    await expectAuthError(() => handleResponse(params), 'invalid_grant', /PKCE/);
  });

  it('refuses a missing verifier: invalid_grant from the provider', async () => {
    const { transaction, params } = await codeResponse(t);
    editTransaction(transaction.state, (tx) => delete tx.verifier);
    await expectAuthError(() => handleResponse(params), 'invalid_grant', /code_verifier missing/);
  });

  it('refuses a replayed code (a used code put into another sign-in): invalid_grant', async () => {
    const first = await codeResponse(t);
    await handleResponse(first.params);
    const second = await codeResponse(t);
    await expectAuthError(() => handleResponse({ ...second.params, code: first.params.code! }), 'invalid_grant', /already used/);
  });

  it('refuses a code issued to another client: invalid_grant', async () => {
    const theirs = await codeResponse(t, { clientId: 'other-app' });
    const mine = await codeResponse(t);
    await expectAuthError(() => handleResponse({ ...mine.params, code: theirs.params.code! }), 'invalid_grant', /another client/);
  });

  it('refuses a code whose redirect URI differs: invalid_grant', async () => {
    const { transaction, params } = await codeResponse(t);
    editTransaction(transaction.state, (tx) => (tx.redirectUri = `${location.origin}/elsewhere`));
    await expectAuthError(() => handleResponse(params), 'invalid_grant', /redirect_uri/);
  });

  it('refuses an ID token whose c_hash is not the code\'s: invalid_id_token', async () => {
    const { params } = await codeResponse(tenant('badchash-'));
    await expectAuthError(() => handleResponse(params), 'invalid_id_token', /c_hash/);
  });

  it('refuses a code response without a code', async () => {
    const { params } = await codeResponse(t);
    await expectAuthError(() => handleResponse({ state: params.state! }), 'invalid_response', /code missing/);
  });

  it('takes tokens from the token endpoint only, never from the front channel', async () => {
    const { params } = await codeResponse(t);
    const { session } = await handleResponse({ ...params, access_token: 'injected', id_token: 'injected', token_type: 'Bearer' });
    expect(session.accessToken).to.not.equal('injected');
    expect(session.idToken).to.not.equal('injected');
  });

  it("passes the provider's authorization error on, without an exchange", async () => {
    const { transaction } = await codeResponse(t);
    const { transaction: other } = await codeResponse(t);
    await expectAuthError(() => handleResponse({ error: 'access_denied', error_description: 'no', state: other.state }), 'access_denied', /no/);
    expect(transaction.state).to.not.equal(other.state);
    expect((await codeStats(t)).codeExchanges).to.equal(0);
  });

  it('gives http_error for a token endpoint answer without an error object, network_error when unreachable', async () => {
    const { params } = await codeResponse(t);
    const broken = (async () => new Response('oops', { status: 500 })) as typeof fetch;
    await expectAuthError(() => handleResponse(params, { fetch: broken }), 'http_error', /500/);
    const { params: again } = await codeResponse(t);
    const offline = (async () => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    await expectAuthError(() => handleResponse(again, { fetch: offline }), 'network_error');
  });

  it('posts a form (grant_type, code, redirect_uri, client_id, code_verifier) without credentials', async () => {
    const { transaction, params } = await codeResponse(t);
    let sent: { url: string; init: RequestInit } | undefined;
    const spy = (async (url: string, init: RequestInit) => {
      if (init.method === 'POST') sent = { url: String(url), init };
      return fetch(url, init);
    }) as typeof fetch;
    await handleResponse(params, { fetch: spy });
    expect(sent!.url).to.equal(`${issuerOf(t)}/token`);
    expect(sent!.init.method).to.equal('POST');
    expect(sent!.init.credentials).to.equal('omit');
    expect(Object.fromEntries(sent!.init.body as URLSearchParams)).to.deep.equal({
      grant_type: 'authorization_code', code: params.code, redirect_uri: transaction.redirectUri, client_id: 'app', code_verifier: transaction.verifier,
    });
  });
});

describe('refresh tokens (refreshSession)', () => {
  let t: string;
  let session: Session;
  const config = () => ({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), responseType: 'code' });
  beforeEach(async () => {
    t = tenant();
    ({ session } = await handleResponse((await codeResponse(t)).params));
  });
  afterEach(resetPage);

  it('renews the session with the refresh token: a new access token, the same user, a rotated refresh token', async () => {
    const { session: renewed, transaction } = await refreshSession(config(), session, session.refreshToken!);
    expect(renewed.accessToken).to.be.a('string').and.not.equal(session.accessToken);
    expect(renewed.refreshToken).to.be.a('string').and.not.equal(session.refreshToken);
    expect(renewed.claims?.sub).to.equal('user-1');
    expect(renewed.tokenType).to.equal('Bearer');
    expect(renewed.issuer).to.equal(session.issuer);
    expect(renewed.expiresAt).to.be.above(Date.now() + 3500_000);
    expect(transaction.store).to.equal('default');
    expect(await codeStats(t)).to.include({ refreshes: 1, silentRequests: 0 });
  });

  it('gives the provider\'s invalid_grant for a rotated refresh token used again, and that revokes the newer one too', async () => {
    const { session: renewed } = await refreshSession(config(), session, session.refreshToken!);
    await expectAuthError(() => refreshSession(config(), session, session.refreshToken!), 'invalid_grant', /already used/);
    await expectAuthError(() => refreshSession(config(), renewed, renewed.refreshToken!), 'invalid_grant', /revoked/);
  });

  it('refuses a refreshed ID token of another user: invalid_id_token', async () => {
    const other = { ...session, claims: { ...session.claims!, sub: 'user-2' } };
    await expectAuthError(() => refreshSession(config(), other, session.refreshToken!), 'invalid_id_token', /sub/);
  });

  it('is refused for another client: invalid_grant', async () => {
    const { status, body } = await post(t, { grant_type: 'refresh_token', refresh_token: session.refreshToken!, client_id: 'other-app' });
    expect(status).to.equal(400);
    expect(body.error).to.equal('invalid_grant');
  });

  it('tokenRequest passes an error object through with its description', async () => {
    const meta = { issuer: issuerOf(t), authorization_endpoint: '', jwks_uri: '', token_endpoint: `${issuerOf(t)}/token` };
    await expectAuthError(() => tokenRequest(meta, { grant_type: 'password', client_id: 'app' }), 'unsupported_grant_type', /password/);
  });
});

import { expect } from '@open-wc/testing';
import { authorizeUrl, createTransaction, saveTransaction, startSignIn, takeTransaction, type SignInConfig } from '../../src/protocol/authorize.js';
import { expectAuthError } from '../helpers/expect-error.js';
import { issuerOf, resetPage, tenant } from '../helpers/idp.js';

const ISSUER = 'https://idp.example/';
const BASE64URL_256 = /^[A-Za-z0-9_-]{43,}$/;
const config = (more: SignInConfig = {}): SignInConfig => ({ issuer: ISSUER, clientId: 'app', ...more });
const metadata = { issuer: ISSUER, authorization_endpoint: 'https://idp.example/authorize', jwks_uri: 'https://idp.example/jwks' };
const paramsOf = (tx: ReturnType<typeof createTransaction>) => new URL(authorizeUrl(metadata, tx)).searchParams;

describe('sign-in request', () => {
  afterEach(resetPage);

  it('asks a silent answer by web_message from Auth0 or a provider that lists it, and only for silent sign-ins', () => {
    const auth0 = { domain: 'tenant.eu.auth0.com', clientId: 'app' };
    expect(paramsOf(createTransaction(auth0, location, 'silent')).get('response_mode')).to.equal('web_message');
    expect(paramsOf(createTransaction(auth0, location, 'silent')).get('prompt')).to.equal('none');
    expect(paramsOf(createTransaction(auth0)).has('response_mode')).to.equal(false);
    expect(paramsOf(createTransaction(auth0, location, 'popup')).has('response_mode')).to.equal(false);
    expect(paramsOf(createTransaction(config(), location, 'silent')).has('response_mode')).to.equal(false);
    const listing = { ...metadata, response_modes_supported: ['fragment', 'web_message'] };
    expect(new URL(authorizeUrl(listing, createTransaction(config(), location, 'silent'))).searchParams.get('response_mode')).to.equal('web_message');
    expect(new URL(authorizeUrl(listing, createTransaction(config()))).searchParams.has('response_mode')).to.equal(false);
  });

  it('startSignIn builds the URL on the discovered authorization endpoint', async () => {
    const t = tenant();
    const { url, transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', audience: 'https://api.example/', scope: 'openid email' });
    const parsed = new URL(url);
    expect(`${parsed.origin}${parsed.pathname}`).to.equal(`${issuerOf(t)}/authorize`);
    const params = parsed.searchParams;
    expect(params.get('client_id')).to.equal('app');
    expect(params.get('response_type')).to.equal('id_token token');
    expect(params.get('redirect_uri')).to.equal(`${location.origin}${location.pathname}`);
    expect(params.get('scope')).to.equal('openid email');
    expect(params.get('audience')).to.equal('https://api.example/');
    expect(params.get('state')).to.equal(transaction.state);
    expect(params.get('nonce')).to.equal(transaction.nonce);
  });

  it('startSignIn saves the transaction for the response', async () => {
    const { transaction } = await startSignIn({ issuer: issuerOf(tenant()), clientId: 'app' });
    expect(takeTransaction(transaction.state)).to.deep.equal(transaction);
  });

  it('the default redirect URI is the page URL without query or fragment', () => {
    const tx = createTransaction(config(), new URL(`${location.origin}/app/page.html?x=1&y=2#frag`));
    expect(tx.redirectUri).to.equal(`${location.origin}/app/page.html`);
    expect(paramsOf(tx).get('redirect_uri')).to.equal(`${location.origin}/app/page.html`);
    expect(createTransaction(config()).redirectUri).to.equal(`${location.origin}${location.pathname}`);
  });

  it('omits audience when none is configured', () => {
    expect(paramsOf(createTransaction(config())).has('audience')).to.equal(false);
  });

  it('state and nonce are 256-bit base64url values, fresh on every call', () => {
    const a = createTransaction(config());
    const b = createTransaction(config());
    for (const value of [a.state, a.nonce, b.state, b.nonce]) expect(value).to.match(BASE64URL_256);
    expect(new Set([a.state, a.nonce, b.state, b.nonce]).size).to.equal(4);
  });

  it('adds openid to the scope for response types with an ID token', () => {
    expect(createTransaction(config({ scope: 'profile email' })).scope).to.equal('openid profile email');
    expect(createTransaction(config({ responseType: 'id_token', scope: 'email' })).scope).to.equal('openid email');
    expect(createTransaction(config({ scope: 'email openid' })).scope).to.equal('email openid');
    expect(createTransaction(config()).scope).to.equal('openid profile');
  });

  it('does not add openid for response type token', () => {
    const tx = createTransaction(config({ responseType: 'token', scope: 'read:items' }));
    expect(tx.scope).to.equal('read:items');
    expect(paramsOf(tx).get('scope')).to.equal('read:items');
  });

  it('normalizes the response type, falling back to id_token token', () => {
    // Hybrid response types (a code with tokens) are not supported: they mean the default.
    for (const hybrid of ['code id_token', 'code token', 'code id_token token', 'codes']) {
      expect(createTransaction(config({ responseType: hybrid })).responseType, hybrid).to.equal('id_token token');
    }
    expect(createTransaction(config({ responseType: ' code ' })).responseType).to.equal('code');
    expect(createTransaction(config({ responseType: 'token id_token' })).responseType).to.equal('id_token token');
    expect(createTransaction(config({ responseType: 'id_token' })).responseType).to.equal('id_token');
    expect(createTransaction(config({ responseType: 'token' })).responseType).to.equal('token');
    expect(paramsOf(createTransaction(config({ responseType: 'token id_token' }))).get('response_type')).to.equal('id_token token');
  });

  it('falls back to session storage for an unknown storage', () => {
    expect(createTransaction(config({ storage: 'cookie' })).storage).to.equal('session');
    expect(createTransaction(config()).storage).to.equal('session');
    expect(createTransaction(config({ storage: 'local' })).storage).to.equal('local');
    expect(createTransaction(config({ storage: 'memory' })).storage).to.equal('memory');
  });

  it('requires a client id', async () => {
    await expectAuthError(() => createTransaction({ issuer: ISSUER }), 'invalid_config');
  });

  it('refuses a redirect URI on another origin', async () => {
    await expectAuthError(() => createTransaction(config({ redirectUri: 'https://other.example/callback' })), 'invalid_config');
  });

  it('allows the page origin, the audience origin and the listed origins', () => {
    const tx = createTransaction(config({ audience: 'https://api.example.com/v2/', allowedOrigins: 'https://a.example  http://localhost:9999' }));
    expect(tx.allowedOrigins).to.have.members([location.origin, 'https://api.example.com', 'https://a.example', 'http://localhost:9999']);
    expect(tx.allowedOrigins).to.have.length(4);
  });

  it('allows only the page origin for an audience that is not a URL', () => {
    expect(createTransaction(config({ audience: 'my-api' })).allowedOrigins).to.deep.equal([location.origin]);
  });

  it('refuses an allowed origin with a path', async () => {
    await expectAuthError(() => createTransaction(config({ allowedOrigins: 'https://a.example/api' })), 'invalid_config');
  });
});

describe('takeTransaction', () => {
  afterEach(resetPage);

  const saved = () => {
    const tx = createTransaction(config());
    saveTransaction(tx);
    return tx;
  };

  it('returns the pending sign-in once', async () => {
    const tx = saved();
    expect(takeTransaction(tx.state)).to.deep.equal(tx);
    await expectAuthError(() => takeTransaction(tx.state), 'invalid_state', /already used|replay/i);
  });

  it('refuses an unknown state', async () => {
    saved();
    await expectAuthError(() => takeTransaction('unknown-state'), 'invalid_state', /unknown|no pending/i);
  });

  it('refuses a missing state', async () => {
    saved();
    await expectAuthError(() => takeTransaction(null), 'invalid_state');
    await expectAuthError(() => takeTransaction(''), 'invalid_state');
  });

  it('refuses a sign-in older than 10 minutes', async () => {
    const tx = saved();
    await expectAuthError(() => takeTransaction(tx.state, Date.now() + 11 * 60_000), 'invalid_state', /expired/i);
  });

  it('accepts a sign-in within 10 minutes', () => {
    const tx = saved();
    expect(takeTransaction(tx.state, Date.now() + 9 * 60_000).state).to.equal(tx.state);
  });

  it('refuses a corrupt pending sign-in', async () => {
    const tx = saved();
    const keys = Object.keys(sessionStorage).filter((key) => key.includes(tx.state));
    expect(keys).to.have.length(1);
    sessionStorage.setItem(keys[0]!, '{"state": not json');
    await expectAuthError(() => takeTransaction(tx.state), 'invalid_state');
  });

  it('refuses a pending sign-in of the wrong shape', async () => {
    const tx = saved();
    const key = Object.keys(sessionStorage).find((k) => k.includes(tx.state))!;
    sessionStorage.setItem(key, JSON.stringify({ ...tx, state: 'another-state' }));
    await expectAuthError(() => takeTransaction(tx.state), 'invalid_state');
  });
});

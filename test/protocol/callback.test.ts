import { expect } from '@open-wc/testing';
import { startSignIn } from '../../src/protocol/authorize.js';
import { handleResponse, parseFragment } from '../../src/protocol/callback.js';
import { expectAuthError, providerResponse } from '../helpers/expect-error.js';
import { atHash, claims, issuerOf, resetPage, sign, stats, tenant } from '../helpers/idp.js';

describe('parseFragment', () => {
  it('returns null for a fragment without response parameters', () => {
    expect(parseFragment('#section-2')).to.equal(null);
    expect(parseFragment('')).to.equal(null);
    expect(parseFragment('#')).to.equal(null);
    expect(parseFragment('#state=abc&foo=bar')).to.equal(null);
  });

  it('refuses a state given twice', async () => {
    await expectAuthError(() => parseFragment('#access_token=at&state=a&state=b'), 'invalid_response', /state/);
  });

  it('refuses an access_token given twice', async () => {
    await expectAuthError(() => parseFragment('#access_token=a&access_token=b&state=s'), 'invalid_response', /access_token/);
  });

  it('decodes the values', () => {
    expect(parseFragment('#error=access_denied&error_description=The%20user%20said%20no%2C%20twice&state=a%2Bb%3D'))
      .to.deep.equal({ error: 'access_denied', error_description: 'The user said no, twice', state: 'a+b=' });
  });
});

describe('handleResponse', () => {
  let t: string;
  beforeEach(() => {
    t = tenant();
  });
  afterEach(resetPage);

  it('returns the session of an id_token token response', async () => {
    const { transaction, params } = await providerResponse(t);
    const before = Date.now();
    const { session, transaction: taken } = await handleResponse(params);
    expect(taken).to.deep.equal(transaction);
    expect(session.accessToken).to.equal(params.access_token);
    expect(session.idToken).to.equal(params.id_token);
    expect(session.claims?.sub).to.equal('user-1');
    expect(session.claims?.nonce).to.equal(transaction.nonce);
    expect(session.tokenType).to.equal('Bearer');
    expect(session.expiresAt).to.be.within(before + 3600_000, Date.now() + 3600_000);
    expect(session.scope).to.equal('openid profile');
    expect(session.issuer).to.equal(issuerOf(t));
    expect(session.clientId).to.equal('app');
    expect(session.allowedOrigins).to.deep.equal([location.origin]);
  });

  it('returns the session of an id_token response', async () => {
    const { params } = await providerResponse(t, { responseType: 'id_token' });
    expect(params).not.to.have.property('access_token');
    const { session } = await handleResponse(params);
    expect(session).not.to.have.property('accessToken');
    expect(session).not.to.have.property('tokenType');
    expect(session.claims?.sub).to.equal('user-1');
    // As long as the ID token is accepted: exp plus the leeway (default 60 s).
    expect(session.expiresAt).to.equal((session.claims!.exp + 60) * 1000);
  });

  it('returns the session of a token response without fetching keys', async () => {
    const { params } = await providerResponse(t, { responseType: 'token', scope: 'read' });
    const { session } = await handleResponse(params);
    expect(session.accessToken).to.equal(params.access_token);
    expect(session.tokenType).to.equal('Bearer');
    expect(session.scope).to.equal('read');
    expect(session).not.to.have.property('idToken');
    expect(session).not.to.have.property('claims');
    expect((await stats(t)).jwksFetches).to.equal(0);
  });

  it("passes the provider's error on", async () => {
    const { params } = await providerResponse(t, {}, '&deny=1');
    await expectAuthError(() => handleResponse(params), 'access_denied', /user denied access/i);
  });

  it("checks the state before the provider's error", async () => {
    const { params } = await providerResponse(t, {}, '&deny=1');
    await expectAuthError(() => handleResponse({ ...params, state: 'wrong-state' }), 'invalid_state');
  });

  it('refuses another iss (RFC 9207)', async () => {
    const { params } = await providerResponse(t);
    await expectAuthError(() => handleResponse({ ...params, iss: `${location.origin}/idp/other` }), 'invalid_response', /iss/);
  });

  it('accepts the right iss (RFC 9207)', async () => {
    const { params } = await providerResponse(t);
    expect((await handleResponse({ ...params, iss: issuerOf(t) })).session.claims?.sub).to.equal('user-1');
  });

  it('refuses a missing token_type', async () => {
    const { params } = await providerResponse(t);
    delete params.token_type;
    await expectAuthError(() => handleResponse(params), 'invalid_response', /token_type/);
  });

  it('refuses token_type mac', async () => {
    const { params } = await providerResponse(t);
    await expectAuthError(() => handleResponse({ ...params, token_type: 'mac' }), 'invalid_response', /token_type/);
  });

  it('refuses an id_token token response without access_token', async () => {
    const { params } = await providerResponse(t);
    delete params.access_token;
    await expectAuthError(() => handleResponse(params), 'invalid_response', /access_token/);
  });

  it('refuses an ID token with another nonce', async () => {
    const { transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app' });
    const accessToken = 'an-access-token';
    const idToken = await sign(t, claims(t, 'app', 'another-nonce', { at_hash: await atHash(accessToken) }));
    const fragment = `#access_token=${accessToken}&token_type=Bearer&expires_in=3600&id_token=${idToken}&state=${transaction.state}`;
    await expectAuthError(() => handleResponse(parseFragment(fragment)!), 'invalid_nonce');
  });

  it('accepts a hand-built response with the right nonce (control for the test above)', async () => {
    const { transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app' });
    const accessToken = 'an-access-token';
    const idToken = await sign(t, claims(t, 'app', transaction.nonce, { at_hash: await atHash(accessToken) }));
    const fragment = `#access_token=${accessToken}&token_type=Bearer&expires_in=3600&id_token=${idToken}&state=${transaction.state}`;
    expect((await handleResponse(parseFragment(fragment)!)).session.accessToken).to.equal(accessToken);
  });

  it('refuses an access token the at_hash is not for (token substitution)', async () => {
    const { params } = await providerResponse(t);
    // Another scope: RS256 is deterministic, so the same claims in the same second give the same token.
    const { params: other } = await providerResponse(t, { scope: 'openid email' });
    expect(other.access_token).not.to.equal(params.access_token);
    await expectAuthError(() => handleResponse({ ...params, access_token: other.access_token! }), 'invalid_at_hash');
  });

  it('refuses the same response twice', async () => {
    const { params } = await providerResponse(t);
    await handleResponse(params);
    await expectAuthError(() => handleResponse(params), 'invalid_state', /already used|replay/i);
  });

  describe('consumes the transaction on any failure', () => {
    const failures: Array<[string, (params: Record<string, string>) => Record<string, string>, string]> = [
      ['iss mismatch', (p) => ({ ...p, iss: 'https://evil.example/' }), 'invalid_response'],
      ['token_type mac', (p) => ({ ...p, token_type: 'mac' }), 'invalid_response'],
      ['missing access_token', ({ access_token: _, ...p }) => p, 'invalid_response'],
      ['bad expires_in', (p) => ({ ...p, expires_in: '-1' }), 'invalid_response'],
      ['tampered id_token', (p) => ({ ...p, id_token: `${p.id_token}x` }), 'invalid_id_token'],
      ['substituted access_token', (p) => ({ ...p, access_token: `${p.access_token}x` }), 'invalid_at_hash'],
      ['provider error', (p) => ({ state: p.state!, error: 'login_required' }), 'login_required'],
    ];
    for (const [name, mutate, code] of failures) {
      it(name, async () => {
        const { params } = await providerResponse(t);
        await expectAuthError(() => handleResponse(mutate(params)), code);
        await expectAuthError(() => handleResponse(params), 'invalid_state', /already used|replay/i);
      });
    }
  });
});

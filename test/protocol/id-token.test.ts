import { expect } from '@open-wc/testing';
import { discover, type ProviderMetadata } from '../../src/protocol/discovery.js';
import { accessTokenHash, validateIdToken, type IdTokenExpectations } from '../../src/protocol/id-token.js';
import { b64url, decodeSegment, expectAuthError } from '../helpers/expect-error.js';
import { atHash, claims, issuerOf, now, resetPage, rotate, sign, stats, tenant, type SignOptions } from '../helpers/idp.js';

const CLIENT = 'app';
const NONCE = 'nonce-0S6_WzA2Mj';

describe('validateIdToken', () => {
  let t: string;
  let metadata: ProviderMetadata;
  let expected: IdTokenExpectations;

  const token = (overrides: Record<string, unknown> = {}, options: SignOptions = {}) => sign(t, claims(t, CLIENT, NONCE, overrides), options);
  const validate = (jwt: string, more: Partial<IdTokenExpectations> = {}) => validateIdToken(jwt, metadata, { ...expected, ...more });
  const rejects = (jwt: string, code: string, message?: RegExp, more: Partial<IdTokenExpectations> = {}) =>
    expectAuthError(() => validate(jwt, more), code, message);

  beforeEach(async () => {
    t = tenant();
    metadata = await discover(issuerOf(t));
    expected = { issuer: issuerOf(t), clientId: CLIENT, nonce: NONCE, leeway: 60 };
  });
  afterEach(resetPage);

  describe('signature', () => {
    it('returns the claims of a valid RS256 token', async () => {
      const result = await validate(await token());
      expect(result.sub).to.equal('user-1');
      expect(result.iss).to.equal(issuerOf(t));
      expect(result.aud).to.equal(CLIENT);
      expect(result.nonce).to.equal(NONCE);
      expect(result.name).to.equal('Ada Lovelace');
    });

    it('accepts a valid ES256 token', async () => {
      const jwt = await token({}, { key: 'es' });
      expect(decodeSegment(jwt.split('.')[0]!).alg).to.equal('ES256');
      expect((await validate(jwt)).sub).to.equal('user-1');
    });

    it('rejects an RS256 token signed with an unpublished key under the published kid', async () => {
      await rejects(await token({}, { key: 'attacker-rs' }), 'invalid_id_token', /signature/i);
    });

    it('rejects an ES256 token signed with an unpublished key under the published kid', async () => {
      await rejects(await token({}, { key: 'attacker-es' }), 'invalid_id_token', /signature/i);
    });

    it('rejects alg none', async () => {
      await rejects(await token({}, { unsigned: true }), 'invalid_id_token', /alg/i);
    });

    it('rejects HS256 keyed with the public key (algorithm confusion)', async () => {
      await rejects(await token({}, { alg: 'HS256' }), 'invalid_id_token', /alg/i);
    });

    it('rejects a token with one character of its payload changed', async () => {
      const [header, payload, signature] = (await token()).split('.') as [string, string, string];
      const i = Math.floor(payload.length / 2);
      const changed = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
      await rejects(`${header}.${changed}.${signature}`, 'invalid_id_token');
    });

    it('rejects a re-encoded payload with a changed claim under the original signature', async () => {
      const [header, payload, signature] = (await token()).split('.') as [string, string, string];
      const forged = b64url(JSON.stringify({ ...decodeSegment(payload), sub: 'user-2' }));
      await rejects(`${header}.${forged}.${signature}`, 'invalid_id_token', /signature/i);
    });

    it('rejects malformed tokens', async () => {
      const valid = await token();
      const [, payload, signature] = valid.split('.');
      for (const jwt of ['a.b', 'x.y.z', `${valid}.e30`, `${b64url('not json')}.${payload}.${signature}`, '']) {
        await rejects(jwt, 'invalid_id_token');
      }
    });

    it('rejects an unknown kid', async () => {
      await rejects(await token({}, { header: { kid: 'no-such-key' } }), 'invalid_id_token', /kid/i);
      // The key set was just fetched: no second fetch for it.
      expect((await stats(t)).jwksFetches).to.equal(1);
    });

    it('rejects a crit header', async () => {
      // b64 is the one extension jose signs with; the library understands none.
      const jwt = await token({}, { header: { crit: ['b64'], b64: true } });
      expect(decodeSegment(jwt.split('.')[0]!).crit).to.deep.equal(['b64']);
      await rejects(jwt, 'invalid_id_token', /crit/i);
    });
  });

  describe('claims', () => {
    it('rejects another issuer', async () => {
      await rejects(await token({ iss: `${location.origin}/idp/other` }), 'invalid_id_token', /iss/i);
    });

    it('rejects an aud without the client id', async () => {
      await rejects(await token({ aud: 'other-app' }), 'invalid_id_token', /aud/i);
      await rejects(await token({ aud: ['other-app', 'third'] }), 'invalid_id_token', /aud/i);
    });

    it('rejects several audiences without azp', async () => {
      await rejects(await token({ aud: [CLIENT, 'other-app'] }), 'invalid_id_token', /azp/i);
    });

    it('rejects several audiences with azp of another client', async () => {
      await rejects(await token({ aud: [CLIENT, 'other-app'], azp: 'other-app' }), 'invalid_id_token', /azp/i);
    });

    it('accepts several audiences with azp = client id', async () => {
      const result = await validate(await token({ aud: [CLIENT, 'other-app'], azp: CLIENT }));
      expect(result.azp).to.equal(CLIENT);
    });

    it('rejects a token expired beyond the leeway', async () => {
      await rejects(await token({ exp: now() - 120, iat: now() - 3600 }), 'invalid_id_token', /expired|exp/i);
    });

    it('accepts a token expired within the leeway', async () => {
      const result = await validate(await token({ exp: now() - 30, iat: now() - 3600 }), { leeway: 60 });
      expect(result.sub).to.equal('user-1');
    });

    it('rejects a token without exp', async () => {
      await rejects(await token({ exp: undefined }), 'invalid_id_token', /exp/i);
    });

    it('rejects a token without iat', async () => {
      await rejects(await token({ iat: undefined }), 'invalid_id_token', /iat/i);
    });

    it('rejects an iat in the future beyond the leeway', async () => {
      await rejects(await token({ iat: now() + 600 }), 'invalid_id_token', /iat/i);
    });

    it('rejects a token without sub', async () => {
      await rejects(await token({ sub: undefined }), 'invalid_id_token', /sub/i);
    });

    it('rejects a token without nonce', async () => {
      await rejects(await token({ nonce: undefined }), 'invalid_nonce');
    });

    it('rejects a token with another nonce', async () => {
      await rejects(await token({ nonce: 'another-nonce' }), 'invalid_nonce');
    });
  });

  describe('at_hash', () => {
    const accessToken = 'access-token-for-at-hash';

    it('accepts the at_hash of the access token', async () => {
      const result = await validate(await token({ at_hash: await atHash(accessToken) }), { accessToken });
      expect(result.at_hash).to.equal(await atHash(accessToken));
    });

    it('accepts the at_hash of the access token with ES256', async () => {
      await validate(await token({ at_hash: await atHash(accessToken) }, { key: 'es' }), { accessToken });
    });

    it('requires at_hash with an access token', async () => {
      await rejects(await token(), 'invalid_at_hash', undefined, { accessToken });
    });

    it('rejects the at_hash of another access token', async () => {
      await rejects(await token({ at_hash: await atHash('another-access-token') }), 'invalid_at_hash', undefined, { accessToken });
    });

    it('does not require at_hash without an access token', async () => {
      expect((await validate(await token())).at_hash).to.equal(undefined);
    });

    it('accessTokenHash is the left half of the alg hash, base64url', async () => {
      expect(await accessTokenHash(accessToken, 'RS256')).to.equal(await atHash(accessToken));
      expect(await accessTokenHash(accessToken, 'ES256')).to.equal(await atHash(accessToken));
      expect(await accessTokenHash(accessToken, 'PS384')).to.equal(await atHash(accessToken, 'SHA-384'));
      expect(await accessTokenHash(accessToken, 'RS512')).to.equal(await atHash(accessToken, 'SHA-512'));
      expect(await accessTokenHash(accessToken, 'RS256')).to.have.length(22);
    });
  });

  describe('from the token endpoint (code flow, refresh)', () => {
    const accessToken = 'access-token-from-the-token-endpoint';
    const code = 'SplxlOBeZQQYbYS6WxSbIA';

    it('does not require at_hash, but checks it when present', async () => {
      expect((await validate(await token(), { accessToken, code })).sub).to.equal('user-1');
      await validate(await token({ at_hash: await atHash(accessToken) }), { accessToken, code });
      await rejects(await token({ at_hash: await atHash('another-access-token') }), 'invalid_at_hash', undefined, { accessToken, code });
    });

    it('checks c_hash when present: the left half of the alg hash of the code', async () => {
      expect((await validate(await token({ c_hash: await atHash(code) }), { accessToken, code })).c_hash).to.equal(await atHash(code));
      await validate(await token({ c_hash: await atHash(code) }, { key: 'es' }), { accessToken, code });
      await rejects(await token({ c_hash: await atHash('another-code') }), 'invalid_id_token', /c_hash/, { accessToken, code });
      await rejects(await token({ c_hash: '' }), 'invalid_id_token', /c_hash/, { accessToken, code });
    });

    it('still checks the nonce of a code flow ID token', async () => {
      await rejects(await token({ nonce: undefined }), 'invalid_nonce', undefined, { accessToken, code });
      await rejects(await token({ nonce: 'another-nonce' }), 'invalid_nonce', undefined, { accessToken, code });
    });

    it('refresh: the same user, a nonce left out or the same, at_hash optional', async () => {
      const previous = await validate(await token());
      expect((await validate(await token({ nonce: undefined }), { accessToken, previous })).sub).to.equal('user-1');
      await validate(await token(), { accessToken, previous });
      await rejects(await token({ nonce: 'another-nonce' }), 'invalid_nonce', undefined, { accessToken, previous });
      await rejects(await token({ sub: 'user-2' }), 'invalid_id_token', /sub/, { accessToken, previous });
      await rejects(await token({ at_hash: await atHash('another-access-token') }), 'invalid_at_hash', undefined, { accessToken, previous });
      // Every other check still applies.
      await rejects(await token({ aud: 'another-app' }), 'invalid_id_token', /aud/, { accessToken, previous });
      await rejects(await token({}, { key: 'attacker-rs' }), 'invalid_id_token', /signature/, { accessToken, previous });
    });
  });

  describe('keys', () => {
    it('fetches the JWKS once, and once more for a rotated key', async () => {
      await validate(await token());
      await validate(await token({}, { key: 'es' }));
      expect((await stats(t)).jwksFetches).to.equal(1);
      const kid = await rotate(t);
      const rotated = await token();
      expect(decodeSegment(rotated.split('.')[0]!).kid).to.equal(kid);
      expect((await validate(rotated)).sub).to.equal('user-1');
      expect((await stats(t)).jwksFetches).to.equal(2);
      for (let i = 0; i < 3; i++) await validate(await token());
      expect((await stats(t)).jwksFetches).to.equal(2);
    });

    it('validates a kid-less token against a JWKS with one kid-less key', async () => {
      t = tenant('nokid-');
      metadata = await discover(issuerOf(t));
      expected = { ...expected, issuer: issuerOf(t) };
      const jwks = (await (await fetch(metadata.jwks_uri)).json()) as { keys: JsonWebKey[] };
      expect(jwks.keys).to.have.length(1);
      expect(jwks.keys[0]).not.to.have.property('kid');
      const jwt = await token();
      expect(decodeSegment(jwt.split('.')[0]!)).not.to.have.property('kid');
      expect((await validate(jwt)).sub).to.equal('user-1');
    });
  });
});

// [hardening-2], protocol: each test fails when its defence is removed (RFC 9207 iss, JWK selection, RSA size, the
// unknown-kid cool-down, implicit leftovers, fragments without state, WWW-Authenticate grammar, redirect URIs with a
// fragment, EdDSA).
import { expect } from '@open-wc/testing';
import { createTransaction } from '../../src/protocol/authorize.js';
import { handleResponse, parseFragment, UNKNOWN_LIFETIME } from '../../src/protocol/callback.js';
import { discover, JWKS_REFETCH_INTERVAL, type ProviderMetadata } from '../../src/protocol/discovery.js';
import { challenge, fetchOk } from '../../src/protocol/http.js';
import { validateIdToken, type IdTokenExpectations } from '../../src/protocol/id-token.js';
import { AuthError } from '../../src/protocol/errors.js';
import type { AuthCallbackElement } from '../../src/elements/auth-callback.js';
import '../../src/define.js';
import { decodeSegment, expectAuthError, providerResponse } from '../helpers/expect-error.js';
import { collect, setFragment } from '../helpers/flow.js';
import { atHash, claims, issuerOf, publish, resetPage, sign, stats, tenant, type SignOptions } from '../helpers/idp.js';

const CLIENT = 'app';
const NONCE = 'nonce-review-2';

describe('[hardening-2] protocol', () => {
  let t: string;
  afterEach(resetPage);

  describe('RFC 9207: iss in the authorization response', () => {
    it('accepts a response naming its issuer, from a provider that says it always does', async () => {
      t = tenant('iss-');
      const { params } = await providerResponse(t);
      expect(params.iss).to.equal(issuerOf(t));
      expect((await handleResponse(params)).session.claims?.sub).to.equal('user-1');
    });

    it('refuses a response without iss when discovery says authorization_response_iss_parameter_supported', async () => {
      t = tenant('iss-');
      const { params } = await providerResponse(t, { responseType: 'token' });
      delete params.iss;
      await expectAuthError(() => handleResponse(params), 'invalid_response', /iss missing/);
      const { params: code } = await providerResponse(t, { responseType: 'code' });
      expect(code).to.have.property('code');
      delete code.iss;
      await expectAuthError(() => handleResponse(code), 'invalid_response', /iss missing/);
    });

    it('accepts a response with an ID token and no iss from such a provider (RFC 9207 section 2; the ID token names it)', async () => {
      t = tenant('iss-');
      const { params } = await providerResponse(t);
      delete params.iss;
      expect(params).to.have.property('id_token');
      expect((await handleResponse(params)).session.claims?.iss).to.equal(issuerOf(t));
    });

    it('refuses an error response without iss from such a provider (a mix-up may forge errors too)', async () => {
      t = tenant('iss-');
      const { params } = await providerResponse(t, {}, '&deny=1');
      expect(params.error).to.equal('access_denied');
      await handleResponse({ ...params }).catch((error: AuthError) => expect(error.code).to.equal('access_denied'));
      const { params: again } = await providerResponse(t, {}, '&deny=1');
      delete again.iss;
      await expectAuthError(() => handleResponse(again), 'invalid_response', /iss missing/);
    });

    it('refuses another issuer, and accepts no iss from a provider that does not promise it', async () => {
      t = tenant('iss-');
      const { params } = await providerResponse(t);
      await expectAuthError(() => handleResponse({ ...params, iss: `${issuerOf(t)}x` }), 'invalid_response', /iss/);
      const plain = tenant();
      const { params: other } = await providerResponse(plain);
      expect(other).not.to.have.property('iss');
      expect((await handleResponse(other)).session.claims?.sub).to.equal('user-1');
    });
  });

  describe('JWK selection', () => {
    let metadata: ProviderMetadata;
    let expected: IdTokenExpectations;
    const token = (options: SignOptions = {}, overrides: Record<string, unknown> = {}) => sign(t, claims(t, CLIENT, NONCE, overrides), options);
    const validate = (jwt: string) => validateIdToken(jwt, metadata, expected);
    const setUp = async (prefix = '') => {
      t = tenant(prefix);
      metadata = await discover(issuerOf(t));
      expected = { issuer: issuerOf(t), clientId: CLIENT, nonce: NONCE, leeway: 60 };
    };

    it('refuses a key whose use is not sig', async () => {
      await setUp();
      await publish(t, { rs: { use: 'enc' } });
      await expectAuthError(async () => validate(await token()), 'invalid_id_token', /no single RS256 JWKS key/);
    });

    it('refuses a key whose key_ops do not allow verify, and accepts one whose key_ops do', async () => {
      await setUp();
      await publish(t, { rs: { key_ops: ['encrypt'] }, es: { key_ops: ['verify'] } });
      await expectAuthError(async () => validate(await token()), 'invalid_id_token', /no single RS256 JWKS key/);
      expect((await validate(await token({ key: 'es' }))).sub).to.equal('user-1');
    });

    it('refuses key_ops that are not a list', async () => {
      await setUp();
      await publish(t, { rs: { key_ops: 'verify' } });
      await expectAuthError(async () => validate(await token()), 'invalid_id_token', /no single RS256 JWKS key/);
    });

    it("refuses an EC key whose curve is not the alg's", async () => {
      await setUp();
      await publish(t, { es: { crv: 'P-384' } });
      await expectAuthError(async () => validate(await token({ key: 'es' })), 'invalid_id_token', /no single ES256 JWKS key/);
    });

    it('refuses an RSA key under 2048 bits (RFC 7518 section 3.3), whose signature is valid', async () => {
      await setUp('weakrsa-');
      const jwks = (await (await fetch(metadata.jwks_uri)).json()) as { keys: JsonWebKey[] };
      expect(jwks.keys.find((k) => k.kty === 'RSA')!.n!.length).to.equal(171); // 1024 bits
      await expectAuthError(async () => validate(await token()), 'invalid_id_token', /RSA key of 1024 bits/);
      // The default keys (2048 bits) pass.
      await setUp();
      expect((await validate(await token())).sub).to.equal('user-1');
    });

    describe('unknown kid', () => {
      const realNow = Date.now;
      afterEach(() => {
        Date.now = realNow;
      });

      it('refetches the JWKS at most once per minute for unknown kids; after that, the first one refetches again', async () => {
        await setUp();
        expect((await validate(await token())).sub).to.equal('user-1');
        expect((await stats(t)).jwksFetches).to.equal(1);
        for (let i = 0; i < 5; i++) {
          await expectAuthError(async () => validate(await token({ header: { kid: `forged-${i}` } })), 'invalid_id_token', /no single RS256 JWKS key for kid forged/);
        }
        // One refetch for the first unknown kid, none for the four after it.
        expect((await stats(t)).jwksFetches).to.equal(2);
        const later = realNow() + JWKS_REFETCH_INTERVAL + 1000;
        Date.now = () => later;
        await expectAuthError(async () => validate(await token({ header: { kid: 'forged-late' } })), 'invalid_id_token', /no single/);
        expect((await stats(t)).jwksFetches).to.equal(3);
        await expectAuthError(async () => validate(await token({ header: { kid: 'forged-later' } })), 'invalid_id_token', /no single/);
        expect((await stats(t)).jwksFetches).to.equal(3);
      });
    });

    describe('EdDSA (Ed25519)', () => {
      it('verifies an EdDSA ID token (kty OKP, crv Ed25519) with WebCrypto', async () => {
        await setUp();
        const jwt = await token({ key: 'ed' });
        expect(decodeSegment(jwt.split('.')[0]!)).to.include({ alg: 'EdDSA', kid: 'ed-1' });
        expect((await validate(jwt)).sub).to.equal('user-1');
      });

      it('accepts the fully-specified alg name Ed25519 (RFC 9864) with the same key', async () => {
        await setUp();
        expect((await validate(await token({ key: 'ed', alg: 'Ed25519' }))).sub).to.equal('user-1');
      });

      it('refuses an EdDSA token signed with another key under the published kid', async () => {
        await setUp();
        await expectAuthError(async () => validate(await token({ key: 'attacker-ed' })), 'invalid_id_token', /signature does not verify/);
      });

      it('checks at_hash with SHA-512 for EdDSA in an implicit response', async () => {
        t = tenant();
        const { params, transaction } = await providerResponse(t);
        const accessToken = params.access_token!;
        const idToken = await sign(t, claims(t, CLIENT, transaction.nonce, { at_hash: await atHash(accessToken, 'SHA-512') }), { key: 'ed' });
        expect((await handleResponse({ ...params, id_token: idToken })).session.claims?.sub).to.equal('user-1');
        const { params: second, transaction: tx2 } = await providerResponse(t);
        const sha256 = await sign(t, claims(t, CLIENT, tx2.nonce, { at_hash: await atHash(second.access_token!) }), { key: 'ed' });
        await expectAuthError(() => handleResponse({ ...second, id_token: sha256 }), 'invalid_at_hash');
      });

      it("names the algorithm where the browser's WebCrypto has no Ed25519", async () => {
        await setUp();
        const jwt = await token({ key: 'ed' });
        const { importKey } = crypto.subtle;
        crypto.subtle.importKey = function (this: SubtleCrypto, ...args: Parameters<SubtleCrypto['importKey']>) {
          if ((args[2] as { name?: string }).name === 'Ed25519') return Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'));
          return importKey.apply(this, args);
        } as SubtleCrypto['importKey'];
        try {
          await expectAuthError(() => validate(jwt), 'invalid_id_token', /EdDSA: Ed25519 not supported by this browser/);
        } finally {
          crypto.subtle.importKey = importKey;
        }
      });
    });
  });

  describe('implicit leftovers', () => {
    it('ignores a refresh_token in an implicit fragment (the authorization endpoint never issues one)', async () => {
      t = tenant();
      const { params } = await providerResponse(t);
      const { session } = await handleResponse({ ...params, refresh_token: 'rt-from-the-fragment' });
      expect(session).not.to.have.property('refreshToken');
      expect(JSON.stringify(session)).not.to.include('rt-from-the-fragment');
    });

    it('bounds a token without expires_in to an hour', async () => {
      t = tenant();
      const { params } = await providerResponse(t, { responseType: 'token' });
      delete params.expires_in;
      const before = Date.now();
      const { session } = await handleResponse(params);
      expect(session.expiresAt).to.be.within(before + UNKNOWN_LIFETIME, Date.now() + UNKNOWN_LIFETIME);
    });

    it("bounds a token without expires_in to the ID token's exp when that comes first", async () => {
      t = tenant();
      const { params, transaction } = await providerResponse(t);
      const exp = Math.floor(Date.now() / 1000) + 600;
      const idToken = await sign(t, claims(t, CLIENT, transaction.nonce, { exp, at_hash: await atHash(params.access_token!) }));
      const { expires_in: _, ...rest } = params;
      const { session } = await handleResponse({ ...rest, id_token: idToken });
      expect(session.expiresAt).to.equal(exp * 1000);
    });
  });

  describe('a fragment is a response only with state', () => {
    it('leaves page anchors alone: #error, #access_token, #id_token=x, #code', () => {
      for (const anchor of ['#error', '#access_token', '#id_token=x', '#error=oops', '#code', '#access_token=a&token_type=Bearer']) {
        expect(parseFragment(anchor), anchor).to.equal(null);
      }
      expect(parseFragment('#error=access_denied&state=s')).to.deep.equal({ error: 'access_denied', state: 's' });
      expect(parseFragment('#code=c&state=s')).to.deep.equal({ code: 'c', state: 's' });
    });

    it('<auth-callback> keeps #error in the address bar and says nothing', async () => {
      setFragment('#error');
      const seen = collect(document, 'auth-error', 'auth-signed-in');
      const el = document.createElement('auth-callback') as AuthCallbackElement;
      document.body.append(el);
      try {
        await el.complete;
        expect(location.hash).to.equal('#error');
        expect(seen.events).to.deep.equal([]);
      } finally {
        seen.stop();
        el.remove();
      }
    });
  });

  describe('WWW-Authenticate (RFC 7235)', () => {
    it('reads auth-params as tokens or quoted strings, in several challenges, by scheme', () => {
      expect(challenge('Bearer error=invalid_token', 'bearer')).to.deep.equal({ error: 'invalid_token' });
      expect(challenge('Bearer realm="api", error="invalid_token", error_description="The token \\"x\\" expired, sorry"', 'bearer'))
        .to.deep.equal({ realm: 'api', error: 'invalid_token', error_description: 'The token "x" expired, sorry' });
      expect(challenge('Basic realm="a, error=wrong", Bearer ERROR = insufficient_scope , scope="read"', 'bearer'))
        .to.deep.equal({ error: 'insufficient_scope', scope: 'read' });
      expect(challenge('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"', 'basic')).to.deep.equal({ realm: 'simple' });
      // A token68 never lends its challenge's params to Bearer.
      expect(challenge('Negotiate abc==, Bearer', 'bearer')).to.deep.equal({});
      expect(challenge('Basic realm="x", error="invalid_token"', 'bearer')).to.equal(undefined);
      expect(challenge(null, 'bearer')).to.equal(undefined);
    });

    it('gives the Bearer challenge\'s error (token form, after another challenge) as the cause of a 401', async () => {
      const fetch401 = (async () => new Response('', { status: 401, headers: { 'www-authenticate': 'Basic realm="x", error="wrong", Bearer realm="api", error=invalid_token' } })) as typeof fetch;
      const error = await expectAuthError(() => fetchOk('/nowhere', {}, 'GET /nowhere', { fetch: fetch401 }), 'http_error', /\(invalid_token\)/);
      expect(error.cause).to.equal('invalid_token');
    });
  });

  describe('redirect URIs', () => {
    it('refuses a redirect-uri or silent-redirect-uri with a fragment (RFC 6749 section 3.1.2)', async () => {
      const config = { issuer: 'https://op.example/', clientId: CLIENT };
      await expectAuthError(() => createTransaction({ ...config, redirectUri: `${location.origin}/cb#x` }), 'invalid_config', /redirect-uri|redirect URI.*fragment/);
      await expectAuthError(() => createTransaction({ ...config, redirectUri: `${location.origin}/cb#` }), 'invalid_config', /fragment/);
      await expectAuthError(() => createTransaction({ ...config, silentRedirectUri: '/silent#x' }), 'invalid_config', /silent-redirect-uri .*fragment/);
      expect(createTransaction({ ...config, redirectUri: `${location.origin}/cb?x=1` }).redirectUri).to.equal(`${location.origin}/cb?x=1`);
    });
  });
});

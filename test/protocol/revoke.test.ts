// Token revocation (RFC 7009) in the protocol layer, against the fake provider's /revoke (test/server/fake-provider.mjs):
// what is sent (a form of token, token_type_hint and client_id, in parallel), what the provider then refuses, and every
// way it may not work out (no endpoint, unsupported_token_type, a down or hanging provider) without ever throwing.
import { expect } from '@open-wc/testing';
import { handleResponse, refreshSession, type Session } from '../../src/protocol/callback.js';
import { clearDiscoveryCache, discover } from '../../src/protocol/discovery.js';
import { AuthError } from '../../src/protocol/errors.js';
import { REVOCATION_TIMEOUT, revokeTokens, type RevokeResult } from '../../src/protocol/revoke.js';
import { codeResponse } from '../helpers/code-flow.js';
import { expectAuthError } from '../helpers/expect-error.js';
import { apiOf, deferred, issuerOf, resetPage, tenant } from '../helpers/idp.js';

/** What the fake provider recorded of each revocation request. */
interface Revocation {
  type: 'refresh_token' | 'access_token' | 'unknown';
  hint: string | null;
  clientId: string | null;
  fields: string[];
  revoked: boolean;
  status: number | null;
}
const revocations = async (t: string): Promise<Revocation[]> => ((await (await fetch(`/idp/${t}/stats`)).json()) as { revocations: Revocation[] }).revocations;
const byType = (records: Revocation[]) => Object.fromEntries(records.map((record) => [record.type, record]));

/** A session of tenant `t` by the code flow: it has an access token and a refresh token. */
async function codeSession(t: string): Promise<Session> {
  const { session } = await handleResponse((await codeResponse(t)).params);
  expect(session.refreshToken).to.be.a('string');
  expect(session.accessToken).to.be.a('string');
  return session;
}

/** A fetch that records every request (URL, method, headers, body, credentials), then sends it on, or to `answer`. */
function recordingFetch(answer?: (request: Request, form: URLSearchParams) => Promise<Response> | undefined) {
  const requests: { url: string; request: Request; body: [string, string][] }[] = [];
  const spy = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const body = init?.body instanceof URLSearchParams ? [...init.body] : [];
    requests.push({ url: request.url, request, body });
    return answer?.(request, new URLSearchParams(body)) ?? fetch(input, init);
  };
  return { requests, fetch: spy as typeof fetch, revokes: () => requests.filter((r) => r.url.endsWith('/revoke')) };
}

const config = (t: string) => ({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), responseType: 'code' });

describe('revokeTokens (RFC 7009)', () => {
  afterEach(resetPage);

  it('revokes the refresh token and the access token, and the provider records both as revoked', async () => {
    const t = tenant();
    const session = await codeSession(t);
    const result = await revokeTokens(session, session.refreshToken);
    expect(result).to.deep.equal({ revoked: ['refresh_token', 'access_token'] });
    const records = byType(await revocations(t));
    expect(Object.keys(records).sort()).to.deep.equal(['access_token', 'refresh_token']);
    expect(records.refresh_token).to.deep.include({ hint: 'refresh_token', clientId: 'app', revoked: true, status: 200 });
    expect(records.access_token).to.deep.include({ hint: 'access_token', clientId: 'app', revoked: true, status: 200 });
  });

  it('a revoked refresh token then fails the refresh grant with invalid_grant', async () => {
    const t = tenant();
    const session = await codeSession(t);
    expect((await revokeTokens(session, session.refreshToken)).revoked).to.include('refresh_token');
    await expectAuthError(() => refreshSession(config(t), session, session.refreshToken!), 'invalid_grant', /revoked/);
  });

  it('sends a form POST of exactly token, token_type_hint and client_id, without cookies, nothing in the URL', async () => {
    const t = tenant();
    const session = await codeSession(t);
    const spy = recordingFetch();
    await revokeTokens(session, session.refreshToken, { fetch: spy.fetch });
    const sent = spy.revokes().sort((a, b) => a.body[1]![1].localeCompare(b.body[1]![1]));
    expect(sent).to.have.length(2);
    expect(sent.map(({ body }) => body)).to.deep.equal([
      [['token', session.accessToken], ['token_type_hint', 'access_token'], ['client_id', 'app']],
      [['token', session.refreshToken], ['token_type_hint', 'refresh_token'], ['client_id', 'app']],
    ]);
    for (const { url, request } of sent) {
      expect(url).to.equal(`${issuerOf(t)}/revoke`);
      expect(request.method).to.equal('POST');
      expect(request.credentials).to.equal('omit');
      expect(request.headers.get('content-type')).to.equal('application/x-www-form-urlencoded;charset=UTF-8');
    }
    for (const { url } of spy.requests) {
      expect(url).to.not.contain(session.accessToken);
      expect(url).to.not.contain(session.refreshToken);
    }
    // The provider read the same names, in that order.
    expect((await revocations(t)).map((record) => record.fields)).to.deep.equal([['token', 'token_type_hint', 'client_id'], ['token', 'token_type_hint', 'client_id']]);
  });

  it('sends both requests at once (in parallel), not one after the other', async () => {
    const t = tenant();
    const session = await codeSession(t);
    const both = deferred();
    let arrived = 0;
    // Each revocation request is held until both have arrived: one after the other never gets there.
    const spy = recordingFetch((request) => {
      if (!request.url.endsWith('/revoke')) return undefined;
      if (++arrived === 2) both.resolve();
      return both.promise.then(() => new Response('', { status: 200 }));
    });
    expect(await revokeTokens(session, session.refreshToken, { fetch: spy.fetch })).to.deep.equal({ revoked: ['refresh_token', 'access_token'] });
  });

  it('calls the headers hook once per request with the endpoint, and sends its headers', async () => {
    const t = tenant();
    const session = await codeSession(t);
    const asked: string[] = [];
    const spy = recordingFetch();
    const result = await revokeTokens(session, session.refreshToken, {
      fetch: spy.fetch,
      headers: async (url) => {
        asked.push(url.href);
        return { DPoP: `proof-for-${url.pathname}` };
      },
    });
    expect(result).to.deep.equal({ revoked: ['refresh_token', 'access_token'] });
    expect(asked).to.deep.equal([`${issuerOf(t)}/revoke`, `${issuerOf(t)}/revoke`]);
    expect(spy.revokes().map(({ request }) => request.headers.get('dpop'))).to.deep.equal([`proof-for-/idp/${t}/revoke`, `proof-for-/idp/${t}/revoke`]);
  });

  it('a headers hook that throws fails that revocation (reported, not thrown)', async () => {
    const session = await codeSession(tenant());
    const result = await revokeTokens(session, undefined, { headers: () => Promise.reject(new TypeError('no key')) });
    expect(result.revoked).to.deep.equal([]);
    expect(result.error).to.be.instanceOf(AuthError);
    expect(result.error!.code).to.equal('network_error');
  });

  it('revokes only what the page holds: the access token alone without a refresh token, nothing for neither', async () => {
    const t = tenant();
    const session = await codeSession(t);
    expect(await revokeTokens(session, undefined)).to.deep.equal({ revoked: ['access_token'] });
    expect((await revocations(t)).map((record) => record.type)).to.deep.equal(['access_token']);
    const spy = recordingFetch();
    expect(await revokeTokens({ ...session, accessToken: undefined }, undefined, { fetch: spy.fetch })).to.deep.equal({ revoked: [] });
    expect(spy.requests).to.have.length(0);
  });

  it('does not send an expired access token', async () => {
    const t = tenant();
    const session = await codeSession(t);
    expect(await revokeTokens({ ...session, expiresAt: Date.now() - 1 }, session.refreshToken)).to.deep.equal({ revoked: ['refresh_token'] });
    expect((await revocations(t)).map((record) => record.type)).to.deep.equal(['refresh_token']);
  });

  it('no revocation_endpoint in discovery: nothing to revoke, and no error', async () => {
    const t = tenant('norevoke-');
    const session = await codeSession(t);
    expect((await discover(issuerOf(t))).revocation_endpoint).to.equal(undefined);
    expect(await revokeTokens(session, session.refreshToken)).to.deep.equal({ revoked: [] });
    expect(await revocations(t)).to.deep.equal([]);
  });

  it('an access token the provider cannot revoke (400 unsupported_token_type): not revoked, not an error', async () => {
    const t = tenant('rtonly-');
    const session = await codeSession(t);
    expect(await revokeTokens(session, session.refreshToken)).to.deep.equal({ revoked: ['refresh_token'] });
    const records = byType(await revocations(t));
    expect(records.access_token).to.deep.include({ revoked: false, status: 400 });
    expect(records.refresh_token).to.deep.include({ revoked: true, status: 200 });
  });

  it('unsupported_token_type for the refresh token is an error (a provider must revoke refresh tokens)', async () => {
    const session = await codeSession(tenant());
    const spy = recordingFetch((request) => request.url.endsWith('/revoke')
      ? Promise.resolve(Response.json({ error: 'unsupported_token_type', error_description: 'no' }, { status: 400 }))
      : undefined);
    const result = await revokeTokens({ ...session, accessToken: undefined }, session.refreshToken, { fetch: spy.fetch });
    expect(result.revoked).to.deep.equal([]);
    expect(result.error?.code).to.equal('unsupported_token_type');
    expect(result.error?.status).to.equal(400);
  });

  it('a provider that is down (503): http_error with its status, what else was revoked kept', async () => {
    const t = tenant('revoke503-');
    const session = await codeSession(t);
    const result = await revokeTokens(session, session.refreshToken);
    expect(result.revoked).to.deep.equal([]);
    expect(result.error).to.be.instanceOf(AuthError);
    expect(result.error!.code).to.equal('http_error');
    expect(result.error!.status).to.equal(503);
    // One down, one fine: the refresh token is reported revoked beside the access token's failure.
    const t2 = tenant();
    const other = await codeSession(t2);
    const half = recordingFetch((request, form) => request.url.endsWith('/revoke') && form.get('token_type_hint') === 'access_token'
      ? Promise.resolve(new Response('', { status: 502 }))
      : undefined);
    const mixed = await revokeTokens(other, other.refreshToken, { fetch: half.fetch });
    expect(mixed.revoked).to.deep.equal(['refresh_token']);
    expect(mixed.error?.code).to.equal('http_error');
    expect(mixed.error?.status).to.equal(502);
  });

  it('a network failure is network_error, never thrown', async () => {
    const session = await codeSession(tenant());
    const spy = recordingFetch((request) => (request.url.endsWith('/revoke') ? Promise.reject(new TypeError('Failed to fetch')) : undefined));
    const result = await revokeTokens(session, session.refreshToken, { fetch: spy.fetch });
    expect(result.revoked).to.deep.equal([]);
    expect(result.error?.code).to.equal('network_error');
    // Discovery failing is reported the same way.
    const lost = await revokeTokens({ ...session, issuer: `${location.origin}/nowhere` }, session.refreshToken);
    expect(lost.error?.code).to.equal('http_error');
    expect(lost.error?.status).to.equal(404);
  });

  it('a hanging provider: gives up after the budget with timeout, and aborts the requests', async () => {
    const t = tenant('hang-');
    const session = await codeSession(t);
    // Discovery first, so the budget is spent on the revocation requests themselves.
    await discover(issuerOf(t));
    const signals: AbortSignal[] = [];
    const spy = recordingFetch((request) => {
      signals.push(request.signal);
      return undefined;
    });
    const started = performance.now();
    const result = await revokeTokens(session, session.refreshToken, { timeout: 300, fetch: spy.fetch });
    const took = performance.now() - started;
    expect(result.revoked).to.deep.equal([]);
    expect(result.error?.code).to.equal('timeout');
    expect(result.error?.message).to.contain('300 ms');
    expect(took).to.be.at.least(290).and.below(REVOCATION_TIMEOUT);
    expect(spy.revokes()).to.have.length(2);
    expect(signals.every((signal) => signal.aborted)).to.be.true;
  });

  it('the budget covers discovery too (a discovery that never answers)', async () => {
    const session = await codeSession(tenant());
    clearDiscoveryCache();
    const never = () => new Promise<Response>(() => {});
    const result = await revokeTokens(session, session.refreshToken, { timeout: 200, fetch: never as typeof fetch });
    expect(result).to.deep.include({ revoked: [] });
    expect(result.error?.code).to.equal('timeout');
  });

  it('the default budget is 3 seconds', () => {
    expect(REVOCATION_TIMEOUT).to.equal(3000);
  });

  it('an abort by the caller ends it at once, with what was revoked and no error', async () => {
    const t = tenant('hang-');
    const session = await codeSession(t);
    await discover(issuerOf(t));
    const controller = new AbortController();
    const spy = recordingFetch((request) => {
      if (request.url.endsWith('/revoke') && spy.revokes().length === 2) queueMicrotask(() => controller.abort());
      return undefined;
    });
    const result: RevokeResult = await revokeTokens(session, session.refreshToken, { signal: controller.signal, fetch: spy.fetch, timeout: 60_000 });
    expect(result).to.deep.equal({ revoked: [] });
  });

  it('Auth0 (session.auth0): revokes the refresh token only; without one, sends nothing at all', async () => {
    const t = tenant();
    const session = { ...(await codeSession(t)), auth0: true };
    expect(await revokeTokens(session, session.refreshToken)).to.deep.equal({ revoked: ['refresh_token'] });
    expect((await revocations(t)).map((record) => [record.type, record.hint])).to.deep.equal([['refresh_token', 'refresh_token']]);
    const spy = recordingFetch();
    expect(await revokeTokens(session, undefined, { fetch: spy.fetch })).to.deep.equal({ revoked: [] });
    expect(spy.requests).to.have.length(0);
  });

  it('a revocation_endpoint that is not https: invalid_discovery, nothing sent', async () => {
    const issuer = 'https://idp.example/';
    const spy = recordingFetch((request) => Promise.resolve(request.url.endsWith('/openid-configuration')
      ? Response.json({ issuer, authorization_endpoint: `${issuer}authorize`, jwks_uri: `${issuer}jwks`, revocation_endpoint: 'http://idp.example/revoke' })
      : new Response('', { status: 200 })));
    const session: Session = { accessToken: 'at', scope: 'openid', issuer, clientId: 'app', auth0: false, allowedOrigins: [], expiresAt: Date.now() + 60_000 };
    const result = await revokeTokens(session, 'rt', { fetch: spy.fetch });
    expect(result.revoked).to.deep.equal([]);
    expect(result.error?.code).to.equal('invalid_discovery');
    expect(spy.requests.map((r) => r.url)).to.deep.equal([`${issuer}.well-known/openid-configuration`]);
  });
});

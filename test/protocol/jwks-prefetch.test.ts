// [scale] The callback page fetches the JWKS along with discovery: startSignIn keeps the discovered jwks_uri with the
// pending sign-in, and handleResponse starts fetching that key set at once. sessionStorage can be edited, so those keys
// are used only when the issuer's own discovery document names the very same URI; the stored value must be a secure
// URL before anything is fetched from it, and a failed prefetch only means the normal fetch runs.
import { expect } from '@open-wc/testing';
import { startSignIn } from '../../src/protocol/authorize.js';
import { handleResponse } from '../../src/protocol/callback.js';
import { clearDiscoveryCache, discover, findKey, prefetchJwks } from '../../src/protocol/discovery.js';
import { codeResponse } from '../helpers/code-flow.js';
import { expectAuthError, providerResponse } from '../helpers/expect-error.js';
import { claims, deferred, issuerOf, resetPage, sign, stats, tenant } from '../helpers/idp.js';

const txKey = (state: string) => `auth-elements:tx:${state}`;
const stored = (state: string) => JSON.parse(sessionStorage.getItem(txKey(state))!);
/** Edits the pending sign-in in sessionStorage, as a script of this origin could. */
const tamper = (state: string, change: Record<string, unknown>) => sessionStorage.setItem(txKey(state), JSON.stringify({ ...stored(state), ...change }));

/** A fetch that records every request's URL, in the order they start, and passes them on (or not: `hold`). */
function recorder(hold: (url: string) => Promise<void> | void = () => {}) {
  const urls: string[] = [];
  const get: typeof fetch = async (input, init) => {
    const url = String(input);
    urls.push(url);
    await hold(url);
    if (!url.startsWith(location.origin)) throw new TypeError('Failed to fetch (test: no request leaves the test origin)');
    return fetch(input, init);
  };
  return { urls, fetch: get };
}

/**
 * Handles `params` as the callback page would (nothing discovered yet), with a fetch whose discovery answers only once
 * the JWKS request has started (without the prefetch, it never completes); checks the session and returns the URLs
 * requested, in order.
 */
async function callbackRequests(params: Record<string, string>): Promise<string[]> {
  clearDiscoveryCache();
  const jwksStarted = deferred();
  const { urls, fetch: get } = recorder((url) => {
    if (url.endsWith('/jwks')) jwksStarted.resolve();
    return url.endsWith('/jwks') ? undefined : jwksStarted.promise;
  });
  const { session } = await handleResponse(params, { fetch: get });
  expect(session.claims?.sub).to.equal('user-1');
  return urls;
}

describe('JWKS prefetch on the callback page', () => {
  let t: string;
  beforeEach(() => {
    t = tenant();
  });
  afterEach(resetPage);

  it('startSignIn keeps the discovered jwks_uri with the pending sign-in (saved synchronously first, again after discovery)', async () => {
    const started = startSignIn({ issuer: issuerOf(t), clientId: 'app' });
    const state = Object.keys(sessionStorage).find((key) => key.startsWith('auth-elements:tx:'))!.slice('auth-elements:tx:'.length);
    // On the call, before discovery: what a popup opened right after copies.
    expect(stored(state)).not.to.have.property('jwksUri');
    const { transaction } = await started;
    expect(transaction.state).to.equal(state);
    const { jwks_uri: discovered } = await discover(issuerOf(t));
    expect(discovered).to.equal(`${issuerOf(t)}/jwks`);
    expect(transaction.jwksUri).to.equal(discovered);
    expect(stored(state)).to.deep.equal(transaction);
  });

  it('requests the JWKS before the discovery document has answered, and fetches it once', async () => {
    const urls = await callbackRequests((await providerResponse(t)).params);
    expect(urls).to.deep.equal([`${issuerOf(t)}/jwks`, `${issuerOf(t)}/.well-known/openid-configuration`]);
    expect((await stats(t)).jwksFetches).to.equal(1);
  });

  it('code flow: requests the JWKS before discovery has answered, and before the token endpoint', async () => {
    const urls = await callbackRequests((await codeResponse(t)).params);
    expect(urls).to.deep.equal([`${issuerOf(t)}/jwks`, `${issuerOf(t)}/.well-known/openid-configuration`, `${issuerOf(t)}/token`]);
    expect((await stats(t)).jwksFetches).to.equal(1);
  });

  it('fetches the JWKS once on the page that started the sign-in too (discovery cached)', async () => {
    const { params } = await providerResponse(t);
    await handleResponse(params);
    expect((await stats(t)).jwksFetches).to.equal(1);
  });

  it("a stored jwks_uri edited to another tenant's key set is never used: the discovered JWKS decides", async () => {
    const other = tenant();
    // A valid response is accepted with the issuer's real keys.
    const { transaction, params } = await providerResponse(t);
    tamper(transaction.state, { jwksUri: `${issuerOf(other)}/jwks` });
    clearDiscoveryCache();
    const { session } = await handleResponse(params);
    expect(session.claims?.sub).to.equal('user-1');
    // It was fetched (in parallel with discovery), then dropped: a later use of that URI fetches it again.
    expect((await stats(other)).jwksFetches).to.equal(1);
    expect((await stats(t)).jwksFetches).to.equal(1);
    await findKey(await discover(issuerOf(other)), { alg: 'RS256', kid: 'rs-1' });
    expect((await stats(other)).jwksFetches).to.equal(2);
  });

  it("a token signed with the key of the tenant a stored jwks_uri was edited to is refused (same kid)", async () => {
    const other = tenant();
    const { transaction: tx } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', responseType: 'id_token' });
    tamper(tx.state, { jwksUri: `${issuerOf(other)}/jwks` });
    clearDiscoveryCache();
    const forged = await sign(other, claims(t, 'app', tx.nonce));
    await expectAuthError(() => handleResponse({ id_token: forged, state: tx.state }), 'invalid_id_token', /signature/);
  });

  for (const [what, uri] of [['http on another host', 'http://evil.example/jwks'], ['relative', '/idp/x/jwks'], ['not a URL', 'javascript:alert(1)']]) {
    it(`a stored jwks_uri that is ${what} is never fetched`, async () => {
      const { transaction, params } = await providerResponse(t);
      tamper(transaction.state, { jwksUri: uri });
      clearDiscoveryCache();
      const { urls, fetch: get } = recorder();
      const { session } = await handleResponse(params, { fetch: get });
      expect(session.claims?.sub).to.equal('user-1');
      expect(urls).to.deep.equal([`${issuerOf(t)}/.well-known/openid-configuration`, `${issuerOf(t)}/jwks`]);
    });
  }

  it('a stored jwksUri that is not a string makes the pending sign-in corrupt', async () => {
    const { transaction, params } = await providerResponse(t);
    tamper(transaction.state, { jwksUri: 42 });
    const error = await expectAuthError(() => handleResponse(params), 'invalid_state');
    expect(error.message).to.contain('corrupt');
  });

  it('a prefetch that fails on the network falls back to the normal fetch (one extra attempt), no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (event: PromiseRejectionEvent) => unhandled.push(event.reason);
    addEventListener('unhandledrejection', onUnhandled);
    try {
      const { params } = await providerResponse(t);
      clearDiscoveryCache();
      let jwksAttempts = 0;
      const { fetch: get } = recorder((url) => {
        if (url.endsWith('/jwks') && ++jwksAttempts === 1) throw new TypeError('Failed to fetch (test: offline once)');
      });
      const { session } = await handleResponse(params, { fetch: get });
      expect(session.claims?.sub).to.equal('user-1');
      expect(jwksAttempts).to.equal(2);
      expect((await stats(t)).jwksFetches).to.equal(1);
      // A task later, any unhandled rejection would have been reported.
      await new Promise((resolve) => setTimeout(resolve));
      expect(unhandled).to.deep.equal([]);
    } finally {
      removeEventListener('unhandledrejection', onUnhandled);
    }
  });

  it('a key lookup waiting on a prefetch that then fails fetches the key set itself', async () => {
    const metadata = await discover(issuerOf(t));
    const held = deferred();
    let jwksAttempts = 0;
    const { fetch: get } = recorder((url) => (url.endsWith('/jwks') && ++jwksAttempts === 1 ? held.promise : undefined));
    prefetchJwks(issuerOf(t), metadata.jwks_uri, { fetch: get });
    const found = findKey(metadata, { alg: 'RS256', kid: 'rs-1' }, { fetch: get });
    held.reject(new TypeError('Failed to fetch (test: offline)'));
    expect(await found).to.have.property('kid', 'rs-1');
    expect(jwksAttempts).to.equal(2);
  });
});

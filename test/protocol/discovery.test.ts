import { expect } from '@open-wc/testing';
import { clearDiscoveryCache, discover, discoveryUrl, resolveIssuer } from '../../src/protocol/discovery.js';
import { expectAuthError } from '../helpers/expect-error.js';
import { issuerOf, resetPage, tenant } from '../helpers/idp.js';

/** A fetch that counts its calls and otherwise is the real one. */
function countingFetch() {
  const calls: string[] = [];
  const wrapped = ((input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(String(input));
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: wrapped, calls };
}

describe('resolveIssuer', () => {
  it('returns the issuer as written', () => {
    expect(resolveIssuer({ issuer: 'https://idp.example/tenant' })).to.equal('https://idp.example/tenant');
    expect(resolveIssuer({ issuer: 'http://localhost:8080/' })).to.equal('http://localhost:8080/');
  });

  it('turns an Auth0 domain into https://domain/', () => {
    expect(resolveIssuer({ domain: 'tenant.eu.auth0.com' })).to.equal('https://tenant.eu.auth0.com/');
  });

  it('refuses issuer and domain together', async () => {
    await expectAuthError(() => resolveIssuer({ issuer: 'https://idp.example/', domain: 'idp.example' }), 'invalid_config');
  });

  it('refuses neither issuer nor domain', async () => {
    await expectAuthError(() => resolveIssuer({}), 'invalid_config');
    await expectAuthError(() => resolveIssuer({ issuer: '', domain: null }), 'invalid_config');
  });

  it('refuses an http issuer that is not on localhost', async () => {
    await expectAuthError(() => resolveIssuer({ issuer: 'http://idp.example/' }), 'invalid_config', /https/i);
  });

  it('refuses an issuer with a query or fragment', async () => {
    await expectAuthError(() => resolveIssuer({ issuer: 'https://idp.example/?tenant=1' }), 'invalid_config');
    await expectAuthError(() => resolveIssuer({ issuer: 'https://idp.example/#x' }), 'invalid_config');
  });
});

describe('discoveryUrl', () => {
  it('does not double a trailing slash', () => {
    expect(discoveryUrl('https://idp.example/')).to.equal('https://idp.example/.well-known/openid-configuration');
    expect(discoveryUrl('https://idp.example')).to.equal('https://idp.example/.well-known/openid-configuration');
  });

  it('keeps the issuer path', () => {
    expect(discoveryUrl('https://idp.example/realms/a')).to.equal('https://idp.example/realms/a/.well-known/openid-configuration');
    expect(discoveryUrl('https://idp.example/realms/a/')).to.equal('https://idp.example/realms/a/.well-known/openid-configuration');
  });
});

describe('discover', () => {
  afterEach(() => {
    clearDiscoveryCache();
    resetPage();
  });

  it('returns the tenant metadata', async () => {
    const t = tenant();
    const metadata = await discover(issuerOf(t));
    expect(metadata.issuer).to.equal(issuerOf(t));
    expect(metadata.authorization_endpoint).to.equal(`${issuerOf(t)}/authorize`);
    expect(metadata.jwks_uri).to.equal(`${issuerOf(t)}/jwks`);
    expect(metadata.end_session_endpoint).to.equal(`${issuerOf(t)}/logout`);
  });

  it('is fetched once per issuer', async () => {
    const t = tenant();
    const counter = countingFetch();
    const first = discover(issuerOf(t), { fetch: counter.fetch });
    const second = discover(issuerOf(t), { fetch: counter.fetch });
    expect(second).to.equal(first);
    await first;
    expect(await discover(issuerOf(t), { fetch: counter.fetch })).to.equal(await first);
    expect(counter.calls).to.deep.equal([`${issuerOf(t)}/.well-known/openid-configuration`]);
  });

  it('refuses a document naming another issuer', async () => {
    await expectAuthError(() => discover(issuerOf(tenant('badissuer-'))), 'invalid_discovery', /issuer/i);
  });

  it('fails with http_error for an unknown path', async () => {
    const error = await expectAuthError(() => discover(`${location.origin}/nowhere`), 'http_error');
    expect(error.status).to.equal(404);
  });

  it('does not cache a failure', async () => {
    const issuer = `${location.origin}/nowhere`;
    const counter = countingFetch();
    const first = discover(issuer, { fetch: counter.fetch });
    await expectAuthError(() => first, 'http_error');
    const second = discover(issuer, { fetch: counter.fetch });
    expect(second).not.to.equal(first);
    await expectAuthError(() => second, 'http_error');
    expect(counter.calls).to.have.length(2);
  });
});

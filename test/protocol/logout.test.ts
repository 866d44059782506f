// RP-Initiated Logout's state (OpenID Connect RP-Initiated Logout 1.0 sections 2 and 3): endSessionUrl() keeps a
// pending sign-out for its fresh state; takeLogoutReturn() recognises the provider's return with it: exact, single
// use, at most 10 minutes old and not from the future, once in the query; anything else changes nothing.
import { expect } from '@open-wc/testing';
import { TRANSACTION_LIFETIME } from '../../src/protocol/authorize.js';
import type { Session } from '../../src/protocol/callback.js';
import { endSessionUrl, takeLogoutReturn } from '../../src/protocol/logout.js';
import { issuerOf, resetPage, tenant } from '../helpers/idp.js';

const key = (state: string) => `auth-elements:logout:${state}`;
const sessionOf = (t: string): Session => ({ idToken: 'a.b.c', scope: 'openid', issuer: issuerOf(t), clientId: 'app', auth0: false, allowedOrigins: [location.origin] });
/** The return-to page with `query`, as the provider sends the browser back to it. */
const page = (query: string) => new URL(`${location.origin}/done?${query}#top`);

/** A pending sign-out of store "shop" and its state. */
async function pendingState(): Promise<{ state: string; createdAt: number }> {
  const url = new URL(await endSessionUrl(sessionOf(tenant()), '/done', {}, 'shop'));
  const state = url.searchParams.get('state')!;
  return { state, createdAt: JSON.parse(sessionStorage.getItem(key(state))!).createdAt };
}

describe('RP-Initiated Logout state', () => {
  afterEach(resetPage);

  it('endSessionUrl keeps {state, store, issuer, returnTo, createdAt} pending under the state it sends', async () => {
    const t = tenant();
    const before = Date.now();
    const url = new URL(await endSessionUrl(sessionOf(t), '/done', {}, 'shop'));
    const state = url.searchParams.get('state')!;
    const { createdAt, ...pending } = JSON.parse(sessionStorage.getItem(key(state))!) as { createdAt: number };
    expect(pending).to.deep.equal({ state, store: 'shop', issuer: issuerOf(t), returnTo: `${location.origin}/done` });
    expect(createdAt).to.be.within(before, Date.now());
  });

  it('the matching return gives the sign-out once, and the URL without its state (the rest as written)', async () => {
    const { state } = await pendingState();
    const result = takeLogoutReturn(page(`a=1%20b&b=x+y&c&state=${state}&d=%7E`));
    expect(result?.logout).to.include({ state, store: 'shop' });
    expect(result?.url).to.equal(`${location.origin}/done?a=1%20b&b=x+y&c&d=%7E#top`);
    expect(takeLogoutReturn(page(`state=${state}`))).to.equal(undefined);
  });

  it('accepts it up to 10 minutes after the sign-out, not a millisecond later, nor over a minute before it', async () => {
    const { state, createdAt } = await pendingState();
    const raw = sessionStorage.getItem(key(state))!;
    expect(takeLogoutReturn(page(`state=${state}`), createdAt + TRANSACTION_LIFETIME + 1)).to.equal(undefined);
    sessionStorage.setItem(key(state), raw);
    expect(takeLogoutReturn(page(`state=${state}`), createdAt - 60_001)).to.equal(undefined);
    sessionStorage.setItem(key(state), raw);
    expect(takeLogoutReturn(page(`state=${state}`), createdAt + TRANSACTION_LIFETIME)?.logout.state).to.equal(state);
  });

  it('refuses a state given twice, and leaves the sign-out pending', async () => {
    const { state } = await pendingState();
    expect(takeLogoutReturn(page(`state=${state}&state=${state}`))).to.equal(undefined);
    expect(takeLogoutReturn(page(`state=other&state=${state}`))).to.equal(undefined);
    expect(takeLogoutReturn(page(`state=${state}`))?.logout.state).to.equal(state);
  });

  it('refuses a tampered pending sign-out (another state inside, a store that is not text, not JSON)', async () => {
    for (const tamper of [(p: object) => ({ ...p, state: 'x' }), (p: object) => ({ ...p, store: { name: 'shop' } }), () => '{']) {
      const { state } = await pendingState();
      const value = tamper(JSON.parse(sessionStorage.getItem(key(state))!));
      sessionStorage.setItem(key(state), typeof value === 'string' ? value : JSON.stringify(value));
      expect(takeLogoutReturn(page(`state=${state}`))).to.equal(undefined);
    }
  });

  it('a sign-out still sends its state when sessionStorage refuses it; the return then is not recognised, and nothing throws', async () => {
    const real = Storage.prototype.setItem;
    Storage.prototype.setItem = function () {
      throw new DOMException('full', 'QuotaExceededError');
    };
    let url: URL;
    try {
      url = new URL(await endSessionUrl(sessionOf(tenant()), '/done', {}, 'shop'));
    } finally {
      Storage.prototype.setItem = real;
    }
    const state = url.searchParams.get('state')!;
    expect(state).to.match(/^[\w-]{43}$/);
    expect(takeLogoutReturn(page(`state=${state}`))).to.equal(undefined);
  });
});

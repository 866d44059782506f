// <auth-login response-type="code" dpop>: DPoP through the tags alone, against the fake provider: the sign-in binds
// the code (dpop_jkt), <auth-callback> exchanges it with a proof, <auth-fetch> sends Authorization: DPoP with a fresh
// proof (API nonce retried once, a write kept), renewal with the refresh token proves the same key, and the session
// records the renewal's DPoP for pages without <auth-login>.
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import { clearDpopCaches, dpopKey } from '../../src/protocol/dpop.js';
import { getStore } from '../../src/store/token-store.js';
import { codeStats, signInWithCode } from '../helpers/code-flow.js';
import { clearStores, collect, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, resetPage, tenant } from '../helpers/idp.js';

type Proofs = { dpopProofs: { payload: Record<string, unknown> }[]; nonceRefusals: number; refreshes: number };
const proofsOf = async (t: string) => (await codeStats(t)) as unknown as Proofs;

describe('<auth-login response-type="code" dpop>', () => {
  afterEach(clearStores);
  afterEach(resetPage);
  afterEach(() => clearDpopCaches());

  it('reflects the dpop attribute as a property', async () => {
    const el = await fixture<AuthLoginElement>(html`<auth-login dpop></auth-login>`);
    expect(el.dpop).to.equal(true);
    el.dpop = false;
    await el.updateComplete;
    expect((await fixture<AuthLoginElement>(html`<auth-login></auth-login>`)).dpop).to.equal(false);
  });

  it('signs in with a DPoP-bound session and <auth-fetch> calls the API with Authorization: DPoP and a proof', async () => {
    const t = tenant('dpopnonce-');
    const store = storeName();
    await signInWithCode(t, store, 'dpop');
    const { session } = getStore(store);
    const key = await dpopKey(store);
    expect(session).to.include({ tokenType: 'DPoP', dpopJkt: key.jkt });
    expect(session!.renewal!.dpop).to.equal(true);
    const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} store=${store}></auth-fetch>`);
    const detail = await el.send();
    expect(detail?.status).to.equal(200);
    const { dpopProofs } = await proofsOf(t);
    const last = dpopProofs.at(-1)!.payload;
    expect(last).to.include({ htm: 'GET', htu: `${apiOf(t)}/echo` });
    expect(last.ath).to.be.a('string');
  });

  it('a POST refused for want of a nonce is sent again once with it, body kept', async () => {
    const t = tenant('dpopnonce-');
    const store = storeName();
    await signInWithCode(t, store, 'dpop');
    // As on a new page: no nonce remembered, so the API refuses the first proof.
    clearDpopCaches();
    const refusedBefore = (await proofsOf(t)).nonceRefusals;
    const el = await fixture<AuthFetchElement>(html`<auth-fetch url=${`${apiOf(t)}/echo`} method="POST" body='{"a":1}' store=${store}></auth-fetch>`);
    const detail = await el.send();
    expect((detail?.data as { body: unknown }).body).to.deep.equal({ a: 1 });
    const { nonceRefusals, dpopProofs } = await proofsOf(t);
    expect(nonceRefusals - refusedBefore).to.equal(1);
    expect(dpopProofs.at(-1)!.payload).to.include({ htm: 'POST' });
    expect(dpopProofs.at(-1)!.payload.nonce).to.be.a('string');
  });

  it('renews with the refresh token and a proof of the same key (no iframe), and stays DPoP-bound', async () => {
    const t = tenant();
    const store = storeName();
    const { login } = await signInWithCode(t, store, 'dpop');
    const before = getStore(store).session!;
    expect(await login.loginSilently()).to.equal(true);
    const after = getStore(store).session!;
    expect(after.accessToken).to.not.equal(before.accessToken);
    expect(after).to.include({ tokenType: 'DPoP', dpopJkt: before.dpopJkt });
    const { refreshes, dpopProofs } = await proofsOf(t);
    expect(refreshes).to.equal(1);
    expect(dpopProofs.at(-1)!.payload.htu).to.equal(`${issuerOf(t)}/token`);
  });

  it('a provider answering Bearer to a DPoP request: no session, invalid_response on the page', async () => {
    const t = tenant('dpopbearer-');
    const store = storeName();
    const seen = collect(document, 'auth-error');
    await signInWithCode(t, store, 'dpop').catch(() => undefined);
    seen.stop();
    expect(getStore(store).session).to.equal(null);
    expect(seen.events.map((event) => (event as CustomEvent<{ error: string }>).detail.error)).to.include('invalid_response');
  });

  it('dpop with an implicit response type fails on click with invalid_config, and nothing is sent', async () => {
    const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(tenant())} client-id="app" dpop store=${storeName()}></auth-login>`);
    const seen = collect(el, 'auth-error', 'auth-login');
    await el.login().catch(() => undefined);
    seen.stop();
    expect(seen.events.map((event) => event.type)).to.deep.equal(['auth-error']);
    expect((seen.events[0] as CustomEvent<{ error: string; errorDescription: string }>).detail).to.include({ error: 'invalid_config' });
  });
});

describe('<auth-logout> of a DPoP-bound session', () => {
  afterEach(clearStores);
  afterEach(resetPage);
  afterEach(() => clearDpopCaches());

  it('revokes, clears the store and deletes the key (the next sign-in makes another)', async () => {
    const t = tenant();
    const store = storeName();
    await signInWithCode(t, store, 'dpop');
    const { jkt } = await dpopKey(store);
    const logout = await fixture<HTMLElement & { logout(): Promise<string | undefined> }>(html`<auth-logout store=${store}></auth-logout>`);
    const seen = collect(document, 'auth-signed-out', 'auth-error');
    await logout.logout();
    seen.stop();
    expect(getStore(store).session).to.equal(null);
    expect(seen.events.map((event) => event.type)).to.deep.equal(['auth-signed-out']);
    expect((seen.events[0] as CustomEvent<{ revoked: string[] }>).detail.revoked).to.include('refresh_token');
    clearDpopCaches();
    let gone = '';
    await dpopKey(store).catch((error: { code: string }) => (gone = error.code));
    expect(gone).to.equal('login_required');
    expect((await dpopKey(store, true)).jkt).to.not.equal(jkt);
  });
});

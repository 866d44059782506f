// [hardening] Open redirects. After sign-in, <auth-callback> returns only to the page recorded in the pending
// sign-in when it started, and only when that is on this origin: a crafted fragment or state cannot choose it, and a
// pending sign-in tampered with in sessionStorage (returnTo on another origin, javascript:, data:…) sends the user
// nowhere. The redirect page runs in an iframe (test/fixtures/leak-callback.html) so a redirect would be seen, not
// followed by this page. After sign-out, <auth-logout return-to> goes only to http(s) URLs (http on loopback only).
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthLogoutElement } from '../../src/elements/auth-logout.js';
import type { AuthErrorEvent } from '../../src/events.js';
import { authorizeUrl, createTransaction, saveTransaction, startSignIn } from '../../src/protocol/authorize.js';
import { discover } from '../../src/protocol/discovery.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, sleep, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, providerFragment, resetPage, tenant } from '../helpers/idp.js';
import { openFrame, otherOrigin, probe } from './frames.js';

const txKey = (state: string) => `auth-elements:tx:${state}`;

declare global {
  interface Window {
    pwned?: string;
  }
}

describe('[hardening] open redirects', function () {
  // Frames load pages and modules: generous under a loaded machine.
  this.timeout(15_000);
  let frame: HTMLIFrameElement | undefined;

  afterEach(() => {
    frame?.remove();
    frame = undefined;
    delete window.pwned;
  });
  afterEach(clearStores);
  afterEach(resetPage);

  /**
   * Opens the redirect page with `fragment`, waits until its <auth-callback> has answered (and a little more, for a
   * navigation to start), and returns where the frame is: its URL, or `cross-origin` when it can no longer be read.
   */
  async function landing(t: string, fragment: string): Promise<{ at: string; loads: number; events: string[] }> {
    let loads = 0;
    frame = await openFrame(`/fixtures/${t}/leak-callback.html${fragment}`);
    frame.addEventListener('load', () => loads++);
    const answered = () => probe('event').filter((e) => e.page.endsWith('/leak-callback.html') && /^auth-(signed-in|error)$/.test(e.type!));
    await waitUntil(() => answered().length > 0, 'the redirect page answered', { timeout: 8000 });
    await sleep(250);
    let at: string;
    try {
      at = frame.contentWindow!.location.href;
    } catch {
      at = 'cross-origin';
    }
    return { at, loads, events: answered().map((e) => (e.type === 'auth-error' ? JSON.parse(e.detail!).error : e.type)) };
  }

  /** A real response for a sign-in that started on `page` (as the library records it), and the sign-in's state. */
  async function responseFor(t: string, page: string): Promise<{ fragment: string; state: string }> {
    const issuer = issuerOf(t);
    const tx = createTransaction({ issuer, clientId: 'app', audience: apiOf(t), redirectUri: `/fixtures/${t}/leak-callback.html` }, new URL(page));
    saveTransaction(tx);
    return { fragment: await providerFragment(authorizeUrl(await discover(issuer), tx)), state: tx.state };
  }

  describe('after sign-in', () => {
    it('control: returns to the same-origin page where sign-in started', async () => {
      const t = tenant();
      const start = `${location.origin}/fixtures/${t}/leak-next.html?from=start`;
      const { fragment } = await responseFor(t, start);
      const result = await landing(t, fragment);
      expect(result.events).to.deep.equal(['auth-signed-in']);
      expect(result.at).to.equal(start);
      expect(result.loads).to.equal(1);
    });

    it('a crafted fragment (returnTo, redirect_uri, return_to, next… parameters) cannot choose the page', async () => {
      const t = tenant();
      const start = `${location.origin}/fixtures/${t}/leak-next.html?from=start`;
      const { fragment } = await responseFor(t, start);
      const elsewhere = otherOrigin(`/fixtures/${t}/leak-next.html?from=attacker`);
      const crafted = ['returnTo', 'return_to', 'returnUrl', 'redirect_uri', 'post_logout_redirect_uri', 'next', 'target', 'url', 'via']
        .map((name) => `${name}=${encodeURIComponent(name === 'via' ? 'popup' : elsewhere)}`).join('&');
      const result = await landing(t, `${fragment}&${crafted}`);
      expect(result.events).to.deep.equal(['auth-signed-in']);
      expect(result.at).to.equal(start);
    });

    it('a crafted state (no such pending sign-in) gives invalid_state and stays', async () => {
      const t = tenant();
      const { fragment } = await responseFor(t, `${location.origin}/fixtures/${t}/leak-next.html`);
      const crafted = fragment.replace(/state=[^&]*/, `state=${encodeURIComponent(otherOrigin('/'))}`);
      const result = await landing(t, crafted);
      expect(result.events).to.deep.equal(['invalid_state']);
      expect(result.at).to.equal(`${location.origin}/fixtures/${t}/leak-callback.html`);
    });

    const tampered: [string, (t: string) => string][] = [
      ['another origin', (t) => otherOrigin(`/fixtures/${t}/leak-next.html?from=attacker`)],
      ['an https site', () => 'https://evil.example/'],
      ['a javascript: URL', () => 'javascript:parent.pwned="javascript"'],
      ['a data: URL', () => 'data:text/html,<script>parent.pwned="data"</script>'],
      ['a protocol-relative URL', (t) => `//127.0.0.1:${location.port}/fixtures/${t}/leak-next.html`],
    ];
    for (const [what, returnTo] of tampered) {
      it(`a pending sign-in tampered with in sessionStorage, returnTo ${what}: the user stays on this origin`, async () => {
        const t = tenant();
        const { url, transaction } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), redirectUri: `/fixtures/${t}/leak-callback.html` });
        const target = returnTo(t);
        sessionStorage.setItem(txKey(transaction.state), JSON.stringify({ ...transaction, returnTo: target }));
        const result = await landing(t, await providerFragment(url));
        expect(result.at, `went to ${target}`).to.equal(`${location.origin}/fixtures/${t}/leak-callback.html`);
        expect(result.loads).to.equal(0);
        expect(window.pwned).to.equal(undefined);
        // A relative returnTo is not one createTransaction records: the pending sign-in is refused as corrupt.
        expect(result.events[0]).to.equal(what === 'a protocol-relative URL' ? 'invalid_state' : 'auth-signed-in');
      });
    }
  });

  describe('after sign-out (<auth-logout return-to>)', () => {
    /** Signs a store in (a session of tenant `t`) and mounts its <auth-logout return-to>. */
    async function logoutWith(t: string, returnTo: string, signedIn = true) {
      const store = storeName();
      if (signedIn) getStore(store).set({ accessToken: 'at', idToken: 'id.token.hint', scope: 'openid', issuer: issuerOf(t), clientId: 'app', auth0: false, allowedOrigins: [location.origin], expiresAt: Date.now() + 60_000 }, 'memory');
      const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to=${returnTo}></auth-logout>`);
      // Never leave this page: the URL is checked instead.
      el.addEventListener('auth-signed-out', (event) => event.preventDefault());
      return { el, store };
    }

    for (const returnTo of ['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'http://evil.example/', 'ftp://evil.example/', 'blob:https://evil.example/x']) {
      it(`refuses return-to ${returnTo}: invalid_config, nowhere to go, the local session ended anyway`, async () => {
        const t = tenant();
        const { el, store } = await logoutWith(t, returnTo);
        const failed = oneEvent(el, 'auth-error');
        expect(await el.logout()).to.equal(undefined);
        const { detail } = (await failed) as AuthErrorEvent;
        expect(detail.error).to.equal('invalid_config');
        expect(detail.errorDescription).to.match(/return-to/);
        expect(getStore(store).session).to.equal(null);
      });
    }

    it('a return-to on another origin is refused (invalid_config), with or without a session: no open redirect through the provider or directly', async () => {
      for (const signedIn of [true, false]) {
        const t = tenant();
        const { el } = await logoutWith(t, 'https://elsewhere.example/bye', signedIn);
        const failed = oneEvent(el, 'auth-error');
        expect(await el.logout()).to.equal(undefined);
        const { detail } = (await failed) as AuthErrorEvent;
        expect(detail.error).to.equal('invalid_config');
        expect(detail.errorDescription).to.contain('https://elsewhere.example/bye');
      }
    });

    it('a relative return-to resolves against this page', async () => {
      const t = tenant();
      const { el } = await logoutWith(t, '/signed-out.html');
      const url = new URL((await el.logout())!);
      expect(url.searchParams.get('post_logout_redirect_uri')).to.equal(`${location.origin}/signed-out.html`);
    });
  });
});

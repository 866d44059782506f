// "Visible with no script": a page that has only tags sees every state (attributes and CSS custom states), the right
// button (sign-in while signed out, sign-out while signed in), and every error, on the page and once in the console.
import { expect, fixture, fixtureSync, html, oneEvent } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthCallbackElement } from '../../src/elements/auth-callback.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthLogoutElement } from '../../src/elements/auth-logout.js';
import type { AuthUserElement } from '../../src/elements/auth-user.js';
import { AuthErrorEvent, AuthSignedInEvent } from '../../src/events.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, setFragment, signIn, startLogin, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, providerFragment, resetPage, tenant } from '../helpers/idp.js';

const buttonOf = (el: Element) => el.shadowRoot!.querySelector('button')!;
const messageOf = (el: Element) => el.shadowRoot!.querySelector<HTMLElement>('[part=error-message]')!;
/** Laid out on the page (not inside something with display: none). */
const rendered = (node: Element) => node.getClientRects().length > 0;
const display = (el: Element) => getComputedStyle(el).display;
/** Cancels auth-login and auth-signed-out, so the test page never leaves. */
const stay = (el: Element) => {
  el.addEventListener('auth-login', (event) => event.preventDefault());
  el.addEventListener('auth-signed-out', (event) => event.preventDefault());
};
const statesSupported = () => CSS.supports('selector(:state(x))');
const hasState = (el: Element, name: string) => el.matches(`:state(${name})`);

/** Records console.warn while installed; `ours()` are the elements' messages. */
function recordWarnings() {
  const original = console.warn;
  const messages: string[] = [];
  console.warn = (...args: unknown[]) => void messages.push(args.map(String).join(' '));
  return { messages, ours: () => messages.filter((message) => /^auth-[a-z]+: /.test(message)), restore: () => (console.warn = original) };
}

describe('visible states', () => {
  let warnings: ReturnType<typeof recordWarnings>;
  beforeEach(() => (warnings = recordWarnings()));
  afterEach(() => {
    warnings.restore();
    clearStores();
    resetPage();
  });

  describe('CSS custom states mirror the state attributes', () => {
    beforeEach(function () {
      if (!statesSupported()) this.skip();
    });

    it('<auth-fetch>: signed-out, loading, error and empty, whoever sets the attribute', async () => {
      const el = await fixture<AuthFetchElement>(html`<auth-fetch store=${storeName()}></auth-fetch>`);
      expect(el.hasAttribute('signed-out')).to.equal(true);
      expect(hasState(el, 'signed-out')).to.equal(true);
      for (const name of ['loading', 'error', 'empty'] as const) {
        expect(hasState(el, name), `${name} before`).to.equal(false);
        el[name] = true;
        await el.updateComplete;
        expect(hasState(el, name), `${name} set by the property`).to.equal(true);
        el.removeAttribute(name);
        await el.updateComplete;
        expect(hasState(el, name), `${name} removed`).to.equal(false);
        el.setAttribute(name, '');
        await el.updateComplete;
        expect(hasState(el, name), `${name} set by the attribute`).to.equal(true);
      }
    });

    it('<auth-fetch>: :state(error) styles a failed request, as [error] does', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const root = await fixture<HTMLElement>(html`<div>
        <style>auth-fetch:state(error) { outline: 3px solid rgb(200, 0, 0); }</style>
        <auth-fetch store=${store} url=${`${apiOf(t)}/status/500`}></auth-fetch>
      </div>`);
      const el = root.querySelector<AuthFetchElement>('auth-fetch')!;
      expect(getComputedStyle(el).outlineStyle).to.equal('none');
      const failed = oneEvent(el, 'auth-error');
      void el.send();
      await failed;
      await el.updateComplete;
      expect(el.matches('[error]')).to.equal(true);
      expect(hasState(el, 'error')).to.equal(true);
      expect(getComputedStyle(el).outlineColor).to.equal('rgb(200, 0, 0)');
    });

    it('<auth-login>, <auth-logout> and <auth-user>: signed-in follows the store; error follows an auth-error', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const root = await fixture<HTMLElement>(html`<div>
        <auth-login issuer=${issuerOf(t)} client-id="app" store=${store}></auth-login>
        <auth-logout store=${store}></auth-logout>
        <auth-user store=${store}></auth-user>
      </div>`);
      const elements = [...root.children] as (AuthLoginElement | AuthLogoutElement | AuthUserElement)[];
      for (const el of elements) expect(hasState(el, 'signed-in'), el.localName).to.equal(true);
      getStore(store).clear();
      for (const el of elements) await el.updateComplete;
      for (const el of elements) expect(hasState(el, 'signed-in'), `${el.localName} signed out`).to.equal(false);

      const login = elements[0] as AuthLoginElement;
      expect(hasState(login, 'error')).to.equal(false);
      login.dispatchEvent(new AuthErrorEvent({ error: 'timeout', errorDescription: 'silent sign-in: no answer' }));
      await login.updateComplete;
      expect(hasState(login, 'error')).to.equal(true);
    });

    it('<auth-callback>: handling while a response is handled, error after a failed one', async () => {
      const t = tenant();
      const { url } = await startLogin(t, { store: storeName() });
      setFragment(await providerFragment(url));
      const el = fixtureSync<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
      await el.updateComplete;
      expect(hasState(el, 'handling')).to.equal(true);
      await el.complete;
      await el.updateComplete;
      expect(hasState(el, 'handling')).to.equal(false);
      expect(hasState(el, 'error')).to.equal(false);

      setFragment('#access_token=abc&token_type=Bearer&state=unknown');
      const failed = fixtureSync<AuthCallbackElement>(html`<auth-callback></auth-callback>`);
      await failed.complete;
      await failed.updateComplete;
      expect(hasState(failed, 'error')).to.equal(true);
      expect(hasState(failed, 'handling')).to.equal(false);
    });
  });

  describe('default visibility of the buttons', () => {
    it('signed out: <auth-login> shows, <auth-logout> hides itself', async () => {
      const store = storeName();
      const root = await fixture<HTMLElement>(html`<div>
        <auth-login issuer="https://idp.example.com" client-id="app" store=${store}></auth-login>
        <auth-logout store=${store}></auth-logout>
      </div>`);
      expect(display(root.querySelector('auth-login')!)).to.equal('inline-block');
      expect(display(root.querySelector('auth-logout')!)).to.equal('none');
    });

    it('signed in: <auth-login> hides itself, <auth-logout> shows; they swap back on sign-out', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const root = await fixture<HTMLElement>(html`<div>
        <auth-login issuer=${issuerOf(t)} client-id="app" store=${store}></auth-login>
        <auth-logout store=${store}></auth-logout>
      </div>`);
      const login = root.querySelector<AuthLoginElement>('auth-login')!;
      const logout = root.querySelector<AuthLogoutElement>('auth-logout')!;
      expect(display(login)).to.equal('none');
      expect(display(logout)).to.equal('inline-block');
      stay(logout);
      await logout.logout();
      await login.updateComplete;
      await logout.updateComplete;
      expect(display(login)).to.equal('inline-block');
      expect(display(logout)).to.equal('none');
    });

    it('a plain page rule for the tag wins over the default hiding', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const root = await fixture<HTMLElement>(html`<div>
        <style>auth-login { display: inline-flex; } auth-logout { display: block; }</style>
        <auth-login issuer=${issuerOf(t)} client-id="app" store=${store}></auth-login>
        <auth-logout store=${storeName()}></auth-logout>
      </div>`);
      // Signed in (login) and signed out (logout, another store): both would hide themselves, the page says otherwise.
      expect(root.querySelector('auth-login')!.hasAttribute('signed-in')).to.equal(true);
      expect(display(root.querySelector('auth-login')!)).to.equal('inline-flex');
      expect(display(root.querySelector('auth-logout')!)).to.equal('block');
    });

    it('a hidden button shows itself while it has an error: <auth-logout> signed out by a failed sign-out', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthLogoutElement>(html`<auth-logout store=${store} return-to="https://elsewhere.example.com/"></auth-logout>`);
      stay(el);
      const failed = oneEvent(el, 'auth-error');
      buttonOf(el).click();
      expect(((await failed) as AuthErrorEvent).detail.error).to.equal('invalid_config');
      await el.updateComplete;
      expect(el.signedIn).to.equal(false);
      expect(display(el)).to.equal('inline-block');
      expect(rendered(messageOf(el))).to.equal(true);
      expect(messageOf(el).textContent).to.match(/^return-to https:\/\/elsewhere\.example\.com\/ is not on /);
    });
  });

  describe('errors on the page', () => {
    it('<auth-login> without client-id: a click shows the description in an alert and sets error; a later success clears it', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} store=${storeName()}></auth-login>`);
      stay(el);
      expect(el.hasAttribute('error')).to.equal(false);
      expect(rendered(messageOf(el))).to.equal(false);

      const failed = oneEvent(el, 'auth-error');
      buttonOf(el).click();
      expect(((await failed) as AuthErrorEvent).detail.error).to.equal('invalid_config');
      await el.updateComplete;
      expect(el.error).to.equal(true);
      expect(el.hasAttribute('error')).to.equal(true);
      const message = messageOf(el);
      expect(message.textContent).to.equal('client-id missing');
      expect(message.getAttribute('role')).to.equal('alert');
      expect(message.closest('slot')!.name).to.equal('error');
      expect(rendered(message)).to.equal(true);

      el.clientId = 'app';
      expect(await el.login()).to.be.a('string');
      await el.updateComplete;
      expect(el.hasAttribute('error')).to.equal(false);
      expect(rendered(messageOf(el))).to.equal(false);
    });

    it('shows an auth-error dispatched on the element by any code path; auth-signed-in on it clears it; a child\'s is not its own', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer="https://idp.example.com" client-id="app" store=${storeName()}><b>Sign in</b></auth-login>`);
      el.querySelector('b')!.dispatchEvent(new AuthErrorEvent({ error: 'network_error', errorDescription: 'from a child' }));
      await el.updateComplete;
      expect(el.hasAttribute('error')).to.equal(false);

      el.dispatchEvent(new AuthErrorEvent({ error: 'popup_closed' }));
      await el.updateComplete;
      expect(el.hasAttribute('error')).to.equal(true);
      // No description: the code.
      expect(messageOf(el).textContent).to.equal('popup_closed');

      el.dispatchEvent(new AuthSignedInEvent({ store: el.store, scope: 'openid' }));
      await el.updateComplete;
      expect(el.hasAttribute('error')).to.equal(false);
      expect(rendered(messageOf(el))).to.equal(false);
    });

    it('slotted error content replaces the default text', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer="https://idp.example.com" store=${storeName()}><p slot="error" role="alert">Sign-in is not set up.</p></auth-login>`);
      const custom = el.querySelector('p')!;
      expect(rendered(custom)).to.equal(false);
      const failed = oneEvent(el, 'auth-error');
      buttonOf(el).click();
      await failed;
      await el.updateComplete;
      expect(rendered(custom)).to.equal(true);
      expect(rendered(messageOf(el))).to.equal(false);
    });

    it('a failed check-session (login_required while signed out) fires auth-error but shows nothing', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${storeName()}
        silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>`);
      const failed = oneEvent(el, 'auth-error');
      expect(await el.loginSilently()).to.equal(false);
      expect(((await failed) as AuthErrorEvent).detail.error).to.equal('login_required');
      await el.updateComplete;
      expect(el.hasAttribute('error')).to.equal(false);
      expect(display(el)).to.equal('inline-block');
      expect(warnings.ours()).to.deep.equal([]);
    });

    it('<auth-callback> with an unknown state: shown with its error (and not its "Signing you in…"); a later success clears it', async () => {
      setFragment('#access_token=abc&token_type=Bearer&state=unknown');
      const root = await fixture<HTMLElement>(html`<div><auth-callback><p>Signing you in…</p></auth-callback></div>`);
      const el = root.querySelector<AuthCallbackElement>('auth-callback')!;
      await el.complete;
      await el.updateComplete;
      expect(el.hasAttribute('error')).to.equal(true);
      expect(display(el)).to.not.equal('none');
      const message = messageOf(el);
      expect(message.textContent).to.match(/^unknown state: /);
      expect(message.getAttribute('role')).to.equal('alert');
      expect(rendered(message)).to.equal(true);
      expect(rendered(el.querySelector('p')!)).to.equal(false);

      const t = tenant();
      const { url } = await startLogin(t, { store: storeName() });
      setFragment(await providerFragment(url));
      const signedIn = oneEvent(el, 'auth-signed-in');
      el.remove();
      root.append(el);
      await signedIn;
      await el.complete;
      await el.updateComplete;
      expect(el.hasAttribute('error')).to.equal(false);
      expect(display(el)).to.equal('none');
    });

    it('an error description is text: markup in it makes no element', async () => {
      const markup = '<img src=x onerror="window.__visibleStatesPwned=1">';
      const login = await fixture<AuthLoginElement>(html`<auth-login issuer="https://idp.example.com" client-id="app" store=${storeName()}></auth-login>`);
      login.dispatchEvent(new AuthErrorEvent({ error: 'access_denied', errorDescription: markup }));
      await login.updateComplete;
      expect(messageOf(login).textContent).to.equal(markup);
      expect(messageOf(login).children).to.have.length(0);

      const bad = `http://${markup}/`;
      const fetcher = await fixture<AuthFetchElement>(html`<auth-fetch store=${storeName()} url=${bad}></auth-fetch>`);
      const failed = oneEvent(fetcher, 'auth-error');
      void fetcher.send();
      expect(((await failed) as AuthErrorEvent).detail.error).to.equal('invalid_config');
      expect(messageOf(fetcher).textContent).to.equal(`url ${bad} is not valid`);
      expect(messageOf(fetcher).children).to.have.length(0);
      expect(login.shadowRoot!.querySelector('img')).to.equal(null);
      expect(fetcher.shadowRoot!.querySelector('img')).to.equal(null);
      expect((window as { __visibleStatesPwned?: number }).__visibleStatesPwned).to.equal(undefined);
    });
  });

  describe('errors and unknown values in the console', () => {
    it('warns once per element for the same error twice, naming element, code and description', async () => {
      const t = tenant();
      const root = await fixture<HTMLElement>(html`<div>
        <auth-login issuer=${issuerOf(t)} store=${storeName()}></auth-login>
        <auth-login issuer=${issuerOf(t)} store=${storeName()}></auth-login>
      </div>`);
      const [first, second] = root.querySelectorAll<AuthLoginElement>('auth-login');
      const errors = collect(root, 'auth-error');
      await first!.login();
      await first!.login();
      expect(errors.events).to.have.length(2);
      expect(warnings.ours()).to.deep.equal(['auth-login: invalid_config: client-id missing']);
      await second!.login();
      errors.stop();
      expect(warnings.ours()).to.deep.equal(['auth-login: invalid_config: client-id missing', 'auth-login: invalid_config: client-id missing']);
    });

    it('warns once for an unknown response-type, storage, mode or as, with the fallback; never for known values', async () => {
      const root = await fixture<HTMLElement>(html`<div>
        <auth-login issuer="https://idp.example.com" client-id="app" store=${storeName()} response-type="bogus"></auth-login>
        <auth-login issuer="https://idp.example.com" client-id="app" store=${storeName()} storage="cookie" mode="window"></auth-login>
        <auth-login issuer="https://idp.example.com" client-id="app" store=${storeName()} response-type="token  id_token" storage="memory" mode="popup"></auth-login>
        <auth-fetch store=${storeName()} as="xml"></auth-fetch>
        <auth-fetch store=${storeName()} as="text"></auth-fetch>
      </div>`);
      const elements = [...root.children] as (AuthLoginElement | AuthFetchElement)[];
      // Another update of each: still once.
      for (const el of elements) el.requestUpdate();
      for (const el of elements) await el.updateComplete;
      expect(warnings.ours()).to.have.members([
        'auth-login: unknown response-type="bogus", using id_token token',
        'auth-login: unknown storage="cookie", using session',
        'auth-login: unknown mode="window", using redirect',
        'auth-fetch: unknown as="xml", using json',
      ]);
      expect(warnings.ours()).to.have.length(4);
    });

    it('puts no token in the console', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const { accessToken, session } = getStore(store);
      const el = await fixture<AuthFetchElement>(html`<auth-fetch store=${store} url=${`${apiOf(t)}/status/401`}></auth-fetch>`);
      const failed = oneEvent(el, 'auth-error');
      void el.send();
      await failed;
      expect(warnings.ours()).to.have.length(1);
      for (const secret of [accessToken!, session!.idToken!]) expect(warnings.messages.join('\n')).to.not.include(secret);
    });
  });
});

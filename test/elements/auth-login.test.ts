import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthErrorEvent, AuthLoginEvent } from '../../src/events.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, signIn, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, resetPage, tenant } from '../helpers/idp.js';

const buttonOf = (el: HTMLElement) => el.shadowRoot!.querySelector('button')!;
const labelOf = (el: HTMLElement) => {
  const slot = buttonOf(el).querySelector('slot')!;
  return slot.assignedNodes({ flatten: true }).map((node) => node.textContent).join('').trim();
};
/** Cancels auth-login so the page never leaves for the provider. */
const stay = (el: HTMLElement) => el.addEventListener('auth-login', (event) => event.preventDefault());

describe('<auth-login>', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  describe('rendering', () => {
    it('renders a native button part with a default slot whose fallback is "Sign in"', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer="https://idp.example.com" client-id="app"></auth-login>`);
      const buttons = el.shadowRoot!.querySelectorAll('button');
      expect(buttons).to.have.length(1);
      const button = buttons[0]!;
      expect(button.getAttribute('part')).to.equal('button');
      expect(button.getAttribute('type')).to.equal('button');
      const slot = button.querySelector('slot')!;
      expect(slot, 'default slot inside the button').to.exist;
      expect(slot.hasAttribute('name')).to.be.false;
      expect(labelOf(el)).to.equal('Sign in');
    });

    it('shows slotted text instead of the fallback', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer="https://idp.example.com" client-id="app">Log in with ACME</auth-login>`);
      expect(labelOf(el)).to.equal('Log in with ACME');
      expect(buttonOf(el).querySelector('slot')!.assignedNodes()).to.have.length(1);
    });

    it('is keyboard-operable: the native button is focusable and activation starts sign-in', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" store=${storeName()}></auth-login>`);
      stay(el);
      const button = buttonOf(el);
      expect(button.tabIndex).to.be.at.least(0);
      expect(button.disabled).to.be.false;
      button.focus();
      expect(el.shadowRoot!.activeElement).to.equal(button);
      expect(document.activeElement).to.equal(el);
      const fired = oneEvent(el, 'auth-login');
      button.click();
      const event = (await fired) as AuthLoginEvent;
      expect(new URL(event.detail.url).pathname).to.equal(`/idp/${t}/authorize`);
    });
  });

  describe('auth-login event', () => {
    it('fires on a click on the button, bubbling, composed and cancelable, with the authorize URL', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${storeName()}></auth-login>`);
      stay(el);
      const fired = oneEvent(el, 'auth-login');
      buttonOf(el).click();
      const event = (await fired) as AuthLoginEvent;
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      expect(event.cancelable).to.be.true;
      expect(event.defaultPrevented).to.be.true;
      const url = new URL(event.detail.url);
      expect(url.origin + url.pathname).to.equal(`${issuerOf(t)}/authorize`);
      expect(url.searchParams.get('client_id')).to.equal('app');
    });

    it('fires from login() with every authorization request parameter', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${storeName()}></auth-login>`);
      stay(el);
      const fired = oneEvent(el, 'auth-login');
      const result = el.login();
      const event = (await fired) as AuthLoginEvent;
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      expect(event.cancelable).to.be.true;
      expect(Object.keys(event.detail)).to.deep.equal(['url']);
      const url = new URL(event.detail.url);
      expect(url.origin + url.pathname).to.equal(`${issuerOf(t)}/authorize`);
      const params = url.searchParams;
      expect(params.get('client_id')).to.equal('app');
      expect(params.get('response_type')).to.equal('id_token token');
      expect(params.get('redirect_uri')).to.equal(location.origin + location.pathname);
      expect(params.get('scope')).to.equal('openid profile');
      expect(params.get('audience')).to.equal(apiOf(t));
      const state = params.get('state')!;
      const nonce = params.get('nonce')!;
      expect(state).to.match(/^[\w-]{22,}$/);
      expect(nonce).to.match(/^[\w-]{22,}$/);
      expect(state).to.not.equal(nonce);
      for (const name of ['client_id', 'response_type', 'redirect_uri', 'scope', 'audience', 'state', 'nonce']) {
        expect(params.getAll(name), name).to.have.length(1);
      }
      expect(await result).to.equal(event.detail.url);
    });

    it('uses a fresh state and nonce for every sign-in', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" store=${storeName()}></auth-login>`);
      stay(el);
      const first = new URL((await el.login())!).searchParams;
      const second = new URL((await el.login())!).searchParams;
      expect(second.get('state')).to.not.equal(first.get('state'));
      expect(second.get('nonce')).to.not.equal(first.get('nonce'));
    });

    it('falls back to response_type "id_token token" for an unknown response-type', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" response-type="code id_token" store=${storeName()}></auth-login>`);
      stay(el);
      const fired = oneEvent(el, 'auth-login');
      void el.login();
      const event = (await fired) as AuthLoginEvent;
      expect(new URL(event.detail.url).searchParams.get('response_type')).to.equal('id_token token');
    });

    it('sends a known response-type as configured', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" response-type="id_token" store=${storeName()}></auth-login>`);
      stay(el);
      const fired = oneEvent(el, 'auth-login');
      void el.login();
      const event = (await fired) as AuthLoginEvent;
      expect(new URL(event.detail.url).searchParams.get('response_type')).to.equal('id_token');
    });
  });

  describe('attributes', () => {
    it('maps attributes to properties', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login
        issuer="https://idp.example.com/"
        client-id="my-client"
        audience="https://api.example.com"
        scope="openid email"
        response-type="id_token"
        redirect-uri="https://app.example.com/cb"
        storage="local"
        store="main"
        allowed-origins="https://a.example.com https://b.example.com"
        leeway="5"
      ></auth-login>`);
      expect(el.issuer).to.equal('https://idp.example.com/');
      expect(el.clientId).to.equal('my-client');
      expect(el.audience).to.equal('https://api.example.com');
      expect(el.scope).to.equal('openid email');
      expect(el.responseType).to.equal('id_token');
      expect(el.redirectUri).to.equal('https://app.example.com/cb');
      expect(el.storage).to.equal('local');
      expect(el.store).to.equal('main');
      expect(el.allowedOrigins).to.equal('https://a.example.com https://b.example.com');
      expect(el.leeway).to.equal(5);
      expect(el.leeway).to.be.a('number');
    });

    it('has the documented defaults', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login></auth-login>`);
      expect(el.clientId).to.equal(null);
      expect(el.responseType).to.equal('id_token token');
      expect(el.scope).to.equal('openid profile');
      expect(el.storage).to.equal('session');
      expect(el.store).to.equal('default');
      expect(el.leeway).to.equal(60);
    });

    it('follows attribute changes', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login client-id="a" leeway="1"></auth-login>`);
      el.setAttribute('client-id', 'b');
      el.setAttribute('leeway', '30');
      el.setAttribute('response-type', 'token');
      expect(el.clientId).to.equal('b');
      expect(el.leeway).to.equal(30);
      expect(el.responseType).to.equal('token');
    });
  });

  describe('signed-in', () => {
    it('reflects the store: absent, present after sign-in, removed after clear()', async () => {
      const t = tenant();
      const store = storeName();
      const { login } = await signIn(t, { store });
      // The same element started the sign-in before the store had a session.
      await login.updateComplete;
      expect(login.signedIn).to.be.true;
      expect(login.hasAttribute('signed-in')).to.be.true;
      getStore(store).clear();
      await login.updateComplete;
      expect(login.signedIn).to.be.false;
      expect(login.hasAttribute('signed-in')).to.be.false;
    });

    it('is absent on a fresh element with an empty store', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login store=${storeName()}></auth-login>`);
      expect(el.signedIn).to.be.false;
      expect(el.hasAttribute('signed-in')).to.be.false;
    });

    it('is present at once on an element mounted after sign-in, and goes when the store is cleared', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthLoginElement>(html`<auth-login store=${store}></auth-login>`);
      expect(el.hasAttribute('signed-in')).to.be.true;
      getStore(store).clear();
      await el.updateComplete;
      expect(el.hasAttribute('signed-in')).to.be.false;
    });
  });

  describe('signed-in over time', () => {
    it('drops signed-in by itself when the token expires', async () => {
      const store = storeName();
      getStore(store).set({
        accessToken: 'at', tokenType: 'Bearer', scope: 'openid', issuer: 'https://idp.example.com', clientId: 'app', auth0: false,
        allowedOrigins: [location.origin], expiresAt: Date.now() + 300,
      }, 'memory');
      const el = await fixture<AuthLoginElement>(html`<auth-login store=${store}></auth-login>`);
      expect(el.hasAttribute('signed-in')).to.be.true;
      await waitUntil(() => !el.hasAttribute('signed-in'), 'signed-in removed at expiry', { timeout: 1500 });
      expect(getStore(store).accessToken).to.equal(undefined);
    });

    it('is absent for an expired session', async () => {
      const store = storeName();
      getStore(store).set({
        accessToken: 'at', tokenType: 'Bearer', scope: 'openid', issuer: 'https://idp.example.com', clientId: 'app', auth0: false,
        allowedOrigins: [location.origin], expiresAt: Date.now() - 1000,
      }, 'memory');
      const el = await fixture<AuthLoginElement>(html`<auth-login store=${store}></auth-login>`);
      expect(el.hasAttribute('signed-in')).to.be.false;
    });

    it('follows a change of the store attribute', async () => {
      const t = tenant();
      const signedInStore = storeName();
      await signIn(t, { store: signedInStore });
      const el = await fixture<AuthLoginElement>(html`<auth-login store=${storeName()}></auth-login>`);
      expect(el.hasAttribute('signed-in')).to.be.false;
      el.setAttribute('store', signedInStore);
      await el.updateComplete;
      expect(el.hasAttribute('signed-in')).to.be.true;
      // Now subscribed to the new store: its sign-out shows.
      getStore(signedInStore).clear();
      await el.updateComplete;
      expect(el.hasAttribute('signed-in')).to.be.false;
    });
  });

  describe('errors', () => {
    it('fires auth-error invalid_config, and no auth-login, without client-id', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} store=${storeName()}></auth-login>`);
      stay(el);
      const logins = collect(el, 'auth-login');
      const fired = oneEvent(el, 'auth-error');
      const result = await el.login();
      const event = (await fired) as AuthErrorEvent;
      logins.stop();
      expect(event.bubbles).to.be.true;
      expect(event.composed).to.be.true;
      expect(event.detail.error).to.equal('invalid_config');
      expect(event.detail.errorDescription).to.match(/client/i);
      expect(result).to.equal(undefined);
      expect(logins.events).to.have.length(0);
    });

    it('fires auth-error invalid_config, and no auth-login, without issuer', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login client-id="app" store=${storeName()}></auth-login>`);
      stay(el);
      const logins = collect(el, 'auth-login');
      const fired = oneEvent(el, 'auth-error');
      expect(await el.login()).to.equal(undefined);
      const event = (await fired) as AuthErrorEvent;
      logins.stop();
      expect(event.detail.error).to.equal('invalid_config');
      expect(event.detail.errorDescription).to.match(/issuer/i);
      expect(logins.events).to.have.length(0);
    });

    it('fires auth-error invalid_config for a redirect-uri on another origin', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" redirect-uri="https://elsewhere.example.com/cb" store=${storeName()}></auth-login>`);
      stay(el);
      const logins = collect(el, 'auth-login');
      const fired = oneEvent(el, 'auth-error');
      expect(await el.login()).to.equal(undefined);
      const event = (await fired) as AuthErrorEvent;
      logins.stop();
      expect(event.detail.error).to.equal('invalid_config');
      expect(event.detail.errorDescription).to.match(/redirect/i);
      expect(logins.events).to.have.length(0);
    });

    it('fires auth-error http_error when the issuer has no discovery document', async () => {
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${`${location.origin}/nowhere`} client-id="app" store=${storeName()}></auth-login>`);
      stay(el);
      const logins = collect(el, 'auth-login');
      const fired = oneEvent(el, 'auth-error');
      const result = await el.login();
      const event = (await fired) as AuthErrorEvent;
      logins.stop();
      expect(event.detail.error).to.equal('http_error');
      expect(event.detail.status).to.equal(404);
      expect(event.detail.errorDescription).to.include('/nowhere');
      expect(result).to.equal(undefined);
      expect(logins.events).to.have.length(0);
    });
  });

  describe('one sign-in at a time', () => {
    it('disables the button while login() runs and ignores a second call meanwhile', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" store=${storeName()}></auth-login>`);
      stay(el);
      const logins = collect(el, 'auth-login');
      const first = el.login();
      const second = el.login();
      await el.updateComplete;
      // Discovery is a real HTTP request, still in flight.
      expect(buttonOf(el).disabled).to.be.true;
      expect(await second).to.equal(undefined);
      const url = await first;
      expect(url).to.be.a('string');
      await el.updateComplete;
      expect(buttonOf(el).disabled).to.be.false;
      logins.stop();
      expect(logins.events).to.have.length(1);
      expect(logins.events[0]!.detail).to.deep.equal({ url });
    });

    it('ignores a click while a sign-in is running', async () => {
      const t = tenant();
      const el = await fixture<AuthLoginElement>(html`<auth-login issuer=${issuerOf(t)} client-id="app" store=${storeName()}></auth-login>`);
      stay(el);
      const logins = collect(el, 'auth-login');
      const first = el.login();
      await el.updateComplete;
      buttonOf(el).click();
      await first;
      await el.updateComplete;
      logins.stop();
      expect(logins.events).to.have.length(1);
    });
  });
});

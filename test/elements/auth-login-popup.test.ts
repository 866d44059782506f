// Sign-in in a popup (mode="popup") against the fake provider: the popup goes to /authorize, the provider answers at
// once on the answer page (test/fixtures/silent-callback.html, with <auth-callback>), which hands the response to
// this page by postMessage and closes. `wait-` tenants never answer (the user is "still on the provider's page").
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthErrorEvent, AuthLoginEvent, AuthSignedInEvent } from '../../src/events.js';
import { MESSAGE_KEY } from '../../src/protocol/silent.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, sleep, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, resetPage, tenant } from '../helpers/idp.js';

const realOpen = window.open;
let opened: (Window | null)[] = [];

function login(t: string, store: string) {
  return fixture<AuthLoginElement>(html`<auth-login mode="popup" issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store}
    silent-redirect-uri=${`/fixtures/${t}/silent-callback.html`}></auth-login>`);
}

/** Runs `code` in another same-origin window (so the message's source is that window). */
const run = (win: Window, code: string) => (win as unknown as { eval(code: string): void }).eval(code);

const click = (el: AuthLoginElement) => el.shadowRoot!.querySelector('button')!.click();

describe('<auth-login mode="popup">', () => {
  beforeEach(() => {
    opened = [];
    // Only watched (the real window.open runs), so a test can see or close the popup the element opened.
    window.open = (...args: Parameters<typeof window.open>) => {
      const popup = realOpen.apply(window, args);
      opened.push(popup);
      return popup;
    };
  });
  afterEach(() => {
    window.open = realOpen;
    for (const popup of opened) popup?.close();
  });
  afterEach(clearStores);
  afterEach(resetPage);

  it('signs in through the popup: the session is stored here, auth-signed-in fires, the popup closes, this page stays', async () => {
    const t = tenant();
    const store = storeName();
    const el = await login(t, store);
    const started = oneEvent(el, 'auth-login');
    const signedIn = oneEvent(el, 'auth-signed-in');
    const here = location.href;
    click(el);
    const { detail: start } = (await started) as AuthLoginEvent;
    expect(new URL(start.url).searchParams.get('prompt')).to.equal(null);
    const { detail } = (await signedIn) as AuthSignedInEvent;
    expect(detail.store).to.equal(store);
    expect(detail.claims?.name).to.equal('Ada Lovelace');
    expect(getStore(store).accessToken).to.be.a('string');
    expect(location.href).to.equal(here);
    expect(opened).to.have.length(1);
    await waitUntil(() => opened[0]!.closed, 'the popup closed itself');
    await el.updateComplete;
    expect(el.hasAttribute('signed-in')).to.equal(true);
  });

  it('gives popup_blocked when the browser refuses the popup (window.open answers null), with nothing pending', async () => {
    window.open = () => null;
    const t = tenant();
    const store = storeName();
    const el = await login(t, store);
    const failed = oneEvent(el, 'auth-error');
    click(el);
    const { detail } = (await failed) as AuthErrorEvent;
    expect(detail.error).to.equal('popup_blocked');
    expect(getStore(store).session).to.equal(null);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('button')!.disabled).to.equal(false);
  });

  it('gives popup_closed when the user closes the popup, stores nothing, and can start again', async () => {
    const t = tenant('wait-');
    const store = storeName();
    const el = await login(t, store);
    const failed = oneEvent(el, 'auth-error');
    click(el);
    await waitUntil(() => opened[0]?.location.href.includes('/authorize'), 'the popup is at the provider', { timeout: 3000 }).catch(() => {});
    opened[0]!.close();
    const { detail } = (await failed) as AuthErrorEvent;
    expect(detail.error).to.equal('popup_closed');
    expect(getStore(store).session).to.equal(null);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('button')!.disabled).to.equal(false);
  });

  it('ignores a response posted by another window of this origin, and takes the popup\'s own', async () => {
    const t = tenant('wait-');
    const store = storeName();
    const el = await login(t, store);
    const seen = collect(el, 'auth-signed-in', 'auth-error');
    const started = oneEvent(el, 'auth-login');
    click(el);
    const state = new URL(((await started) as AuthLoginEvent).detail.url).searchParams.get('state');
    // A same-origin frame (not the popup) posts a well-formed message with the right state: ignored.
    const frame = document.createElement('iframe');
    document.body.append(frame);
    run(frame.contentWindow!, `parent.postMessage({ ${JSON.stringify(MESSAGE_KEY)}: '#state=${state}&error=access_denied' }, '${location.origin}')`);
    await sleep(200);
    expect(seen.events).to.have.length(0);
    frame.remove();
    // The popup itself: taken (here, the provider's error).
    await waitUntil(() => { try { return opened[0]!.location.href.includes('/authorize'); } catch { return false; } }, 'the popup is at the provider');
    run(opened[0]!, `opener.postMessage({ ${JSON.stringify(MESSAGE_KEY)}: '#state=${state}&error=access_denied' }, '${location.origin}')`);
    await waitUntil(() => seen.events.length === 1, 'the popup\'s answer');
    seen.stop();
    expect((seen.events[0]!.detail as { error: string }).error).to.equal('access_denied');
  });

  it('a canceled auth-login closes the popup and signs nothing in', async () => {
    const t = tenant();
    const store = storeName();
    const el = await login(t, store);
    el.addEventListener('auth-login', (event) => event.preventDefault(), { once: true });
    const url = await new Promise<string | undefined>((resolve) => {
      el.shadowRoot!.querySelector('button')!.addEventListener('click', () => resolve(undefined), { once: true });
      void el.login().then(resolve);
    });
    expect(url).to.contain('/authorize');
    await waitUntil(() => opened[0]!.closed, 'the popup closed');
    expect(getStore(store).session).to.equal(null);
  });
});

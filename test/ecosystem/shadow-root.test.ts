// The example of examples/shadow-dom: the tags inside another component's shadow root. Their events cross it
// (bubbles and composed): the page hears them on `document`, retargeted to the component, and the component hears
// them on its shadow root. Sign-in runs against the fake provider without the page navigating (see helpers/flow.ts).
import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import '../../examples/shadow-dom/app-shell.js';
import type { AuthErrorEvent, AuthLoginEvent, AuthResponseEvent, AuthSignedInEvent, AuthSignedOutEvent } from '../../src/events.js';
import type { AuthUserElement } from '../../src/elements/auth-user.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, setFragment, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, providerFragment, resetPage, tenant } from '../helpers/idp.js';

const shell = (t: string, store: string) => fixture<HTMLElement>(html`<app-shell
  issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} api=${`${apiOf(t)}/echo`} store=${store}
></app-shell>`);

interface Heard<E extends Event> {
  event: E;
  /** `event.target` as the document saw it (after dispatch it is null: the event came from a shadow tree). */
  target: EventTarget | null;
  /** `event.composedPath()` during dispatch (empty afterwards). */
  path: EventTarget[];
}

/** The next `type` event on the document, with its target and path as the document saw them. */
function heard<E extends Event>(type: string, listener: (event: E) => void = () => {}): Promise<Heard<E>> {
  return new Promise((resolve) => document.addEventListener(type, (event) => {
    listener(event as E);
    resolve({ event: event as E, target: event.target, path: event.composedPath() });
  }, { once: true }));
}

const inner = <T extends Element>(host: HTMLElement, selector: string) => host.shadowRoot!.querySelector<T>(selector)!;
const buttonOf = (element: Element) => element.shadowRoot!.querySelector('button')!;

describe('the tags inside another component\'s shadow root', () => {
  afterEach(() => {
    clearStores();
    resetPage();
  });

  it('fire events that reach the document, retargeted to the component, through sign-in, the API call and sign-out', async () => {
    const t = tenant();
    const store = storeName();

    const first = await shell(t, store);
    const login = inner(first, 'auth-login');
    expect(login.getAttribute('client-id')).to.equal('app');
    // The page listens on the document and stays (the test's way of following the redirect without navigating).
    const leaving = heard<AuthLoginEvent>('auth-login', (event) => event.preventDefault());
    buttonOf(login).click();
    const started = await leaving;
    expect(started.target).to.equal(first);
    expect(started.path[0]).to.equal(login);
    expect(started.path).to.include(first.shadowRoot);
    expect(started.event.bubbles && started.event.composed).to.equal(true);

    // The provider answers; the page "comes back" with the response in its fragment and renders the component again.
    setFragment(await providerFragment(started.event.detail.url));
    first.remove();
    const signedIn = heard<AuthSignedInEvent>('auth-signed-in');
    const answered = heard<AuthResponseEvent<{ sub: string }>>('auth-response');
    const second = await shell(t, store);
    const { event, target, path } = await signedIn;
    expect(target).to.equal(second);
    expect(path[0]).to.equal(inner(second, 'auth-callback'));
    expect(event.detail.store).to.equal(store);
    expect(event.detail.claims?.name).to.equal('Ada Lovelace');
    expect(location.hash).to.equal('');
    // The component heard it on its shadow root; <auth-user> inside it shows the user.
    expect(inner(second, '[role=status]').textContent).to.equal('Signed in as Ada Lovelace');
    expect(inner(second, 'auth-user').hasAttribute('signed-in')).to.equal(true);
    // Its template code is loaded when it first shows a user.
    await (inner(second, 'auth-user') as AuthUserElement).updateComplete;
    expect(inner(second, 'auth-user b[data-field=name]').textContent).to.equal('Ada Lovelace');

    const response = await answered;
    expect(response.target).to.equal(second);
    expect(response.path[0]).to.equal(inner(second, 'auth-fetch'));
    expect(response.event.detail.data.sub).to.equal('user-1');
    expect(inner(second, 'auth-fetch code[data-field=sub]').textContent).to.equal('user-1');

    const leavingAgain = heard<AuthSignedOutEvent>('auth-signed-out');
    buttonOf(inner(second, 'auth-logout')).click();
    const signedOut = await leavingAgain;
    expect(signedOut.target).to.equal(second);
    expect(signedOut.path[0]).to.equal(inner(second, 'auth-logout'));
    expect(signedOut.event.detail.store).to.equal(store);
    expect(getStore(store).signedIn).to.equal(false);
    expect(inner(second, '[role=status]').textContent).to.equal('Signed out');
    expect(inner(second, 'auth-fetch code[data-field=sub]')).to.equal(null);
  });

  it('fire auth-error across it too (a denied sign-in)', async () => {
    const t = tenant();
    const store = storeName();
    const first = await shell(t, store);
    const leaving = heard<AuthLoginEvent>('auth-login', (event) => event.preventDefault());
    buttonOf(inner(first, 'auth-login')).click();
    setFragment(await providerFragment((await leaving).event.detail.url, '&deny=1'));
    first.remove();
    const failed = heard<AuthErrorEvent>('auth-error');
    const second = await shell(t, store);
    const error = await failed;
    expect(error.target).to.equal(second);
    expect(error.path[0]).to.equal(inner(second, 'auth-callback'));
    expect(error.event.detail.error).to.equal('access_denied');
    expect(inner(second, '[role=status]').textContent).to.equal('Could not sign in: The user denied access');
  });
});

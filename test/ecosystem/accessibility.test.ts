// Accessibility audit of every element in each of its states, with axe-core (node_modules/axe-core/axe.min.js loaded
// into the test page): WCAG 2.x A and AA rules and axe's best practices, zero violations. Then what axe cannot see:
// the buttons reached with the keyboard show a focus ring, have an accessible name, and act on Enter and Space.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type * as Axe from 'axe-core';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthLogoutElement } from '../../src/elements/auth-logout.js';
import { clearStores, signIn, storeName } from '../helpers/flow.js';
import { apiOf, issuerOf, resetPage, tenant } from '../helpers/idp.js';

declare global {
  interface Window {
    axe?: typeof Axe;
  }
}

/** axe-core, loaded once into this page from node_modules. */
async function axe(): Promise<typeof Axe> {
  if (!window.axe) {
    await new Promise((resolve, reject) => {
      const script = Object.assign(document.createElement('script'), { src: '/node_modules/axe-core/axe.min.js', onload: resolve, onerror: reject });
      document.head.append(script);
    });
  }
  return window.axe!;
}

const RULES: Axe.RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
};

/** Runs axe on `context`; fails with each violation (rule, the nodes, axe's summary); returns the results. */
async function audit(context: Element): Promise<Axe.AxeResults> {
  const results = await (await axe()).run(context, RULES);
  const violations = results.violations.map((violation) =>
    `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => `${JSON.stringify(node.target)} ${node.failureSummary}`).join('; ')}`);
  expect(violations).to.deep.equal([]);
  return results;
}

/** The CSS selectors (shadow paths flattened) of the nodes on which `rule` passed. */
const passedOn = (results: Axe.AxeResults, rule: string) =>
  results.passes.find((pass) => pass.id === rule)?.nodes.map((node) => JSON.stringify(node.target)) ?? [];

const buttonOf = (element: Element) => element.shadowRoot!.querySelector('button')!;

/** The whole set of tags as a page has them, for store `store` of tenant `t`; `api` is auth-fetch's URL. */
function page(t: string, store: string, api = `${apiOf(t)}/echo`, fetchAttributes: { method?: string; body?: string } = {}) {
  return fixture<HTMLElement>(html`<main>
    <h1>Appointments</h1>
    <auth-callback><p>Signing you in…</p></auth-callback>
    <auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store}>Sign in</auth-login>
    <auth-user store=${store}>
      <p slot="signed-out">Not signed in.</p>
      <template><p>Signed in as <b data-field="name"></b></p></template>
    </auth-user>
    <auth-fetch auto url=${api} store=${store} method=${fetchAttributes.method ?? 'GET'} body=${fetchAttributes.body ?? ''}>
      <p slot="loading">Loading…</p>
      <p slot="signed-out">Sign in to see your appointments.</p>
      <p slot="empty">No appointments yet.</p>
      <ul><template data-items="body"><li><span data-field="title"></span></li></template></ul>
    </auth-fetch>
    <auth-logout store=${store}>Sign out</auth-logout>
  </main>`);
}

const fetchIn = (root: Element) => root.querySelector<AuthFetchElement>('auth-fetch')!;

describe('accessibility audit (axe-core)', () => {
  afterEach(() => {
    clearStores();
    resetPage();
  });

  it('signed out: the sign-in button named by its label (sign-out hidden), the signed-out slots shown', async () => {
    const t = tenant();
    const root = await page(t, storeName());
    await waitUntil(() => fetchIn(root).hasAttribute('signed-out'), 'auth-fetch signed out');
    const results = await audit(root);
    expect(passedOn(results, 'button-name')).to.deep.equal(['[["auth-login","button"]]']);
  });

  it('signed in, with a rendered list', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    const items = JSON.stringify([{ title: 'Dentist' }, { title: 'Haircut' }]);
    const root = await page(t, store, `${apiOf(t)}/echo`, { method: 'POST', body: items });
    await waitUntil(() => root.querySelectorAll('li').length === 2, 'the list rendered');
    expect(root.querySelector('auth-user b')!.textContent).to.equal('Ada Lovelace');
    expect(root.querySelector('auth-login')!.hasAttribute('signed-in')).to.equal(true);
    const results = await audit(root);
    expect(passedOn(results, 'listitem')).to.have.length(2);
    expect(passedOn(results, 'button-name')).to.deep.equal(['[["auth-logout","button"]]']);
  });

  it('loading: aria-busy while the request is in flight', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    const root = await page(t, store, `${apiOf(t)}/slow?ms=2000`);
    await waitUntil(() => fetchIn(root).hasAttribute('loading'), 'loading');
    expect(fetchIn(root).getAttribute('aria-busy')).to.equal('true');
    await audit(root);
  });

  it('error: the default error text shown', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    const root = await page(t, store, `${apiOf(t)}/status/500`);
    await waitUntil(() => fetchIn(root).hasAttribute('error'), 'error');
    expect(fetchIn(root).shadowRoot!.querySelector('[part=error-message]')!.textContent).to.match(/500/);
    // Not busy: `aria-busy` is set only by a request still in flight a frame after it started (absent means false).
    expect(fetchIn(root).getAttribute('aria-busy')).to.not.equal('true');
    await audit(root);
  });

  it('empty: the empty slot shown', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    const root = await page(t, store, `${apiOf(t)}/echo`, { method: 'POST', body: '[]' });
    await waitUntil(() => fetchIn(root).hasAttribute('empty'), 'empty');
    await audit(root);
  });
});

describe('keyboard and focus', () => {
  afterEach(() => {
    clearStores();
    resetPage();
  });

  /** Focuses the button before `element` and presses Tab: focus moves into `element`'s shadow root. */
  async function tabTo(element: Element): Promise<HTMLButtonElement> {
    (element.previousElementSibling as HTMLButtonElement).focus();
    await sendKeys({ press: 'Tab' });
    const button = buttonOf(element);
    expect(document.activeElement).to.equal(element);
    expect(element.shadowRoot!.activeElement).to.equal(button);
    return button;
  }

  /** What a sighted keyboard user sees: the focus ring (`:focus-visible`, a drawn outline). */
  function expectVisibleFocus(button: HTMLButtonElement): void {
    expect(button.matches(':focus-visible')).to.equal(true);
    const style = getComputedStyle(button);
    expect(style.outlineStyle).to.not.equal('none');
    expect(parseFloat(style.outlineWidth)).to.be.greaterThan(0);
  }

  async function accessibleName(button: HTMLButtonElement): Promise<string> {
    const axeCore = await axe();
    axeCore.setup(document);
    try {
      return axeCore.commons.text.accessibleText(button);
    } finally {
      axeCore.teardown();
    }
  }

  it('<auth-login>: Tab shows the focus ring; named by its fallback label or the slotted one; Enter starts sign-in', async () => {
    const root = await fixture<HTMLElement>(html`<div>
      <button>before</button>
      <auth-login issuer="https://idp.example.com" client-id="app"></auth-login>
      <button>between</button>
      <auth-login issuer="https://idp.example.com" client-id="app">Sign in with <b>ACME</b></auth-login>
    </div>`);
    const [fallback, slotted] = root.querySelectorAll<AuthLoginElement>('auth-login');
    const button = await tabTo(fallback!);
    expectVisibleFocus(button);
    expect(button.type).to.equal('button');
    expect(await accessibleName(button)).to.equal('Sign in');
    expect(await accessibleName(await tabTo(slotted!))).to.equal('Sign in with ACME');

    // Enter on the focused button starts sign-in (here it fails at discovery: the issuer does not exist).
    const started = new Promise<Event>((resolve) => slotted!.addEventListener('auth-error', resolve, { once: true }));
    await sendKeys({ press: 'Enter' });
    expect(((await started) as CustomEvent<{ error: string }>).detail.error).to.be.oneOf(['network_error', 'invalid_discovery', 'http_error']);
  });

  it('<auth-logout>: Tab shows the focus ring; named "Sign out"; Space signs out', async () => {
    const t = tenant();
    const store = storeName();
    const { store: tokens } = await signIn(t, { store });
    const root = await fixture<HTMLElement>(html`<div><button>before</button><auth-logout store=${store}></auth-logout></div>`);
    const logout = root.querySelector<AuthLogoutElement>('auth-logout')!;
    const button = await tabTo(logout);
    expectVisibleFocus(button);
    expect(await accessibleName(button)).to.equal('Sign out');
    const signedOut = new Promise<Event>((resolve) => logout.addEventListener('auth-signed-out', resolve, { once: true }));
    await sendKeys({ press: 'Space' });
    await signedOut;
    expect(tokens.signedIn).to.equal(false);
  });
});

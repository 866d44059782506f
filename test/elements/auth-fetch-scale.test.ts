// <auth-fetch> at scale (issue #16): what each element costs. No timings here (they live in `npm run bench`): the
// structure that makes the cost, each checked so that the old behaviour fails it.
import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import { CHANGES } from '../../src/elements/dom.js';
import type { AuthErrorEvent } from '../../src/events.js';
import { TokenStore } from '../../src/store/token-store.js';
import { clearStores, signIn, storeName } from '../helpers/flow.js';
import { apiOf, resetPage, tenant } from '../helpers/idp.js';

/** Laid out on the page (not hidden, not an unassigned slottable). */
const rendered = (node: Element) => node.getClientRects().length > 0;

describe('<auth-fetch> at scale', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  it('adds no box (display: contents) unless the page gives it one, and the page\'s display wins; hidden hides it', async () => {
    const wrap = await fixture<HTMLDivElement>(`<div><style>.boxed auth-fetch { display: block; border: 1px solid; }</style>
      <auth-fetch url="https://api.example/x"><p>inside</p></auth-fetch><div class="boxed"><auth-fetch url="https://api.example/x"><p>boxed</p></auth-fetch></div></div>`);
    const [plain, boxed] = [...wrap.querySelectorAll('auth-fetch')] as AuthFetchElement[];
    await Promise.all([plain!.updateComplete, boxed!.updateComplete]);
    expect(getComputedStyle(plain!).display).to.equal('contents');
    expect(plain!.getClientRects()).to.have.length(0);
    expect(rendered(plain!.querySelector('p')!)).to.equal(true);
    expect(getComputedStyle(boxed!).display).to.equal('block');
    expect(boxed!.getBoundingClientRect().height).to.be.greaterThan(boxed!.querySelector('p')!.getBoundingClientRect().height);
    plain!.hidden = true;
    expect(getComputedStyle(plain!).display).to.equal('none');
    expect(rendered(plain!.querySelector('p')!)).to.equal(false);
  });

  it('reads its defaults through the accessors: an element keeps no property it was not given', async () => {
    const el = document.createElement('auth-fetch');
    expect([el.url, el.method, el.store, el.as, el.body, el.contentType, el.timeout, el.debounce, el.refreshOn, el.emit]).to.deep.equal([null, 'GET', 'default', 'json', null, null, 0, 0, null, null]);
    expect([el.auto, el.noReset, el.error, el.signedOut, el.empty]).to.deep.equal([false, false, false, false, false]);
    // Lit keeps reactive values under symbols: none until one is set (besides the changes' place, tested below).
    const symbols = () => Object.getOwnPropertySymbols(el).filter((symbol) => symbol !== CHANGES);
    expect(symbols()).to.have.length(0);
    el.method = 'POST';
    el.setAttribute('store', 'other');
    expect([el.method, el.store]).to.deep.equal(['POST', 'other']);
    expect(symbols()).to.have.length(2);
    el.method = undefined as unknown as string;
    expect(el.method).to.equal('GET');
    // Still reactive: a reflected property set after the default reaches its attribute, and back.
    document.body.append(el);
    el.error = true;
    await el.updateComplete;
    expect(el.hasAttribute('error')).to.equal(true);
    el.error = false;
    await el.updateComplete;
    expect(el.hasAttribute('error')).to.equal(false);
    el.remove();
  });

  it('keeps no Map of changed properties while settled, and its updates still see every change', async () => {
    type Internals = AuthFetchElement & { [CHANGES]?: Map<PropertyKey, unknown>; updated(changed: Map<PropertyKey, unknown>): void };
    const el = (await fixture(`<auth-fetch url="https://api.example/x" store="${storeName()}"></auth-fetch>`)) as Internals;
    // Lit's own Map (an own property of every element, empty between updates) is not there; nor is one of ours.
    expect(Object.hasOwn(el, '_$AL')).to.equal(false);
    expect(el[CHANGES]).to.equal(undefined);
    const seen: [PropertyKey, unknown][][] = [];
    const { updated } = el;
    el.updated = function (this: Internals, changed) {
      seen.push([...changed]);
      updated.call(this, changed);
    };
    el.error = true;
    el.method = 'POST';
    // Pending: the changes with their old values, as Lit gives them.
    expect([...el[CHANGES]!]).to.deep.equal([['error', false], ['method', 'GET']]);
    await el.updateComplete;
    expect(seen).to.deep.equal([[['error', false], ['method', 'GET']]]);
    expect(el.hasAttribute('error')).to.equal(true);
    expect(el[CHANGES]).to.equal(undefined);
    el.error = false;
    await el.updateComplete;
    expect(seen[1]).to.deep.equal([['error', true]]);
    expect(el.hasAttribute('error')).to.equal(false);
    expect(el[CHANGES]).to.equal(undefined);
  });

  it('keeps no resolver of its first update once connected: one function for every element, and reconnecting still updates', async () => {
    const wrapper = await fixture<HTMLDivElement>(`<div><auth-fetch url="https://api.example/a"></auth-fetch><auth-fetch url="https://api.example/b"></auth-fetch></div>`);
    const [a, b] = [...wrapper.children] as (AuthFetchElement & { enableUpdating(requested: boolean): void })[];
    await Promise.all([a!.updateComplete, b!.updateComplete]);
    // Lit gives each element its own (the resolver of its first update's promise, a closure), kept for ever.
    expect(a!.enableUpdating).to.equal(b!.enableUpdating);
    a!.remove();
    a!.error = true;
    wrapper.append(a!);
    await a!.updateComplete;
    expect(a!.hasAttribute('error')).to.equal(true);
    expect(a!.enableUpdating).to.equal(b!.enableUpdating);
  });

  describe('the shadow root holds the state slots only once a state needs them', () => {
    it('an answered element with no slotted content has only the default slot; an error adds the state slots', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="${apiOf(t)}/echo" store="${store}"><p>content</p></auth-fetch>`);
      await el.send();
      await el.updateComplete;
      const root = el.shadowRoot!;
      expect(root.childNodes).to.have.length(1);
      expect(root.querySelector('slot:not([name])')).to.exist;
      expect(root.querySelector('slot[name]')).to.equal(null);
      expect(rendered(el.querySelector('p')!)).to.equal(true);
      // No box of its own: defining the tag turns no inline element into a block (Blink re-wraps every inline sibling
      // for each one that does: quadratic on a page of thousands).
      expect(getComputedStyle(el).display).to.equal('contents');

      el.url = `${apiOf(t)}/status/500`;
      await el.updateComplete;
      const failed = oneEvent(el, 'auth-error');
      await el.send();
      await failed;
      await el.updateComplete;
      expect([...root.querySelectorAll('slot[name]')].map((slot) => slot.getAttribute('name'))).to.deep.equal(['signed-out', 'loading', 'error', 'empty']);
      const message = root.querySelector<HTMLElement>('[part=error-message]')!;
      expect(message.textContent).to.contain('HTTP 500');
      expect(rendered(message)).to.equal(true);
      expect(rendered(el.querySelector('p')!)).to.equal(true);
    });

    it('a slot="error" child shows only on error, a slot="loading" child only while loading', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="${apiOf(t)}/slow?ms=1500" store="${store}"><p slot="error">Sorry</p><p slot="loading">Wait</p></auth-fetch>`);
      const error = el.querySelector<HTMLElement>('[slot=error]')!;
      const loading = el.querySelector<HTMLElement>('[slot=loading]')!;
      expect(rendered(error)).to.equal(false);
      expect(rendered(loading)).to.equal(false);
      const done = el.send();
      await waitUntil(() => rendered(loading), 'the loading child shows', { timeout: 1400 });
      expect(rendered(error)).to.equal(false);
      await done;
      await el.updateComplete;
      expect(rendered(loading)).to.equal(false);
      expect(rendered(error)).to.equal(false);

      el.url = `${apiOf(t)}/status/503`;
      await el.updateComplete;
      const failed = oneEvent(el, 'auth-error');
      await el.send();
      expect(((await failed) as AuthErrorEvent).detail.status).to.equal(503);
      await el.updateComplete;
      expect(rendered(error)).to.equal(true);
      expect(rendered(loading)).to.equal(false);
      // The slotted error replaces the default text.
      expect(rendered(el.shadowRoot!.querySelector('[part=error-message]')!)).to.equal(false);
    });

    it('a signed-out element with a slot="signed-out" child shows it (the slots are made as the state is entered)', async () => {
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="/x" store="${storeName()}"><a slot="signed-out" href="#">Sign in</a><p slot="empty">none</p></auth-fetch>`);
      expect(el.hasAttribute('signed-out')).to.equal(true);
      expect(rendered(el.querySelector('[slot=signed-out]')!)).to.equal(true);
      expect(rendered(el.querySelector('[slot=empty]')!)).to.equal(false);
    });

    it('a request answered within a frame sets no loading attribute; one still in flight a frame later does', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="${apiOf(t)}/echo" store="${store}"></auth-fetch>`);
      const body = '{"ok":true}';
      const { fetch } = window;
      window.fetch = async () => new Response(body, { headers: { 'content-type': 'application/json' } });
      const seen: string[] = [];
      const observer = new MutationObserver((records) => seen.push(...records.map((record) => record.attributeName!)));
      try {
        // A first request loads the request code and the store's lifecycle (over the network: on a busy machine that
        // can take frames, and then `loading` rightly shows); the ones watched find them loaded.
        await el.send();
        await el.updateComplete;
        observer.observe(el, { attributeFilter: ['loading', 'aria-busy'] });
        for (let i = 0; i < 5; i++) expect((await el.send())?.data).to.deep.equal({ ok: true });
      } finally {
        window.fetch = fetch;
      }
      await el.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      expect(seen).to.deep.equal([]);
      // Control: a slow one shows it, with aria-busy, and both go when it ends.
      el.url = `${apiOf(t)}/slow?ms=1500`;
      await el.updateComplete;
      const done = el.send();
      expect(el.loading).to.equal(true);
      await waitUntil(() => el.hasAttribute('loading'), 'loading shown', { timeout: 1400 });
      expect(el.getAttribute('aria-busy')).to.equal('true');
      await done;
      expect(el.hasAttribute('loading')).to.equal(false);
      expect(el.getAttribute('aria-busy')).to.equal('false');
      expect(el.loading).to.equal(false);
      observer.disconnect();
    });
  });

  it('elements of one store share one subscription of it', async () => {
    const store = storeName();
    const { subscribe } = TokenStore.prototype;
    let calls = 0;
    TokenStore.prototype.subscribe = function (this: TokenStore, ...args: Parameters<TokenStore['subscribe']>) {
      if (this.name === store) calls++;
      return subscribe.apply(this, args);
    };
    try {
      const wrapper = await fixture<HTMLDivElement>(`<div>${'<auth-fetch url="/x" store="STORE"></auth-fetch>'.repeat(50).replaceAll('STORE', store)}</div>`);
      await Promise.all([...wrapper.children].map((el) => (el as AuthFetchElement).updateComplete));
      // One for the elements, which also tells the store's lifecycle (the old code subscribed once per element and
      // once more for the lifecycle: 51).
      expect(calls).to.equal(1);
      // Removing all but one keeps it; the last one out ends it, and a new element subscribes again.
      const [first, ...others] = [...wrapper.children];
      for (const el of others) el.remove();
      first!.remove();
      wrapper.append(first!);
      expect(calls).to.equal(2);
    } finally {
      TokenStore.prototype.subscribe = subscribe;
    }
  });

  it('parses (and checks the origin of) a URL once, however many requests go to it', async () => {
    const t = tenant();
    const store = storeName();
    await signIn(t, { store });
    const url = `${apiOf(t)}/cached-${Math.random()}`;
    const el = await fixture<AuthFetchElement>(`<auth-fetch url="${url}" store="${store}" param-a="1"></auth-fetch>`);
    const { fetch, URL: RealURL } = window;
    const requested: string[] = [];
    let parsed = 0;
    window.fetch = async (input) => (requested.push(String(input)), new Response('{}', { headers: { 'content-type': 'application/json' } }));
    window.URL = new Proxy(RealURL, { construct: (target, args) => (String(args[0]).startsWith(url) && parsed++, Reflect.construct(target, args)) });
    try {
      for (let i = 0; i < 10; i++) await el.send();
    } finally {
      window.fetch = fetch;
      window.URL = RealURL;
    }
    expect(requested).to.deep.equal(Array(10).fill(`${url}?a=1`));
    expect(parsed).to.equal(1);
  });

  it('a signed-out page loads neither the request step nor the template filler, until they are needed', async function () {
    this.timeout(15000);
    const t = tenant();
    const store = storeName();
    const frame = document.createElement('iframe');
    // Its own module graph: only auth-fetch.ts and what it imports statically.
    frame.srcdoc = `<!doctype html><script type="module">
      import { AuthFetchElement } from '/src/elements/auth-fetch.ts';
      customElements.define('auth-fetch', AuthFetchElement);
      window.ready = true;
    </script><auth-fetch auto url="${apiOf(t)}/echo" store="${store}"><template><b data-field="sub"></b></template></auth-fetch>`;
    document.body.append(frame);
    try {
      const win = frame.contentWindow as Window & typeof globalThis & { ready?: boolean };
      await waitUntil(() => win.ready, 'the frame defined auth-fetch', { timeout: 10000 });
      const el = win.document.querySelector<AuthFetchElement>('auth-fetch')!;
      await el.updateComplete;
      const loaded = (part: string) => win.performance.getEntriesByType('resource').some((entry) => entry.name.includes(part));
      expect(loaded('/elements/auth-fetch')).to.equal(true);
      expect(el.hasAttribute('signed-out')).to.equal(true);
      expect(loaded('/protocol/request')).to.equal(false);
      expect(loaded('/render/stamp')).to.equal(false);
      // Signed in (the frame shares this tab's session storage and store events): the auto request loads both.
      await signIn(t, { store });
      win.dispatchEvent(new StorageEvent('storage', { key: null }));
      await waitUntil(() => el.querySelector('b')?.textContent === 'user-1', 'the answer rendered', { timeout: 10000 });
      expect(loaded('/protocol/request')).to.equal(true);
      expect(loaded('/render/stamp')).to.equal(true);
    } finally {
      frame.remove();
    }
  });
});

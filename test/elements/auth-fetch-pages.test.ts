// <auth-fetch> for pages with no code: templates, forms, states, chaining, query parameters, races, shared GETs.
// The data comes from the fake API's /echo route, which answers a POSTed JSON body back as `body`.
import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthErrorEvent, AuthResponseEvent } from '../../src/events.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, signIn, sleep, storeName } from '../helpers/flow.js';
import { apiOf, resetPage, stats, tenant } from '../helpers/idp.js';

/** Attribute-safe JSON for a fixture string. */
const attr = (value: unknown) => JSON.stringify(value).replace(/&/g, '&amp;').replace(/'/g, '&#39;');

async function signedIn(): Promise<{ t: string; store: string; echo: string }> {
  const t = tenant();
  const store = storeName();
  await signIn(t, { store });
  return { t, store, echo: `${apiOf(t)}/echo` };
}

/** An <auth-fetch> that POSTs `data` to /echo and renders the echoed body with `template`. */
async function echoing(data: unknown, template: string, extra = ''): Promise<{ el: AuthFetchElement; t: string; store: string }> {
  const { t, store, echo } = await signedIn();
  const el = await fixture<AuthFetchElement>(`<auth-fetch url="${echo}" method="POST" store="${store}" body='${attr(data)}' ${extra}>${template}</auth-fetch>`);
  return { el, t, store };
}

const texts = (el: Element, selector: string) => [...el.querySelectorAll(selector)].map((node) => node.textContent);

describe('<auth-fetch> on pages with no code', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  describe('templates', () => {
    it('stamps one copy per array item, with nested paths and attributes', async () => {
      const data = [
        { title: 'Dentist', when: { date: '2026-12-01' }, link: 'https://example.com/a' },
        { title: 'Haircut', when: { date: '2026-12-02' }, link: '/relative/b' },
      ];
      const { el } = await echoing(data, `<template data-items="body"><li><span data-field="title"></span><time data-field="when.date" data-attr-datetime="when.date"></time><a data-attr-href="link" data-attr-title="title">open</a></li></template>`);
      await el.send();
      const el2 = { el };
      expect(texts(el2.el, 'li > span')).to.deep.equal(['Dentist', 'Haircut']);
      expect([...el2.el.querySelectorAll('time')].map((t) => t.getAttribute('datetime'))).to.deep.equal(['2026-12-01', '2026-12-02']);
      expect([...el2.el.querySelectorAll('a')].map((a) => a.getAttribute('href'))).to.deep.equal(['https://example.com/a', '/relative/b']);
      expect(el2.el.querySelector('a')!.title).to.equal('Dentist');
      expect(el2.el.empty).to.equal(false);
    });

    it('stamps its templates at any depth, in place, but not those of a nested <auth-fetch>', async () => {
      const { el } = await echoing([{ title: 'x' }, { title: 'y' }], `<ul><template data-items="body"><li data-field="title"></li></template></ul><auth-fetch><template><b data-field="body"></b></template></auth-fetch>`);
      await el.send();
      expect(texts(el, 'ul > li')).to.deep.equal(['x', 'y']);
      expect(el.querySelectorAll('b')).to.have.length(0);
    });

    it('stamps one copy for an object, and the template itself stays inert', async () => {
      const { el } = await echoing({ name: 'Ada' }, `<template><p data-field="body.name"></p></template>`);
      await el.send();
      expect(texts(el, 'p')).to.deep.equal(['Ada']);
      expect(el.querySelector('template')).to.exist;
    });

    it('renders missing fields as empty text and removes attributes bound to missing values', async () => {
      const { el } = await echoing([{ title: 'x' }], `<template data-items="body"><p data-field="nope.deeper" data-attr-title="missing" title="stale"></p></template>`);
      await el.send();
      const p = el.querySelector('p')!;
      expect(p.textContent).to.equal('');
      expect(p.hasAttribute('title')).to.equal(false);
    });

    it('keeps hostile strings inert: text stays text, javascript: URLs and event handlers are never bound', async () => {
      const hostile = [{ html: '<img src=x onerror="window.__pwned=1">', href: 'javascript:window.__pwned=2', src: ' JAVASCRIPT:alert(1)', handler: 'window.__pwned=3', data: 'data:text/html,<script>1</script>' }];
      const { el } = await echoing(hostile, `<template data-items="body"><p data-field="html"></p><a data-attr-href="href">a</a><img data-attr-src="src" alt=""><button data-attr-onclick="handler">b</button><a class="d" data-attr-href="data">d</a></template>`);
      await el.send();
      const p = el.querySelector('p')!;
      expect(p.textContent).to.equal(hostile[0]!.html);
      expect(p.querySelector('img')).to.equal(null);
      expect(el.querySelector('a')!.hasAttribute('href')).to.equal(false);
      expect(el.querySelector('a.d')!.hasAttribute('href')).to.equal(false);
      expect(el.querySelector('img')!.hasAttribute('src')).to.equal(false);
      expect(el.querySelector('button')!.hasAttribute('onclick')).to.equal(false);
      el.querySelector('button')!.click();
      await sleep(50);
      expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    });

    it('replaces the previous copies on the next answer', async () => {
      const { el } = await echoing([{ n: 1 }, { n: 2 }], `<template data-items="body"><i data-field="n"></i></template>`);
      await el.send();
      el.body = JSON.stringify([{ n: 3 }]);
      await el.updateComplete;
      await el.send();
      expect(texts(el, 'i')).to.deep.equal(['3']);
    });

    it('shows the empty slot for an empty list and reflects `empty`', async () => {
      const { el } = await echoing([], `<template data-items="body"><i data-field="n"></i></template><p slot="empty">Nothing yet</p>`);
      await el.send();
      await el.updateComplete;
      expect(el.hasAttribute('empty')).to.equal(true);
      expect(el.querySelectorAll('i')).to.have.length(0);
      const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name=empty]')!;
      expect(getComputedStyle(slot).display).to.not.equal('none');
      el.body = JSON.stringify([{ n: 1 }]);
      await el.updateComplete;
      await el.send();
      await el.updateComplete;
      expect(el.hasAttribute('empty')).to.equal(false);
      expect(getComputedStyle(slot).display).to.equal('none');
    });

    it('renders nothing without a template, and still fires auth-response', async () => {
      const { el } = await echoing([{ n: 1 }], `<p>static</p>`);
      const fired = oneEvent(el, 'auth-response');
      await el.send();
      expect(((await fired) as AuthResponseEvent).detail.data).to.deep.include({ body: [{ n: 1 }] });
      expect(el.children).to.have.length(1);
    });
  });

  describe('forms', () => {
    async function formFetch(extra = '', formAttrs = '', fields = '<input name="title" required><input name="date" value="2026-12-24">') {
      const { t, store, echo } = await signedIn();
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="${echo}" method="POST" store="${store}" ${extra}><form ${formAttrs}>${fields}<button>Add</button></form></auth-fetch>`);
      return { el, t, store, form: el.querySelector('form')!, button: el.querySelector('button')! };
    }

    it('sends the form as JSON with the token, then resets it', async () => {
      const { el, form } = await formFetch();
      (form.elements.namedItem('title') as HTMLInputElement).value = 'Dentist';
      const fired = oneEvent(el, 'auth-response');
      form.requestSubmit();
      const { detail } = (await fired) as AuthResponseEvent<{ body: unknown; contentType: string; method: string }>;
      expect(detail.data.method).to.equal('POST');
      expect(detail.data.contentType).to.equal('application/json');
      expect(detail.data.body).to.deep.equal({ title: 'Dentist', date: '2026-12-24' });
      expect((form.elements.namedItem('title') as HTMLInputElement).value).to.equal('');
    });

    it('sends form-encoded when content-type asks for it, and keeps values with no-reset', async () => {
      const { el, form } = await formFetch('content-type="application/x-www-form-urlencoded" no-reset');
      (form.elements.namedItem('title') as HTMLInputElement).value = 'A & B';
      const fired = oneEvent(el, 'auth-response');
      form.requestSubmit();
      const { detail } = (await fired) as AuthResponseEvent<{ body: unknown; contentType: string }>;
      expect(detail.data.contentType).to.equal('application/x-www-form-urlencoded');
      expect(detail.data.body).to.equal('title=A+%26+B&date=2026-12-24');
      expect((form.elements.namedItem('title') as HTMLInputElement).value).to.equal('A & B');
    });

    it('runs native validation first: an invalid form sends nothing', async () => {
      const { el, t, form } = await formFetch();
      const before = (await stats(t)).apiCalls;
      const seen = collect(el, 'auth-response', 'auth-error');
      form.requestSubmit();
      await sleep(200);
      seen.stop();
      expect(seen.events).to.have.length(0);
      expect((await stats(t)).apiCalls).to.equal(before);
    });

    it('disables the submit button while sending and ignores a double submit', async () => {
      const { el, t, form, button } = await formFetch();
      // /slow answers GET only.
      form.setAttribute('method', 'get');
      form.setAttribute('action', `${apiOf(t)}/slow?ms=400`);
      (form.elements.namedItem('title') as HTMLInputElement).value = 'x';
      const before = (await stats(t)).apiCalls;
      const seen = collect(el, 'auth-response', 'auth-error');
      form.requestSubmit();
      expect(button.disabled).to.equal(true);
      expect(el.loading).to.equal(true);
      form.requestSubmit();
      await waitUntil(() => !el.loading, 'request finished', { timeout: 2000 });
      seen.stop();
      expect(button.disabled).to.equal(false);
      expect((await stats(t)).apiCalls).to.equal(before + 1);
      expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-response']);
    });

    it('sends a GET form as query parameters', async () => {
      const { el, form } = await formFetch('', 'method="get"', '<input name="q" value="teeth">');
      const fired = oneEvent(el, 'auth-response');
      form.requestSubmit();
      const { detail } = (await fired) as AuthResponseEvent<{ method: string; query: string; body: unknown }>;
      expect(detail.data.method).to.equal('GET');
      expect(detail.data.query).to.equal('q=teeth');
      expect(detail.data.body).to.equal(null);
    });
  });

  describe('states', () => {
    it('reflects loading with aria-busy and the loading slot, then error with the description as text', async () => {
      const { t, store } = await signedIn();
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="${apiOf(t)}/slow?ms=1500" store="${store}"><span slot="loading">Loading…</span></auth-fetch>`);
      const done = el.send();
      // The property at once; the attribute (and aria-busy) once the request is still in flight a frame later.
      expect(el.loading).to.equal(true);
      await waitUntil(() => el.hasAttribute('loading'), 'loading shown', { timeout: 1400 });
      expect(el.getAttribute('aria-busy')).to.equal('true');
      const loadingSlot = el.shadowRoot!.querySelector('slot[name=loading]')!;
      expect(getComputedStyle(loadingSlot).display).to.not.equal('none');
      await done;
      await el.updateComplete;
      expect(el.hasAttribute('loading')).to.equal(false);
      expect(el.getAttribute('aria-busy')).to.equal('false');

      el.url = `${apiOf(t)}/status/503`;
      await el.updateComplete;
      const failed = oneEvent(el, 'auth-error');
      await el.send();
      expect(((await failed) as AuthErrorEvent).detail.status).to.equal(503);
      await el.updateComplete;
      expect(el.hasAttribute('error')).to.equal(true);
      const message = el.shadowRoot!.querySelector('[part=error-message]')!;
      expect(message.textContent).to.contain('HTTP 503');
      expect(message.children).to.have.length(0);
    });

    it('reflects signed-out while the store has no usable token, and shows the signed-out slot', async () => {
      const store = storeName();
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="/x" store="${store}"><a slot="signed-out">Please sign in</a></auth-fetch>`);
      expect(el.hasAttribute('signed-out')).to.equal(true);
      expect(getComputedStyle(el.shadowRoot!.querySelector('slot[name=signed-out]')!).display).to.not.equal('none');
      await signIn(tenant(), { store });
      await el.updateComplete;
      expect(el.hasAttribute('signed-out')).to.equal(false);
      getStore(store).clear();
      await el.updateComplete;
      expect(el.hasAttribute('signed-out')).to.equal(true);
    });

    it('removes what it rendered, and drops a request in flight, when the store is signed out (here or in another tab)', async () => {
      const { el, store } = await echoing([{ title: 'private' }], `<template data-items="body"><li data-field="title"></li></template>`);
      await el.send();
      expect(texts(el, 'li')).to.deep.equal(['private']);
      const seen = collect(el, 'auth-response', 'auth-error');
      // A GET in flight is dropped.
      el.method = 'GET';
      const pending = el.send();
      getStore(store).clear();
      expect(await pending).to.equal(undefined);
      await el.updateComplete;
      seen.stop();
      expect(el.querySelectorAll('li')).to.have.length(0);
      expect(el.querySelectorAll('template')).to.have.length(1);
      expect(el.hasAttribute('empty')).to.equal(false);
      expect(seen.events).to.have.length(0);
    });

    it('a write in flight when the store is signed out is not aborted (the server may have done it), but its answer is not shown', async () => {
      const { el, store } = await echoing([{ title: 'private' }], `<template data-items="body"><li data-field="title"></li></template>`);
      const seen = collect(el, 'auth-response', 'auth-error');
      // Signed out (another tab, or a sign-out button) once the POST has gone out.
      const { fetch } = window;
      window.fetch = (...args) => {
        const sent = fetch(...args);
        getStore(store).clear();
        return sent;
      };
      let pending: Promise<unknown>;
      try {
        pending = el.send();
        await waitUntil(() => !getStore(store).session, 'signed out with the POST on its way');
      } finally {
        window.fetch = fetch;
      }
      expect(((await pending) as { status?: number } | undefined)?.status).to.equal(200);
      seen.stop();
      expect(seen.events.map((e) => e.type)).to.deep.equal(['auth-response']);
      expect(el.querySelectorAll('li')).to.have.length(0);
    });

    it('keeps what it rendered when the token only expired', async () => {
      const { el, store } = await echoing([{ title: 'kept' }], `<template data-items="body"><li data-field="title"></li></template>`);
      await el.send();
      getStore(store).set({ ...getStore(store).session!, expiresAt: Date.now() - 1 });
      await el.updateComplete;
      expect(el.hasAttribute('signed-out')).to.equal(true);
      expect(texts(el, 'li')).to.deep.equal(['kept']);
    });
  });

  describe('chaining', () => {
    it('a form with emit refreshes a list with refresh-on, with no script', async () => {
      const { t, store, echo } = await signedIn();
      const wrapper = await fixture<HTMLDivElement>(`<div>
        <auth-fetch id="list" url="${echo}" store="${store}" refresh-on="appointment-added"></auth-fetch>
        <auth-fetch id="add" url="${echo}" method="POST" store="${store}" emit="appointment-added"><form><input name="title" value="x"><button>Add</button></form></auth-fetch>
      </div>`);
      const list = wrapper.querySelector<AuthFetchElement>('#list')!;
      const add = wrapper.querySelector<AuthFetchElement>('#add')!;
      const listSeen = collect(list, 'auth-response');
      const emitted = oneEvent(add, 'appointment-added');
      add.querySelector('form')!.requestSubmit();
      const event = (await emitted) as CustomEvent;
      expect(event.bubbles && event.composed).to.equal(true);
      await waitUntil(() => listSeen.events.length === 1, 'the list refreshed');
      listSeen.stop();
      // The add element itself does not refresh on its own event (no loop).
      await sleep(100);
      expect((await stats(t)).verifiedCalls).to.equal(2);
    });
  });

  describe('query parameters', () => {
    it('adds param-* attributes and data-param fields, and re-requests after debounce when a field changes', async () => {
      const { t, store } = await signedIn();
      const el = await fixture<AuthFetchElement>(`<auth-fetch auto debounce="150" url="${apiOf(t)}/echo" store="${store}" param-limit="10"><input data-param name="q" value="a"></auth-fetch>`);
      await waitUntil(async () => (await stats(t)).verifiedCalls === 1, 'first auto request');
      const input = el.querySelector('input')!;
      const fired = oneEvent(el, 'auth-response');
      for (const value of ['ab', 'abc', 'abcd']) {
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }
      const { detail } = (await fired) as AuthResponseEvent<{ query: string }>;
      expect(detail.data.query).to.equal('limit=10&q=abcd');
      await sleep(250);
      expect((await stats(t)).verifiedCalls).to.equal(2);
    });
  });

  describe('races', () => {
    it('drops a slow first answer that arrives after a fast second one', async () => {
      const { t, store } = await signedIn();
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="${apiOf(t)}/slow?ms=600" store="${store}"><template><b data-field="slow"></b><i data-field="sub"></i></template></auth-fetch>`);
      const seen = collect<{ data: unknown }>(el, 'auth-response', 'auth-error');
      const first = el.send();
      await sleep(30);
      el.url = `${apiOf(t)}/echo`;
      await el.updateComplete;
      await el.send();
      expect(await first).to.equal(undefined);
      await sleep(800);
      seen.stop();
      expect(seen.events).to.have.length(1);
      expect(texts(el, 'i')).to.deep.equal(['user-1']);
      expect(texts(el, 'b')).to.deep.equal(['']);
    });

    it('shares identical GETs in flight between elements', async () => {
      const { t, store } = await signedIn();
      const url = `${apiOf(t)}/slow?ms=200`;
      const wrapper = await fixture<HTMLDivElement>(`<div><auth-fetch url="${url}" store="${store}"></auth-fetch><auth-fetch url="${url}" store="${store}"></auth-fetch></div>`);
      const [a, b] = wrapper.querySelectorAll<AuthFetchElement>('auth-fetch');
      const before = (await stats(t)).apiCalls;
      const [ra, rb] = await Promise.all([a!.send(), b!.send()]);
      expect(ra?.data).to.deep.equal({ slow: true });
      expect(rb?.data).to.deep.equal({ slow: true });
      expect((await stats(t)).apiCalls).to.equal(before + 1);
    });

    it('a shared GET goes on for the element that stays when the other is removed', async () => {
      const { t, store } = await signedIn();
      const url = `${apiOf(t)}/slow?ms=300`;
      const wrapper = await fixture<HTMLDivElement>(`<div><auth-fetch url="${url}" store="${store}"></auth-fetch><auth-fetch url="${url}" store="${store}"></auth-fetch></div>`);
      const [a, b] = wrapper.querySelectorAll<AuthFetchElement>('auth-fetch');
      const pa = a!.send();
      const pb = b!.send();
      await sleep(30);
      a!.remove();
      expect(await pa).to.equal(undefined);
      expect((await pb)?.data).to.deep.equal({ slow: true });
    });

    it('leaves no listener behind: a removed element ignores refresh-on events', async () => {
      const { t, store, echo } = await signedIn();
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="${echo}" store="${store}" refresh-on="reload-now"></auth-fetch>`);
      const before = (await stats(t)).apiCalls;
      el.remove();
      document.dispatchEvent(new CustomEvent('reload-now'));
      await sleep(150);
      expect((await stats(t)).apiCalls).to.equal(before);
      document.body.append(el);
      document.dispatchEvent(new CustomEvent('reload-now'));
      await waitUntil(async () => (await stats(t)).apiCalls === before + 1, 'refreshed after reconnect');
      el.remove();
    });
  });
});

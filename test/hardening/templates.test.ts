// [hardening] Template bindings are an allow-list (src/render/stamp.ts). The data <auth-fetch> and <auth-user> put
// into a page author's <template> is hostile (API answers, ID token claims): it may become the text of ordinary
// elements and a few attributes that cannot run code (URL ones only as http(s)), never the text or attributes of
// script-like, frame-like or SMIL elements, nor of anything inside them, in any namespace and any case.
//
// Templates are built with createContextualFragment, whose scripts are not marked "already started": a copy's
// script runs once it is in the document, as one from a template the page itself parsed would. Every payload sets
// window.__pwned, so a test sees any that ran.
import { expect, fixture, oneEvent } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthFetchElement } from '../../src/elements/auth-fetch.js';
import type { AuthUserElement } from '../../src/elements/auth-user.js';
import type { AuthErrorEvent } from '../../src/events.js';
import type { Session } from '../../src/protocol/callback.js';
import { render, stamp } from '../../src/render/stamp.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, signIn, sleep, storeName } from '../helpers/flow.js';
import { apiOf, resetPage, tenant } from '../helpers/idp.js';

declare global {
  interface Window {
    __pwned?: unknown;
    clobbered?: unknown;
  }
}

/** JavaScript that leaves a mark, as a `javascript:` URL would run it (`void`: the page is not replaced). */
const JS = (mark: string) => `void(window.__pwned=${JSON.stringify(mark)})`;

/** A template whose content is `markup`, its scripts runnable once copied into the document. */
function templateOf(markup: string): HTMLTemplateElement {
  const template = document.createElement('template');
  template.content.append(document.createRange().createContextualFragment(markup));
  return template;
}

const mounted: Element[] = [];

/** One copy of `markup` filled with `item`, in the document (so scripts would run and styles would apply). */
function mount(markup: string, item: unknown): HTMLElement {
  const host = document.createElement('div');
  document.body.append(host);
  mounted.push(host);
  host.append(stamp(templateOf(markup), [item]));
  return host;
}

/** Every attribute of every element in `host`, as `tag attr=value`, for a readable failure. */
const attributesOf = (host: Element) => [...host.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => !a.name.startsWith('data-')).map((a) => `${el.localName} ${a.name}=${a.value}`));

function session(claims: Record<string, unknown>): Session {
  return { issuer: 'https://idp.example', clientId: 'app', scope: 'openid', allowedOrigins: [], idToken: 'x.y.z', claims, expiresAt: Date.now() + 60_000 } as unknown as Session;
}

describe('[hardening] template bindings', function () {
  this.timeout(20_000);

  afterEach(() => {
    for (const host of mounted.splice(0)) host.remove();
    delete window.__pwned;
    delete window.clobbered;
    document.body.style.removeProperty('--pwned');
  });
  afterEach(clearStores);
  afterEach(resetPage);

  describe('elements that run, load or style content are never bound, nor anything inside them', () => {
    it('script in every namespace and case: no text, no URL, nothing runs', async () => {
      const item = { code: JS('script text'), src: '/test/fixtures/pwned.js' };
      // The script URL is real: fetched here once, so a script that did get it would run within the wait below.
      expect((await fetch(item.src)).ok).to.equal(true);
      const host = mount(
        `<script data-field="code"></script><SCRIPT data-field="code" data-attr-src="src"></SCRIPT>` +
          `<svg><script data-field="code"></script><script data-attr-href="src"></script><SCRIPT data-attr-href="src" data-attr-xlink:href="src"></SCRIPT></svg>` +
          `<math><script data-field="code"></script></math>`,
        item,
      );
      await sleep(300);
      expect(window.__pwned).to.equal(undefined);
      const scripts = [...host.querySelectorAll('script')];
      expect(scripts.map((s) => s.namespaceURI)).to.deep.equal(['http://www.w3.org/1999/xhtml', 'http://www.w3.org/1999/xhtml', 'http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg', 'http://www.w3.org/1998/Math/MathML']);
      expect(scripts.map((s) => s.textContent)).to.deep.equal(['', '', '', '', '', '']);
      expect(attributesOf(host)).to.deep.equal([]);
    });

    it('style in every namespace and case: no CSS from the data applies', async () => {
      const host = mount(`<style data-field="css"></style><STYLE data-field="css"></STYLE><svg><style data-field="css"></style></svg><math><style data-field="css"></style></math>`, { css: 'body { --pwned: 1 }' });
      expect(getComputedStyle(document.body).getPropertyValue('--pwned')).to.equal('');
      expect([...host.querySelectorAll('style')].map((s) => s.textContent)).to.deep.equal(['', '', '', '']);
    });

    it('iframe, object, embed, base, link, meta: no srcdoc, no URL, no content', async () => {
      const base = document.baseURI;
      const item = { html: `<script>parent.${JS('srcdoc')}</script>`, url: 'https://evil.example/', css: '/test/fixtures/pwned.css' };
      const host = mount(
        `<iframe data-attr-srcdoc="html" data-attr-src="url" data-field="html"></iframe><IFRAME data-attr-src="url"></IFRAME>` +
          `<object data-attr-data="url" data-attr-title="url"><p data-field="html"></p></object><embed data-attr-src="url">` +
          `<base data-attr-href="url"><link rel="stylesheet" data-attr-href="css"><meta http-equiv="refresh" data-attr-content="url" data-attr-title="url">`,
        item,
      );
      await sleep(100);
      expect(attributesOf(host)).to.deep.equal(['link rel=stylesheet', 'meta http-equiv=refresh']);
      expect(host.querySelector('object p')!.textContent).to.equal('');
      expect(host.querySelector('iframe')!.textContent).to.equal('');
      expect(document.baseURI).to.equal(base);
      expect(window.__pwned).to.equal(undefined);
    });

    it('foreignObject and everything in it', () => {
      const host = mount(`<svg><foreignObject data-field="text"><p data-field="text"></p><img data-attr-src="url" data-attr-alt="text"><a data-attr-href="url">a</a></foreignObject></svg>`, { text: 'from the data', url: 'https://example.com/x.png' });
      expect(host.querySelector('foreignObject p')!.textContent).to.equal('');
      expect(attributesOf(host)).to.deep.equal([]);
    });

    it('a template inside the template: neither its attributes, its text nor its content', () => {
      const host = mount(`<template data-field="text" data-attr-title="text" data-attr-data-items="text"><p data-field="text"></p></template>`, { text: 'from the data' });
      const inner = host.querySelector('template')!;
      expect(inner.childNodes).to.have.length(0);
      expect(inner.hasAttribute('title')).to.equal(false);
      expect(inner.hasAttribute('data-items')).to.equal(false);
      expect(inner.content.querySelector('p')!.textContent).to.equal('');
    });

    it('SMIL: set, animate, animateMotion, animateTransform, discard get no to/from/values/by/attributeName; a click runs nothing', async () => {
      const js = `javascript:${JS('smil')}`;
      const host = mount(
        `<svg width="100" height="100"><a><rect width="100" height="100"/>` +
          `<set attributeName="href" data-attr-to="js" data-attr-attributeName="name"/>` +
          `<animate attributeName="href" data-attr-to="js" data-attr-from="js" data-attr-values="js" data-attr-by="js" dur="1s"/>` +
          `<animateMotion data-attr-values="js" data-attr-from="js"/><animateTransform data-attr-to="js" data-attr-by="js"/><discard data-attr-begin="js"/>` +
          `<SET attributeName="href" data-attr-to="js"/></a></svg>`,
        { js, name: 'href' },
      );
      expect(attributesOf(host)).to.deep.equal(['svg width=100', 'svg height=100', 'rect width=100', 'rect height=100', 'set attributeName=href', 'animate attributeName=href', 'animate dur=1s', 'set attributeName=href']);
      await sleep(50);
      host.querySelector('rect')!.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window }));
      await sleep(200);
      expect(window.__pwned).to.equal(undefined);
    });
  });

  describe('attributes: an allow-list, on HTML elements only', () => {
    it('never on*, in any case: a click runs nothing', async () => {
      const host = mount(`<button data-attr-OnClick="js" data-attr-ONCLICK="js" data-attr-onclick="js" data-attr-onfocus="js">b</button>`, { js: JS('handler') });
      expect(attributesOf(host)).to.deep.equal([]);
      host.querySelector('button')!.click();
      await sleep(50);
      expect(window.__pwned).to.equal(undefined);
    });

    it('never style, srcdoc, action, formaction, srcset, ping, xlink:href, id, name (DOM clobbering), data-*: a refused binding keeps what the author wrote', () => {
      const url = 'https://evil.example/steal';
      const host = mount(
        `<p data-attr-style="css" data-attr-STYLE="css" data-attr-id="id" data-attr-name="id">p</p>` +
          `<form data-attr-action="url" action="/kept"><button data-attr-formaction="url" formaction="/kept-too">b</button><input data-attr-name="id" data-attr-form="id"></form>` +
          `<img data-attr-srcset="url" data-attr-name="id" data-attr-id="id" alt=""><a data-attr-ping="url" data-attr-xlink:href="url" data-attr-target="id" data-attr-data-bind="url" data-attr-data-field="id">a</a>`,
        { css: 'background: url(https://evil.example/track)', url, id: 'clobbered' },
      );
      expect(attributesOf(host)).to.deep.equal(['form action=/kept', 'button formaction=/kept-too', 'img alt=']);
      expect(window.clobbered).to.equal(undefined);
      const a = host.querySelector('a')!;
      expect([a.hasAttribute('data-bind'), a.hasAttribute('data-field')]).to.deep.equal([false, false]);
    });

    it('URL attributes only as http(s) or relative URLs, however the scheme is spelled: javascript:, data:, vbscript:', async () => {
      const payloads = [
        `javascript:${JS('href')}`,
        `JaVaScRiPt:${JS('href')}`,
        ` javascript:${JS('href')}`,
        `\u0001javascript:${JS('href')}`,
        `\u0000javascript:${JS('href')}`,
        `java\nscript:${JS('href')}`,
        `java\tscript:${JS('href')}`,
        `javascript\r:${JS('href')}`,
        `data:text/html,<script>${JS('data')}</script>`,
        `DATA:image/svg+xml,<svg onload="${JS('data')}"/>`,
        'vbscript:msgbox(1)',
        'file:///etc/passwd',
      ];
      const markup = `<a href="#author" data-attr-href="u">a</a><img src="/author.png" data-attr-src="u" alt=""><blockquote data-attr-cite="u" cite="/author"></blockquote><video data-attr-poster="u" data-attr-src="u"></video>`;
      for (const u of payloads) {
        const host = mount(markup, { u });
        expect(attributesOf(host), JSON.stringify(u)).to.deep.equal(['img alt=']);
        host.querySelector('a')!.click();
      }
      await sleep(200);
      expect(window.__pwned).to.equal(undefined);
    });

    it('an entity in a URL is text, not decoded: it stays a relative http(s) URL', () => {
      const host = mount(`<a data-attr-href="u">a</a>`, { u: `&#106;avascript:${JS('entity')}` });
      const a = host.querySelector('a')!;
      expect(a.getAttribute('href')).to.equal(`&#106;avascript:${JS('entity')}`);
      expect(a.protocol).to.equal(location.protocol);
      expect(a.origin).to.equal(location.origin);
    });

    it('SVG and MathML elements get text only, not even an https href', () => {
      const host = mount(
        `<svg><a data-attr-href="https" data-attr-class="text" data-attr-title="text"><text data-field="text" data-attr-class="text"></text></a><use data-attr-href="relative"/><image data-attr-href="https"/></svg>` +
          `<math><mi data-field="text" data-attr-class="text"></mi><mtext data-attr-href="https"></mtext></math>`,
        { text: 'from the data', https: 'https://example.com/', relative: '/sprite.svg#icon' },
      );
      expect(attributesOf(host)).to.deep.equal([]);
      expect(host.querySelector('text')!.textContent).to.equal('from the data');
      expect(host.querySelector('mi')!.textContent).to.equal('from the data');
    });
  });

  describe('what is allowed still works', () => {
    it('text in ordinary elements, allow-listed attributes (any case), https and relative URLs', () => {
      const host = mount(
        `<ul><li data-field="name"></li></ul><a data-attr-href="https" data-attr-Title="name" data-attr-aria-label="name">a</a><a class="rel" data-attr-href="relative">r</a>` +
          `<img data-attr-src="https" data-attr-alt="name" data-attr-class="cls"><time data-attr-datetime="date" data-field="date"></time><input data-attr-value="name" data-attr-placeholder="name">` +
          `<p data-attr-hidden="name" data-attr-lang="lang" data-attr-role="role"></p>`,
        { name: 'Ada <b>', https: 'https://example.com/a?b=c', relative: '../x/y', cls: 'big', date: '2026-12-01', lang: 'en', role: 'note' },
      );
      expect(host.querySelector('li')!.textContent).to.equal('Ada <b>');
      expect(host.querySelector('li b')).to.equal(null);
      const a = host.querySelector('a')!;
      expect([a.getAttribute('href'), a.title, a.getAttribute('aria-label')]).to.deep.equal(['https://example.com/a?b=c', 'Ada <b>', 'Ada <b>']);
      expect(host.querySelector('a.rel')!.getAttribute('href')).to.equal('../x/y');
      const img = host.querySelector('img')!;
      expect([img.getAttribute('src'), img.alt, img.className]).to.deep.equal(['https://example.com/a?b=c', 'Ada <b>', 'big']);
      expect(host.querySelector('time')!.dateTime).to.equal('2026-12-01');
      expect(host.querySelector('input')!.value).to.equal('Ada <b>');
      const p = host.querySelector('p')!;
      expect([p.hidden, p.lang, p.getAttribute('role')]).to.deep.equal([true, 'en', 'note']);
    });

    it('<auth-user>: hostile claims stay out of script, style and SMIL; the good bindings work', async () => {
      const store = storeName();
      getStore(store).set(session({ name: 'Ada', website: `javascript:${JS('claims')}`, code: JS('claims'), home: 'https://ada.example/' }));
      const el = await fixture<AuthUserElement>(
        `<auth-user store="${store}"><template><b data-field="name"></b><a data-attr-href="home">home</a>` +
          `<svg><script data-field="code"></script><style data-field="code"></style><a><set attributeName="href" data-attr-to="website"/><text>x</text></a></svg></template></auth-user>`,
      );
      expect(el.querySelector('b')!.textContent).to.equal('Ada');
      expect(el.querySelector('a')!.getAttribute('href')).to.equal('https://ada.example/');
      expect(el.querySelector('svg script')!.textContent).to.equal('');
      expect(el.querySelector('svg style')!.textContent).to.equal('');
      expect(el.querySelector('set')!.hasAttribute('to')).to.equal(false);
    });
  });

  describe('rendering', () => {
    it('renders a list of 200,000 items (no spread of the copies into one call)', () => {
      const host = document.createElement('auth-fetch');
      const ul = host.appendChild(document.createElement('ul'));
      ul.append(templateOf('<li data-field="n"></li>'));
      const items = Array.from({ length: 200_000 }, (_, n) => ({ n }));
      const started = performance.now();
      const [nodes, empty] = render(host, items, []);
      const ms = performance.now() - started;
      expect(nodes).to.have.length(200_000);
      expect(empty).to.equal(false);
      expect(ul.querySelectorAll('li')).to.have.length(200_000);
      expect(ul.lastElementChild!.textContent).to.equal('199999');
      const [again] = render(host, [{ n: 'x' }], nodes);
      expect(again).to.have.length(1);
      expect(ul.querySelectorAll('li')).to.have.length(1);
      expect(ms, `${Math.round(ms)} ms`).to.be.below(15_000);
    });

    it('<auth-fetch>: a failure to render is render_error (not network_error), shown, and the answer is not reported as a success', async () => {
      const t = tenant();
      const store = storeName();
      await signIn(t, { store });
      // An SVG <template> is no HTMLTemplateElement: it has no content to copy, and rendering it throws.
      const el = await fixture<AuthFetchElement>(`<auth-fetch url="${apiOf(t)}/echo" method="POST" store="${store}" body='{"n":1}'><svg><template><text data-field="n"></text></template></svg></auth-fetch>`);
      const failed = oneEvent(el, 'auth-error');
      let succeeded = false;
      el.addEventListener('auth-response', () => (succeeded = true));
      expect(await el.send()).to.equal(undefined);
      const { detail } = (await failed) as AuthErrorEvent;
      expect(detail.error).to.equal('render_error');
      expect(detail.errorDescription).to.match(/^rendering the answer failed: TypeError/);
      expect(el.error).to.equal(true);
      expect(succeeded).to.equal(false);
    });
  });
});

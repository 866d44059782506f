// A static page with the four tags and no script of its own, in an iframe: real navigation to the provider's
// /authorize, a real redirect back with the fragment, validation, then an API call that the API verifies.
import { expect, waitUntil } from '@open-wc/testing';
import { resetPage, stats, tenant } from '../helpers/idp.js';

function loaded(frame: HTMLIFrameElement): Promise<void> {
  return new Promise((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
}

const inFrame = (frame: HTMLIFrameElement, selector: string) => frame.contentDocument!.querySelector(selector) as HTMLElement;

describe('a static page with the four tags', () => {
  let frame: HTMLIFrameElement;

  afterEach(() => {
    frame.remove();
    resetPage();
  });

  it('signs in through a real redirect, removes the fragment, and calls the API with a token it accepts', async function () {
    this.timeout(8000);
    const t = tenant();
    frame = document.createElement('iframe');
    const first = loaded(frame);
    frame.src = `/fixtures/${t}/static-page.html`;
    document.body.append(frame);
    await first;
    await waitUntil(() => inFrame(frame, 'auth-login')?.shadowRoot?.querySelector('button'), 'auth-login rendered');
    expect(inFrame(frame, 'auth-login').hasAttribute('signed-in')).to.equal(false);

    const back = loaded(frame);
    inFrame(frame, 'auth-login').shadowRoot!.querySelector('button')!.click();
    await back;

    await waitUntil(() => inFrame(frame, 'auth-login')?.hasAttribute('signed-in'), 'signed in', { timeout: 4000 });
    expect(frame.contentWindow!.location.hash).to.equal('');
    expect(frame.contentWindow!.location.pathname).to.equal(`/fixtures/${t}/static-page.html`);
    await waitUntil(async () => (await stats(t)).verifiedCalls === 1, 'the API verified one call', { timeout: 4000 });

    inFrame(frame, 'auth-logout').shadowRoot!.querySelector('button')!.click();
    await waitUntil(() => !inFrame(frame, 'auth-login').hasAttribute('signed-in'), 'signed out');
    expect(frame.contentWindow!.sessionStorage.getItem('auth-elements:store:default')).to.equal(null);
  });
});

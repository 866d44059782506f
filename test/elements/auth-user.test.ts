// <auth-user>: the signed-in user's validated ID token claims, through a template, as text and safe attributes.
import { expect, fixture, waitUntil } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthUserElement } from '../../src/elements/auth-user.js';
import type { Session } from '../../src/protocol/callback.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, signIn, storeName } from '../helpers/flow.js';
import { resetPage, tenant } from '../helpers/idp.js';

const TEMPLATE = `<p slot="signed-out">Not signed in</p><template><b data-field="name"></b> <i data-field="email"></i><a data-attr-href="website" href="#stale">site</a></template>`;

function session(claims: Record<string, unknown>): Session {
  return { issuer: 'https://idp.example', clientId: 'app', scope: 'openid', allowedOrigins: [], idToken: 'x.y.z', claims, expiresAt: Date.now() + 60_000 } as unknown as Session;
}

const visible = (el: AuthUserElement, name: string) => getComputedStyle(el.shadowRoot!.querySelector(`slot[name=${name}]`)!).display !== 'none';

describe('<auth-user>', () => {
  afterEach(clearStores);
  afterEach(resetPage);

  it('fills its template with the claims of the ID token validated at sign-in, and empties it on sign-out', async () => {
    const store = storeName();
    const el = await fixture<AuthUserElement>(`<auth-user store="${store}">${TEMPLATE}</auth-user>`);
    expect(el.querySelector('b')).to.equal(null);
    expect(el.signedIn).to.equal(false);
    expect(visible(el, 'signed-out')).to.equal(true);

    await signIn(tenant(), { store });
    await waitUntil(() => el.querySelector('b'), 'rendered after sign-in');
    expect(el.querySelector('b')!.textContent).to.equal('Ada Lovelace');
    expect(el.querySelector('i')!.textContent).to.equal('ada@example.com');
    expect(el.hasAttribute('signed-in')).to.equal(true);
    expect(visible(el, 'signed-out')).to.equal(false);
    expect(el.querySelectorAll('template')).to.have.length(1);

    getStore(store).clear();
    await waitUntil(() => !el.querySelector('b'), 'copies removed on sign-out');
    expect(el.hasAttribute('signed-in')).to.equal(false);
    expect(visible(el, 'signed-out')).to.equal(true);
  });

  it('renders claims as text and drops unsafe URLs', async () => {
    const store = storeName();
    getStore(store).set(session({ name: '<img src=x onerror="window.pwned=1">', email: 'e', website: 'javascript:window.pwned=1' }));
    const el = await fixture<AuthUserElement>(`<auth-user store="${store}">${TEMPLATE}</auth-user>`);
    expect(el.querySelector('b')!.textContent).to.equal('<img src=x onerror="window.pwned=1">');
    expect(el.querySelector('img')).to.equal(null);
    expect(el.querySelector('a')!.hasAttribute('href')).to.equal(false);
    expect((window as { pwned?: number }).pwned).to.equal(undefined);
  });

  it('shows the latest claims after a change in the store, once', async () => {
    const store = storeName();
    getStore(store).set(session({ name: 'Ada', website: 'https://ada.example/' }));
    const el = await fixture<AuthUserElement>(`<auth-user store="${store}">${TEMPLATE}</auth-user>`);
    expect(el.querySelector('a')!.getAttribute('href')).to.equal('https://ada.example/');
    getStore(store).set(session({ name: 'Grace' }));
    await waitUntil(() => el.querySelector('b')?.textContent === 'Grace', 'the new claims');
    expect(el.querySelectorAll('b')).to.have.length(1);
    expect(el.querySelector('a')!.hasAttribute('href')).to.equal(false);
  });

  it('shows nothing for a session without an ID token, and follows a change of store', async () => {
    const store = storeName();
    const other = storeName();
    getStore(store).set({ ...session({}), idToken: undefined, claims: undefined } as unknown as Session);
    getStore(other).set(session({ name: 'Grace' }));
    const el = await fixture<AuthUserElement>(`<auth-user store="${store}">${TEMPLATE}</auth-user>`);
    expect(el.querySelector('b')).to.equal(null);
    expect(el.signedIn).to.equal(false);
    el.store = other;
    await el.updateComplete;
    expect(el.querySelector('b')!.textContent).to.equal('Grace');
  });

  it("is not filled by an enclosing <auth-fetch>, and does not fill that element's template", async () => {
    const store = storeName();
    getStore(store).set(session({ name: 'Ada' }));
    const wrapper = await fixture<HTMLElement>(`<auth-fetch store="${store}"><template><u data-field="name"></u></template><auth-user store="${store}">${TEMPLATE}</auth-user></auth-fetch>`);
    await wrapper.querySelector<AuthUserElement>('auth-user')!.updateComplete;
    expect(wrapper.querySelector('u')).to.equal(null);
    expect(wrapper.querySelector('b')!.textContent).to.equal('Ada');
  });
});

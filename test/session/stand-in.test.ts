// The hosts of a store's lifecycle (src/controllers/store-controller.ts): every element with sign-in configuration
// (<auth-login>), and of the others only one, the first attached, standing in for all; when it leaves, the next one
// (in the order they came) takes its place, so the lifecycle never sees the store without elements.
import { expect, fixture } from '@open-wc/testing';
import '../../src/define.js';
import { attachedHosts } from '../../src/session/hosts.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, storeName } from '../helpers/flow.js';

describe('a store\'s lifecycle hosts', () => {
  afterEach(clearStores);

  it('one stand-in among the plain elements, handed on in order; every <auth-login> besides', async () => {
    const store = storeName();
    const root = await fixture<HTMLDivElement>(`<div>
      <auth-fetch id="a" store="${store}" url="https://api.example/a"></auth-fetch>
      <auth-login id="l" store="${store}" issuer="https://idp.example" client-id="app"></auth-login>
      <auth-fetch id="b" store="${store}" url="https://api.example/b"></auth-fetch>
      <auth-user id="u" store="${store}"></auth-user>
      <auth-fetch id="c" store="${store}" url="https://api.example/c"></auth-fetch>
    </div>`);
    const ids = () => attachedHosts(getStore(store)).map((host) => host.id).sort();
    expect(ids()).to.deep.equal(['a', 'l']);
    root.querySelector('#a')!.remove();
    expect(ids()).to.deep.equal(['b', 'l']);
    // One that does not stand in leaves quietly.
    root.querySelector('#c')!.remove();
    expect(ids()).to.deep.equal(['b', 'l']);
    root.querySelector('#b')!.remove();
    expect(ids()).to.deep.equal(['l', 'u']);
    root.querySelector('#l')!.remove();
    expect(ids()).to.deep.equal(['u']);
    root.querySelector('#u')!.remove();
    expect(ids()).to.deep.equal([]);
    // Back on the page: it stands in again.
    const again = root.appendChild(document.createElement('auth-fetch'));
    again.id = 'again';
    again.store = store;
    await again.updateComplete;
    expect(ids()).to.deep.equal(['again']);
  });
});

import { expect, fixture, html } from '@open-wc/testing';
import '../src/define.js';
import { getStore } from '../src/store/token-store.js';
import { collect, signIn, sleep, storeName } from './helpers/flow.js';
import { issuerOf, tenant } from './helpers/idp.js';
it('debug', async () => {
  const t = tenant(); const store = storeName();
  await signIn(t, { store });
  const expiresAt = Date.now() + 400;
  getStore(store).set({ ...getStore(store).session!, expiresAt });
  console.log('top', top === self, JSON.stringify(getStore(store).session).slice(0, 100));
  const el: any = await fixture(html`<auth-login issuer=${issuerOf(t)} client-id="app" store=${store}></auth-login>`);
  const seen = collect(document, 'auth-expiring', 'auth-expired', 'auth-signed-in', 'auth-error');
  await sleep(1500);
  console.log('events', seen.events.map((e) => e.type + ' ' + (e.target as Element).localName));
  expect(1).to.equal(1);
});

import { expect } from '@open-wc/testing';
import { startSignIn } from '../src/protocol/authorize.js';
import { handleResponse, parseFragment } from '../src/protocol/callback.js';
import { issuerOf, providerFragment, resetPage, tenant } from './helpers/idp.js';

describe('smoke', () => {
  afterEach(resetPage);
  it('signs in through the fake provider', async () => {
    const t = tenant();
    const { url } = await startSignIn({ issuer: issuerOf(t), clientId: 'app', audience: `${location.origin}/api/${t}` });
    const fragment = await providerFragment(url);
    const { session } = await handleResponse(parseFragment(fragment)!);
    expect(session.claims?.sub).to.equal('user-1');
    expect(session.accessToken).to.be.a('string');
  });
});

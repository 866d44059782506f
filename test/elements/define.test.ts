import { expect } from '@open-wc/testing';
import '../../src/define.js';
import { AuthCallbackElement, AuthFetchElement, AuthLoginElement, AuthLogoutElement } from '../../src/index.js';

const TAGS = {
  'auth-login': AuthLoginElement,
  'auth-callback': AuthCallbackElement,
  'auth-fetch': AuthFetchElement,
  'auth-logout': AuthLogoutElement,
} as const;

describe('define', () => {
  for (const [tag, constructor] of Object.entries(TAGS)) {
    it(`defines <${tag}> as ${constructor.name}`, () => {
      expect(customElements.get(tag)).to.equal(constructor);
      expect(document.createElement(tag)).to.be.instanceOf(constructor);
    });
  }

  it('can be imported again without throwing, leaving the definitions as they are', async () => {
    // Another module instance of define.js (the query string makes a new module URL); its classes come from the
    // same element modules, so only the "already defined" guard keeps customElements.define from throwing.
    // @ts-expect-error: TypeScript cannot resolve a specifier with a query string; the dev server can.
    await import('../../src/define.js?again');
    for (const [tag, constructor] of Object.entries(TAGS)) expect(customElements.get(tag), tag).to.equal(constructor);
  });
});

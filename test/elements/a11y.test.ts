import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthLogoutElement } from '../../src/elements/auth-logout.js';

describe('accessibility (axe)', () => {
  it('<auth-login> with its fallback label is accessible', async () => {
    const el = await fixture<AuthLoginElement>(html`<auth-login issuer="https://idp.example.com" client-id="app"></auth-login>`);
    await expect(el).to.be.accessible();
  });

  it('<auth-logout> with its fallback label is accessible', async () => {
    const el = await fixture<AuthLogoutElement>(html`<auth-logout></auth-logout>`);
    await expect(el).to.be.accessible();
  });

  it('<auth-login> with a slotted label is accessible', async () => {
    const el = await fixture<AuthLoginElement>(html`<auth-login issuer="https://idp.example.com" client-id="app">Sign in with ACME</auth-login>`);
    await expect(el).to.be.accessible();
  });
});

// [hardening] Clock skew: ID tokens from a provider whose clock is minutes ahead of or behind this browser's. Within
// `leeway` they are accepted, beyond it refused with invalid_id_token naming the claim, its value, the time and the
// leeway; the same rule for iat, nbf and exp, at the exact boundaries, and through <auth-login leeway> end to end.
// Tokens are signed by the fake provider (/sign), so only the times differ from a real answer.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import fc from 'fast-check';
import '../../src/define.js';
import type { AuthLoginElement } from '../../src/elements/auth-login.js';
import type { AuthErrorEvent, AuthLoginEvent } from '../../src/events.js';
import { discover, type ProviderMetadata } from '../../src/protocol/discovery.js';
import { AuthError } from '../../src/protocol/errors.js';
import { validateIdToken } from '../../src/protocol/id-token.js';
import { getStore } from '../../src/store/token-store.js';
import { clearStores, collect, runCallback, storeName } from '../helpers/flow.js';
import { apiOf, atHash, claims, issuerOf, resetPage, sign, tenant } from '../helpers/idp.js';

const NONCE = 'the-nonce';
const DESCRIPTION = /^ID token: (exp|iat|nbf) -?\d+ out of range \(now \d+, leeway \d+\)$/;

describe('[hardening] clock skew', function () {
  this.timeout(20_000);
  let t: string;
  let metadata: ProviderMetadata;
  /** "Now" for this browser, fixed for the whole test so nothing depends on how long signing takes. */
  let now: number;

  before(async () => {
    t = tenant();
    metadata = await discover(issuerOf(t));
  });
  beforeEach(() => {
    now = Math.floor(Date.now() / 1000);
  });
  after(resetPage);

  /** Validates a token with these times at `now`, with `leeway`: the claims, or the AuthError. */
  async function check(times: Record<string, number | undefined>, leeway: number): Promise<AuthError | 'accepted'> {
    const token = await sign(t, claims(t, 'app', NONCE, times));
    try {
      await validateIdToken(token, metadata, { issuer: issuerOf(t), clientId: 'app', nonce: NONCE, leeway, now });
      return 'accepted';
    } catch (error) {
      expect(error).to.be.instanceOf(AuthError);
      return error as AuthError;
    }
  }

  it('a provider clock skewed by up to ±15 minutes: accepted exactly when within the leeway, else a clear invalid_id_token', async () => {
    // The provider's clock is `skew` seconds ahead (behind when negative); its tokens live `lifetime` seconds.
    const cases = fc.record({ skew: fc.integer({ min: -900, max: 900 }), leeway: fc.integer({ min: 0, max: 600 }), lifetime: fc.integer({ min: 30, max: 600 }), nbf: fc.boolean() });
    await fc.assert(fc.asyncProperty(cases, async ({ skew, leeway, lifetime, nbf }) => {
      const issued = now + skew;
      const result = await check({ iat: issued, nbf: nbf ? issued : undefined, exp: issued + lifetime }, leeway);
      // Ahead: iat (and nbf) may be at most `leeway` in the future. Behind: exp may be at most `leeway` in the past.
      const within = skew <= leeway && issued + lifetime + leeway > now;
      if (within) {
        expect(result, JSON.stringify({ skew, leeway, lifetime })).to.equal('accepted');
      } else {
        expect(result, JSON.stringify({ skew, leeway, lifetime })).to.be.instanceOf(AuthError);
        const error = result as AuthError;
        expect(error.code).to.equal('invalid_id_token');
        expect(error.message).to.match(DESCRIPTION);
        expect(error.message).to.include(`(now ${now}, leeway ${leeway})`);
        // The claim named is the one out of range: exp when the provider is behind, iat when ahead.
        expect(error.message).to.include(skew > leeway ? `iat ${issued} ` : `exp ${issued + lifetime} `);
      }
    }), { seed: 20240701, numRuns: 120 });
  });

  describe('the exact boundaries (leeway 60)', () => {
    const L = 60;
    const cases: [string, (now: number) => Record<string, number>, 'accepted' | string][] = [
      ['iat leeway ahead', (n) => ({ iat: n + L }), 'accepted'],
      ['iat one second more', (n) => ({ iat: n + L + 1 }), 'iat'],
      ['nbf leeway ahead', (n) => ({ iat: n, nbf: n + L }), 'accepted'],
      ['nbf one second more', (n) => ({ iat: n, nbf: n + L + 1 }), 'nbf'],
      ['exp leeway ago, less one second', (n) => ({ iat: n - 3600, exp: n - L + 1 }), 'accepted'],
      ['exp exactly leeway ago', (n) => ({ iat: n - 3600, exp: n - L }), 'exp'],
      ['iat an hour ago (an old but unexpired token)', (n) => ({ iat: n - 3600, exp: n + 60 }), 'accepted'],
    ];
    for (const [what, times, expected] of cases) {
      it(`${what}: ${expected === 'accepted' ? 'accepted' : `refused, naming ${expected}`}`, async () => {
        const result = await check(times(now), L);
        if (expected === 'accepted') {
          expect(result).to.equal('accepted');
        } else {
          expect((result as AuthError).code).to.equal('invalid_id_token');
          expect((result as AuthError).message).to.match(DESCRIPTION);
          expect((result as AuthError).message).to.match(new RegExp(`^ID token: ${expected} `));
        }
      });
    }

    it('leeway 0: iat now accepted, one second ahead refused; exp now refused', async () => {
      expect(await check({ iat: now }, 0)).to.equal('accepted');
      expect(((await check({ iat: now + 1 }, 0)) as AuthError).message).to.match(/^ID token: iat .* leeway 0\)$/);
      expect(((await check({ iat: now - 10, exp: now }, 0)) as AuthError).message).to.match(/^ID token: exp .* leeway 0\)$/);
    });

    it('times that are not numbers are refused, whatever the leeway', async () => {
      for (const times of [{ iat: '0' }, { exp: `${now + 3600}` }, { nbf: null }, { iat: now, exp: { valueOf: now + 60 } }] as unknown as Record<string, number>[]) {
        const result = await check(times, 600);
        expect((result as AuthError).code, JSON.stringify(times)).to.equal('invalid_id_token');
      }
    });
  });

  describe('through <auth-login leeway> and <auth-callback>', () => {
    afterEach(clearStores);
    afterEach(resetPage);

    /** Starts sign-in with `leeway` (attribute), answers with tokens issued `skew` seconds off, runs the callback. */
    async function signInSkewed(leeway: string | undefined, skew: number) {
      const store = storeName();
      const el = await fixture<AuthLoginElement>(leeway === undefined
        ? html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store}></auth-login>`
        : html`<auth-login issuer=${issuerOf(t)} client-id="app" audience=${apiOf(t)} store=${store} leeway=${leeway}></auth-login>`);
      el.addEventListener('auth-login', (event) => event.preventDefault());
      const started = oneEvent(el, 'auth-login');
      await el.login();
      const authorize = new URL(((await started) as AuthLoginEvent).detail.url);
      const accessToken = `at-${crypto.randomUUID()}`;
      const issued = Math.floor(Date.now() / 1000) + skew;
      const idToken = await sign(t, claims(t, 'app', authorize.searchParams.get('nonce')!, { iat: issued, nbf: issued, exp: issued + 3600, at_hash: await atHash(accessToken) }));
      const seen = collect<{ error?: string; errorDescription?: string }>(document, 'auth-signed-in', 'auth-error');
      await runCallback(`#access_token=${accessToken}&token_type=Bearer&expires_in=3600&id_token=${idToken}&state=${authorize.searchParams.get('state')}`);
      seen.stop();
      return { events: seen.events, store: getStore(store) };
    }

    it('a provider 4 minutes ahead: refused with the default leeway (60 s), accepted with leeway="300"', async () => {
      const refused = await signInSkewed(undefined, 240);
      expect(refused.events.map((e) => e.detail.error)).to.deep.equal(['invalid_id_token']);
      expect(refused.events[0]!.detail.errorDescription).to.match(/^ID token: iat \d+ out of range \(now \d+, leeway 60\)$/);
      expect(refused.store.session).to.equal(null);

      const accepted = await signInSkewed('300', 240);
      expect(accepted.events.map((e) => e.type)).to.deep.equal(['auth-signed-in']);
      expect(accepted.store.signedIn).to.equal(true);
    });

    it('a provider 30 s ahead: accepted with the default leeway; refused with leeway="0"', async () => {
      expect((await signInSkewed(undefined, 30)).events.map((e) => e.type)).to.deep.equal(['auth-signed-in']);
      const refused = await signInSkewed('0', 30);
      expect(refused.events.map((e) => e.detail.error)).to.deep.equal(['invalid_id_token']);
      expect(refused.events[0]!.detail.errorDescription).to.match(/leeway 0\)$/);
    });

    it('a provider an hour and a half behind (its token already expired here): refused, even with leeway="600"', async () => {
      const refused = await signInSkewed('600', -5400);
      expect(refused.events.map((e) => e.detail.error)).to.deep.equal(['invalid_id_token']);
      expect(refused.events[0]!.detail.errorDescription).to.match(/^ID token: exp \d+ out of range \(now \d+, leeway 600\)$/);
    });

    it('an unusable leeway (negative, not a number) means the default, 60 s', async () => {
      for (const leeway of ['-5', 'abc']) {
        const refused = await signInSkewed(leeway, 240);
        expect(refused.events[0]!.detail.errorDescription, leeway).to.match(/leeway 60\)$/);
      }
    });
  });
});

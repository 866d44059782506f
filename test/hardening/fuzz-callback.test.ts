// [hardening] Fuzzed callbacks: malformed, truncated, duplicated, percent-encoding-broken and oversized fragments and
// JWTs go into the callback path, `parseFragment` + `handleResponse` and `<auth-callback>` mounted with the fragment
// in the address bar. Property-based (fast-check, fixed seeds, so a failure replays the same way).
//
// Most cases are mutations of one real response (signed by the fake provider's key, for a pending sign-in whose
// state and nonce are fixed): each run re-arms that pending sign-in, so every mutation reaches the check it breaks
// (state, duplicate, token_type, expires_in, the ID token's parts, signature, claims, at_hash) instead of stopping
// at an unknown state. The unmutated response is accepted (control), so each rejection is the mutation's doing.
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import '../../src/define.js';
import type { AuthCallbackElement } from '../../src/elements/auth-callback.js';
import { createTransaction, saveTransaction, type Transaction } from '../../src/protocol/authorize.js';
import { handleResponse, parseFragment } from '../../src/protocol/callback.js';
import { AuthError } from '../../src/protocol/errors.js';
import { getStore } from '../../src/store/token-store.js';
import { b64url } from '../helpers/expect-error.js';
import { clearStores, signIn, storeName } from '../helpers/flow.js';
import { apiOf, atHash, claims, issuerOf, resetPage, sign, tenant } from '../helpers/idp.js';

/** The response parameters in the order a provider sends them; `state` last. */
type Pairs = [string, string][];

const encode = (pairs: Pairs) => `#${pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&')}`;
const MB = 1024 * 1024;

/** What the callback path made of a fragment: nothing (no response in it), accepted, or an AuthError's code. */
type Outcome = { kind: 'none' } | { kind: 'accepted' } | { kind: 'error'; code: string; message: string };

/** Runs `parseFragment` and `handleResponse`; anything thrown that is not an AuthError fails the property. */
async function outcome(fragment: string): Promise<Outcome> {
  let params: Record<string, string> | null;
  try {
    params = parseFragment(fragment);
    if (!params) return { kind: 'none' };
    await handleResponse(params);
    return { kind: 'accepted' };
  } catch (error) {
    if (!(error instanceof AuthError)) throw new Error(`not an AuthError: ${String(error)}`, { cause: error });
    expect(error.code).to.be.a('string');
    expect(error.message).to.be.a('string');
    return { kind: 'error', code: error.code, message: error.message };
  }
}

/** fc.assert, with the failing check's own message in the error (the runner does not print an error's cause). */
async function check<T>(property: fc.IAsyncPropertyWithHooks<T>, params: fc.Parameters<T>): Promise<void> {
  const details = await fc.check(property, params);
  if (details.failed) {
    throw new Error(`${fc.defaultReportMessage(details)}\nGot: ${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance)}`.slice(0, 4000));
  }
}

describe('[hardening] fuzzed callbacks', function () {
  this.timeout(60_000);
  let t: string;
  let store: string;
  let tx: Transaction;
  /** The valid response for `tx`. */
  let base: Pairs;
  let accessToken: string;
  let idToken: string;
  const uncaught: string[] = [];
  const onError = (event: ErrorEvent) => uncaught.push(String(event.message));
  const onRejection = (event: PromiseRejectionEvent) => uncaught.push(String(event.reason));

  /** (Re-)records the pending sign-in `base` answers, as if sign-in had just started (also clears its tombstone). */
  const arm = () => saveTransaction({ ...tx, createdAt: Date.now() });
  const value = (name: string) => base.find(([n]) => n === name)![1];

  before(async () => {
    resetPage();
    t = tenant();
    store = storeName();
    tx = createTransaction({ issuer: issuerOf(t), clientId: 'app', audience: apiOf(t), store });
    accessToken = await sign(t, { iss: issuerOf(t), sub: 'user-1', aud: apiOf(t), scope: 'openid profile', exp: Math.floor(Date.now() / 1000) + 3600 });
    idToken = await sign(t, claims(t, 'app', tx.nonce, { at_hash: await atHash(accessToken) }));
    base = [['access_token', accessToken], ['token_type', 'Bearer'], ['expires_in', '3600'], ['scope', 'openid profile'], ['id_token', idToken], ['state', tx.state]];
    addEventListener('error', onError);
    addEventListener('unhandledrejection', onRejection);
  });

  after(() => {
    removeEventListener('error', onError);
    removeEventListener('unhandledrejection', onRejection);
    clearStores();
    resetPage();
  });

  afterEach(() => {
    expect(uncaught, 'uncaught errors').to.deep.equal([]);
    // handleResponse never stores; the element stores only a valid response.
    expect(Object.keys(sessionStorage).filter((key) => key.startsWith('auth-elements:store:'))).to.deep.equal([]);
    expect(Object.keys(localStorage).filter((key) => key.startsWith('auth-elements:store:'))).to.deep.equal([]);
    getStore(store).clear();
  });

  it('control: the unmutated response is accepted, in any parameter order', async () => {
    arm();
    expect(await outcome(encode(base))).to.deep.equal({ kind: 'accepted' });
    arm();
    expect(await outcome(encode([...base].reverse()))).to.deep.equal({ kind: 'accepted' });
  });

  describe('parseFragment + handleResponse', () => {
    // Values: junk, broken escapes, JWT-looking strings, and the real state (so the checks after state are reached).
    const brokenEscape = fc.constantFrom('%', '%2', '%G1', '%%', '%E2%82', '%C0%AF', '%FF', '%ED%A0%80', '%00', '%0A', '+', '%2B', '%26', '%3D', '%23', '%u0041', '%%41');
    const junk = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^[\w.%+=&#-]{0,60}$/), brokenEscape);
    const jwtish = fc.array(fc.oneof(fc.base64String({ maxLength: 80 }), fc.stringMatching(/^[\w-]{0,80}$/), fc.json().map(b64url)), { maxLength: 5 }).map((parts) => parts.join('.'));
    const name = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom('access_token', 'id_token', 'error', 'error_description', 'state', 'token_type', 'expires_in', 'scope', 'iss') },
      { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'toString', '', 'st%61te', 'access%5Ftoken', 'ID_TOKEN') },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    );

    it('random fragments: never accepted, never anything but an AuthError', async () => {
      const pair = fc.tuple(name, fc.oneof({ weight: 2, arbitrary: fc.constant('STATE') }, { weight: 3, arbitrary: junk }, { weight: 2, arbitrary: jwtish }));
      const fragment = fc.tuple(fc.constantFrom('#', '', '#&', '##'), fc.array(pair, { maxLength: 10 }), fc.constantFrom('&', ';', '&&'))
        .map(([prefix, pairs, separator]) => prefix + pairs.map(([n, v]) => `${n}=${v === 'STATE' ? tx.state : v}`).join(separator));
      await check(fc.asyncProperty(fragment, async (f) => {
        arm();
        const result = await outcome(f);
        expect(result.kind, f.slice(0, 200)).to.not.equal('accepted');
      }), { seed: 20240601, numRuns: 600 });
    });

    it('truncated responses are refused (cut anywhere before the end)', async () => {
      const full = encode(base);
      await check(fc.asyncProperty(fc.integer({ min: 0, max: full.length - 1 }), async (cut) => {
        arm();
        const result = await outcome(full.slice(0, cut));
        expect(result.kind, `cut at ${cut}`).to.not.equal('accepted');
      }), { seed: 20240602, numRuns: 200 });
    });

    it('a truncated token is refused with the check it breaks', async () => {
      const expected: Record<string, string> = { access_token: 'invalid_at_hash', id_token: 'invalid_id_token', state: 'invalid_state', token_type: 'invalid_response' };
      const target = fc.constantFrom(...Object.keys(expected));
      await check(fc.asyncProperty(target, fc.nat(), async (param, n) => {
        arm();
        const cut = n % value(param).length;
        const pairs = base.map(([k, v]): [string, string] => [k, k === param ? v.slice(0, cut) : v]);
        const result = await outcome(encode(pairs));
        expect(result.kind).to.equal('error');
        // An empty ID token is a missing one.
        const code = param === 'id_token' && cut === 0 ? 'invalid_response' : expected[param];
        expect((result as { code: string }).code, `${param} cut to ${cut}`).to.equal(code);
      }), { seed: 20240603, numRuns: 200 });
    });

    it('a parameter given twice is refused (same or another value, any place, encoded name too): never "first one wins"', async () => {
      const encodedName = (n: string) => [...n].map((c, i) => (i === 0 ? `%${c.charCodeAt(0).toString(16)}` : c)).join('');
      await check(fc.asyncProperty(fc.nat(base.length - 1), fc.nat(base.length), fc.boolean(), fc.option(junk), async (which, at, encodeName, other) => {
        arm();
        const [n, v] = base[which]!;
        const parts = base.map(([k, val]) => `${encodeURIComponent(k)}=${encodeURIComponent(val)}`);
        parts.splice(at, 0, `${encodeName ? encodedName(n) : n}=${encodeURIComponent(other ?? v)}`);
        const result = await outcome(`#${parts.join('&')}`);
        expect(result.kind).to.equal('error');
        expect((result as { code: string }).code).to.equal('invalid_response');
        expect((result as { message: string }).message).to.equal(`${n} given twice`);
      }), { seed: 20240604, numRuns: 300 });
    });

    it('broken percent-encoding in a value or a name is refused', async () => {
      // Not scope (free text, not checked) nor expires_in's name (optional): every other change must be caught.
      const targets = fc.constantFrom('access_token', 'id_token', 'state', 'token_type', 'expires_in');
      await check(fc.asyncProperty(targets, fc.boolean(), brokenEscape, fc.nat(), async (param, inName, escape, n) => {
        arm();
        if (inName && param === 'expires_in') return;
        const parts = base.map(([k, v]) => {
          const [ek, ev] = [encodeURIComponent(k), encodeURIComponent(v)];
          if (k !== param) return `${ek}=${ev}`;
          if (inName) return `${ek.slice(0, n % ek.length)}${escape}${ek.slice(n % ek.length)}=${ev}`;
          return `${ek}=${ev.slice(0, n % (ev.length + 1))}${escape}${ev.slice(n % (ev.length + 1))}`;
        });
        const fragment = `#${parts.join('&')}`;
        const result = await outcome(fragment);
        // '%' before digits is an escape again ('%3600' is '600'): an expires_in that is still a number is valid.
        const stillValid = param === 'expires_in' && /^\d{1,9}$/.test(new URLSearchParams(fragment.slice(1)).get('expires_in') ?? '');
        // Without a parameter named state, the fragment is not a response at all (a page's own anchor).
        expect(result.kind, `${param} ${inName ? 'name' : 'value'} with ${escape}`).to.equal(stillValid ? 'accepted' : param === 'state' && inName ? 'none' : 'error');
      }), { seed: 20240605, numRuns: 300 });
    });

    it('fuzzed ID tokens are refused with invalid_id_token', async () => {
      const [h, p, s] = idToken.split('.') as [string, string, string];
      const segment = fc.oneof(fc.stringMatching(/^[\w-]{0,120}$/), fc.base64String({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.json().map(b64url), fc.jsonValue().map((j) => b64url(JSON.stringify(j))));
      const jwt = fc.oneof(
        // Any number of random segments.
        fc.array(segment, { maxLength: 6 }).map((parts) => parts.join('.')),
        // The real header and payload with another signature, or none.
        segment.map((sig) => `${h}.${p}.${sig}`),
        fc.constant(`${h}.${p}.`),
        fc.constant(`${h}.${p}`),
        // Another header (random JSON, alg none, HS256, a crit) or payload under the real signature.
        segment.map((header) => `${header}.${p}.${s}`),
        fc.constantFrom({ alg: 'none' }, { alg: 'HS256', kid: 'rs-1' }, { alg: 'RS256', kid: 'rs-1', crit: ['exp'] }, { alg: 'ES256', kid: 'rs-1' }, { alg: 'RS256', kid: 'rs-1', jku: 'https://evil.example/jwks' }, { alg: 'RS256', kid: { $ne: null } })
          .map((header) => `${b64url(JSON.stringify(header))}.${p}.${s}`),
        fc.jsonValue().map((payload) => `${h}.${b64url(JSON.stringify(payload))}.${s}`),
        // One character of the header, payload or signature changed (not the signature's last one, whose low bits
        // base64url does not use).
        fc.tuple(fc.nat(2), fc.nat(), fc.constantFrom(...'AQgw_-9z.=%')).map(([part, at, c]) => {
          const parts = [h, p, s];
          const text = parts[part]!;
          const i = at % (part === 2 ? text.length - 1 : text.length);
          parts[part] = text.slice(0, i) + (text[i] === c ? (c === 'A' ? 'B' : 'A') : c) + text.slice(i + 1);
          return parts.join('.');
        }),
        // Segments swapped, repeated, padded.
        fc.constantFrom(`${p}.${h}.${s}`, `${h}.${h}.${s}`, `${h}.${p}.${s}.${s}`, `${h}=.${p}.${s}`, `${h}.${p}=.${s}`, ` ${idToken}`, `${idToken}\u0000`),
      );
      await check(fc.asyncProperty(jwt, async (token) => {
        arm();
        fc.pre(token !== idToken);
        const result = await outcome(encode(base.map(([k, v]) => [k, k === 'id_token' ? token : v])));
        expect(result.kind, token.slice(0, 200)).to.equal('error');
        // An empty ID token is a missing one.
        expect((result as { code: string }).code, token.slice(0, 200)).to.equal(token === '' ? 'invalid_response' : 'invalid_id_token');
      }), { seed: 20240606, numRuns: 500 });
    });

    it('oversized (1 MB) fragments, tokens, states and names are refused', async () => {
      const big = 'A'.repeat(MB);
      const cases: [string, string][] = [
        ['a 1 MB fragment of junk', `#${'x=1&'.repeat(MB / 4)}access_token=1`],
        ['a 1 MB access_token', encode(base.map(([k, v]) => [k, k === 'access_token' ? big : v]))],
        ['a 1 MB id_token', encode(base.map(([k, v]) => [k, k === 'id_token' ? `${big}.${big}.${big}` : v]))],
        ['a 1 MB ID token payload under the real signature', encode(base.map(([k, v]) => [k, k === 'id_token' ? `${idToken.split('.')[0]}.${b64url(JSON.stringify({ pad: big }))}.${idToken.split('.')[2]}` : v]))],
        ['a 1 MB state', encode(base.map(([k, v]) => [k, k === 'state' ? big : v]))],
        ['a 1 MB parameter name', `#${big}=1&access_token=x&token_type=Bearer&state=${tx.state}`],
        ['a 1 MB error_description', encode([['error', 'access_denied'], ['error_description', big], ['state', tx.state]])],
      ];
      for (const [what, fragment] of cases) {
        arm();
        const started = performance.now();
        const result = await outcome(fragment);
        expect(result.kind, what).to.equal('error');
        expect(performance.now() - started, `${what}: time`).to.be.below(5000);
      }
    });
  });

  describe('<auth-callback> with the fragment in the address bar', () => {
    /** Puts `fragment` in the address bar; returns it as the URL parser left it (tabs and newlines dropped…). */
    const setFragment = (fragment: string) => {
      history.replaceState(null, '', location.pathname + location.search + fragment);
      return location.hash;
    };

    /** Mounts an `<auth-callback>`, waits until it is done, and returns the events it fired. */
    const mount = async () => {
      const seen: CustomEvent[] = [];
      const listener = (event: Event) => seen.push(event as CustomEvent);
      document.addEventListener('auth-error', listener);
      document.addEventListener('auth-signed-in', listener);
      const el = document.createElement('auth-callback') as AuthCallbackElement;
      document.body.append(el);
      try {
        await el.complete;
      } finally {
        el.remove();
        document.removeEventListener('auth-error', listener);
        document.removeEventListener('auth-signed-in', listener);
      }
      return seen;
    };

    /**
     * A response (parsed or malformed) gives exactly one event, the fragment is gone, and a session is stored only
     * when `parseFragment` + `handleResponse` accept the same fragment (the oracle: a mutation of the free-text
     * `scope` or of the optional `expires_in`'s name leaves a valid response); no response, no event.
     */
    async function expectHandledOnce(fragment: string, what = fragment.slice(0, 200)): Promise<Outcome['kind']> {
      getStore(store).clear();
      const inBar = setFragment(fragment);
      arm();
      const expected = await outcome(inBar);
      arm();
      const seen = await mount();
      if (expected.kind === 'none') {
        expect(seen, what).to.deep.equal([]);
        expect(location.hash, what).to.equal(inBar);
        expect(getStore(store).session, what).to.equal(null);
        return expected.kind;
      }
      expect(location.hash, what).to.equal('');
      expect(location.href, what).to.not.include(accessToken);
      if (expected.kind === 'accepted') {
        expect(seen.map((e) => e.type), what).to.deep.equal(['auth-signed-in']);
        expect(getStore(store).accessToken, what).to.equal(accessToken);
        getStore(store).clear();
      } else {
        expect(seen.map((e) => e.type), what).to.deep.equal(['auth-error']);
        expect(seen[0]!.detail.error, what).to.equal(expected.code);
        expect(getStore(store).session, what).to.equal(null);
      }
      return expected.kind;
    }

    it('fuzzed fragments: exactly one auth-error per response, the fragment removed, nothing stored', async () => {
      const mutation = fc.oneof(
        // Truncated anywhere.
        fc.nat().map((n) => encode(base).slice(0, n % encode(base).length)),
        // A parameter twice.
        fc.nat(base.length - 1).map((i) => `${encode(base)}&${encodeURIComponent(base[i]![0])}=x`),
        // A broken escape somewhere.
        fc.tuple(fc.nat(), fc.constantFrom('%', '%G1', '%E2%82', '%ED%A0%80', '%00', '%23', '#')).map(([n, e]) => {
          const f = encode(base);
          const i = 1 + (n % (f.length - 1));
          return f.slice(0, i) + e + f.slice(i);
        }),
        // Random junk with a response parameter.
        fc.tuple(fc.constantFrom('access_token', 'id_token', 'error'), fc.string({ unit: 'binary', maxLength: 60 })).map(([n, v]) => `#${n}=${v}&state=${tx.state}`),
        // Random junk, response or not.
        fc.string({ unit: 'binary', maxLength: 80 }).map((s) => `#${s}`),
      );
      const kinds: Outcome['kind'][] = [];
      await check(fc.asyncProperty(mutation, async (f) => {
        kinds.push(await expectHandledOnce(f));
      }), { seed: 20240607, numRuns: 400 });
      // Mostly refusals: the few accepted ones only touched scope or the name of the optional expires_in; those
      // without a state (truncated before it, or random junk) are no response and stay in the address bar.
      expect(kinds.filter((k) => k === 'error').length).to.be.above(200);
      expect(kinds.filter((k) => k === 'none').length).to.be.above(20);
    });

    it('oversized: a 1 MB response in the address bar', async () => {
      expect(await expectHandledOnce(encode(base.map(([k, v]) => [k, k === 'id_token' ? 'A'.repeat(MB) : v])), '1 MB id_token')).to.equal('error');
      expect(await expectHandledOnce(`#access_token=${'B'.repeat(MB)}&state=${tx.state}&state=x`, '1 MB access_token, state twice')).to.equal('error');
    });

    it('the page stays usable: a normal sign-in afterwards works', async () => {
      const other = storeName();
      const { store: signedIn } = await signIn(tenant(), { store: other });
      expect(signedIn.signedIn).to.equal(true);
      expect(location.hash).to.equal('');
      signedIn.clear();
    });
  });
});

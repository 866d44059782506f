import { expect } from '@open-wc/testing';
import type { Session } from '../../src/protocol/callback.js';
import { storages } from '../../src/store/storage.js';
import { getStore, type TokenStore } from '../../src/store/token-store.js';
import { resetPage } from '../helpers/idp.js';

const keyOf = (name: string) => `auth-elements:store:${name}`;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function session(overrides: Partial<Session> = {}): Session {
  const nowS = Math.floor(Date.now() / 1000);
  return {
    accessToken: 'access-token',
    idToken: 'id-token',
    tokenType: 'Bearer',
    scope: 'openid profile',
    expiresAt: Date.now() + 3600_000,
    claims: { iss: 'https://idp.example/', sub: 'user-1', aud: 'app', exp: nowS + 3600, iat: nowS },
    issuer: 'https://idp.example/',
    clientId: 'app',
    auth0: false,
    allowedOrigins: ['https://app.example'],
    ...overrides,
  };
}

describe('token store', () => {
  const used: TokenStore[] = [];
  /** A store with a name of its own (stores are page-global). */
  const fresh = () => {
    const store = getStore(`test-${crypto.randomUUID()}`);
    used.push(store);
    return store;
  };

  afterEach(() => {
    for (const store of used.splice(0)) store.clear();
    resetPage();
  });

  it('getStore returns one instance per name, default for empty', () => {
    const name = `test-${crypto.randomUUID()}`;
    const store = getStore(name);
    used.push(store);
    expect(getStore(name)).to.equal(store);
    expect(store.name).to.equal(name);
    expect(getStore('')).to.equal(getStore('default'));
    expect(getStore(null)).to.equal(getStore('default'));
    expect(getStore()).to.equal(getStore('default'));
    expect(getStore('default').name).to.equal('default');
    expect(getStore('default')).not.to.equal(store);
  });

  it('set(session) writes sessionStorage only', () => {
    const store = fresh();
    const value = session();
    store.set(value, 'session');
    expect(JSON.parse(sessionStorage.getItem(keyOf(store.name))!)).to.deep.equal(value);
    expect(localStorage.getItem(keyOf(store.name))).to.equal(null);
    expect(storages.memory.get(keyOf(store.name))).to.equal(null);
    expect(store.session).to.deep.equal(value);
  });

  it('set(local) writes localStorage only, and moves a session there', () => {
    const store = fresh();
    store.set(session({ accessToken: 'first' }), 'session');
    const value = session({ accessToken: 'second' });
    store.set(value, 'local');
    expect(JSON.parse(localStorage.getItem(keyOf(store.name))!)).to.deep.equal(value);
    expect(sessionStorage.getItem(keyOf(store.name))).to.equal(null);
    expect(storages.memory.get(keyOf(store.name))).to.equal(null);
  });

  it('set(memory) writes no web storage', () => {
    const store = fresh();
    store.set(session(), 'local');
    store.set(session(), 'memory');
    expect(localStorage.getItem(keyOf(store.name))).to.equal(null);
    expect(sessionStorage.getItem(keyOf(store.name))).to.equal(null);
    expect(JSON.parse(storages.memory.get(keyOf(store.name))!)).to.deep.equal(store.session);
    expect(store.accessToken).to.equal('access-token');
  });

  it('clear() removes the session everywhere and notifies', () => {
    const store = fresh();
    store.set(session(), 'local');
    sessionStorage.setItem(keyOf(store.name), JSON.stringify(session()));
    storages.memory.set(keyOf(store.name), JSON.stringify(session()));
    const seen: Array<Session | null> = [];
    store.subscribe((s) => seen.push(s.session));
    store.clear();
    for (const kind of ['session', 'local', 'memory'] as const) expect(storages[kind].get(keyOf(store.name)), kind).to.equal(null);
    expect(store.session).to.equal(null);
    expect(store.signedIn).to.equal(false);
    expect(seen).to.deep.equal([null]);
  });

  it('notifies subscribers on set and clear, not after unsubscribe', () => {
    const store = fresh();
    const calls: TokenStore[] = [];
    const unsubscribe = store.subscribe((s) => calls.push(s));
    store.set(session());
    expect(calls).to.have.length(1);
    expect(calls[0]).to.equal(store);
    store.clear();
    expect(calls).to.have.length(2);
    unsubscribe();
    store.set(session());
    store.clear();
    expect(calls).to.have.length(2);
  });

  it('exposes the tokens and claims while unexpired', () => {
    const store = fresh();
    store.set(session());
    expect(store.signedIn).to.equal(true);
    expect(store.accessToken).to.equal('access-token');
    expect(store.idToken).to.equal('id-token');
    expect(store.claims?.sub).to.equal('user-1');
  });

  it('hides the tokens and claims once expired', () => {
    const store = fresh();
    store.set(session({ expiresAt: Date.now() - 1000 }));
    expect(store.session).not.to.equal(null);
    expect(store.signedIn).to.equal(false);
    expect(store.accessToken).to.equal(undefined);
    expect(store.idToken).to.equal(undefined);
    expect(store.claims).to.equal(undefined);
  });

  it('notifies subscribers when the token expires', async () => {
    const store = fresh();
    const seen: boolean[] = [];
    store.subscribe((s) => seen.push(s.signedIn));
    store.set(session({ expiresAt: Date.now() + 50 }));
    expect(seen).to.deep.equal([true]);
    await wait(120);
    expect(seen).to.deep.equal([true, false]);
    expect(store.accessToken).to.equal(undefined);
  });

  it('drops a stored value of the wrong shape', () => {
    const store = fresh();
    localStorage.setItem(keyOf(store.name), JSON.stringify({ accessToken: 'x', scope: 1 }));
    expect(store.session).to.equal(null);
    expect(store.signedIn).to.equal(false);
    expect(localStorage.getItem(keyOf(store.name))).to.equal(null);
  });

  it('drops a stored value that is not JSON', () => {
    const store = fresh();
    sessionStorage.setItem(keyOf(store.name), '{"accessToken": oops');
    expect(store.session).to.equal(null);
    expect(sessionStorage.getItem(keyOf(store.name))).to.equal(null);
  });

  it('reads a well-formed stored value', () => {
    const store = fresh();
    const value = session();
    sessionStorage.setItem(keyOf(store.name), JSON.stringify(value));
    expect(store.session).to.deep.equal(value);
    expect(store.accessToken).to.equal('access-token');
  });

  it('a throwing listener does not stop the others, and its error is rethrown', async () => {
    const store = fresh();
    const boom = new Error('listener failure');
    const caught: unknown[] = [];
    // The store rethrows a listener's error in a microtask, so it reaches the page as an uncaught error. Mocha's
    // window.onerror (registered before any listener of ours, so it runs first) would fail the test: swap it for
    // the duration, and keep the runner's uncaught-error logger from printing this one expected error.
    const { onerror } = window;
    const consoleError = console.error;
    window.onerror = (_message, _source, _line, _column, error) => {
      caught.push(error);
      return true;
    };
    console.error = (...args: unknown[]) => {
      if (args[0] !== boom) consoleError.apply(console, args);
    };
    const calls: string[] = [];
    const unsubscribe = store.subscribe(() => {
      calls.push('first');
      throw boom;
    });
    try {
      store.subscribe(() => calls.push('second'));
      store.set(session());
      expect(calls).to.deep.equal(['first', 'second']);
      await wait(0);
    } finally {
      unsubscribe(); // or the afterEach's clear() would throw it again
      window.onerror = onerror;
      console.error = consoleError;
    }
    expect(caught).to.deep.equal([boom]);
  });

  it('reloads and notifies on a storage event for its key', () => {
    const store = fresh();
    expect(store.session).to.equal(null);
    const seen: Array<Session | null> = [];
    store.subscribe((s) => seen.push(s.session));
    const value = session({ accessToken: 'from-another-tab' });
    localStorage.setItem(keyOf(store.name), JSON.stringify(value));
    window.dispatchEvent(new StorageEvent('storage', { key: keyOf(store.name) }));
    expect(seen).to.deep.equal([value]);
    expect(store.accessToken).to.equal('from-another-tab');
    localStorage.removeItem(keyOf(store.name));
    window.dispatchEvent(new StorageEvent('storage', { key: keyOf(store.name) }));
    expect(seen).to.deep.equal([value, null]);
    expect(store.session).to.equal(null);
  });

  it('ignores a storage event for another key', () => {
    const store = fresh();
    expect(store.session).to.equal(null);
    const seen: unknown[] = [];
    store.subscribe((s) => seen.push(s.session));
    localStorage.setItem(keyOf(store.name), JSON.stringify(session()));
    window.dispatchEvent(new StorageEvent('storage', { key: keyOf(`${store.name}-other`) }));
    expect(seen).to.deep.equal([]);
  });

  it('reloads every store when storage is cleared (key null)', () => {
    const store = fresh();
    store.set(session(), 'local');
    const seen: unknown[] = [];
    store.subscribe((s) => seen.push(s.session));
    localStorage.clear();
    window.dispatchEvent(new StorageEvent('storage', { key: null }));
    expect(seen).to.deep.equal([null]);
  });

  describe('refresh token', () => {
    const stored = (store: TokenStore) => [sessionStorage, localStorage].map((area) => area.getItem(keyOf(store.name))).join(' ');

    for (const kind of ['session', 'local', 'memory'] as const) {
      it(`keeps it in memory only, never in ${kind} storage, and never in the stored session`, () => {
        const store = fresh();
        const { refreshToken: _, ...rest } = session({ refreshToken: 'rt-1' });
        store.set({ ...rest, refreshToken: 'rt-1' }, kind);
        expect(store.refreshToken).to.equal('rt-1');
        expect(store.session).to.deep.equal(rest);
        expect(stored(store)).to.not.include('rt-1');
        expect(storages.memory.get(keyOf(store.name)) ?? '').to.not.include('rt-1');
      });
    }

    it('is replaced by a new one (rotation), kept by a session of the same user without one, dropped for another user', () => {
      const store = fresh();
      store.set(session({ refreshToken: 'rt-1' }));
      store.set(session({ refreshToken: 'rt-2', accessToken: 'access-2' }));
      expect(store.refreshToken).to.equal('rt-2');
      store.set(session({ accessToken: 'access-3' }));
      expect(store.refreshToken).to.equal('rt-2');
      store.set(session({ claims: { ...session().claims!, sub: 'user-2' } }));
      expect(store.refreshToken).to.equal(undefined);
    });

    it('is dropped for the same sub at another issuer or client, or for a session without an ID token (never sent to another token endpoint)', () => {
      const store = fresh();
      for (const other of [{ issuer: 'https://other-idp.example/' }, { clientId: 'other-app' }, { idToken: undefined, claims: undefined }]) {
        store.set(session({ refreshToken: 'rt-1' }));
        expect(store.refreshToken).to.equal('rt-1');
        store.set(session(other));
        expect(store.refreshToken, JSON.stringify(other)).to.equal(undefined);
      }
    });

    it('is dropped by clear(), and is there before subscribers hear of the session', () => {
      const store = fresh();
      const heard: unknown[] = [];
      store.subscribe((s) => heard.push(s.refreshToken));
      store.set(session({ refreshToken: 'rt-1' }));
      store.clear();
      expect(heard).to.deep.equal(['rt-1', undefined]);
      expect(store.refreshToken).to.equal(undefined);
    });

    it('survives another tab renewing the same user\'s session; goes when another tab signs out or signs in someone else', () => {
      const store = fresh();
      store.set(session({ refreshToken: 'rt-1' }), 'local');
      localStorage.setItem(keyOf(store.name), JSON.stringify(session({ accessToken: 'from-the-other-tab' })));
      window.dispatchEvent(new StorageEvent('storage', { key: keyOf(store.name) }));
      expect(store.accessToken).to.equal('from-the-other-tab');
      expect(store.refreshToken).to.equal('rt-1');
      localStorage.setItem(keyOf(store.name), JSON.stringify(session({ claims: { ...session().claims!, sub: 'user-2' } })));
      window.dispatchEvent(new StorageEvent('storage', { key: keyOf(store.name) }));
      expect(store.refreshToken).to.equal(undefined);
      store.set(session({ refreshToken: 'rt-2' }), 'local');
      localStorage.removeItem(keyOf(store.name));
      window.dispatchEvent(new StorageEvent('storage', { key: keyOf(store.name) }));
      expect(store.session).to.equal(null);
      expect(store.refreshToken).to.equal(undefined);
    });

    it('is still there when the access token has expired (renewal needs it then)', () => {
      const store = fresh();
      store.set(session({ refreshToken: 'rt-1', expiresAt: Date.now() - 1000 }));
      expect(store.signedIn).to.equal(false);
      expect(store.refreshToken).to.equal('rt-1');
    });
  });
});

import { AuthErrorEvent, AuthExpiredEvent, AuthExpiringEvent } from '../events.js';
import type { SignInConfig } from '../protocol/authorize.js';
import type { Session } from '../protocol/callback.js';
import { resolveIssuer } from '../protocol/discovery.js';
import { errorDetail, loadChunk, type AuthErrorDetail } from '../protocol/errors.js';
import type { TokenStore } from '../store/token-store.js';
import type { Hosts } from './hosts.js';
import { storeSession } from './signed-in.js';

/**
 * The budgets of every automatic action on a store (README: "Session lifecycle"). Renewal is due at
 * `expiresAt - min(lead, share * lifetime)` (a 30 s token renews after 22.5 s, an hour-long one a minute before it
 * expires), never sooner than `gap` after the previous renewal started; a renewal that fails for a transient reason
 * (network, time-out, the provider's 5xx) is tried again after each `backoff` delay, then reported once and left; an
 * API's refusal of a token younger than `fresh` is not a reason to renew it.
 */
export const budget = { lead: 60_000, share: 0.25, gap: 5_000, backoff: [5_000, 10_000, 20_000], fresh: 10_000 };

/** The time source and timers of the lifecycle: replaced by tests to run hours of renewals in a moment. */
export const clock = {
  now: () => Date.now(),
  set: (callback: () => void, ms: number): unknown => setTimeout(callback, ms),
  clear: (timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/**
 * What answers a renewal: the silent sign-in (refresh token, else `prompt=none`), whose code is loaded at the first
 * renewal; replaced by tests that count.
 */
export const renewer = {
  run: async (config: SignInConfig, refresh?: [Session, string]) => (await loadChunk(import('../protocol/silent.js'))).silentSignIn(config, undefined, refresh),
};

/** Outcomes that mean "no provider session": expected, never shown as errors of an automatic renewal. */
const NO_SESSION = /^(login|consent|interaction)_required$/;
/** Outcomes worth another try later. */
const TRANSIENT = /^(network_error|timeout|http_error|server_error|temporarily_unavailable)$/;
/** The longest delay setTimeout takes (a signed 32-bit number of ms); longer waits are taken in steps. */
const MAX_DELAY = 2 ** 31 - 1;
/** The `<auth-login>` properties a renewal is configured with. */
const KEYS = ['issuer', 'domain', 'clientId', 'audience', 'scope', 'responseType', 'redirectUri', 'storage', 'allowedOrigins', 'leeway', 'silentRedirectUri', 'thirdPartyCheck', 'autoRenew', 'dpop'] as const;

type Outcome = { ok: true } | { ok: false; error: AuthErrorDetail };

/** Which session this is: a renewal may give the very same token string (issued in the same second), never the same issuedAt. */
const key = (session: Session | null | undefined) => session ? `${session.issuedAt} ${session.accessToken ?? session.idToken}` : undefined;

/**
 * The one owner of a store's renewals on this page: plans them from the token's lifetime, runs one at a time per store
 * in this tab and across tabs (a Web Lock), and tells the page through events on its elements (`auth-expiring`,
 * `auth-expired`, `auth-error`, `auth-signed-in`). Elements attach to it and give configuration; none keeps timers.
 * Only in the top window: a silent sign-in's own iframe may hold the app page, which must not renew from there.
 * Loaded (src/session/hosts.ts) when the store first has a session or an element asks for a renewal: a signed-out
 * page does not load it.
 */
export class Lifecycle {
  readonly store: TokenStore;
  /** The elements attached to the store (kept by src/session/hosts.ts), each with whether it is a sign-in configuration. */
  #hosts: Hosts;
  #unsubscribe: (() => void) | undefined;
  #timer: unknown;
  #retry: unknown;
  /** The token whose renewal point was reached (`auth-expiring` fired, automatic renewal started). */
  #due: string | undefined;
  /** The expiry `auth-expired` was fired for. */
  #expired: number | undefined;
  /** Automatic attempts for the token `#attemptsFor`. */
  #attempts = 0;
  #attemptsFor: string | undefined;
  /** The last automatic renewal's failure, told with `auth-expired`. */
  #failure: AuthErrorDetail | undefined;
  #lastStart = -Infinity;
  #running: Promise<Outcome> | undefined;
  /** Sessions an API refused (each gets one renewal at most) and tokens renewed on demand before a request. */
  #refused = new WeakSet<Session>();
  #demanded = new Set<string>();

  constructor(store: TokenStore, hosts: Hosts) {
    this.store = store;
    this.#hosts = hosts;
    this.hostsChanged();
  }

  /** An element was attached or detached: follows the store while any is attached, and plans again. */
  hostsChanged(): void {
    if (!this.#hosts.size) {
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
    } else this.#unsubscribe ??= this.store.subscribe(() => this.#plan());
    this.#plan();
  }

  /**
   * The configuration of the first attached `<auth-login>` with `auto-renew`, else of the first one, else what the
   * stored session recorded at sign-in.
   */
  get config(): SignInConfig | undefined {
    let first: SignInConfig | undefined;
    for (const [host, config] of this.#hosts) {
      // An attached `<auth-login>` is a sign-in configuration (its properties).
      const element = config ? (host as unknown as SignInConfig) : undefined;
      if (element?.autoRenew) return this.#pick(element);
      first ??= element;
    }
    if (first) return this.#pick(first);
    const { session } = this.store;
    const renewal = session?.renewal;
    if (!renewal) return undefined;
    const { responseType, redirectUri, silentRedirectUri, scope, audience, storage, leeway, thirdPartyCheck, autoRenew, dpop } = renewal;
    // An Auth0 sign-in was configured with its domain (sign-out and silent answers differ).
    const issuer = session.auth0 ? { domain: new URL(session.issuer).host } : { issuer: session.issuer };
    return { ...issuer, clientId: session.clientId, responseType, redirectUri, silentRedirectUri, scope, audience, storage, leeway, thirdPartyCheck, autoRenew, dpop, allowedOrigins: session.allowedOrigins.join(' '), store: this.store.name };
  }

  /** The sign-in configuration of an element (a plain object: its properties are accessors), for this store. */
  #pick(element: SignInConfig): SignInConfig {
    return { ...Object.fromEntries(KEYS.map((name) => [name, element[name]])), store: this.store.name };
  }

  /** Where events go: the first `<auth-login>` attached, else the first element, else the document. */
  get #announcer(): EventTarget {
    let first: EventTarget | undefined;
    for (const [host, config] of this.#hosts) {
      if (config) return host;
      first ??= host;
    }
    return first ?? document;
  }

  get #top(): boolean {
    return top === self;
  }

  /** When the current token's renewal is due. */
  #renewAt(session: Session): number {
    const { expiresAt = Infinity, issuedAt } = session;
    const lead = issuedAt === undefined ? budget.lead : Math.min(budget.lead, budget.share * (expiresAt - issuedAt));
    return Math.max(expiresAt - lead, this.#lastStart + budget.gap);
  }

  /** On every change of the store: plans the renewal point of its token, or says that it expired. */
  #plan(): void {
    clock.clear(this.#timer);
    const { session } = this.store;
    const token = key(session);
    if (token !== this.#attemptsFor || !this.#hosts.size) {
      clock.clear(this.#retry);
      this.#attemptsFor = token;
      this.#attempts = 0;
      this.#failure = undefined;
    }
    if (!this.#hosts.size || !this.#top || !session?.expiresAt) return;
    const now = clock.now();
    if (session.expiresAt <= now) {
      if (this.#expired !== session.expiresAt) {
        this.#expired = session.expiresAt;
        this.#announcer.dispatchEvent(new AuthExpiredEvent({ store: this.store.name, expiresAt: session.expiresAt, ...(this.#failure && { error: this.#failure.error }) }));
      }
      // A page opened (or a computer woken) after expiry: one automatic renewal all the same.
      if (this.#due !== token) this.#reached(token!, session.expiresAt);
      return;
    }
    if (this.#due === token) return;
    const wait = this.#renewAt(session) - now;
    // Long waits in steps (a timer beyond 2^31-1 ms would fire at once); each step plans again.
    this.#timer = clock.set(() => (wait > MAX_DELAY ? this.#plan() : this.#reached(token!, session.expiresAt!)), Math.min(Math.max(wait, 0), MAX_DELAY));
  }

  /** The renewal point of `token`: `auth-expiring` once, then, with `auto-renew`, the automatic renewal. */
  #reached(token: string, expiresAt: number): void {
    this.#due = token;
    if (expiresAt > clock.now()) this.#announcer.dispatchEvent(new AuthExpiringEvent({ store: this.store.name, expiresAt }));
    if (this.config?.autoRenew) void this.#auto(token);
  }

  /**
   * An automatic renewal of `token`, within its budget: "no provider session" stops quietly (`auth-expired` follows);
   * a transient failure is tried again after each backoff delay, then reported once; any other failure is reported
   * at once and not tried again.
   */
  async #auto(token: string): Promise<void> {
    if (this.#attemptsFor !== token || this.#attempts > budget.backoff.length) return;
    const delay = budget.backoff[this.#attempts++];
    const outcome = await this.#exclusive();
    if (outcome.ok || key(this.store.session) !== token) return void (this.#failure = undefined);
    const { error } = outcome;
    this.#failure = error;
    if (NO_SESSION.test(error.error)) return;
    if (TRANSIENT.test(error.error) && delay !== undefined) {
      this.#retry = clock.set(() => void this.#auto(token), delay);
      return;
    }
    this.#announcer.dispatchEvent(new AuthErrorEvent(error));
  }

  /**
   * One renewal at a time per store: callers in this tab share the one running, tabs of this origin take turns under
   * a Web Lock, and a tab that waited finds the session another tab renewed (stored in local storage) and is done.
   */
  #exclusive(config = this.config, target?: EventTarget): Promise<Outcome> {
    return (this.#running ??= (async () => {
      const before = key(this.store.session);
      const renewed = () => (this.store.reload(), this.store.signedIn && key(this.store.session) !== before);
      const run = async (waited?: boolean): Promise<Outcome> => {
        // After waiting for another tab's renewal of a session in local storage, its write may reach this tab just
        // after the lock does: a moment for it (at most a second) before renewing again.
        if (waited && !renewed() && config?.storage === 'local') await new Promise<void>((resolve) => (addEventListener('storage', () => resolve(), { once: true }), clock.set(resolve, 1000)));
        if (renewed()) return { ok: true };
        this.#lastStart = clock.now();
        return this.#signIn(config, target ?? this.#announcer);
      };
      const { locks } = navigator;
      const name = `auth-elements:renew:${this.store.name}`;
      try {
        // `null`: another tab holds the lock (it is renewing): wait for it, then look at what it stored.
        return (locks && await locks.request(name, { ifAvailable: true }, (lock) => lock && run())) ?? await (locks ? locks.request(name, () => run(true)) : run());
      } finally {
        this.#running = undefined;
      }
    })());
  }

  /**
   * Signs in silently with the configuration: with the refresh token when the session is from the same issuer and
   * client, else `prompt=none` in a hidden iframe with the session's ID token as `id_token_hint` (even an expired
   * one: it still names the user). Stores the new session (`auth-signed-in` from the announcer).
   */
  async #signIn(config: SignInConfig | undefined, target: EventTarget): Promise<Outcome> {
    const { store } = this;
    const { session, refreshToken } = store;
    try {
      if (!config) return { ok: false, error: { error: 'invalid_config', errorDescription: `store ${store.name}: no <auth-login> and no stored sign-in to renew the session with` } };
      const same = !!session && session.issuer === resolveIssuer(config) && session.clientId === config.clientId;
      const refresh = same && refreshToken ? [session!, refreshToken] as [Session, string] : undefined;
      try {
        storeSession(target, await renewer.run({ ...config, idTokenHint: same ? session!.idToken : undefined }, refresh));
      } catch (error) {
        // A refused refresh token ends the session: a rotated one used twice means it leaked (RFC 9700 section 4.14.2).
        if (refresh && errorDetail(error).error === 'invalid_grant') store.clear();
        throw error;
      }
      return { ok: true };
    } catch (error) {
      return { ok: false, error: errorDetail(error) };
    }
  }

  /**
   * `loginSilently()`: a renewal now with `config` (the calling `<auth-login>`'s), every failure reported from
   * `target`. Resolves whether it worked.
   */
  async renew(target: EventTarget, config?: SignInConfig): Promise<boolean> {
    const outcome = await this.#exclusive(config && this.#pick(config), target);
    if (!outcome.ok) target.dispatchEvent(new AuthErrorEvent(outcome.error));
    return outcome.ok;
  }

  /**
   * `check-session` (src/session/hosts.ts calls it once per page and store, after the page's own sign-in response is
   * handled; requests of `<auth-fetch>` wait for it): a silent sign-in when the store has no usable session. No
   * provider session is an expected outcome, not an error.
   */
  async checkSession(target: EventTarget, config?: SignInConfig): Promise<void> {
    if (this.store.signedIn || !this.#top) return;
    const outcome = await this.#exclusive(config && this.#pick(config), target);
    if (!outcome.ok && !NO_SESSION.test(outcome.error.error) && outcome.error.error !== 'third_party_cookies_blocked') target.dispatchEvent(new AuthErrorEvent(outcome.error));
  }

  /**
   * Before a request: a token past its renewal point (or expired) is renewed first, once per token; a renewal
   * running is waited for. A failure is left to the request (it goes out with the token there is, or none).
   */
  async beforeRequest(): Promise<void> {
    const { session } = this.store;
    const token = key(session);
    if (this.#running) await this.#running;
    else if (session && this.#top && this.#renewAt(session) <= clock.now() && !this.#demanded.has(token!) && this.config) {
      this.#demanded.add(token!);
      this.#quiet(await this.#exclusive());
    }
  }

  /**
   * An API refused the token of `sent` (the session the request was sent with; 401 `invalid_token`): whether to
   * retry with the store's current session. Yes when it already differs (renewed meanwhile); no for a session
   * refused before or just issued (the API, not the token, is wrong: renewing would loop); else one renewal, and yes
   * if it gave a new session.
   */
  async refused(sent: Session | null): Promise<boolean> {
    const changed = () => this.store.signedIn && this.store.session !== sent;
    if (this.#running) await this.#running;
    if (changed() || !sent || this.#refused.has(sent) || !this.#top || !this.config) return changed();
    this.#refused.add(sent);
    if (sent.issuedAt !== undefined && clock.now() - sent.issuedAt < budget.fresh) return false;
    this.#quiet(await this.#exclusive());
    return changed();
  }

  /** Reports a renewal that a request asked for, unless it only found no provider session. */
  #quiet(outcome: Outcome): void {
    if (!outcome.ok && !NO_SESSION.test(outcome.error.error)) this.#announcer.dispatchEvent(new AuthErrorEvent(outcome.error));
  }
}

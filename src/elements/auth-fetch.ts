import { ReactiveElement, type PropertyValues } from '@lit/reactive-element';
import { StoreController } from '../controllers/store-controller.js';
import { AuthErrorEvent, AuthResponseEvent, type AuthResponseDetail } from '../events.js';
import { slot } from './dom.js';
import { errorDetail, isAbort } from '../protocol/errors.js';
import { callApi } from '../protocol/request.js';
import { responseHandled, type TokenStore } from '../store/token-store.js';

/**
 * Calls an API with the store's access token as `Authorization: Bearer`, declaratively. The token goes only to
 * allowed origins (this page's, the audience's and `<auth-login allowed-origins>`); a newer request, a `url` change
 * or removal from the page aborts the request in flight, silently.
 *
 * @summary Calls a protected API.
 * @tagname auth-fetch
 * @slot - Shown as is.
 * @fires {AuthResponseEvent} auth-response - The API answered 2xx; detail `{status, ok, data}` (`data` parsed per `as`).
 * @fires {AuthErrorEvent} auth-error - No request was possible (`login_required`, `origin_not_allowed`, `invalid_config`) or it failed (`http_error` with `status`, `network_error`, `timeout`, `invalid_response`).
 */
export class AuthFetchElement extends ReactiveElement {
  static override properties = {
    url: {},
    method: {},
    store: {},
    auto: { type: Boolean },
    as: {},
    body: {},
    contentType: { attribute: 'content-type' },
    timeout: { type: Number },
  };

  #store = new StoreController(this, () => this.store, (store) => this.#tokenChanged(store));
  #request: AbortController | undefined;
  #requestUrl: string | null = null;
  #token: string | undefined;

  /** The API URL (required); relative URLs resolve against the page. */
  declare url: string | null;
  /** HTTP method. */
  declare method: string;
  /** Name of the token store whose access token is sent. */
  declare store: string;
  /** Request on connect, whenever `url` changes, and whenever a new token arrives in the store. */
  declare auto: boolean;
  /** How to read the answer: `json` (default; an empty answer is `null`) or `text`. Unknown values mean `json`. */
  declare as: string;
  /** Request body, sent as is (not for GET or HEAD). */
  declare body: string | null;
  /** The body's content type; default `application/json` when there is a body. */
  declare contentType: string | null;
  /** Milliseconds before the request fails with `timeout`; 0 (default) for none. */
  declare timeout: number;

  constructor() {
    super();
    this.url = this.body = this.contentType = null;
    this.method = 'GET';
    this.store = 'default';
    this.auto = false;
    this.as = 'json';
    this.timeout = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // On first connection `updated` makes the auto request; on reconnection it is made here.
    if (this.hasUpdated && this.auto) void this.send();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#request?.abort();
  }

  override updated(changed: PropertyValues<this>): void {
    // The answer for a URL the element no longer shows must not be reported.
    if (changed.has('url') && this.#requestUrl !== this.url) this.#request?.abort();
    if (this.auto && this.url && (changed.has('url') || changed.has('auto') || changed.has('store'))) void this.send();
  }

  /**
   * Sends the request now (aborting one in flight) and fires `auth-response` or `auth-error`. Resolves with the
   * response detail, or `undefined` when it failed or was superseded; never rejects.
   */
  async send(): Promise<AuthResponseDetail | undefined> {
    this.#request?.abort();
    const request = (this.#request = new AbortController());
    this.#requestUrl = this.url;
    await responseHandled();
    const { store } = this.#store;
    const call = () => callApi(
      { url: this.url ?? '', method: this.method, body: this.body, contentType: this.contentType, as: this.as === 'text' ? 'text' : 'json' },
      { accessToken: (this.#token = store.accessToken), allowedOrigins: store.session?.allowedOrigins ?? [] },
      { signal: request.signal, timeout: this.timeout },
    );
    try {
      // A token about to expire is renewed first (when an <auth-login> of the store can); a token the API refuses
      // as invalid_token (RFC 6750) is renewed once and the request retried once.
      if ((store.session?.expiresAt ?? Infinity) - Date.now() < 60_000) await store.renewer?.();
      const detail = await call().catch(async (error: { status?: number; cause?: unknown }) => {
        if (error.status === 401 && error.cause === 'invalid_token' && (await store.renewer?.()) && !request.signal.aborted) return call();
        throw error;
      });
      if (request.signal.aborted) return undefined;
      this.dispatchEvent(new AuthResponseEvent(detail));
      return detail;
    } catch (error) {
      if (!isAbort(error) && !request.signal.aborted) this.dispatchEvent(new AuthErrorEvent(errorDetail(error)));
      return undefined;
    } finally {
      if (this.#request === request) this.#request = undefined;
    }
  }

  /** A new token (sign-in, renewal, another tab) re-runs an `auto` request. */
  #tokenChanged(store: TokenStore): void {
    const token = store.accessToken;
    if (this.auto && this.url && token && token !== this.#token) void this.send();
  }

  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    slot(root);
    return root;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-fetch': AuthFetchElement;
  }
}

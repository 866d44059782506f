import { ReactiveElement, type PropertyValues } from '@lit/reactive-element';
import { StoreController } from '../controllers/store-controller.js';
import { AuthErrorEvent, AuthResponseEvent, type AuthResponseDetail } from '../events.js';
import { AuthError, errorDetail, isAbort } from '../protocol/errors.js';
import { callApi, type ApiRequest } from '../protocol/request.js';
import { render } from '../render/stamp.js';
import { lifecycleOf } from '../session/hosts.js';
import { responseHandled, type TokenStore } from '../store/token-store.js';
import { errorSlot, sheet, slot } from './dom.js';
import { checkEnum, showError } from './report.js';
import { mirrorStates } from './states.js';

const STATES = ['signed-out', 'loading', 'error', 'empty'];

/** Whose session the store holds: issuer and subject (`undefined` when signed out). */
const whose = ({ session }: TokenStore) => session ? `${session.issuer} ${session.claims?.sub}` : undefined;

/**
 * Calls an API with the store's access token as `Authorization: Bearer`, declaratively, and shows the answer with no
 * page script: a `<template>` inside it is filled with the JSON answer (`data-field`, `data-attr-NAME`, `data-items`),
 * a child `<form>` is sent on submit, and the element's state shows through reflected attributes and named slots.
 * The token goes only to allowed origins (this page's, the audience's and `<auth-login allowed-origins>`). A newer
 * GET, a `url` change or removal from the page aborts the GET in flight, silently; a write (a form submit, or any
 * method but GET and HEAD) is never aborted, and ends in `auth-response` or a visible `auth-error` with the form's
 * values kept. A token past its renewal point is renewed first, and a token the API refuses as `invalid_token` is
 * renewed once and the request retried once (by the store's lifecycle, with or without an `<auth-login>` on the page).
 *
 * @summary Calls a protected API and renders its answer.
 * @tagname auth-fetch
 * @slot - Content; filled template copies are inserted after their `<template>`.
 * @slot loading - Shown while a request is in flight.
 * @slot error - Shown after a failure; by default the error's description, as text.
 * @slot signed-out - Shown while the store has no usable token.
 * @slot empty - Shown when the answer (or its `data-items` list) is empty.
 * @csspart error-message - The default error text (`role="alert"`).
 * @cssstate loading - A request is in flight, as the `loading` attribute.
 * @cssstate error - The last request failed, as the `error` attribute.
 * @cssstate signed-out - The store has no usable token, as the `signed-out` attribute.
 * @cssstate empty - The last answer (or its `data-items` list) was empty, as the `empty` attribute.
 * @fires {AuthResponseEvent} auth-response - The API answered 2xx; detail `{status, ok, data}` (`data` parsed per `as`).
 * @attr {string} param-* - A query parameter: `param-NAME="value"` adds `NAME=value` to `url` (a change requests again
 * with `auto`).
 * @fires {CustomEvent} emit - Not an event of that name: the event named by the `emit` attribute, fired after a
 * successful request (bubbling, composed; detail as `auth-response`).
 * @fires {AuthErrorEvent} auth-error - No request was possible (`login_required` from `send()`, `origin_not_allowed`, `invalid_config`) or it failed (`http_error` with `status`, `network_error`, `timeout`, `invalid_response`), or its answer could not be rendered into the templates (`render_error`); detail `{error, errorDescription?, status?}`.
 */
export class AuthFetchElement extends ReactiveElement {
  static override get styles(): CSSStyleSheet | [] {
    return sheet(`:host{display:block}:host([hidden])${STATES.map((state) => `,:host(:not([${state}])) [name=${state}]`).join('')}{display:none}`);
  }

  static override properties = {
    url: {},
    method: {},
    store: {},
    auto: { type: Boolean },
    as: {},
    body: {},
    contentType: { attribute: 'content-type' },
    timeout: { type: Number },
    debounce: { type: Number },
    refreshOn: { attribute: 'refresh-on' },
    emit: {},
    noReset: { type: Boolean, attribute: 'no-reset' },
    loading: { type: Boolean, reflect: true },
    error: { type: Boolean, reflect: true },
    signedOut: { type: Boolean, attribute: 'signed-out', reflect: true },
    empty: { type: Boolean, reflect: true },
  };

  #store = new StoreController(this, () => this.store, (store) => this.#tokenChanged(store));
  /** The GET in flight (latest wins); writes are not tracked: nothing aborts them. */
  #get: AbortController | undefined;
  #requestUrl: string | null = null;
  /** Requests in flight, writes included: `loading` while any is. */
  #inflight = 0;
  /** Forms being sent: a second submit of one of them is dropped. */
  #sending = new Set<HTMLFormElement>();
  /** The token of the last request sent. */
  #token: string | undefined;
  #listeners: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stamped: Node[] = [];
  #message: HTMLElement | undefined;

  /** The API URL (required); relative URLs resolve against the page. */
  declare url: string | null;
  /** HTTP method (a child form's `method` wins); any method but GET and HEAD is a write, never aborted. Others are allowed. */
  declare method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | (string & {});
  /** Name of the token store whose access token is sent. */
  declare store: string;
  /**
   * Request on connect, whenever `url` or a query parameter changes, and whenever a new token arrives in the store;
   * not while signed out (no `login_required` on every page load).
   */
  declare auto: boolean;
  /** How to read the answer: `json` (default; an empty answer is `null`) or `text`. Unknown values mean `json`. */
  declare as: 'json' | 'text';
  /** Request body, sent as is (not for GET or HEAD). */
  declare body: string | null;
  /**
   * The body's content type; default `application/json` when there is a body. A form is sent as JSON unless this is
   * `application/x-www-form-urlencoded`.
   */
  declare contentType: string | null;
  /** Milliseconds before the request fails with `timeout`; 0 (default) for none. */
  declare timeout: number;
  /** Milliseconds to wait after a change (`url`, query parameters, `refresh-on`) before an automatic request. */
  declare debounce: number;
  /** Request again whenever this DOM event reaches the document (for example one fired with `emit` by another element). */
  declare refreshOn: string | null;
  /** After a successful request, fire this event (bubbling, composed; detail as `auth-response`). */
  declare emit: string | null;
  /** Keep a submitted form's values after success (by default the form is reset). */
  declare noReset: boolean;
  /** Reflected: a request is in flight. */
  declare loading: boolean;
  /** Reflected: the last request failed. */
  declare error: boolean;
  /** Reflected: the store has no usable token. */
  declare signedOut: boolean;
  /** Reflected: the last answer (or its `data-items` list) was empty. */
  declare empty: boolean;

  constructor() {
    super();
    this.url = this.body = this.contentType = this.refreshOn = this.emit = null;
    this.method = 'GET';
    this.store = 'default';
    this.as = 'json';
    this.timeout = this.debounce = 0;
    this.auto = this.noReset = this.loading = this.error = this.signedOut = this.empty = false;
    mirrorStates(this, STATES);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#listen();
    // On first connection `updated` makes the auto request; on reconnection it is made here.
    if (this.hasUpdated && this.auto) this.#queue();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#listeners?.abort();
    clearTimeout(this.#timer);
    this.#get?.abort();
  }

  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    for (const name of STATES) if (name === 'error') this.#message = errorSlot(root); else slot(root).name = name;
    slot(root);
    return root;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.signedOut = !this.#store.store.accessToken;
    checkEnum(this, 'as', this.as, ['json', 'text']);
    if (changed.has('refreshOn') && this.hasUpdated) this.#listen();
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.setAttribute('aria-busy', String(this.loading));
    // The answer for a URL the element no longer shows must not be reported.
    if (changed.has('url') && this.#requestUrl !== this.url) this.#get?.abort();
    if (this.auto && this.url && (changed.has('url') || changed.has('auto') || changed.has('store'))) this.#queue();
  }

  /**
   * Sends the request now (aborting one in flight) and fires `auth-response` or `auth-error`. Resolves with the
   * response detail, or `undefined` when it failed or was superseded; never rejects.
   */
  send(): Promise<AuthResponseDetail | undefined> {
    clearTimeout(this.#timer);
    return this.#run({ url: this.url ?? '', method: this.method, body: this.body, contentType: this.contentType });
  }

  async #run(request: ApiRequest, form?: HTMLFormElement): Promise<AuthResponseDetail | undefined> {
    // A write (every form submit, and any method but GET and HEAD) is never aborted: not by a newer request, a token
    // change, a renewal, a url change or removal from the page; the server may already have done it. GETs are
    // latest-wins: a newer one aborts the one in flight.
    const write = !!form || !/^(GET|HEAD)$/i.test(request.method || 'GET');
    const controller = new AbortController();
    const { signal } = controller;
    if (!write) {
      this.#get?.abort();
      this.#get = controller;
      this.#requestUrl = this.url;
    }
    this.#inflight++;
    this.loading = true;
    this.error = false;
    const buttons = [...(form?.querySelectorAll<HTMLButtonElement>('button:not([type]),[type=submit]') ?? [])].filter((b) => !b.disabled);
    for (const button of buttons) button.disabled = true;
    request = { ...request, as: this.as === 'text' ? 'text' : 'json', params: [...(request.params ?? []), ...this.#params()] };
    try {
      // Not before the page's own sign-in response (or check-session) is handled: no login_required flash.
      await responseHandled();
      const { store } = this.#store;
      const lifecycle = await lifecycleOf(store);
      // A token past its renewal point is renewed first (once per token, by the store's lifecycle).
      await lifecycle.beforeRequest();
      signal.throwIfAborted();
      const call = (accessToken = store.accessToken) => callApi(request, { accessToken: (this.#token = accessToken), allowedOrigins: store.session?.allowedOrigins ?? [] }, { signal, timeout: this.timeout });
      const sent = store.session;
      const user = whose(store);
      // A token the API refuses as invalid_token (RFC 6750) is renewed once (unless just issued) and this request
      // retried once with the new one; a second refusal is the API's answer (http_error 401), never another renewal.
      const detail = await call().catch(async (error: { status?: number; cause?: unknown }) => {
        if (error.status === 401 && error.cause === 'invalid_token' && !signal.aborted && (await lifecycle.refused(sent))) return call();
        throw error;
      });
      signal.throwIfAborted();
      // A write that outlived its user's session (signed out, or another user meanwhile) is told, not shown.
      if (whose(store) === user) {
        try {
          [this.#stamped, this.empty] = render(this, detail.data, this.#stamped);
        } catch (error) {
          // Not the network's fault: the answer arrived (a write was done) but could not be shown.
          throw new AuthError('render_error', `rendering the answer failed: ${error}`, { cause: error });
        }
      }
      if (form && !this.noReset) form.reset();
      this.dispatchEvent(new AuthResponseEvent(detail));
      if (this.emit) this.dispatchEvent(new CustomEvent(this.emit, { bubbles: true, composed: true, detail }));
      return detail;
    } catch (error) {
      if (!isAbort(error) && !signal.aborted) {
        const detail = errorDetail(error);
        this.error = true;
        showError(this, this.#message!, detail);
        this.dispatchEvent(new AuthErrorEvent(detail));
      }
      return undefined;
    } finally {
      for (const button of buttons) button.disabled = false;
      if (form) this.#sending.delete(form);
      if (this.#get === controller) this.#get = undefined;
      this.loading = !!--this.#inflight;
    }
  }

  /** Query parameters: `param-NAME="value"` attributes, then named descendants marked `data-param` (not in a form). */
  #params(): [string, string][] {
    const params: [string, string][] = [];
    for (const { name, value } of this.attributes) if (name.startsWith('param-')) params.push([name.slice(6), value]);
    for (const field of this.querySelectorAll<HTMLInputElement>('[data-param][name]')) {
      if (!field.closest('form')) params.push([field.getAttribute('name')!, field.value ?? field.getAttribute('value') ?? '']);
    }
    return params;
  }

  /** Sends a child form: native validation has already run (the browser fires `submit` only for a valid form). */
  #submit(event: SubmitEvent): void {
    const form = event.target as HTMLFormElement;
    if (form.closest('auth-fetch') !== this) return;
    event.preventDefault();
    // A second submit while this form is being sent is dropped (its buttons are disabled, but Enter still submits).
    if (this.#sending.has(form)) return;
    this.#sending.add(form);
    const method = (form.getAttribute('method') || this.method).toUpperCase();
    const url = form.getAttribute('action') || this.url || '';
    // Files cannot travel in JSON or a query: only text fields are sent.
    const fields = [...new FormData(form, event.submitter)].filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    const urlencoded = /^application\/x-www-form-urlencoded/i.test(this.contentType ?? '');
    let request: ApiRequest;
    if (method === 'GET') {
      request = { url, method, params: fields };
    } else {
      const json: Record<string, unknown> = {};
      for (const [name, value] of fields) json[name] = Object.hasOwn(json, name) ? [json[name], value].flat() : value;
      request = { url, method, body: urlencoded ? new URLSearchParams(fields).toString() : JSON.stringify(json), contentType: urlencoded ? this.contentType : 'application/json' };
    }
    void this.#run(request, form);
  }

  /** (Re)adds every listener, all removed at once by one AbortController on disconnect or a `refresh-on` change. */
  #listen(): void {
    this.#listeners?.abort();
    if (!this.isConnected) return;
    const options = { signal: (this.#listeners = new AbortController()).signal };
    this.addEventListener('submit', (event) => this.#submit(event), options);
    // `input` fires for every kind of field, selects and checkboxes included; a changed `data-param` field re-runs
    // an `auto` request (after `debounce`).
    this.addEventListener('input', (event) => {
      const field = event.target as Element;
      if (this.auto && field.matches('[data-param][name]') && !field.closest('form')) this.#queue();
    }, options);
    // Not for our own `emit` of the same event, which would loop.
    if (this.refreshOn) document.addEventListener(this.refreshOn, (event) => event.composedPath().includes(this) || this.#queue(), options);
  }

  /**
   * An automatic request, after `debounce` ms. Not while the store has no session: the `signed-out` state says so,
   * and the token's arrival makes the request (only `send()` reports `login_required`).
   */
  #queue(): void {
    clearTimeout(this.#timer);
    if (!this.#store.store.session) return;
    if (this.debounce > 0) this.#timer = setTimeout(() => void this.send(), this.debounce);
    else void this.send();
  }

  /**
   * A new token (sign-in, renewal, another tab) re-runs an `auto` request, unless its GET is in flight (that one is
   * waiting for this very renewal, to retry with the new token: aborting it for a new request would loop). Signed
   * out (here or in another tab), the GET in flight is dropped and what was rendered for the user goes away (an
   * expired token alone keeps it); writes go on.
   */
  #tokenChanged(store: TokenStore): void {
    const { session, accessToken: token } = store;
    if (!session) {
      this.#get?.abort();
      [this.#stamped] = render(this, null, this.#stamped);
      this.empty = false;
    } else if (this.auto && this.url && token && token !== this.#token && !this.#get) this.#queue();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-fetch': AuthFetchElement;
  }
}

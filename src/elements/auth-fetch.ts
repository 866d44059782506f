import { ReactiveElement, type PropertyValues } from '@lit/reactive-element';
import { StoreController } from '../controllers/store-controller.js';
import { AuthErrorEvent, AuthResponseEvent, type AuthResponseDetail } from '../events.js';
import { AuthError, errorDetail, isAbort } from '../protocol/errors.js';
import type { ApiRequest } from '../protocol/request.js';
import { lifecycleOf } from '../session/hosts.js';
import { responseHandled, type TokenStore } from '../store/token-store.js';
import { errorSlot, sheet, slot } from './dom.js';
import { requests, templates } from './parts.js';
import { checkEnum, showError } from './report.js';
import { setState } from './states.js';

const STATES = ['signed-out', 'loading', 'error', 'empty'];

/** Whose session the store holds: issuer and subject (`undefined` when signed out). */
const whose = ({ session }: TokenStore) => session ? `${session.issuer} ${session.claims?.sub}` : undefined;

const NONE: Node[] = [];

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
 * @attr {boolean} loading - Set by the element (never by the page) while a request has been in flight for a frame or more.
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
    error: { type: Boolean, reflect: true },
    signedOut: { type: Boolean, attribute: 'signed-out', reflect: true },
    empty: { type: Boolean, reflect: true },
  };

  // `loading` is the element's own attribute (not a property's): observed for its custom state.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'loading'];
  }

  /** Elements with a request that started since the last frame, and those whose request was in flight at it. */
  static #started = new Set<AuthFetchElement>();
  static #pending = new Set<AuthFetchElement>();
  static #frame = 0;

  /**
   * One animation-frame callback for the whole page: an element whose request is still in flight a frame after it
   * started shows `loading` (a request answered within a frame changes no attribute, so no style work).
   */
  static #tick(): void {
    const pending = AuthFetchElement.#pending;
    AuthFetchElement.#pending = AuthFetchElement.#started;
    AuthFetchElement.#started = pending;
    for (const element of pending) element.#busy(true);
    pending.clear();
    AuthFetchElement.#frame = AuthFetchElement.#pending.size ? requestAnimationFrame(AuthFetchElement.#tick) : 0;
  }

  /** The listener of every element's `submit` and `input` events (one function, no closure per element). */
  static #event(this: AuthFetchElement, event: Event): void {
    if (event.type === 'submit') this.#submit(event as SubmitEvent);
    else {
      // `input` fires for every kind of field, selects and checkboxes included; a changed `data-param` field re-runs
      // an `auto` request (after `debounce`).
      const field = event.target as Element;
      if (this.auto && this.isConnected && field.matches('[data-param][name]') && !field.closest('form')) this.#queue();
    }
  }

  /** The store's name and its changes, for the store controller: one function each for every element. */
  static #storeName = function (this: AuthFetchElement) {
    return this.store;
  };
  static #storeChanged = function (this: AuthFetchElement, store: TokenStore) {
    this.#tokenChanged(store);
  };

  #store = new StoreController(this, AuthFetchElement.#storeName as (this: Element) => string, AuthFetchElement.#storeChanged as (this: Element, store: TokenStore) => void, undefined, false);
  /** The GET in flight (latest wins); writes are not tracked: nothing aborts them. */
  #get: AbortController | undefined;
  #requestUrl: string | null = null;
  /** Requests in flight, writes included: `loading` while any is. */
  #inflight = 0;
  /** Forms being sent: a second submit of one of them is dropped. */
  #sending: Set<HTMLFormElement> | undefined;
  /** The token of the last request sent. */
  #token: string | undefined;
  /** The `refresh-on` listener's. */
  #listeners: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stamped = NONE;
  /** The default error text, once the state slots exist. */
  #message: HTMLElement | undefined;
  /** The state slots, made before the shadow root (the root takes them when it is made). */
  #slots: DocumentFragment | undefined;

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
  /**
   * A request is in flight (writes included). The `loading` attribute (and `aria-busy="true"`) follows once the
   * request is still in flight a frame after it started, and goes when the last one ends.
   */
  get loading(): boolean {
    return this.#inflight > 0 || this.hasAttribute('loading');
  }

  /** Sets or removes the `loading` attribute (a page's own indicator); requests set it themselves. */
  set loading(value: boolean) {
    this.toggleAttribute('loading', !!value);
  }
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
    this.auto = this.noReset = this.error = this.signedOut = this.empty = false;
    this.addEventListener('submit', AuthFetchElement.#event);
    this.addEventListener('input', AuthFetchElement.#event);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The store controller is called from here, not from a controller list of the element's own.
    this.#store.hostConnected();
    this.#listen();
    // On first connection `updated` makes the auto request; on reconnection it is made here.
    if (this.hasUpdated && this.auto) this.#queue();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#store.hostDisconnected();
    this.#listeners?.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#get?.abort();
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (!STATES.includes(name)) return;
    setState(this, name, value !== null);
    // A state's slot is needed once there is content for it: the error text, or a child slotted by name.
    if (value !== null && !this.#message && (name === 'error' || this.querySelector(':scope > [slot]'))) this.#fill();
  }

  /**
   * The shadow root holds only the default slot until a state needs its slot: a child of the element slotted by name
   * (`slot="loading"`, …) is not shown meanwhile, as none of the states is on.
   */
  protected override createRenderRoot() {
    const root = super.createRenderRoot();
    slot(root);
    if (this.#slots) this.#fill(root);
    return root;
  }

  /** Puts the state slots (and the default error text) before the default slot, now or when the root is made. */
  #fill(root: Node | null = this.shadowRoot): void {
    let slots = this.#slots;
    if (!slots) {
      if (this.#message) return;
      slots = this.#slots = document.createDocumentFragment();
      for (const name of STATES) if (name === 'error') this.#message = errorSlot(slots); else slot(slots).name = name;
    }
    if (root) {
      root.insertBefore(slots, root.firstChild);
      this.#slots = undefined;
    }
  }

  /** Shows (or stops showing) `loading` and `aria-busy`. */
  #busy(on: boolean): void {
    if (on === this.hasAttribute('loading') || (on && !this.#inflight)) return;
    this.toggleAttribute('loading', on);
    this.setAttribute('aria-busy', String(on));
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#store.hostUpdate();
    this.signedOut = !this.#store.store.accessToken;
    checkEnum(this, 'as', this.as, ['json', 'text']);
    if (changed.has('refreshOn') && this.hasUpdated) this.#listen();
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The answer for a URL the element no longer shows must not be reported.
    if (changed.has('url') && this.#requestUrl !== this.url) this.#get?.abort();
    if (this.auto && this.url && (changed.has('url') || changed.has('auto') || changed.has('store'))) this.#queue();
  }

  /**
   * Sends the request now (aborting one in flight) and fires `auth-response` or `auth-error`. Resolves with the
   * response detail, or `undefined` when it failed or was superseded; never rejects.
   */
  send(): Promise<AuthResponseDetail | undefined> {
    if (this.#timer) clearTimeout(this.#timer);
    return this.#run({ url: this.url ?? '', method: this.method, body: this.body, contentType: this.contentType });
  }

  async #run(request: ApiRequest, form?: HTMLFormElement): Promise<AuthResponseDetail | undefined> {
    // A write (every form submit, and any method but GET and HEAD) is never aborted: not by a newer request, a token
    // change, a renewal, a url change or removal from the page; the server may already have done it. GETs are
    // latest-wins: a newer one aborts the one in flight.
    const method = request.method;
    const write = !!form || !(!method || /^(GET|HEAD)$/i.test(method));
    const controller = new AbortController();
    const { signal } = controller;
    if (!write) {
      this.#get?.abort();
      this.#get = controller;
      this.#requestUrl = this.url;
    }
    if (!this.#inflight++) {
      // `loading` shows if this is still in flight a frame from now (see #tick).
      AuthFetchElement.#started.add(this);
      AuthFetchElement.#frame ||= requestAnimationFrame(AuthFetchElement.#tick);
    }
    this.error = false;
    const buttons = form ? [...form.querySelectorAll<HTMLButtonElement>('button:not([type]),[type=submit]')].filter((b) => !b.disabled) : [];
    for (const button of buttons) button.disabled = true;
    request.as = this.as === 'text' ? 'text' : 'json';
    request.params = this.#params(request.params);
    try {
      // Not before the page's own sign-in response (or check-session) is handled: no login_required flash.
      await responseHandled();
      const { store } = this.#store;
      const lifecycle = await lifecycleOf(store);
      // A token past its renewal point is renewed first (once per token, by the store's lifecycle).
      await lifecycle.beforeRequest();
      // The request code is loaded with the first request (a signed-out page does not load it).
      const { callApi } = requests.value ?? (await requests());
      signal.throwIfAborted();
      const call = (accessToken = store.accessToken) => callApi(request, { accessToken: (this.#token = accessToken), allowedOrigins: store.session?.allowedOrigins ?? [], store: store.name, dpopJkt: store.session?.dpopJkt }, { signal, timeout: this.timeout });
      const sent = store.session;
      const user = whose(store);
      // A token the API refuses as invalid_token (RFC 6750) is renewed once (unless just issued) and this request
      // retried once with the new one; a second refusal is the API's answer (http_error 401), never another renewal.
      const detail = await call().catch(async (error: { status?: number; cause?: unknown }) => {
        if (error.status === 401 && error.cause === 'invalid_token' && !signal.aborted && (await lifecycle.refused(sent))) return call();
        throw error;
      });
      signal.throwIfAborted();
      // The template filler only for an element with a template to fill or copies to remove.
      const stamps = this.#stamped.length > 0 || !!this.querySelector('template');
      if (stamps && !templates.value) {
        await templates();
        signal.throwIfAborted();
      }
      // A write that outlived its user's session (signed out, or another user meanwhile) is told, not shown.
      if (whose(store) === user) {
        try {
          const { data } = detail;
          if (stamps) [this.#stamped, this.empty] = templates.value!.render(this, data, this.#stamped);
          else this.empty = data == null || (Array.isArray(data) && !data.length);
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
        // The error text goes in the error slot's fallback: the state slots are made now if they are not there yet.
        this.#fill();
        showError(this, this.#message!, detail);
        this.dispatchEvent(new AuthErrorEvent(detail));
      }
      return undefined;
    } finally {
      for (const button of buttons) button.disabled = false;
      if (form) this.#sending!.delete(form);
      if (this.#get === controller) this.#get = undefined;
      if (!--this.#inflight) {
        AuthFetchElement.#started.delete(this);
        AuthFetchElement.#pending.delete(this);
        this.#busy(false);
      }
    }
  }

  /**
   * Query parameters: `given` (a GET form's fields), then `param-NAME="value"` attributes, then named descendants
   * marked `data-param` (not in a form).
   */
  #params(given?: Iterable<[string, string]>): [string, string][] {
    const params: [string, string][] = given ? [...given] : [];
    for (const name of this.getAttributeNames()) if (name.startsWith('param-')) params.push([name.slice(6), this.getAttribute(name)!]);
    if (this.firstElementChild) for (const field of this.querySelectorAll<HTMLInputElement>('[data-param][name]')) {
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
    if (this.#sending?.has(form)) return;
    (this.#sending ??= new Set()).add(form);
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

  /** (Re)adds the `refresh-on` listener, removed by its AbortController on disconnect or a `refresh-on` change. */
  #listen(): void {
    this.#listeners?.abort();
    this.#listeners = undefined;
    if (!this.isConnected || !this.refreshOn) return;
    // Not for our own `emit` of the same event, which would loop.
    document.addEventListener(this.refreshOn, (event) => event.composedPath().includes(this) || this.#queue(), { signal: (this.#listeners = new AbortController()).signal });
  }

  /**
   * An automatic request, after `debounce` ms. Not while the store has no session: the `signed-out` state says so,
   * and the token's arrival makes the request (only `send()` reports `login_required`).
   */
  #queue(): void {
    if (this.#timer) clearTimeout(this.#timer);
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
      // Copies exist only once the template filler is loaded.
      if (this.#stamped.length) [this.#stamped] = templates.value!.render(this, null, this.#stamped);
      this.empty = false;
    } else if (this.auto && this.url && token && token !== this.#token && !this.#get) this.#queue();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-fetch': AuthFetchElement;
  }
}

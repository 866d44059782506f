import { ReactiveElement, type PropertyValues } from '@lit/reactive-element';
import { StoreController } from '../controllers/store-controller.js';
import { AuthErrorEvent, type AuthResponseDetail } from '../events.js';
import { errorDetail } from '../protocol/errors.js';
import type { ApiRequest } from '../protocol/request.js';
import type { TokenStore } from '../store/token-store.js';
import { defaulted, errorSlot, lazyChanges, sheet, slot } from './dom.js';
import type { Requests } from './fetch-request.js';
import { requests } from './parts.js';
import { checkEnum, showError } from './report.js';
import { setState } from './states.js';

const STATES = ['signed-out', 'loading', 'error', 'empty'];
const noop = () => {};

/**
 * Calls an API with the store's access token as `Authorization: Bearer`, declaratively, and shows the answer with no
 * page script: a `<template>` inside it is filled with the JSON answer (`data-field`, `data-attr-NAME`, `data-items`),
 * a child `<form>` is sent on submit, and the element's state shows through reflected attributes and named slots.
 * The token goes only to allowed origins (this page's, the audience's and `<auth-login allowed-origins>`). A newer
 * GET, a `url` change or removal from the page aborts the GET in flight, silently; a write (a form submit, or any
 * method but GET and HEAD) is never aborted, and ends in `auth-response` or a visible `auth-error` with the form's
 * values kept. A token past its renewal point is renewed first, and a token the API refuses as `invalid_token` is
 * renewed once and the request retried once (by the store's lifecycle, with or without an `<auth-login>` on the page).
 * It adds no box of its own (`display: contents`): its content lays out as if the tag were not there, and defining the
 * tag moves nothing; a page that wants a box (a border, opacity while loading) sets `display` in its own CSS.
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
    return sheet(`:host{display:contents}:host([hidden])${STATES.map((state) => `,:host(:not([${state}])) [name=${state}]`).join('')}{display:none}`);
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

  static {
    lazyChanges(this.prototype);
  }

  /** The defaults, read while a property is unset (no own property per element until it is set); the others' is `null`. */
  static override getPropertyDescriptor = defaulted({ method: 'GET', store: 'default', as: 'json', timeout: 0, debounce: 0, auto: false, noReset: false, error: false, signedOut: false, empty: false });

  // `loading` is the element's own attribute (not a property's): observed for its custom state.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'loading'];
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

  #store = new StoreController(this, AuthFetchElement.#tokenChanged as (this: Element, store: TokenStore) => void, undefined, false);
  /** Its requests' state, from its first request on (src/elements/fetch-request.ts runs them). */
  #requests: Requests | undefined;
  /** The `refresh-on` listener's. */
  #listeners: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
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
    return !!this.#requests?.inflight || this.hasAttribute('loading');
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
    this.addEventListener('submit', AuthFetchElement.#event);
    this.addEventListener('input', AuthFetchElement.#event);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Lit keeps the resolver of its first update's promise, called just now and never again (a closure per element).
    this.enableUpdating = noop;
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
    clearTimeout(this.#timer);
    this.#requests?.get?.abort();
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

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#store.hostUpdate();
    this.signedOut = !this.#store.store.accessToken;
    checkEnum(this, 'as', this.as, ['json', 'text']);
    if (changed.has('refreshOn') && this.hasUpdated) this.#listen();
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The answer for a URL the element no longer shows must not be reported.
    if (changed.has('url') && this.#requests && this.#requests.url !== this.url) this.#requests.get?.abort();
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

  /**
   * Runs a request (or, with `form`, that form's) with the request code, loaded with the first request; a failure
   * to load it is told like any other.
   */
  async #run(request: ApiRequest, form?: HTMLFormElement, fields?: [string, FormDataEntryValue][]): Promise<AuthResponseDetail | undefined> {
    try {
      const { run, formRequest } = requests.value ?? (await requests());
      const state = (this.#requests ??= { inflight: 0 });
      if (form) {
        // A second submit while this form is being sent is dropped (its buttons are disabled, but Enter still submits).
        if (state.sending?.has(form)) return undefined;
        (state.sending ??= new Set()).add(form);
      }
      return await run(this, state, this.#store, (error) => this.#fail(error), form ? formRequest(this, form, fields!) : request, form);
    } catch (error) {
      this.#fail(error);
      return undefined;
    }
  }

  /** Shows a failure (the state slots are made now if they are not there yet) and fires `auth-error`. */
  #fail(error: unknown): void {
    const detail = errorDetail(error);
    this.error = true;
    this.#fill();
    showError(this, this.#message!, detail);
    this.dispatchEvent(new AuthErrorEvent(detail));
  }

  /** Sends a child form: native validation has already run (the browser fires `submit` only for a valid form). */
  #submit(event: SubmitEvent): void {
    const form = event.target as HTMLFormElement;
    if (form.closest('auth-fetch') !== this) return;
    event.preventDefault();
    // Its fields as the submit sees them (the request code may still be loading).
    void this.#run({ url: '' }, form, [...new FormData(form, event.submitter)]);
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
    clearTimeout(this.#timer);
    if (!this.#store.store.session) return;
    if (this.debounce > 0) this.#timer = setTimeout(() => void this.send(), this.debounce);
    else void this.send();
  }

  /**
   * A new token (sign-in, renewal, another tab) re-runs an `auto` request, unless its GET is in flight (that one is
   * waiting for this very renewal, to retry with the new token: aborting it for a new request would loop). Signed
   * out (here or in another tab), the GET in flight is dropped and what was rendered for the user goes away (an
   * expired token alone keeps it); writes go on. The store controller's listener: one function for every element.
   */
  static #tokenChanged(this: AuthFetchElement, store: TokenStore): void {
    const { session, accessToken: token } = store;
    const state = this.#requests;
    if (!session) {
      // The request code is loaded once there is request state.
      if (state) requests.value!.signedOut(this, state);
      this.empty = false;
    } else if (this.auto && this.url && token && token !== state?.token && !state?.get) this.#queue();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'auth-fetch': AuthFetchElement;
  }
}

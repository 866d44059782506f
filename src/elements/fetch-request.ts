import type { StoreController } from '../controllers/store-controller.js';
import { AuthResponseEvent, type AuthResponseDetail } from '../events.js';
import { AuthError, isAbort } from '../protocol/errors.js';
import { callApi, type ApiRequest } from '../protocol/request.js';
import { lifecycleOf } from '../session/hosts.js';
import { responseHandled, type TokenStore } from '../store/token-store.js';
import type { AuthFetchElement } from './auth-fetch.js';
import { templates } from './parts.js';

/**
 * `<auth-fetch>`'s requests: sending them, retrying a refused token, filling the templates with the answer, its
 * forms and query parameters, and the `loading` state. Loaded with an element's first request or form submit (in the
 * protocol chunk, which that request needs anyway), so a signed-out page does not load it.
 */

/** What an `<auth-fetch>` keeps of its requests: made at its first request (none on an element that never sends). */
export interface Requests {
  /** The GET in flight (latest wins); writes are not tracked: nothing aborts them. */
  get?: AbortController | undefined;
  /** The URL of the last GET sent. */
  url?: string | null;
  /** Requests in flight, writes included: `loading` while any is. */
  inflight: number;
  /** Forms being sent: a second submit of one of them is dropped. */
  sending?: Set<HTMLFormElement>;
  /** The token of the last request sent. */
  token?: string | undefined;
  /** The filled template copies (none before the first). */
  stamped?: Node[];
}

/** Whose session the store holds: issuer and subject (`undefined` when signed out). */
const whose = ({ session }: TokenStore) => session ? `${session.issuer} ${session.claims?.sub}` : undefined;

/** Elements with a request that started since the last frame, and those whose request was in flight at it. */
let started = new Map<AuthFetchElement, Requests>();
let pending = new Map<AuthFetchElement, Requests>();
let frame = 0;

/**
 * One animation-frame callback for the whole page: an element whose request is still in flight a frame after it
 * started shows `loading` (a request answered within a frame changes no attribute, so no style work).
 */
function tick(): void {
  const due = pending;
  pending = started;
  started = due;
  for (const [host, requests] of due) busy(host, requests, true);
  due.clear();
  frame = pending.size ? requestAnimationFrame(tick) : 0;
}

/** Shows (or stops showing) `loading` and `aria-busy`. */
function busy(host: AuthFetchElement, requests: Requests, on: boolean): void {
  if (on === host.hasAttribute('loading') || (on && !requests.inflight)) return;
  host.toggleAttribute('loading', on);
  host.setAttribute('aria-busy', String(on));
}

/**
 * Sends `request` for `host` (or, with `form`, that form's fields) and fires `auth-response`, or tells `fail` what
 * failed. Resolves with the response detail, or `undefined` when it failed or was superseded; never rejects.
 */
export async function run(host: AuthFetchElement, requests: Requests, controller: StoreController, fail: (error: unknown) => void, request: ApiRequest, form?: HTMLFormElement): Promise<AuthResponseDetail | undefined> {
  // A write (every form submit, and any method but GET and HEAD) is never aborted: not by a newer request, a token
  // change, a renewal, a url change or removal from the page; the server may already have done it. GETs are
  // latest-wins: a newer one aborts the one in flight.
  const method = request.method;
  const write = !!form || !(!method || /^(GET|HEAD)$/i.test(method));
  const abort = new AbortController();
  const { signal } = abort;
  if (!write) {
    requests.get?.abort();
    requests.get = abort;
    requests.url = host.url;
  }
  if (!requests.inflight++) {
    // `loading` shows if this is still in flight a frame from now (see tick).
    started.set(host, requests);
    frame ||= requestAnimationFrame(tick);
  }
  host.error = false;
  const buttons = form ? [...form.querySelectorAll<HTMLButtonElement>('button:not([type]),[type=submit]')].filter((b) => !b.disabled) : [];
  for (const button of buttons) button.disabled = true;
  request.as = host.as === 'text' ? 'text' : 'json';
  request.params = params(host, request.params);
  try {
    // Not before the page's own sign-in response (or check-session) is handled: no login_required flash.
    await responseHandled();
    const { store } = controller;
    const lifecycle = await lifecycleOf(store);
    // A token past its renewal point is renewed first (once per token, by the store's lifecycle).
    await lifecycle.beforeRequest();
    signal.throwIfAborted();
    const call = (accessToken = store.accessToken) => callApi(request, { accessToken: (requests.token = accessToken), allowedOrigins: store.session?.allowedOrigins ?? [], store: store.name, dpopJkt: store.session?.dpopJkt }, { signal, timeout: host.timeout });
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
    const stamps = !!requests.stamped?.length || !!host.querySelector('template');
    if (stamps && !templates.value) {
      await templates();
      signal.throwIfAborted();
    }
    // A write that outlived its user's session (signed out, or another user meanwhile) is told, not shown.
    if (whose(store) === user) {
      try {
        const { data } = detail;
        if (stamps) [requests.stamped, host.empty] = templates.value!.render(host, data, requests.stamped ?? []);
        else host.empty = data == null || (Array.isArray(data) && !data.length);
      } catch (error) {
        // Not the network's fault: the answer arrived (a write was done) but could not be shown.
        throw new AuthError('render_error', `rendering the answer failed: ${error}`, { cause: error });
      }
    }
    if (form && !host.noReset) form.reset();
    host.dispatchEvent(new AuthResponseEvent(detail));
    if (host.emit) host.dispatchEvent(new CustomEvent(host.emit, { bubbles: true, composed: true, detail }));
    return detail;
  } catch (error) {
    if (!isAbort(error) && !signal.aborted) fail(error);
    return undefined;
  } finally {
    for (const button of buttons) button.disabled = false;
    if (form) requests.sending!.delete(form);
    if (requests.get === abort) requests.get = undefined;
    if (!--requests.inflight) {
      started.delete(host);
      pending.delete(host);
      busy(host, requests, false);
    }
  }
}

/** Signed out: the GET in flight is dropped and what was rendered for the user goes away; writes go on. */
export function signedOut(host: AuthFetchElement, requests: Requests): void {
  requests.get?.abort();
  // Copies exist only once the template filler is loaded.
  if (requests.stamped?.length) [requests.stamped] = templates.value!.render(host, null, requests.stamped);
}

/**
 * Query parameters: `given` (a GET form's fields), then `param-NAME="value"` attributes, then named descendants
 * marked `data-param` (not in a form).
 */
function params(host: AuthFetchElement, given?: Iterable<[string, string]>): [string, string][] {
  const params: [string, string][] = given ? [...given] : [];
  for (const name of host.getAttributeNames()) if (name.startsWith('param-')) params.push([name.slice(6), host.getAttribute(name)!]);
  if (host.firstElementChild) for (const field of host.querySelectorAll<HTMLInputElement>('[data-param][name]')) {
    if (!field.closest('form')) params.push([field.getAttribute('name')!, field.value ?? field.getAttribute('value') ?? '']);
  }
  return params;
}

/**
 * The request of a submitted child form, from its `fields`; only text fields are sent (files cannot travel in JSON or
 * a query): a GET's go in the query; other methods send them as JSON, or urlencoded with that `content-type`.
 */
export function formRequest(host: AuthFetchElement, form: HTMLFormElement, entries: [string, FormDataEntryValue][]): ApiRequest {
  const fields = entries.filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  const method = (form.getAttribute('method') || host.method).toUpperCase();
  const url = form.getAttribute('action') || host.url || '';
  if (method === 'GET') return { url, method, params: fields };
  const urlencoded = /^application\/x-www-form-urlencoded/i.test(host.contentType ?? '');
  const json: Record<string, unknown> = {};
  for (const [name, value] of fields) json[name] = Object.hasOwn(json, name) ? [json[name], value].flat() : value;
  return { url, method, body: urlencoded ? new URLSearchParams(fields).toString() : JSON.stringify(json), contentType: urlencoded ? host.contentType : 'application/json' };
}

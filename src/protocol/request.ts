import { fail } from './errors.js';
import { fetchOk, type RequestOptions } from './http.js';
import { isOriginAllowed } from './origins.js';

/** An API call with the bearer token, as `<auth-fetch>` describes it. */
export interface ApiRequest {
  url: string;
  method?: string;
  body?: string | null;
  contentType?: string | null;
  /** How to read the answer: `json` (default; an empty answer is `null`) or `text`. */
  as?: 'json' | 'text';
  /** Query parameters added to the URL. */
  params?: Iterable<[string, string]>;
}

/** The token to send and where it may go: read from the store at request time. */
export interface Credentials {
  accessToken: string | undefined;
  allowedOrigins: readonly string[];
}

/** The API's answer. */
export interface ApiResponse {
  status: number;
  ok: boolean;
  data: unknown;
}

interface Shared {
  response: Promise<ApiResponse>;
  users: number;
  controller: AbortController;
}

/** GETs in flight, by URL, token and reading: identical ones are sent once and their answer shared. */
const inflight = new Map<string, Shared>();

/**
 * Calls an API with `Authorization: Bearer <token>`. The token is sent only while usable and only to allowed origins;
 * otherwise no request is made (`login_required`, `origin_not_allowed`). Redirects may be followed: Fetch removes
 * `Authorization` when a redirect crosses origins (Fetch, HTTP-redirect fetch, step 13). Identical GETs in flight
 * are shared: the request is aborted only when every caller has aborted.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function callApi(request: ApiRequest, credentials: Credentials, options: RequestOptions = {}, base = location.href): Promise<ApiResponse> {
  let url: URL;
  try {
    if (!request.url) throw new TypeError();
    url = new URL(request.url, base);
    for (const [name, value] of request.params ?? []) url.searchParams.append(name, value);
  } catch {
    fail('invalid_config', `url ${request.url} is not valid`);
  }
  const { accessToken } = credentials;
  if (!accessToken) fail('login_required', 'no usable access token: sign in (again)');
  if (!isOriginAllowed(url, credentials.allowedOrigins)) fail('origin_not_allowed', `${url.origin} is not in allowed-origins`);
  const method = (request.method || 'GET').toUpperCase();
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, accept: request.as === 'text' ? 'text/plain, */*' : 'application/json' };
  const body = /^(GET|HEAD)$/.test(method) ? undefined : request.body ?? undefined;
  if (body !== undefined) headers['content-type'] = request.contentType || 'application/json';
  // An aborted caller starts nothing (a shared request would otherwise go out and be aborted mid-way).
  options.signal?.throwIfAborted();
  const key = method === 'GET' ? `${url.href} ${accessToken} ${request.as}` : '';
  let shared = inflight.get(key);
  if (!shared) {
    const controller = new AbortController();
    shared = { users: 0, controller, response: send(url, { method, headers, body }, request.as, { ...options, signal: controller.signal }) };
    if (key) {
      inflight.set(key, shared);
      const entry = shared;
      // Only this entry: after an abort, a newer request for the same key may have taken its place.
      const done = () => inflight.get(key) === entry && inflight.delete(key);
      entry.response.then(done, done);
    }
  }
  const entry = shared;
  entry.users++;
  const { signal } = options;
  // Each caller leaves on its own signal; the request itself is aborted when the last one has left.
  return new Promise((resolve, reject) => {
    const leave = () => {
      // The last caller out aborts it, and a new caller from then on starts a new request.
      if (!--entry.users) {
        if (inflight.get(key) === entry) inflight.delete(key);
        entry.controller.abort(signal?.reason);
      }
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', leave);
    entry.response.then(resolve, reject).finally(() => signal?.removeEventListener('abort', leave));
  });
}

async function send(url: URL, init: RequestInit, as: string | undefined, options: RequestOptions): Promise<ApiResponse> {
  const what = `${init.method} ${url.href}`;
  const response = await fetchOk(url, init, what, options);
  const { status } = response;
  const text = await response.text();
  try {
    return { status, ok: true, data: as === 'text' ? text : text ? JSON.parse(text) : null };
  } catch {
    return fail('invalid_response', `${what}: not JSON`);
  }
}

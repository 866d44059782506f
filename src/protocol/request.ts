import { fail, loadChunk } from './errors.js';
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
  /** The store's name: its DPoP key signs the proofs of a DPoP-bound token. */
  store?: string;
  /** A DPoP-bound token's key thumbprint (the session's `dpopJkt`): sent as `Authorization: DPoP` with a proof. */
  dpopJkt?: string;
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

/** A request URL as parsed once: the URL, and the last list of allowed origins it was found on. */
interface Target {
  url: URL;
  href: string;
  allowed?: readonly string[];
}

/** GETs in flight, by URL, token and reading: identical ones are sent once and their answer shared. */
const inflight = new Map<string, Shared>();

/**
 * Parsed request URLs, by base, URL and query parameters: a page's `<auth-fetch>` elements ask for a handful of URLs
 * again and again. Bounded: past {@link TARGETS} entries the oldest goes (a `param-*` bound to a search field makes a
 * new URL per keystroke).
 */
const targets = new Map<string, Target>();
const TARGETS = 64;

/** The parsed URL of `request` against `base` (cached); `invalid_config` when it does not parse. */
function target(request: ApiRequest, base: string): Target {
  let query = '';
  for (const [name, value] of request.params ?? []) query += `&${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
  const key = `${base}\n${request.url}\n${query}`;
  let entry = targets.get(key);
  if (!entry) {
    try {
      if (!request.url) throw new TypeError();
      const url = new URL(request.url, base);
      for (const [name, value] of request.params ?? []) url.searchParams.append(name, value);
      entry = { url, href: url.href };
    } catch {
      fail('invalid_config', `url ${request.url} is not valid`);
    }
    if (targets.size >= TARGETS) targets.delete(targets.keys().next().value!);
    targets.set(key, entry);
  }
  return entry;
}

/**
 * Calls an API with `Authorization: Bearer <token>`. The token is sent only while usable and only to allowed origins;
 * otherwise no request is made (`login_required`, `origin_not_allowed`). Redirects may be followed: Fetch removes
 * `Authorization` when a redirect crosses origins (Fetch, HTTP-redirect fetch, step 13). Identical GETs in flight
 * are shared: the request is aborted only when every caller has aborted. A URL is parsed, and checked against a list
 * of allowed origins, once (the last {@link TARGETS} URLs are remembered).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1
 */
export async function callApi(request: ApiRequest, credentials: Credentials, options: RequestOptions = {}, base = location.href): Promise<ApiResponse> {
  const entry = target(request, base);
  const { url, href } = entry;
  const { accessToken, allowedOrigins } = credentials;
  if (!accessToken) fail('login_required', 'no usable access token: sign in (again)');
  // The same list (a session's) found this URL allowed before: nothing to check again.
  if (entry.allowed !== allowedOrigins) {
    if (!isOriginAllowed(url, allowedOrigins)) fail('origin_not_allowed', `${url.origin} is not in allowed-origins`);
    entry.allowed = allowedOrigins;
  }
  const method = request.method ? request.method.toUpperCase() : 'GET';
  const text = request.as === 'text';
  // A DPoP-bound token goes with `Authorization: DPoP` and a fresh proof of its key (RFC 9449 section 7), set by the
  // DPoP fetch, loaded for it.
  const { dpopJkt } = credentials;
  const headers: Record<string, string> = { accept: text ? 'text/plain, */*' : 'application/json' };
  if (dpopJkt) {
    const { boundKey, dpopFetch } = await loadChunk(import('./dpop.js'));
    options = { ...options, fetch: dpopFetch(await boundKey(credentials.store ?? 'default', dpopJkt), accessToken, options.fetch) };
  } else headers.authorization = `Bearer ${accessToken}`;
  const get = method === 'GET';
  const body = get || method === 'HEAD' ? undefined : request.body ?? undefined;
  if (body !== undefined) headers['content-type'] = request.contentType || 'application/json';
  const { signal } = options;
  // An aborted caller starts nothing (a shared request would otherwise go out and be aborted mid-way).
  signal?.throwIfAborted();
  const key = get ? `${href} ${accessToken} ${request.as}` : '';
  let shared = key ? inflight.get(key) : undefined;
  if (!shared) {
    const controller = new AbortController();
    const fresh: Shared = (shared = { users: 0, controller, response: send(href, { method, headers, body }, text, { ...options, signal: controller.signal }) });
    if (key) {
      inflight.set(key, fresh);
      // Only this entry: after an abort, a newer request for the same key may have taken its place.
      const done = () => inflight.get(key) === fresh && inflight.delete(key);
      fresh.response.then(done, done);
    }
  }
  const entryShared = shared;
  entryShared.users++;
  if (!signal) return entryShared.response;
  // Each caller leaves on its own signal; the request itself is aborted when the last one has left.
  return new Promise((resolve, reject) => {
    const leave = () => {
      // The last caller out aborts it, and a new caller from then on starts a new request.
      if (!--entryShared.users) {
        if (inflight.get(key) === entryShared) inflight.delete(key);
        entryShared.controller.abort(signal.reason);
      }
      reject(signal.reason);
    };
    signal.addEventListener('abort', leave, { once: true });
    const settle = () => signal.removeEventListener('abort', leave);
    entryShared.response.then((value) => (settle(), resolve(value)), (error: unknown) => (settle(), reject(error)));
  });
}

async function send(href: string, init: RequestInit, text: boolean, options: RequestOptions): Promise<ApiResponse> {
  const response = await fetchOk(href, init, () => `${init.method} ${href}`, options);
  const { status } = response;
  const answer = await response.text();
  try {
    return { status, ok: true, data: text ? answer : answer ? JSON.parse(answer) : null };
  } catch {
    return fail('invalid_response', `${init.method} ${href}: not JSON`);
  }
}

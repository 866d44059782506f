import { AuthError, fail } from './errors.js';

/** The parts of the platform a network step needs; every step accepts these so tests and hosts can inject them. */
export interface RequestOptions {
  /** Aborts the step (our own cleanup or a newer request). */
  signal?: AbortSignal;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /** Milliseconds before the step fails with `timeout`; 0 or absent for none. */
  timeout?: number;
}

/**
 * `fetch` with the step's signal and timeout. A failed request becomes `network_error` (or `timeout`), a non-2xx
 * answer `http_error` with its status; an abort by the caller's own signal is rethrown as is (it is not a failure).
 */
export async function fetchOk(url: string | URL, init: RequestInit, what: string | (() => string), { signal, timeout, fetch: get }: RequestOptions): Promise<Response> {
  // The caller's signal and the timeout, combined as `AbortSignal.any` does.
  const timer = timeout ? AbortSignal.timeout(timeout) : undefined;
  let response: Response;
  try {
    response = await (get ?? fetch)(url, { ...init, signal: signal && timer ? AbortSignal.any([signal, timer]) : signal || timer });
  } catch (error) {
    if (signal?.aborted) throw error;
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new AuthError(timedOut ? 'timeout' : 'network_error', `${described(what)}: ${timedOut ? 'timed out' : 'network or CORS failure'}`, { cause: error });
  }
  const { status } = response;
  if (!response.ok) {
    // RFC 6750 section 3: a Bearer challenge names why the token was refused (`invalid_token`, …); it becomes the
    // error's `cause` and is named in the description.
    // A DPoP-bound token's refusal is a DPoP challenge (RFC 9449 section 7.1).
    const header = response.headers.get('www-authenticate');
    const cause = (challenge(header, 'bearer') ?? challenge(header, 'dpop'))?.error;
    throw new AuthError('http_error', `${described(what)}: HTTP ${status}${cause ? ` (${cause})` : ''}`, { status, cause });
  }
  return response;
}

/** A step's description, built only when an error needs it. */
const described = (what: string | (() => string)) => (typeof what == 'string' ? what : what());

/** GETs a JSON object (discovery document, JWKS), without credentials. */
export async function getJson(url: string, what: string, options: RequestOptions = {}): Promise<Record<string, unknown>> {
  const response = await fetchOk(url, { credentials: 'omit' }, `${what} ${url}`, options);
  let data: unknown;
  try {
    data = await response.json();
  } catch (error) {
    // Only a body that is not JSON is the provider's fault; a body cut off or timed out while read is the network's
    // (`network_error`, `timeout`), not `invalid_discovery`.
    if (!(error instanceof SyntaxError)) throw error;
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) fail('invalid_discovery', `${what} ${url}: not a JSON object`);
  return data as Record<string, unknown>;
}

const TOKEN = "[!#$%&'*+.^_`|~\\w-]+";
/** A challenge's scheme (alone), or one auth-param: `name=token` or `name="quoted string"` (RFC 7235 section 2.1). */
const ITEM = new RegExp(`(${TOKEN})(?:[ \\t]*=[ \\t]*(?:(${TOKEN})|"((?:[^"\\\\]|\\\\.)*)"))?`, 'g');

/**
 * The auth-params (names in lower case) of the first challenge of `scheme` (lower case) in a `WWW-Authenticate` value,
 * as RFC 7235 section 4.1 writes them: several challenges, values as tokens or quoted strings. A token68 reads as
 * a scheme of its own, so it never lends its challenge's params to another.
 */
export function challenge(header: string | null, scheme: string): Record<string, string> | undefined {
  let current: Record<string, string> | undefined;
  let found: Record<string, string> | undefined;
  for (const [, name, token, quoted] of (header ?? '').matchAll(ITEM)) {
    if (token === undefined && quoted === undefined) {
      current = {};
      if (!found && name!.toLowerCase() === scheme) found = current;
    } else if (current) {
      current[name!.toLowerCase()] ??= quoted?.replace(/\\(.)/g, '$1') ?? token!;
    }
  }
  return found;
}

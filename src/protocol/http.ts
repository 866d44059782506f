import { AuthError } from './errors.js';

/** The parts of the platform a network step needs; every step accepts these so tests and hosts can inject them. */
export interface RequestOptions {
  /** Aborts the step (our own cleanup or a newer request). */
  signal?: AbortSignal;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
  /** Milliseconds before the step fails with `timeout`; 0 or absent for none. */
  timeout?: number;
}

/** Combines the caller's signal with a timeout, as `AbortSignal.any` does. */
export function requestSignal({ signal, timeout }: RequestOptions): AbortSignal | undefined {
  const signals = [signal, timeout ? AbortSignal.timeout(timeout) : undefined].filter((s): s is AbortSignal => !!s);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}

/**
 * `fetch` with the step's signal and timeout. A failed request becomes `network_error` (or `timeout`), a non-2xx
 * answer `http_error` with its status; an abort by the caller's own signal is rethrown as is (it is not a failure).
 */
export async function fetchOk(url: string | URL, init: RequestInit, what: string, options: RequestOptions): Promise<Response> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { ...init, signal: requestSignal(options) });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const timedOut = (error as Error).name === 'TimeoutError';
    throw new AuthError(timedOut ? 'timeout' : 'network_error', `${what}: ${timedOut ? 'timed out' : 'network or CORS failure'}`, { cause: error });
  }
  const { status } = response;
  if (!response.ok) throw new AuthError('http_error', `${what}: HTTP ${status}`, { status });
  return response;
}

/** GETs a JSON object (discovery document, JWKS), without credentials. */
export async function getJson(url: string, what: string, options: RequestOptions = {}): Promise<Record<string, unknown>> {
  const data: unknown = await (await fetchOk(url, { credentials: 'omit' }, `${what} ${url}`, options)).json().catch(() => 0);
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new AuthError('invalid_discovery', `${what} ${url}: not a JSON object`);
  return data as Record<string, unknown>;
}

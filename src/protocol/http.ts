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
 * GETs a JSON document (discovery, JWKS): no credentials, no cache reuse beyond HTTP's rules.
 * Network failures become `network_error`, a time-out `timeout`, a non-2xx answer `http_error`.
 */
export async function getJson(url: string, what: string, options: RequestOptions = {}): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, { credentials: 'omit', signal: requestSignal(options) });
  } catch (error) {
    if ((error as Error).name === 'AbortError' && options.signal?.aborted) throw error;
    const timedOut = /Timeout|Abort/.test((error as Error).name);
    throw new AuthError(timedOut ? 'timeout' : 'network_error', `${what} ${url}: ${timedOut ? 'timed out' : 'network or CORS failure'}`, { cause: error });
  }
  if (!response.ok) throw new AuthError('http_error', `${what} ${url}: HTTP ${response.status}`, { status: response.status });
  const data: unknown = await response.json().catch(() => 0);
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new AuthError('invalid_discovery', `${what} ${url}: not a JSON object`);
  return data as Record<string, unknown>;
}

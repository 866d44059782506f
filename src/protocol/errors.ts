/**
 * Error codes raised by the library itself. Codes from the provider's error response
 * (`access_denied`, `login_required`, `consent_required`, `interaction_required`, …) are passed through unchanged.
 */
export type AuthErrorCode =
  | 'invalid_state'
  | 'invalid_nonce'
  | 'invalid_id_token'
  | 'invalid_at_hash'
  | 'invalid_response'
  | 'invalid_config'
  | 'invalid_discovery'
  | 'login_required'
  | 'origin_not_allowed'
  | 'http_error'
  | 'network_error'
  | 'timeout'
  | 'render_error'
  | 'popup_blocked'
  | 'popup_closed'
  | 'third_party_cookies_blocked'
  | 'invalid_session'
  | 'storage_unavailable';

/** What an `auth-error` event carries. Never contains a token. */
export interface AuthErrorDetail {
  /** Machine-readable code: one of {@link AuthErrorCode} or the provider's own `error` (any string). */
  error: AuthErrorCode | (string & {});
  /** Human-readable reason, saying exactly which check failed. */
  errorDescription?: string;
  /** HTTP status, for `http_error`. */
  status?: number;
}

/**
 * The one error type of the protocol layer: a stable machine `code`, a precise `message`
 * (becomes `errorDescription`), and an HTTP `status` where one applies.
 */
export class AuthError extends Error {
  /** Machine-readable code, passed unchanged to `auth-error`. */
  readonly code: AuthErrorCode | (string & {});
  /** HTTP status, for `http_error`. */
  readonly status?: number;

  constructor(code: AuthErrorCode | (string & {}), message: string, options?: { status?: number; cause?: unknown }) {
    // Error installs `cause` only when the options have one (ECMA-262 InstallErrorCause).
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
  }

}

/** Throws an {@link AuthError}: the one way the protocol layer reports a failed check. */
export function fail(code: AuthErrorCode | (string & {}), message: string): never {
  throw new AuthError(code, message);
}

/**
 * The `storage_unavailable` error for a Web Storage call that threw `error` (a browser blocking storage throws
 * `SecurityError`; a full one, `QuotaExceededError`): names the storage, the exception and what was done about it.
 */
export function storageError(area: string, error: unknown, outcome: string): AuthError {
  return new AuthError('storage_unavailable', `${area} threw ${(error as Error | null)?.name ?? error}: ${outcome}`, { cause: error });
}

/**
 * The `auth-error` detail for anything thrown: unknown failures become `network_error` (or `timeout`, or
 * `storage_unavailable` for the DOMExceptions Web Storage throws, should one get past the storage boundary).
 */
export function errorDetail(error: unknown): AuthErrorDetail {
  if (!(error instanceof AuthError)) {
    const { name, message } = Object(error) as Partial<Error>;
    const storage = error instanceof DOMException && /^(Security|QuotaExceeded)Error$/.test(name!);
    return { error: storage ? 'storage_unavailable' : name === 'TimeoutError' ? 'timeout' : 'network_error', errorDescription: String(message ?? error) };
  }
  const detail: AuthErrorDetail = { error: error.code, errorDescription: error.message };
  if (error.status !== undefined) detail.status = error.status;
  return detail;
}

/**
 * `chunk` (a dynamic `import()` of a part of the library that a page loads when it first needs it), with a failure to
 * load it (offline, a server without the chunk) as `network_error` naming what failed.
 */
export function loadChunk<T>(chunk: Promise<T>): Promise<T> {
  return chunk.catch((error: unknown) => fail('network_error', `loading a part of auth-elements failed: ${(error as Error | null)?.message ?? error}`));
}

/** `action()`'s result, or `null` when it throws. */
export function attempt<T>(action: () => T): T | null {
  try {
    return action();
  } catch {
    return null;
  }
}

/** True for an abort caused by our own cleanup or by a newer request (not a failure). */
export function isAbort(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'AbortError';
}

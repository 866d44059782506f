import type { Session } from './callback.js';
import { discover, secureUrl } from './discovery.js';
import { AuthError, errorDetail, fail, isAbort } from './errors.js';
import { fetchOk, type RequestOptions } from './http.js';

/** The tokens {@link revokeTokens} revokes, named by their RFC 7009 `token_type_hint`. */
export type RevocableToken = 'refresh_token' | 'access_token';

/**
 * How long a sign-out waits for token revocation at most (ms), discovery included: after that it gives up with
 * `timeout` and the sign-out goes on. Revocation is a courtesy to the provider; the user never waits long for it.
 */
export const REVOCATION_TIMEOUT = 3_000;

export interface RevokeOptions extends RequestOptions {
  /** The total budget in ms, discovery and both requests together (default, and for 0, {@link REVOCATION_TIMEOUT}). */
  timeout?: number;
  /**
   * Extra headers for each revocation request, called once per request with the revocation endpoint (a DPoP-bound
   * token may need a `DPoP` proof for it). A header that is not CORS-safelisted makes the browser send a preflight,
   * which the provider must answer. Throwing fails that token's revocation like a network error does.
   */
  headers?: (url: URL) => Promise<Record<string, string>>;
}

/** What {@link revokeTokens} did. */
export interface RevokeResult {
  /** The tokens the provider confirmed revoked (HTTP 200), refresh token first. */
  revoked: RevocableToken[];
  /** Why a revocation failed (the first failure, refresh token first): never thrown. */
  error?: AuthError;
}

/**
 * Revokes the session's tokens at the provider's discovered `revocation_endpoint` (RFC 7009): `refreshToken` (the
 * page's, when it holds one) and the session's unexpired access token, in parallel, each as a form POST of `token`,
 * `token_type_hint` and `client_id` (a public client: no secret, no cookies), within {@link REVOCATION_TIMEOUT} in
 * all. Auth0 (`session.auth0`) revokes refresh tokens only: its access token is never sent there.
 *
 * It never throws, and what it could not do is not a failure of sign-out: no `revocation_endpoint` means nothing to
 * revoke (no error); an access token the provider answers `unsupported_token_type` for (RFC 7009 section 2.2.1: JWT
 * access tokens often cannot be revoked) is just not revoked. A network failure, the budget running out, a 5xx
 * (`network_error`, `timeout`, `http_error` with its status) or the provider's error code of a 4xx is returned as
 * `error`, beside what was revoked. An abort by `options.signal` aborts the requests: what was revoked, no error.
 * @see https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeTokens(session: Session, refreshToken: string | undefined, options: RevokeOptions = {}): Promise<RevokeResult> {
  const tokens: [RevocableToken, string][] = [];
  if (refreshToken) tokens.push(['refresh_token', refreshToken]);
  // An expired access token is worth nothing to anyone; Auth0's /oauth/revoke takes refresh tokens only.
  if (session.accessToken && !session.auth0 && !(session.expiresAt! <= Date.now())) tokens.push(['access_token', session.accessToken]);
  const done = new Set<RevocableToken>();
  const result = (error?: unknown): RevokeResult => {
    const revoked = tokens.map(([hint]) => hint).filter((hint) => done.has(hint));
    return error && !isAbort(error) ? { revoked, error: error instanceof AuthError ? error : toAuthError(error) } : { revoked };
  };
  if (!tokens.length || options.signal?.aborted) return result();
  const budget = options.timeout || REVOCATION_TIMEOUT;
  const deadline = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Discovery is shared and not abortable: the budget is a race, and it aborts the revocation requests too.
  const stop = new Promise<unknown>((resolve) => {
    timer = setTimeout(() => {
      const error = new AuthError('timeout', `token revocation at ${session.issuer}: no answer within ${budget} ms`);
      deadline.abort(error);
      resolve(error);
    }, budget);
  });
  const work = (async () => {
    const endpoint = (await discover(session.issuer, options)).revocation_endpoint;
    if (endpoint == null) return undefined;
    let url: URL;
    try {
      url = secureUrl(endpoint as string, 'revocation_endpoint');
    } catch {
      return fail('invalid_discovery', `revocation_endpoint ${endpoint} is not https`);
    }
    const errors = await Promise.all(tokens.map(async ([hint, token]) => {
      try {
        await revokeOne(url, { token, token_type_hint: hint, client_id: session.clientId }, { ...options, signal });
        done.add(hint);
      } catch (error) {
        // RFC 7009 2.2.1: a provider that cannot revoke access tokens says so; they then just expire.
        if (!(hint === 'access_token' && (error as AuthError).code === 'unsupported_token_type')) return error;
      }
      return undefined;
    }));
    return errors.find(Boolean);
  })().catch((error: unknown) => error);
  try {
    return result(await Promise.race([work, stop]));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One revocation request: 200 (any 2xx) is done, whatever the body (RFC 7009 2.2); a 4xx with the provider's error
 * (RFC 6749 5.2 JSON) is that error, anything else (a 5xx, a 4xx without one) `http_error`.
 */
async function revokeOne(url: URL, form: Record<string, string>, { headers, ...options }: RevokeOptions): Promise<void> {
  let response: Response | undefined;
  try {
    await fetchOk(url, { method: 'POST', headers: await headers?.(url), body: new URLSearchParams(form), credentials: 'omit' }, `revocation endpoint ${url}`, {
      ...options,
      timeout: 0,
      fetch: async (...args) => (response = await (options.fetch ?? fetch)(...args)),
    });
  } catch (error) {
    const answer = response && response.status < 500 ? Object((await response.json().catch(() => 0)) as object) as Record<string, unknown> : {};
    if (typeof answer.error !== 'string') throw error;
    throw new AuthError(answer.error, `revocation endpoint ${url}: ${(answer.error_description as string) || answer.error}`, { status: response!.status });
  }
}

/** Anything thrown (a headers hook's own error, say) as an AuthError, with its code as `auth-error` would give it. */
function toAuthError(error: unknown): AuthError {
  const { error: code, errorDescription } = errorDetail(error);
  return new AuthError(code, errorDescription ?? code, { cause: error });
}

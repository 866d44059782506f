import { takeTransaction, type Transaction } from './authorize.js';
import { discover } from './discovery.js';
import { AuthError } from './errors.js';
import type { RequestOptions } from './http.js';
import { validateIdToken, type IdTokenClaims } from './id-token.js';

/** A signed-in session: what a token store holds. */
export interface Session {
  accessToken?: string;
  idToken?: string;
  tokenType?: string;
  /** Granted scope: the response's `scope`, or the requested one when the provider did not say. */
  scope: string;
  /** When the access token (or, without one, the ID token) expires, in ms since the epoch; absent when unknown. */
  expiresAt?: number;
  /** The validated ID token's claims. */
  claims?: IdTokenClaims;
  issuer: string;
  clientId: string;
  auth0: boolean;
  /** Origins that may receive the access token. */
  allowedOrigins: string[];
}

const RESPONSE_PARAMS = ['access_token', 'id_token', 'error'];

/**
 * The authorization response in a URL fragment, or `null` when the fragment holds none (so the callback can sit on
 * every page). A parameter given twice is rejected, never "first one wins".
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthResponse
 */
export function parseFragment(fragment: string): Record<string, string> | null {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  if (!RESPONSE_PARAMS.some((name) => params.has(name))) return null;
  const result: Record<string, string> = {};
  for (const [name, value] of params) {
    if (Object.hasOwn(result, name)) throw new AuthError('invalid_response', `The response has the parameter "${name}" more than once`);
    result[name] = value;
  }
  return result;
}

/**
 * Checks an implicit response against its pending sign-in and returns the session to store: state first (exact,
 * single-use, unexpired), then the provider's error if any, RFC 9207's `iss`, the parameters the response type
 * requires, and the ID token (signature, claims, nonce, at_hash). Any failure throws; nothing is returned half-checked.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitValidation
 */
export async function handleResponse(params: Record<string, string>, options: RequestOptions = {}): Promise<{ session: Session; transaction: Transaction }> {
  const tx = takeTransaction(params.state ?? null);
  if (params.error) {
    throw new AuthError(params.error, params.error_description || `The provider refused the sign-in (${params.error})`);
  }
  // RFC 9207 section 2.4: when the response names its issuer, it must be the one the request went to.
  if (params.iss !== undefined && params.iss !== tx.issuer) {
    throw new AuthError('invalid_response', `The response's iss "${params.iss}" is not the issuer "${tx.issuer}"`);
  }
  const wantsIdToken = tx.responseType !== 'token';
  const wantsAccessToken = tx.responseType !== 'id_token';
  const { access_token: accessToken, id_token: idToken } = params;
  for (const [name, wanted, value] of [['access_token', wantsAccessToken, accessToken], ['id_token', wantsIdToken, idToken]] as const) {
    if (wanted && !value) throw new AuthError('invalid_response', `The response has no ${name}, which response_type "${tx.responseType}" requires`);
    if (!wanted && value !== undefined) throw new AuthError('invalid_response', `The response has an unexpected ${name} for response_type "${tx.responseType}"`);
  }
  if (wantsAccessToken && params.token_type?.toLowerCase() !== 'bearer') {
    throw new AuthError('invalid_response', `The response's token_type "${params.token_type ?? ''}" is not Bearer`);
  }
  let expiresAt: number | undefined;
  if (params.expires_in !== undefined) {
    if (!/^\d{1,9}$/.test(params.expires_in)) throw new AuthError('invalid_response', `The response's expires_in "${params.expires_in}" is not a number of seconds`);
    expiresAt = Date.now() + +params.expires_in * 1000;
  }
  let claims: IdTokenClaims | undefined;
  if (idToken) {
    const metadata = await discover(tx.issuer, options);
    claims = await validateIdToken(idToken, metadata, { issuer: tx.issuer, clientId: tx.clientId, nonce: tx.nonce, accessToken, leeway: tx.leeway }, options);
    if (!accessToken) expiresAt = claims.exp * 1000;
  }
  const session: Session = {
    scope: params.scope ?? tx.scope,
    issuer: tx.issuer,
    clientId: tx.clientId,
    auth0: tx.auth0,
    allowedOrigins: tx.allowedOrigins,
  };
  if (accessToken) Object.assign(session, { accessToken, tokenType: 'Bearer' });
  if (idToken) Object.assign(session, { idToken, claims });
  if (expiresAt !== undefined) session.expiresAt = expiresAt;
  return { session, transaction: tx };
}

import { takeTransaction, type Transaction } from './authorize.js';
import { discover } from './discovery.js';
import { fail } from './errors.js';
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

/**
 * The authorization response in a URL fragment, or `null` when the fragment holds none (so the callback can sit on
 * every page). A parameter given twice is rejected, never "first one wins".
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthResponse
 */
export function parseFragment(fragment: string): Record<string, string> | null {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  if (!['access_token', 'id_token', 'error'].some((name) => params.has(name))) return null;
  const result: Record<string, string> = {};
  for (const [name, value] of params) {
    if (Object.hasOwn(result, name)) fail('invalid_response', `${name} given twice`);
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
  const tx = takeTransaction(params.state);
  if (params.error) fail(params.error, params.error_description || params.error);
  // RFC 9207 section 2.4: when the response names its issuer, it must be the one the request went to.
  if (params.iss !== undefined && params.iss !== tx.issuer) fail('invalid_response', `iss ${params.iss} is not ${tx.issuer}`);
  const { access_token: accessToken, id_token: idToken, expires_in: expiresIn } = params;
  const types = tx.responseType.split(' ');
  if (types.includes('id_token') && !idToken) fail('invalid_response', 'id_token missing');
  if (types.includes('token') !== (accessToken !== undefined)) fail('invalid_response', `access_token ${accessToken === undefined ? 'missing' : 'not asked for'}`);
  // An ID token that was not asked for (Auth0 sends one for response_type=token with scope openid) is validated all
  // the same: nothing unchecked is ever stored.
  if (accessToken !== undefined && params.token_type?.toLowerCase() !== 'bearer') fail('invalid_response', `token_type ${params.token_type} is not Bearer`);
  let expiresAt: number | undefined;
  if (expiresIn !== undefined) {
    if (!/^\d{1,9}$/.test(expiresIn)) fail('invalid_response', `expires_in ${expiresIn} is not a number`);
    expiresAt = Date.now() + +expiresIn * 1000;
  }
  let claims: IdTokenClaims | undefined;
  if (idToken) {
    claims = await validateIdToken(idToken, await discover(tx.issuer, options), { issuer: tx.issuer, clientId: tx.clientId, nonce: tx.nonce, accessToken, leeway: tx.leeway }, options);
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

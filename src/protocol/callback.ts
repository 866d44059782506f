import { createTransaction, takeTransaction, type Renewal, type SignInConfig, type Transaction } from './authorize.js';
import { discover, prefetchJwks } from './discovery.js';
import { fail, loadChunk } from './errors.js';
import type { RequestOptions } from './http.js';
import { validateIdToken, type IdTokenClaims } from './id-token.js';
import { tokenRequest } from './token.js';

// Read by every page with `<auth-callback>`: in a module of its own, so that a page without a response loads no more.
export { parseFragment } from './fragment.js';

/** A signed-in session: what a token store holds. */
export interface Session {
  accessToken?: string;
  idToken?: string;
  tokenType?: string;
  /** Granted scope: the response's `scope`, or the requested one when the provider did not say. */
  scope: string;
  /**
   * When the access token (or, without one, the ID token) expires, in ms since the epoch. Without `expires_in`: the ID
   * token's `exp`, and at most {@link UNKNOWN_LIFETIME} after issue. Always set (a stored session without it is dropped).
   */
  expiresAt?: number;
  /** When the tokens were received, in ms since the epoch (renewal is planned from the lifetime). */
  issuedAt?: number;
  /** What renewing this session needs (flow, redirect URIs, scope, audience…), for a page without `<auth-login>`. */
  renewal?: Renewal;
  /** The validated ID token's claims. */
  claims?: IdTokenClaims;
  issuer: string;
  clientId: string;
  auth0: boolean;
  /** Origins that may receive the access token. */
  allowedOrigins: string[];
  /**
   * A refresh token, in a session just obtained from the token endpoint only: the token store keeps it in this
   * page's memory and never writes it to storage, so a stored session never has one.
   */
  refreshToken?: string;
  /**
   * DPoP (RFC 9449): the thumbprint of the store's key the tokens are bound to (`tokenType` is then `DPoP`); every
   * request with them carries a proof of that key.
   */
  dpopJkt?: string;
}

type Result = { session: Session; transaction: Transaction };

/** How long a token whose response has no `expires_in` is taken to last, at most (ms). */
export const UNKNOWN_LIFETIME = 3_600_000;

/**
 * Checks an authorization response against its pending sign-in and returns the session to store: state first (exact,
 * single-use, unexpired), then the provider's error if any, RFC 9207's `iss`, and then, for an implicit response, the
 * parameters its response type requires and the ID token (signature, claims, nonce, at_hash). For the code flow, the
 * code is exchanged at the token endpoint with the PKCE verifier (only the code is taken from the response; tokens
 * come from the token endpoint alone), and that answer is checked the same way (plus c_hash). Any failure throws;
 * nothing is returned half-checked.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
 */
export async function handleResponse(params: Record<string, string>, options: RequestOptions = {}): Promise<Result> {
  const tx = takeTransaction(params.state);
  // The keys of the jwks_uri the sign-in's page discovered are fetched at once, along with discovery (used only if it
  // names the same URI again): for an ID token in the response, or the one the code's exchange brings (the keys then
  // arrive while the token endpoint answers).
  if (tx.jwksUri && (params.id_token || (tx.responseType === 'code' && params.code && !params.error))) prefetchJwks(tx.issuer, tx.jwksUri, options);
  // RFC 9207 section 2.4: when the response names its issuer, it must be the one the request went to; a provider that
  // says it names it (authorization_response_iss_parameter_supported) must have, errors included, unless the response
  // has an ID token, whose iss is checked instead (section 2: the parameter may be left out then).
  if (params.iss === undefined ? !params.id_token && (await discover(tx.issuer, options)).authorization_response_iss_parameter_supported === true : params.iss !== tx.issuer) {
    fail('invalid_response', `iss ${params.iss ?? 'missing'}: the response must name issuer ${tx.issuer}`);
  }
  if (params.error) fail(params.error, params.error_description || params.error);
  const code = tx.responseType === 'code' ? params.code || fail('invalid_response', 'code missing') : undefined;
  // RFC 7636 section 4.5: the verifier proves that this page, which asked for the code, redeems it; with DPoP, a proof
  // of the key the code is bound to (RFC 9449 section 10) goes with it.
  const tokens = code ? await tokenRequest(await discover(tx.issuer, options), { grant_type: 'authorization_code', code, redirect_uri: tx.redirectUri, client_id: tx.clientId, code_verifier: tx.verifier }, await withProofs(tx.store, tx.dpopJkt, options)) : params;
  return { session: await sessionOf(tokens, tx, options, code, undefined, tx.dpopJkt), transaction: tx };
}

/**
 * Renews a session with its refresh token at the token endpoint (no iframe, no provider page). The answer is checked
 * like a code exchange's; a new ID token must be the same user's. A new refresh token (rotation) comes with the
 * session returned, and replaces the old one where it is stored; the provider's `invalid_grant` (revoked, expired, or
 * a rotated token used again) passes through. `config` names the store and storage the session goes to.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-6
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshingAccessToken
 */
export async function refreshSession(config: SignInConfig, previous: Session, refreshToken: string, options: RequestOptions = {}): Promise<Result> {
  const { issuer, clientId, claims } = previous;
  const transaction = { ...createTransaction(config), issuer, clientId, nonce: claims?.nonce! };
  // A DPoP-bound refresh token is refused without a proof of its key (RFC 9449 section 5).
  const jkt = previous.dpopJkt;
  const tokens = await tokenRequest(await discover(issuer, options), { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }, await withProofs(transaction.store, jkt, options));
  return { session: await sessionOf(tokens, transaction, options, undefined, previous, jkt), transaction };
}

/** `options` whose fetch sends DPoP proofs of `store`'s key `jkt` (the DPoP code is loaded for it); without `jkt`, `options`. */
async function withProofs(store: string, jkt: string | undefined, options: RequestOptions): Promise<RequestOptions> {
  if (!jkt) return options;
  const { boundKey, dpopFetch } = await loadChunk(import('./dpop.js'));
  return { ...options, fetch: dpopFetch(await boundKey(store, jkt), undefined, options.fetch) };
}

/**
 * The session from tokens (an implicit response's, or the token endpoint's JSON answer to a code or a refresh token),
 * after the checks their origin requires: `token_type` Bearer, `expires_in`, and the ID token.
 */
async function sessionOf(params: Record<string, string>, tx: Transaction, options: RequestOptions, code?: string, previous?: Session, jkt?: string): Promise<Session> {
  // Text only (a token endpoint's JSON may hold numbers, or anything): an empty or non-text value is no value.
  params = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== '' && /^(string|number)$/.test(typeof value)).map(([name, value]) => [name, `${value}`]));
  const { access_token: accessToken, id_token: idToken, expires_in: expiresIn } = params;
  // The token endpoint's answer has an access token, and for a code (scope openid) an ID token.
  const types = (previous ? 'token' : code ? 'id_token token' : tx.responseType).split(' ');
  if (types.includes('id_token') && !idToken) fail('invalid_response', 'id_token missing');
  if (types.includes('token') !== !!accessToken) fail('invalid_response', `access_token ${accessToken === undefined ? 'missing' : 'not asked for'}`);
  // An ID token that was not asked for (Auth0 sends one for response_type=token with scope openid) is validated all
  // the same: nothing unchecked is ever stored.
  // RFC 9449 section 5: a DPoP request is answered with token_type DPoP. A Bearer token in answer to it would be sent
  // without proofs, stealable again: refused. A DPoP token without a DPoP request is as unusable.
  const type = jkt ? 'DPoP' : 'Bearer';
  if (accessToken !== undefined && params.token_type?.toLowerCase() !== type.toLowerCase()) fail('invalid_response', `token_type ${params.token_type} is not ${type}${jkt ? ': DPoP was asked for, and the provider did not bind the token to the key' : ''}`);
  if (expiresIn !== undefined && !/^\d{1,9}$/.test(expiresIn)) fail('invalid_response', `expires_in ${expiresIn} is not a number`);
  // Without expires_in (RFC 6749 only recommends it), a token is taken to last as long as this response's ID token,
  // and at most an hour: a session never lasts for good.
  let expiresAt = Date.now() + (expiresIn === undefined ? UNKNOWN_LIFETIME : +expiresIn * 1000);
  let claims = previous?.claims;
  if (idToken) {
    claims = await validateIdToken(idToken, await discover(tx.issuer, options), { issuer: tx.issuer, clientId: tx.clientId, nonce: tx.nonce, accessToken, leeway: tx.leeway, code, previous: claims }, options);
    // An ID token alone lasts as long as it is accepted: its exp, with the leeway the check allowed.
    if (!accessToken) expiresAt = (claims.exp + tx.leeway) * 1000;
    else if (expiresIn === undefined) expiresAt = Math.min(expiresAt, claims.exp * 1000);
  }
  // JSON drops what is undefined: no token the response did not have.
  return JSON.parse(JSON.stringify({
    ...(previous ?? { issuer: tx.issuer, clientId: tx.clientId, auth0: tx.auth0, allowedOrigins: tx.allowedOrigins }),
    scope: params.scope ?? previous?.scope ?? tx.scope,
    accessToken,
    tokenType: accessToken && type,
    dpopJkt: jkt,
    idToken: idToken ?? previous?.idToken,
    claims,
    expiresAt,
    issuedAt: Date.now(),
    renewal: { responseType: tx.responseType, scope: tx.scope, audience: tx.audience, storage: tx.storage, leeway: tx.leeway, ...previous?.renewal, ...tx.renewal },
    // Only the token endpoint issues refresh tokens: one in an implicit fragment is ignored (RFC 6749 section 4.2.2).
    refreshToken: code || previous ? params.refresh_token : undefined,
  })) as Session;
}

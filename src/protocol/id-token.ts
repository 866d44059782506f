import { base64url, fromBase64url } from './encoding.js';
import { AuthError } from './errors.js';
import { findKey, type ProviderMetadata } from './discovery.js';
import type { RequestOptions } from './http.js';

/** The claims of a validated ID token. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  azp?: string;
  at_hash?: string;
  name?: string;
  email?: string;
  [claim: string]: unknown;
}

/** What an ID token is checked against. */
export interface IdTokenExpectations {
  /** The discovered (and configured) issuer. */
  issuer: string;
  clientId: string;
  /** The nonce of the pending sign-in. */
  nonce: string;
  /** The access token from the same response, whose `at_hash` must match. */
  accessToken?: string;
  /** Allowed clock skew in seconds. */
  leeway: number;
  /** Current time in seconds since the epoch. */
  now?: number;
}

/**
 * Signature algorithms accepted: asymmetric only. `none` and HMAC (`HS*`) are never accepted: this is a public client,
 * it holds no secret, so an HMAC "signature" proves nothing.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDTValidation
 */
export const ALLOWED_ALGS = /^(RS|PS|ES)(256|384|512)$/;

const fail = (message: string, code = 'invalid_id_token'): never => {
  throw new AuthError(code, `ID token: ${message}`);
};

const decodeJson = (part: string, what: string): Record<string, unknown> => {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64url(part)));
  } catch {
    value = 0;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${what} is not base64url JSON object`);
  return value as Record<string, unknown>;
};

/** Splits a JWS compact serialization without trusting it (RFC 7515 section 7.1). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: Uint8Array<ArrayBuffer>; signingInput: string } {
  const parts = token.split('.');
  if (parts.length !== 3) fail(`not a JWS (${parts.length} parts, not 3)`);
  const [header, payload, signature] = parts as [string, string, string];
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64url(signature);
  } catch {
    return fail('signature is not base64url');
  }
  return { header: decodeJson(header, 'header'), payload: decodeJson(payload, 'payload'), signature: bytes, signingInput: `${header}.${payload}` };
}

/** WebCrypto parameters for a JWS `alg` (RFC 7518 section 3). */
function webCryptoAlgorithm(alg: string) {
  const bits = alg.slice(2);
  const hash = `SHA-${bits}`;
  const name = ({ RS: 'RSASSA-PKCS1-v1_5', PS: 'RSA-PSS', ES: 'ECDSA' } as Record<string, string>)[alg.slice(0, 2)]!;
  return name === 'ECDSA'
    // JWS ECDSA signatures are already the raw r||s that WebCrypto expects (RFC 7518 section 3.4).
    ? { importParams: { name, namedCurve: `P-${bits === '512' ? 521 : bits}` }, verifyParams: { name, hash } }
    : { importParams: { name, hash }, verifyParams: { name, saltLength: +bits / 8 } };
}

/** The hash WebCrypto uses for an `alg` (`RS256` → `SHA-256`). */
export const hashOf = (alg: string) => `SHA-${alg.slice(2)}`;

/**
 * Checks a JWS signature with the issuer's key for its header's `alg` and `kid`.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export async function verifySignature(token: string, metadata: ProviderMetadata, options: RequestOptions = {}): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
  const { header, payload, signature, signingInput } = decodeJwt(token);
  const alg = header.alg;
  if (typeof alg !== 'string' || !ALLOWED_ALGS.test(alg)) {
    fail(`alg ${String(alg)} not allowed (RS, PS or ES 256-512 only)`);
  }
  const { kid } = header;
  if (kid !== undefined && typeof kid !== 'string') fail('kid is not a string');
  // RFC 7515 section 4.1.11: extensions we do not understand must not be ignored.
  if (header.crit !== undefined) fail('crit header not supported');
  const jwk = await findKey(metadata, { alg: alg as string, kid: kid as string | undefined }, options);
  const { importParams, verifyParams } = webCryptoAlgorithm(alg as string);
  if ('namedCurve' in importParams && jwk.crv !== importParams.namedCurve) fail(`JWKS key is not on ${importParams.namedCurve}`);
  let valid = false;
  try {
    // Only the public members: a JWK's own alg/use/key_ops were checked when the key was chosen.
    const publicJwk: JsonWebKey = jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'RSA', n: jwk.n, e: jwk.e };
    const key = await crypto.subtle.importKey('jwk', publicJwk, importParams, false, ['verify']);
    valid = await crypto.subtle.verify(verifyParams, key, signature, new TextEncoder().encode(signingInput));
  } catch (error) {
    fail(`JWKS key unusable: ${(error as Error).message}`);
  }
  if (!valid) fail(`signature does not verify with the issuer's key ${String(kid ?? '')}`);
  return { header, payload };
}

/**
 * `at_hash`: base64url of the left half of the hash of the ASCII access token, with the ID token's alg's hash.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitTokenValidation
 */
export async function accessTokenHash(accessToken: string, alg: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(hashOf(alg), new TextEncoder().encode(accessToken)));
  return base64url(digest.slice(0, digest.length / 2));
}

/**
 * Validates an ID token from an implicit response: signature against the issuer's JWKS, then every claim check of
 * OpenID Connect Core section 3.2.2.11 (iss, aud, azp, exp, iat, nonce, sub, at_hash). Throws with the claim that failed.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDTValidation
 */
export async function validateIdToken(idToken: string, metadata: ProviderMetadata, expected: IdTokenExpectations, options: RequestOptions = {}): Promise<IdTokenClaims> {
  const { header, payload: claims } = await verifySignature(idToken, metadata, options);
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const { leeway, clientId } = expected;
  if (claims.iss !== expected.issuer) fail(`iss ${String(claims.iss)} is not ${expected.issuer}`);
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(clientId)) fail(`aud does not contain client id ${clientId}`);
  if (audiences.length > 1 && claims.azp === undefined) fail('several audiences but no azp');
  if (claims.azp !== undefined && claims.azp !== clientId) fail(`azp ${String(claims.azp)} is not client id ${clientId}`);
  const time = (claim: string, valid: (t: number) => boolean, what: string) => {
    const value = claims[claim];
    if (value === undefined && claim !== 'nbf') fail(`no ${claim}`);
    if (value !== undefined && (typeof value !== 'number' || !valid(value))) fail(`${what} (${claim} ${String(value)}, now ${now}, leeway ${leeway} s)`);
  };
  time('exp', (exp) => exp + leeway > now, 'expired');
  time('iat', (iat) => iat - leeway <= now, 'issued in the future');
  time('nbf', (nbf) => nbf - leeway <= now, 'not valid yet');
  if (typeof claims.sub !== 'string' || !claims.sub) fail('no sub');
  if (claims.nonce !== expected.nonce) fail(claims.nonce === undefined ? 'no nonce' : 'nonce does not match this sign-in', 'invalid_nonce');
  if (expected.accessToken !== undefined) {
    if (typeof claims.at_hash !== 'string') fail('no at_hash, required with an access token', 'invalid_at_hash');
    if (claims.at_hash !== await accessTokenHash(expected.accessToken, header.alg as string)) fail('at_hash does not match the access token', 'invalid_at_hash');
  }
  return claims as IdTokenClaims;
}

import { base64url, fromBase64url } from './encoding.js';
import { fail } from './errors.js';
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
  /**
   * The access token from the same response, whose `at_hash` must match; from the token endpoint (`code` or
   * `previous` set), only when the ID token has one.
   */
  accessToken?: string;
  /** The authorization code the tokens were issued for (code flow): its `c_hash`, when the ID token has one, must match. */
  code?: string;
  /**
   * The claims of the session's ID token, when this one comes from a refresh: the same `sub`, and its `nonce` (if
   * any) the one of `nonce`.
   * @see https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse
   */
  previous?: IdTokenClaims;
  /** Allowed clock skew in seconds. */
  leeway: number;
  /** Current time in seconds since the epoch. */
  now?: number;
}

/** Fails with `invalid_id_token`, naming the check in `message`. */
function reject(message: string): never {
  return fail('invalid_id_token', `ID token: ${message}`);
}

/** The bytes of a base64url JWS part: for the signature, as is; for the header and payload (`json`), the JSON object they encode. */
function decodePart(part: string, what: string): Uint8Array<ArrayBuffer>;
function decodePart(part: string, what: string, json: true): Record<string, unknown>;
function decodePart(part: string, what: string, json?: true) {
  let value: unknown;
  try {
    const bytes = fromBase64url(part);
    value = json ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) : bytes;
  } catch {
    // Reported below, like a JSON value that is not an object.
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) reject(`${what} malformed`);
  return value;
}

/**
 * Checks a JWS signature with the issuer's key for its header's `alg` and `kid`.
 * @see https://www.rfc-editor.org/rfc/rfc7515#section-5.2
 */
export async function verifySignature(token: string, metadata: ProviderMetadata, options: RequestOptions = {}): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
  // Splits the JWS compact serialization without trusting it (RFC 7515 section 7.1).
  const parts = token.split('.');
  if (parts.length !== 3) reject('not a JWS');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const signature = decodePart(signaturePart, 'signature');
  const header = decodePart(headerPart, 'header', true);
  const payload = decodePart(payloadPart, 'payload', true);
  const { alg, kid } = header;
  // Signature algorithms accepted: asymmetric only. `none` and HMAC (`HS*`) are never accepted: this is a public
  // client, it holds no secret, so an HMAC "signature" proves nothing. EdDSA means Ed25519 here (Ed448 is not in
  // WebCrypto); Ed25519 is its fully-specified name (RFC 9864).
  // https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDTValidation
  if (typeof alg !== 'string' || !/^((RS|PS|ES)(256|384|512)|EdDSA|Ed25519)$/.test(alg)) reject(`alg ${alg} not allowed`);
  if (kid !== undefined && typeof kid !== 'string') reject('kid is not a string');
  // RFC 7515 section 4.1.11: extensions we do not understand must not be ignored.
  if (header.crit !== undefined) reject('crit not supported');
  const jwk = await findKey(metadata, { alg, kid }, options);
  if (!jwk) return reject(`no single ${alg} JWKS key for kid ${kid}`);
  // RFC 7518 section 3.3: RSA keys of 2048 bits or more (the modulus' bits, leading zeros left out).
  if (jwk.kty === 'RSA') {
    let n = new Uint8Array();
    try {
      n = fromBase64url(jwk.n!);
    } catch {
      // No modulus: 0 bits.
    }
    const start = n.findIndex((byte) => byte > 0);
    const size = start < 0 ? 0 : (n.length - start) * 8 - Math.clz32(n[start]!) + 24;
    if (size < 2048) reject(`RSA key of ${size} bits (at least 2048 needed)`);
  }
  // WebCrypto parameters for the alg (RFC 7518 section 3). One object serves importKey and verify for every alg:
  // each operation reads only the members its own algorithm dictionary defines.
  const bits = alg.slice(2);
  const params = {
    name: alg[1] === 'd' ? 'Ed25519' : { R: 'RSASSA-PKCS1-v1_5', P: 'RSA-PSS', E: 'ECDSA' }[alg[0] as 'R' | 'P' | 'E'],
    hash: `SHA-${bits}`,
    namedCurve: jwk.crv,
    saltLength: +bits / 8,
  };
  let valid: boolean;
  try {
    // Only the public members (RSA import reads n and e, EC import crv, x and y, OKP crv and x): a JWK's own
    // alg/use/key_ops were checked when the key was chosen.
    const key = await crypto.subtle.importKey('jwk', JSON.parse(JSON.stringify(jwk, ['kty', 'crv', 'x', 'y', 'n', 'e'])), params, false, ['verify']).catch((error: Error) => {
      // Feature detection: a browser without Ed25519 says so by name.
      throw error.name === 'NotSupportedError' ? new Error(`${params.name} not supported by this browser`) : error;
    });
    // JWS ECDSA signatures are already the raw r||s that WebCrypto expects (RFC 7518 section 3.4).
    valid = await crypto.subtle.verify(params, key, signature, new TextEncoder().encode(`${headerPart}.${payloadPart}`));
  } catch (error) {
    reject(`JWKS key unusable for ${alg}: ${(error as Error).message}`);
  }
  if (!valid) reject('signature does not verify');
  return { header, payload };
}

/**
 * `at_hash` (and `c_hash`, of a code): base64url of the left half of the hash of the ASCII access token, with the ID
 * token's alg's hash (SHA-512 for EdDSA).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitTokenValidation
 */
export async function accessTokenHash(accessToken: string, alg: string): Promise<string> {
  // EdDSA over Ed25519 hashes with SHA-512 (OpenID Connect Core errata, at_hash).
  const digest = new Uint8Array(await crypto.subtle.digest(`SHA-${/^Ed/.test(alg) ? 512 : alg.slice(2)}`, new TextEncoder().encode(accessToken)));
  return base64url(digest.slice(0, digest.length / 2));
}

/**
 * Validates an ID token from an implicit response: signature against the issuer's JWKS, then every claim check of
 * OpenID Connect Core section 3.2.2.11 (iss, aud, azp, exp, iat, nonce, sub, at_hash). Throws with the claim that failed.
 * From the token endpoint, the same checks, with `at_hash` and `c_hash` checked when present (3.1.3.8, 3.3.2.11).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitIDTValidation
 * @see https://openid.net/specs/openid-connect-core-1_0.html#CodeIDToken
 */
export async function validateIdToken(idToken: string, metadata: ProviderMetadata, expected: IdTokenExpectations, options: RequestOptions = {}): Promise<IdTokenClaims> {
  const { header, payload: claims } = await verifySignature(idToken, metadata, options);
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const { leeway, clientId, accessToken, code, previous } = expected;
  if (claims.iss !== expected.issuer) reject(`iss ${claims.iss} is not ${expected.issuer}`);
  // A string aud is one audience; an array, several.
  const audiences = [claims.aud].flat();
  if (!audiences.includes(clientId)) reject(`aud does not contain ${clientId}`);
  if (audiences.length > 1 && claims.azp === undefined) reject('azp missing (several audiences)');
  if (claims.azp !== undefined && claims.azp !== clientId) reject(`azp ${claims.azp} is not ${clientId}`);
  // exp must be after now, iat and nbf (optional) not after now, each give or take the leeway (written so that NaN
  // fails).
  for (const claim of ['exp', 'iat', 'nbf']) {
    const value = claims[claim];
    if (value === undefined ? claim !== 'nbf' : typeof value !== 'number' || !(claim === 'exp' ? value + leeway > now : value - leeway <= now)) {
      reject(`${claim} ${value} out of range (now ${now}, leeway ${leeway})`);
    }
  }
  if (!claims.sub || typeof claims.sub !== 'string' || (previous && claims.sub !== previous.sub)) reject(`sub ${claims.sub} missing or changed`);
  // A refreshed ID token may leave the nonce out (OpenID Connect Core 12.2).
  if (claims.nonce !== expected.nonce && !(previous && claims.nonce === undefined)) fail('invalid_nonce', 'ID token: nonce missing or wrong');
  // at_hash is required with an access token of an implicit response only (3.2.2.10); a hash present must match.
  const hashes: [string, string | undefined, string, unknown][] = [['at_hash', accessToken, 'invalid_at_hash', !(code ?? previous)], ['c_hash', code, 'invalid_id_token', 0]];
  for (const [claim, value, error, required] of hashes) {
    if (value !== undefined && (required || claims[claim] !== undefined) && claims[claim] !== await accessTokenHash(value, header.alg as string)) {
      fail(error, `ID token: ${claim} missing or wrong`);
    }
  }
  return claims as IdTokenClaims;
}

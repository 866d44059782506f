// Test helper (no tests here): the authorization code flow with PKCE against the demo provider, driven over HTTP
// (implicit-flow.mjs's cookie jar and form filling), and DPoP (RFC 9449) proofs made with jose the way a browser
// client makes them: an ES256 key pair, `typ: dpop+jwt`, the public key in the `jwk` header.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { implicitFlow } from './implicit-flow.mjs';

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** base64url(SHA-256(access token)), the proof's `ath` (RFC 9449 4.2). */
export function ath(accessToken) {
  return createHash('sha256').update(accessToken).digest('base64url');
}

/**
 * A DPoP key: `{ alg, privateKey, publicKey, jwk, jkt }`, `jwk` being the public JWK and `jkt` its RFC 7638
 * thumbprint.
 */
export async function dpopKey(alg = 'ES256', options = {}) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  const jwk = await exportJWK(publicKey);
  return { alg, privateKey, publicKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

/**
 * A DPoP proof JWT for one request. `claims` and `header` are merged over the defaults (a value of undefined
 * removes a default), so a test can break any one part.
 *
 * @param {{ alg: string, privateKey: CryptoKey, jwk: object }} key
 * @param {object} options
 * @param {string} options.htm
 * @param {string} options.htu
 * @param {string} [options.nonce]
 * @param {string} [options.accessToken] Adds `ath`.
 * @param {object} [options.claims]
 * @param {object} [options.header]
 * @param {CryptoKey | Uint8Array} [options.signingKey] Sign with another key than `key.privateKey`.
 */
export async function dpopProof(key, { htm, htu, nonce, accessToken, claims = {}, header = {}, signingKey } = {}) {
  const payload = {
    jti: randomUUID(),
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    ...(nonce === undefined ? {} : { nonce }),
    ...(accessToken === undefined ? {} : { ath: ath(accessToken) }),
    ...claims,
  };
  const protectedHeader = { alg: key.alg, typ: 'dpop+jwt', jwk: key.jwk, ...header };
  for (const object of [payload, protectedHeader]) {
    for (const [name, value] of Object.entries(object)) if (value === undefined) delete object[name];
  }
  return new SignJWT(payload).setProtectedHeader(protectedHeader).sign(signingKey ?? key.privateKey);
}

/**
 * Signs in (implicit-flow.mjs) with response_type=code, PKCE and response_mode=fragment, and returns the code with
 * what its exchange needs.
 *
 * @returns {Promise<{ code: string, verifier: string, redirect: string, response: URLSearchParams, jar, pages }>}
 */
export async function codeFlow({ issuer, clientOrigin, params = {}, ...options }) {
  const { verifier, challenge } = pkce();
  const redirect = `${clientOrigin}/`;
  const { response, jar, pages } = await implicitFlow({
    issuer,
    clientOrigin,
    ...options,
    params: {
      response_type: 'code',
      response_mode: 'fragment',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      redirect_uri: redirect,
      ...params,
    },
  });
  return { code: response.get('code'), verifier, redirect, response, jar, pages };
}

/**
 * POSTs a form to an endpoint of the provider, from `origin` (the demo pages' origin by default) when given. With
 * `dpop` (a dpopKey), the request carries a fresh proof for it (with `nonce` when given); when the provider answers
 * `use_dpop_nonce` with a `DPoP-Nonce` header, the request is sent once more with a new proof carrying that nonce
 * (RFC 9449 8), as a client does.
 *
 * @returns {Promise<{ status: number, headers: Headers, body: any, nonce?: string, attempts: number, proofs: string[] }>}
 *   `nonce` is the last `DPoP-Nonce` the provider sent (or the one given), `proofs` the proofs sent.
 */
export async function postForm(url, form, { dpop, nonce, origin, headers = {}, retryNonce = true } = {}) {
  const proofs = [];
  let currentNonce = nonce;
  for (let attempt = 1; ; attempt += 1) {
    const init = {
      method: 'POST',
      headers: { ...(origin ? { origin } : {}), ...headers },
      body: new URLSearchParams(form),
    };
    if (dpop) {
      const proof = await dpopProof(dpop, { htm: 'POST', htu: String(url), nonce: currentNonce });
      proofs.push(proof);
      init.headers.dpop = proof;
    }
    const response = await fetch(url, init);
    const text = await response.text();
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    currentNonce = response.headers.get('dpop-nonce') ?? currentNonce;
    const result = { status: response.status, headers: response.headers, body, nonce: currentNonce, attempts: attempt, proofs };
    if (!(dpop && retryNonce && attempt === 1 && response.status === 400 && body?.error === 'use_dpop_nonce'
      && response.headers.get('dpop-nonce'))) {
      return result;
    }
  }
}

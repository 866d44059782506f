// The appointments API of the demo: a resource server that accepts JWT access tokens (RFC 9068) from one issuer
// for one audience, as in "Implement the Implicit Grant" step 4 ("Verify the Token"). Plain node:http, loopback
// only, appointments kept in memory per user (`sub`).
//
//   GET  /api/appointments   scope read:appointments   200 [{ id, title, date, time }, …] (sorted by date and time)
//   POST /api/appointments   scope write:appointments  JSON { title, date: 'YYYY-MM-DD', time?: 'HH:MM' }
//                                                      → 201 { id, title, date, time } (time null when not given)
//
// Two ways to present the token:
// - `Authorization: Bearer <token>` (RFC 6750), for tokens that are not sender-constrained (no `cnf` claim), as the
//   implicit grant gives them. A DPoP-bound token sent this way is refused (RFC 9449 7.2).
// - `Authorization: DPoP <token>` with one `DPoP` proof header (RFC 9449 7), for tokens bound to a key (`cnf.jkt`).
//   The proof is checked as RFC 9449 4.3 says (see verifyProof), against this API's own public origin (never the
//   Host header), with a replay cache of proof ids, and the API's own nonce (RFC 9449 9; `requireDpopNonce`): a proof
//   without a current nonce is 401 `use_dpop_nonce` with the nonce in `DPoP-Nonce`; every answer to a DPoP request
//   carries the current nonce.
//
// Errors are JSON `{ error, error_description }`: 401 invalid_token, invalid_dpop_proof or use_dpop_nonce and 403
// insufficient_scope with a `WWW-Authenticate` challenge (RFC 6750 3 for Bearer, RFC 9449 7.1 for DPoP), 400
// invalid_request, 404, 405, 413, 503 when the issuer's keys cannot be fetched (or the replay cache is full).
// Tokens and proofs are never logged.

import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { calculateJwkThumbprint, createRemoteJWKSet, errors as joseErrors, importJWK, jwtVerify } from 'jose';
import { assertLoopback, close, listen, parseUrl } from './net.mjs';

/** RFC 6750 realm of every challenge. */
const REALM = 'appointments';
const READ_SCOPE = 'read:appointments';
const WRITE_SCOPE = 'write:appointments';
/** Largest accepted request body. */
const MAX_BODY_BYTES = 10 * 1024;
/** Allowed clock skew for exp / nbf / iat, in seconds. */
const CLOCK_TOLERANCE = 5;
const ALGORITHMS = ['RS256', 'ES256'];
const APPOINTMENT_FIELDS = new Set(['title', 'date', 'time']);

/** The DPoP proof algorithms accepted (the challenge's `algs`, RFC 9449 7.1): asymmetric ones only, never none or HS*. */
export const DPOP_ALGORITHMS = Object.freeze(['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA']);
/** A proof's `iat` may be this many seconds before or after the API's clock (RFC 9449 11.1) … */
export const DPOP_PROOF_WINDOW = 60;
/** … plus this leeway for clock skew, in seconds. */
export const DPOP_IAT_LEEWAY = 5;
/**
 * DPoP nonces (RFC 9449 9) rotate every DPOP_NONCE_PERIOD seconds: the nonce of the current period and the one of the
 * period before are accepted, so a nonce is good for 5 to 10 minutes after it was issued.
 */
export const DPOP_NONCE_PERIOD = 300;
/** Proof ids (`jti`) remembered at most, each until its proof would be too old anyway. */
export const DPOP_REPLAY_CACHE_SIZE = 10_000;
/** JWK members that only a private (or symmetric) key has. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** The public members imported from a proof's `jwk`, by key type; nothing else of it is used. */
const PUBLIC_JWK_MEMBERS = { EC: ['crv', 'x', 'y'], RSA: ['n', 'e'], OKP: ['crv', 'x'] };
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * Starts the API on loopback.
 *
 * @param {object} options
 * @param {number} [options.port] TCP port, default 7001; 0 picks a free one.
 * @param {string} [options.host] `localhost` (default), `127.0.0.1` or `::1`.
 * @param {string} options.issuer The token issuer, exactly as in the tokens' `iss`; its keys come from the
 *   `jwks_uri` of `<issuer>/.well-known/openid-configuration` (fetched on the first request that needs them).
 * @param {string} [options.audience] The `aud` the tokens must carry, default `http://localhost:7001`.
 * @param {string | string[]} [options.allowedOrigin] The origin(s) of the pages allowed to call the API from a
 *   browser (CORS). Other origins get no CORS headers.
 * @param {(message: string) => void} [options.log] Where server-side failures are reported (never with a token);
 *   default console.error.
 * @param {boolean} [options.requireDpopNonce] Whether DPoP proofs must carry a nonce of this API (RFC 9449 9),
 *   default true: a proof without one, or with one older than two DPOP_NONCE_PERIODs or not made here, is 401
 *   use_dpop_nonce with the current nonce in `DPoP-Nonce`. Nonces are stateless (HMAC of the period number, with a
 *   secret new on every start). With false, nonces are neither sent nor checked (the `iat` window still applies).
 * @param {string} [options.publicOrigin] The origin clients call the API at, which the proofs' `htu` must name;
 *   default the API's own `url` (`http://localhost:<port>`). The request's Host header is never used for this.
 * @param {number} [options.replayCacheSize] How many proof ids are remembered at most (DPOP_REPLAY_CACHE_SIZE). When
 *   that many recent proofs are held, further DPoP requests get 503 until some expire (at most
 *   2 × (DPOP_PROOF_WINDOW + DPOP_IAT_LEEWAY) seconds).
 * @param {() => number} [options.now] The clock (milliseconds, like Date.now) for tokens, proofs and nonces: for
 *   tests.
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startApi({
  port = 7001,
  host = 'localhost',
  issuer,
  audience = 'http://localhost:7001',
  allowedOrigin,
  log = (message) => console.error(message),
  requireDpopNonce = true,
  publicOrigin,
  replayCacheSize = DPOP_REPLAY_CACHE_SIZE,
  now = Date.now,
} = {}) {
  assertLoopback(host);
  if (!issuer) throw new TypeError('startApi: issuer is required');
  const allowedOrigins = new Set([allowedOrigin ?? []].flat().map((origin) => new URL(origin).origin));
  const verify = createVerifier({ issuer, audience, now });
  const store = createStore();
  const dpop = {
    requireNonce: requireDpopNonce,
    nonces: createNonces({ now }),
    replays: createReplayCache({ size: replayCacheSize, now }),
    // Set once listening (the default is the URL with the port picked).
    origin: publicOrigin === undefined ? undefined : new URL(publicOrigin).origin,
    now,
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      // Only the message: errors here never hold the Authorization header.
      log(`demo API: request failed: ${error?.message ?? error}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: 'Internal error' });
      else res.destroy();
    });
  });

  async function handle(req, res) {
    const url = parseUrl(req.url, 'http://api.invalid');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    applyCors(req, res, allowedOrigins);

    if (url?.pathname !== '/api/appointments') {
      return sendJson(res, 404, { error: 'not_found', error_description: 'No such resource' });
    }
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      return res.end();
    }
    const scope = { GET: READ_SCOPE, HEAD: READ_SCOPE, POST: WRITE_SCOPE }[req.method];
    if (!scope) {
      res.setHeader('Allow', 'GET, HEAD, POST, OPTIONS');
      return sendJson(res, 405, { error: 'method_not_allowed', error_description: `${req.method} is not allowed here` });
    }

    const auth = await authenticate(req, res, url, verify, log, dpop);
    if (!auth.ok) return sendAuthError(res, auth);
    const granted = scopesOf(auth.payload);
    if (!granted.has(scope)) {
      return sendAuthError(res, {
        status: 403,
        scheme: auth.scheme,
        error: 'insufficient_scope',
        description: `The access token lacks the ${scope} scope`,
        scope,
      });
    }
    const { sub } = auth.payload;

    if (req.method !== 'POST') return sendJson(res, 200, store.list(sub));

    const body = await readJsonBody(req);
    if (!body.ok) return sendJson(res, body.status, { error: body.error, error_description: body.description });
    const checked = validateAppointment(body.value);
    if (!checked.ok) return sendJson(res, 400, { error: 'invalid_request', error_description: checked.description });
    return sendJson(res, 201, store.add(sub, checked.value));
  }

  await listen(server, port, host);
  const address = server.address();
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  dpop.origin ??= new URL(url).origin;
  return { url, close: () => close(server) };
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

/**
 * A function that verifies an access token and resolves with its payload. The JWKS location comes from the issuer's
 * discovery document (whose `issuer` must be the configured one, OpenID Connect Discovery 4.3); a failed discovery is
 * tried again on the next request. `createRemoteJWKSet` caches the keys and refetches them for an unknown `kid`.
 */
function createVerifier({ issuer, audience, now }) {
  let keySet;
  async function getKeySet() {
    keySet ??= (async () => {
      const discoveryUrl = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const response = await fetch(discoveryUrl, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      const metadata = await response.json();
      if (metadata.issuer !== issuer) throw new Error('discovery names another issuer');
      return createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: 5000 });
    })();
    try {
      return await keySet;
    } catch (error) {
      keySet = undefined;
      throw Object.assign(error, { unavailable: true });
    }
  }

  return async function verify(token) {
    const jwks = await getKeySet();
    const { payload } = await jwtVerify(token, jwks, {
      issuer,
      audience,
      algorithms: ALGORITHMS,
      // RFC 9068 2.1 / 4: a JWT access token says so in `typ`; this keeps ID tokens and other JWTs out.
      typ: 'at+jwt',
      requiredClaims: ['exp', 'sub'],
      clockTolerance: CLOCK_TOLERANCE,
      currentDate: new Date(now()),
    });
    return payload;
  };
}

/**
 * Reads the access token (RFC 6750 2.1 Bearer, or RFC 9449 7.1 DPoP with its proof) and verifies it. Resolves with
 * `{ ok: true, scheme, payload }` or an error `{ ok: false, status, scheme?, error?, description }`. No credentials at
 * all, or another scheme, is RFC 6750 3.1's "lacks any authentication information": challenges without an error
 * code. With the DPoP scheme, every answer carries the current nonce when nonces are required.
 */
async function authenticate(req, res, url, verify, log, dpop) {
  const header = req.headers.authorization;
  const [rawScheme, ...rest] = (header ?? '').trim().split(/ +/);
  const scheme = { bearer: 'Bearer', dpop: 'DPoP' }[rawScheme.toLowerCase()];
  if (!header || !scheme) {
    return { ok: false, status: 401, description: 'Send an access token: Authorization: Bearer <token>, or Authorization: DPoP <token> with a DPoP proof' };
  }
  const fail = (error, description, extra) => ({ ok: false, status: 401, scheme, error, description, ...extra });
  if (scheme === 'DPoP' && dpop.requireNonce) res.setHeader('DPoP-Nonce', dpop.nonces.current());

  const token = rest.join(' ');
  if (rest.length !== 1 || !JWT_SHAPE.test(token)) return fail('invalid_token', 'The access token is malformed');
  let payload;
  try {
    payload = await verify(token);
  } catch (error) {
    if (keysUnavailable(error)) {
      log(`demo API: cannot get the issuer's keys: ${error.message}`);
      return { ok: false, status: 503, unavailable: true, description: 'The token issuer\'s keys cannot be fetched' };
    }
    return fail('invalid_token', describeTokenError(error));
  }

  if (scheme === 'Bearer') {
    // RFC 9449 7.2: a sender-constrained token is no bearer token. (Any `cnf`: mTLS-bound ones cannot be checked here.)
    if (payload.cnf !== undefined) {
      return fail('invalid_token', 'The access token is DPoP-bound: send it as Authorization: DPoP <token> with a DPoP proof', { dpopChallenge: true });
    }
    return { ok: true, scheme, payload };
  }

  const jkt = payload.cnf?.jkt;
  if (typeof jkt !== 'string' || !jkt) {
    return fail('invalid_token', 'The access token is not DPoP-bound (no cnf.jkt): send it as Authorization: Bearer <token>');
  }
  // RFC 9449 4.3 point 1: exactly one DPoP header. (Node joins repeated headers; headersDistinct keeps them apart.)
  const proofs = req.headersDistinct.dpop ?? [];
  if (proofs.length !== 1 || !JWT_SHAPE.test(proofs[0])) {
    return fail('invalid_dpop_proof', 'Send exactly one DPoP proof (a signed JWT) in the DPoP header');
  }
  const proof = await verifyProof(proofs[0], {
    method: req.method,
    htu: new URL(url.pathname, dpop.origin).href,
    accessToken: token,
    dpop,
  });
  if (!proof.ok) return fail(proof.error, proof.description);
  // RFC 9449 7.1 / 4.3 point 12: the proof's key is the one the token is bound to (RFC 7638 thumbprint).
  if (proof.jkt !== jkt) return fail('invalid_token', 'The access token is bound to another key than the DPoP proof\'s (cnf.jkt)');
  // RFC 9449 11.1: each proof once. Recorded only now, for a proof that passed every check.
  const recorded = dpop.replays.add(`${proof.jkt}:${proof.jti}`, (proof.iat + DPOP_PROOF_WINDOW + DPOP_IAT_LEEWAY) * 1000);
  if (recorded === 'full') {
    log('demo API: the DPoP replay cache is full');
    return { ok: false, status: 503, unavailable: true, description: 'Too many DPoP proofs at once; try again shortly' };
  }
  if (recorded === 'replay') return fail('invalid_dpop_proof', 'The DPoP proof was used before (jti replayed)');
  return { ok: true, scheme, payload };
}

/** A proof check that failed, with the error code and description for the challenge. */
class ProofError extends Error {}

/**
 * Checks a DPoP proof (RFC 9449 4.3) for one request: `{ ok: true, jkt, jti, iat }` (jkt: the RFC 7638 thumbprint
 * of its key), or `{ ok: false, error: 'invalid_dpop_proof' | 'use_dpop_nonce', description }`.
 *
 * 2-3. a signed JWT with `typ: dpop+jwt` (jose); 5. `alg` one of DPOP_ALGORITHMS; 6. signed by the public key in its
 * `jwk` header, which must hold no private key members; 7-11. `htm` is the request method, `htu` the request URL
 * (this API's public origin and the path; query and fragment ignored, both sides normalised), `iat` within
 * DPOP_PROOF_WINDOW (+ DPOP_IAT_LEEWAY) of now, a `jti`, the API's nonce when required; 12. `ath` is the access
 * token's SHA-256. The replay check (jti) and the key binding are the caller's.
 */
async function verifyProof(proof, { method, htu, accessToken, dpop }) {
  const invalid = (description) => ({ ok: false, error: 'invalid_dpop_proof', description });
  let verified;
  try {
    verified = await jwtVerify(proof, embeddedPublicKey, { typ: 'dpop+jwt', algorithms: [...DPOP_ALGORITHMS] });
  } catch (error) {
    return invalid(describeProofError(error));
  }
  const { payload, protectedHeader } = verified;

  if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256) {
    return invalid('The DPoP proof has no jti');
  }
  if (payload.htm !== method) return invalid(`The DPoP proof is for another method (htm must be ${method})`);
  const claimed = typeof payload.htu === 'string' ? parseUrl(payload.htu) : undefined;
  if (!claimed || normalizedHtu(claimed) !== normalizedHtu(new URL(htu))) {
    return invalid(`The DPoP proof is for another URL (htu must be ${htu})`);
  }
  const nowSeconds = dpop.now() / 1000;
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) return invalid('The DPoP proof has no iat');
  if (Math.abs(nowSeconds - payload.iat) > DPOP_PROOF_WINDOW + DPOP_IAT_LEEWAY) {
    return invalid(`The DPoP proof's iat is more than ${DPOP_PROOF_WINDOW} s away from the server's time`);
  }
  if (dpop.requireNonce && !dpop.nonces.check(payload.nonce)) {
    const description = payload.nonce === undefined
      ? 'The DPoP proof needs a nonce from this API (the DPoP-Nonce header)'
      : 'The DPoP proof\'s nonce is stale or unknown: use the one in the DPoP-Nonce header';
    return { ok: false, error: 'use_dpop_nonce', description };
  }
  if (payload.ath !== base64urlSha256(accessToken)) {
    return invalid('The DPoP proof is for another access token (ath must be the base64url SHA-256 of the token)');
  }
  return { ok: true, jkt: await calculateJwkThumbprint(protectedHeader.jwk), jti: payload.jti, iat: payload.iat };
}

/**
 * jose's key lookup for a proof: its `jwk` header, which must be a public key (RFC 9449 4.3 point 6): no private
 * members, one of the key types of DPOP_ALGORITHMS, and only its public members are imported.
 */
async function embeddedPublicKey({ alg, jwk }) {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new ProofError('The DPoP proof has no jwk header');
  if (PRIVATE_JWK_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    throw new ProofError('The DPoP proof\'s jwk must be a public key (it has private key members)');
  }
  const members = Object.hasOwn(PUBLIC_JWK_MEMBERS, jwk.kty) ? PUBLIC_JWK_MEMBERS[jwk.kty] : undefined;
  if (!members) throw new ProofError('The DPoP proof\'s jwk must be an EC, RSA or OKP public key');
  const publicJwk = { kty: jwk.kty };
  for (const member of members) if (Object.hasOwn(jwk, member)) publicJwk[member] = jwk[member];
  try {
    return await importJWK(publicJwk, alg);
  } catch {
    throw new ProofError('The DPoP proof\'s jwk is not a usable public key for its alg');
  }
}

/**
 * RFC 9449 4.3 point 9: the URL without query and fragment, after RFC 3986 6.2.2 / 6.2.3 normalisation (WHATWG URL
 * parsing lowercases scheme and host, drops a default port and dot segments; percent-encodings are uppercased and
 * unreserved ones decoded here).
 */
function normalizedHtu(url) {
  const copy = new URL(url.href);
  copy.search = '';
  copy.hash = '';
  copy.pathname = copy.pathname.replace(/%[0-9a-f]{2}/gi, (escape) => {
    const char = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return /[A-Za-z0-9._~-]/.test(char) ? char : escape.toUpperCase();
  });
  return copy.href;
}

/** A short reason for a proof that jose (or embeddedPublicKey) refused. */
function describeProofError(error) {
  if (error instanceof ProofError) return error.message;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return `The DPoP proof's alg is not allowed (use one of ${DPOP_ALGORITHMS.join(', ')})`;
  if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'typ') return 'The DPoP proof\'s typ must be dpop+jwt';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The DPoP proof's ${error.claim} claim is invalid`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The DPoP proof signature is invalid';
  return 'The DPoP proof is malformed';
}

function base64urlSha256(text) {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Stateless DPoP nonces (RFC 9449 9): the HMAC-SHA-256 of the current DPOP_NONCE_PERIOD's number, with a secret new
 * on every start. `check` accepts the current period's and the previous one's.
 */
function createNonces({ now, secret = randomBytes(32) }) {
  const period = () => Math.floor(now() / 1000 / DPOP_NONCE_PERIOD);
  const nonceOf = (number) => createHmac('sha256', secret).update(`dpop-nonce:${number}`).digest('base64url');
  return {
    current: () => nonceOf(period()),
    check(nonce) {
      if (typeof nonce !== 'string') return false;
      const given = Buffer.from(nonce);
      const current = period();
      return [current, current - 1].some((number) => {
        const expected = Buffer.from(nonceOf(number));
        return expected.length === given.length && timingSafeEqual(expected, given);
      });
    },
  };
}

/**
 * The proof ids seen, each kept until its expiry (when its proof's iat is out of the window anyway), at most `size`
 * of them. `add` answers 'new', 'replay', or 'full' when `size` unexpired ids are held (the caller refuses then:
 * forgetting one would let its proof be replayed).
 */
function createReplayCache({ size, now }) {
  const seen = new Map();
  return {
    add(key, expiresAt) {
      const time = now();
      const known = seen.get(key);
      if (known !== undefined && known > time) return 'replay';
      seen.delete(key);
      if (seen.size >= size) {
        for (const [id, expiry] of seen) if (expiry <= time) seen.delete(id);
        if (seen.size >= size) return 'full';
      }
      seen.set(key, expiresAt);
      return 'new';
    },
  };
}

/** Failures to reach the issuer (discovery, JWKS), as opposed to a bad token. */
function keysUnavailable(error) {
  return Boolean(error.unavailable)
    || error instanceof joseErrors.JWKSTimeout
    || error instanceof joseErrors.JWKSInvalid
    // jose's generic error is what a non-200 JWKS response gives.
    || error.code === 'ERR_JOSE_GENERIC'
    // fetch's own failures (connection refused, …).
    || !(error instanceof joseErrors.JOSEError);
}

/** A short, token-free reason for a failed verification. */
function describeTokenError(error) {
  if (error instanceof joseErrors.JWTExpired) return 'The access token expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'The access token is for another audience';
    if (error.claim === 'iss') return 'The access token is from another issuer';
    if (error.claim === 'typ') return 'The token is not an access token (typ must be at+jwt)';
    if (error.claim === 'nbf') return 'The access token is not valid yet';
    return `The access token's ${error.claim} claim is invalid`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The access token signature is invalid';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The access token is signed with an unknown key';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The access token is signed with an algorithm not allowed here';
  return 'The access token is invalid';
}

/** The token's scopes: RFC 9068's space-separated `scope`, or an array in `scp` as some issuers send. */
function scopesOf(payload) {
  if (typeof payload.scope === 'string') return new Set(payload.scope.split(' ').filter(Boolean));
  if (Array.isArray(payload.scp)) return new Set(payload.scp.filter((s) => typeof s === 'string'));
  return new Set();
}

/**
 * 401 / 403 with the challenge of the scheme used (RFC 6750 3 for Bearer, RFC 9449 7.1 for DPoP, with `algs`); both
 * challenges when no credentials came (and the DPoP one besides the Bearer error for a bound token sent as bearer).
 * 503 when the keys are out of reach.
 */
function sendAuthError(res, { status, scheme, error, description, scope, unavailable, dpopChallenge }) {
  if (unavailable) {
    return sendJson(res, 503, { error: 'temporarily_unavailable', error_description: description });
  }
  const details = [];
  if (error) {
    details.push(`error="${error}"`, `error_description="${challengeText(description)}"`);
    if (scope) details.push(`scope="${scope}"`);
  }
  const bearer = [`realm="${REALM}"`, ...(scheme === 'Bearer' ? details : [])].join(', ');
  const dpop = [`algs="${DPOP_ALGORITHMS.join(' ')}"`, ...(scheme === 'DPoP' ? details : [])].join(', ');
  const challenges = [];
  if (scheme !== 'DPoP') challenges.push(`Bearer ${bearer}`);
  if (scheme !== 'Bearer' || dpopChallenge) challenges.push(`DPoP ${dpop}`);
  res.setHeader('WWW-Authenticate', challenges);
  return sendJson(res, status, { error: error ?? 'invalid_token', error_description: description });
}

/** RFC 6750 3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (printable ASCII but `"` and `\`). */
function challengeText(text) {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Requests and responses

/**
 * CORS (Fetch standard): only the allowed origins get `Access-Control-Allow-Origin`; a preflight is answered with
 * the methods and headers the API uses. `Vary: Origin` always, as the answer depends on it.
 */
function applyCors(req, res, allowedOrigins) {
  res.setHeader('Vary', 'Origin');
  const { origin } = req.headers;
  if (!origin || !allowedOrigins.has(origin)) return;
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, dpop');
    res.setHeader('Access-Control-Max-Age', '600');
  } else {
    // Lets the page read the challenge of a 401 / 403, and the DPoP nonce to sign its next proof with.
    res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, DPoP-Nonce');
  }
}

/** Reads a JSON request body of at most MAX_BODY_BYTES. */
async function readJsonBody(req) {
  const declared = Number(req.headers['content-length']);
  const tooLarge = {
    ok: false, status: 413, error: 'invalid_request', description: `The body is larger than ${MAX_BODY_BYTES} bytes`,
  };
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    return tooLarge;
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      return tooLarge;
    }
    chunks.push(chunk);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    return { ok: false, status: 400, error: 'invalid_request', description: 'The body must be JSON (Content-Type: application/json)' };
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, error: 'invalid_request', description: 'The body is not valid JSON' };
  }
}

/**
 * Checks a new appointment: an object with `title` (string, 1 to 120 characters after trimming, no control
 * characters), `date` (a real calendar date as YYYY-MM-DD) and optionally `time` (HH:MM, 24-hour; null or "" for
 * none, as a form's empty field sends it), nothing else.
 */
function validateAppointment(input) {
  const fail = (description) => ({ ok: false, description });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('The body must be a JSON object: { "title": string, "date": "YYYY-MM-DD", "time"?: "HH:MM" }');
  }
  const unknown = Object.keys(input).filter((key) => !APPOINTMENT_FIELDS.has(key));
  if (unknown.length) return fail(`Unknown field ${JSON.stringify(unknown[0])}: only title, date and time are accepted`);

  const { title, date, time } = input;
  if (title === undefined) return fail('title is required');
  if (typeof title !== 'string') return fail('title must be a string');
  const trimmed = title.trim();
  const length = [...trimmed].length;
  if (length < 1 || length > 120) return fail('title must be 1 to 120 characters long');
  if (/\p{Cc}/u.test(trimmed)) return fail('title must not contain control characters');

  if (date === undefined) return fail('date is required');
  if (typeof date !== 'string') return fail('date must be a string (YYYY-MM-DD)');
  if (!isCalendarDate(date)) return fail('date must be a valid date as YYYY-MM-DD');

  // An HTML form sends an optional field left empty as "": that is no time, like null or no field at all.
  if (time !== undefined && time !== null && time !== '') {
    if (typeof time !== 'string') return fail('time must be a string (HH:MM)');
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) return fail('time must be a valid 24-hour time as HH:MM');
  }
  return { ok: true, value: { title: trimmed, date, time: time || null } };
}

/** YYYY-MM-DD naming a day that exists (no 2025-02-29). */
function isCalendarDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function sendJson(res, status, value) {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

// ---------------------------------------------------------------------------------------------------------------
// Appointments

/** In-memory appointments per `sub`; the demo users (`ada`, `grace`) start with two each. */
function createStore() {
  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const seed = {
    ada: [
      { title: 'Review the Analytical Engine notes', date: day(1), time: '10:00' },
      { title: 'Tea with Charles Babbage', date: day(3), time: '16:30' },
    ],
    grace: [
      { title: 'COBOL committee meeting', date: day(2), time: '09:00' },
      { title: 'Nanosecond wire lecture', date: day(5), time: null },
    ],
  };
  const bySub = new Map(
    Object.entries(seed).map(([sub, list]) => [sub, list.map((item) => ({ id: randomUUID(), ...item }))]),
  );
  const sortKey = (a) => `${a.date}T${a.time ?? '99:99'}`;

  return {
    list(sub) {
      return [...(bySub.get(sub) ?? [])].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    },
    add(sub, { title, date, time }) {
      const appointment = { id: randomUUID(), title, date, time };
      if (!bySub.has(sub)) bySub.set(sub, []);
      bySub.get(sub).push(appointment);
      return appointment;
    },
  };
}

// The appointments API of the demo: a resource server that accepts JWT access tokens (RFC 9068) from one issuer
// for one audience, as in "Implement the Implicit Grant" step 4 ("Verify the Token"). Plain node:http, loopback
// only, appointments kept in memory per user (`sub`).
//
//   GET  /api/appointments   scope read:appointments   200 [{ id, title, date, time }, …] (sorted by date and time)
//   POST /api/appointments   scope write:appointments  JSON { title, date: 'YYYY-MM-DD', time?: 'HH:MM' }
//                                                      → 201 { id, title, date, time } (time null when not given)
//
// Errors are JSON `{ error, error_description }`: 401 invalid_token and 403 insufficient_scope with the RFC 6750
// `WWW-Authenticate` challenge, 400 invalid_request, 404, 405, 413, 503 when the issuer's keys cannot be fetched.
// Tokens are never logged.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
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
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startApi({
  port = 7001,
  host = 'localhost',
  issuer,
  audience = 'http://localhost:7001',
  allowedOrigin,
  log = (message) => console.error(message),
} = {}) {
  assertLoopback(host);
  if (!issuer) throw new TypeError('startApi: issuer is required');
  const allowedOrigins = new Set([allowedOrigin ?? []].flat().map((origin) => new URL(origin).origin));
  const verify = createVerifier({ issuer, audience });
  const store = createStore();

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

    const auth = await authenticate(req, verify, log);
    if (!auth.ok) return sendAuthError(res, auth);
    const granted = scopesOf(auth.payload);
    if (!granted.has(scope)) {
      return sendAuthError(res, {
        status: 403,
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
  return { url, close: () => close(server) };
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

/**
 * A function that verifies an access token and resolves with its payload. The JWKS location comes from the issuer's
 * discovery document (whose `issuer` must be the configured one, OpenID Connect Discovery 4.3); a failed discovery is
 * tried again on the next request. `createRemoteJWKSet` caches the keys and refetches them for an unknown `kid`.
 */
function createVerifier({ issuer, audience }) {
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
    });
    return payload;
  };
}

/**
 * Reads the bearer token (RFC 6750 2.1) and verifies it. Resolves with `{ ok: true, payload }` or an error
 * `{ ok: false, status, error?, description }`. No credentials at all, or another scheme, is RFC 6750 3.1's
 * "lacks any authentication information": a challenge without an error code.
 */
async function authenticate(req, verify, log) {
  const header = req.headers.authorization;
  const [scheme, ...rest] = (header ?? '').trim().split(/ +/);
  if (!header || scheme.toLowerCase() !== 'bearer') {
    return { ok: false, status: 401, description: 'Send an access token: Authorization: Bearer <token>' };
  }
  const token = rest.join(' ');
  if (rest.length !== 1 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    return { ok: false, status: 401, error: 'invalid_token', description: 'The access token is malformed' };
  }
  try {
    return { ok: true, payload: await verify(token) };
  } catch (error) {
    if (keysUnavailable(error)) {
      log(`demo API: cannot get the issuer's keys: ${error.message}`);
      return { ok: false, status: 503, unavailable: true, description: 'The token issuer\'s keys cannot be fetched' };
    }
    return { ok: false, status: 401, error: 'invalid_token', description: describeTokenError(error) };
  }
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

/** 401 / 403 with RFC 6750 3's `WWW-Authenticate: Bearer …` challenge (503 when the keys are out of reach). */
function sendAuthError(res, { status, error, description, scope, unavailable }) {
  if (unavailable) {
    return sendJson(res, 503, { error: 'temporarily_unavailable', error_description: description });
  }
  const params = [`realm="${REALM}"`];
  if (error) {
    params.push(`error="${error}"`, `error_description="${challengeText(description)}"`);
    if (scope) params.push(`scope="${scope}"`);
  }
  res.setHeader('WWW-Authenticate', `Bearer ${params.join(', ')}`);
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
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type');
    res.setHeader('Access-Control-Max-Age', '600');
  } else {
    // Lets the page read the challenge of a 401 / 403.
    res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate');
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

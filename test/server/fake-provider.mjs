// The unit tests' fake OpenID provider and protected API.
//
// A Koa-style middleware mounted into @web/dev-server by web-test-runner.config.mjs,
// so the browser tests talk real HTTP to the same origin and get tokens with real
// signatures (made with `jose`). It is deliberately tiny and permissive; it is
// NOT a real OP (the demo uses node-oidc-provider for that).
//
// Everything lives in memory, keyed per tenant: each test picks a fresh random
// tenant name and so gets its own keys and counters. Tenant names match
// /^[A-Za-z0-9_-]{1,64}$/ and may carry behaviour prefixes. They combine: the
// leading `-`-separated words of the name that are prefixes below all apply, in
// any order (`ttl10-refuse-x`, `wm-hang-x`, `hint-ttl30-x`); the first word that
// is not one ends them (and the last word is never one: `hint-x`, not `hint-`).
//   nokid-…      the JWKS holds one RS256 key without `kid`; tokens carry no `kid`
//   badissuer-…  the discovery document claims issuer ORIGIN/idp/other
//   notoken-…    the discovery document has no token_endpoint
//   badchash-…   ID tokens from the token endpoint carry the c_hash of another code
//   oddjson-…    the token endpoint's JSON has an object for access_token and a number for scope
//   hang-…       never answers a prompt=none authorize request (the page stays on the provider), nor a revocation
//                request (held open until the client goes away)
//   wait-…       never answers an authorize request at all (the user is still on the provider's page)
//   wm-…         also supports response_mode=web_message (Auth0's), listed in the discovery document
//   no3p-…       the third-party-cookie check says "unsupported"
//   ttlN-…       access tokens live N seconds (1..86400): `expires_in` N in the implicit answer (fragment or
//                web_message) and in the token endpoint's JSON, and the access token's `exp` = iat + N (default
//                3600). ID tokens keep `exp` = iat + 3600.
//   refuse-…     /api/T/echo refuses every request: 401 with `WWW-Authenticate: Bearer error="invalid_token"`, also
//                for tokens that verify (still counted in apiCalls, and in refusals; not in verifiedCalls)
//   refuseonce-… /api/T/echo refuses the first request of the tenant whose bearer token verifies (401, as `refuse-`;
//                counted in refusals), then answers normally: every later request, with that token or another, passes
//   iss-…        RFC 9207: the discovery document says authorization_response_iss_parameter_supported, and every
//                authorization response (success or error, fragment or web_message) carries `iss`
//   weakrsa-…    the tenant's RS256 key (rs-1) has a 1024-bit modulus (RFC 7518 3.3 asks for 2048 at least)
//   hint-…       answers a prompt=none authorize request that has no `id_token_hint` with error=invalid_request and
//                error_description "id_token mandatory" (to the redirect URI, with state, as any error), and one
//                whose hint is not an ID token of this tenant (signature with its current keys, iss, aud = client_id;
//                an expired one is fine, OIDC Core 3.1.2.1) with error_description "id_token_hint invalid";
//                with a valid hint, normally. Every tenant counts hints in its stats (below).
//   dpopnonce-…  DPoP (RFC 9449) nonces required: the token endpoint answers a proof without the tenant's nonce with
//                400 use_dpop_nonce, /api/T/echo with 401 `WWW-Authenticate: DPoP error="use_dpop_nonce"`, both with
//                a `DPoP-Nonce` header (counted in nonceRefusals)
//   dpopbearer-… the token endpoint answers a DPoP request with token_type Bearer (an unbound token)
// DPoP, in every tenant: a token request with a `DPoP` proof (checked: typ, ES256/384/512 signature with the embedded
// key, htm, htu, iat within 60 s, a new jti) gets `token_type: DPoP` and an access token with `cnf.jkt`; a code
// asked for with `dpop_jkt`, and a refresh token issued to a proof, need a proof of that very key. /api/T/echo
// takes `Authorization: DPoP` with a proof (plus `ath`, and the token's `cnf.jkt`), and refuses a bound token sent as
// Bearer. Every proof that passed is in the stats (dpopProofs: { header, payload } in order).
//   norevoke-…   the discovery document has no revocation_endpoint
//   rtonly-…     the revocation endpoint revokes refresh tokens only: an access token of the tenant gets 400
//                unsupported_token_type (RFC 7009 2.2.1, as providers with JWT access tokens answer)
//   revoke503-…  the revocation endpoint is down: 503 with Retry-After, revoking nothing (RFC 7009 2.2.1)
//
// Routes (T = tenant, ORIGIN = http://<Host header>):
//   GET  /idp/T/.well-known/openid-configuration   discovery document
//   GET  /idp/T/jwks                               public keys (counts jwksFetches)
//   POST /idp/T/rotate                             new RS256 key rs-2, rs-3, … → { kid }
//   POST /idp/T/publish                            { rs?, es?, ed? }: members merged into that published JWK (null
//                                                  deletes one: { rs: { use: 'enc' } }, { es: { key_ops: null } })
//   GET  /idp/T/stats                              { jwksFetches, apiCalls, verifiedCalls, silentRequests, cookieChecks,
//                                                    codeExchanges, refreshes, refusals, hints, validHints, lastHint,
//                                                    prompts }
//                                                  refusals: 401s given by `refuse-`/`refuseonce-` to tokens that
//                                                  verified; hints: prompt=none authorize requests that carried
//                                                  id_token_hint (any tenant), validHints: those whose hint is an ID
//                                                  token of this tenant (as `hint-` checks), lastHint: the last hint
//                                                  (string, or null); prompts: the `prompt` of every authorize request
//                                                  in order (null when absent)
//   GET  /idp/T/3p-cookies/step1.html              Keycloak-style third-party-cookie check (`no3p-`: unsupported)
//   POST /idp/T/sign                               { header?, payload, key?, alg?, unsigned? } → { jwt }
//                                                  key: rs (default), es, ed (Ed25519, kid ed-1, alg EdDSA), or
//                                                  attacker-rs / attacker-es / attacker-ed (same kid, other key)
//   GET  /idp/T/authorize?…[&deny=1][&format=json] signs in user-1 at once, answers in the fragment; sets a
//                                                  provider-session cookie; prompt=none needs it (else login_required);
//                                                  `hang-` tenants never answer prompt=none, `wait-` tenants
//                                                  never answer at all
//                                                  response_type=code needs a PKCE S256 code_challenge; the code
//                                                  (single use, 10 minutes) is bound to client_id and redirect_uri
//   POST /idp/T/token                              form-encoded token requests of public clients (RFC 6749):
//                                                  grant_type=authorization_code (code, redirect_uri, client_id,
//                                                  code_verifier: the PKCE S256 check) and refresh_token (rotation: a
//                                                  refresh token is used once; using one again revokes every refresh
//                                                  token descended from the same code). Errors as RFC 6749 5.2 JSON.
//   POST /idp/T/revoke                             RFC 7009 token revocation of public clients: a form with token,
//                                                  token_type_hint (optional) and client_id (401 invalid_client
//                                                  without). 200 for a token of the tenant (revoked) and for an unknown
//                                                  one (nothing to do); 400 invalid_request for another client's token.
//                                                  A revoked refresh token revokes its grant: the refresh grant then
//                                                  answers invalid_grant. Every request is recorded in the stats'
//                                                  revocations: { type (refresh_token, access_token or unknown: what
//                                                  the token was, whatever the hint), hint (or null), clientId (or
//                                                  null), fields (the form's names, in order), revoked, status }
//   GET  /idp/T/logout[?post_logout_redirect_uri=…&state=…]
//   *    /api/T/echo          bearer-protected echo { sub, scope, method, query, body, contentType }
//   *    /api/T/status/:code  answers with that status (no auth)
//   GET  /api/T/text | /api/T/slow?ms=N | /api/T/invalid-json
// Every request reaching /api/T/* counts in apiCalls (before authentication); verifiedCalls counts the
// /api/T/echo requests whose bearer token verified.
import { createHash, generateKeyPairSync, KeyObject, randomBytes, sign as rsaSign } from 'node:crypto';
import { base64url, calculateJwkThumbprint, compactVerify, CompactSign, createLocalJWKSet, EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify } from 'jose';

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;
/** The behaviour prefixes (see the header), besides `ttlN`. */
const FLAGS = new Set(['nokid', 'badissuer', 'notoken', 'badchash', 'oddjson', 'hang', 'wait', 'wm', 'no3p', 'refuse', 'refuseonce', 'hint', 'iss', 'weakrsa', 'dpopnonce', 'dpopbearer', 'norevoke', 'rtonly', 'revoke503']);
const DEFAULT_TTL = 3600;

/** The behaviours a tenant name asks for: its leading prefix words (all but the last word), up to the first other one. */
function behaviours(name) {
  const flags = new Set();
  let ttl = DEFAULT_TTL;
  for (const word of name.split('-').slice(0, -1)) {
    const lifetime = /^ttl(\d{1,5})$/.exec(word);
    if (lifetime && Number(lifetime[1]) >= 1 && Number(lifetime[1]) <= 86400) ttl = Number(lifetime[1]);
    else if (FLAGS.has(word)) flags.add(word);
    else break;
  }
  return { flags, ttl };
}
const RESPONSE_TYPES = ['id_token token', 'id_token', 'token', 'code'];
const USER = { sub: 'user-1', name: 'Ada Lovelace', email: 'ada@example.com' };
const tenants = new Map(); // name -> Promise<state>

async function keyPair(alg, kid, modulusLength) {
  if (modulusLength) {
    // Under 2048 bits jose will not sign: node's own crypto makes and (in sign below) uses the key.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
    return { alg, kid, privateKey, publicKey, weak: true };
  }
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  // A KeyObject lets /sign use other algorithms of the same key type (RS384, PS256…).
  return { alg, kid, privateKey: KeyObject.from(privateKey), publicKey };
}

function tenant(name) {
  if (!tenants.has(name)) {
    const { flags, ttl } = behaviours(name);
    const created = Promise.all([
      keyPair('RS256', 'rs-1', flags.has('weakrsa') ? 1024 : 0), keyPair('ES256', 'es-1'), keyPair('EdDSA', 'ed-1'), keyPair('RS256'), keyPair('ES256'), keyPair('EdDSA'),
    ]).then(([rs, es, ed, attackerRs, attackerEs, attackerEd]) => {
      return {
        name, rs, es, ed, attacker: { rs: attackerRs, es: attackerEs, ed: attackerEd }, rsGeneration: 1, published: {},
        is: (flag) => flags.has(flag), ttl,
        nokid: flags.has('nokid'), jwksFetches: 0, apiCalls: 0, verifiedCalls: 0, silentRequests: 0, cookieChecks: 0,
        codeExchanges: 0, refreshes: 0, codes: new Map(), refreshTokens: new Map(),
        refusals: 0, refusedOnce: false, hints: 0, validHints: 0, lastHint: null, prompts: [],
        dpopNonce: randomBytes(16).toString('base64url'), jtis: new Set(), dpopProofs: [], nonceRefusals: 0,
        revocations: [],
      };
    });
    created.catch(() => tenants.delete(name));
    tenants.set(name, created);
  }
  return tenants.get(name);
}

const origin = (ctx) => `http://${ctx.host}`;
const issuer = (ctx, t) => `${origin(ctx)}/idp/${t.name}`;
const publishedKid = (t, family) => (t.nokid && family === 'rs' ? undefined : t[family].kid);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const httpUrl = (value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.hash ? url : null;
  } catch {
    return null;
  }
};

function send(ctx, status, body, type = 'application/json') {
  ctx.status = status;
  ctx.body = type === 'application/json' && typeof body !== 'string' ? JSON.stringify(body) : body;
  ctx.set('content-type', type);
  ctx.set('cache-control', 'no-store');
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function publicJwks(t) {
  // `publish` edits: merged in, null deleting a member.
  const edited = (family, jwk) => Object.fromEntries(Object.entries({ ...jwk, ...t.published[family] }).filter(([, value]) => value !== null));
  const rs = edited('rs', { ...(await exportJWK(t.rs.publicKey)), alg: 'RS256', use: 'sig' });
  if (t.nokid) return { keys: [rs] };
  const es = { ...(await exportJWK(t.es.publicKey)), alg: 'ES256', use: 'sig' };
  const ed = { ...(await exportJWK(t.ed.publicKey)), alg: 'EdDSA', use: 'sig' };
  return { keys: [edited('rs', { kid: t.rs.kid, ...rs }), edited('es', { kid: t.es.kid, ...es }), edited('ed', { kid: t.ed.kid, ...ed })] };
}

/** Signs `payload` exactly as given (no added claims). Throws on impossible key/alg pairs. */
async function sign(t, { header = {}, payload, key = 'rs', alg, unsigned = false }) {
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  if (unsigned) {
    return `${base64url.encode(JSON.stringify({ alg: 'none', ...header }))}.${base64url.encode(bytes)}.`;
  }
  const family = key.slice(-2);
  if (!['rs', 'es', 'ed', 'attacker-rs', 'attacker-es', 'attacker-ed'].includes(key)) throw new Error(`unknown key "${key}"`);
  const pair = key.startsWith('attacker-') ? t.attacker[family] : t[family];
  // Attacker keys claim the published kid of their family: the forged-signature case.
  const protectedHeader = { alg: pair.alg, kid: publishedKid(t, family), typ: 'JWT', ...header };
  if (alg) protectedHeader.alg = alg;
  for (const [name, value] of Object.entries(protectedHeader)) {
    if (value === null || value === undefined) delete protectedHeader[name]; // `kid: null` drops it
  }
  if (protectedHeader.alg === 'none') return sign(t, { header: protectedHeader, payload, unsigned: true });
  // HS* = algorithm confusion: the HMAC secret is the public key's PEM, as an attacker would use.
  const secret = String(protectedHeader.alg).startsWith('HS')
    ? new TextEncoder().encode(KeyObject.from(pair.publicKey).export({ type: 'spki', format: 'pem' }))
    : pair.privateKey;
  if (pair.weak && protectedHeader.alg === 'RS256') {
    const input = `${base64url.encode(JSON.stringify(protectedHeader))}.${base64url.encode(bytes)}`;
    return `${input}.${base64url.encode(rsaSign('sha256', Buffer.from(input), pair.privateKey))}`;
  }
  return new CompactSign(bytes).setProtectedHeader(protectedHeader).sign(secret);
}

/**
 * Checks the request's DPoP proof (RFC 9449 section 4.3) for `htu` (and `accessToken`'s `ath`): `{ jkt }` of its key,
 * `{ nonce: true }` when a `dpopnonce-` tenant's nonce is missing or wrong, `{ error }` for any other failure.
 */
async function checkProof(ctx, t, htu, accessToken) {
  const proof = ctx.get('dpop');
  if (!proof || proof.includes(',')) return { error: 'exactly one DPoP proof required' };
  try {
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256', 'ES384', 'ES512'] });
    if ('d' in protectedHeader.jwk) return { error: 'the proof carries a private key' };
    if (payload.htm !== ctx.method) return { error: `htm ${payload.htm} is not ${ctx.method}` };
    if (payload.htu !== htu) return { error: `htu ${payload.htu} is not ${htu}` };
    if (typeof payload.iat !== 'number' || Math.abs(nowSeconds() - payload.iat) > 60) return { error: 'iat out of range' };
    if (typeof payload.jti !== 'string' || t.jtis.has(payload.jti)) return { error: 'jti missing or already used' };
    if (accessToken !== undefined && payload.ath !== base64url.encode(createHash('sha256').update(accessToken, 'ascii').digest())) return { error: 'ath does not match the access token' };
    if (t.is('dpopnonce') && payload.nonce !== t.dpopNonce) {
      t.nonceRefusals += 1;
      ctx.set('dpop-nonce', t.dpopNonce);
      return { nonce: true };
    }
    t.jtis.add(payload.jti);
    t.dpopProofs.push({ header: protectedHeader, payload });
    return { jkt: await calculateJwkThumbprint(protectedHeader.jwk) };
  } catch (error) {
    return { error: error.message };
  }
}

function fragment(pairs) {
  return pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
}

async function authorize(ctx, t) {
  const q = ctx.query;
  const one = (name) => (typeof q[name] === 'string' ? q[name] : undefined);
  const responseType = (one('response_type') ?? '').split(' ').filter(Boolean).sort().join(' ');
  const redirect = httpUrl(one('redirect_uri'));
  const state = one('state');
  t.prompts.push(one('prompt') ?? null);
  const answer = (pairs) => {
    if (t.is('iss')) pairs = [...pairs, ['iss', issuer(ctx, t)]];
    // Auth0's response_mode=web_message: a page that posts the response to the page that framed it (expires_in as a number).
    if (one('response_mode') === 'web_message') {
      const response = Object.fromEntries(pairs.map(([name, value]) => [name, name === 'expires_in' ? Number(value) : value]));
      return send(ctx, 200, `<!doctype html><script>parent.postMessage(${JSON.stringify({ type: 'authorization_response', response })}, ${JSON.stringify(redirect.origin)})</script>`, 'text/html');
    }
    const location = `${redirect.href}#${fragment(pairs)}`;
    if (one('format') === 'json') return send(ctx, 200, { location });
    ctx.set('cache-control', 'no-store');
    ctx.redirect(location); // 302
  };
  const fail = (error, description) => {
    if (!redirect) return send(ctx, 400, { error, error_description: description });
    return answer([['error', error], ['error_description', description], ...(state ? [['state', state]] : [])]);
  };

  if (!RESPONSE_TYPES.includes(responseType)) return fail('invalid_request', 'Unsupported response_type');
  if (!one('client_id')) return fail('invalid_request', 'Missing client_id');
  if (!redirect) return fail('invalid_request', 'Missing or invalid redirect_uri');
  if (!state) return fail('invalid_request', 'Missing state');
  const wantsIdToken = responseType.includes('id_token');
  if (wantsIdToken && !one('nonce')) return fail('invalid_request', 'Missing nonce');
  if (one('deny') === '1') return fail('access_denied', 'The user denied access');
  // A provider session: set by any interactive sign-in, required by prompt=none (OIDC Core 3.1.2.1).
  const sessionCookie = `idp_${t.name}`;
  // `wait-` tenants never answer at all: the user is still on the provider's page (popup tests).
  if (t.is('wait')) return send(ctx, 200, '<!doctype html><title>sign in</title><p>Waiting for the user', 'text/html');
  if (one('prompt') === 'none') {
    t.silentRequests += 1;
    const hint = one('id_token_hint');
    const validHint = hint !== undefined && await isOwnIdToken(ctx, t, hint, one('client_id'));
    if (hint !== undefined) {
      t.hints += 1;
      t.lastHint = hint;
      if (validHint) t.validHints += 1;
    }
    // `hint-` tenants want to know whom a silent request is for (OIDC Core 3.1.2.1 allows requiring it).
    if (t.is('hint') && hint === undefined) return fail('invalid_request', 'id_token mandatory');
    if (t.is('hint') && !validHint) return fail('invalid_request', 'id_token_hint invalid');
    // `hang-` tenants never answer a silent request (the page stays on the provider), for time-out tests.
    if (t.is('hang')) return send(ctx, 200, '<!doctype html><title>waiting</title>', 'text/html');
    if (!ctx.cookies.get(sessionCookie)) return fail('login_required', 'No provider session');
  } else {
    ctx.cookies.set(sessionCookie, '1', { path: `/idp/${t.name}`, httpOnly: true, sameSite: 'lax' });
  }

  const grant = { clientId: one('client_id'), scope: one('scope') ?? '', audience: one('audience'), nonce: one('nonce') };
  if (responseType === 'code') {
    // RFC 7636 section 4.4.1: this provider requires PKCE with S256 for every code.
    const challenge = one('code_challenge');
    if (!challenge || one('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge with code_challenge_method=S256 required');
    const code = randomBytes(24).toString('base64url');
    t.codes.set(code, { ...grant, redirectUri: one('redirect_uri'), challenge, createdAt: Date.now(), dpopJkt: one('dpop_jkt') });
    return answer([['code', code], ['state', state]]);
  }
  const pairs = await issueTokens(ctx, t, grant, { idToken: wantsIdToken, accessToken: responseType.split(' ').includes('token') });
  pairs.push(['state', state]);
  return answer(pairs);
}

/**
 * Whether `jwt` is an ID token this tenant issued for `clientId`: signed with one of its current keys, its issuer,
 * `aud` naming the client. Its `exp` does not matter (an id_token_hint may have expired).
 */
async function isOwnIdToken(ctx, t, jwt, clientId) {
  try {
    const { payload } = await compactVerify(jwt, createLocalJWKSet(await publicJwks(t)), { algorithms: ['RS256', 'ES256', 'EdDSA'] });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    const audience = [claims.aud].flat();
    return claims.iss === issuer(ctx, t) && typeof clientId === 'string' && audience.includes(clientId);
  } catch {
    return false;
  }
}

/** base64url of the left half of the SHA-256 of `value` (at_hash, c_hash with RS256/ES256). */
const halfHash = (value) => base64url.encode(createHash('sha256').update(value, 'ascii').digest().subarray(0, 16));

/**
 * The tokens of a grant as response pairs: an access token (with `token_type`, `expires_in`, `scope`) and an ID token
 * for user-1 (with `at_hash` in a front-channel response, `c_hash` for a code).
 */
async function issueTokens(ctx, t, grant, { idToken, accessToken: wantsAccessToken, code, jkt }) {
  const iat = nowSeconds();
  const iss = issuer(ctx, t);
  const { scope, clientId } = grant;
  const pairs = [];
  let accessToken;
  if (wantsAccessToken) {
    accessToken = await sign(t, {
      payload: {
        iss, sub: USER.sub, aud: grant.audience ?? `${origin(ctx)}/api`, scope, iat, exp: iat + t.ttl, client_id: clientId,
        ...(jkt && !t.is('dpopbearer') && { cnf: { jkt } }),
        // Two tokens of one grant in the same second differ (RS256 is deterministic).
        ...(code === undefined && !grant.family ? {} : { jti: randomBytes(8).toString('base64url') }),
      },
    });
    pairs.push(['access_token', accessToken], ['token_type', jkt && !t.is('dpopbearer') ? 'DPoP' : 'Bearer'], ['expires_in', String(t.ttl)], ['scope', scope]);
  }
  if (idToken) {
    const payload = { iss, sub: USER.sub, aud: clientId, exp: iat + 3600, iat, nonce: grant.nonce, name: USER.name, email: USER.email };
    // From the token endpoint at_hash is optional (OpenID Connect Core 3.1.3.6): left out there; c_hash for a code.
    if (accessToken && code === undefined && !grant.family) payload.at_hash = halfHash(accessToken);
    if (code !== undefined) payload.c_hash = halfHash(t.is('badchash') ? `${code}x` : code);
    pairs.push(['id_token', await sign(t, { payload })]);
  }
  return pairs;
}

/**
 * The token endpoint of public clients (no client authentication): the authorization code grant with the PKCE check,
 * and the refresh token grant with rotation and reuse detection (RFC 9700 section 4.14.2).
 */
async function token(ctx, t) {
  const error = (status, code, description) => send(ctx, status, { error: code, error_description: description });
  if (!/^application\/x-www-form-urlencoded(;|$)/.test(ctx.get('content-type'))) return error(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  const body = new URLSearchParams(await readBody(ctx.req));
  for (const name of body.keys()) if (body.getAll(name).length > 1) return error(400, 'invalid_request', `${name} given twice`);
  const clientId = body.get('client_id');
  if (!clientId) return error(401, 'invalid_client', 'client_id missing');
  // RFC 9449 section 5: a proof, checked before anything is used up (a nonce refusal is answered before the code is).
  let jkt;
  if (ctx.get('dpop')) {
    const proof = await checkProof(ctx, t, `${issuer(ctx, t)}/token`);
    if (proof.nonce) return error(400, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof');
    if (proof.error) return error(400, 'invalid_dpop_proof', proof.error);
    ({ jkt } = proof);
  }
  let grant;
  let code;
  if (body.get('grant_type') === 'authorization_code') {
    t.codeExchanges += 1;
    code = body.get('code') ?? '';
    const issued = t.codes.get(code);
    if (!issued || Date.now() - issued.createdAt > 600_000) return error(400, 'invalid_grant', 'unknown or expired authorization code');
    // RFC 6749 section 4.1.2: a code is used once; a second use revokes what the first one gave.
    if (issued.used) {
      if (issued.family) issued.family.revoked = true;
      return error(400, 'invalid_grant', 'authorization code already used');
    }
    issued.used = true;
    if (issued.clientId !== clientId) return error(400, 'invalid_grant', 'the authorization code was issued to another client');
    if (issued.redirectUri !== body.get('redirect_uri')) return error(400, 'invalid_grant', 'redirect_uri is not the one of the authorization request');
    const verifier = body.get('code_verifier');
    if (!verifier) return error(400, 'invalid_grant', 'code_verifier missing');
    // RFC 9449 section 10: a code asked for with dpop_jkt is redeemed with a proof of that key only.
    if (issued.dpopJkt && issued.dpopJkt !== jkt) return error(400, 'invalid_grant', 'dpop_jkt of the authorization request does not match the DPoP proof');
    // RFC 7636 sections 4.1 and 4.6.
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || createHash('sha256').update(verifier, 'ascii').digest('base64url') !== issued.challenge) {
      return error(400, 'invalid_grant', 'PKCE verification failed: code_verifier does not match code_challenge');
    }
    issued.family = { revoked: false };
    grant = { ...issued, family: issued.family };
  } else if (body.get('grant_type') === 'refresh_token') {
    t.refreshes += 1;
    grant = t.refreshTokens.get(body.get('refresh_token'));
    if (!grant || grant.family.revoked) return error(400, 'invalid_grant', 'refresh token unknown or revoked');
    if (grant.clientId !== clientId) return error(400, 'invalid_grant', 'the refresh token was issued to another client');
    // RFC 9449 section 5: a refresh token issued to a DPoP proof is bound to its key.
    if (grant.jkt && grant.jkt !== jkt) return error(400, 'invalid_grant', 'the refresh token is bound to another DPoP key');
    // Rotation: each refresh token works once; one used again was stolen or replayed, so the whole grant goes.
    if (grant.used) {
      grant.family.revoked = true;
      return error(400, 'invalid_grant', 'refresh token already used: every token of this grant is revoked');
    }
    grant.used = true;
  } else {
    return error(400, 'unsupported_grant_type', `grant_type ${body.get('grant_type')} not supported`);
  }
  const answer = Object.fromEntries(await issueTokens(ctx, t, grant, { idToken: grant.scope.split(' ').includes('openid'), accessToken: true, code, jkt }));
  answer.expires_in = t.ttl;
  answer.refresh_token = randomBytes(24).toString('base64url');
  // `oddjson-` tenants answer with JSON of the wrong types: an object for the access token, a number for the scope.
  if (t.is('oddjson')) Object.assign(answer, { access_token: { value: answer.access_token }, scope: 42 });
  const { clientId: owner, scope, audience, nonce, family } = grant;
  t.refreshTokens.set(answer.refresh_token, { clientId: owner, scope, audience, nonce, family, jkt: t.is('dpopbearer') ? undefined : jkt });
  return send(ctx, 200, answer);
}

/**
 * The revocation endpoint of public clients (RFC 7009 section 2): revokes a refresh token (with its whole grant, so
 * the refresh grant refuses it) or an access token of the tenant; an unknown token is answered 200 as well (2.2).
 */
async function revoke(ctx, t) {
  const error = (status, code, description) => send(ctx, status, { error: code, error_description: description });
  if (!/^application\/x-www-form-urlencoded(;|$)/.test(ctx.get('content-type'))) return error(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  const body = new URLSearchParams(await readBody(ctx.req));
  const token = body.get('token') ?? '';
  const clientId = body.get('client_id');
  let type = 'unknown';
  let owner;
  const grant = t.refreshTokens.get(token);
  if (grant) [type, owner] = ['refresh_token', grant.clientId];
  else {
    try {
      const { payload } = await jwtVerify(token, createLocalJWKSet(await publicJwks(t)), { issuer: issuer(ctx, t), algorithms: ['RS256', 'ES256', 'EdDSA'] });
      if (payload.client_id !== undefined) [type, owner] = ['access_token', payload.client_id];
    } catch {
      // Not a token of this tenant: unknown.
    }
  }
  const record = { type, hint: body.get('token_type_hint'), clientId, fields: [...body.keys()], revoked: false, status: 200 };
  t.revocations.push(record);
  const refuse = (status, code, description) => {
    record.status = status;
    return error(status, code, description);
  };
  // `hang-` tenants never answer: held open until the client gives up (its time-out or abort closes the connection).
  if (t.is('hang')) {
    record.status = null;
    await new Promise((resolve) => ctx.res.once('close', resolve));
    ctx.status = 499;
    ctx.respond = false;
    return undefined;
  }
  if (t.is('revoke503')) {
    ctx.set('retry-after', '30');
    return refuse(503, 'temporarily_unavailable', 'the revocation service is down');
  }
  for (const name of body.keys()) if (body.getAll(name).length > 1) return refuse(400, 'invalid_request', `${name} given twice`);
  if (!clientId) return refuse(401, 'invalid_client', 'client_id missing');
  if (!token) return refuse(400, 'invalid_request', 'token missing');
  if (type !== 'unknown' && owner !== clientId) return refuse(400, 'invalid_request', 'the token was issued to another client');
  if (type === 'access_token' && t.is('rtonly')) return refuse(400, 'unsupported_token_type', 'access tokens (JWTs) cannot be revoked here');
  if (grant) grant.family.revoked = true;
  record.revoked = type !== 'unknown';
  return send(ctx, 200, '', 'text/plain');
}

async function idp(ctx, t, route, get, post) {
  if (get && route === '/.well-known/openid-configuration') {
    const base = issuer(ctx, t);
    return send(ctx, 200, {
      issuer: t.is('badissuer') ? `${origin(ctx)}/idp/other` : base,
      authorization_endpoint: `${base}/authorize`,
      jwks_uri: `${base}/jwks`,
      token_endpoint: t.is('notoken') ? undefined : `${base}/token`,
      grant_types_supported: ['implicit', 'authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      end_session_endpoint: `${base}/logout`,
      revocation_endpoint: t.is('norevoke') ? undefined : `${base}/revoke`,
      response_types_supported: RESPONSE_TYPES,
      // `wm-` tenants also answer silent requests by web_message, as Auth0 does.
      response_modes_supported: t.is('wm') ? ['fragment', 'web_message'] : ['fragment'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
      dpop_signing_alg_values_supported: ['ES256', 'ES384', 'ES512'],
      ...(t.is('iss') && { authorization_response_iss_parameter_supported: true }),
      scopes_supported: ['openid', 'profile', 'email'],
    });
  }
  if (get && route === '/jwks') {
    t.jwksFetches += 1;
    return send(ctx, 200, await publicJwks(t));
  }
  if (post && route === '/publish') {
    try {
      const edits = JSON.parse(await readBody(ctx.req));
      for (const family of ['rs', 'es', 'ed']) if (edits[family]) t.published[family] = { ...t.published[family], ...edits[family] };
    } catch {
      return send(ctx, 400, { error: 'invalid_request', error_description: 'Body must be JSON' });
    }
    return send(ctx, 200, t.published);
  }
  if (post && route === '/rotate') {
    t.rsGeneration += 1;
    t.rs = await keyPair('RS256', `rs-${t.rsGeneration}`);
    return send(ctx, 200, { kid: t.rs.kid });
  }
  // A third-party-cookie check like Keycloak's: step1 sets a cookie and goes to step2, which tells its parent whether
  // the cookie came back. `no3p-` tenants set none: the answer a browser blocking third-party cookies gives.
  if (get && route === '/3p-cookies/step1.html') {
    if (!t.is('no3p')) ctx.cookies.set(`idp3p_${t.name}`, '1', { path: `/idp/${t.name}` });
    t.cookieChecks += 1;
    ctx.redirect(`/idp/${t.name}/3p-cookies/step2.html`);
    return;
  }
  if (get && route === '/3p-cookies/step2.html') {
    const answer = ctx.cookies.get(`idp3p_${t.name}`) ? 'supported' : 'unsupported';
    return send(ctx, 200, `<!doctype html><script>parent.postMessage(${JSON.stringify(answer)}, '*')</script>`, 'text/html');
  }
  if (get && route === '/stats') {
    const { jwksFetches, apiCalls, verifiedCalls, silentRequests, cookieChecks, codeExchanges, refreshes } = t;
    const { refusals, hints, validHints, lastHint, prompts, dpopProofs, nonceRefusals } = t;
    const { revocations } = t;
    return send(ctx, 200, {
      jwksFetches, apiCalls, verifiedCalls, silentRequests, cookieChecks, codeExchanges, refreshes,
      refusals, hints, validHints, lastHint, prompts, dpopProofs, nonceRefusals,
      revocations,
    });
  }
  if (post && route === '/token') return token(ctx, t);
  if (post && route === '/revoke') return revoke(ctx, t);
  if (post && route === '/sign') {
    let request;
    try {
      request = JSON.parse(await readBody(ctx.req));
    } catch {
      return send(ctx, 400, { error: 'invalid_request', error_description: 'Body must be JSON' });
    }
    if (!request || typeof request.payload !== 'object' || request.payload === null) {
      return send(ctx, 400, { error: 'invalid_request', error_description: 'Missing payload object' });
    }
    try {
      return send(ctx, 200, { jwt: await sign(t, request) });
    } catch (error) {
      return send(ctx, 400, { error: 'invalid_request', error_description: error.message });
    }
  }
  if (get && route === '/authorize') return authorize(ctx, t);
  if (get && route === '/logout') {
    const target = httpUrl(ctx.query.post_logout_redirect_uri);
    ctx.set('cache-control', 'no-store');
    if (target) {
      if (typeof ctx.query.state === 'string') target.searchParams.set('state', ctx.query.state);
      return ctx.redirect(target.href);
    }
    return send(ctx, 200, '<!doctype html><title>Signed out</title><p>You are signed out.</p>', 'text/html');
  }
  return false; // not ours
}

async function api(ctx, t, route, get) {
  if (route === '/echo') {
    const raw = await readBody(ctx.req);
    const contentType = ctx.get('content-type') || null;
    let scheme = 'Bearer';
    const unauthorized = (description, error = 'invalid_token') => {
      send(ctx, 401, { error, error_description: description });
      ctx.set('www-authenticate', `${scheme} error="${error}"`);
    };
    const bearer = /^(Bearer|DPoP) +([^\s]+)$/i.exec(ctx.get('authorization'));
    if (!bearer) return unauthorized('Missing bearer token');
    scheme = /^dpop$/i.test(bearer[1]) ? 'DPoP' : 'Bearer';
    let payload;
    try {
      ({ payload } = await jwtVerify(bearer[2], createLocalJWKSet(await publicJwks(t)), {
        issuer: issuer(ctx, t),
        algorithms: ['RS256', 'ES256'],
      }));
    } catch (error) {
      return unauthorized(error.message);
    }
    // RFC 9449 section 7: a bound token only with a proof of its key; an unbound one only as Bearer.
    if (scheme === 'DPoP' || payload.cnf?.jkt) {
      if (scheme !== 'DPoP') return unauthorized('DPoP-bound token sent as a bearer token');
      if (!payload.cnf?.jkt) return unauthorized('the token is not DPoP-bound');
      const proof = await checkProof(ctx, t, `${origin(ctx)}${ctx.path}`, bearer[2]);
      if (proof.nonce) return unauthorized('Resource server requires nonce in DPoP proof', 'use_dpop_nonce');
      if (proof.error) return unauthorized(proof.error, 'invalid_dpop_proof');
      if (proof.jkt !== payload.cnf.jkt) return unauthorized('the proof is signed with another key than the token is bound to', 'invalid_dpop_proof');
    }
    // `refuse-` refuses every token, `refuseonce-` the first good one of the tenant: an API that says the token is
    // no good although it is (revoked, or an API expecting another audience).
    if (t.is('refuse') || (t.is('refuseonce') && !t.refusedOnce)) {
      t.refusedOnce = true;
      t.refusals += 1;
      return unauthorized('This API refuses the token');
    }
    t.verifiedCalls += 1;
    let body = raw === '' ? null : raw;
    if (body !== null && /json/i.test(contentType ?? '')) {
      try {
        body = JSON.parse(raw);
      } catch {
        // keep the raw text
      }
    }
    return send(ctx, 200, { sub: payload.sub, scope: payload.scope, method: ctx.method, query: ctx.querystring, body, contentType });
  }
  const status = /^\/status\/(\d{3})$/.exec(route);
  if (status) {
    const code = Number(status[1]);
    if (code < 200 || code > 599) return send(ctx, 400, { error: 'status must be 200-599' });
    return send(ctx, code, { status: code });
  }
  if (get && route === '/text') return send(ctx, 200, `hello ${t.name}`, 'text/plain');
  if (get && route === '/invalid-json') return send(ctx, 200, '{not json');
  if (get && route === '/slow') {
    const ms = Math.min(Math.max(Number(ctx.query.ms) || 0, 0), 10000);
    const closed = await new Promise((resolve) => {
      const onClose = () => { clearTimeout(timer); resolve(true); };
      const timer = setTimeout(() => { ctx.res.off('close', onClose); resolve(false); }, ms);
      ctx.res.once('close', onClose);
    });
    if (closed) {
      ctx.status = 499; // (nginx's "client closed request"; keeps the runner from reporting a 404)
      ctx.respond = false; // the client went away: nothing to answer
      return undefined;
    }
    return send(ctx, 200, { slow: true });
  }
  return false; // not ours
}

/** Koa-style middleware for @web/dev-server. */
export async function fakeProvider(ctx, next) {
  const match = /^\/(idp|api)\/([^/]+)(\/.*)$/.exec(ctx.path);
  if (!match || !TENANT.test(match[2])) return next();
  const [, area, name, route] = match;
  const t = await tenant(name);
  const get = ctx.method === 'GET' || ctx.method === 'HEAD';
  const post = ctx.method === 'POST';
  if (area === 'api') t.apiCalls += 1;
  const handled = area === 'idp' ? await idp(ctx, t, route, get, post) : await api(ctx, t, route, get);
  if (handled === false) return next();
  return undefined;
}

export default fakeProvider;

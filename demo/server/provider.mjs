// A local OpenID provider for the auth-elements demo and its end-to-end tests.
//
// It is node-oidc-provider (v9) configured for one public browser client that uses the implicit grant
// (`id_token token` and `id_token`) or the authorization code flow with PKCE (`code`, with rotating refresh tokens),
// with its own small sign-in and consent pages, two demo users, JWT access tokens for one API (through the
// resource-indicators feature, with Auth0's `audience` parameter mapped onto `resource`), and RP-initiated logout. It
// listens on loopback only.
//
// DPoP (RFC 9449) at the token endpoint: a token request with a `DPoP` proof gets `token_type: DPoP`, a JWT access
// token with `cnf.jkt` (the proof key's RFC 7638 thumbprint) and a refresh token bound to the same key (a refresh
// needs a proof of that key). The provider requires its own nonce in proofs (RFC 9449 8): a proof without one is
// answered 400 `use_dpop_nonce` with a `DPoP-Nonce` header (readable cross-origin), and the client signs again with
// it. A code requested with `dpop_jkt` (RFC 9449 10) can only be exchanged with a proof of that key. A token request
// without a proof still gets Bearer tokens, as before. Revocation (RFC 7009) is on for the demo clients' own tokens
// (refresh tokens; JWT access tokens cannot be revoked, node-oidc-provider answers unsupported_token_type), and
// introspection (RFC 7662) for one confidential client used by the tests only (INTROSPECTOR_CLIENT_ID).
//
//   import { startProvider } from './demo/server/provider.mjs';
//   const op = await startProvider({ port: 7000, clientOrigin: 'http://localhost:8000' });
//   // op.issuer === 'http://localhost:7000'; later: await op.close();
//
// Everything is kept in memory (node-oidc-provider's default in-memory adapter): sessions, grants and the signing
// keys are new on every start unless `keysFile` names a file to keep the keys in (see `loadOrCreateKeys`).

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { assertLoopback, close, listen, loopbackOrigin, parseUrl } from './net.mjs';

/** The one client this provider knows. */
export const CLIENT_ID = 'auth-elements-demo';
/** The same client, but its ID tokens are signed with EdDSA (Ed25519): for interop tests, not used by the demo pages. */
export const EDDSA_CLIENT_ID = 'auth-elements-demo-eddsa';

/**
 * A confidential client for the tests only: it may introspect any token (RFC 7662), and do nothing else (no grant
 * types, no redirect URIs). It authenticates with client_secret_basic and INTROSPECTOR_CLIENT_SECRET, which is new in
 * every process.
 */
export const INTROSPECTOR_CLIENT_ID = 'auth-elements-introspector';
/** The introspection client's secret: random, new in every process (nothing outside it needs to know it). */
export const INTROSPECTOR_CLIENT_SECRET = randomBytes(32).toString('base64url');

/**
 * The DPoP proof algorithms the token endpoint accepts (discovery's `dpop_signing_alg_values_supported`): ES256 and
 * EdDSA (Ed25519), both of which the demo API accepts too. node-oidc-provider's default also lists the fully
 * specified `Ed25519` name, which the API does not take, so it is left out here.
 */
export const DPOP_SIGNING_ALGS = ['ES256', 'EdDSA'];

/** The API's scopes, granted to access tokens whose audience is the API. */
export const API_SCOPES = ['read:appointments', 'write:appointments'];

/** The demo users, by account id (which is also the `sub` claim). Passwords are for this demo only. */
export const USERS = Object.freeze({
  ada: Object.freeze({ password: 'ada-password', name: 'Ada Lovelace', email: 'ada@example.com' }),
  grace: Object.freeze({ password: 'grace-password', name: 'Grace Hopper', email: 'grace@example.com' }),
});

/** What the consent page says each scope gives the application. */
const SCOPE_DESCRIPTIONS = {
  openid: 'Know who you are (your user id)',
  profile: 'Your name',
  email: 'Your email address',
  'read:appointments': 'Read your appointments',
  'write:appointments': 'Create appointments for you',
};

const DEFAULT_ACCESS_TOKEN_TTL = 3600;

/**
 * Starts the provider on loopback.
 *
 * @param {object} options
 * @param {number} [options.port] TCP port; 0 (the default) picks a free one. The issuer is
 *   `http://localhost:<port>` either way.
 * @param {string} [options.host] Address to listen on: `localhost` (default), `127.0.0.1` or `::1`. Only loopback
 *   addresses are accepted.
 * @param {string} options.clientOrigin Origin of the demo pages (`http://localhost:8000`): the client's redirect and
 *   post-logout URIs are `/`, `/index.html`, `/code`, `/article.html` and `/callback.html` on it.
 * @param {string[]} [options.extraClientOrigins] Further origins whose pages may sign in (`npm start --
 *   --client-origin`), loopback ones only (`http://localhost:8080`, `http://127.0.0.1:8080`, `http://[::1]:8080`;
 *   others throw a TypeError): `/`, `/index.html` and `/callback.html` on each are registered as redirect and
 *   post-logout URIs, and any other URL on that origin (without a fragment) is accepted as one too, so any page there
 *   can sign in and out. The demo clients only; a demo on loopback, not a rule for a real provider.
 * @param {string} [options.apiAudience] Identifier (and `aud`) of the appointments API. Requests with
 *   `resource=<it>` or `audience=<it>` (or neither: it is the default resource) get a JWT access token for it.
 * @param {number} [options.accessTokenTtl] Access token lifetime in seconds; default `$DEMO_ACCESS_TOKEN_TTL`, else
 *   3600.
 * @param {string} [options.keysFile] A JSON file to keep the signing keys in (created on first start, mode 0600), so
 *   tokens issued before a restart still verify. Without it the keys are new on every start. `.demo-keys.json` at the
 *   repository root is git-ignored for this.
 *
 * DPoP is always on (token endpoint, with a required nonce; see the header comment). Discovery lists
 * `dpop_signing_alg_values_supported` (DPOP_SIGNING_ALGS), `revocation_endpoint` (`<issuer>/token/revocation`) and
 * `introspection_endpoint` (`<issuer>/token/introspection`, for INTROSPECTOR_CLIENT_ID only).
 * @returns {Promise<{ issuer: string, url: string, provider: Provider, close(): Promise<void> }>} `provider` is the
 *   node-oidc-provider instance, for tests and tinkering.
 */
export async function startProvider({
  port = 0,
  host = 'localhost',
  clientOrigin,
  apiAudience = 'http://localhost:7001',
  accessTokenTtl = Number(process.env.DEMO_ACCESS_TOKEN_TTL) || DEFAULT_ACCESS_TOKEN_TTL,
  keysFile,
  extraClientOrigins = [],
} = {}) {
  assertLoopback(host);
  if (!clientOrigin) throw new TypeError('startProvider: clientOrigin is required');
  const origin = new URL(clientOrigin).origin;
  const extraOrigins = [...new Set(extraClientOrigins.map(loopbackOrigin))].filter((extra) => extra !== origin);
  const audienceHref = new URL(apiAudience).href;

  // The issuer contains the port, so listen first (port 0 = any free port) and build the provider afterwards.
  let handler = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler(req, res));
  await listen(server, port, host);
  const issuer = `http://localhost:${server.address().port}`;

  let provider;
  try {
    ({ provider, handle: handler } = await createProvider({
      issuer, origin, extraOrigins, apiAudience, audienceHref, accessTokenTtl, keysFile,
    }));
  } catch (error) {
    await close(server);
    throw error;
  }

  return {
    issuer,
    url: issuer,
    provider,
    close: () => close(server),
  };
}

/** Builds the configured provider and the request handler in front of it (interactions, `audience`). */
async function createProvider({ issuer, origin, extraOrigins, apiAudience, audienceHref, accessTokenTtl, keysFile }) {
  const jwks = await loadOrCreateKeys(keysFile);
  const clientUris = [
    ...['/', '/index.html', '/code', '/article.html', '/callback.html'].map((path) => `${origin}${path}`),
    ...extraOrigins.flatMap((extra) => ['/', '/index.html', '/callback.html'].map((path) => `${extra}${path}`)),
  ];

  const demoClient = {
    client_id: CLIENT_ID,
    client_name: 'auth-elements demo',
    application_type: 'web',
    // A public client (no secret): the code flow is protected by PKCE instead (required below).
    token_endpoint_auth_method: 'none',
    grant_types: ['implicit', 'authorization_code', 'refresh_token'],
    response_types: ['id_token token', 'id_token', 'code'],
    redirect_uris: clientUris,
    post_logout_redirect_uris: clientUris,
  };
  const provider = new Provider(issuer, {
    // The same client twice: the second signs its ID tokens with EdDSA (interop tests).
    clients: [
      demoClient,
      { ...demoClient, client_id: EDDSA_CLIENT_ID, client_name: 'auth-elements demo (EdDSA ID tokens)', id_token_signed_response_alg: 'EdDSA' },
      // Introspection for the tests (a resource server would be such a client): nothing but client authentication.
      {
        client_id: INTROSPECTOR_CLIENT_ID,
        client_secret: INTROSPECTOR_CLIENT_SECRET,
        client_name: 'auth-elements tests (introspection)',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: [],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks,
    // Signs the provider's cookies (interaction, resume, session); new on every start.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // node-oidc-provider is an OpenID provider: it has no plain `token` response type.
    responseTypes: ['id_token token', 'id_token', 'code'],
    // The OpenID scopes. The API's scopes are the resource server's (getResourceServerInfo below): listing them here
    // as well would make them OpenID scopes too, and the consent screen would ask for each of them twice.
    scopes: ['openid', 'profile', 'email'],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    // With `id_token token`, OpenID Connect Core 5.4 puts the scope-requested claims in the UserInfo response only.
    // The access token here is for the appointments API, not UserInfo, so put name and email in the ID token.
    conformIdTokenClaims: false,
    findAccount,
    // PKCE (S256, the only method node-oidc-provider accepts) for every code: this client is public (RFC 9700 2.1.1).
    // Implicit responses have no code, so it does not apply to them.
    pkce: { required: () => true },
    // Refresh tokens for the code flow without the offline_access scope (which would need prompt=consent on every
    // sign-in): they end with the provider session (sign-out ends them too). Each one is used once (rotation); using
    // a rotated one again revokes the whole grant (node-oidc-provider's reuse detection), as RFC 9700 4.14.2 asks of
    // public clients' refresh tokens.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: accessTokenTtl,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      RefreshToken: 8 * 3600,
    },
    // node-oidc-provider's default also has `Ed25519`; see DPOP_SIGNING_ALGS.
    enabledJWA: { dPoPSigningAlgValues: DPOP_SIGNING_ALGS },
    features: {
      // Our own sign-in and consent pages below replace the development ones.
      devInteractions: { enabled: false },
      // DPoP (RFC 9449; on by default in node-oidc-provider v9, configured here). With a proof at the token endpoint
      // the access token is DPoP-bound (`cnf.jkt` in the JWT) and so is this public client's refresh token (its
      // refresh needs a proof of the same key). `requireNonce`: every proof must carry a nonce of the provider
      // (stateless, HMAC-based from `nonceSecret`, new on every start); a proof without one (or with a stale one) is
      // 400 `use_dpop_nonce` with the next nonce in `DPoP-Nonce`. A request without a proof is not affected (Bearer).
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true },
      // RFC 7009, for the demo clients' own tokens. node-oidc-provider needs no DPoP proof to revoke a DPoP-bound
      // refresh token of a public client (RFC 9449 asks for none). Revoking a refresh token or an opaque access token
      // revokes its whole grant (the other tokens of the sign-in). JWT access tokens are not revocable: the endpoint
      // answers 400 unsupported_token_type (they stay valid until they expire).
      revocation: {
        enabled: true,
        // node-oidc-provider's default policy, stated so it does not warn: a client revokes its own tokens only.
        allowedPolicy(_ctx, client, token) {
          if (token.clientId === client.clientId) return true;
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      // RFC 7662 for the tests' confidential client only; any other caller gets `{ active: false }`.
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client) => client.clientId === INTROSPECTOR_CLIENT_ID,
      },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        // No resource requested: the API. When the provider asks us to pick one of several (`oneOf`), the answer
        // must be one of them.
        defaultResource(_ctx, _client, oneOf) {
          if (oneOf) return oneOf.find((resource) => sameResource(resource, audienceHref)) ?? oneOf[0];
          return apiAudience;
        },
        getResourceServerInfo(_ctx, resourceIndicator) {
          if (!sameResource(resourceIndicator, audienceHref)) throw new errors.InvalidTarget();
          return {
            scope: API_SCOPES.join(' '),
            audience: apiAudience,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
        useGrantedResource: () => true,
      },
    },
    // The default decides the same (a public client's redirect URI origins may call it), but saying it here keeps
    // node-oidc-provider from warning that it was not configured.
    clientBasedCORS(_ctx, requestOrigin, client) {
      return client.redirectUris.some((uri) => new URL(uri).origin === requestOrigin);
    },
    renderError,
  });

  // node-oidc-provider v9 refuses http: and localhost redirect URIs for implicit web clients (OpenID Connect Core
  // 3.2.2.1 asks for https there), with the client-validation codes `implicit-force-https` and
  // `implicit-forbid-localhost`. A demo on loopback has neither https nor another host name, so drop exactly those
  // two findings, and only for the demo clients; every other check of its metadata still applies. `Client.Schema` is
  // this provider instance's own class, so no other provider in the process is affected. This is node-oidc-provider's
  // own recipe "Allowing HTTP and/or localhost for implicit response types" (recipes/implicit_http_localhost.md).
  const { invalidate } = provider.Client.Schema.prototype;
  provider.Client.Schema.prototype.invalidate = function invalidateExceptDemoLoopback(message, code) {
    if ([CLIENT_ID, EDDSA_CLIENT_ID].includes(this.client_id) && (code === 'implicit-force-https' || code === 'implicit-forbid-localhost')) {
      return;
    }
    invalidate.call(this, message, code);
  };

  // The extra client origins (`--client-origin`): any page on them is a redirect and post-logout URI of the demo
  // clients, besides the registered ones, so your own page may have any path. node-oidc-provider compares redirect
  // URIs exactly (its `redirectUriAllowed` and `postLogoutRedirectUriAllowed`, which the authorization and end-session
  // endpoints ask); these wrap them, on this provider instance's own Client class. Only a URL as the browser writes it
  // (serialized, so no backslash or dot-segment tricks) on exactly such an origin, without a fragment (RFC 6749
  // 3.1.2). The token endpoint still requires the code's own redirect_uri.
  if (extraOrigins.length) {
    const anyPathOn = new Set(extraOrigins);
    const onExtraOrigin = (client, value) => {
      if (![CLIENT_ID, EDDSA_CLIENT_ID].includes(client.clientId) || typeof value !== 'string') return false;
      const url = parseUrl(value);
      return Boolean(url) && url.href === value && !value.includes('#') && anyPathOn.has(url.origin);
    };
    const { redirectUriAllowed, postLogoutRedirectUriAllowed } = provider.Client.prototype;
    Object.assign(provider.Client.prototype, {
      redirectUriAllowed(value) {
        return redirectUriAllowed.call(this, value) || onExtraOrigin(this, value);
      },
      postLogoutRedirectUriAllowed(value) {
        return postLogoutRedirectUriAllowed.call(this, value) || onExtraOrigin(this, value);
      },
    });
  }

  const interactions = createInteractionHandler(provider, issuer);
  const providerCallback = provider.callback();

  const handle = (req, res) => {
    const url = parseUrl(req.url, issuer);
    if (!url) {
      sendPage(res, 400, 'Bad request', '<p>Bad request.</p>');
      return;
    }
    if (url.pathname === '/interaction' || url.pathname.startsWith('/interaction/')) {
      interactions(req, res, url).catch((error) => sendPageError(res, error));
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/3p-cookies/')) {
      thirdPartyCookieCheck(req, res, url.pathname);
      return;
    }
    // Auth0 names the API with a non-standard `audience` authorization parameter; the standard one is RFC 8707's
    // `resource`. Copy `audience` onto `resource` on authorization requests (GET /auth) that have no `resource`, so
    // the same page works against Auth0 and here. (A POSTed authorization request is left as it is.)
    if (req.method === 'GET' && url.pathname === '/auth') {
      const audience = url.searchParams.get('audience');
      if (audience && !url.searchParams.has('resource')) {
        url.searchParams.set('resource', audience);
        req.url = `${url.pathname}${url.search}`;
      }
    }
    providerCallback(req, res);
  };
  return { provider, handle };
}

// ---------------------------------------------------------------------------------------------------------------
// Third-party-cookie check, as Keycloak serves it (`<auth-login third-party-check=".../3p-cookies/step1.html">`)

/**
 * `step1.html` sets a cookie that only comes back in a third-party context when the browser lets it through
 * (SameSite=None; Secure, which browsers accept on http://localhost) and sends the iframe to `step2.html`, which
 * tells its parent `supported` or `unsupported` by postMessage. The page's own script is the only one allowed (CSP
 * with its hash); nothing else is in it.
 */
function thirdPartyCookieCheck(req, res, pathname) {
  const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (pathname === '/3p-cookies/step1.html') {
    res.writeHead(302, { ...headers, Location: '/3p-cookies/step2.html', 'Set-Cookie': 'demo_3p_check=1; Path=/3p-cookies; SameSite=None; Secure; HttpOnly' });
    res.end();
    return;
  }
  if (pathname !== '/3p-cookies/step2.html') {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  const supported = /(?:^|;\s*)demo_3p_check=1(?:;|$)/.test(req.headers.cookie ?? '');
  const script = `parent.postMessage(${JSON.stringify(supported ? 'supported' : 'unsupported')}, '*');`;
  const hash = createHash('sha256').update(script).digest('base64');
  res.writeHead(200, {
    ...headers,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': `default-src 'none'; script-src 'sha256-${hash}'`,
  });
  res.end(`<!doctype html><title>third-party cookies</title><script>${script}</script>`);
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts

/** node-oidc-provider's `findAccount`: the demo users; the provider filters the claims by the granted scopes. */
function findAccount(_ctx, sub) {
  if (!Object.hasOwn(USERS, sub)) return undefined;
  const user = USERS[sub];
  return {
    accountId: sub,
    claims: () => ({ sub, name: user.name, email: user.email, email_verified: true }),
  };
}

/** The account id for a user name and password, or undefined. Compares digests so timing says nothing. */
function authenticate(login, password) {
  const user = Object.hasOwn(USERS, login) ? USERS[login] : undefined;
  const expected = sha256(user ? user.password : randomBytes(16).toString('hex'));
  const matches = timingSafeEqual(sha256(String(password)), expected);
  return user && matches ? login : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Keys

/**
 * The provider's signing keys as a private JWK set: RS256 (used for ID tokens and access tokens), ES256 and EdDSA
 * (Ed25519, for the EdDSA client's ID tokens). With `file`, they are read from it, or generated and written to it
 * (mode 0600) when it does not exist yet or lacks one of them (a file from an older version).
 */
async function loadOrCreateKeys(file) {
  const algs = [['RS256', { modulusLength: 2048 }], ['ES256', {}], ['EdDSA', { crv: 'Ed25519' }]];
  if (file) {
    try {
      const stored = JSON.parse(await readFile(file, 'utf8'));
      if (Array.isArray(stored?.keys) && algs.every(([alg]) => stored.keys.some((key) => key.alg === alg))) return stored;
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
  }
  const keys = [];
  for (const [alg, options] of algs) {
    const { privateKey } = await generateKeyPair(alg, { ...options, extractable: true });
    const jwk = await exportJWK(privateKey);
    keys.push({ ...jwk, kid: `${alg.toLowerCase()}-${randomBytes(6).toString('base64url')}`, alg, use: 'sig' });
  }
  const jwks = { keys };
  if (file) await writeFile(file, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  return jwks;
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-in and consent pages (node-oidc-provider's interaction flow)

/**
 * Handles `/interaction/:uid` (GET: the page for the pending prompt) and its form posts:
 * `login` (user name and password), `confirm` (consent given) and `abort` (consent denied, or sign-in cancelled).
 *
 * Cross-site request forgery: the interaction is found through node-oidc-provider's `_interaction` cookie, which is
 * SameSite=Lax and scoped to `/interaction/<uid>`, so another site's form post arrives without it. On top of that,
 * every form carries a token bound to the interaction's uid (HMAC with a per-start secret), the uid in the URL must
 * be the cookie's interaction, and a post whose Origin header is not the provider's own is refused.
 */
function createInteractionHandler(provider, issuer) {
  const csrfSecret = randomBytes(32);
  const csrfToken = (uid) => createHmac('sha256', csrfSecret).update(uid).digest('base64url');

  return async function handleInteraction(req, res, url) {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(url.pathname);
    if (!match) return sendPage(res, 404, 'Not found', '<p>There is no such page.</p>');
    const [, uid, action] = match;

    if (!action && req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, 'GET, HEAD');
    if (action && req.method !== 'POST') return sendMethodNotAllowed(res, 'POST');

    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) {
      throw new errors.SessionNotFound('the interaction in the URL is not the one of this browser');
    }
    const { prompt, params } = details;
    const client = await provider.Client.find(params.client_id);
    const clientName = client?.clientName ?? params.client_id;

    if (!action) {
      const csrf = csrfToken(uid);
      if (prompt.name === 'login') return sendPage(res, 200, 'Sign in', loginPage({ uid, csrf, clientName }));
      if (prompt.name === 'consent') {
        const account = USERS[details.session?.accountId];
        return sendPage(res, 200, 'Allow access?', consentPage({ uid, csrf, clientName, account, prompt }));
      }
      return sendPage(res, 400, 'Cannot continue', '<p>This request needs something the demo provider cannot do.</p>');
    }

    if (!sameOrigin(req, issuer)) {
      return sendPage(res, 403, 'Forbidden', '<p>This form may only be sent from this provider’s own pages.</p>');
    }
    const form = await readForm(req);
    if (!constantTimeEqual(form.get('csrf') ?? '', csrfToken(uid))) {
      return sendPage(res, 403, 'Forbidden', '<p>The form expired. Go back to the application and sign in again.</p>');
    }

    if (action === 'abort') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'The user denied access',
      }, { mergeWithLastSubmission: false });
    }

    if (action === 'login') {
      if (prompt.name !== 'login') throw new errors.SessionNotFound('this request is not waiting for a sign-in');
      const login = (form.get('login') ?? '').trim();
      const accountId = authenticate(login, form.get('password') ?? '');
      if (!accountId) {
        return sendPage(res, 401, 'Sign in', loginPage({
          uid, csrf: csrfToken(uid), clientName, login, error: 'Wrong user name or password.',
        }));
      }
      return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    }

    // action === 'confirm'
    if (prompt.name !== 'consent') throw new errors.SessionNotFound('this request is not waiting for consent');
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  };
}

function loginPage({ uid, csrf, clientName, login = '', error }) {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return `
<h1>Sign in</h1>
<p>to continue to <strong>${html(clientName)}</strong></p>
${error ? `<p class="error" role="alert">${html(error)}</p>` : ''}
<form method="post" action="${action}/login" autocomplete="off">
  <input type="hidden" name="csrf" value="${html(csrf)}">
  <label>User name <input name="login" value="${html(login)}" autocomplete="username" required autofocus></label>
  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="${action}/abort">
  <input type="hidden" name="csrf" value="${html(csrf)}">
  <button type="submit" class="secondary">Cancel</button>
</form>
<p class="hint">Demo users: <code>ada</code> / <code>ada-password</code>, <code>grace</code> / <code>grace-password</code>.</p>`;
}

function consentPage({ uid, csrf, clientName, account, prompt }) {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  const { missingOIDCScope = [], missingResourceScopes = {} } = prompt.details;
  const items = [
    ...missingOIDCScope.map((scope) => listItem(scope)),
    ...Object.entries(missingResourceScopes).flatMap(([resource, scopes]) => scopes.map((scope) => listItem(scope, resource))),
  ];
  return `
<h1>Allow access?</h1>
<p><strong>${html(clientName)}</strong> asks${account ? ` <strong>${html(account.name)}</strong>` : ''} for:</p>
<ul>${items.join('') || '<li>Nothing new</li>'}</ul>
<form method="post" action="${action}/confirm">
  <input type="hidden" name="csrf" value="${html(csrf)}">
  <button type="submit" autofocus>Allow</button>
</form>
<form method="post" action="${action}/abort">
  <input type="hidden" name="csrf" value="${html(csrf)}">
  <button type="submit" class="secondary">Deny</button>
</form>`;
}

function listItem(scope, resource) {
  const description = SCOPE_DESCRIPTIONS[scope] ?? scope;
  const where = resource ? ` <small>(${html(resource)})</small>` : '';
  return `<li>${html(description)} <code>${html(scope)}</code>${where}</li>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Pages node-oidc-provider renders through its configuration

/**
 * `features.rpInitiatedLogout.logoutSource`: the sign-out confirmation at the end_session_endpoint. `form` is the
 * provider's own form (with its xsrf token). When the request came with an `id_token_hint` for the user signed in
 * here (auth-logout sends one), the page submits itself; otherwise the user confirms.
 */
function logoutSource(ctx, form) {
  const hint = ctx.oidc.entities.IdTokenHint;
  const auto = Boolean(hint && ctx.oidc.session.accountId && hint.payload.sub === ctx.oidc.session.accountId);
  const script = "document.getElementById('op.logoutForm').requestSubmit(document.getElementById('op.logoutYes'));";
  ctx.type = 'html';
  setPageHeaders(ctx.response, auto ? script : undefined);
  ctx.body = pageHtml('Sign out', `
<h1>Sign out?</h1>
<p>Sign out of the demo provider at <strong>${html(ctx.host)}</strong>.</p>
${form}
<button id="op.logoutYes" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`, auto ? script : undefined);
}

/** `features.rpInitiatedLogout.postLogoutSuccessSource`: shown when sign-out had no post_logout_redirect_uri. */
function postLogoutSuccessSource(ctx) {
  ctx.type = 'html';
  setPageHeaders(ctx.response);
  ctx.body = pageHtml('Signed out', '<h1>Signed out</h1><p>You are signed out of the demo provider.</p>');
}

/** `renderError`: errors the provider cannot send back to the client (bad client_id or redirect_uri, …). */
function renderError(ctx, out) {
  ctx.type = 'html';
  setPageHeaders(ctx.response);
  ctx.body = pageHtml('Error', `
<h1>Something went wrong</h1>
<p><code>${html(out.error)}</code></p>
${out.error_description ? `<p>${html(out.error_description)}</p>` : ''}`);
}

// ---------------------------------------------------------------------------------------------------------------
// HTML helpers

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.75rem 0}input:not([type=hidden]){display:block;width:100%;box-sizing:border-box;padding:.4rem}
button{font:inherit;padding:.5rem 1rem;margin:.5rem 0;width:100%}button.secondary{background:none}
.error{color:#b00020}.hint{color:#666;font-size:.875rem}form{margin:0}`;

/** Content-Security-Policy: nothing but the page's own style (and script, when given), no framing. */
function csp(script) {
  const scriptSrc = script ? `'sha256-${createHash('sha256').update(script).digest('base64')}'` : "'none'";
  const styleSrc = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;
  return `default-src 'none'; script-src ${scriptSrc}; style-src ${styleSrc}; frame-ancestors 'none'; base-uri 'none'`;
}

/** Sets the security headers of an HTML page on a Node response or a Koa response (both have setHeader/set). */
function setPageHeaders(res, script) {
  const set = (name, value) => (typeof res.set === 'function' ? res.set(name, value) : res.setHeader(name, value));
  set('Content-Security-Policy', csp(script));
  set('Cache-Control', 'no-store');
  // Not no-referrer: with it browsers send `Origin: null` on the form posts, which the Origin check refuses.
  set('Referrer-Policy', 'same-origin');
  set('X-Content-Type-Options', 'nosniff');
}

function pageHtml(title, body, script) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)} · demo provider</title>
<style>${STYLE}</style>
</head>
<body>
${body}
${script ? `<script>${script}</script>` : ''}
</body>
</html>
`;
}

function sendPage(res, status, title, body) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  setPageHeaders(res);
  res.end(pageHtml(title, body));
}

function sendMethodNotAllowed(res, allow) {
  res.setHeader('Allow', allow);
  sendPage(res, 405, 'Method not allowed', '<p>Method not allowed.</p>');
}

/** Interaction errors: an expired or unknown interaction is the user's "start again", anything else a 500. */
function sendPageError(res, error) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof errors.SessionNotFound) {
    sendPage(res, 400, 'Sign-in expired', `
<h1>This sign-in has expired</h1>
<p>It was already used, took too long, or belongs to another browser. Go back to the application and sign in again.</p>`);
    return;
  }
  if (error?.status === 413 || error?.status === 400) {
    sendPage(res, error.status, 'Bad request', '<p>The form could not be read.</p>');
    return;
  }
  console.error('demo provider: interaction failed:', error?.message ?? error);
  sendPage(res, 500, 'Error', '<p>Something went wrong on the demo provider.</p>');
}

/** Escapes text for HTML element content and quoted attribute values. */
function html(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

/** Reads an application/x-www-form-urlencoded body of at most 8 KB. */
async function readForm(req) {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw Object.assign(new Error('expected a form'), { status: 400 });
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 8 * 1024) throw Object.assign(new Error('form too large'), { status: 413 });
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** True when a state-changing request comes from the provider's own origin (or carries no Origin at all). */
function sameOrigin(req, issuer) {
  const origin = req.headers.origin;
  return origin === undefined || origin === new URL(issuer).origin;
}

function sha256(text) {
  return createHash('sha256').update(text).digest();
}

function constantTimeEqual(a, b) {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** Resource indicators compare as URLs, so `http://localhost:7001` and `http://localhost:7001/` are the same API. */
function sameResource(resource, expectedHref) {
  return parseUrl(resource)?.href === expectedHref;
}

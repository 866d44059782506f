// The demo as a function: the OpenID provider (node-oidc-provider), the appointments API and the demo pages, all on
// loopback, wired to each other. `npm start` (demo/start.mjs) calls it with the ports from flags or env; the
// end-to-end tests and scripts/screenshots.mjs call it with port 0 (free ports) and get the very same demo.
//
//   import { startDemo } from './demo/demo.mjs';
//   const demo = await startDemo({ pagesPort: 0, providerPort: 0, apiPort: 0, keysFile: null, quiet: true });
//   demo.urls.pages   // http://localhost:<port>/  (also .article, .provider, .api)
//   await demo.close();
//
// With `auth0` ({ domain, clientId, audience, api? }) the pages sign in with that Auth0 tenant instead of the local
// provider (which is not started). The appointments API is the local one, verifying the tenant's access tokens for
// `audience`, or, with `api`, your own API at that URL (then the local one is not started either).
//
// With `clientOrigins: ['http://localhost:8080']` your own pages on that loopback origin sign in with the demo
// provider too (any path there is a redirect and post-logout URI of the client `auth-elements-demo`), and the API
// answers their requests (CORS).
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startApi } from './server/api.mjs';
import { listen, loopbackOrigin } from './server/net.mjs';
import { startPages } from './server/pages.mjs';
import { CLIENT_ID, USERS, startProvider } from './server/provider.mjs';

/** Where `npm start` keeps the provider's signing keys (git-ignored), so tokens survive a restart. */
export const KEYS_FILE = fileURLToPath(new URL('../.demo-keys.json', import.meta.url));

/** The ports `npm start` uses (demo/start.mjs has the same, to answer --help without loading this module). */
export const DEFAULT_PORTS = Object.freeze({ pages: 3000, provider: 7000, api: 7001 });

/** The demo logins, `[{ login, password, name }]`. */
export const DEMO_LOGINS = Object.entries(USERS).map(([login, { password, name }]) => ({ login, password, name }));

/** The error `startDemo` throws when a port is taken: `code` EADDRINUSE, plus which server and port. */
export class PortTakenError extends Error {
  constructor(server, host, port, cause) {
    super(`port ${port} on ${host} (for the ${server}) is already in use`, { cause });
    this.name = 'PortTakenError';
    this.code = 'EADDRINUSE';
    this.server = server;
    this.port = port;
  }
}

/**
 * Auth0 settings from the environment: `AUTH0_DOMAIN`, `AUTH0_CLIENT_ID`, `AUTH0_AUDIENCE` and optionally `AUTH0_API`
 * (the base URL of your own API; without it the local appointments API verifies the tenant's tokens). Undefined
 * without `AUTH0_DOMAIN`; throws when the others are missing or malformed.
 *
 * @param {Record<string, string | undefined>} env
 */
export function auth0FromEnv(env = process.env) {
  const domain = env.AUTH0_DOMAIN?.trim().replace(/^https:\/\//, '').replace(/\/+$/, '');
  if (!domain) return undefined;
  const missing = ['AUTH0_CLIENT_ID', 'AUTH0_AUDIENCE'].filter((name) => !env[name]?.trim());
  if (missing.length) throw new TypeError(`With AUTH0_DOMAIN, also set ${missing.join(' and ')}.`);
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(domain)) throw new TypeError(`AUTH0_DOMAIN must be a host name (tenant.eu.auth0.com), not ${JSON.stringify(env.AUTH0_DOMAIN)}`);
  const api = env.AUTH0_API?.trim().replace(/\/+$/, '');
  if (api !== undefined && api !== '' && !/^https?:\/\/[^/]/.test(api)) {
    throw new TypeError(`AUTH0_API must be your API's base URL (https://…), not ${JSON.stringify(env.AUTH0_API)}`);
  }
  return { domain, clientId: env.AUTH0_CLIENT_ID.trim(), audience: env.AUTH0_AUDIENCE.trim(), api: api || undefined };
}

/**
 * Starts the demo. Resolves when every server listens; rejects (after closing what had started) when one cannot,
 * with a `PortTakenError` (code EADDRINUSE) for a taken port.
 *
 * @param {object} [options]
 * @param {number} [options.pagesPort] default 3000; 0 picks a free port (likewise below)
 * @param {number} [options.providerPort] default 7000
 * @param {number} [options.apiPort] default 7001
 * @param {string} [options.host] loopback host name, default `localhost` (the pages, issuer and API URLs use it)
 * @param {string | null} [options.keysFile] the provider's keys file; default `.demo-keys.json` at the repository
 *   root; `null` for keys that live as long as the process
 * @param {{ domain: string, clientId: string, audience: string, api?: string }} [options.auth0] sign in with this
 *   Auth0 tenant; the local API verifies its tokens for `audience`, unless `api` names your own API
 * @param {number} [options.accessTokenTtl] access token lifetime of the local provider, in seconds
 * @param {string} [options.apiRequiredAudience] the `aud` the local API requires of access tokens, instead of its own
 *   URL (the audience the pages ask for and the provider issues): a misconfigured API that refuses every token with
 *   401 invalid_token, for tests. Not with `auth0` (there the API requires `auth0.audience`)
 * @param {string[]} [options.clientOrigins] origins of pages of your own (`npm start -- --client-origin`), loopback
 *   only (`http://localhost:8080`, `http://127.0.0.1:8080`, `http://[::1]:8080`; others throw a TypeError): the local
 *   provider accepts any page on them as a redirect and post-logout URI of its client, and the local API allows them
 *   CORS (with `auth0`, only the latter: register the pages with the tenant)
 * @param {boolean} [options.quiet] do not report the API's server-side failures on stderr (startDemo itself prints
 *   nothing; node-oidc-provider's own start-up warnings are its own)
 * @returns {Promise<{ urls: { pages: string, codeFlow: string, article: string, callback: string, docs: string, provider: string,
 *   api: string }, clientId: string, audience: string, clientOrigins: string[], auth0: boolean,
 *   close(): Promise<void> }>} `codeFlow` is the app signing in with the code flow and PKCE; `urls.provider` is the
 *   issuer (with `auth0`, the tenant's origin); `clientOrigins` the checked ones.
 */
export async function startDemo({
  pagesPort = DEFAULT_PORTS.pages,
  providerPort = DEFAULT_PORTS.provider,
  apiPort = DEFAULT_PORTS.api,
  host = 'localhost',
  keysFile = KEYS_FILE,
  auth0,
  accessTokenTtl,
  apiRequiredAudience,
  clientOrigins = [],
  quiet = false,
} = {}) {
  const extraOrigins = [...new Set([clientOrigins].flat().map(loopbackOrigin))];
  const log = quiet ? () => {} : (message) => console.error(message);
  const running = [];
  const closeAll = async () => {
    await Promise.allSettled(running.splice(0).reverse().map((server) => server.close()));
  };
  /** Starts one server, naming the port in the error when it is taken. */
  const start = async (name, port, starter) => {
    try {
      const server = await starter();
      running.push(server);
      return server;
    } catch (error) {
      throw error?.code === 'EADDRINUSE' ? new PortTakenError(name, host, port, error) : error;
    }
  };

  try {
    // The pages first: the provider needs their origin for the client's redirect URIs. Their placeholders are
    // filled in below, before startDemo resolves.
    const values = {};
    const pages = await start('demo pages', pagesPort, () => startPages({ port: pagesPort, host, values }));
    const home = `${pages.url}/`;
    const article = `${pages.url}/article.html`;

    if (auth0) {
      const issuer = `https://${auth0.domain}/`;
      const api = auth0.api ?? (await start('appointments API', apiPort, () => startApi({
        port: apiPort, host, issuer, audience: auth0.audience, allowedOrigin: [pages.url, ...extraOrigins], log,
      }))).url;
      Object.assign(values, {
        PROVIDER_ATTRIBUTE: 'domain',
        PROVIDER: auth0.domain,
        PROVIDER_ORIGIN: `https://${auth0.domain}`,
        CLIENT_ID: auth0.clientId,
        AUDIENCE: auth0.audience,
        API: api,
        API_ORIGIN: new URL(api).origin,
        HOME: home,
        ARTICLE: article,
        // Auth0 serves no third-party-cookie check page: none is asked.
        THIRD_PARTY_CHECK: '',
        LOGIN_HINT: `Sign in with a user of the Auth0 tenant ${auth0.domain}.`,
      });
    } else {
      const { provider, api } = await startProviderAndApi({
        start, running, host, providerPort, apiPort, clientOrigin: pages.url, extraOrigins, keysFile, accessTokenTtl, apiRequiredAudience, log,
      });
      Object.assign(values, {
        PROVIDER_ATTRIBUTE: 'issuer',
        PROVIDER: provider.issuer,
        PROVIDER_ORIGIN: provider.issuer,
        CLIENT_ID,
        AUDIENCE: api.url,
        API: api.url,
        API_ORIGIN: api.url,
        HOME: home,
        ARTICLE: article,
        THIRD_PARTY_CHECK: `${provider.issuer}/3p-cookies/step1.html`,
        LOGIN_HINT: `Demo logins: ${DEMO_LOGINS.map(({ login, password }) => `${login} / ${password}`).join(', ')}.`,
      });
    }

    // The app's switch between the flows: the app at /code signs in with the authorization code flow and PKCE (refresh
    // tokens renew without an iframe) and DPoP, at / with the implicit grant. Only <auth-login response-type> (and
    // dpop) differs. A page of
    // its own rather than a query: each page is its own redirect URI (the default), so the code is exchanged on the
    // page that keeps running, which keeps the refresh token in its memory (a return to another page would lose it).
    const code = (url) => url?.pathname === '/code';
    Object.assign(values, {
      RESPONSE_TYPE: (url) => (code(url) ? 'code' : 'id_token token'),
      // The code flow app binds its tokens to the browser with DPoP (RFC 9449): the local provider and API support
      // it. An Auth0 tenant must have DPoP turned on for the application first, so it is left off there.
      DPOP: (url) => (code(url) && !auth0 ? ' dpop' : ''),
      FLOW: (url) => (code(url) ? 'the authorization code flow with PKCE' : 'the implicit grant'),
      FLOW_SWITCH: (url) => (code(url) ? '/' : '/code'),
      FLOW_SWITCH_LABEL: (url) => (code(url) ? 'Use the implicit grant' : 'Use the code flow'),
      // Signing out comes back to the app it started from (/code is a registered post-logout URI too).
      HOME: (url) => (code(url) ? `${home}code` : home),
    });

    return {
      urls: {
        pages: home, codeFlow: `${home}code`, article, callback: `${pages.url}/callback.html`, docs: `${home}docs`, provider: values.PROVIDER_ORIGIN, api: values.API,
      },
      clientId: values.CLIENT_ID,
      audience: values.AUDIENCE,
      clientOrigins: extraOrigins,
      auth0: Boolean(auth0),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The provider needs the API's URL (its audience) and the API needs the provider's issuer. With a fixed API port both
 * are known up front. With API port 0, a free port is picked first (and picked again, up to three times, if another
 * process takes it in between).
 */
async function startProviderAndApi({ start, running, host, providerPort, apiPort, clientOrigin, extraOrigins, keysFile, accessTokenTtl, apiRequiredAudience, log }) {
  for (let attempt = 1; ; attempt += 1) {
    const port = apiPort === 0 ? await freePort(host) : apiPort;
    const audience = `http://${host}:${port}`;
    const provider = await start('OpenID provider', providerPort, () => startProvider({
      port: providerPort, host, clientOrigin, extraClientOrigins: extraOrigins, apiAudience: audience, keysFile: keysFile ?? undefined, accessTokenTtl,
    }));
    try {
      const api = await start('appointments API', port, () => startApi({
        port, host, issuer: provider.issuer, audience: apiRequiredAudience ?? audience, allowedOrigin: [clientOrigin, ...extraOrigins], log,
      }));
      return { provider, api };
    } catch (error) {
      if (apiPort !== 0 || error?.code !== 'EADDRINUSE' || attempt === 3) throw error;
      running.splice(running.indexOf(provider), 1);
      await provider.close();
    }
  }
}

/** A port that was free a moment ago. */
async function freePort(host) {
  const server = createServer();
  await listen(server, 0, host);
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

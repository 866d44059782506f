// `npm start` (= `npm run build && node demo/start.mjs`): the seed tutorial's whole scenario on one machine, on
// loopback: a real OpenID provider (node-oidc-provider), the appointments API that verifies tokens (jose), and the
// demo pages using the tags alone. One process; Ctrl-C stops everything.
//
//   node demo/start.mjs [--pages-port 3000] [--provider-port 7000] [--api-port 7001] [--client-origin http://localhost:8080 …]
//   env: PAGES_PORT, PROVIDER_PORT, API_PORT, CLIENT_ORIGIN (comma-separated) (flags win)
//   --client-origin (repeatable, or comma-separated): a loopback origin whose pages, your own, sign in with the demo
//   provider (any path there is a redirect URI of its client) and call the API (CORS).
//   An Auth0 tenant instead of the local provider (see the README); the local API then verifies the tenant's tokens,
//   unless AUTH0_API names your own API:
//   AUTH0_DOMAIN=tenant.eu.auth0.com AUTH0_CLIENT_ID=… AUTH0_AUDIENCE=appointments:api [AUTH0_API=https://…]
//
// Exit codes: 0 after Ctrl-C (SIGINT) or SIGTERM, 1 when a server cannot start (a taken port, …), 2 for bad usage.
import { parseArgs } from 'node:util';
import { loopbackOrigin } from './server/net.mjs';

// Loaded after the arguments are checked (below), so --help and usage errors answer at once.
const DEFAULT_PORTS = { pages: 3000, provider: 7000, api: 7001 };

const USAGE = `Usage: npm start [-- --pages-port N --provider-port N --api-port N --client-origin ORIGIN]
       node demo/start.mjs [--pages-port N --provider-port N --api-port N --client-origin ORIGIN]

Ports default to ${DEFAULT_PORTS.pages} (pages), ${DEFAULT_PORTS.provider} (provider) and ${DEFAULT_PORTS.api} (API); env PAGES_PORT, PROVIDER_PORT and
API_PORT set them too (flags win).

--client-origin http://localhost:8080 lets your own pages on that origin sign in with the demo provider (any path
there is a redirect and post-logout URI of the client auth-elements-demo) and call the API. Repeat it or separate
origins with commas; env CLIENT_ORIGIN too (the flags win). Loopback origins only: http://localhost:N,
http://127.0.0.1:N or http://[::1]:N.

With AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_AUDIENCE the pages sign in with that Auth0 tenant instead of the local
provider, and the local API verifies the tenant's access tokens for that audience; AUTH0_API=https://… points the
pages at your own API instead (then only the pages server starts).`;

/** Usage errors: message, usage, exit code 2. */
function usageError(message) {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      'pages-port': { type: 'string' },
      'provider-port': { type: 'string' },
      'api-port': { type: 'string' },
      'client-origin': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  usageError(error.message);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

/** The port from the flag, else the env variable, else the default; exits with a usage error when it is no port. */
function port(flag, env, fallback) {
  const raw = flags[flag] ?? process.env[env] ?? String(fallback);
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(value) || value < 1 || value > 65535) {
    usageError(`--${flag} / ${env} must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  }
  return value;
}

const ports = {
  pagesPort: port('pages-port', 'PAGES_PORT', DEFAULT_PORTS.pages),
  providerPort: port('provider-port', 'PROVIDER_PORT', DEFAULT_PORTS.provider),
  apiPort: port('api-port', 'API_PORT', DEFAULT_PORTS.api),
};
const duplicate = Object.values(ports).find((value, index, all) => all.indexOf(value) !== index);
if (duplicate) usageError(`Each server needs its own port; ${duplicate} is given twice.`);

/** --client-origin (repeatable), else CLIENT_ORIGIN; each comma-separated. Exits with a usage error for a non-loopback one. */
function clientOrigins() {
  const given = flags['client-origin'] ?? (process.env.CLIENT_ORIGIN ? [process.env.CLIENT_ORIGIN] : []);
  const origins = given.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  try {
    return [...new Set(origins.map(loopbackOrigin))];
  } catch (error) {
    return usageError(`--client-origin / CLIENT_ORIGIN: ${error.message}.`);
  }
}
const extraOrigins = clientOrigins();

const { DEMO_LOGINS, auth0FromEnv, startDemo } = await import('./demo.mjs');
let auth0;
try {
  auth0 = auth0FromEnv(process.env);
} catch (error) {
  usageError(error.message);
}

const FLAG_OF = { 'demo pages': '--pages-port / PAGES_PORT', 'OpenID provider': '--provider-port / PROVIDER_PORT', 'appointments API': '--api-port / API_PORT' };

let demo;
try {
  demo = await startDemo({ ...ports, auth0, clientOrigins: extraOrigins });
} catch (error) {
  if (error.code === 'EADDRINUSE') {
    console.error(`Cannot start the demo: ${error.message}.
Stop the program that uses it (lsof -i :${error.port} shows which), or pick another port: ${FLAG_OF[error.server]}, e.g.
  npm start -- ${FLAG_OF[error.server].split(' ')[0]} ${error.port + 10}`);
  } else {
    console.error(`Cannot start the demo: ${error.message}`);
  }
  process.exit(1);
}

const { urls, clientId, audience, clientOrigins: origins } = demo;
const providerAttribute = auth0 ? `domain="${auth0.domain}"` : `issuer="${urls.provider}"`;
const apiBase = auth0?.api ?? urls.api;
const yourPage = origins.length
  ? `  your pages:               ${origins.join('  ')}
                            ${auth0
    ? 'the local API allows them CORS; register their URLs with the Auth0 application'
    : 'any page there signs in and out with this provider and calls the API'}`
  : '  your pages:               none; npm start -- --client-origin http://localhost:8080 lets those on that origin sign in';
console.log(`
auth-elements demo is running (Ctrl-C stops it)

  the app (seed tutorial):  ${urls.pages}
  the app, code flow:       ${urls.codeFlow}
  CMS-style article:        ${urls.article}
  silent sign-in answers:   ${urls.callback}
  the elements' reference:  ${urls.docs}
${auth0
    ? `  provider:                 Auth0 tenant ${auth0.domain} (client ${auth0.clientId})
  appointments API:         ${urls.api}${auth0.api ? ' (yours)' : '/api/appointments'} (audience ${auth0.audience})`
    : `  OpenID provider:          ${urls.provider}  (node-oidc-provider)
  appointments API:         ${urls.api}/api/appointments

  issuer:                   ${urls.provider}
  client id:                ${clientId}
  audience:                 ${audience}

  demo logins:              ${DEMO_LOGINS.map(({ login, password }) => `${login} / ${password}`).join('   ')}`}

${yourPage}

  On your own page (the bundle is dist/auth-elements.js):
    <auth-callback></auth-callback>
    <auth-login ${providerAttribute} client-id="${clientId}" audience="${audience}" scope="openid profile read:appointments" allowed-origins="${new URL(apiBase).origin}">Sign in</auth-login>
    <auth-fetch auto url="${apiBase}/api/appointments"></auth-fetch>
    <auth-logout return-to="/">Sign out</auth-logout>
`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal === 'parent' ? 'npm went away' : signal}: stopping the demo.`);
  await demo.close();
  process.exit(0);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGHUP', () => stop('SIGHUP'));
// When whatever started us (npm, a shell) is killed without passing the signal on, we are re-parented: stop too, so
// no server is left listening.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop('parent');
}, 1000).unref();

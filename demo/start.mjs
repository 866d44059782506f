// `npm start`: the seed tutorial's whole scenario on one machine, on loopback: a real OpenID provider
// (node-oidc-provider), the appointments API that verifies tokens (jose), and the demo pages using the tags alone.
// Ctrl-C stops everything.
//
//   npm start [-- --pages-port 3000 --provider-port 7000 --api-port 7001]
//   env: PAGES_PORT, PROVIDER_PORT, API_PORT
//   With a real Auth0 tenant instead of the local provider (the API is then not started):
//   AUTH0_DOMAIN=tenant.eu.auth0.com AUTH0_CLIENT_ID=… AUTH0_AUDIENCE=https://your-api AUTH0_API=https://your-api npm start
import { parseArgs } from 'node:util';
import { startApi } from './server/api.mjs';
import { startPages } from './server/pages.mjs';
import { CLIENT_ID, USERS, startProvider } from './server/provider.mjs';

const { values: flags } = parseArgs({
  options: {
    'pages-port': { type: 'string' },
    'provider-port': { type: 'string' },
    'api-port': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log('npm start [-- --pages-port N --provider-port N --api-port N]  (env PAGES_PORT, PROVIDER_PORT, API_PORT)');
  process.exit(0);
}

function port(flag, env, fallback) {
  const raw = flags[flag] ?? process.env[env] ?? String(fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`--${flag} / ${env} must be a port number (1-65535), not "${raw}"`);
    process.exit(2);
  }
  return value;
}

const ports = { pages: port('pages-port', 'PAGES_PORT', 3000), provider: port('provider-port', 'PROVIDER_PORT', 7000), api: port('api-port', 'API_PORT', 7001) };
const pagesOrigin = `http://localhost:${ports.pages}`;
const auth0 = process.env.AUTH0_DOMAIN;
const running = [];

async function start(name, flag, starter) {
  try {
    const server = await starter();
    running.push(server);
    return server;
  } catch (error) {
    const why = error.code === 'EADDRINUSE' ? `port ${ports[name]} is taken: choose another with --${flag} or stop what uses it` : error.message;
    console.error(`Could not start the ${name} server: ${why}`);
    await stopAll();
    process.exit(1);
  }
}

async function stopAll() {
  await Promise.allSettled(running.splice(0).map((server) => server.close()));
}

let values;
if (auth0) {
  const required = ['AUTH0_CLIENT_ID', 'AUTH0_AUDIENCE'];
  const missing = required.filter((name) => !process.env[name]);
  if (missing.length) {
    console.error(`With AUTH0_DOMAIN, also set ${missing.join(' and ')}.`);
    process.exit(2);
  }
  const api = process.env.AUTH0_API ?? process.env.AUTH0_AUDIENCE;
  values = { PROVIDER_ATTRIBUTE: 'domain', PROVIDER: auth0, CLIENT_ID: process.env.AUTH0_CLIENT_ID, AUDIENCE: process.env.AUTH0_AUDIENCE, API: api, API_ORIGIN: new URL(api).origin, HOME: `${pagesOrigin}/` };
} else {
  const apiAudience = `http://localhost:${ports.api}`;
  const provider = await start('provider', 'provider-port', () => startProvider({ port: ports.provider, clientOrigin: pagesOrigin, apiAudience, keysFile: '.demo-keys.json' }));
  const api = await start('api', 'api-port', () => startApi({ port: ports.api, issuer: provider.issuer, audience: apiAudience, allowedOrigin: pagesOrigin }));
  values = { PROVIDER_ATTRIBUTE: 'issuer', PROVIDER: provider.issuer, CLIENT_ID, AUDIENCE: apiAudience, API: api.url, API_ORIGIN: new URL(api.url).origin, HOME: `${pagesOrigin}/` };
}
const pages = await start('pages', 'pages-port', () => startPages({ port: ports.pages, values }));

console.log(`
auth-elements demo
  app (the seed tutorial):   ${pages.url}/
  CMS-style article:         ${pages.url}/article.html
  ${auth0 ? `provider: Auth0 tenant ${auth0}` : `provider (node-oidc-provider): ${values.PROVIDER}
  appointments API:          ${values.API}/api/appointments`}
${auth0 ? '' : `  demo logins: ${Object.entries(USERS).map(([login, user]) => `${login} / ${user.password}`).join(', ')}\n`}
Ctrl-C stops everything.`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await stopAll();
    process.exit(0);
  });
}

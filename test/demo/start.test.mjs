// demo/start.mjs, the command behind `npm start` (without the build step), run as a child process on free ports:
// it starts the three servers and says where, stops on SIGINT (Ctrl-C) leaving nothing listening, and fails with a
// clear message and a non-zero exit code when a port is taken or a flag is wrong. Run with `node --test "test/demo/*.test.mjs"`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const START = fileURLToPath(new URL('../../demo/start.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Listens on a free loopback port and returns the server (to hold the port) and the port. */
async function holdPort() {
  const server = createServer();
  server.listen(0, 'localhost');
  await once(server, 'listening');
  return { server, port: server.address().port };
}

/** Free ports, each closed again before returning. */
async function freePorts(count) {
  const held = await Promise.all(Array.from({ length: count }, holdPort));
  await Promise.all(held.map(({ server }) => new Promise((resolve) => server.close(resolve))));
  return held.map(({ port }) => port);
}

/** Whether something accepts connections on the port. */
async function listening(port) {
  const probe = createServer();
  probe.listen(port, 'localhost');
  try {
    await once(probe, 'listening');
    return false;
  } catch (error) {
    if (error.code === 'EADDRINUSE') return true;
    throw error;
  } finally {
    probe.close();
  }
}

/** Runs `node demo/start.mjs …args`, with `env` added and the Auth0 variables removed. */
function run(args, env = {}) {
  const childEnv = { ...process.env, ...env };
  for (const name of ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_AUDIENCE', 'AUTH0_API', 'PAGES_PORT', 'PROVIDER_PORT', 'API_PORT', 'CLIENT_ORIGIN']) {
    if (!(name in env)) delete childEnv[name];
  }
  const child = spawn(process.execPath, [START, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk) => { output.stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { output.stderr += chunk; });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal, ...output }));
  return { child, output, exited };
}

/** Resolves when the output has `text` (or rejects after `ms`). */
async function waitForOutput(output, text, ms = 15_000) {
  const until = Date.now() + ms;
  while (!output.stdout.includes(text)) {
    if (Date.now() > until) throw new Error(`no "${text}" in:\n${output.stdout}\n${output.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('demo/start.mjs (npm start)', () => {
  test('starts the provider, API and pages on the given ports, says where, and stops on Ctrl-C', { timeout: 30_000 }, async () => {
    const [pages, provider, api] = await freePorts(3);
    // Ports from flags and from the environment.
    const { child, output, exited } = run(['--pages-port', String(pages), '--provider-port', String(provider)], { API_PORT: String(api) });
    try {
      await waitForOutput(output, 'Ctrl-C');
      const { stdout } = output;
      assert.match(stdout, new RegExp(`http://localhost:${pages}/\\s`));
      assert.match(stdout, new RegExp(`http://localhost:${pages}/article\\.html`));
      assert.match(stdout, new RegExp(`http://localhost:${provider}\\s`));
      assert.match(stdout, new RegExp(`http://localhost:${api}/api/appointments`));
      assert.match(stdout, /ada \/ ada-password/);
      assert.match(stdout, /grace \/ grace-password/);

      const page = await fetch(`http://localhost:${pages}/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, new RegExp(`issuer="http://localhost:${provider}"`));
      assert.match(html, new RegExp(`url="http://localhost:${api}/api/appointments"`));
      const discovery = await (await fetch(`http://localhost:${provider}/.well-known/openid-configuration`)).json();
      assert.equal(discovery.issuer, `http://localhost:${provider}`);
      const apiAnswer = await fetch(`http://localhost:${api}/api/appointments`);
      assert.equal(apiAnswer.status, 401);
      assert.match(apiAnswer.headers.get('www-authenticate'), /^Bearer /);
    } finally {
      child.kill('SIGINT');
    }
    const { code, signal, stdout } = await exited;
    assert.equal(signal, null, stdout);
    assert.equal(code, 0);
    assert.match(stdout, /SIGINT: stopping the demo/);
    for (const port of [pages, provider, api]) assert.equal(await listening(port), false, `port ${port} still in use`);
  });

  test('--client-origin: the banner names issuer, client id, audience and a tag line; any page there may sign in', { timeout: 30_000 }, async () => {
    const [pages, provider, api, own] = await freePorts(4);
    const origin = `http://localhost:${own}`;
    const { child, output, exited } = run([
      '--pages-port', String(pages), '--provider-port', String(provider), '--api-port', String(api),
      '--client-origin', `${origin}/`, '--client-origin', `http://127.0.0.1:${own},http://[::1]:${own}`,
    ], { CLIENT_ORIGIN: 'http://localhost:1' });
    try {
      await waitForOutput(output, 'auth-logout');
      const { stdout } = output;
      assert.match(stdout, new RegExp(`issuer: +http://localhost:${provider}\n`));
      assert.match(stdout, /client id: +auth-elements-demo\n/);
      assert.match(stdout, new RegExp(`audience: +http://localhost:${api}\n`));
      for (const path of ['/', '/code', '/article.html', '/callback.html', '/docs']) assert.ok(stdout.includes(`http://localhost:${pages}${path}\n`), path);
      // The flags win over CLIENT_ORIGIN.
      assert.ok(stdout.includes(`your pages:               ${origin}  http://127.0.0.1:${own}  http://[::1]:${own}\n`), stdout);
      assert.doesNotMatch(stdout, /localhost:1/);
      assert.ok(stdout.includes(`<auth-login issuer="http://localhost:${provider}" client-id="auth-elements-demo" audience="http://localhost:${api}" scope="openid profile read:appointments" allowed-origins="http://localhost:${api}">Sign in</auth-login>`), stdout);
      assert.ok(stdout.includes(`<auth-fetch auto url="http://localhost:${api}/api/appointments"></auth-fetch>`));

      /** The provider's answer to an implicit authorization request with this redirect_uri. */
      const authorize = (redirectUri) => fetch(`http://localhost:${provider}/auth?${new URLSearchParams({
        client_id: 'auth-elements-demo', response_type: 'id_token token', scope: 'openid', nonce: 'n', state: 's', redirect_uri: redirectUri,
      })}`, { redirect: 'manual' });
      for (const accepted of [`${origin}/`, `${origin}/my/page.html`, `http://[::1]:${own}/x`, `http://localhost:${pages}/code`]) {
        const response = await authorize(accepted);
        assert.equal(response.status, 303, accepted);
        assert.match(response.headers.get('location'), /^\/interaction\//, accepted);
      }
      for (const refused of [`http://localhost:${own + 1}/`, `http://localhost:${pages}/other.html`, `${origin}/#x`, `http://example.com:${own}/`]) {
        assert.equal((await authorize(refused)).status, 400, refused);
      }
      // Logout back to any page there, too (the end-session page that asks to confirm, rather than an error).
      const logout = await fetch(`http://localhost:${provider}/session/end?${new URLSearchParams({
        client_id: 'auth-elements-demo', post_logout_redirect_uri: `${origin}/my/page.html`,
      })}`);
      assert.equal(logout.status, 200);
      const refusedLogout = await fetch(`http://localhost:${provider}/session/end?${new URLSearchParams({
        client_id: 'auth-elements-demo', post_logout_redirect_uri: `http://localhost:${own + 1}/`,
      })}`);
      assert.equal(refusedLogout.status, 400);

      // The API allows these origins CORS, not others.
      const preflight = (from) => fetch(`http://localhost:${api}/api/appointments`, {
        method: 'OPTIONS', headers: { Origin: from, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
      });
      assert.equal((await preflight(origin)).headers.get('access-control-allow-origin'), origin);
      assert.equal((await preflight(`http://127.0.0.1:${own}`)).headers.get('access-control-allow-origin'), `http://127.0.0.1:${own}`);
      assert.equal((await preflight(`http://localhost:${own + 1}`)).headers.get('access-control-allow-origin'), null);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal((await exited).code, 0);
  });

  for (const [name, flag] of [['demo pages', '--pages-port'], ['OpenID provider', '--provider-port'], ['appointments API', '--api-port']]) {
    test(`a taken ${flag.slice(2)}: a clear message, exit code 1, nothing left listening`, { timeout: 30_000 }, async () => {
      const taken = await holdPort();
      const ports = await freePorts(3);
      const args = ['--pages-port', '--provider-port', '--api-port']
        .flatMap((option, index) => [option, String(option === flag ? taken.port : ports[index])]);
      try {
        const { code, stderr } = await run(args).exited;
        assert.equal(code, 1, stderr);
        assert.match(stderr, new RegExp(`port ${taken.port} on localhost \\(for the ${name}\\) is already in use`));
        assert.match(stderr, new RegExp(`${flag} / [A-Z_]+, e\\.g\\.\\n  npm start -- ${flag} \\d+`));
        for (const [index, port] of ports.entries()) {
          if (args[2 * index] !== flag) assert.equal(await listening(port), false, `port ${port} still in use`);
        }
      } finally {
        taken.server.close();
      }
    });
  }

  test('Auth0 mode (AUTH0_* env): the pages sign in with the tenant, the local API checks its tokens', { timeout: 30_000 }, async () => {
    const [pages, api] = await freePorts(2);
    const { child, output, exited } = run(['--pages-port', String(pages), '--api-port', String(api)], {
      AUTH0_DOMAIN: 'tenant.eu.auth0.com',
      AUTH0_CLIENT_ID: 'abc123',
      AUTH0_AUDIENCE: 'appointments:api',
    });
    try {
      await waitForOutput(output, 'Ctrl-C');
      assert.match(output.stdout, /Auth0 tenant tenant\.eu\.auth0\.com \(client abc123\)/);
      assert.match(output.stdout, new RegExp(`http://localhost:${api}/api/appointments \\(audience appointments:api\\)`));
      assert.doesNotMatch(output.stdout, /ada-password/);
      const response = await fetch(`http://localhost:${pages}/`);
      const html = await response.text();
      assert.match(html, /<auth-login domain="tenant\.eu\.auth0\.com" client-id="abc123" audience="appointments:api"/);
      assert.match(html, new RegExp(`allowed-origins="http://localhost:${api}"`));
      assert.match(html, new RegExp(`url="http://localhost:${api}/api/appointments"`));
      assert.match(html, new RegExp(`return-to="http://localhost:${pages}/"`));
      assert.match(html, /Sign in with a user of the Auth0 tenant tenant\.eu\.auth0\.com\./);
      const csp = response.headers.get('content-security-policy');
      assert.match(csp, new RegExp(`connect-src 'self' https://tenant\\.eu\\.auth0\\.com http://localhost:${api};`));
      assert.match(csp, /frame-src 'self' https:\/\/tenant\.eu\.auth0\.com;/);
      // The local API refuses a request without a token (it would check the tenant's tokens).
      assert.equal((await fetch(`http://localhost:${api}/api/appointments`)).status, 401);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal((await exited).code, 0);
    for (const port of [pages, api]) assert.equal(await listening(port), false);
  });

  test('Auth0 mode with AUTH0_API: the pages call your API, only the pages server starts', { timeout: 30_000 }, async () => {
    const [pages, api] = await freePorts(2);
    const { child, output, exited } = run(['--pages-port', String(pages), '--api-port', String(api)], {
      AUTH0_DOMAIN: 'https://tenant.eu.auth0.com/',
      AUTH0_CLIENT_ID: 'abc123',
      AUTH0_AUDIENCE: 'https://api.example.com',
      AUTH0_API: 'https://api.example.com/',
    });
    try {
      await waitForOutput(output, 'Ctrl-C');
      const response = await fetch(`http://localhost:${pages}/`);
      const html = await response.text();
      assert.match(html, /domain="tenant\.eu\.auth0\.com"/);
      assert.match(html, /url="https:\/\/api\.example\.com\/api\/appointments"/);
      assert.match(response.headers.get('content-security-policy'), /connect-src 'self' https:\/\/tenant\.eu\.auth0\.com https:\/\/api\.example\.com;/);
      assert.equal(await listening(api), false, 'no local API');
    } finally {
      child.kill('SIGINT');
    }
    assert.equal((await exited).code, 0);
  });

  test('bad usage: exit code 2 with the reason and the usage', async () => {
    for (const [args, env, reason] of [
      [['--pages-port', 'eighty'], {}, /--pages-port \/ PAGES_PORT must be a port number \(1-65535\), not "eighty"/],
      [[], { PROVIDER_PORT: '70000' }, /PROVIDER_PORT must be a port number/],
      [['--api-port', '7000'], {}, /7000 is given twice/],
      [['--port', '1'], {}, /Unknown option '--port'/],
      [['--client-origin', 'http://example.com:8080'], {}, /--client-origin \/ CLIENT_ORIGIN: a client origin must be a loopback origin, http:\/\/localhost:<port>, http:\/\/127\.0\.0\.1:<port> or http:\/\/\[::1\]:<port>, not "http:\/\/example\.com:8080"/],
      [['--client-origin', 'http://localhost:8080/page.html'], {}, /must be a loopback origin.*not "http:\/\/localhost:8080\/page\.html"/],
      [[], { CLIENT_ORIGIN: 'http://localhost:8080, https://localhost:8443' }, /must be a loopback origin.*not "https:\/\/localhost:8443"/],
      [[], { AUTH0_DOMAIN: 'tenant.example.com' }, /With AUTH0_DOMAIN, also set AUTH0_CLIENT_ID and AUTH0_AUDIENCE/],
      [[], { AUTH0_DOMAIN: 'tenant.example.com', AUTH0_CLIENT_ID: 'x', AUTH0_AUDIENCE: 'y', AUTH0_API: 'api.example.com' }, /AUTH0_API must be your API's base URL/],
    ]) {
      const { code, stdout, stderr } = await run(args, env).exited;
      assert.equal(code, 2, `${args} ${JSON.stringify(env)}: ${stdout}${stderr}`);
      assert.match(stderr, reason);
      assert.match(stderr, /Usage: npm start/);
    }
  });
});

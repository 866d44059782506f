// Test helper (no tests here): a minimal token issuer (discovery and a JWKS with one RSA and one EC public key) on a
// free loopback port, and a minter for exactly the access tokens a test needs.
import { createServer } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { close, listen } from '../../demo/server/net.mjs';

/**
 * Starts the stub issuer.
 *
 * @param {object} [options]
 * @param {string} [options.audience] The default `aud` of minted tokens.
 * @returns {Promise<{ issuer: string, rsa: CryptoKeyPair, ec: CryptoKeyPair, mint(claims?: object, options?: object): Promise<string>, close(): Promise<void> }>}
 *   `mint` signs an RFC 9068 access token (RS256, typ at+jwt) valid for 5 minutes from `options.now` (seconds,
 *   default now); `claims` go over the defaults, a claim of undefined is left out.
 */
export async function startStubIssuer({ audience = 'http://localhost:7001' } = {}) {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'stub-rsa', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'stub-ec', alg: 'ES256', use: 'sig' },
  ];
  const server = createServer((req, res) => {
    const body = req.url === '/.well-known/openid-configuration'
      ? { issuer, jwks_uri: `${issuer}/jwks` }
      : req.url === '/jwks' ? { keys } : undefined;
    res.statusCode = body ? 200 : 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body ?? {}));
  });
  await listen(server, 0, '127.0.0.1');
  const issuer = `http://localhost:${server.address().port}`;

  async function mint(claims = {}, { now = Math.floor(Date.now() / 1000) } = {}) {
    const payload = {
      iss: issuer,
      aud: audience,
      sub: 'stub-user',
      scope: 'read:appointments write:appointments',
      client_id: 'auth-elements-demo',
      iat: now,
      exp: now + 300,
      jti: crypto.randomUUID(),
      ...claims,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'stub-rsa', typ: 'at+jwt' }).sign(rsa.privateKey);
  }

  return { issuer, rsa, ec, mint, close: () => close(server) };
}

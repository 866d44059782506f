// The fake provider's behaviour prefixes for token lifetimes, refusing APIs and id_token_hint
// (test/server/fake-provider.mjs): plain HTTP against /idp/T and /api/T, no elements.
import { expect } from '@open-wc/testing';
import { apiOf, issuerOf, sign, stats, tenant } from '../helpers/idp.js';

const REDIRECT = `${location.origin}/cb`;

function authorizeUrl(t: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    response_type: 'id_token token', client_id: 'app', redirect_uri: REDIRECT, state: 'st', nonce: 'n', scope: 'openid',
    audience: apiOf(t), format: 'json', ...params,
  });
  return `${issuerOf(t)}/authorize?${query}`;
}

/** The authorize answer's fragment as a map (the same origin: the provider-session cookie is kept). */
async function authorize(t: string, params: Record<string, string> = {}): Promise<Record<string, string>> {
  const { location: target } = (await (await fetch(authorizeUrl(t, params))).json()) as { location: string };
  const url = new URL(target);
  expect(url.origin + url.pathname).to.equal(REDIRECT);
  return Object.fromEntries(new URLSearchParams(url.hash.slice(1)));
}

const claimsOf = (jwt: string) => JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;

const echo = (t: string, token: string) => fetch(`${apiOf(t)}/echo`, { headers: { authorization: `Bearer ${token}` } });

async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = crypto.randomUUID() + crypto.randomUUID();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const challenge = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return { verifier, challenge };
}

async function tokenRequest(t: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`${issuerOf(t)}/token`, { method: 'POST', body: new URLSearchParams({ client_id: 'app', ...params }) });
  expect(response.status).to.equal(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('fake provider tenant prefixes', () => {
  describe('ttlN-', () => {
    it('gives expires_in N and exp = iat + N in the implicit fragment; ID tokens keep an hour', async () => {
      const t = tenant('ttl10-');
      const answer = await authorize(t);
      expect(answer.expires_in).to.equal('10');
      const access = claimsOf(answer.access_token);
      expect(Number(access.exp) - Number(access.iat)).to.equal(10);
      const id = claimsOf(answer.id_token);
      expect(Number(id.exp) - Number(id.iat)).to.equal(3600);
    });

    it('gives expires_in N (a number) in the web_message answer', async () => {
      const t = tenant('wm-ttl7-');
      const html = await (await fetch(authorizeUrl(t, { response_mode: 'web_message', format: '' }))).text();
      expect(html).to.contain('"expires_in":7');
    });

    it('gives expires_in N from the token endpoint, for the code and for a refresh', async () => {
      const t = tenant('ttl25-');
      const { verifier, challenge } = await pkce();
      const { code } = await authorize(t, { response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' });
      const first = await tokenRequest(t, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
      expect(first.expires_in).to.equal(25);
      const access = claimsOf(first.access_token as string);
      expect(Number(access.exp) - Number(access.iat)).to.equal(25);
      const second = await tokenRequest(t, { grant_type: 'refresh_token', refresh_token: first.refresh_token as string });
      expect(second.expires_in).to.equal(25);
    });

    it('keeps 3600 without the prefix, and a prefix after the name proper does nothing', async () => {
      expect((await authorize(tenant())).expires_in).to.equal('3600');
      expect((await authorize(`x-ttl10-${tenant()}`)).expires_in).to.equal('3600');
    });
  });

  describe('refuse-', () => {
    it('answers every token 401 invalid_token, counted in apiCalls and refusals, not in verifiedCalls', async () => {
      const t = tenant('refuse-');
      const { access_token: token } = await authorize(t);
      for (let i = 0; i < 2; i += 1) {
        const response = await echo(t, token);
        expect(response.status).to.equal(401);
        expect(response.headers.get('www-authenticate')).to.equal('Bearer error="invalid_token"');
      }
      const { access_token: another } = await authorize(t);
      expect((await echo(t, another)).status).to.equal(401);
      const counted = await stats(t);
      expect([counted.apiCalls, counted.refusals, counted.verifiedCalls]).to.deep.equal([3, 3, 0]);
    });

    it('combines with ttlN-', async () => {
      const t = tenant('ttl10-refuse-');
      const answer = await authorize(t);
      expect(answer.expires_in).to.equal('10');
      expect((await echo(t, answer.access_token)).status).to.equal(401);
    });
  });

  describe('refuseonce-', () => {
    it('refuses the first good token of the tenant once; later requests pass, with that token or another', async () => {
      const t = tenant('refuseonce-');
      expect((await echo(t, 'not-a-jwt')).status).to.equal(401); // a bad token does not use the refusal up
      const { access_token: token } = await authorize(t);
      const refused = await echo(t, token);
      expect(refused.status).to.equal(401);
      expect(refused.headers.get('www-authenticate')).to.equal('Bearer error="invalid_token"');
      expect((await echo(t, token)).status).to.equal(200);
      const { access_token: another } = await authorize(t);
      expect((await echo(t, another)).status).to.equal(200);
      const counted = await stats(t);
      expect([counted.apiCalls, counted.refusals, counted.verifiedCalls]).to.deep.equal([4, 1, 2]);
    });
  });

  describe('hint-', () => {
    it('refuses prompt=none without id_token_hint (invalid_request, with state), accepts its own ID token, counts hints', async () => {
      const t = tenant('hint-');
      const signIn = await authorize(t); // interactive: sets the provider session
      expect(signIn.access_token).to.be.a('string');

      const without = await authorize(t, { prompt: 'none', state: 's2' });
      expect(without).to.deep.equal({ error: 'invalid_request', error_description: 'id_token mandatory', state: 's2' });
      // The raw fragment, as the brief of the prefix has it.
      const { location: raw } = (await (await fetch(authorizeUrl(t, { prompt: 'none', state: 's3' }))).json()) as { location: string };
      expect(new URL(raw).hash).to.equal('#error=invalid_request&error_description=id_token%20mandatory&state=s3');

      const withHint = await authorize(t, { prompt: 'none', id_token_hint: signIn.id_token, state: 's4' });
      expect(withHint.state).to.equal('s4');
      expect(withHint.access_token).to.be.a('string');
      expect(withHint.error).to.equal(undefined);

      // Not an ID token of this tenant: another key, or its access token (aud is the API, not the client).
      const forged = await sign(t, claimsOf(signIn.id_token), { key: 'attacker-rs' });
      expect((await authorize(t, { prompt: 'none', id_token_hint: forged })).error_description).to.equal('id_token_hint invalid');
      expect((await authorize(t, { prompt: 'none', id_token_hint: signIn.access_token })).error_description).to.equal('id_token_hint invalid');

      const counted = await stats(t);
      expect(counted.hints).to.equal(3);
      expect(counted.validHints).to.equal(1);
      expect(counted.lastHint).to.equal(signIn.access_token);
      expect(counted.silentRequests).to.equal(5);
      expect(counted.prompts).to.deep.equal([null, 'none', 'none', 'none', 'none', 'none']);
    });

    it('an expired ID token of the tenant is a valid hint', async () => {
      const t = tenant('hint-');
      await authorize(t);
      const expired = await sign(t, { iss: issuerOf(t), sub: 'user-1', aud: 'app', iat: 1000, exp: 2000 });
      expect((await authorize(t, { prompt: 'none', id_token_hint: expired })).access_token).to.be.a('string');
      expect((await stats(t)).validHints).to.equal(1);
    });

    it('other tenants answer without a hint, and count the hints they get', async () => {
      const t = tenant();
      const signIn = await authorize(t);
      expect((await authorize(t, { prompt: 'none' })).access_token).to.be.a('string');
      expect((await authorize(t, { prompt: 'none', id_token_hint: signIn.id_token })).access_token).to.be.a('string');
      const counted = await stats(t);
      expect([counted.hints, counted.validHints, counted.lastHint]).to.deep.equal([1, 1, signIn.id_token]);
    });

    it('combines with the others (hint-ttl10-refuseonce-)', async () => {
      const t = tenant('hint-ttl10-refuseonce-');
      const signIn = await authorize(t);
      expect((await authorize(t, { prompt: 'none' })).error).to.equal('invalid_request');
      const renewed = await authorize(t, { prompt: 'none', id_token_hint: signIn.id_token });
      expect(renewed.expires_in).to.equal('10');
      expect((await echo(t, renewed.access_token)).status).to.equal(401);
      expect((await echo(t, renewed.access_token)).status).to.equal(200);
    });
  });
});

import { expect } from '@open-wc/testing';
import { handleResponse } from '../../src/protocol/callback.js';
import { AuthError } from '../../src/protocol/errors.js';
import { callApi, type Credentials } from '../../src/protocol/request.js';
import { expectAuthError, providerResponse } from '../helpers/expect-error.js';
import { apiOf, resetPage, stats, tenant } from '../helpers/idp.js';

describe('callApi', () => {
  let t: string;
  let credentials: Credentials;

  beforeEach(async () => {
    t = tenant();
    const { params } = await providerResponse(t, { audience: apiOf(t) });
    const { session } = await handleResponse(params);
    credentials = { accessToken: session.accessToken, allowedOrigins: session.allowedOrigins };
  });
  afterEach(resetPage);

  it('sends the bearer token (GET)', async () => {
    const response = await callApi({ url: `${apiOf(t)}/echo` }, credentials);
    expect(response.status).to.equal(200);
    expect(response.ok).to.equal(true);
    expect(response.data).to.include({ sub: 'user-1', method: 'GET', body: null });
  });

  it('sends a POST body as application/json by default', async () => {
    const response = await callApi({ url: `${apiOf(t)}/echo`, method: 'post', body: '{"name":"Ada"}' }, credentials);
    expect(response.data).to.deep.include({ sub: 'user-1', method: 'POST', body: { name: 'Ada' }, contentType: 'application/json' });
  });

  it('sends the given content type', async () => {
    const response = await callApi({ url: `${apiOf(t)}/echo`, method: 'PUT', body: 'a=1', contentType: 'text/plain' }, credentials);
    expect(response.data).to.deep.include({ method: 'PUT', body: 'a=1', contentType: 'text/plain' });
  });

  it('reads text with as: text', async () => {
    const response = await callApi({ url: `${apiOf(t)}/text`, as: 'text' }, credentials);
    expect(response.data).to.equal(`hello ${t}`);
  });

  it('makes no request without a token', async () => {
    const before = (await stats(t)).apiCalls;
    await expectAuthError(() => callApi({ url: `${apiOf(t)}/echo` }, { ...credentials, accessToken: undefined }), 'login_required');
    expect((await stats(t)).apiCalls).to.equal(before);
  });

  it('makes no request to an origin that is not allowed', async () => {
    const other = new URL(`${apiOf(t)}/echo`);
    other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
    const before = (await stats(t)).apiCalls;
    await expectAuthError(() => callApi({ url: other.href }, credentials), 'origin_not_allowed');
    expect((await stats(t)).apiCalls).to.equal(before);
  });

  it('fails with http_error and the status', async () => {
    const error = await expectAuthError(() => callApi({ url: `${apiOf(t)}/status/404` }, credentials), 'http_error');
    expect(error.status).to.equal(404);
  });

  it('fails with invalid_response for an answer that is not JSON', async () => {
    await expectAuthError(() => callApi({ url: `${apiOf(t)}/invalid-json` }, credentials), 'invalid_response');
  });

  it('fails with timeout', async () => {
    const start = Date.now();
    await expectAuthError(() => callApi({ url: `${apiOf(t)}/slow?ms=2000` }, credentials, { timeout: 100 }), 'timeout');
    expect(Date.now() - start).to.be.below(1500);
  });

  it('rejects with the AbortError when aborted', async () => {
    const controller = new AbortController();
    const call = callApi({ url: `${apiOf(t)}/slow?ms=2000` }, credentials, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    let error: unknown;
    try {
      await call;
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(DOMException);
    expect((error as Error).name).to.equal('AbortError');
    expect(error).not.to.be.instanceOf(AuthError);
  });

  it('a GET whose every caller left is not shared with a caller that comes after (it gets its own answer)', async () => {
    const url = `${apiOf(t)}/slow?ms=300`;
    const controller = new AbortController();
    const first = callApi({ url }, credentials, { signal: controller.signal }).catch((error: Error) => error.name);
    await new Promise((resolve) => setTimeout(resolve, 30));
    controller.abort();
    // Same task as the abort: the aborted request must not be handed to this caller.
    const second = callApi({ url }, credentials);
    expect(await first).to.equal('AbortError');
    expect((await second).data).to.deep.equal({ slow: true });
  });

  it('requires a url', async () => {
    await expectAuthError(() => callApi({ url: '' }, credentials), 'invalid_config');
  });

  it('fails with http_error 401 for a token the API refuses', async () => {
    const error = await expectAuthError(() => callApi({ url: `${apiOf(t)}/echo` }, { ...credentials, accessToken: 'garbage' }), 'http_error');
    expect(error.status).to.equal(401);
  });
});

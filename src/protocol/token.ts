import { DISCOVERY_TIMEOUT, secureUrl, type ProviderMetadata } from './discovery.js';
import { base64url } from './encoding.js';
import { fail } from './errors.js';
import { fetchOk, type RequestOptions } from './http.js';

/**
 * The PKCE `S256` code challenge of a verifier: base64url of the SHA-256 of its ASCII.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4.2
 */
export async function codeChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/**
 * The discovered `token_endpoint`, which the code flow and refresh tokens need: https (or http on loopback), else
 * `invalid_discovery`.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
export function tokenEndpoint(metadata: ProviderMetadata): URL {
  try {
    return secureUrl(metadata.token_endpoint as string, 'token_endpoint');
  } catch {
    return fail('invalid_discovery', `token_endpoint ${metadata.token_endpoint} is not https`);
  }
}

/**
 * A token request of this public client (no secret, no cookies): a form POST to the `token_endpoint` (a CORS-safelisted
 * type, so no preflight), with the discovery time-out. Resolves with the JSON answer; the provider's error answer
 * (`invalid_grant`, …) passes through as that error with its `error_description`. Parameters that are `undefined`
 * are left out.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
 */
export async function tokenRequest(metadata: ProviderMetadata, params: Record<string, string | undefined>, options: RequestOptions = {}): Promise<Record<string, string>> {
  const url = tokenEndpoint(metadata);
  let response: Response | undefined;
  const read = async () => Object((await response!.json().catch(() => 0)) as object) as Record<string, string>;
  try {
    // fetchOk makes a non-2xx answer an http_error; the answer itself is kept to read the provider's error from it.
    await fetchOk(url, { method: 'POST', body: new URLSearchParams(JSON.parse(JSON.stringify(params))), credentials: 'omit' }, `token endpoint ${url}`, {
      timeout: DISCOVERY_TIMEOUT,
      ...options,
      fetch: async (...args) => (response = await (options.fetch ?? fetch)(...args)),
    });
  } catch (error) {
    // RFC 6749 section 5.2: the error's code and description, in a JSON object.
    const answer = response && (await read());
    if (typeof answer?.error !== 'string') throw error;
    fail(answer.error, answer.error_description || answer.error);
  }
  return read();
}

import { attempt, fail } from './errors.js';
import { jwksCache, metadataCache, refetchedAt } from './caches.js';
import { getJson, type RequestOptions } from './http.js';

export { clearDiscoveryCache } from './caches.js';

/** The provider metadata the library uses (OpenID Connect Discovery 1.0, section 3). */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
  [member: string]: unknown;
}

/** Where the provider is: an OIDC `issuer` URL, or an Auth0 `domain` (shorthand for issuer `https://<domain>/`). */
export interface IssuerConfig {
  issuer?: string | null;
  domain?: string | null;
}

/** How long discovery and JWKS requests may take before failing with `timeout`. */
export const DISCOVERY_TIMEOUT = 10_000;

/** Discovery documents by issuer, key sets by `jwks_uri`. */

/**
 * Parses a URL the library will send the user or a token to: https, or http on a loopback host only.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-2.6 (TLS for all endpoints but loopback)
 */
export function secureUrl(value: string, what: string, base?: string): URL {
  let url = new URL('x:');
  try {
    url = new URL(value, base);
  } catch {
    // Refused below, like any other URL that is not https.
  }
  // Any https URL; http only on localhost, 127.0.0.1 or [::1].
  if (!/^https:|^http:(localhost|127\.0\.0\.1|\[::1\])$/.test(url.protocol + url.hostname)) {
    fail('invalid_config', `${what} ${value} is not https`);
  }
  return url;
}

/**
 * The issuer identifier to discover, from `issuer` or Auth0's `domain`.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#IssuerDiscovery (https, no query or fragment)
 */
export function resolveIssuer({ issuer, domain }: IssuerConfig): string {
  if (issuer && domain) fail('invalid_config', 'set issuer or domain, not both');
  if (domain) {
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(domain)) fail('invalid_config', `domain ${domain} is not a host name`);
    issuer = `https://${domain}/`;
  }
  if (!issuer) return fail('invalid_config', 'issuer or domain missing');
  const url = secureUrl(issuer, 'issuer');
  if (url.search || url.hash) fail('invalid_config', `issuer ${issuer} has a query or fragment`);
  return issuer;
}

/**
 * The discovery document URL: `/.well-known/openid-configuration` appended to the issuer as written
 * (an issuer with a path keeps it; a trailing slash is not doubled).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationRequest
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/**
 * The issuer's metadata, fetched once per page and issuer. The document's `issuer` must equal the configured one
 * exactly, and the endpoints used must be secure URLs.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation
 */
export function discover(issuer: string, options: RequestOptions = {}): Promise<ProviderMetadata> {
  let metadata = metadataCache.get(issuer);
  if (!metadata) {
    // Shared by every caller, so it is not tied to one caller's signal; failures are not cached.
    metadata = fetchMetadata(issuer, { fetch: options.fetch, timeout: DISCOVERY_TIMEOUT });
    metadataCache.set(issuer, metadata);
    metadata.catch(() => metadataCache.delete(issuer));
  }
  return metadata;
}

async function fetchMetadata(issuer: string, options: RequestOptions): Promise<ProviderMetadata> {
  const url = discoveryUrl(issuer);
  const data = await getJson(url, 'discovery', options);
  if (data.issuer !== issuer) fail('invalid_discovery', `${url}: issuer ${data.issuer} is not ${issuer}`);
  for (const member of ['authorization_endpoint', 'jwks_uri']) {
    if (typeof data[member] !== 'string') fail('invalid_discovery', `${url}: no ${member}`);
    secureUrl(data[member] as string, member);
  }
  return data as ProviderMetadata;
}

/** The parts of a JWS header that choose a key. */
export interface KeyHint {
  alg: string;
  kid?: string;
}

/** Unknown `kid`s refetch the key set at most this often (ms): key rotation is picked up, a flood of forged kids is not fetched for. */
export const JWKS_REFETCH_INTERVAL = 60_000;

/**
 * The public key to check a signature with, from the issuer's JWKS (`jwks_uri` of its own discovery document only,
 * never a URL named by the token); `undefined` when the set has none. The set is cached per page; an unknown `kid`
 * fetches it again, for key rotation, at most once per {@link JWKS_REFETCH_INTERVAL} (the first unknown `kid` after
 * that refetches again).
 * @see https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
 */
export async function findKey(metadata: ProviderMetadata, hint: KeyHint, options: RequestOptions = {}): Promise<JsonWebKey | undefined> {
  const uri = metadata.jwks_uri;
  // A prefetch of this very URI is waited for; failed, it is as if there had been none (the normal fetch runs).
  if (prefetches.has(jwksCache.get(uri)!)) await jwksCache.get(uri)!.catch(() => 0);
  const cached = jwksCache.get(uri);
  const keys = cached ?? loadJwks(uri, options);
  const key = selectKey(await keys, hint);
  if (key || !cached) return key;
  // Another check may have re-fetched the set meanwhile; use that rather than fetching twice.
  const current = jwksCache.get(uri);
  if (current && current !== keys) return selectKey(await current, hint);
  if (Date.now() - (refetchedAt.get(uri) ?? -Infinity) < JWKS_REFETCH_INTERVAL) return undefined;
  refetchedAt.set(uri, Date.now());
  return selectKey(await loadJwks(uri, options), hint);
}

/** Key sets fetched ahead by {@link prefetchJwks}. */
const prefetches = new WeakSet<Promise<JsonWebKey[]>>();

/**
 * Starts fetching the key set at `uri`, a pending sign-in's stored `jwks_uri` (so, tamperable), along with `issuer`'s
 * discovery. It is cached under `uri` itself, so {@link findKey} uses it only for a discovered `jwks_uri` equal to it;
 * when the issuer's own discovery document names another (or fails), it is dropped. A URL that is not https (or
 * loopback http) is never fetched; a failure is never reported (the normal fetch runs instead).
 */
export function prefetchJwks(issuer: string, uri: string, options: RequestOptions): void {
  if (!jwksCache.has(uri) && attempt(() => secureUrl(uri, 'jwks_uri'))) {
    const keys = loadJwks(uri, options);
    prefetches.add(keys);
    discover(issuer, options).then((metadata) => metadata.jwks_uri, () => 0).then((found) => found === uri || jwksCache.get(uri) !== keys || jwksCache.delete(uri));
  }
}

function loadJwks(uri: string, options: RequestOptions): Promise<JsonWebKey[]> {
  const keys = getJson(uri, 'JWKS', { fetch: options.fetch, timeout: DISCOVERY_TIMEOUT }).then((data) => (Array.isArray(data.keys) ? data.keys : fail('invalid_discovery', `${uri}: no keys`)));
  jwksCache.set(uri, keys);
  keys.catch(() => jwksCache.get(uri) === keys && jwksCache.delete(uri));
  return keys;
}

/** The key type and curve a JWS `alg` needs (RFC 7518 section 3.1, RFC 8037 section 3.1). */
export function keyTypeOf(alg: string): [kty: string, crv?: string] {
  return alg[0] === 'E' && alg[1] === 'S' ? ['EC', `P-${alg.endsWith('512') ? 521 : alg.slice(2)}`] : alg[0] === 'E' ? ['OKP', 'Ed25519'] : ['RSA'];
}

/**
 * Signing keys usable with `alg` (RFC 7517 section 4: `kty` and `crv` of the alg, `use` sig, `key_ops` allowing
 * verify, `alg` the same), then chosen by `kid`.
 */
function selectKey(keys: JsonWebKey[], { alg, kid }: KeyHint): JsonWebKey | undefined {
  const [kty, crv] = keyTypeOf(alg);
  const usable = keys.filter((k) => k && k.kty === kty && (!crv || k.crv === crv) && (!k.use || k.use === 'sig') && (!k.key_ops || (Array.isArray(k.key_ops) && k.key_ops.includes('verify')))
    // EdDSA (RFC 8037) and Ed25519 (RFC 9864) name the same signatures.
    && (!k.alg || k.alg === alg || (kty === 'OKP' && /^(EdDSA|Ed25519)$/.test(k.alg))));
  if (kid !== undefined) return usable.find((k) => (k as { kid?: string }).kid === kid);
  return usable.length === 1 ? usable[0] : undefined;
}

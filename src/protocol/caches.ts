import type { ProviderMetadata } from './discovery.js';

/**
 * The caches of src/protocol/discovery.ts, in a module of their own so that `clearDiscoveryCache` does not load the
 * discovery code on a page that has not used it.
 */
export const metadataCache = new Map<string, Promise<ProviderMetadata>>();
export const jwksCache = new Map<string, Promise<JsonWebKey[]>>();
/** When an unknown kid last made the key set be fetched again, per jwks_uri. */
export const refetchedAt = new Map<string, number>();

/** Forgets cached metadata and key sets (for tests and for pages that switch providers). */
export function clearDiscoveryCache(): void {
  metadataCache.clear();
  jwksCache.clear();
  refetchedAt.clear();
}

import { fail } from './errors.js';
import { secureUrl } from './discovery.js';

/**
 * The origins that may receive the access token: the page's own origin, the audience's origin when the audience is
 * an http(s) URL, and the origins the page author listed (space-separated). Anything else never sees the token.
 */
export function tokenOrigins(pageOrigin: string, audience: string | null | undefined, extra: string | null | undefined): string[] {
  const origins = new Set([pageOrigin]);
  if (audience && /^https?:\/\//i.test(audience)) {
    try {
      origins.add(secureUrl(audience, 'audience').origin);
    } catch {
      // An audience is an identifier first; one that is not a secure URL simply adds no origin.
    }
  }
  for (const entry of extra?.match(/\S+/g) ?? []) {
    const url = secureUrl(entry, 'allowed origin');
    if (url.origin !== entry.replace(/\/$/, '')) fail('invalid_config', `allowed origin ${entry} is not ${url.origin}`);
    origins.add(url.origin);
  }
  return [...origins];
}

/** True when `url` (resolved against `base`) is on one of `origins`. */
export function isOriginAllowed(url: URL, origins: readonly string[]): boolean {
  return origins.includes(url.origin);
}

import type { Renewal } from './authorize.js';

/** Whether a stored value has the shape of a session's {@link Renewal} (or of a pending sign-in's part of it). */
export function isRenewal(value: unknown): value is Renewal {
  const r = Object(value) as Record<string, unknown>;
  return value !== null && ['redirectUri', 'silentRedirectUri', 'thirdPartyCheck', 'responseType', 'scope', 'audience', 'storage'].every((key) => r[key] === undefined || typeof r[key] === 'string')
    && typeof r.redirectUri === 'string' && (r.leeway === undefined || typeof r.leeway === 'number') && [r.autoRenew, r.dpop].every((flag) => flag === undefined || typeof flag === 'boolean');
}

import { fail } from './errors.js';

/**
 * The authorization response in a URL fragment, or `null` when the fragment holds none: a response has a `state`
 * (success and error alike, RFC 6749 section 4.2.2.1) and one of `access_token`, `id_token`, `code` or `error`, so the
 * callback can sit on every page and the page's own anchors (`#error`, `#code`) stay links. A parameter given twice is
 * rejected, never "first one wins".
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ImplicitAuthResponse
 */
export function parseFragment(fragment: string): Record<string, string> | null {
  // A response is a few KB: a huge one is refused before parsing, which could hold the page for seconds.
  if (fragment.length > 65_536 && /(?:^#?|&)(?:access_token|id_token|error|code)=/.test(fragment)) fail('invalid_response', 'the response is over 64 KB');
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  if (!params.has('state') || !['access_token', 'id_token', 'error', 'code'].some((name) => params.has(name))) return null;
  const result: Record<string, string> = {};
  for (const [name, value] of params) {
    if (Object.hasOwn(result, name)) fail('invalid_response', `${name} given twice`);
    result[name] = value;
  }
  return result;
}

// Test helper (no tests here): drives the demo provider's implicit flow over HTTP the way a browser would, with
// fetch, a cookie jar and manual redirects, filling in the sign-in and consent forms, and stops at the first
// redirect to the client's origin, whose fragment holds the authorization response.

/** The few cookie rules the flow needs: name, value, path prefix, deletion by an expiry in the past. */
export class CookieJar {
  #cookies = new Map();

  /** Stores the Set-Cookie headers of a response. */
  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, val = ''] = attribute.split('=');
        if (key.toLowerCase() === 'path') path = val;
        if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      const key = `${name};${path}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  /** The Cookie header for a URL path, or undefined. */
  header(path) {
    const matching = [...this.#cookies.values()]
      .filter((cookie) => path === cookie.path || path.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map(({ name, value }) => `${name}=${value}`);
    return matching.length ? matching.join('; ') : undefined;
  }

  /** Whether a cookie of that name is held (for any path). */
  has(name) {
    return [...this.#cookies.values()].some((cookie) => cookie.name === name);
  }
}

/** fetch on the provider with the jar's cookies, no redirect following, and the response's cookies stored. */
export async function request(jar, url, { method = 'GET', form, headers = {} } = {}) {
  const target = new URL(url);
  const cookie = jar.header(target.pathname);
  const init = {
    method,
    redirect: 'manual',
    headers: { ...(cookie ? { cookie } : {}), ...headers },
  };
  if (form) {
    init.body = new URLSearchParams(form).toString();
    init.headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(target, init);
  jar.store(response);
  return response;
}

/** The hidden CSRF field of a provider page. */
export function csrfOf(page) {
  const match = /name="csrf" value="([^"]+)"/.exec(page);
  if (!match) throw new Error('no csrf field on the page');
  return match[1];
}

/** The authorization URL for the demo client. */
export function authorizeUrl(issuer, params) {
  const url = new URL('/auth', issuer);
  const defaults = {
    client_id: 'auth-elements-demo',
    response_type: 'id_token token',
    scope: 'openid profile email read:appointments write:appointments',
    nonce: `n-${Math.random().toString(36).slice(2)}`,
    state: `s-${Math.random().toString(36).slice(2)}`,
  };
  for (const [key, value] of Object.entries({ ...defaults, ...params })) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url;
}

/**
 * Runs the implicit flow from the authorization request to the redirect back to the client.
 *
 * @param {object} options
 * @param {string} options.issuer
 * @param {string} options.clientOrigin
 * @param {object} [options.params] Authorization request parameters over the defaults (redirect_uri is
 *   `<clientOrigin>/callback.html` unless given).
 * @param {string} [options.login] / [options.password] The demo user (default ada / ada-password).
 * @param {'allow' | 'deny'} [options.consent]
 * @param {CookieJar} [options.jar] Reuse a browser (its provider session) across flows.
 * @returns {Promise<{ location: URL, response: URLSearchParams, jar: CookieJar, pages: string[] }>}
 *   `response` is the fragment's parameters; `pages` the interaction pages seen ('login', 'consent').
 */
export async function implicitFlow({
  issuer,
  clientOrigin,
  params = {},
  login = 'ada',
  password = `${login}-password`,
  consent = 'allow',
  jar = new CookieJar(),
}) {
  const url = authorizeUrl(issuer, { redirect_uri: `${clientOrigin}/callback.html`, ...params });
  const origin = new URL(issuer).origin;
  const pages = [];
  let response = await request(jar, url);

  for (let hops = 0; hops < 20; hops += 1) {
    if (response.status !== 302 && response.status !== 303) {
      throw new Error(`the flow stopped with ${response.status}: ${(await response.text()).slice(0, 500)}`);
    }
    const location = new URL(response.headers.get('location'), issuer);
    await response.arrayBuffer();
    if (location.origin !== origin) {
      return { location, response: new URLSearchParams(location.hash.slice(1)), jar, pages };
    }
    if (!location.pathname.startsWith('/interaction/')) {
      response = await request(jar, location);
      continue;
    }
    const page = await (await request(jar, location)).text();
    const csrf = csrfOf(page);
    const post = { method: 'POST', headers: { origin } };
    if (page.includes('/login"')) {
      pages.push('login');
      response = await request(jar, `${location.href}/login`, { ...post, form: { csrf, login, password } });
    } else if (page.includes('/confirm"')) {
      pages.push('consent');
      const action = consent === 'allow' ? 'confirm' : 'abort';
      response = await request(jar, `${location.href}/${action}`, { ...post, form: { csrf } });
    } else {
      throw new Error(`unexpected interaction page: ${page.slice(0, 500)}`);
    }
  }
  throw new Error('too many redirects');
}

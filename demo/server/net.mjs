// Listening and closing for the demo servers, which only ever listen on loopback.

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1']);

/** Throws unless `host` is a loopback name or address. */
export function assertLoopback(host) {
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new TypeError(`the demo servers listen on loopback only (localhost, 127.0.0.1 or ::1), not ${host}`);
  }
}

/** `server.listen(port, host)` as a promise; rejects on EADDRINUSE and the like. */
export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting connections, drops the open (keep-alive) ones and resolves when the server is closed. */
export function close(server) {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/** `new URL(input, base)`, or undefined when it does not parse (URL.parse is newer than some Node 20 releases). */
export function parseUrl(input, base) {
  try {
    return new URL(input, base);
  } catch {
    return undefined;
  }
}

/** Hosts of the loopback origins a page of your own may sign in from (`--client-origin`). */
const LOOPBACK_URL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The origin of `input` (`http://localhost:8080`, `http://127.0.0.1:8080/` or `http://[::1]:8080`) when it is an
 * http: origin on loopback with nothing else (no path, query, fragment or user); throws a TypeError otherwise.
 */
export function loopbackOrigin(input) {
  const url = parseUrl(String(input).trim());
  if (!url || url.protocol !== 'http:' || !LOOPBACK_URL_HOSTS.has(url.hostname) || url.username || url.password
    || url.pathname !== '/' || url.search || url.hash) {
    throw new TypeError(`a client origin must be a loopback origin, http://localhost:<port>, http://127.0.0.1:<port> or http://[::1]:<port>, not ${JSON.stringify(String(input))}`);
  }
  return url.origin;
}

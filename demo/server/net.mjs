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

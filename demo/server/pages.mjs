// The demo pages' server: serves demo/*.html and the built bundle on their own origin. The pages are static HTML with
// the tags alone; the server only fills in where the provider and the API are ({{…}} placeholders), so the same pages
// work with the local provider or a real Auth0 tenant.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { assertLoopback, close, listen } from './net.mjs';

const ROOT = new URL('../', import.meta.url);
const BUNDLE = new URL('../../dist/auth-elements.js', import.meta.url);
const PAGES = { '/': 'index.html', '/index.html': 'index.html', '/article.html': 'article.html', '/style.css': 'style.css' };
const TYPES = { html: 'text/html; charset=utf-8', css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', map: 'application/json' };

const escapeAttribute = (value) => String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Starts the pages server.
 * @param {object} options
 * @param {number} [options.port] default 3000 (0: any free port)
 * @param {string} [options.host] a loopback host
 * @param {Record<string, string>} options.values what the {{NAME}} placeholders of the pages become (attribute-escaped)
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startPages({ port = 3000, host = 'localhost', values }) {
  assertLoopback(host);
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://pages.invalid').pathname;
    // The fragment carries tokens on the redirect page; no referrer ever leaves these pages.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    try {
      let file;
      let body;
      if (path === '/auth-elements.js' || path === '/auth-elements.js.map') {
        file = path;
        body = await readFile(path.endsWith('.map') ? new URL('auth-elements.js.map', BUNDLE) : BUNDLE);
      } else if (PAGES[path]) {
        file = PAGES[path];
        body = await readFile(new URL(file, ROOT), 'utf8');
        body = body.replace(/\{\{([A-Z_]+)\}\}/g, (match, name) => (name in values ? escapeAttribute(values[name]) : match));
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      } else if (body === undefined) {
        res.writeHead(404, { 'Content-Type': TYPES.html }).end('<!doctype html><title>Not found</title><p>Not found.</p>');
      } else {
        res.writeHead(200, { 'Content-Type': TYPES[file.split('.').pop()] }).end(req.method === 'HEAD' ? undefined : body);
      }
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(error.code === 'ENOENT' ? 'Run npm run build first.' : 'Internal error');
    }
  });
  await listen(server, port, host);
  return { url: `http://${host}:${server.address().port}`, close: () => close(server) };
}

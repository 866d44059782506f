// The demo pages' server: serves demo/*.html, demo/style.css and the built bundle (dist/auth-elements.js) on their
// own origin, loopback only. The pages are static HTML with the tags alone; the server only fills in where the
// provider and the API are ({{NAME}} placeholders), so the same pages work with the local provider or an Auth0 tenant.
//
//   /              demo/index.html     the seed tutorial's app (signing in with the implicit grant)
//   /code          demo/index.html     the same app signing in with the code flow and PKCE (only response-type differs)
//   /article.html  demo/article.html   the CMS case: a static article with one protected widget
//   /docs          (generated)         the elements' reference from custom-elements.json, with live examples
//                                      (demo/server/docs.mjs)
//   /callback.html demo/callback.html  the answer page of silent sign-ins (hidden iframe) and of the article's popup
//                                      sign-in: the bundle and <auth-callback>
//
// Every answer has Referrer-Policy: no-referrer (the redirect page's URL holds tokens in its fragment for a moment),
// X-Content-Type-Options: nosniff, and the pages a Content-Security-Policy that allows scripts and styles from this
// origin only, requests to the provider and the API, and the provider in frames (silent sign-in).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { docsPage } from './docs.mjs';
import { assertLoopback, close, listen, parseUrl } from './net.mjs';

const ROOT = new URL('../', import.meta.url);
const BUNDLE = new URL('../../dist/auth-elements.js', import.meta.url);
const FILES = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/code': 'index.html',
  '/article.html': 'article.html',
  '/callback.html': 'callback.html',
  // Not a file: generated from custom-elements.json on each request.
  '/docs': 'docs.html',
  '/style.css': 'style.css',
  '/favicon.svg': 'favicon.svg',
  // Browsers ask for it whatever the page says; the same icon, so no 404 in the console.
  '/favicon.ico': 'favicon.svg',
};
const TYPES = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
};

const escapeAttribute = (value) => String(value)
  .replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The pages' Content-Security-Policy. Scripts and styles only from this origin (the bundle adopts constructed
 * stylesheets, which style-src does not restrict, and sets no inline style); fetch to the provider (discovery, JWKS)
 * and the API; frames from this origin and the provider (the silent sign-in's hidden iframe starts at the provider
 * and ends on /callback.html here). Forms post nowhere but here (<auth-fetch> sends its form itself).
 *
 * @param {{ provider: string, api: string }} origins
 */
export function contentSecurityPolicy({ provider, api }) {
  const remote = [...new Set([provider, api].map((url) => new URL(url).origin))].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${remote}`,
    `frame-src 'self' ${new URL(provider).origin}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * Starts the pages server.
 *
 * @param {object} options
 * @param {number} [options.port] default 3000; 0 picks a free one
 * @param {string} [options.host] a loopback host, default `localhost`
 * @param {Record<string, string | ((url: URL) => string)>} options.values What the `{{NAME}}` placeholders of the
 *   pages become (attribute-escaped); a function is asked with the page's URL (its path chooses, for example, the
 *   demo's flow). Read on every request, so the caller may fill it in after the server listens (its origin
 *   is only known then). It must hold `PROVIDER_ORIGIN` and `API_ORIGIN` for the Content-Security-Policy.
 * @returns {Promise<{ url: string, close(): Promise<void> }>}
 */
export async function startPages({ port = 3000, host = 'localhost', values }) {
  assertLoopback(host);
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Internal error');
      else res.destroy();
    });
  });

  async function handle(req, res) {
    const url = parseUrl(req.url ?? '/', 'http://pages.invalid');
    const path = url?.pathname;
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed');
      return;
    }
    let file;
    let body;
    try {
      // The bundle's entry and the chunks it loads when needed (dist/chunks/, by hashed names only).
      if (/^\/(auth-elements|chunks\/[\w-]+)\.js(\.map)?$/.test(path)) {
        file = `/auth-elements${path}`;
        body = await readFile(new URL(`.${path}`, BUNDLE));
      } else if (path && Object.hasOwn(FILES, path)) {
        file = FILES[path];
        body = path === '/docs' ? await docsPage() : await readFile(new URL(file, ROOT), 'utf8');
        if (file.endsWith('.html')) {
          const value = (name) => (typeof values[name] === 'function' ? values[name](url) : values[name]);
          body = body.replace(/\{\{([A-Z_]+)\}\}/g, (match, name) => (Object.hasOwn(values, name) ? escapeAttribute(value(name)) : match));
        }
      }
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
      const missing = file.startsWith('/auth-elements') ? 'The bundle is missing: run npm run build.' : 'Not found.';
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(missing);
      return;
    }
    if (body === undefined) {
      res.writeHead(404, { 'Content-Type': TYPES.html })
        .end('<!doctype html><title>Not found</title><p>Not found. The demo is at <a href="/">/</a>.</p>');
      return;
    }
    const type = TYPES[file.split('.').pop()];
    if (file.endsWith('.html')) {
      res.setHeader('Content-Security-Policy', contentSecurityPolicy({ provider: values.PROVIDER_ORIGIN, api: values.API_ORIGIN }));
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) })
      .end(req.method === 'HEAD' ? undefined : body);
  }

  await listen(server, port, host);
  return { url: `http://${host}:${server.address().port}`, close: () => close(server) };
}

// Serves the static HTML pages of test/fixtures/ at /fixtures/<tenant>/<name>.html, with {{ORIGIN}} and {{TENANT}}
// filled in, so a page written with the tags alone (no script of its own) can point at a fake-provider tenant.
import { readFile } from 'node:fs/promises';

const ROUTE = /^\/fixtures\/([A-Za-z0-9_-]{1,64})\/([a-z0-9-]+)\.html$/;

/**
 * The strictest Content-Security-Policy of the [hardening] issue: scripts and styles from this origin only, and
 * Trusted Types required for every script sink with no policy allowed, so any innerHTML, eval, inline script or
 * string-to-script conversion would be a violation.
 */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'";

/** Extra response headers of some fixture pages, by page name. */
const HEADERS = {
  'csp-page': { 'content-security-policy': STRICT_CSP, 'referrer-policy': 'no-referrer' },
  'csp-callback': { 'content-security-policy': STRICT_CSP, 'referrer-policy': 'no-referrer' },
};

export async function fixtures(ctx, next) {
  const match = ROUTE.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const [, tenant, name] = match;
  let html;
  try {
    html = await readFile(new URL(`../fixtures/${name}.html`, import.meta.url), 'utf8');
  } catch {
    return next();
  }
  ctx.status = 200;
  ctx.type = 'text/html';
  ctx.set('cache-control', 'no-store');
  for (const [header, value] of Object.entries(HEADERS[name] ?? {})) ctx.set(header, value);
  ctx.body = html.replaceAll('{{ORIGIN}}', `http://${ctx.host}`).replaceAll('{{TENANT}}', tenant);
}

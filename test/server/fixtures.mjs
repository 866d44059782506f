// Serves the static HTML pages of test/fixtures/ at /fixtures/<tenant>/<name>.html, with {{ORIGIN}} and {{TENANT}}
// filled in, so a page written with the tags alone (no script of its own) can point at a fake-provider tenant.
import { readFile } from 'node:fs/promises';

const ROUTE = /^\/fixtures\/([A-Za-z0-9_-]{1,64})\/([a-z0-9-]+)\.html$/;

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
  ctx.body = html.replaceAll('{{ORIGIN}}', `http://${ctx.host}`).replaceAll('{{TENANT}}', tenant);
}

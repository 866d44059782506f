// The CDN bundle (dist/auth-elements.js and its chunks) the end-to-end tests load: built when missing; when run alone, a test file says if src/ is newer
// than dist/ (npm test builds first).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLE = fileURLToPath(new URL('../../dist/auth-elements.js', import.meta.url));

/** Builds dist/auth-elements.js when it is missing; warns when a source file is newer than it. */
export async function ensureBundle() {
  if (!existsSync(BUNDLE)) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build failed:\n${build.stdout}\n${build.stderr}`);
    return;
  }
  const built = (await stat(BUNDLE)).mtimeMs;
  const sources = await readdir(join(ROOT, 'src'), { recursive: true, withFileTypes: true });
  const newer = [];
  for (const entry of sources.filter((e) => e.isFile())) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if ((await stat(path)).mtimeMs > built) newer.push(relative(ROOT, path));
  }
  if (newer.length) process.stderr.write(`warning: dist/auth-elements.js is older than ${newer.join(', ')}: run npm run build\n`);
}

/**
 * Serves the bundle the way a static server serves dist/ copied beside a page: `/auth-elements.js` and the chunks it
 * loads from `/chunks/`. Returns whether `pathname` was one of them.
 */
export async function serveBundle(pathname, res) {
  if (!/^\/(auth-elements|chunks\/[\w-]+)\.js$/.test(pathname)) return false;
  res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(await readFile(new URL(`.${pathname}`, `file://${BUNDLE}`)));
  return true;
}

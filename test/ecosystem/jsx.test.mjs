// The JSX types users get: examples/jsx-react, examples/jsx-preact and examples/jsx-solid (every tag, typed attributes, event props
// reading a typed `detail`, and wrong usages marked `@ts-expect-error`, so loose types fail too; without the types,
// the tags are unknown: `Property 'auth-login' does not exist on type 'JSX.IntrinsicElements'`) are type-checked
// against the packed package: `npm pack` into a temporary directory, the tarball unpacked as node_modules/auth-elements
// there, every other package linked from this repository's node_modules (react and preact types, Lit), no network.
// Run after `npm run build`, with `node --test "test/ecosystem/*.test.mjs"`.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'auth-elements-jsx-'));
  // --ignore-scripts: no prepack build (npm test has just built).
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, 'auth-elements'), { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, filename), '-C', join(modules, 'auth-elements'), '--strip-components=1']);
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (!name.startsWith('.') && name !== 'auth-elements') symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  for (const example of ['jsx-react', 'jsx-preact', 'jsx-solid']) cpSync(join(ROOT, 'examples', example), join(dir, example), { recursive: true });
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** `tsc -p` of the copied example: its output ('' when it type-checks). */
async function typecheck(example) {
  try {
    await promisify(execFile)(process.execPath, [TSC, '-p', join(dir, example)], { cwd: dir });
    return '';
  } catch (error) {
    return error.stdout || error.message;
  }
}

test('examples/jsx-react, examples/jsx-preact and examples/jsx-solid type-check against the packed package (and their wrong usages are errors)', async () => {
  const [react, preact, solid] = await Promise.all([typecheck('jsx-react'), typecheck('jsx-preact'), typecheck('jsx-solid')]);
  assert.equal(react, '', 'jsx-react');
  assert.equal(preact, '', 'jsx-preact');
  assert.equal(solid, '', 'jsx-solid');
});

// Locates the Chromium/Chrome binary used by the browser tests.
//
//   import { findChromium, CHROMIUM_ARGS } from './scripts/chromium.mjs';
//   node scripts/chromium.mjs        # prints the path (exit 1 if not found)
//
// Order: $CHROME_PATH, then the usual Debian/Ubuntu/Google locations. When
// nothing is found and we run as root on Debian, Debian's `chromium` package is
// installed with apt-get (never a downloaded browser); otherwise we throw.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** Flags for a quiet, isolated headless browser (add a fresh --user-data-dir). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const NOT_FOUND =
  'Chromium not found. Install Debian\'s package: sudo apt-get update && sudo apt-get install -y chromium (or set CHROME_PATH).';

function lookUp() {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    const path = resolve(fromEnv);
    if (existsSync(path)) return path;
  }
  return CANDIDATES.find((path) => existsSync(path));
}

/** @returns {string} absolute path to a Chromium/Chrome executable */
export function findChromium() {
  const found = lookUp();
  if (found) return found;

  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    process.stderr.write('Chromium not found; installing Debian\'s chromium package with apt-get…\n');
    spawnSync('sh', ['-c', 'apt-get update && apt-get install -y chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = lookUp();
    if (installed) return installed;
  }
  throw new Error(NOT_FOUND);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    console.log(findChromium());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

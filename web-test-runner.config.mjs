// @web/test-runner configuration: TypeScript tests run in Debian's headless
// Chromium, with the fake OpenID provider / protected API mounted as middleware.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { findChromium, CHROMIUM_ARGS } from './scripts/chromium.mjs';
import { fakeProvider } from './test/server/fake-provider.mjs';
import { fixtures } from './test/server/fixtures.mjs';

let executablePath;
try {
  executablePath = findChromium();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

// A fresh, throwaway profile for every run.
const userDataDir = mkdtempSync(join(tmpdir(), 'auth-elements-chromium-'));
process.on('exit', () => {
  try {
    rmSync(userDataDir, { recursive: true, force: true });
  } catch {
    // best effort
  }
});

export default {
  files: 'test/**/*.test.ts',
  // Lit's production build: no dev-mode notice in the test logs.
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        args: [...CHROMIUM_ARGS, `--user-data-dir=${userDataDir}`],
      },
    }),
  ],
  // Generous: a wait here is a browser, an iframe or a provider round trip on a 2-core machine that may be busy; a test
  // that hangs still fails, and no test sleeps to synchronise.
  testFramework: { config: { timeout: 20000 } },
  // The elements warn once in the console for each error they show and each unknown attribute value; tests that
  // cause errors on purpose would fill the log with them. test/elements/visible-states.test.ts checks them.
  filterBrowserLogs: ({ type, args }) => !(type === 'warn' && /^auth-[a-z]+: /.test(String(args[0]))),
  middleware: [fakeProvider, fixtures],
};

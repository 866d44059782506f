// Builds the package: typed ES modules in lib/ (for bundler users) and the one-file bundle dist/auth-elements.js
// (every dependency inlined, minified, defines the elements when loaded with <script type="module">).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('lib', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });

await build({
  entryPoints: ['src/auth-elements.ts'],
  outfile: 'dist/auth-elements.js',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  // Lit's production build (no dev-mode warnings, smaller).
  conditions: ['production'],
  legalComments: 'none',
  sourcemap: true,
  logLevel: 'warning',
});
console.log('built lib/ and dist/auth-elements.js');

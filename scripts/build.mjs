#!/usr/bin/env node
// Builds the package into dist/: ESM JavaScript, .d.ts and source maps from `tsc -p
// tsconfig.build.json`, plus every src/**/*.lua file (Redis scripts) copied to the same
// relative place. Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error(`build: tsc failed (${result.error?.message ?? `exit code ${result.status}`})`);
  process.exit(1);
}

const lua = readdirSync(join(root, 'src'), { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.lua'));
for (const file of lua) cpSync(join(root, 'src', file), join(dist, file));

console.log(`build: dist/ written${lua.length > 0 ? `, ${lua.length} Lua file(s) copied` : ''}`);

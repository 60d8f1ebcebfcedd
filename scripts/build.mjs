#!/usr/bin/env node
// Builds the package into dist/: ESM JavaScript, .d.ts and source maps from `tsc -p
// tsconfig.build.json`, plus every src/**/*.lua file (Redis scripts) copied to the same
// relative place. Exits non-zero on any failure.
//
// Skips the work when dist/ is already the build of the current inputs (`npm start`, `npm run
// bench` and the test groups build before they run; a full tsc takes 8 s on a quiet 2-core
// machine and 40 s or more on a loaded one). The inputs are hashed by content: every file under
// src/, the tsconfig files, package.json and the TypeScript version. The fingerprint and the list
// of files the build wrote (with their sizes) are kept in .cache/build-stamp.json, written only
// after a successful build; a build is skipped only when the fingerprint matches and every
// listed file is still in dist/ with its size. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const stampFile = join(root, '.cache', 'build-stamp.json');
const require = createRequire(import.meta.url);
const force = process.argv.includes('--force');

/** Relative paths of the regular files under `dir`, sorted. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1))
    .sort();
}

/** Hash of everything the build reads. */
function fingerprint() {
  const hash = createHash('sha256');
  hash.update(`typescript ${require('typescript/package.json').version}\0`);
  const inputs = [
    ...filesUnder(join(root, 'src')).map((file) => join('src', file)),
    'tsconfig.json',
    'tsconfig.build.json',
    'package.json',
  ];
  for (const file of inputs) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** True when the stamp says dist/ was built from exactly these inputs and is still whole. */
function upToDate(current) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return false;
  }
  if (stamp?.fingerprint !== current || !Array.isArray(stamp.files) || stamp.files.length === 0) {
    return false;
  }
  try {
    return stamp.files.every(([file, size]) => statSync(join(dist, file)).size === size);
  } catch {
    return false;
  }
}

const current = fingerprint();
if (!force && upToDate(current)) {
  console.log(
    'build: dist/ is up to date (inputs unchanged since the last build; `npm run build -- --force` rebuilds)',
  );
  process.exit(0);
}

rmSync(stampFile, { force: true });
rmSync(dist, { recursive: true, force: true });

const tsc = require.resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error(`build: tsc failed (${result.error?.message ?? `exit code ${result.status}`})`);
  process.exit(1);
}

const lua = filesUnder(join(root, 'src')).filter((file) => file.endsWith('.lua'));
for (const file of lua) cpSync(join(root, 'src', file), join(dist, file));

// The inputs may have changed while tsc ran: stamp what was read before it started only if it
// is still what is on disk, else the next build starts over.
if (fingerprint() === current) {
  const files = filesUnder(dist).map((file) => [file, statSync(join(dist, file)).size]);
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${JSON.stringify({ fingerprint: current, files })}\n`);
}

console.log(`build: dist/ written${lua.length > 0 ? `, ${lua.length} Lua file(s) copied` : ''}`);

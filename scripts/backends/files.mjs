// Test file discovery shared by the backend groups. Paths are relative to the repository root,
// with forward slashes, sorted, so runs are reproducible.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/**
 * `*.test.ts` files under `dir` (relative to the repository root).
 * @param {string} dir
 * @param {{ recursive?: boolean, match?: RegExp }} [options] `match` is tested on the file name.
 * @returns {string[]}
 */
export function testFiles(dir, { recursive = true, match = /\.test\.ts$/ } = {}) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive })
    .map((file) => String(file).replaceAll('\\', '/'))
    .filter((file) => !file.split('/').includes('node_modules'))
    .filter((file) => /\.test\.ts$/.test(file) && match.test(file.split('/').pop() ?? ''))
    .map((file) => `${dir}/${file}`)
    .sort();
}

/**
 * Builds the package (`scripts/build.mjs`, i.e. `npm run build`) for groups that import it by
 * name, so from dist/; throws when the build fails. Returns the seconds it took, formatted.
 * @returns {string}
 */
export function buildPackage() {
  const started = performance.now();
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) {
    throw new Error(`npm run build failed (${build.error?.message ?? `exit ${build.status}`})`);
  }
  return ((performance.now() - started) / 1000).toFixed(1);
}

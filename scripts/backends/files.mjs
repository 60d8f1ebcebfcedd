// Test file discovery shared by the backend groups. Paths are relative to the repository root,
// with forward slashes, sorted, so runs are reproducible.
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

#!/usr/bin/env node
// Checks the package as users get it: builds, packs the tarball, lints it with publint (strict:
// warnings fail, suggestions are printed only), installs it into a fresh temp project and runs an
// ESM import smoke test, a CommonJS require() smoke test (require(esm), Node >= 20.19) and a
// TypeScript type-resolution check (ESM and CommonJS consumers); then compiles what a strict
// consumer compiles (scripts/package/consumers.mjs): the documentation's ts blocks, the example
// app, and each entry point with and without each optional peer. Exits non-zero on any failure;
// temp dirs are always removed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConsumers } from './package/consumers.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const NAMES = [
  'createActivity',
  'createVerbRegistry',
  'createMemoryStorage',
  'createJsonSerializer',
  'StreamFrameworkError',
];

/** Runs a command with inherited output (or captured stdout); throws when it fails. */
function run(command, args, { cwd = root, capture = false, allowFail = false } = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, {
    cwd,
    stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
  });
  const ok = result.status === 0;
  if (!ok && !allowFail) {
    throw new Error(
      `${[command, ...args].join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`,
    );
  }
  return allowFail ? ok : result.stdout;
}

const ESM_SMOKE = `import assert from 'node:assert/strict';
import * as sf from 'stream-framework';
import { ${NAMES.join(', ')} } from 'stream-framework';
import * as testing from 'stream-framework/testing';
import { createSqliteStorage } from 'stream-framework/sqlite';

for (const name of ${JSON.stringify(NAMES)}) {
  assert.equal(typeof sf[name], 'function', \`\${name} must be an exported function\`);
}
assert.equal(typeof StreamFrameworkError, 'function');
assert.equal(typeof createVerbRegistry, 'function');
assert.equal(typeof createMemoryStorage, 'function');
assert.equal(typeof createJsonSerializer, 'function');
const activity = createActivity({ actor: 1, verb: 'add', object: 2, time: 0 });
assert.equal(typeof activity.id, 'string');
assert.equal(activity.id.length, 20, \`activity id \${activity.id} must be 20 characters\`);
assert.equal(typeof testing, 'object');
// The SQLite entry point loads without better-sqlite3 (the user passes the Database) and checks
// its options at the boundary.
assert.equal(typeof createSqliteStorage, 'function');
assert.throws(() => createSqliteStorage({ database: undefined }), { code: 'INVALID_OPTION' });
console.log('ESM smoke test passed');
`;

const CJS_SMOKE = `const assert = require('node:assert/strict');
const sf = require('stream-framework');
for (const name of ${JSON.stringify(NAMES)}) {
  assert.equal(typeof sf[name], 'function', \`\${name} must be an exported function\`);
}
assert.equal(typeof require('stream-framework/testing'), 'object');
assert.equal(typeof require('stream-framework/sqlite').createSqliteStorage, 'function');
console.log('CommonJS smoke test passed');
`;

// Type resolution through "exports" for both ESM (.mts) and CommonJS (.cts) consumers.
const TYPES_MTS = `import { createActivity } from 'stream-framework';
import type { BackendUnderTest } from 'stream-framework/testing';
import { type SqliteStorage, createSqliteStorage } from 'stream-framework/sqlite';
export const makeSqlite: typeof createSqliteStorage | undefined = undefined;
export const sqlite: SqliteStorage | undefined = undefined;
const id: string = createActivity({ actor: 1, verb: 'add', object: 2 }).id;
export const backend: BackendUnderTest | undefined = undefined;
export { id };
`;
const TYPES_CTS = `import sf = require('stream-framework');
export const id: string = sf.createActivity({ actor: 1, verb: 'add', object: 2 }).id;
`;
const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  files: ['types.mts', 'types.cts'],
};

const tmp = mkdtempSync(join(tmpdir(), 'sf-check-package-'));
try {
  run('npm', ['run', 'build', '--', '--force']);

  const packed = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', tmp], { capture: true }),
  );
  const { filename, files, size } = packed[0];
  const tarball = join(tmp, filename);
  console.log(`packed ${filename}: ${files.length} files, ${(size / 1024).toFixed(1)} kB`);
  const stray = files.map((f) => f.path).filter((p) => /(^|\/)(src|test)\/|\.test\./.test(p));
  if (stray.length > 0) throw new Error(`tarball contains source/test files: ${stray.join(', ')}`);

  const publint = join(dirname(require.resolve('publint')), 'cli.js'); // publint's CLI
  run(process.execPath, [publint, 'run', tarball, '--strict']);

  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', private: true }));
  const install = ['install', tarball, '--no-audit', '--no-fund', '--no-package-lock'];
  if (!run('npm', [...install, '--offline'], { cwd: app, allowFail: true })) {
    console.log('offline install failed, retrying online');
    run('npm', install, { cwd: app });
  }

  writeFileSync(join(app, 'smoke.mjs'), ESM_SMOKE);
  writeFileSync(join(app, 'smoke.cjs'), CJS_SMOKE);
  writeFileSync(join(app, 'types.mts'), TYPES_MTS);
  writeFileSync(join(app, 'types.cts'), TYPES_CTS);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  run(process.execPath, ['smoke.mjs'], { cwd: app });
  run(process.execPath, ['smoke.cjs'], { cwd: app });
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: app,
  });
  console.log('TypeScript type check passed');
  checkConsumers({ root, tmp, tarball, run });
  console.log('\ncheck:package: OK');
} catch (error) {
  console.error(`\ncheck:package: FAILED: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

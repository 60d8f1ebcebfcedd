#!/usr/bin/env node
// `npm test`: runs every test group (scripts/backends/index.mjs) with Node's test runner, one child
// process per group, and prints a summary. Live output is the spec reporter; the counts come from
// a TAP report written to a temp file next to it.
//
//   node scripts/test.mjs [--only unit,memory] [node --test options...] [file.test.ts...]
//
// Unknown options (e.g. --test-name-pattern=foo, --test-concurrency=1) are passed to `node --test`
// after ours, so they win. Paths of existing *.test.ts files restrict the run to those files.
// REQUIRE_BACKENDS=memory,redis makes a missing or unstartable group a failure instead of a skip.
// An opt-in group (cassandra-ring) runs only when --only or REQUIRE_BACKENDS names it.
// TEST_CONCURRENCY (default 2) sets how many test files run at once within a group.
// Exit code 0 only when nothing failed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { root, testFiles } from './backends/files.mjs';
import { backends } from './backends/index.mjs';

const CONCURRENCY = process.env.TEST_CONCURRENCY ?? '2'; // suits 2-core CI machines

// ---- arguments -------------------------------------------------------------------------------
const names = backends.map((b) => b.name);
const list = (value) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const usage = (message) => {
  if (message) console.error(`test: ${message}`);
  console.error(`usage: node scripts/test.mjs [--only <group>[,<group>]] [node --test options] [files]
groups: ${names.join(', ')}`);
  process.exit(2);
};

let only;
const passthrough = [];
const fileFilter = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--only') only = list(argv[++i]);
  else if (arg.startsWith('--only=')) only = list(arg.slice('--only='.length));
  else if (arg === '-h' || arg === '--help') usage();
  else if (!arg.startsWith('-') && arg.endsWith('.test.ts') && existsSync(arg)) {
    fileFilter.push(relative(root, resolve(arg)).replaceAll('\\', '/'));
  } else passthrough.push(arg);
}
if (only !== undefined && only.length === 0) usage('--only needs a group name');
const required = new Set(list(process.env.REQUIRE_BACKENDS));
for (const name of [...(only ?? []), ...required]) {
  if (!names.includes(name)) usage(`unknown group '${name}'`);
}

// ---- signals: stop what we started, then exit --------------------------------------------------
const tmp = mkdtempSync(join(tmpdir(), 'sf-test-'));
const running = new Set(); // groups whose start() was called and whose stop() has not run yet
let child; // the current `node --test` process
let interrupted = false;

const stopping = new Set(); // stop() calls in progress, which a signal must wait for too

async function stop(group) {
  if (!running.delete(group)) return;
  const done = (async () => {
    try {
      await group.stop?.();
    } catch (error) {
      console.error(`test: stopping ${group.name} failed: ${error?.message ?? error}`);
    }
  })();
  stopping.add(done);
  try {
    await done;
  } finally {
    stopping.delete(done);
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\ntest: ${signal} received, stopping...`);
    if (child) {
      child.kill(signal); // only the process we spawned; it ends its own test files
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
      await new Promise((done) => (child ? child.once('close', done) : done()));
      clearTimeout(timer);
    }
    for (const group of [...running]) await stop(group);
    await Promise.all([...stopping]);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

// ---- running one group -------------------------------------------------------------------------
function runNodeTest(group, files, env) {
  const tap = join(tmp, `${group.name}.tap`);
  const args = [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${group.concurrency ?? CONCURRENCY}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...passthrough,
    ...files,
  ];
  return new Promise((done) => {
    child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', (error) => {
      child = undefined;
      done({ code: 1, error, tap: '' });
    });
    child.once('close', (code, signal) => {
      child = undefined;
      done({ code: code ?? 1, signal, tap: existsSync(tap) ? readFileSync(tap, 'utf8') : '' });
    });
  });
}

/** Reads the closing `# pass N` ... lines of a TAP report (the last occurrence of each wins). */
function tapCounts(tap) {
  const count = (key) => {
    const all = [...tap.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))];
    return all.length === 0 ? undefined : Number(all.at(-1)[1]);
  };
  const pass = count('pass');
  if (pass === undefined) return undefined;
  return {
    passed: pass,
    failed: (count('fail') ?? 0) + (count('cancelled') ?? 0),
    skipped: (count('skipped') ?? 0) + (count('todo') ?? 0),
  };
}

/** Runs one group; returns { name, status, ok, note, passed?, failed?, skipped?, seconds? }. */
async function runGroup(group) {
  const isRequired = required.has(group.name) && fileFilter.length === 0;
  const mark = (note) => (isRequired ? `${note} (required)` : note);
  let files = group.files();
  if (fileFilter.length > 0) files = files.filter((file) => fileFilter.includes(file));
  if (files.length === 0) {
    const status = fileFilter.length > 0 ? 'not selected' : 'not present yet';
    return { name: group.name, status, ok: !isRequired, note: isRequired ? 'required' : '' };
  }

  console.log(`\n=== ${group.name}: ${files.length} test file(s) ===\n`);
  const started = performance.now();
  let env = {};
  if (group.start) {
    running.add(group);
    try {
      env = (await group.start()) ?? {};
    } catch (error) {
      await stop(group);
      const note = `start failed: ${error?.message ?? error}`;
      console.log(`${group.name}: ${note}`);
      return { name: group.name, status: 'skipped', ok: !isRequired, note: mark(note) };
    }
  }
  try {
    const run = await runNodeTest(group, files, env);
    const counts = tapCounts(run.tap);
    let note = '';
    if (run.error) note = `could not start node: ${run.error.message}`;
    else if (!counts) note = `no TAP summary (exit ${run.signal ?? run.code})`;
    else if (run.code !== 0 && counts.failed === 0) note = `node exited with ${run.code}`;
    else if (group.note) note = group.note(run.tap);
    const ok = run.code === 0 && counts !== undefined && counts.failed === 0;
    const seconds = (performance.now() - started) / 1000;
    return { name: group.name, status: 'ran', ok, note, seconds, ...counts };
  } finally {
    await stop(group);
  }
}

// ---- main --------------------------------------------------------------------------------------
const results = [];
try {
  for (const group of backends) {
    if (interrupted) break; // the signal handler stops servers and exits
    const skipped = only ? !only.includes(group.name) : group.optIn && !required.has(group.name);
    if (skipped) {
      results.push({ name: group.name, status: 'not selected', ok: true, note: '' });
    } else {
      results.push(await runGroup(group));
    }
  }
} finally {
  for (const group of [...running]) await stop(group);
  rmSync(tmp, { recursive: true, force: true });
}

// Test files that no group claims would silently never run: warn about them.
const claimed = new Set(backends.flatMap((b) => b.files()));
const orphans = [...testFiles('src'), ...testFiles('test')].filter((f) => !claimed.has(f));

// ---- summary -----------------------------------------------------------------------------------
const num = (value) => (value === undefined ? '-' : String(value));
const rows = [
  ['group', 'result', 'passed', 'failed', 'skipped', 'time', 'note'],
  ...results.map((r) => [
    r.name,
    r.ok ? r.status : r.status === 'ran' ? 'FAILED' : `FAILED: ${r.status}`,
    num(r.passed),
    num(r.failed),
    num(r.skipped),
    r.seconds === undefined ? '-' : `${r.seconds.toFixed(1)}s`,
    r.note,
  ]),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
const line = (row) =>
  row
    .map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
    .join('  ')
    .trimEnd();

console.log('\n=== summary ===\n');
for (const row of rows) console.log(line(row));
if (orphans.length > 0) {
  console.log(`\nwarning: test files in no group (never run):\n  ${orphans.join('\n  ')}`);
}
const total = (key) => results.reduce((sum, r) => sum + (r[key] ?? 0), 0);
const bad = results.filter((r) => !r.ok).map((r) => r.name);
console.log(bad.length === 0 ? '\nOK' : `\nFAILED: ${bad.join(', ')}`);
console.log(
  `Tests: ${total('passed')} passed, ${total('failed')} failed, ${total('skipped')} skipped`,
);
process.exitCode = bad.length === 0 ? 0 : 1;

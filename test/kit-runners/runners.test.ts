// The conformance kit under three test runners: the map backend (map-backend.mjs, plain JS that
// imports the built package by name) runs the whole kit under node:test, Vitest and Jest, one
// runner after the other. Each run must pass, and all three must register, pass and skip the
// same cases; the skipped ones are exactly the backend's skipped group, with its reason.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = 'test/kit-runners';
const out = mkdtempSync(join(tmpdir(), 'sf-kit-runners-'));
after(() => rmSync(out, { recursive: true, force: true }));

const SKIPPED_GROUP = 'denormalized';
const REASON = 'denormalized feeds never call activity storage';

interface Counts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

interface Run {
  readonly code: number | null;
  readonly output: string;
}

/** Runs `node args` in the repository root, outside this test's node:test context. */
function node(args: readonly string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // else a nested `node --test` reports to this runner, not stdout
  delete env.NODE_OPTIONS;
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: root, env });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', fail);
    child.once('close', (code) => done({ code, output }));
  });
}

/** What Vitest's and Jest's JSON reporters both write (the fields read here). */
interface JsonReport {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly testResults: readonly {
    readonly assertionResults: readonly {
      readonly status: string;
      readonly title: string;
      readonly ancestorTitles: readonly string[];
    }[];
  }[];
}

function jsonCounts(file: string): Counts {
  const report = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
  const cases = report.testResults.flatMap((r) => r.assertionResults);
  const skipped = cases.filter((c) => c.status === 'pending' || c.status === 'skipped');
  for (const c of skipped) {
    assert.ok(c.ancestorTitles.includes(SKIPPED_GROUP), `skipped outside its group: ${c.title}`);
    assert.match(c.title, new RegExp(`\\(skipped: ${SKIPPED_GROUP}: ${REASON}`));
  }
  for (const c of cases.filter((c) => c.status === 'passed')) {
    assert.ok(!c.ancestorTitles.includes(SKIPPED_GROUP), `ran a skipped group's case: ${c.title}`);
  }
  assert.equal(skipped.length, report.numPendingTests);
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests,
  };
}

function tapCount(tap: string, key: string): number {
  const match = tap.match(new RegExp(`^# ${key} (\\d+)$`, 'm'));
  assert.ok(match, `no "# ${key}" line in the node:test report`);
  return Number(match[1]);
}

const counts = new Map<string, Counts>();

async function check(runner: string, run: Run, read: () => Counts): Promise<void> {
  assert.equal(run.code, 0, `${runner} failed:\n${run.output.slice(-4000)}`);
  const c = read();
  console.log(`${runner}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  assert.equal(c.failed, 0);
  assert.ok(c.passed > 0, `${runner} ran no case`);
  assert.ok(c.skipped > 0, `${runner} skipped no case of the '${SKIPPED_GROUP}' group`);
  counts.set(runner, c);
}

test('node:test runs the kit on the map backend', async () => {
  const run = await node(['--test', '--test-reporter=tap', `${here}/node.conformance.mjs`]);
  await check('node:test', run, () => ({
    passed: tapCount(run.output, 'pass'),
    failed: tapCount(run.output, 'fail') + tapCount(run.output, 'cancelled'),
    skipped: tapCount(run.output, 'skipped'),
  }));
});

test('Vitest runs the kit on the map backend', async () => {
  const file = join(out, 'vitest.json');
  const bin = 'node_modules/vitest/vitest.mjs';
  const config = `${here}/vitest.config.mjs`;
  const run = await node([
    bin,
    'run',
    '--config',
    config,
    '--reporter=json',
    `--outputFile=${file}`,
  ]);
  await check('Vitest', run, () => jsonCounts(file));
});

test('Jest runs the kit on the map backend (native ESM)', async () => {
  const file = join(out, 'jest.json');
  const bin = 'node_modules/jest/bin/jest.js';
  const config = `${here}/jest.config.mjs`;
  const args = ['--experimental-vm-modules', bin, '--config', config, '--json'];
  const run = await node([...args, `--outputFile=${file}`]);
  await check('Jest', run, () => jsonCounts(file));
});

test('the three runners registered, passed and skipped the same cases', () => {
  const all = [...counts.values()];
  assert.equal(all.length, 3, 'a runner above failed');
  for (const c of all) assert.deepEqual(c, all[0]);
});

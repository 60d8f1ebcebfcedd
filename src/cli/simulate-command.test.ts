/**
 * `stream-framework simulate` through the command line: the CLI runs in a child process (with
 * tsx, from src/), as a user runs it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSimulate } from './simulate-args.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const out = mkdtempSync(join(tmpdir(), 'sf-simulate-'));
after(() => rmSync(out, { recursive: true, force: true }));

/** Runs the CLI with `args`; resolves to its exit code, stdout and stderr. */
function run(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('cli: simulate', () => {
  it('simulate --users 1000 --json prints the report as valid JSON', async () => {
    const { code, stdout, stderr } = await run(['simulate', '--users', '1000', '--json']);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.options.users, 1000);
    assert.equal(report.policy.mode, 'hybrid');
    assert.ok(report.push.insertsPerSecond > 0);
    assert.ok(report.hybrid.insertsPerSecond <= report.push.insertsPerSecond);
    assert.equal(typeof report.targetMet, 'boolean');
    assert.equal(report.insertsRatio, report.hybrid.insertsPerDay / report.push.insertsPerDay);
  });

  it('prints a table and writes the chart', async () => {
    const chart = join(out, 'sweep.svg');
    const { code, stdout, stderr } = await run([
      'simulate',
      '--users=2000',
      '--samples=100',
      '--max-push-followers=Infinity',
      '--chart',
      chart,
      '--sweep',
      '0.1,1,10',
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /feed inserts\/s +[0-9,.]+ +[0-9,.]+ \(\+-[0-9,.]+; [0-9,.]+-[0-9,.]+\)/);
    assert.match(stdout, /maxPushFollowers Infinity/);
    assert.match(stdout, /target \(issue #14\): hybrid inserts <= 0.2x pure push: (met|NOT met)/);
    const svg = readFileSync(chart, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.equal(svg.match(/<circle /g)?.length, 6);
  });

  it('bad flags exit with 2 and a message naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--users', 'many'], /--users must be a number, got "many"/],
      [['--users', '1'], /--users must be an integer from 2 to 50000000, got 1/],
      [['--push-bias=-1'], /--push-bias must be a finite number >= 0, got -1/],
      [['--inactive-share', '2'], /--inactive-share must be a number from 0 to 1/],
      [['--userz', '5'], /Unknown option '--userz'/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await run(['simulate', ...args]);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, message);
      assert.match(stderr, /usage: stream-framework simulate/);
      assert.equal(stdout, '');
    }
  });

  it('maps flags to options (policy flags under policy)', () => {
    const command = parseSimulate([
      '--users=1_000',
      '--zipf',
      '0.8',
      '--push-bias',
      '2',
      '--max-push-rate',
      'Infinity',
      '--json',
    ]);
    assert.deepEqual(command.options, {
      users: 1000,
      zipfExponent: 0.8,
      policy: { pushBias: 2, maxPushRate: Infinity },
    });
    assert.equal(command.json, true);
    assert.equal(command.chart, undefined);
  });
});

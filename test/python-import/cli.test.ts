// `stream-framework import-python` end to end: the CLI (src/cli/main.ts under tsx) imports the
// database the real Python Stream Framework 1.4.0 wrote, with a TypeScript config module exporting
// the manager; JSON and text summaries, a re-run that writes nothing, a dry run, and malformed
// data stopping the run with the key named (exit 1) or skipped (--skip-malformed).
// Env from scripts/backends/python-import.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const python = process.env.PYTHON_SF_PYTHON;
const url = process.env.PYTHON_SF_REDIS_URL;
const skip =
  !python || !url
    ? 'run by the python-import group (node scripts/test.mjs --only python-import)'
    : false;
const root = fileURLToPath(new URL('../../', import.meta.url));
const config = fileURLToPath(new URL('./fixtures/cli-config.ts', import.meta.url));
const maps = [
  '--map',
  'feed:normal:%(user_id)s=normal',
  '--map',
  'feed:aggregated:%(user_id)s=aggregated',
  '--map',
  'notification_feed:%(user_id)s=notification',
];
let source: Redis;
let expected: { feeds: number; entries: number };

function cli(args: string[]) {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'import-python', '--config', config, ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TARGET_REDIS_URL: `${url}/6`, PYTHON_REDIS_URL: `${url}/5` },
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

before(async () => {
  if (skip) return;
  source = new Redis(`${url}/5`);
  await source.flushdb(); // the group's own throwaway server
  const target = new Redis(`${url}/6`);
  await target.flushdb();
  target.disconnect();
  const script = fileURLToPath(new URL('./fixtures/write_python_feeds.py', import.meta.url));
  const port = new URL(url!).port;
  const run = spawnSync(python!, [script, '--host', '127.0.0.1', '--port', port, '--db', '5'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, run.stderr);
  const dump: { feeds: { kind: string; count: number }[] } = JSON.parse(run.stdout);
  // The CLI maps every feed class but the deprecated notification feed.
  const mapped = dump.feeds.filter((f) => f.kind !== 'notification-dates');
  expected = { feeds: mapped.length, entries: mapped.reduce((n, f) => n + f.count, 0) };
});
after(() => source?.disconnect());

test('imports with a JSON summary and progress; a re-run writes nothing', { skip }, () => {
  const first = cli([...maps, '--json']);
  assert.equal(first.status, 0, first.stderr);
  const result = JSON.parse(first.stdout);
  assert.equal(result.feeds, expected.feeds);
  assert.equal(result.entries, expected.entries);
  assert.ok(result.written > 0);
  assert.deepEqual(
    result.byFeed.map((f: { feed: string }) => f.feed),
    ['user', 'normal', 'aggregated', 'notification'],
  );
  assert.match(first.stderr, new RegExp(`${expected.feeds}/${expected.feeds} feeds`));

  const again = cli([...maps, '--json']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).written, 0);

  const dry = cli([...maps, '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(
    dry.stdout,
    new RegExp(
      `^dry run: ${expected.feeds} feeds, ${expected.entries} entries read, 0 would be written`,
    ),
  );
});

test('malformed data stops the run naming the key, or is skipped and listed', {
  skip,
}, async () => {
  await source.zadd('feed:normal:77', 1, 'v3nonsense');
  try {
    const failed = cli(maps);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /malformed Python Stream Framework data in "feed:normal:77"/);
    const skipped = cli([...maps, '--skip-malformed']);
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.match(
      skipped.stdout,
      /1 malformed entries skipped:\n {2}feed:normal:77 "v3nonsense": not a serialization id/,
    );
  } finally {
    await source.del('feed:normal:77');
  }
});

test('usage errors exit with 2 and the command usage', { skip }, () => {
  const unknown = cli(['--map', 'feed:normal:%(user_id)s=nope']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /the manager has no feed "nope"/);
  assert.match(unknown.stderr, /usage: stream-framework import-python/);
  const bad = cli(['--map', 'no-equals-sign']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--map takes <key_format>=<feed name>/);
});

// The admin commands on real BullMQ queues, through the command line as an operator runs them:
//   node --import tsx src/cli/main.ts queue|failed|retry-failed|inspect --config test/bullmq/fixtures/feeds.ts
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createActivity } from '../../src/index.js';
import { createBullmqQueue } from '../../src/queue/bullmq/index.js';
import { singleClient } from '../support/redis.js';
import { fixtureManager } from './fixtures/world.js';
import {
  bullmqConnection,
  cleanup,
  prefixes,
  redisUrl,
  root,
  startWorker,
  stopAllWorkers,
  waitFor,
} from './support.js';

const client = singleClient();
const connection = bullmqConnection();
const used: ReturnType<typeof prefixes>[] = [];
const closers: (() => Promise<void>)[] = [];
after(async () => {
  await stopAllWorkers();
  for (const close of closers) await close();
  for (const p of used) await cleanup(client, p);
  await connection.quit();
  await client.quit();
});

/** Runs `stream-framework <args> --config test/bullmq/fixtures/feeds.ts` on the test's prefixes. */
function cli(args: readonly string[], p: { storage: string; queue: string }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', ...args, '--config', 'test/bullmq/fixtures/feeds.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          REDIS_URL: redisUrl(),
          SF_STORAGE_PREFIX: p.storage,
          SF_QUEUE_PREFIX: p.queue,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

async function json<T>(args: readonly string[], p: { storage: string; queue: string }): Promise<T> {
  const { code, stdout, stderr } = await cli([...args, '--json'], p);
  assert.equal(code, 0, stderr);
  return JSON.parse(stdout) as T;
}

type Counts = Record<'high' | 'low', Record<string, number>>;
const total = (counts: Counts, state: string) =>
  (counts.high[state] ?? 0) + (counts.low[state] ?? 0);

describe('stream-framework admin commands on BullMQ', () => {
  it('queue shows the job counts, failed lists failed jobs with reasons, retry-failed re-runs them, inspect reads the feeds', async () => {
    const p = prefixes();
    used.push(p);
    const queue = createBullmqQueue({ connection, prefix: p.queue, jobOptions: { attempts: 3 } });
    closers.push(() => queue.close());
    const { manager, followers } = fixtureManager({ client, prefix: p.storage, queue });
    followers.set('1', [2, 3]);

    // No worker yet: the fan-out waits in the queue.
    const a = createActivity({ actor: 1, verb: 'add', object: 1, time: Date.UTC(2025, 0, 1) });
    const handle = await manager.addUserActivity(1, a);
    const waiting = await json<Counts>(['queue'], p);
    assert.deepEqual(waiting, await queue.jobCounts());
    assert.ok(total(waiting, 'waiting') >= 1, JSON.stringify(waiting));
    const text = await cli(['queue'], p);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^high: .*waiting \d+/m);

    // Two malformed jobs fail for good; the fan-out succeeds.
    const raw = new Queue(queue.queueNames.high, { connection, prefix: p.queue });
    closers.push(() => raw.close());
    await raw.addBulk([
      { name: 'junk', data: 'not a task' },
      { name: 'fanout', data: { v: 1, type: 'fanout', op: 'add', feed: 'nosuchfeed' } },
    ]);
    startWorker({ prefixes: p, concurrency: 2 });
    await handle.done();
    await waitFor('two failed jobs', async () => total(await queue.jobCounts(), 'failed') === 2);

    const failed = await json<{ name: string; reason: string; priority: string }[]>(['failed'], p);
    assert.deepEqual(failed.map((f) => f.name).sort(), ['fanout', 'junk']);
    for (const f of failed) assert.match(f.reason, /INVALID_TASK/);
    const failedText = await cli(['failed', '--limit', '1'], p);
    assert.equal(failedText.stdout.trim().split('\n').length, 1, 'at most --limit jobs');
    assert.match(failedText.stdout, /attempt\(s\) at \d{4}-\d\d-\d\dT.*INVALID_TASK/);

    const retried = await json<{ moved: number }>(['retry-failed'], p);
    assert.equal(retried.moved, 2);
    // Malformed for good: the worker fails them again.
    await waitFor('the retried jobs failed again', async () => {
      const counts = await queue.jobCounts();
      return total(counts, 'failed') === 2 && total(counts, 'waiting') === 0;
    });

    const inspected = await json<{
      feeds: { feed: string; size: number; newest: { id: string }[] }[];
    }>(['inspect', '--user', '2', '--feed', 'timeline'], p);
    assert.deepEqual(
      inspected.feeds.map((f) => [f.feed, f.size, f.newest.map((x) => x.id)]),
      [['timeline', 1, [a.id]]],
    );
  });

  it('a missing option or config module fails with a clear message and exit code', async () => {
    const p = prefixes();
    const usage = await cli(['inspect'], p);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /inspect needs --user <id>/);
    assert.match(usage.stderr, /usage: stream-framework inspect/);
    const missing = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', 'queue', '--config', 'no/such/feeds.js'],
        { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.once('exit', (code) => done({ code, stderr }));
    });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /config module .*no\/such\/feeds\.js does not exist/);
  });
});

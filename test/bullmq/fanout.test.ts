// Fan-out through worker CHILD PROCESSES (the real `stream-framework worker` CLI): two workers
// sharing 10,000 followers, a worker killed with SIGKILL mid-run and replaced, and a SIGTERM that
// lets the jobs in flight finish. Every follower feed must end up with the activity exactly once.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { type Activity, createActivity } from '../../src/index.js';
import { createBullmqQueue } from '../../src/queue/bullmq/index.js';
import { singleClient } from '../support/redis.js';
import { fixtureManager } from './fixtures/world.js';
import {
  bullmqConnection,
  cleanup,
  prefixes,
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

/** A web-side manager on a fresh prefix, a raw BullMQ view of its high queue, and followers. */
function setup(followerCount: number) {
  const p = prefixes();
  used.push(p);
  const queue = createBullmqQueue({ connection, prefix: p.queue });
  const raw = new Queue(queue.queueNames.high, { connection, prefix: p.queue });
  closers.push(
    () => queue.close(),
    () => raw.close(),
  );
  const { manager, followers } = fixtureManager({ client, prefix: p.storage, queue });
  const ids = Array.from({ length: followerCount }, (_, i) => 1000 + i);
  followers.set('1', ids);
  return { p, queue, raw, manager, ids };
}

const pin = (n: number): Activity =>
  createActivity({ actor: 1, verb: 'add', object: n, time: Date.UTC(2025, 0, 1) + n * 1000 });

/** Asserts that the timeline of every user in `ids` holds exactly `[activity.id]`. */
async function assertEveryFeedHasOnly(
  manager: ReturnType<typeof fixtureManager>['manager'],
  ids: readonly number[],
  activity: Activity,
) {
  const wrong: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const pages = await Promise.all(
      ids.slice(i, i + 500).map((id) => manager.getFeeds(id).timeline.read({ limit: 10 })),
    );
    pages.forEach((page, j) => {
      const got = page.items.map((a) => a.id);
      if (got.length !== 1 || got[0] !== activity.id) wrong.push(`${ids[i + j]}: ${got}`);
    });
  }
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} follower feeds are wrong`);
}

describe('bullmq fan-out in worker processes', () => {
  it('fan-out of one activity to 10,000 followers across 2 worker processes reaches every feed exactly once', async () => {
    const { p, raw, manager, ids } = setup(10_000);
    const workers = [
      startWorker({ prefixes: p, name: 'w1', concurrency: 4, slowMs: 5 }),
      startWorker({ prefixes: p, name: 'w2', concurrency: 4, slowMs: 5 }),
    ];
    await Promise.all(workers.map((w) => w.ready));
    const a = pin(1);
    const handle = await manager.addUserActivity(1, a);
    assert.equal(handle.total, 100, '10,000 followers in chunks of 100');
    assert.equal(new Set(handle.ids).size, 100, 'one job per chunk');
    await handle.done();
    assert.equal(handle.completed(), 100);
    await assertEveryFeedHasOnly(manager, ids, a);
    const done = await raw.getJobs(['completed'], 0, -1);
    assert.equal(done.length, 100);
    const byWorker = new Set(done.map((job) => job.processedBy));
    assert.deepEqual([...byWorker].sort(), ['w1', 'w2'], 'both processes ran jobs');
  });

  it('a worker killed with SIGKILL mid-run, then replaced, still gives every feed the activity exactly once', async () => {
    const { p, raw, manager, ids } = setup(10_000);
    // A short lock, so the next worker takes over the dead worker's jobs within seconds.
    const knobs = { prefixes: p, concurrency: 4, slowMs: 40, lockMs: 1500, stalledMs: 500 };
    const first = startWorker({ ...knobs, maxStalled: 5 });
    await first.ready;
    const a = pin(2);
    const handle = await manager.addUserActivity(1, a);
    await waitFor('10 jobs done', async () => (await raw.getCompletedCount()) >= 10);
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    const left = await raw.getJobCounts('active', 'completed');
    assert.ok(left.active! > 0, 'the killed worker left jobs in flight');
    assert.ok(left.completed! < 100, 'the kill came before the end');

    const second = startWorker({ ...knobs, maxStalled: 5 });
    await second.ready;
    await handle.done();
    await assertEveryFeedHasOnly(manager, ids, a);
    const done = await raw.getJobs(['completed'], 0, -1);
    assert.equal(done.length, 100);
    assert.ok(
      done.some((job) => job.stalledCounter > 0),
      'the jobs of the killed worker were recovered as stalled jobs',
    );
  });

  it('SIGTERM lets the jobs in flight finish, takes no new ones and exits with 0', async () => {
    const { p, raw, manager, ids } = setup(1000);
    const worker = startWorker({ prefixes: p, concurrency: 2, slowMs: 400 });
    await worker.ready;
    const a = pin(3);
    const handle = await manager.addUserActivity(1, a);
    assert.equal(handle.total, 10);
    let inFlight: string[] = [];
    await waitFor('jobs in flight', async () => {
      inFlight = (await raw.getActive()).map((job) => job.id!);
      return inFlight.length > 0;
    });
    worker.child.kill('SIGTERM');
    assert.deepEqual(await worker.exited, { code: 0, signal: null }, worker.output());
    assert.match(worker.output(), /SIGTERM: finishing the jobs in flight/);
    assert.match(worker.output(), /stopped/);
    for (const id of inFlight) {
      assert.equal(await raw.getJobState(id), 'completed', `job ${id} was in flight`);
    }
    const counts = await raw.getJobCounts('active', 'waiting', 'completed');
    assert.equal(counts.active, 0, 'no job abandoned');
    assert.ok(counts.waiting! > 0, 'no new job taken after SIGTERM');
    assert.equal(counts.waiting! + counts.completed!, 10);

    const next = startWorker({ prefixes: p, concurrency: 4 });
    await next.ready;
    await handle.done();
    await assertEveryFeedHasOnly(manager, ids, a);
  });
});

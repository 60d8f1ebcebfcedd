// Failures through worker CHILD PROCESSES: retries with backoff, malformed jobs that fail for good
// without poisoning the worker, re-running failed jobs, and deduplication of pending tasks.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { createActivity, type Task } from '../../src/index.js';
import { type BullmqJobOptions, createBullmqQueue } from '../../src/queue/bullmq/index.js';
import { singleClient } from '../support/redis.js';
import { fixtureManager } from './fixtures/world.js';
import {
  bullmqConnection,
  cleanup,
  prefixes,
  startWorker,
  stopAllWorkers,
  type WorkerEnv,
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

/** A web-side manager and queue on fresh prefixes, and a worker process on the same ones. */
async function setup(jobOptions: BullmqJobOptions, worker: Omit<WorkerEnv, 'prefixes'> = {}) {
  const p = prefixes();
  used.push(p);
  const queue = createBullmqQueue({ connection, prefix: p.queue, jobOptions, pollInterval: 200 });
  closers.push(() => queue.close());
  const { manager, followers } = fixtureManager({ client, prefix: p.storage, queue });
  const process = startWorker({ prefixes: p, concurrency: 1, ...worker });
  await process.ready;
  return { p, queue, manager, followers, worker: process };
}

const pin = (n: number) =>
  createActivity({ actor: 1, verb: 'add', object: n, time: Date.UTC(2025, 0, 1) + n * 1000 });

const timelineIds = async (manager: ReturnType<typeof fixtureManager>['manager'], user: number) =>
  (await manager.getFeeds(user).timeline.read()).items.map((a) => a.id);

describe('bullmq failures in worker processes', () => {
  it('a storage call that fails twice is retried with backoff and succeeds', async () => {
    const { manager, followers, worker } = await setup(
      { attempts: 5, backoff: { type: 'exponential', delay: 50 } },
      { failAdds: 2 },
    );
    followers.set('1', [2, 3]);
    const a = pin(1);
    const handle = await manager.addUserActivity(1, a);
    await handle.done();
    assert.deepEqual(await timelineIds(manager, 2), [a.id]);
    assert.deepEqual(await timelineIds(manager, 3), [a.id]);
    const log = worker.output();
    assert.match(log, /failed, will retry, attempt 1\/5: injected storage failure 1 of 2/);
    assert.match(log, /failed, will retry, attempt 2\/5: injected storage failure 2 of 2/);
    assert.doesNotMatch(log, /attempt 3\/5/, 'the third attempt succeeded');
  });

  it('malformed jobs fail for good with their reason, without retries, and the worker goes on', async () => {
    const { p, queue, manager, followers, worker } = await setup({ attempts: 5 });
    const raw = new Queue(queue.queueNames.high, { connection, prefix: p.queue });
    closers.push(() => raw.close());
    const payload = JSON.stringify({ v: 1, i: pin(9).id, a: 1, b: 'add', o: 9, m: 0 });
    const fanout = { v: 1, type: 'fanout', op: 'add', userIds: ['2'], trim: true };
    // Retries allowed, so a malformed job retried by mistake would not be in the failed list.
    const opts = { attempts: 5, backoff: 10 };
    await raw.addBulk([
      { name: 'fanout', data: { ...fanout, v: 2, feed: 'timeline', activities: [payload] }, opts },
      { name: 'fanout', data: { ...fanout, feed: 'nosuchfeed', activities: [payload] }, opts },
      { name: 'fanout', data: { ...fanout, feed: 'timeline', activities: ['{'] }, opts },
      { name: 'junk', data: 'not a task', opts },
    ]);
    // A malformed task enqueued through the adapter: its batch's done() rejects with the reason.
    const bad = await queue.enqueue(
      [{ ...fanout, feed: 'nosuchfeed', activities: [payload] } as Task],
      { priority: 'high' },
      async () => {},
    );
    await assert.rejects(bad.done(), /UNKNOWN_FEED: task for feed "nosuchfeed"/);

    followers.set('1', [2]);
    const a = pin(2);
    await (await manager.addUserActivity(1, a)).done();
    assert.deepEqual(await timelineIds(manager, 2), [a.id], 'the worker still processes jobs');

    const failed = await queue.listFailed();
    assert.equal(failed.length, 5);
    const reasons = failed.map((f) => f.reason).sort();
    assert.match(
      reasons.join('\n'),
      /INVALID_TASK: invalid task: unsupported task version number 2; this worker reads v1/,
    );
    assert.match(
      reasons.join('\n'),
      /INVALID_TASK: invalid task: activities\[0\] cannot be decoded/,
    );
    assert.match(reasons.join('\n'), /INVALID_TASK: invalid task: a task string must be JSON/);
    assert.equal(reasons.filter((r) => r.startsWith('UNKNOWN_FEED: ')).length, 2);
    assert.ok(
      failed.every((f) => f.attemptsMade === 1 && f.priority === 'high'),
      'no retries',
    );
    assert.ok(failed.some((f) => f.id === bad.ids[0]));
    assert.match(worker.output(), /failed for good \(malformed task, not retried\)/);
  });

  it('retryFailed re-runs a failed job, and done() then resolves', async () => {
    const { queue, manager, followers } = await setup({ attempts: 1 }, { failAdds: 1 });
    followers.set('1', [2, 3]);
    const a = pin(3);
    const handle = await manager.addUserActivity(1, a);
    await assert.rejects(handle.done(), /failed: injected storage failure 1 of 1/);
    const failed = await queue.listFailed();
    assert.deepEqual(
      failed.map((f) => [f.id, f.name, f.reason]),
      [[handle.ids[0], 'fanout', 'injected storage failure 1 of 1']],
    );
    assert.deepEqual(await timelineIds(manager, 2), []);

    assert.equal(await queue.retryFailed(), 1);
    await handle.done();
    assert.deepEqual(await timelineIds(manager, 2), [a.id]);
    assert.deepEqual(await timelineIds(manager, 3), [a.id]);
    assert.deepEqual(await queue.listFailed(), []);
    assert.equal(await queue.retryFailed(), 0, 'nothing left to retry');
  });

  it('done() of a job whose failure BullMQ pruned (removeOnFail) rejects with the failure, not success', async () => {
    const { p, manager, followers } = await setup(
      { attempts: 1, removeOnFail: { count: 1 } },
      { failAdds: 2 },
    );
    followers.set('1', [2, 3]); // two feeds: one timeline addToMany call (what fails)
    const first = await manager.addUserActivity(1, pin(5));
    const second = await manager.addUserActivity(1, pin(6));
    await assert.rejects(second.done(), /failed: injected storage failure 2 of 2/);
    const [queueName, jobId] = first.ids[0]!.split(':');
    const raw = new Queue(queueName!, { connection, prefix: p.queue });
    closers.push(() => raw.close());
    assert.equal(await raw.getJobState(jobId!), 'unknown', 'the first failure was pruned');
    await assert.rejects(first.done(), /failed: injected storage failure 1 of 2/);
    assert.deepEqual(await timelineIds(manager, 2), []);
  });

  it('done() of a pruned job whose final event is gone too rejects: outcome unknown', async () => {
    const { p, manager, followers } = await setup(
      { attempts: 1, removeOnFail: true },
      { failAdds: 1 },
    );
    followers.set('1', [2, 3]);
    const failing = await manager.addUserActivity(1, pin(7));
    const [queueName] = failing.ids[0]!.split(':');
    // Wait until the worker ran it (the job, removed on failure, is gone from every state).
    await assert.rejects(failing.done(), /injected storage failure 1 of 1/);
    await client.xtrim(`${p.queue}:${queueName}:events`, 'MAXLEN', 0);
    await assert.rejects(failing.done(), (error: Error & { details?: { outcome?: string } }) => {
      assert.match(error.message, /its outcome is unknown/);
      assert.equal(error.details?.outcome, 'unknown');
      return true;
    });
  });

  it('a task enqueued twice while pending runs once; after it completed, the same task runs again', async () => {
    const p = prefixes();
    used.push(p);
    const queue = createBullmqQueue({ connection, prefix: p.queue, pollInterval: 200 });
    closers.push(() => queue.close());
    const { manager } = fixtureManager({ client, prefix: p.storage, queue });
    const a = pin(4);
    await (await manager.addUserActivity(1, a)).done(); // no follower: nothing to run
    const first = await manager.followUser(2, 1);
    const again = await manager.followUser(2, 1);
    assert.deepEqual(again.ids, first.ids, 'the duplicate got the pending job');
    const counts = await queue.jobCounts();
    assert.equal(counts.high.waiting, 1, 'one job for two identical enqueues');

    const worker = startWorker({ prefixes: p, concurrency: 1 });
    await worker.ready;
    await Promise.all([first.done(), again.done()]);
    assert.deepEqual(await timelineIds(manager, 2), [a.id]);
    await (await manager.unfollowUser(2, 1)).done();
    assert.deepEqual(await timelineIds(manager, 2), []);
    const refollow = await manager.followUser(2, 1);
    assert.notDeepEqual(refollow.ids, first.ids, 'a completed job does not swallow a new one');
    await refollow.done();
    assert.deepEqual(await timelineIds(manager, 2), [a.id]);
    const done = await queue.jobCounts();
    assert.equal(done.high.completed, 3, 'follow, unfollow, follow again');
  });
});

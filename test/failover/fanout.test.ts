// A Redis Cluster primary killed with SIGKILL during fan-outs (BullMQ workers in this process) and
// reads; its replica takes over. Redis replication is asynchronous, so writes the dead primary had
// acknowledged but not yet sent to its replica can be lost: this test measures how many, checks
// that every error a caller saw is typed, that every read was a typed error or a correct page,
// that every loss is in a feed of the dead primary's slots, and that publishing again the
// activities acknowledged in the last seconds before the kill (what an operator does after a
// failover; every write is an idempotent upsert) restores every feed exactly once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { timelineZKey } from '../../src/backends/redis/keys.js';
import { createBullmqQueue, createWorker, type JobFailure } from '../../src/queue/bullmq/index.js';
import { deletePrefix } from '../support/redis.js';
import {
  failoverClient,
  killNode,
  primaries,
  primaryOf,
  restartNode,
  waitForNewPrimary,
} from './support.js';
import {
  assertTyped,
  lossSummary,
  measureLosses,
  republishAndVerify,
  stalledSummary,
  Traffic,
  worldManager,
} from './world.js';

const FOLLOWERS = Array.from({ length: 240 }, (_, i) => 1000 + i);

// ioredis Cluster defaults: a command on a dead node's connection is retried every
// retryDelayOnFailover (100 ms) up to maxRedirections (16) times, then fails.
const storageClient = failoverClient();
const bullConnection = failoverClient({ redisOptions: { maxRetriesPerRequest: null } });
after(() => {
  storageClient.disconnect();
  bullConnection.disconnect();
});

/**
 * Kills a primary during fan-outs and reads: one that owns feeds only (`kill: 'feeds'`), or the
 * one that also holds the BullMQ queue (`kill: 'queue'`).
 */
async function scenario(t: TestContext, kill: 'feeds' | 'queue') {
  const id = randomUUID().slice(0, 8);
  const prefix = `t:${id}`;
  const queuePrefix = `{q${id}}`;
  const queueOwner = await primaryOf(slotOf(queuePrefix));
  const victim = (await primaries()).find((p) => (p.port === queueOwner) === (kill === 'queue'))!;

  const storage = createRedisStorage({ client: storageClient, prefix });
  const queue = createBullmqQueue({
    connection: bullConnection,
    prefix: queuePrefix,
    pollInterval: 100,
    jobOptions: { attempts: 40, backoff: { type: 'fixed', delay: 250 } },
  });
  const manager = worldManager(storage, FOLLOWERS, queue);
  const traffic = new Traffic(() => manager, FOLLOWERS);
  let killedAt: number | undefined;
  const taskErrors: unknown[] = [];
  const jobFailures: JobFailure[] = [];
  const worker = createWorker({
    manager: {
      queue,
      runTask: (task) =>
        manager.runTask(task).catch((error: unknown) => {
          taskErrors.push(error);
          throw error;
        }),
    },
    connection: bullConnection,
    concurrency: 4,
    onFailed: (failure) => jobFailures.push(failure),
    onError: () => undefined,
    // A job whose lock was on the dead primary is taken over within seconds, not 30 s.
    stalls: { lockDuration: 2000, stalledInterval: 1000 },
  });
  // Also when the test fails half-way: nothing keeps running, the cluster is whole again.
  t.after(async () => {
    await traffic.stop(30_000);
    await worker.close();
    await queue.close();
    if (killedAt !== undefined) await restartNode(victim.port);
  });
  await worker.ready();

  traffic.start({ publishers: 2, readers: 2 });
  await traffic.acknowledged(10);
  killedAt = Date.now();
  await killNode(victim.port);
  const newPrimary = await waitForNewPrimary(victim.slot, victim.port);
  const recoverySeconds = (Date.now() - killedAt) / 1000;
  await traffic.acknowledged(10);
  await traffic.stop();

  const lost = await measureLosses(manager, FOLLOWERS, traffic, killedAt);
  const outside: string[] = [];
  for (const key of lost.feeds) {
    if ((await primaryOf(slotOf(timelineZKey(prefix, key)))) !== newPrimary) outside.push(key);
  }
  const republished = await republishAndVerify(manager, FOLLOWERS, traffic, killedAt);
  await worker.close();
  await queue.close();

  assert.deepEqual(outside, [], 'losses only in feeds of the killed primary');
  const errors = assertTyped(traffic, taskErrors);
  assert.ok(
    jobFailures.every((f) => !f.permanent),
    'no task failed for good',
  );
  const line = `failover (cluster fan-out, ${kill === 'queue' ? "the BullMQ queue's primary" : 'a primary with feeds only'}): primary ${victim.port} killed (SIGKILL) during ${traffic.acked.length} fan-outs to ${FOLLOWERS.length} followers (timeline + aggregated, BullMQ, one worker with concurrency 4); replica ${newPrimary} primary, cluster ok after ${recoverySeconds.toFixed(2)} s; ${lossSummary(lost)}; ${errors} typed errors (${traffic.publishErrors.length} publish calls, ${taskErrors.length} failed task runs: ${jobFailures.length} recorded as failed and retried by BullMQ with backoff, ${Math.max(0, taskErrors.length - jobFailures.length)} not recorded (lock or queue primary lost) and taken over as stalled, 0 jobs failed for good; ${traffic.reads.errors.length} reads), 0 untyped; reads: ${traffic.reads.ok} correct pages, 0 wrong; ${stalledSummary(traffic)}; ${republished} activities republished: every feed exact, 0 lost, 0 duplicated`;
  t.diagnostic(line);
  console.log(line);

  await deletePrefix(storageClient, prefix);
  await deletePrefix(storageClient, queuePrefix);
}

describe('Redis Cluster failover under fan-out', () => {
  it(
    'a primary with feeds killed during BullMQ fan-outs and reads: losses measured, typed errors, republishing restores every feed exactly once',
    { timeout: 240_000 },
    (t) => scenario(t, 'feeds'),
  );

  it(
    'the primary holding the BullMQ queue killed during fan-outs and reads: jobs retried or taken over, every feed exact after republishing',
    { timeout: 240_000 },
    (t) => scenario(t, 'queue'),
  );
});

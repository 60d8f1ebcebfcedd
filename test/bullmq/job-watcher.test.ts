// TaskBatch.done() follows jobs with a JobWatcher: an event reader plus state polling. Once,
// after the queue's own primary was SIGKILLed in a cluster failover test, a done() never settled
// although every job had completed (docs/reliability.md, "Failover"). These tests hold up the two
// things a wait could hang on, on a real Redis, and check that polling still finishes it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { JobWatcher } from '../../src/queue/bullmq/job-watcher.js';
import { singleClient } from '../support/redis.js';
import { bullmqConnection, cleanup, waitFor } from './support.js';

const client = singleClient();
const connection = bullmqConnection();
const prefix = `{jw${randomUUID().slice(0, 8)}}`;
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
  await cleanup(client, { storage: 'jw:none', queue: prefix });
  await connection.quit();
  await client.quit();
});

const never = () => new Promise<never>(() => {});

/** A queue whose jobs an in-process worker completes; resolves to the queue and a completed job id. */
async function completedJob(name: string): Promise<{ queue: Queue; id: string }> {
  const queue = new Queue(name, { connection, prefix });
  const worker = new Worker(name, async () => 'ok', { connection, prefix });
  closers.push(
    () => queue.close(),
    () => worker.close(),
  );
  const job = await queue.add('task', { n: 1 });
  const id = job.id as string;
  await waitFor('the job to complete', async () => (await queue.getJobState(id)) === 'completed');
  return { queue, id };
}

/** Resolves with 'settled' when `promise` settles, 'hung' after `ms`. */
const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise.then(() => 'settled'),
    new Promise((done) => setTimeout(() => done('hung'), ms).unref()),
  ]);

describe('JobWatcher: a wait is never held up by its event reader or a stuck state read', () => {
  it('an event reader that never starts does not hold the wait: polling finds the completed job', async () => {
    const { queue, id } = await completedJob(`jw-reader-${randomUUID().slice(0, 6)}`);
    // The reader starts by reading the events stream's last id: that call never settles here.
    const stuck = new Proxy(connection, {
      get(target, property) {
        if (property === 'xrevrange') return never;
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as Redis;
    const watcher = new JobWatcher(queue, stuck, prefix, 50);
    closers.push(() => watcher.close());
    const completed: string[] = [];
    assert.equal(
      await within(
        watcher.wait([id], (job) => completed.push(job)),
        10_000,
      ),
      'settled',
    );
    assert.deepEqual(completed, [id]);
  });

  it('a state read that never settles is abandoned after 10 polls (at least 5 s) and the next one finishes the wait', async () => {
    const { queue, id } = await completedJob(`jw-state-${randomUUID().slice(0, 6)}`);
    const real = queue.getJobState.bind(queue);
    let calls = 0;
    queue.getJobState = ((jobId: string) =>
      ++calls === 1 ? never() : real(jobId)) as typeof queue.getJobState;
    const watcher = new JobWatcher(queue, connection, prefix, 50);
    closers.push(() => watcher.close());
    assert.equal(
      await within(
        watcher.wait([id], () => {}),
        20_000,
      ),
      'settled',
    );
    assert.ok(calls >= 2, `the stuck read was followed by another (${calls} calls)`);
  });
});

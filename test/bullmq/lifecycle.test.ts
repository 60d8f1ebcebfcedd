// Logging and shutdown of the BullMQ adapter, in process: the worker's logger records (started,
// a failed attempt that will be retried, a job that gave up, a malformed job, stopped), close()
// of the worker and of the queue (idempotent, waiting for what is in flight, then refusing new
// work with a ClosedError), and a manager closed under a worker leaving its job retryable.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { ClosedError, type LogFields, type Task } from '../../src/index.js';
import { createBullmqQueue, createWorker } from '../../src/queue/bullmq/index.js';
import { isPermanent, jobError } from '../../src/queue/bullmq/job-errors.js';
import { singleClient } from '../support/redis.js';
import { bullmqConnection, cleanup, prefixes } from './support.js';

const client = singleClient();
const connection = bullmqConnection();
const used: ReturnType<typeof prefixes>[] = [];
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
  for (const p of used) await cleanup(client, p);
  await connection.quit();
  await client.quit();
});

type Rec = { level: string; fields: LogFields; message: string };

function recorder() {
  const records: Rec[] = [];
  const at = (level: string) => (fields: LogFields, message: string) =>
    void records.push({ level, fields, message });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function setup(jobOptions = {}) {
  const p = prefixes();
  used.push(p);
  const queue = createBullmqQueue({ connection, prefix: p.queue, jobOptions, pollInterval: 100 });
  closers.push(() => queue.close());
  return { p, queue };
}

const trim = (user: string): Task => ({ v: 1, type: 'trim', feed: 'timeline', userIds: [user] });

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('bullmq worker logger', () => {
  it('rejects a logger that is not one, with INVALID_OPTION', () => {
    const manager = { runTask: async () => {} };
    for (const logger of [5, {}, { warn: 'loud' }]) {
      assert.throws(
        () => createWorker({ manager, connection, logger: logger as never }),
        (e: { code?: string; message?: string }) =>
          e.code === 'INVALID_OPTION' && /logger/.test(e.message ?? ''),
      );
    }
  });

  it('logs start, retries, give-ups, malformed jobs and stop, with ids and counts', async () => {
    const { queue } = setup({ attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    const logger = recorder();
    const runs = new Map<string, number>();
    const manager = {
      queue,
      async runTask(task: unknown) {
        const user = (task as { userIds: string[] }).userIds[0]!;
        const n = (runs.get(user) ?? 0) + 1;
        runs.set(user, n);
        if (user === 'flaky' && n === 1) throw new Error('storage hiccup');
        if (user === 'broken') throw new Error('storage down');
      },
    };
    const worker = createWorker({ manager, connection, concurrency: 1, logger });
    closers.push(() => worker.close());
    await worker.ready();
    const ok = await queue.enqueue([trim('flaky')], { priority: 'high' }, async () => {});
    await ok.done();
    const failing = await queue.enqueue([trim('broken')], { priority: 'low' }, async () => {});
    await assert.rejects(failing.done(), /storage down/);
    await worker.close();
    await worker.close();
    const summary = logger.records.map((r) => [r.level, r.message]);
    assert.deepEqual(summary[0], ['info', 'stream-framework: worker started']);
    assert.deepEqual(summary.at(-1), ['info', 'stream-framework: worker stopped']);
    assert.equal(summary.filter(([, m]) => m?.endsWith('worker stopped')).length, 1);
    const retry = logger.records.find((r) => r.message.endsWith('will retry'));
    assert.equal(retry?.level, 'warn');
    assert.equal(retry?.fields.job, ok.ids[0]);
    assert.equal(retry?.fields.attemptsMade, 1);
    assert.equal(retry?.fields.attempts, 2);
    assert.equal(retry?.fields.err, 'storage hiccup');
    const gaveUp = logger.records.filter((r) => r.message.endsWith('after its last attempt'));
    assert.deepEqual(
      gaveUp.map((r) => [r.level, r.fields.job, r.fields.attemptsMade, r.fields.err]),
      [['error', failing.ids[0], 2, 'storage down']],
    );
  });

  it('logs a malformed job as failed for good', async () => {
    const { queue } = setup({ attempts: 3 });
    const logger = recorder();
    const manager = {
      queue,
      async runTask(task: unknown) {
        // What manager.runTask does with a malformed task: a ValidationError.
        const { parseTask } = await import('../../src/queue/task.js');
        parseTask(task);
      },
    };
    const worker = createWorker({ manager, connection, concurrency: 1, logger });
    closers.push(() => worker.close());
    const raw = new Queue(queue.queueNames.high, { connection, prefix: queue.prefix });
    closers.push(() => raw.close());
    const job = await raw.add('junk', { v: 9 }, { attempts: 3 });
    const failed = new Promise<void>((resolve) => {
      const poll = setInterval(async () => {
        if ((await job.getState()) === 'failed') {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    await failed;
    await worker.close();
    const record = logger.records.find((r) => r.message.endsWith('failed for good'));
    assert.equal(record?.level, 'error');
    assert.equal(record?.fields.permanent, true);
    assert.equal(record?.fields.attemptsMade, 1);
    assert.match(String(record?.fields.err), /INVALID_TASK/);
  });
});

describe('bullmq close', () => {
  it('the worker lets the job in flight finish; closing twice is one close', async () => {
    const { queue } = setup();
    const hold = gate();
    let started = false;
    let finished = false;
    const manager = {
      queue,
      async runTask() {
        started = true;
        await hold.opened;
        finished = true;
      },
    };
    const worker = createWorker({ manager, connection, concurrency: 1 });
    closers.push(() => worker.close());
    const batch = await queue.enqueue([trim('1')], { priority: 'high' }, async () => {});
    while (!started) await new Promise((resolve) => setTimeout(resolve, 20));
    const closing = worker.close();
    assert.equal(worker.close(), closing);
    let closed = false;
    void closing.then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(closed, false, 'close waits for the job in flight');
    hold.open();
    await closing;
    assert.equal(finished, true);
    await batch.done();
  });

  it('the queue waits for an enqueue in flight, then refuses new tasks with a ClosedError', async () => {
    const { queue } = setup();
    const adding = queue.enqueue([trim('1'), trim('2')], { priority: 'low' }, async () => {});
    const closing = queue.close();
    assert.equal(queue.close(), closing);
    const batch = await adding;
    assert.equal(batch.total, 2);
    await closing;
    await assert.rejects(
      queue.enqueue([trim('3')], { priority: 'low' }, async () => {}),
      (e) => e instanceof ClosedError && e.code === 'CLOSED',
    );
    const raw = new Queue(queue.queueNames.low, { connection, prefix: queue.prefix });
    closers.push(() => raw.close());
    assert.equal((await raw.getJobCounts('waiting')).waiting, 2, 'the jobs it accepted are queued');
  });

  it('a task refused by a closed manager is retried by BullMQ, not failed for good', () => {
    const refused = new ClosedError('manager.runTask: the manager is closed');
    assert.equal(isPermanent(refused), false);
    assert.equal(jobError(refused), refused);
  });
});

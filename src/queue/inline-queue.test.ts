import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInlineQueue } from './inline-queue.js';
import type { FollowTask, Task } from './task.js';

const task = (n: number): FollowTask => ({
  v: 1,
  type: 'follow',
  userId: String(n),
  targetIds: ['t'],
  limit: 1,
});
const tasks = (count: number): Task[] => Array.from({ length: count }, (_, i) => task(i));
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('createInlineQueue', () => {
  it('runs every task in order before enqueue resolves (default concurrency 1)', async () => {
    const ran: string[] = [];
    const batch = await createInlineQueue().enqueue(tasks(5), { priority: 'high' }, async (t) => {
      await Promise.resolve();
      ran.push((t as FollowTask).userId);
    });
    assert.deepEqual(ran, ['0', '1', '2', '3', '4']);
    assert.equal(batch.total, 5);
    assert.equal(batch.completed(), 5);
    assert.equal(new Set(batch.ids).size, 5);
    await batch.done();
  });

  it('hands the runner a JSON round-tripped copy, not the enqueued object', async () => {
    const original = task(1);
    let received: Task | undefined;
    await createInlineQueue().enqueue([original], { priority: 'low' }, async (t) => {
      received = t;
    });
    assert.deepEqual(received, original);
    assert.notEqual(received, original);
  });

  it('bounds concurrency', async () => {
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 6 }, deferred);
    const queue = createInlineQueue({ concurrency: 2 });
    const pending = queue.enqueue(tasks(6), { priority: 'high' }, async (t) => {
      running++;
      peak = Math.max(peak, running);
      await gates[Number((t as FollowTask).userId)]!.promise;
      running--;
    });
    for (const gate of gates) {
      gate.resolve();
      await new Promise((r) => setImmediate(r));
    }
    const batch = await pending;
    assert.equal(peak, 2);
    assert.equal(batch.completed(), 6);
  });

  it('rejects with the failing task error and starts no further task', async () => {
    const ran: string[] = [];
    const boom = new Error('boom');
    await assert.rejects(
      createInlineQueue().enqueue(tasks(4), { priority: 'high' }, async (t) => {
        const id = (t as FollowTask).userId;
        ran.push(id);
        if (id === '1') throw boom;
      }),
      (error) => error === boom,
    );
    assert.deepEqual(ran, ['0', '1']);
  });

  it('resolves an empty batch without calling the runner', async () => {
    let calls = 0;
    const batch = await createInlineQueue().enqueue([], { priority: 'high' }, async () => {
      calls++;
    });
    assert.equal(calls, 0);
    assert.equal(batch.total, 0);
    assert.deepEqual(batch.ids, []);
  });

  it('gives ids that stay unique across enqueue calls', async () => {
    const queue = createInlineQueue();
    const run = async () => {};
    const a = await queue.enqueue(tasks(2), { priority: 'high' }, run);
    const b = await queue.enqueue(tasks(2), { priority: 'low' }, run);
    assert.equal(new Set([...a.ids, ...b.ids]).size, 4);
  });

  it('rejects a bad concurrency option (LIMIT_EXCEEDED above 1000)', () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN, '2']) {
      assert.throws(() => createInlineQueue({ concurrency: concurrency as number }), {
        code: 'INVALID_OPTION',
      });
    }
    assert.throws(() => createInlineQueue({ concurrency: 1001 }), { code: 'LIMIT_EXCEEDED' });
  });
});

// High and low priority are separate BullMQ queues, each with its own worker loop: a flood of
// low-priority fan-out must not delay a high-priority job. Checked by order of completion, not
// by durations: when the high-priority job has completed, most of the flood is still waiting.
// (With one FIFO queue the high-priority job would complete only after the whole flood.)
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createActivity } from '../../src/index.js';
import { createBullmqQueue } from '../../src/queue/bullmq/index.js';
import { singleClient } from '../support/redis.js';
import { fixtureManager } from './fixtures/world.js';
import { bullmqConnection, cleanup, prefixes, startWorker, stopAllWorkers } from './support.js';

const client = singleClient();
const connection = bullmqConnection();
const p = prefixes();
const queue = createBullmqQueue({ connection, prefix: p.queue, pollInterval: 200 });
after(async () => {
  await stopAllWorkers(); // the rest of the flood is never run
  await queue.close();
  await cleanup(client, p);
  await connection.quit();
  await client.quit();
});

describe('bullmq priorities', () => {
  it('a flood of low-priority fan-out does not delay a high-priority job', async () => {
    const { manager, followers } = fixtureManager({ client, prefix: p.storage, queue });
    // 100 low-priority jobs of 100 followers, each job slowed down to 100 ms: a 10 s backlog
    // for a worker running one job per queue at a time.
    followers.set('1', { low: Array.from({ length: 10_000 }, (_, i) => 1000 + i) });
    followers.set('2', { high: [7] });
    const worker = startWorker({ prefixes: p, concurrency: 1, slowMs: 100 });
    await worker.ready;
    const time = Date.UTC(2025, 0, 1);
    const flood = await manager.addUserActivity(
      1,
      createActivity({ actor: 1, verb: 'add', object: 1, time }),
    );
    assert.equal(flood.total, 100);
    assert.ok(flood.ids.every((id) => id.startsWith(`${queue.queueNames.low}:`)));
    const urgent = createActivity({ actor: 2, verb: 'add', object: 2, time });
    const handle = await manager.addUserActivity(2, urgent);
    assert.deepEqual(
      handle.ids.map((id) => id.split(':')[0]),
      [queue.queueNames.high],
    );
    await handle.done();
    const { low } = await queue.jobCounts();
    assert.ok(
      (low.waiting ?? 0) > 50,
      `the high-priority job completed before most of the flood (low: ${JSON.stringify(low)})`,
    );
    const page = await manager.getFeeds(7).timeline.read();
    assert.deepEqual(
      page.items.map((a) => a.id),
      [urgent.id],
    );
  });
});

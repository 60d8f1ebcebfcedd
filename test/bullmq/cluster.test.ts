// BullMQ on Redis Cluster (REDIS_CLUSTER_NODES, started by scripts/backends/bullmq.mjs): the queue
// prefix carries a hash tag so every key of a queue is in one slot; the feeds are on the cluster
// too. The worker runs in this process (the child-process tests use the single node).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { createActivity, createManager, defineFlatFeed } from '../../src/index.js';
import { createBullmqQueue, createWorker } from '../../src/queue/bullmq/index.js';
import { deletePrefix } from '../support/redis.js';

const nodes = (process.env.REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean);
const cluster = (options: ConstructorParameters<typeof Cluster>[1] = {}) =>
  new Cluster(
    nodes.map((node) => {
      const [host, port] = node.split(':');
      return { host: host!, port: Number(port) };
    }),
    options,
  );

describe('bullmq on Redis Cluster', {
  skip: nodes.length === 0 && 'REDIS_CLUSTER_NODES is not set',
}, () => {
  const connection = cluster({ redisOptions: { maxRetriesPerRequest: null } });
  const storagePrefix = `t:${randomUUID().slice(0, 8)}`;
  const queuePrefix = `{q${randomUUID().slice(0, 8)}}`;
  after(async () => {
    await deletePrefix(connection, storagePrefix);
    await deletePrefix(connection, queuePrefix);
    await connection.quit();
  });

  it('fans out through a hash-tagged queue prefix and reports failures', async () => {
    const queue = createBullmqQueue({ connection, prefix: queuePrefix, pollInterval: 200 });
    const storage = createRedisStorage({ client: connection, prefix: storagePrefix });
    const followers = Array.from({ length: 1000 }, (_, i) => i + 10);
    const manager = createManager({
      userFeed: defineFlatFeed({ name: 'user', storage }),
      feeds: { timeline: defineFlatFeed({ name: 'timeline', storage }) },
      getFollowerIds: () => ({ high: followers.slice(0, 500), low: followers.slice(500) }),
      queue,
      // 100 per task (the default is 1,000): ten jobs spread over both priorities.
      limits: { fanoutChunkSize: 100 },
    });
    const worker = createWorker({ manager, connection, concurrency: 4 });
    assert.equal(worker.prefix, queuePrefix, 'taken from the manager queue');
    try {
      const a = createActivity({ actor: 1, verb: 'add', object: 1, time: Date.UTC(2025, 0, 1) });
      const handle = await manager.addUserActivity(1, a);
      assert.equal(handle.total, 10);
      await handle.done();
      const pages = await Promise.all(
        followers.map((id) => manager.getFeeds(id).timeline.read({ limit: 5 })),
      );
      assert.ok(pages.every((p) => p.items.length === 1 && p.items[0]?.id === a.id));

      const bad = await queue.enqueue(
        [{ v: 1, type: 'unfollow', userId: '1', targetIds: ['2'], keepHistory: 'no' as never }],
        { priority: 'low' },
        async () => {},
      );
      await assert.rejects(bad.done(), /INVALID_TASK: invalid task: unfollow task keepHistory/);
      const failed = await queue.listFailed({ priority: 'low' });
      assert.deepEqual(
        failed.map((f) => f.id),
        bad.ids,
      );
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('rejects a prefix without hash tag and a worker connection that would time out', async () => {
    assert.throws(() => createBullmqQueue({ connection, prefix: 'sf' }), {
      code: 'INVALID_OPTION',
      message: /on Redis Cluster the prefix or the queue name needs a hash tag/,
    });
    const tagged = createBullmqQueue({
      connection,
      prefix: 'sf',
      queueNames: { high: '{h}', low: '{l}' },
    });
    await tagged.close();
    const plain = cluster({ lazyConnect: true });
    try {
      assert.throws(
        () => createWorker({ manager: { runTask: async () => {} }, connection: plain }),
        {
          code: 'INVALID_OPTION',
          message: /redisOptions: \{ maxRetriesPerRequest: null \}/,
        },
      );
    } finally {
      plain.disconnect();
    }
  });
});

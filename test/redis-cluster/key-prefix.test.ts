import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it, test } from 'node:test';
import { Cluster } from 'ioredis';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { timelineKeys } from '../../src/backends/redis/keys.js';
import { describeBackend } from '../../src/testing/index.js';
import { allKeys, clusterClient } from '../support/redis.js';
import {
  deletePrefixed,
  describeKeyPrefixCases,
  prefixedBackend,
} from '../support/redis-key-prefix.js';

// Cluster clients with an ioredis keyPrefix: the per-node fan-out and activity scripts get key
// names in ARGV, which ioredis does not prefix; the backend must prefix them itself.
const raw = clusterClient();
const nodes = (process.env.REDIS_CLUSTER_NODES ?? '').split(',').map((n) => {
  const [host, port] = n.split(':');
  return { host: host!, port: Number(port) };
});
const both = new Cluster(nodes, { keyPrefix: 'app:', redisOptions: { keyPrefix: 'app:' } });
const clusterOnly = new Cluster(nodes, { keyPrefix: 'app:' });
const tagged = new Cluster(nodes, { keyPrefix: '{app}:' });
after(async () => {
  await Promise.all([both.quit(), clusterOnly.quit(), tagged.quit(), raw.quit()]);
});

describe('redis-cluster, keyPrefix on the cluster and its nodes', () => {
  describeKeyPrefixCases(both, raw, 'app:');
});
describe('redis-cluster, keyPrefix on the cluster only', () => {
  describeKeyPrefixCases(clusterOnly, raw, 'app:');
});
describe('redis-cluster, keyPrefix with a hash tag (every key in one slot)', () => {
  describeKeyPrefixCases(tagged, raw, '{app}:');
});
// The whole conformance kit on a client whose keyPrefix is on the cluster only (the nodes lack it).
describeBackend(
  { describe, test },
  prefixedBackend('redis-cluster, keyPrefix app:', clusterOnly, raw),
);

describe('redis-cluster with a keyPrefix and a stale slot map (the per-node fallbacks)', () => {
  const entries = [
    { id: '0lvnrm2o0kxtauvj', score: 1_700_000_000_001, payload: 'x' },
    { id: '0lvnrm2o1kxtauvj', score: 1_700_000_000_002, payload: 'y' },
  ];
  for (const [name, cluster] of [
    ['cluster and nodes', both],
    ['cluster only', clusterOnly],
  ] as const) {
    it(`writes, reads and removes every feed and activity under the keyPrefix (${name})`, async () => {
      await cluster.ping();
      const prefix = `kp:${randomUUID().slice(0, 8)}`;
      // The layout of 0.1 (16 hashes over the masters): its per-node reads have fallbacks.
      const storage = createRedisStorage({ client: cluster, prefix, activityColocation: 'shard' });
      const keys = Array.from({ length: 60 }, (_, i) => `t:${i}`);
      const ids = Array.from(
        { length: 30 },
        (_, i) => `0lvn${String(i).padStart(2, '0')}o0kxtauvj`,
      );
      // Point the slots of every third feed and activity hash at a master that does not serve
      // them: their per-node calls fail and are retried per feed (pipelined per node, then
      // through the cluster client).
      const masters = cluster.nodes('master').map((n) => `${n.options.host}:${n.options.port}`);
      const slots = [
        ...keys.filter((_, i) => i % 3 === 0).map((k) => timelineKeys(prefix, k).z),
        ...[0, 3, 6, 9, 12, 15].map((n) => `${prefix}:a:{${n}}`),
      ].map((key) => slotOf(`app:${key}`));
      const saved = slots.map((slot) => cluster.slots[slot]);
      for (const slot of slots) {
        const owner = cluster.slots[slot]![0]!;
        cluster.slots[slot] = [masters.find((m) => m !== owner)!];
      }
      try {
        await storage.timeline.addToMany(keys, entries, { maxLength: 10 });
        await storage.activities.putMany(ids.map((id) => ({ id, payload: id })));
        for (const key of keys) assert.equal(await storage.timeline.count(key), 2, key);
        assert.deepEqual(await storage.activities.getMany(ids), ids);
        await storage.timeline.removeFromMany(keys, [entries[0]!.id]);
        for (const key of keys) assert.equal(await storage.timeline.count(key), 1, key);
        const written = await allKeys(raw, `*${prefix}:*`);
        assert.ok(written.length > 60);
        assert.deepEqual(
          written.filter((k) => !k.startsWith(`app:${prefix}:`)),
          [],
        );
      } finally {
        slots.forEach((slot, i) => {
          cluster.slots[slot] = saved[i]!;
        });
        await deletePrefixed(raw, prefix);
      }
    });
  }
});

describe('redis-cluster, keyPrefix settings the backend cannot follow', () => {
  const refused = (options: ConstructorParameters<typeof Cluster>[1], message: RegExp) => {
    const cluster = new Cluster(nodes, { ...options, lazyConnect: true });
    try {
      assert.throws(
        () => createRedisStorage({ client: cluster }),
        (e: { code?: string; message?: string }) =>
          e.code === 'INVALID_OPTION' && message.test(e.message ?? ''),
      );
    } finally {
      cluster.disconnect();
    }
  };

  it('refuses a cluster keyPrefix that differs from redisOptions.keyPrefix', () => {
    refused({ keyPrefix: 'a:', redisOptions: { keyPrefix: 'b:' } }, /differ/);
    refused({ keyPrefix: 'app:', redisOptions: { keyPrefix: 'ap' } }, /differ/);
  });

  it('refuses a Buffer or not well-formed keyPrefix', () => {
    refused({ keyPrefix: Buffer.from('app:') as unknown as string }, /must be a string/);
    refused({ keyPrefix: 'app\ud800:' }, /lone surrogate/);
  });

  it('accepts the same keyPrefix on both, or on one of them', () => {
    for (const options of [
      { keyPrefix: 'app:', redisOptions: { keyPrefix: 'app:' } },
      { keyPrefix: 'app:' },
      { redisOptions: { keyPrefix: 'app:' } },
    ]) {
      const cluster = new Cluster(nodes, { ...options, lazyConnect: true });
      try {
        assert.doesNotThrow(() => createRedisStorage({ client: cluster }));
      } finally {
        cluster.disconnect();
      }
    }
  });
});

// The Redis structures on a 3-master Redis Cluster: a smoke-level run of each, plus the point of
// the sharded hash cache (its shards, each under its own hash tag, live on different nodes).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createHashCache,
  createListCache,
  createShardedHashCache,
  createSortedSetCache,
} from '../../src/backends/redis/structures/index.js';
import { keyspace, recordingFallback } from '../redis/structures/support.js';
import { clusterClient } from '../support/redis.js';

const cluster = clusterClient();
const keys = keyspace(cluster);
before(async () => {
  await cluster.ping();
});
after(async () => {
  await keys.cleanup();
  await cluster.quit();
});

/** "host:port" of the master serving `key`. */
async function nodeOf(key: string): Promise<string> {
  const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
  const node = cluster.slots[slot]?.[0];
  assert.ok(node, `slot ${slot} has a node`);
  return node;
}

/** The client of one master, to read a key without redirection. */
function masterClient(node: string) {
  const master = cluster
    .nodes('master')
    .find((n) => `${n.options.host}:${n.options.port}` === node);
  assert.ok(master, `master ${node} is known`);
  return master;
}

describe('redis cluster: structures', () => {
  it('sharded hash cache: shards on different nodes, each holding its own fields', async () => {
    const source = new Map<string, string>(
      Array.from({ length: 60 }, (_, i) => [`id:${i}`, `v${i}`] as const),
    );
    const { calls, fallback } = recordingFallback(source);
    // A random key's 10 shard tags all hashing to one node has odds of ~5e-5: draw again then,
    // so the test never flakes (a cache whose shards shared one tag would fail every draw).
    let cache = createShardedHashCache({ client: cluster, key: keys.key('sharded'), fallback });
    let nodes = await Promise.all(cache.shardKeys.map(nodeOf));
    for (let draw = 0; draw < 5 && new Set(nodes).size < 2; draw++) {
      cache = createShardedHashCache({ client: cluster, key: keys.key('sharded'), fallback });
      nodes = await Promise.all(cache.shardKeys.map(nodeOf));
    }
    keys.track(...cache.shardKeys);
    assert.ok(new Set(nodes).size >= 2, `shards spread over nodes: ${nodes.join(' ')}`);

    const ids = [...source.keys()];
    assert.deepEqual(await cache.getMany(ids), [...source.values()]);
    assert.deepEqual(await cache.getMany(ids), [...source.values()]);
    assert.equal(calls.length, 1);
    for (const [n, key] of cache.shardKeys.entries()) {
      const expected = ids.filter((id) => cache.shardKeyOf(id) === key).length;
      assert.equal(await masterClient(nodes[n]!).hlen(key), expected, key);
    }
    assert.equal(await cache.count(), 60);
    assert.equal((await cache.keys()).length, 60);
    assert.equal(await cache.contains('id:7'), true);
    assert.equal(await cache.setMany({ a: '', b: '0' }), 2);
    assert.deepEqual(await cache.getMany(['a', 'b']), ['', '0']);
    assert.equal(await cache.deleteMany(ids.slice(0, 30)), 30);
    await cache.clear();
    assert.equal(await cache.count(), 0);
  });

  it('hash caches on every master', async () => {
    // One key on each master.
    const byNode = new Map<string, string>();
    while (byNode.size < cluster.nodes('master').length) {
      const key = keys.key('hash');
      const node = await nodeOf(key);
      if (!byNode.has(node)) byNode.set(node, key);
    }
    const caches = [...byNode.values()].map((key) =>
      createHashCache({ client: cluster, key, fallback: async (f) => f }),
    );
    await Promise.all(caches.map((c, i) => c.setMany({ x: String(i), y: '' })));
    for (const [i, cache] of caches.entries()) {
      assert.deepEqual(await cache.getMany(['x', 'y', 'z']), [String(i), '', 'z']);
      assert.equal(await cache.count(), 3);
      assert.deepEqual((await cache.keys()).sort(), ['x', 'y', 'z']);
      await cache.clear();
    }
  });

  it('sorted set cache: capped adds in MULTI, exact scores, paging and trims', async () => {
    const cache = createSortedSetCache({ client: cluster, key: keys.key('zset'), maxLength: 600 });
    const many = Array.from({ length: 700 }, (_, i) => ({
      member: `m${i}`,
      score: 1714566645000 + i,
    }));
    assert.equal(await cache.addMany(many), 700);
    assert.equal(await cache.count(), 600);
    assert.deepEqual(await cache.range({ limit: 2 }), [many[699], many[698]]);
    assert.deepEqual(
      await cache.range({ minScore: many[200]!.score, maxScore: many[201]!.score }),
      [many[201], many[200]],
    );
    assert.equal(await cache.add(Number.MAX_SAFE_INTEGER, 'max'), true);
    assert.equal(await cache.score('max'), Number.MAX_SAFE_INTEGER);
    assert.equal(await cache.indexOf('max'), 0);
    assert.equal(await cache.removeByScores([many[699]!.score, many[698]!.score]), 2);
    assert.equal(await cache.trim(10), 588);
    await cache.clear();
    assert.equal(await cache.count(), 0);
  });

  it('list cache: capped writes, fallback write-back (Lua) and removals', async () => {
    const source = Array.from({ length: 20 }, (_, i) => `i${i}`);
    let loads = 0;
    const cache = createListCache({
      client: cluster,
      key: keys.key('list'),
      maxLength: 10,
      fallback: async (start, stop) => {
        loads++;
        return source.slice(start, stop);
      },
    });
    await cache.append('stale');
    assert.deepEqual(await cache.slice(0, 5), source.slice(0, 5));
    assert.deepEqual(await cache.slice(0, 5), source.slice(0, 5));
    assert.equal(loads, 1);
    assert.equal(await cache.prepend('new'), 6);
    assert.equal(await cache.removeMany(['i0', 'i1']), 2);
    assert.deepEqual(await cache.slice(0, 4), ['new', 'i2', 'i3', 'i4']);
    assert.equal(await cache.trim(2), 2);
    await cache.clear();
    assert.equal(await cache.count(), 0);
  });
});

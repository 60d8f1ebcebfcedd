import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';

import { createRedisStorage } from '../../src/backends/redis/index.js';
import { activityShardKey } from '../../src/backends/redis/keys.js';
import { RedisActivityStorage } from '../../src/backends/redis/redis-activity-storage.js';
import { createActivity, defineFlatFeed } from '../../src/index.js';
import { clusterClient, deletePrefix } from '../support/redis.js';
import { countScriptCalls } from '../support/script-calls.js';

// Activity storage reads on a cluster: one hmget_on_node script call per master for all the
// hashes it serves; a call that fails (a slot served elsewhere) falls back to one HMGET per hash.
// With colocated buckets, a page within one bucket is one call to one node.
const client = clusterClient();
after(() => client.quit());

async function world(count: number) {
  await client.ping();
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const storage = new RedisActivityStorage({ client, prefix, shards: 16 });
  const ids = Array.from(
    { length: count },
    (_, i) => createActivity({ actor: i, verb: 'pin', object: i, time: 1_764_000_000_000 + i }).id,
  );
  // Every third activity is never stored: reads must report it missing.
  const stored = ids.filter((_, i) => i % 3 !== 0);
  await storage.putMany(stored.map((id) => ({ id, payload: `payload of ${id}` })));
  const expected = ids.map((id, i) => (i % 3 === 0 ? undefined : `payload of ${id}`));
  return { prefix, storage, ids, expected };
}

describe('redis-cluster activity reads', () => {
  it('reads 60 activities from 16 hashes with at most one script call per master', async () => {
    const { prefix, storage, ids, expected } = await world(60);
    const calls = countScriptCalls(client.nodes('master'));
    let values: (string | undefined)[];
    try {
      values = await storage.getMany(ids);
    } finally {
      calls.stop();
    }
    assert.deepEqual(values, expected);
    assert.ok(calls.count() <= 3, `expected at most 3 script calls, got ${calls.count()}`);
    // Repeated and reordered ids come back positionally.
    const twice = [ids[5]!, ids[0]!, ids[5]!, ids[59]!];
    assert.deepEqual(await storage.getMany(twice), [
      expected[5],
      expected[0],
      expected[5],
      expected[59],
    ]);
    await deletePrefix(client, prefix);
  });

  it('still reads every activity when the client slot map is stale (one HMGET per hash)', async () => {
    const { prefix, storage, ids, expected } = await world(60);
    const masters = client.nodes('master').map((n) => `${n.options.host}:${n.options.port}`);
    const slots = [...new Set(ids.map((id) => slotOf(activityShardKey(prefix, 16, id))))];
    const moved = slots.filter((_, i) => i % 2 === 0);
    const saved = moved.map((slot) => client.slots[slot]);
    for (const slot of moved) {
      const owner = client.slots[slot]![0]!;
      client.slots[slot] = [masters.find((m) => m !== owner)!];
    }
    try {
      assert.deepEqual(await storage.getMany(ids), expected);
    } finally {
      moved.forEach((slot, i) => {
        client.slots[slot] = saved[i]!;
      });
    }
    await deletePrefix(client, prefix);
  });

  it('reads more ids per hash than one HMGET chunk of the script (1,200 in 2 hashes)', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = new RedisActivityStorage({ client, prefix, shards: 2 });
    const ids = Array.from(
      { length: 1200 },
      (_, i) => createActivity({ actor: i, verb: 'pin', object: 1, time: 1_764_000_000_000 }).id,
    );
    await storage.putMany(ids.map((id) => ({ id, payload: id.toUpperCase() })));
    assert.deepEqual(
      await storage.getMany(ids),
      ids.map((id) => id.toUpperCase()),
    );
    await deletePrefix(client, prefix);
  });

  it('colocated buckets: a page within one bucket is one call to one node', async () => {
    for (const [shards, scripts] of [
      [4, 1], // four hashes on one node: one hmget_on_node call
      [1, 0], // one hash: a plain HMGET
    ] as const) {
      const prefix = `t:${randomUUID().slice(0, 8)}`;
      const storage = new RedisActivityStorage({
        client,
        prefix,
        shards,
        bucketMs: 60_000,
        colocation: 'bucket',
      });
      // 25 activities a second apart, in the first half of one minute.
      const ids = Array.from(
        { length: 25 },
        (_, i) =>
          createActivity({ actor: i, verb: 'pin', object: i, time: 1_764_000_000_000 + i * 1000 })
            .id,
      );
      // The fourth is never stored: it must come back missing.
      await storage.putMany(
        ids.filter((_, i) => i !== 3).map((id) => ({ id, payload: `payload of ${id}` })),
      );
      const keys = new Set(ids.map((id) => activityShardKey(prefix, shards, id, 60_000, 'bucket')));
      // (25 ids over 4 shards fill them all but for a 0.3% chance: 2 to 4 hashes then.)
      assert.ok(shards === 1 ? keys.size === 1 : keys.size > 1, `${keys.size} hashes`);
      assert.equal(new Set([...keys].map(slotOf)).size, 1, 'one slot');
      const calls = countScriptCalls(client.nodes('master'));
      let values: (string | undefined)[];
      try {
        values = await storage.getMany(ids);
      } finally {
        calls.stop();
      }
      assert.deepEqual(
        values,
        ids.map((id, i) => (i === 3 ? undefined : `payload of ${id}`)),
      );
      assert.equal(calls.count(), scripts, `${shards} shards`);
      await deletePrefix(client, prefix);
    }
  });

  it('colocated buckets: a page over two buckets reads both, on one node or two', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = new RedisActivityStorage({
      client,
      prefix,
      shards: 3,
      bucketMs: 10_000,
      colocation: 'bucket',
    });
    // 200 activities 700 ms apart: 14 buckets, pages of 25 over one or two of them.
    const ids = Array.from(
      { length: 200 },
      (_, i) =>
        createActivity({ actor: i, verb: 'pin', object: i, time: 1_764_000_000_000 + i * 700 }).id,
    );
    const stored = ids.filter((_, i) => i % 4 !== 0);
    await storage.putMany(stored.map((id) => ({ id, payload: id.toUpperCase() })));
    for (let at = 0; at < ids.length; at += 25) {
      const page = ids.slice(at, at + 25);
      assert.deepEqual(
        await storage.getMany(page),
        page.map((id, i) => ((at + i) % 4 === 0 ? undefined : id.toUpperCase())),
      );
    }
    await deletePrefix(client, prefix);
  });

  it('createRedisStorage on a cluster: colocated one-minute buckets of one hash by default', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    const feed = defineFlatFeed({ name: 'timeline', storage }).for(1);
    // 25 activities a second apart within one minute: one hash, read with one plain HMGET.
    const activities = Array.from({ length: 25 }, (_, i) =>
      createActivity({ actor: i, verb: 'pin', object: i, time: 1_764_000_000_000 + i * 1000 }),
    );
    await feed.addMany(activities);
    const keys = new Set(
      activities.map((a) => activityShardKey(prefix, 1, a.id, 60_000, 'bucket')),
    );
    assert.deepEqual(
      [...keys],
      [`${prefix}:a:{${Math.floor(1_764_000_000_000 / 60_000).toString(36)}}.0`],
    );
    for (const key of keys) assert.equal(await client.hlen(key), 25, key);
    const calls = countScriptCalls(client.nodes('master'));
    let page: Awaited<ReturnType<typeof feed.read>>;
    try {
      page = await feed.read({ limit: 25 });
    } finally {
      calls.stop();
    }
    assert.deepEqual(page.items, [...activities].reverse());
    assert.equal(calls.count(), 0, 'no script: one HMGET');
    // The layout of 0.1 under the same prefix: 16 hashes, none of them holding these activities.
    const old = createRedisStorage({ client, prefix, activityColocation: 'shard' });
    const oldFeed = defineFlatFeed({ name: 'timeline', storage: old }).for(1);
    const oldPage = await oldFeed.read({ limit: 25 });
    assert.deepEqual(oldPage.items, []);
    assert.equal(oldPage.missing.length, 25);
    await old.activities.putMany(activities.map((a) => ({ id: a.id, payload: 'x' })));
    const shardKeys = new Set(activities.map((a) => activityShardKey(prefix, 16, a.id)));
    assert.ok(shardKeys.size > 1, `${shardKeys.size} hashes`);
    for (const key of shardKeys) assert.ok((await client.hlen(key)) > 0, key);
    assert.deepEqual((await feed.read({ limit: 25 })).items, [...activities].reverse());
    await deletePrefix(client, prefix);
  });
});

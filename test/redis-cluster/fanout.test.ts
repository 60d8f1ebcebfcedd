import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { timelineKeys } from '../../src/backends/redis/keys.js';
import { clusterClient, deletePrefix } from '../support/redis.js';
import { countScriptCalls } from '../support/script-calls.js';

// Cluster fan-out sends one `allow-cross-slot-keys` script call per master and chunk of feeds;
// calls that fail (a slot served elsewhere) are retried per feed through the cluster client.
const client = clusterClient();
after(() => client.quit());

const entries = [
  { id: '0lvnrm2o0kxtauvj', score: 1_700_000_000_001 },
  { id: '0lvnrm2o1kxtauvj', score: 1_700_000_000_002 },
];

async function world(feeds: number) {
  await client.ping();
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const storage = createRedisStorage({ client, prefix });
  const keys = Array.from({ length: feeds }, (_, i) => `timeline:${i}`);
  return { prefix, storage, keys };
}

async function sizes(prefix: string, keys: readonly string[]): Promise<number[]> {
  return Promise.all(keys.map((key) => client.zcard(timelineKeys(prefix, key).z)));
}

describe('redis-cluster fan-out', () => {
  it('writes 600 feeds with one script call per master and chunk of 250 feeds, not one per feed', async () => {
    const { prefix, storage, keys } = await world(600);
    const calls = countScriptCalls(client.nodes('master'));
    try {
      await storage.timeline.idsOnly().addToMany(keys, entries, { maxLength: 10 });
    } finally {
      calls.stop();
    }
    assert.deepEqual(
      await sizes(prefix, keys),
      keys.map(() => 2),
    );
    // 3 masters x at most ceil(~200 / 250) chunks (a few more if the slots are unevenly spread).
    assert.ok(calls.count() <= 9, `expected a handful of script calls, got ${calls.count()}`);

    const removeCalls = countScriptCalls(client.nodes('master'));
    try {
      await storage.timeline.removeFromMany(keys, [entries[0]!.id]);
    } finally {
      removeCalls.stop();
    }
    assert.deepEqual(
      await sizes(prefix, keys),
      keys.map(() => 1),
    );
    assert.ok(removeCalls.count() <= 9, `got ${removeCalls.count()} script calls`);
    await deletePrefix(client, prefix);
  });

  it('still writes every feed when the client slot map is stale (calls retried per feed)', async () => {
    const { prefix, storage, keys } = await world(120);
    const masters = client.nodes('master').map((n) => `${n.options.host}:${n.options.port}`);
    // Point the slots of every third feed at a master that does not serve them.
    const moved = keys
      .filter((_, i) => i % 3 === 0)
      .map((key) => slotOf(timelineKeys(prefix, key).z));
    const saved = moved.map((slot) => client.slots[slot]);
    for (const slot of moved) {
      const owner = client.slots[slot]![0]!;
      client.slots[slot] = [masters.find((m) => m !== owner)!];
    }
    try {
      await storage.timeline.idsOnly().addToMany(keys, entries, { maxLength: 10 });
      assert.deepEqual(
        await sizes(prefix, keys),
        keys.map(() => 2),
      );
      await storage.timeline.removeFromMany(
        keys,
        entries.map((e) => e.id),
      );
      assert.deepEqual(
        await sizes(prefix, keys),
        keys.map(() => 0),
      );
    } finally {
      moved.forEach((slot, i) => {
        client.slots[slot] = saved[i]!;
      });
    }
    await deletePrefix(client, prefix);
  });

  it('fans out denormalized entries with payloads and trims every feed', async () => {
    const { prefix, storage, keys } = await world(90);
    const many = Array.from({ length: 12 }, (_, i) => ({
      id: `0lvnrm2o${i.toString(36).padStart(2, '0')}xtauvj`,
      score: 1_700_000_000_000 + i,
      payload: `p${i}`,
    }));
    await storage.timeline.addToMany(keys, many, { maxLength: 5 });
    for (const key of keys) {
      const top = await storage.timeline.range(key, { limit: 10, order: 'desc' });
      assert.deepEqual(
        top.map((e) => e.payload),
        ['p11', 'p10', 'p9', 'p8', 'p7'],
      );
      assert.equal(await client.hlen(timelineKeys(prefix, key).p), 5);
    }
    await deletePrefix(client, prefix);
  });
});

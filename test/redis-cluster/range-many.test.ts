import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { timelineKeys } from '../../src/backends/redis/keys.js';
import type { RangeQuery, TimelineEntry } from '../../src/storage/contracts.js';
import { clusterClient, deletePrefix } from '../support/redis.js';
import { countScriptCalls } from '../support/script-calls.js';

// rangeMany on a cluster: one `range_on_node` script call per master for all the timelines it
// serves; a call that fails (a slot served elsewhere) falls back to one `range` per timeline.
const client = clusterClient();
after(() => client.quit());

/** 60 timelines, timeline i holding entries i..i+9 (so neighbours share ids), with payloads. */
async function world() {
  await client.ping();
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const storage = createRedisStorage({ client, prefix });
  const keys = Array.from({ length: 60 }, (_, i) => `timeline:${i}`);
  const entry = (n: number): TimelineEntry => ({
    id: `0lvnrm2o${n.toString(36).padStart(2, '0')}xtauvj`,
    score: 1_700_000_000_000 + Math.floor(n / 3),
    payload: `p${n}`,
  });
  await Promise.all(
    keys.map((key, i) =>
      storage.timeline.add(
        key,
        Array.from({ length: 10 }, (_, j) => entry(i + j)),
      ),
    ),
  );
  return { prefix, storage, keys };
}

const QUERIES: readonly RangeQuery[] = [
  { order: 'desc', limit: 4 },
  { order: 'asc', limit: 25 },
  { order: 'desc', limit: 3, max: { score: 1_700_000_000_010, id: 'm', inclusive: false } },
];

describe('redis-cluster rangeMany', () => {
  it('reads 60 timelines with at most one script call per master, equal to range per key', async () => {
    const { prefix, storage, keys } = await world();
    const missing = [...keys, 'timeline:none'];
    for (const view of [storage.timeline, storage.timeline.idsOnly()]) {
      for (const query of QUERIES) {
        const calls = countScriptCalls(client.nodes('master'));
        let many: TimelineEntry[][];
        try {
          many = await view.rangeMany(missing, query);
        } finally {
          calls.stop();
        }
        assert.ok(calls.count() <= 3, `expected at most 3 script calls, got ${calls.count()}`);
        assert.deepEqual(many, await Promise.all(missing.map((key) => view.range(key, query))));
        assert.deepEqual(many.at(-1), []);
        if (!query.max) assert.ok(many.slice(0, -1).every((r) => r.length > 0));
      }
    }
    await deletePrefix(client, prefix);
  });

  it('still reads every timeline when the client slot map is stale (one range per timeline)', async () => {
    const { prefix, storage, keys } = await world();
    const masters = client.nodes('master').map((n) => `${n.options.host}:${n.options.port}`);
    const moved = keys
      .filter((_, i) => i % 3 === 0)
      .map((key) => slotOf(timelineKeys(prefix, key).z));
    const saved = moved.map((slot) => client.slots[slot]);
    const query: RangeQuery = { order: 'desc', limit: 5 };
    const expected = await Promise.all(keys.map((key) => storage.timeline.range(key, query)));
    for (const slot of moved) {
      const owner = client.slots[slot]![0]!;
      client.slots[slot] = [masters.find((m) => m !== owner)!];
    }
    try {
      assert.deepEqual(await storage.timeline.rangeMany(keys, query), expected);
    } finally {
      moved.forEach((slot, i) => {
        client.slots[slot] = saved[i]!;
      });
    }
    await deletePrefix(client, prefix);
  });
});

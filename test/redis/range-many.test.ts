import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import type { RangeQuery, TimelineEntry } from '../../src/storage/contracts.js';
import { deletePrefix, singleClient } from '../support/redis.js';
import { countScriptCalls } from '../support/script-calls.js';

// rangeMany on a single node: one `range_many` script call per `fanoutBatch` timelines, or, for
// the first page of id-only timelines, one pipeline of ZREVRANGE/ZRANGE and no script at all.
const client = singleClient();
after(() => client.quit());

const BOUND = { score: 1_700_000_000_030, id: 'm', inclusive: false };

describe('redis rangeMany', () => {
  it('reads 6 timelines in one script call (7 with fanoutBatch 3 in three), a first id-only page in none', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const keys = Array.from({ length: 7 }, (_, i) => `user:${i}`);
    for (const fanoutBatch of [250, 3]) {
      const storage = createRedisStorage({ client, prefix, fanoutBatch });
      const ids = storage.timeline.idsOnly();
      await Promise.all(
        keys.map((key, i) =>
          ids.add(
            key,
            Array.from({ length: 40 }, (_, j) => ({
              id: `0lvnrm2o${(i * 40 + j).toString(36).padStart(3, '0')}tauvj`,
              score: 1_700_000_000_000 + j,
            })),
          ),
        ),
      );
      const read = fanoutBatch === 250 ? keys.slice(0, 6) : keys;
      const scripted = Math.ceil(read.length / fanoutBatch);
      const cases: [RangeQuery, typeof ids | typeof storage.timeline, number][] = [
        [{ order: 'desc', limit: 25 }, ids, 0],
        [{ order: 'asc', limit: 25 }, ids, 0],
        [{ order: 'desc', limit: 25, max: BOUND }, ids, scripted],
        [{ order: 'asc', limit: 25, min: BOUND }, ids, scripted],
        [{ order: 'desc', limit: 25 }, storage.timeline, scripted],
      ];
      for (const [query, view, expectedCalls] of cases) {
        const calls = countScriptCalls([client]);
        let many: TimelineEntry[][];
        try {
          many = await view.rangeMany(read, query);
        } finally {
          calls.stop();
        }
        assert.equal(calls.count(), expectedCalls, JSON.stringify(query));
        assert.deepEqual(many, await Promise.all(read.map((key) => view.range(key, query))));
        assert.ok(many.every((r) => r.length > 0));
      }
    }
    await deletePrefix(client, prefix);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import type { RangeQuery, TimelineEntry } from '../../src/storage/contracts.js';
import { deletePrefix, singleClient } from '../support/redis.js';
import { countScriptCalls } from '../support/script-calls.js';

// rangeMany on a single node: one `range_many` script call per `fanoutBatch` timelines.
const client = singleClient();
after(() => client.quit());

describe('redis rangeMany', () => {
  it('reads 6 timelines in one script call, and 7 with fanoutBatch 3 in three', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const keys = Array.from({ length: 7 }, (_, i) => `user:${i}`);
    const query: RangeQuery = { order: 'desc', limit: 25 };
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
      const calls = countScriptCalls([client]);
      let many: TimelineEntry[][];
      try {
        many = await ids.rangeMany(read, query);
      } finally {
        calls.stop();
      }
      assert.equal(calls.count(), Math.ceil(read.length / fanoutBatch));
      assert.deepEqual(many, await Promise.all(read.map((key) => ids.range(key, query))));
      assert.ok(many.every((r) => r.length === 25));
    }
    await deletePrefix(client, prefix);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createMemoryStorage } from '../../src/backends/memory/index.js';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import type { MergedRangeOptions, RangeQuery } from '../../src/storage/contracts.js';
import { deletePrefix, singleClient } from '../support/redis.js';
import { countScriptCalls } from '../support/script-calls.js';

// rangeMerged on a single node: one `range_merged` script call for up to `fanoutBatch`
// timelines; beyond, `range_many` calls of `fanoutBatch` timelines and the merge in the client.
// Both give what the memory backend gives for the same timelines.
const client = singleClient();
after(() => client.quit());

const T0 = 1_700_000_000_000;
const BOUND = { score: T0 + 10, id: '0lvnrm2o00utauvj', inclusive: true }; // the id of number 30

describe('redis rangeMerged', () => {
  it('one script call up to fanoutBatch timelines, range_many batches beyond, the same page', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const keys = Array.from({ length: 7 }, (_, i) => `user:${i}`);
    // Timeline i holds 40 - 4i entries; scores tie in threes, ids are shared across timelines.
    const entries = (i: number) =>
      Array.from({ length: 40 - 4 * i }, (_, j) => ({
        id: `0lvnrm2o${((j * 7 + i * 3) % 60).toString(36).padStart(3, '0')}tauvj`,
        score: T0 + Math.floor(((j * 7 + i * 3) % 60) / 3),
      }));
    const memory = createMemoryStorage().timeline.idsOnly();
    for (const [i, key] of keys.entries()) await memory.add(key, entries(i));
    for (const fanoutBatch of [250, 3]) {
      const ids = createRedisStorage({ client, prefix, fanoutBatch }).timeline.idsOnly();
      for (const [i, key] of keys.entries()) await ids.add(key, entries(i));
      // [query, options, bounded reads beyond fanoutBatch (range_many calls; else a pipeline)]
      const cases: [RangeQuery, MergedRangeOptions, boolean][] = [
        [{ order: 'desc', limit: 25 }, {}, false],
        [{ order: 'desc', limit: 25 }, { floorAt: 40 }, false], // the floor cuts the pages
        [{ order: 'asc', limit: 25 }, { floorAt: 40 }, true], // the floor bounds the reads
        [{ order: 'desc', limit: 10, max: BOUND }, { floorAt: 1 }, true],
        [{ order: 'asc', limit: 60, min: BOUND }, {}, true],
      ];
      for (const [query, options, bounded] of cases) {
        const calls = countScriptCalls([client]);
        let page: Awaited<ReturnType<typeof ids.rangeMerged>>;
        try {
          page = await ids.rangeMerged(keys, query, options);
        } finally {
          calls.stop();
        }
        const what = `fanoutBatch ${fanoutBatch} ${JSON.stringify([query, options])}`;
        assert.deepEqual(page, await memory.rangeMerged(keys, query, options), what);
        assert.ok(page.length > 0, what);
        const expected = fanoutBatch === 250 ? 1 : bounded ? Math.ceil(keys.length / 3) : 0;
        assert.equal(calls.count(), expected, what);
      }
    }
    await deletePrefix(client, prefix);
  });
});

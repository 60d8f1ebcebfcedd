import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../../activity/activity.js';
import { byVerbAndDay, createAggregator } from '../../aggregation/aggregators.js';
import { createMemoryStorage } from '../../backends/memory/index.js';
import { ValidationError } from '../../errors.js';
import { createJsonSerializer } from '../../serialization/json-serializer.js';
import type { Serializer } from '../../serialization/serializer.js';
import { AGGREGATED_KEYS, defineAggregatedFeed } from '../aggregated-feed.js';
import { DEFAULT_GROUP_CACHE_CHARACTERS } from './recent-groups.js';
import { resolveGroupFeedSettings } from './settings.js';
import { createGroupWriter } from './writes.js';

/** The JSON serializer, counting decodeGroup calls. */
function countingSerializer(): { serializer: Serializer; decoded: () => number } {
  const json = createJsonSerializer();
  let decoded = 0;
  const serializer: Serializer = {
    ...json,
    decodeGroup(payload, context) {
      decoded += 1;
      return json.decodeGroup(payload, context);
    },
  };
  return { serializer, decoded: () => decoded };
}

const like = (i: number) =>
  createActivity({ actor: i % 3, verb: 'love', object: 7, time: 1_764_000_000_000 + i * 1000 });

describe('group writer: recently encoded groups', () => {
  it('merges into a group it just wrote without decoding its payload again', async () => {
    const { serializer, decoded } = countingSerializer();
    const feed = defineAggregatedFeed({
      name: 'agg',
      storage: createMemoryStorage(),
      serializer,
    }).for(1);
    for (let i = 0; i < 30; i++) await feed.add(like(i));
    assert.equal(decoded(), 0);
    const [group] = (await feed.read({ limit: 5 })).items;
    assert.equal(group?.activityCount, 30);
    assert.equal(group?.actorCount, 3);
  });

  it('decodes a payload it did not write itself (another writer) and merges it exactly', async () => {
    const storage = createMemoryStorage();
    const one = countingSerializer();
    const two = countingSerializer();
    const first = defineAggregatedFeed({ name: 'agg', storage, serializer: one.serializer }).for(1);
    const second = defineAggregatedFeed({ name: 'agg', storage, serializer: two.serializer }).for(
      1,
    );
    await first.add(like(0));
    await second.add(like(1));
    await first.add(like(2));
    assert.equal(two.decoded(), 1);
    assert.equal(one.decoded(), 1);
    const [group] = (await first.read({ limit: 5 })).items;
    assert.equal(group?.activityCount, 3);
  });
});

describe('group writer: the cache of recently encoded groups is bounded by characters', () => {
  /** A writer of a denormalized aggregated feed (one group per object) and its feed handle. */
  function writerOf(groupCacheCharacters?: number) {
    const storage = createMemoryStorage();
    const options = {
      name: 'agg',
      storage,
      normalized: false,
      aggregator: createAggregator('object', (a) => String(a.object)),
      ...(groupCacheCharacters === undefined
        ? {}
        : { groups: { cacheCharacters: groupCacheCharacters } }),
    };
    const settings = resolveGroupFeedSettings(
      options,
      { aggregator: byVerbAndDay, normalized: true },
      AGGREGATED_KEYS,
      'test',
    );
    const writer = createGroupWriter(settings, {
      kind: 'aggregated',
      markOnChange: [],
      decorate: async (_key, groups) => groups,
    });
    return { writer, target: { userId: '1', key: 'agg:1' }, storage };
  }
  // 15 activities of about 60 KB each per group: the case that retained 233 MB.
  const big = (group: number, i: number) =>
    createActivity({
      actor: i,
      verb: 'love',
      object: group,
      time: 1_764_000_000_000 + i * 1000,
      extra: { text: 'x'.repeat(60_000) },
    });

  it('keeps at most the default bound however many big groups are written', async () => {
    const { writer, target, storage } = writerOf();
    for (let group = 0; group < 12; group++) {
      const batch = writer.prepare(Array.from({ length: 15 }, (_, i) => big(group, i)));
      await writer.addBatch(target, batch, undefined);
    }
    await storage.timeline.delete(target.key);
    assert.ok(writer.cachedCharacters() > 0, 'the cache is in use');
    assert.ok(
      writer.cachedCharacters() <= DEFAULT_GROUP_CACHE_CHARACTERS,
      `${writer.cachedCharacters()} characters held`,
    );
  });

  it('keeps nothing with groups.cacheCharacters: 0, and stays under a small bound', async () => {
    for (const bound of [0, 100_000, 2_000_000]) {
      const { writer, target } = writerOf(bound);
      for (let group = 0; group < 5; group++) {
        const batch = writer.prepare(Array.from({ length: 15 }, (_, i) => big(group, i)));
        await writer.addBatch(target, batch, undefined);
      }
      assert.ok(writer.cachedCharacters() <= bound, `${writer.cachedCharacters()} > ${bound}`);
      if (bound === 0) assert.equal(writer.cachedCharacters(), 0);
    }
  });

  it('refuses a groups.cacheCharacters that is not a non-negative integer', () => {
    for (const bad of [-1, 1.5, '10', null]) {
      assert.throws(
        () =>
          defineAggregatedFeed({
            name: 'agg',
            storage: createMemoryStorage(),
            groups: { cacheCharacters: bad as number },
          }),
        (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_OPTION',
      );
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import { memoryStorage } from '../backends/memory/index.js';
import { jsonSerializer } from '../serialization/json-serializer.js';
import type { Serializer } from '../serialization/serializer.js';
import { defineAggregatedFeed } from './aggregated-feed.js';

/** The JSON serializer, counting decodeGroup calls. */
function countingSerializer(): { serializer: Serializer; decoded: () => number } {
  const json = jsonSerializer();
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
    const feed = defineAggregatedFeed({ name: 'agg', storage: memoryStorage(), serializer }).for(1);
    for (let i = 0; i < 30; i++) await feed.add(like(i));
    assert.equal(decoded(), 0);
    const [group] = (await feed.read({ limit: 5 })).items;
    assert.equal(group?.activityCount, 30);
    assert.equal(group?.actorCount, 3);
  });

  it('decodes a payload it did not write itself (another writer) and merges it exactly', async () => {
    const storage = memoryStorage();
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

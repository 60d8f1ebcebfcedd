import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { createActivity, defineAggregatedFeed } from '../../src/index.js';
import { hasCode } from '../../src/testing/fixtures.js';
import { deletePrefix, singleClient } from '../support/redis.js';
import { countScriptCalls } from '../support/script-calls.js';

// The update cache: a client that remembers a timeline's version and groups after its own commit
// commits the next update of those groups without reading first. It must never be trusted for
// correctness: other writers, deletes and trims make it stale, and results stay exact.
const client = singleClient();
const other = singleClient();
after(() => Promise.all([client.quit(), other.quit()]));

const T0 = 1_764_000_000_000;
const like = (i: number, actor = i % 5) =>
  createActivity({ actor, verb: 'love', object: 7, time: T0 + i * 1000 });

function world(options: { updateCacheSize?: number; maxLength?: number } = {}) {
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const define = (redis: Redis) =>
    defineAggregatedFeed({
      name: 'agg',
      storage: createRedisStorage({
        client: redis,
        prefix,
        updateCacheSize: options.updateCacheSize,
      }),
      normalized: false,
      maxLength: options.maxLength ?? 100,
    });
  return { prefix, mine: define(client).for('u'), theirs: define(other).for('u') };
}

describe('Redis update cache', () => {
  it('after the first add, adding to a known group is one script call instead of two', async () => {
    const { prefix, mine } = world();
    await mine.add(like(0));
    const calls = countScriptCalls([client]);
    try {
      for (let i = 1; i <= 20; i++) await mine.add(like(i));
    } finally {
      calls.stop();
    }
    assert.equal(calls.count(), 20);
    const [group] = (await mine.read({ limit: 10 })).items;
    assert.equal(group?.activityCount, 21);
    await deletePrefix(client, prefix);
  });

  it('with updateCacheSize 0, every add reads first (two script calls)', async () => {
    const { prefix, mine } = world({ updateCacheSize: 0 });
    await mine.add(like(0));
    const calls = countScriptCalls([client]);
    try {
      for (let i = 1; i <= 5; i++) await mine.add(like(i));
    } finally {
      calls.stop();
    }
    assert.equal(calls.count(), 10);
    await deletePrefix(client, prefix);
  });

  it('concurrent adds of one process are one commit per turn (group commit), exact with another client racing', async () => {
    const { prefix, mine, theirs } = world();
    await mine.add(like(0));
    const calls = countScriptCalls([client]);
    let added: number[];
    try {
      // The first add commits at once; the 7 others wait for it and commit together.
      added = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((i) => mine.add(like(i))));
    } finally {
      calls.stop();
    }
    assert.deepEqual(added, [1, 1, 1, 1, 1, 1, 1, 1]);
    assert.equal(calls.count(), 2);
    // Two clients, 10 concurrent adds each: their commits race through the version check.
    const both = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? theirs : mine).add(like(100 + i))),
    );
    assert.equal(
      both.reduce((a, b) => a + b, 0),
      20,
    );
    const [group] = (await mine.read({ limit: 10 })).items;
    assert.equal(group?.activityCount, 29);
    assert.equal(group?.actorCount, 5);
    await deletePrefix(client, prefix);
  });

  it('two clients taking turns on one feed (each cache always stale) count every activity once', async () => {
    const { prefix, mine, theirs } = world();
    for (let i = 0; i < 40; i++) await (i % 2 === 0 ? mine : theirs).add(like(i));
    // A redelivered activity is not counted again, whichever client sees it.
    await mine.add(like(3));
    await theirs.add(like(4));
    const [group] = (await mine.read({ limit: 10 })).items;
    assert.equal(group?.activityCount, 40);
    assert.equal(group?.actorCount, 5);
    await deletePrefix(client, prefix);
  });

  it('a feed deleted and rebuilt by another client is not mistaken for the cached one', async () => {
    const { prefix, mine, theirs } = world();
    for (let i = 0; i < 5; i++) await mine.add(like(i)); // mine caches the feed with 5 activities
    await theirs.delete();
    for (let i = 100; i < 105; i++) await theirs.add(like(i)); // as many writes as before
    await mine.add(like(200));
    const [group] = (await mine.read({ limit: 10 })).items;
    assert.equal(group?.activityCount, 6, 'the 5 rebuilt activities plus the new one');
    assert.deepEqual(
      group?.activities.map((a) => a.id).sort(),
      [100, 101, 102, 103, 104, 200].map((i) => like(i).id).sort(),
    );
    await deletePrefix(client, prefix);
  });

  it('trimming groups away makes the client read again, and the results stay exact', async () => {
    const { prefix, mine, theirs } = world({ maxLength: 2 });
    // One group per day: each new day trims the oldest group.
    const day = (d: number, i: number) =>
      createActivity({ actor: i, verb: 'love', object: 7, time: T0 + d * 86_400_000 + i });
    for (let d = 0; d < 4; d++) for (let i = 0; i < 3; i++) await mine.add(day(d, i));
    await theirs.add(day(3, 9));
    await mine.add(day(3, 10));
    const groups = (await mine.read({ limit: 10 })).items;
    assert.deepEqual(
      groups.map((g) => g.activityCount),
      [5, 3],
    );
    await deletePrefix(client, prefix);
  });

  it('a group new to the client commits without a read; one it guessed absent wrongly is merged', async () => {
    const { prefix, mine, theirs } = world();
    // One group per verb (the default aggregator: verb and day).
    const on = (verb: string, i: number) =>
      createActivity({ actor: i, verb, object: 7, time: T0 + i * 1000 });
    await theirs.add(on('like', 0)); // a group mine has never read
    await mine.add(on('love', 1)); // mine reads (its group only) and commits: it knows the version
    const calls = countScriptCalls([client]);
    try {
      await mine.add(on('share', 2)); // a new group, guessed absent: one call
      assert.equal(calls.count(), 1);
      await mine.add(on('like', 3)); // guessed absent, but there: refused with a fresh read, merged
      assert.equal(calls.count(), 3);
    } finally {
      calls.stop();
    }
    const groups = (await mine.read({ limit: 10 })).items;
    assert.deepEqual(
      groups.map((g) => g.activityCount),
      [2, 1, 1],
    );
    assert.equal(groups[0]?.activities.length, 2);
    await deletePrefix(client, prefix);
  });

  it('rejects bad cache, batch and attempt options with INVALID_OPTION', () => {
    for (const options of [
      { updateCacheSize: -1 },
      { updateCacheSize: 1.5 },
      { fanoutBatch: 0 },
      { maxUpdateAttempts: 0 },
    ]) {
      assert.throws(() => createRedisStorage({ client, ...options }), hasCode('INVALID_OPTION'));
    }
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { Cluster, type Redis } from 'ioredis';
import {
  createRedisStorage,
  type RedisStorage,
  type RedisStorageOptions,
} from '../../src/backends/redis/index.js';
import {
  createActivity,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
} from '../../src/index.js';
import type { BackendUnderTest } from '../../src/testing/index.js';
import { allKeys, deletePrefix } from './redis.js';
import { countScriptCalls } from './script-calls.js';

// Regression tests of a client with an ioredis `keyPrefix`: ioredis prefixes KEYS but not ARGV,
// so every key name the backend sends in ARGV (the per-node cluster scripts) must carry the
// client's prefix too, and the cluster slot of a key is that of the prefixed key.

/** Deletes every key of the storage prefix `prefix`, whatever keyPrefix is before it. */
export function deletePrefixed(raw: Redis | Cluster, prefix: string): Promise<void> {
  return deletePrefix(raw, `*${prefix}`);
}

/** The conformance-kit backend on a keyPrefix client; `raw` (no keyPrefix) cleans up. */
export function prefixedBackend(
  name: string,
  client: Redis | Cluster,
  raw: Redis | Cluster,
): BackendUnderTest {
  return {
    name,
    create: () => createRedisStorage({ client, prefix: `kp:${randomUUID().slice(0, 8)}` }),
    destroy: (storage) => deletePrefixed(raw, (storage as RedisStorage).prefix),
  };
}

/**
 * Registers the keyPrefix regression tests: `client` has the ioredis keyPrefix `keyPrefix`,
 * `raw` is a client of the same server(s) without one.
 */
export function describeKeyPrefixCases(
  client: Redis | Cluster,
  raw: Redis | Cluster,
  keyPrefix: string,
): void {
  /**
   * One test on a fresh storage prefix. `written()` returns the keys written so far and asserts
   * that every one is under the client's keyPrefix (read through `raw`); it runs again after `fn`,
   * and the keys are deleted in any case.
   */
  const test = (
    name: string,
    fn: (storage: RedisStorage, written: () => Promise<string[]>) => Promise<void>,
    options: Omit<RedisStorageOptions, 'client' | 'prefix'> = {},
  ): void => {
    it(name, async () => {
      const prefix = `kp:${randomUUID().slice(0, 8)}`;
      const written = async (): Promise<string[]> => {
        const keys = await allKeys(raw, `*${prefix}:*`);
        const outside = keys.filter((k) => !k.startsWith(`${keyPrefix}${prefix}:`));
        assert.deepEqual(outside, [], `keys written outside the keyPrefix ${keyPrefix}`);
        return keys;
      };
      try {
        await fn(createRedisStorage({ ...options, client, prefix }), written);
        await written();
      } finally {
        await deletePrefixed(raw, prefix);
      }
    });
  };

  test('a fan-out to 50 followers reaches all 50 timelines, only under the keyPrefix, and is removed again', async (storage, written) => {
    const user = defineFlatFeed({ name: 'user', storage });
    const timeline = defineFlatFeed({ name: 'timeline', storage });
    const aggregated = defineAggregatedFeed({ name: 'aggregated', storage });
    const followers = Array.from({ length: 50 }, (_, i) => `f${i}`);
    const manager = createManager({
      userFeed: user,
      feeds: { timeline, aggregated },
      getFollowerIds: () => followers,
    });
    const a = createActivity({ actor: 'author', verb: 'pin', object: 1, time: 1_764_000_000_000 });
    await (await manager.addUserActivity('author', a)).done();

    const own = await manager.getUserFeed('author').read();
    assert.deepEqual(own.missing, [], "the author's entries read back");
    assert.deepEqual(
      own.items.map((x) => x.id),
      [a.id],
    );
    let reached = 0;
    for (const f of followers) {
      const page = await timeline.for(f).read();
      assert.deepEqual(page.missing, [], `timeline of ${f}: activity missing`);
      if (page.items.length === 1 && page.items[0]!.id === a.id) reached += 1;
      const groups = (await aggregated.for(f).read()).items;
      assert.deepEqual(
        groups.map((g) => g.activities.map((x) => x.id)),
        [[a.id]],
        `aggregated feed of ${f}`,
      );
    }
    assert.equal(reached, 50, 'timelines reached');
    assert.ok((await written()).length > 100);

    await (await manager.removeUserActivity('author', a)).done();
    for (const f of followers) {
      assert.equal(await timeline.for(f).count(), 0, f);
      assert.equal(await aggregated.for(f).count(), 0, f);
    }
    assert.equal(await manager.getUserFeed('author').count(), 0);
  });

  test('denormalized fan-out and removal through storage reach every timeline under the keyPrefix', async (storage) => {
    const keys = Array.from({ length: 60 }, (_, i) => `t:${i}`);
    const entries = [
      { id: '0lvnrm2o0kxtauvj', score: 1_700_000_000_001, payload: 'x' },
      { id: '0lvnrm2o1kxtauvj', score: 1_700_000_000_002, payload: 'y' },
    ];
    // One script call per master (one on a single node): the slots were computed on the
    // prefixed keys, so no per-node call failed and fell back to one call per timeline. A
    // first call loads the scripts (a NOSCRIPT reply is followed by an EVAL: two calls).
    await storage.timeline.addToMany(keys, entries, { maxLength: 10 });
    const masters = client instanceof Cluster ? client.nodes('master') : [client];
    const calls = countScriptCalls(masters);
    try {
      await storage.timeline.addToMany(keys, entries, { maxLength: 10 });
    } finally {
      calls.stop();
    }
    assert.ok(calls.count() <= masters.length, `${calls.count()} script calls`);
    for (const key of keys) {
      assert.deepEqual(
        await storage.timeline.get(key, [entries[0]!.id, entries[1]!.id]),
        entries,
        key,
      );
    }
    await storage.timeline.removeFromMany(keys, [entries[0]!.id]);
    for (const key of keys) assert.equal(await storage.timeline.count(key), 1, key);
    const ids = storage.timeline.idsOnly();
    const bare = entries.map(({ id, score }) => ({ id, score }));
    await ids.addToMany(keys, bare);
    await ids.removeFromMany(keys, [entries[1]!.id]);
    for (const key of keys) assert.equal(await storage.timeline.count(key), 1, key);
  });

  test('an id-only fan-out reaches timelines with odd feed keys (a NUL included) and no other, in one script call per master', async (storage, written) => {
    // The id-only fan-out names its timelines by one argument, the escaped feed keys joined by
    // NUL: braces, '%' and non-ASCII must be escaped alike, and a key holding a NUL must not be
    // split ('a\0b' is not 'a' and 'b'): its calls fall back to naming the keys one by one.
    const odd = ['{x}', '%7B', 'a%b', 'é', '鍵', '😀', 'k:z', 'a b', ...range(40, 't')];
    const ids = storage.timeline.idsOnly();
    const entries = [{ id: '0lvnrm2o0kxtauvj', score: 1_700_000_000_001 }];
    await ids.addToMany(odd, entries, { maxLength: 5 }); // loads the scripts
    const masters = client instanceof Cluster ? client.nodes('master') : [client];
    const calls = countScriptCalls(masters);
    const second = [{ id: '0lvnrm2o1kxtauvj', score: 1_700_000_000_002 }];
    try {
      await ids.addToMany(odd, second, { maxLength: 5 });
    } finally {
      calls.stop();
    }
    assert.ok(calls.count() <= masters.length, `${calls.count()} script calls`);
    const withNul = ['a\u0000b', 'c\u0000', ...odd.slice(0, 3)];
    await ids.addToMany(withNul, entries, { maxLength: 5 });
    for (const key of [...odd, ...withNul]) {
      assert.equal(await ids.count(key), key.includes('\u0000') ? 1 : 2, JSON.stringify(key));
    }
    for (const key of ['a', 'b', 'c', 'x', '{x', 't']) {
      assert.equal(await ids.count(key), 0, `no timeline ${JSON.stringify(key)}`);
    }
    assert.equal((await written()).length, odd.length + 2);
  });

  for (const [layout, options] of [
    ['time buckets', { activityShards: 8, activityBucketMs: 60_000, activityColocation: 'shard' }],
    [
      'colocated buckets',
      { activityShards: 8, activityBucketMs: 60_000, activityColocation: 'bucket' },
    ],
  ] as const) {
    test(
      `activity storage reads back what it wrote across many hashes (${layout}) under the keyPrefix`,
      async (storage, written) => {
        const entries = Array.from({ length: 40 }, (_, i) => ({
          id: `0lvn${String(i).padStart(2, '0')}o0kxtauvj`,
          payload: `p${i}`,
        }));
        await storage.activities.putMany(entries);
        assert.deepEqual(
          await storage.activities.getMany(entries.map((e) => e.id)),
          entries.map((e) => e.payload),
        );
        assert.ok((await written()).length > 1);
        assert.equal(await storage.activities.removeMany(entries.map((e) => e.id)), 40);
      },
      options,
    );
  }

  test('notification markers and counts work under the keyPrefix', async (storage, written) => {
    const notifications = defineNotificationFeed({ name: 'notification', storage });
    const users = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const a = createActivity({ actor: 'x', verb: 'like', object: 1, time: 1_764_000_000_000 });
    await notifications.addToMany(users, [a]);
    for (const u of users) {
      assert.deepEqual(await notifications.for(u).counts(), { unseen: 1, unread: 1 });
    }
    assert.equal(await notifications.for('u0').markAllSeen(), 1);
    assert.deepEqual(await notifications.for('u0').counts(), { unseen: 0, unread: 1 });
    assert.deepEqual(await notifications.for('u1').counts(), { unseen: 1, unread: 1 });
    assert.ok((await written()).length > 40);
    await notifications.removeFromMany(users, [a]);
    for (const u of users) {
      assert.deepEqual(await notifications.for(u).counts(), { unseen: 0, unread: 0 });
    }
  });
}

/** `n` feed keys `<prefix>:0` .. `<prefix>:<n - 1>`. */
function range(n: number, prefix: string): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}:${i}`);
}

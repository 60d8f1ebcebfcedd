import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import type { Redis } from 'ioredis';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';
import { createRedisStorage, type RedisStorageOptions } from '../../src/backends/redis/index.js';
import { fnv1a } from '../../src/backends/redis/keys.js';
import { RedisActivityStorage } from '../../src/backends/redis/redis-activity-storage.js';
import {
  type Activity,
  createActivity,
  createJsonSerializer,
  defineFlatFeed,
  ValidationError,
} from '../../src/index.js';
import { deletePrefix, singleClient } from '../support/redis.js';
import { dumpPrefix, keysUnder } from '../support/redis-dump.js';

// The time-bucketed layout of Redis activity storage (`activityBucketMs`): keys, encoding,
// batching and option checks. The conformance kit also runs on it (conformance.test.ts).
const client = singleClient();
after(() => client.quit());

const T0 = 1_764_000_000_000;
const MINUTE = 60_000;

/** Activity number i, `gapMs` apart: a small payload (well under 64 bytes in the keyed form). */
const activity = (i: number, gapMs = 1000): Activity =>
  createActivity({ actor: i % 7, verb: 'love', object: 1000 + i, target: 3, time: T0 + i * gapMs });

/** A fresh storage under its own prefix; the prefix is deleted after the test. */
function fresh(t: TestContext, options: Partial<RedisStorageOptions>) {
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  t.after(() => deletePrefix(client, prefix));
  return createRedisStorage({ client, prefix, ...options });
}

/** The documented key, computed here independently of the backend's own function. */
const documentedKey = (prefix: string, id: string, bucketMs: number, shards: number) =>
  `${prefix}:a:{${Math.floor(Number.parseInt(id.slice(0, 9), 36) / bucketMs).toString(36)}.${fnv1a(id) % shards}}`;

/** The documented colocated key (`activityColocation: 'bucket'`): the hash tag on the bucket. */
const colocatedKey = (prefix: string, id: string, bucketMs: number, shards: number) =>
  `${prefix}:a:{${Math.floor(Number.parseInt(id.slice(0, 9), 36) / bucketMs).toString(36)}}.${fnv1a(id) % shards}`;

/**
 * Writes 200 activities 7 s apart and one non-activity id 'x' into `storage`, then checks that
 * each activity is in the hash `keyOf` names, 'x' in its plain shard hash, and nothing else
 * exists under the prefix. Returns the entries written and the expected keys.
 */
async function writeInDocumentedKeys(
  storage: ReturnType<typeof fresh>,
  keyOf: (id: string) => string,
  shards: number,
) {
  const activities = Array.from({ length: 200 }, (_, i) => activity(i, 7_000));
  const entries = activities.map((a) => ({ id: a.id, payload: a.id }));
  await storage.activities.putMany([...entries, { id: 'x', payload: 'not an activity id' }]);
  const expected = new Map<string, string[]>();
  for (const a of activities) {
    const key = keyOf(a.id);
    expected.set(key, [...(expected.get(key) ?? []), a.id]);
  }
  const plain = `${storage.prefix}:a:{${fnv1a('x') % shards}}`;
  assert.deepEqual(await keysUnder(client, storage.prefix), [...expected.keys(), plain].sort());
  for (const [key, ids] of expected) {
    assert.deepEqual((await client.hkeys(key)).sort(), ids.sort(), key);
  }
  assert.equal(await client.hget(plain, 'x'), 'not an activity id');
  await dumpPrefix(client, storage.prefix); // asserts each key has the backend's layout
  return { entries, expected, plain };
}

describe('Redis activity storage: time buckets', () => {
  it('round-trips payloads spread over many buckets, with non-activity ids too', async (t) => {
    const storage = fresh(t, { activityBucketMs: MINUTE, activityShards: 3 });
    const activities = Array.from({ length: 300 }, (_, i) => activity(i));
    const entries = [
      ...activities.map((a, i) => ({ id: a.id, payload: `p${i}` })),
      { id: 'not-an-activity-id', payload: 'odd' },
    ];
    await storage.activities.putMany(entries);
    const ids = entries.map((e) => e.id);
    assert.deepEqual(await storage.activities.getMany([...ids, 'missing']), [
      ...entries.map((e) => e.payload),
      undefined,
    ]);
    const odd = ids.filter((_, i) => i % 2 === 1);
    assert.equal(await storage.activities.removeMany([...odd, 'missing']), odd.length);
    assert.deepEqual(
      await storage.activities.getMany(ids),
      entries.map((e, i) => (i % 2 === 1 ? undefined : e.payload)),
    );
  });

  it('stores each activity in the documented bucket: <prefix>:a:{<time/bucketMs base 36>.<shard>}', async (t) => {
    const bucketMs = 10 * MINUTE;
    const shards = 4;
    const storage = fresh(t, { activityBucketMs: bucketMs, activityShards: shards });
    const { expected } = await writeInDocumentedKeys(
      storage,
      (id) => documentedKey(storage.prefix, id, bucketMs, shards),
      shards,
    );
    // 200 activities 7 s apart span 1,393 s: ten-minute buckets 2,940,000 to 2,940,002.
    const buckets = new Set(
      [...expected.keys()].map((k) => k.slice(k.indexOf('{') + 1, k.indexOf('.'))),
    );
    assert.deepEqual(
      [...buckets].sort(),
      [2_940_000, 2_940_001, 2_940_002].map((b) => b.toString(36)),
    );
  });

  it('colocated buckets: <prefix>:a:{<bucket>}.<shard>, every shard of a bucket on one slot', async (t) => {
    const bucketMs = 10 * MINUTE;
    const shards = 4;
    const options = { activityBucketMs: bucketMs, activityShards: shards } as const;
    const storage = fresh(t, { ...options, activityColocation: 'bucket' });
    const { entries, expected, plain } = await writeInDocumentedKeys(
      storage,
      (id) => colocatedKey(storage.prefix, id, bucketMs, shards),
      shards,
    );
    // 3 buckets of 4 shards, and the 4 shards of a bucket in one cluster slot.
    const slots = new Map<string, Set<number>>();
    for (const key of expected.keys()) {
      const tag = key.slice(key.indexOf('{') + 1, key.indexOf('}'));
      slots.set(tag, (slots.get(tag) ?? new Set()).add(slotOf(key)));
    }
    assert.deepEqual(
      [...slots.keys()].sort(),
      [2_940_000, 2_940_001, 2_940_002].map((b) => b.toString(36)),
    );
    assert.equal(expected.size, 12);
    for (const [tag, set] of slots) assert.equal(set.size, 1, tag);
    // The same data under the shard-tagged layout lives elsewhere: the layouts never share a key.
    const spread = fresh(t, options);
    await spread.activities.putMany(entries);
    assert.deepEqual(
      await storage.activities.getMany(entries.map((e) => e.id)),
      entries.map((e) => e.payload),
    );
    const spreadKeys = await keysUnder(client, spread.prefix);
    const renamed = spreadKeys.map((k) => storage.prefix + k.slice(spread.prefix.length));
    assert.equal(renamed.filter((k) => expected.has(k)).length, 0);
    assert.equal(await storage.activities.removeMany(entries.map((e) => e.id)), 200);
    assert.deepEqual(await keysUnder(client, storage.prefix), [plain]);
  });

  it('a bucket of a few dozen small keyed payloads is a listpack; one big hash is not', async (t) => {
    const serializer = createJsonSerializer();
    const activities = Array.from({ length: 600 }, (_, i) => activity(i));
    const entries = activities.map((a) => ({
      id: a.id,
      payload: serializer.encodeActivity(a, 'keyed'),
    }));
    assert.ok(
      entries.every((e) => e.payload.length <= 64),
      'payloads within hash-max-listpack-value',
    );

    // 600 activities a second apart in 10-minute buckets of 8 shards: about 75 per hash.
    const bucketed = fresh(t, { activityBucketMs: 10 * MINUTE, activityShards: 8 });
    await bucketed.activities.putMany(entries);
    const keys = await keysUnder(client, bucketed.prefix);
    assert.ok(keys.length >= 8 && keys.length <= 16, `${keys.length} hashes`);
    for (const key of keys) {
      const size = await client.hlen(key);
      assert.ok(size > 0 && size <= 128, `${key} holds ${size}`);
      assert.equal(await client.object('ENCODING', key), 'listpack', key);
    }

    const single = fresh(t, { activityShards: 1 });
    await single.activities.putMany(entries);
    const [big] = await keysUnder(client, single.prefix);
    assert.ok(big);
    assert.equal(await client.object('ENCODING', big), 'hashtable', 'over 128 entries');
  });

  it('a batch is one command per bucket, in one pipeline', async (t) => {
    const counted = countingPipelines(client);
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    t.after(() => deletePrefix(client, prefix));
    const storage = createRedisStorage({
      client: counted.client,
      prefix,
      activityBucketMs: MINUTE,
      activityShards: 2,
    });
    const activities = Array.from({ length: 180 }, (_, i) => activity(i)); // 3 minutes
    const ids = activities.map((a) => a.id);
    const buckets = new Set(ids.map((id) => documentedKey(prefix, id, MINUTE, 2))).size;
    assert.ok(buckets >= 4 && buckets <= 8, `${buckets} buckets`);
    await storage.activities.putMany(activities.map((a) => ({ id: a.id, payload: 'p' })));
    await storage.activities.getMany(ids);
    await storage.activities.removeMany(ids);
    assert.deepEqual(counted.calls, { hset: buckets, hmget: buckets, hdel: buckets, exec: 3 });
  });

  it('a normalized flat feed reads back its activities from bucketed storage', async (t) => {
    const storage = fresh(t, { activityBucketMs: MINUTE, activityShards: 2 });
    const feed = defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 });
    const activities = Array.from({ length: 150 }, (_, i) =>
      createActivity({
        actor: i % 5,
        verb: 'pin',
        object: `pin:${i}`,
        target: i % 2 === 0 ? 0 : `board:${i}`,
        time: T0 + i * 1500,
        extra: i % 3 === 0 ? { note: `a;b,${i}` } : {},
        to: i % 10 === 0 ? ['notification:1'] : [],
      }),
    );
    await feed.for(1).addMany(activities as Activity[]);
    const page = await feed.for(1).read({ limit: 200 });
    assert.deepEqual(page.missing, []);
    assert.deepEqual(page.items, [...activities].reverse());
  });

  it('rejects an activityBucketMs or activityShards that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '60000', null]) {
      for (const option of ['activityBucketMs', 'activityShards'] as const) {
        assert.throws(
          () => createRedisStorage({ client, [option]: bad as number }),
          (err: unknown) =>
            err instanceof ValidationError &&
            err.code === 'INVALID_OPTION' &&
            err.details.option === option &&
            err.message.includes(option),
          `${option}: ${String(bad)}`,
        );
      }
      for (const option of ['bucketMs', 'shards'] as const) {
        assert.throws(
          () => new RedisActivityStorage({ client, prefix: 'p', [option]: bad as number }),
          (err: unknown) =>
            err instanceof ValidationError &&
            err.code === 'INVALID_OPTION' &&
            err.details.option === option,
          `${option}: ${String(bad)}`,
        );
      }
    }
    assert.doesNotThrow(() =>
      createRedisStorage({ client, activityBucketMs: 1, activityShards: 1 }),
    );
  });

  it('rejects an activityColocation other than shard or bucket', () => {
    const rejects = (options: Partial<RedisStorageOptions>, option: string, text: string) =>
      assert.throws(
        () => createRedisStorage({ client, ...options }),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.code === 'INVALID_OPTION' &&
          err.details.option === option &&
          err.message.includes(text),
        JSON.stringify(options),
      );
    for (const bad of ['node', 'BUCKET', '', 1, true, null]) {
      rejects(
        { activityColocation: bad as 'bucket', activityBucketMs: MINUTE },
        'activityColocation',
        'one of',
      );
    }
    // The driver itself still needs its bucket size (createRedisStorage gives the default one).
    assert.throws(
      () => new RedisActivityStorage({ client, prefix: 'p', colocation: 'bucket' }),
      (err: unknown) =>
        err instanceof ValidationError &&
        err.details.option === 'colocation' &&
        err.message.includes('bucketMs'),
    );
    for (const colocation of ['shard', 'bucket', undefined] as const) {
      assert.doesNotThrow(() =>
        createRedisStorage({ client, activityBucketMs: MINUTE, activityColocation: colocation }),
      );
    }
    assert.doesNotThrow(() => createRedisStorage({ client, activityColocation: 'shard' }));
  });

  it("'bucket' without activityBucketMs: one-minute buckets of one hash (the cluster default)", async (t) => {
    const storage = fresh(t, { activityColocation: 'bucket' });
    await writeInDocumentedKeys(storage, (id) => colocatedKey(storage.prefix, id, MINUTE, 1), 1);
  });

  it('the single-node and cluster default layouts read each other as missing, never wrong', async (t) => {
    const single = fresh(t, {});
    // The cluster default's keys (colocated one-minute buckets), under the same prefix.
    const cluster = createRedisStorage({
      client,
      prefix: single.prefix,
      activityColocation: 'bucket',
    });
    const ids = Array.from({ length: 90 }, (_, i) => activity(i).id);
    await single.activities.putMany(ids.map((id) => ({ id, payload: `single ${id}` })));
    assert.deepEqual(
      await cluster.activities.getMany(ids),
      ids.map(() => undefined),
    );
    assert.equal(await cluster.activities.removeMany(ids), 0);
    await cluster.activities.putMany(ids.map((id) => ({ id, payload: `cluster ${id}` })));
    assert.deepEqual(
      await single.activities.getMany(ids),
      ids.map((id) => `single ${id}`),
    );
    assert.deepEqual(
      await cluster.activities.getMany(ids),
      ids.map((id) => `cluster ${id}`),
    );
    const feed = defineFlatFeed({ name: 'timeline', storage: single }).for(1);
    const other = defineFlatFeed({ name: 'timeline', storage: cluster }).for(1);
    const added = Array.from({ length: 5 }, (_, i) => activity(1000 + i));
    await feed.addMany(added);
    const page = await other.read({ limit: 10 });
    assert.deepEqual(page.items, []);
    assert.deepEqual([...page.missing].sort(), added.map((a) => a.id).sort());
  });
});

/** The client, with the commands queued on its pipelines counted by name (and `exec`). */
function countingPipelines(target: Redis): { client: Redis; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  const client = new Proxy(target, {
    get(redis, property) {
      if (property !== 'pipeline') return Reflect.get(redis, property, redis);
      return () => {
        const pipeline = redis.pipeline();
        return new Proxy(pipeline, {
          get(p, name) {
            const value = Reflect.get(p, name, p);
            if (typeof value !== 'function' || typeof name !== 'string') return value;
            return (...args: unknown[]) => {
              count(name);
              return (value as (...a: unknown[]) => unknown).apply(p, args);
            };
          },
        });
      };
    },
  });
  return { client, calls };
}

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  createShardedHashCache,
  type HashFallback,
} from '../../../src/backends/redis/structures/index.js';
import { fnv1a32 } from '../../../src/backends/redis/structures/sharded-hash-cache.js';
import { ValidationError } from '../../../src/errors.js';
import { singleClient } from '../../support/redis.js';
import { describeHashCache, type HashCacheFactory } from './hash-cache.cases.js';
import { keyspace, recordingFallback } from './support.js';

const client = singleClient();
const keys = keyspace(client);
after(async () => {
  await keys.cleanup();
  await client.quit();
});

/** A sharded cache of strings on a fresh key, its shard keys tracked for cleanup. */
function sharded(options: { shards?: number; fallback?: HashFallback<string> } = {}) {
  const cache = createShardedHashCache({ client, key: keys.key('sharded'), ...options });
  keys.track(...cache.shardKeys);
  return cache;
}

const make: HashCacheFactory = Object.assign(
  (options: { fallback?: HashFallback<string> } = {}) => {
    const cache = sharded(options);
    return { cache, keyOf: cache.shardKeyOf };
  },
  {
    json<V>(options: { fallback?: HashFallback<V>; decode?: (raw: string) => V } = {}) {
      const cache = createShardedHashCache<V>({
        client,
        key: keys.key('sharded'),
        encode: JSON.stringify,
        decode: options.decode ?? ((raw: string) => JSON.parse(raw) as V),
        fallback: options.fallback,
      });
      keys.track(...cache.shardKeys);
      return { cache, keyOf: cache.shardKeyOf };
    },
  },
);

describeHashCache('sharded hash cache', () => client, make);

describe('sharded hash cache: sharding', () => {
  it('has 10 shards by default, each with its own hash tag {key:n}', () => {
    const key = keys.key('layout');
    const cache = createShardedHashCache({ client, key });
    assert.equal(cache.shards, 10);
    assert.deepEqual(
      cache.shardKeys,
      Array.from({ length: 10 }, (_, n) => `{${key}:${n}}`),
    );
    assert.ok(Object.isFrozen(cache.shardKeys));
  });

  it('places a field by FNV-1a of its UTF-8 bytes, modulo the shard count', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
    assert.equal(fnv1a32('é'), fnv1a32('\u00e9'));
    const cache = sharded({ shards: 7 });
    for (const field of ['a', 'foobar', 'é', '17145666451230000000042003']) {
      assert.equal(cache.shardKeyOf(field), cache.shardKeys[fnv1a32(field) % 7]);
    }
  });

  it('spreads fields over the shards; count and keys visit every shard', async () => {
    const cache = sharded();
    const fields = Array.from({ length: 200 }, (_, i) => `field:${i}`);
    assert.equal(await cache.setMany(fields.map((f) => [f, f] as const)), 200);
    const sizes = await Promise.all(cache.shardKeys.map((k) => client.hlen(k)));
    assert.ok(
      sizes.every((n) => n > 0),
      `every shard used: ${sizes.join(',')}`,
    );
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      200,
    );
    assert.equal(await cache.count(), 200);
    assert.deepEqual((await cache.keys()).sort(), [...fields].sort());
    for (const field of fields.slice(0, 20)) {
      assert.equal(await client.hget(cache.shardKeyOf(field), field), field);
    }
  });

  it('contains works (the original raised NotImplementedError)', async () => {
    const cache = sharded();
    await cache.set('x', '1');
    assert.equal(await cache.contains('x'), true);
    assert.equal(await cache.contains('y'), false);
  });

  it('falls back, over several shards (the original sharded+fallback never fell back)', async () => {
    const source = new Map(Array.from({ length: 50 }, (_, i) => [`id:${i}`, `v${i}`] as const));
    const { calls, fallback } = recordingFallback(source);
    const cache = sharded({ fallback });
    const ids = [...source.keys()];
    assert.deepEqual(await cache.getMany(ids), [...source.values()]);
    assert.equal(calls.length, 1);
    assert.equal(await cache.count(), 50);
    assert.deepEqual(await cache.getMany(ids), [...source.values()]);
    assert.equal(calls.length, 1);
  });

  it('clear deletes every shard', async () => {
    const cache = sharded({ shards: 4 });
    await cache.setMany(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'v'] as const));
    await cache.clear();
    assert.equal(await client.exists(...cache.shardKeys), 0);
  });

  it('works with a single shard', async () => {
    const cache = sharded({ shards: 1 });
    await cache.setMany({ a: '1', b: '2' });
    assert.deepEqual(cache.shardKeys, [cache.shardKeyOf('a')]);
    assert.equal(await client.hlen(cache.shardKeys[0]!), 2);
  });

  it('rejects a key with braces and a bad shard count with INVALID_OPTION (LIMIT_EXCEEDED above 16384)', () => {
    const invalid = (error: unknown) =>
      error instanceof ValidationError && error.code === 'INVALID_OPTION';
    assert.throws(() => createShardedHashCache({ client, key: 'a{b}' }), invalid);
    assert.throws(() => createShardedHashCache({ client, key: '' }), invalid);
    for (const shards of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => createShardedHashCache({ client, key: 'k', shards }), invalid);
    }
    assert.throws(() => createShardedHashCache({ client, key: 'k', shards: 16385 }), {
      code: 'LIMIT_EXCEEDED',
    });
  });
});

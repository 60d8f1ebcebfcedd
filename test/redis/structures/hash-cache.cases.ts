// Behaviour shared by createHashCache and createShardedHashCache (the Python HashCacheTestCase,
// FallbackHashCacheTestCase and ShardedHashCacheTestCase, adapted), run by both test files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cluster, Redis } from 'ioredis';
import type { HashCache, HashFallback } from '../../../src/backends/redis/structures/index.js';
import { SerializationError, ValidationError } from '../../../src/errors.js';
import { recordingFallback } from './support.js';

interface Made<V> {
  readonly cache: HashCache<V>;
  /** The Redis key holding `field`. */
  readonly keyOf: (field: string) => string;
}

/** Creates a cache on a fresh key; string values unless a codec is given. */
export interface HashCacheFactory {
  (options?: { fallback?: HashFallback<string> }): Made<string>;
  json<V>(options?: { fallback?: HashFallback<V>; decode?: (raw: string) => V }): Made<V>;
}

export function describeHashCache(
  name: string,
  client: () => Redis | Cluster,
  make: HashCacheFactory,
) {
  describe(`${name}: reads and writes`, () => {
    it('setMany then getMany and get return the values (test_set_many, test_get_many)', async () => {
      const { cache } = make();
      assert.equal(await cache.setMany({ a: '1', b: '2', c: '3' }), 3);
      assert.deepEqual(await cache.getMany(['a', 'b', 'c']), ['1', '2', '3']);
      assert.equal(await cache.get('b'), '2');
      assert.equal(await cache.count(), 3);
    });

    it('set resolves true for a new field, false for an overwrite (test_set)', async () => {
      const { cache } = make();
      assert.equal(await cache.set('a', 'x'), true);
      assert.equal(await cache.set('a', 'y'), false);
      assert.equal(await cache.get('a'), 'y');
    });

    it('keys lists every field (test_keys)', async () => {
      const { cache } = make();
      await cache.setMany([...'abcdefghij'].map((f) => [f, f] as const));
      assert.deepEqual((await cache.keys()).sort(), [...'abcdefghij']);
    });

    it('deleteMany removes the fields and counts those that existed (test_delete_many)', async () => {
      const { cache } = make();
      await cache.setMany({ a: '1', b: '2', c: '3' });
      assert.equal(await cache.deleteMany(['a', 'b', 'missing', 'a']), 2);
      assert.deepEqual(await cache.getMany(['a', 'b', 'c']), [undefined, undefined, '3']);
      assert.equal(await cache.delete('c'), true);
      assert.equal(await cache.delete('c'), false);
      assert.equal(await cache.count(), 0);
    });

    it('getMany is positional, with undefined for missing fields and repeats', async () => {
      const { cache } = make();
      await cache.setMany(
        new Map([
          ['a', '1'],
          ['b', '2'],
        ]),
      );
      assert.deepEqual(await cache.getMany(['b', 'x', 'a', 'b']), ['2', undefined, '1', '2']);
      assert.equal(await cache.get('x'), undefined);
    });

    it('contains and count (test_contains, test_count)', async () => {
      const { cache } = make();
      assert.equal(await cache.count(), 0);
      assert.equal(await cache.contains('a'), false);
      await cache.set('a', '1');
      assert.equal(await cache.contains('a'), true);
      assert.equal(await cache.count(), 1);
    });

    it('empty inputs are no-ops', async () => {
      const { cache } = make();
      assert.deepEqual(await cache.getMany([]), []);
      assert.equal(await cache.setMany([]), 0);
      assert.equal(await cache.deleteMany([]), 0);
    });

    it("'' and '0' are stored values, not misses (the original's falsy bug)", async () => {
      const { calls, fallback } = recordingFallback(
        new Map([
          ['e', 'db'],
          ['z', 'db'],
        ]),
      );
      const { cache } = make({ fallback });
      await cache.setMany({ e: '', z: '0' });
      assert.deepEqual(await cache.getMany(['e', 'z']), ['', '0']);
      assert.equal(await cache.get('e'), '');
      assert.deepEqual(calls, []);
    });

    it('setMany takes a Map, pairs or an object; the last of a repeated field wins', async () => {
      const { cache } = make();
      await cache.setMany(new Map([['m', '1']]));
      await cache.setMany([
        ['p', '1'],
        ['p', '2'],
        ['__proto__', 'x'],
      ]);
      await cache.setMany({ o: '1' });
      assert.deepEqual(await cache.getMany(['m', 'p', '__proto__', 'o']), ['1', '2', 'x', '1']);
    });

    it('clear deletes everything', async () => {
      const { cache } = make();
      await cache.setMany({ a: '1', b: '2', c: '3' });
      await cache.clear();
      assert.equal(await cache.count(), 0);
      assert.deepEqual(await cache.keys(), []);
    });
  });

  describe(`${name}: fallback`, () => {
    it('serves the database value for a missing field (test_get_many_from_fallback)', async () => {
      const { calls, fallback } = recordingFallback(new Map([['a', '0']]));
      const { cache } = make({ fallback });
      assert.equal(await cache.get('a'), '0');
      assert.deepEqual(calls, [['a']]);
    });

    it('is called once, only with the missing fields, each once', async () => {
      const { calls, fallback } = recordingFallback(
        new Map([
          ['b', 'B'],
          ['c', 'C'],
        ]),
      );
      const { cache } = make({ fallback });
      await cache.set('a', 'A');
      assert.deepEqual(await cache.getMany(['a', 'b', 'c', 'b']), ['A', 'B', 'C', 'B']);
      assert.deepEqual(calls, [['b', 'c']]);
    });

    it('writes what it loaded back: the second read does not call it', async () => {
      const { calls, fallback } = recordingFallback(
        new Map([
          ['b', 'B'],
          ['c', 'C'],
        ]),
      );
      const { cache, keyOf } = make({ fallback });
      await cache.getMany(['b', 'c']);
      assert.equal(await client().hget(keyOf('b'), 'b'), 'B');
      assert.equal(await cache.contains('c'), true);
      assert.deepEqual(await cache.getMany(['c', 'b']), ['C', 'B']);
      assert.equal(calls.length, 1);
    });

    it('fields it has no value for stay missing and are asked for again', async () => {
      const { calls, fallback } = recordingFallback(new Map([['b', 'B']]));
      const { cache } = make({ fallback });
      assert.deepEqual(await cache.getMany(['b', 'nope']), ['B', undefined]);
      assert.equal(await cache.contains('nope'), false);
      assert.equal(await cache.get('nope'), undefined);
      assert.deepEqual(calls, [['b', 'nope'], ['nope']]);
    });

    it('may answer positionally; a wrong length is INVALID_OPTION', async () => {
      const { cache } = make({
        fallback: async (fields) => fields.map((f) => (f === 'x' ? undefined : f.toUpperCase())),
      });
      assert.deepEqual(await cache.getMany(['a', 'x', 'b']), ['A', undefined, 'B']);
      const bad = make({ fallback: async () => ['only one'] }).cache;
      await assert.rejects(bad.getMany(['p', 'q']), (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.code, 'INVALID_OPTION');
        return true;
      });
    });

    it('its errors propagate unchanged and nothing is written', async () => {
      const boom = new Error('database down');
      const { cache } = make({ fallback: async () => Promise.reject(boom) });
      await assert.rejects(cache.get('a'), (error) => error === boom);
      assert.equal(await cache.count(), 0);
    });

    it('does not overwrite a value written while it was loading (HSETNX)', async () => {
      let cache!: HashCache<string>;
      const made = make({
        fallback: async (fields) => {
          await cache.set('a', 'newer');
          return fields.map(() => 'stale');
        },
      });
      cache = made.cache;
      assert.equal(await cache.get('a'), 'stale');
      assert.equal(await cache.get('a'), 'newer');
    });
  });

  describe(`${name}: codecs`, () => {
    it('encodes and decodes values, including what the fallback loads', async () => {
      const source = new Map([['u2', { name: 'bob', tags: ['x'] }]]);
      const { cache, keyOf } = make.json({ fallback: recordingFallback(source).fallback });
      await cache.set('u1', { name: 'alice', tags: [] });
      assert.deepEqual(await cache.getMany(['u1', 'u2']), [
        { name: 'alice', tags: [] },
        { name: 'bob', tags: ['x'] },
      ]);
      assert.equal(await client().hget(keyOf('u2'), 'u2'), '{"name":"bob","tags":["x"]}');
    });

    it('a decode failure is a SerializationError with the cause', async () => {
      const { cache, keyOf } = make.json({ decode: (raw) => JSON.parse(raw) as unknown });
      await client().hset(keyOf('bad'), 'bad', '{not json');
      await assert.rejects(cache.get('bad'), (error: unknown) => {
        assert.ok(error instanceof SerializationError);
        assert.ok(error.cause instanceof SyntaxError);
        return true;
      });
    });

    it('without a codec, a non-string value is a SerializationError (JavaScript callers)', async () => {
      const { cache } = make();
      await assert.rejects(cache.set('a', 42 as unknown as string), SerializationError);
      assert.equal(await cache.count(), 0);
    });
  });
}

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  createListCache,
  type ListCacheOptions,
  type ListFallback,
} from '../../../src/backends/redis/structures/index.js';
import { ValidationError } from '../../../src/errors.js';
import { singleClient } from '../../support/redis.js';
import { keyspace } from './support.js';

const client = singleClient();
const keys = keyspace(client);
after(async () => {
  await keys.cleanup();
  await client.quit();
});

const invalid = (error: unknown) =>
  error instanceof ValidationError && error.code === 'INVALID_OPTION';
const items = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `i${from + i}`);
const make = (options: Partial<ListCacheOptions> = {}) =>
  createListCache({ client, key: keys.key('list'), ...options });

/** A fallback over `source` that records its calls and returns exactly [start, stop). */
function database(source: readonly string[]) {
  const calls: [number, number | undefined][] = [];
  const fallback: ListFallback<string> = async (start, stop) => {
    calls.push([start, stop]);
    return source.slice(start, stop);
  };
  return { calls, fallback };
}

describe('list cache: Python parity', () => {
  it('appendMany then slice returns the items in order (test_append)', async () => {
    const cache = make();
    assert.equal(await cache.appendMany(items(3)), 3);
    assert.equal(await cache.append('i3'), 4);
    assert.deepEqual(await cache.slice(), items(4));
  });

  it('slice(0, 5) returns exactly 5 items (test_simple_append; the original returned 6)', async () => {
    const cache = make();
    await cache.appendMany(items(10));
    assert.deepEqual(await cache.slice(0, 5), items(5));
    assert.equal((await cache.slice(0, 5)).length, 5);
  });

  it('trim keeps the first maxLength items (test_trim)', async () => {
    const cache = make({ maxLength: 10 });
    await client.rpush(cache.key, ...items(15));
    assert.equal(await cache.trim(), 5);
    assert.equal(await cache.count(), 10);
    assert.deepEqual(await cache.slice(), items(10));
  });

  it('remove deletes every occurrence (test_remove)', async () => {
    const cache = make();
    await cache.appendMany(['a', 'b', 'a', 'c', 'a']);
    assert.equal(await cache.remove('a'), 3);
    assert.equal(await cache.remove('a'), 0);
    assert.deepEqual(await cache.slice(), ['b', 'c']);
  });

  it('an empty cache is served from the fallback (FallbackRedisListCacheTest)', async () => {
    const { calls, fallback } = database(items(20));
    const cache = make({ fallback });
    assert.deepEqual(await cache.slice(0, 5), items(5));
    assert.deepEqual(calls, [[0, 5]]);
  });

  it('the cache is populated from the fallback (SecondFallbackRedisListCacheTest)', async () => {
    const { calls, fallback } = database(items(20));
    const cache = make({ fallback });
    await cache.slice(0, 8);
    assert.deepEqual(await client.lrange(cache.key, 0, -1), items(8));
    assert.deepEqual(await cache.slice(2, 6), items(4, 2));
    assert.deepEqual(await cache.slice(0, 8), items(8));
    assert.equal(calls.length, 1);
  });
});

describe('list cache: slicing', () => {
  it('has Array.prototype.slice semantics for every start and stop', async () => {
    const cache = make();
    const list = items(7);
    await cache.appendMany(list);
    const bounds = [undefined, -9, -7, -3, -1, 0, 1, 3, 6, 7, 9];
    for (const start of bounds) {
      for (const stop of bounds) {
        assert.deepEqual(
          await cache.slice(start, stop),
          list.slice(start, stop),
          `${start}, ${stop}`,
        );
      }
    }
  });

  it('rejects non-integer bounds with INVALID_OPTION', async () => {
    const cache = make();
    await assert.rejects(cache.slice(0.5), invalid);
    await assert.rejects(cache.slice(0, Number.NaN), invalid);
  });
});

describe('list cache: fallback', () => {
  it('returns exactly the slice asked for, and caches all it loaded', async () => {
    const source = items(30);
    const cache = make({ fallback: async () => source.slice(0, 12) });
    assert.deepEqual(await cache.slice(0, 5), items(5));
    assert.equal(await cache.count(), 12);
  });

  it('replaces a partial list instead of appending to it', async () => {
    const { calls, fallback } = database(items(20));
    const cache = make({ fallback });
    await cache.appendMany(['i0', 'i1']);
    assert.deepEqual(await cache.slice(0, 6), items(6));
    assert.deepEqual(await client.lrange(cache.key, 0, -1), items(6));
    assert.deepEqual(calls, [[0, 6]]);
  });

  it('serves a later page it holds too few items for without caching it', async () => {
    const { calls, fallback } = database(items(20));
    const cache = make({ fallback });
    await cache.appendMany(items(5));
    assert.deepEqual(await cache.slice(3, 8), items(5, 3));
    assert.deepEqual(calls, [[3, 8]]);
    assert.deepEqual(await client.lrange(cache.key, 0, -1), items(5));
  });

  it('without a stop, falls back only when the list is empty', async () => {
    const { calls, fallback } = database(items(4));
    const cache = make({ fallback });
    assert.deepEqual(await cache.slice(), items(4));
    assert.deepEqual(await cache.slice(), items(4));
    assert.deepEqual(calls, [[0, undefined]]);
  });

  it('negative bounds read Redis only', async () => {
    const { calls, fallback } = database(items(4));
    const cache = make({ fallback });
    assert.deepEqual(await cache.slice(-2), []);
    assert.deepEqual(await cache.slice(0, -1), []);
    assert.deepEqual(calls, []);
  });

  it('an empty source caches nothing', async () => {
    const { calls, fallback } = database([]);
    const cache = make({ fallback });
    assert.deepEqual(await cache.slice(0, 3), []);
    assert.equal(await client.exists(cache.key), 0);
    assert.deepEqual(await cache.slice(0, 3), []);
    assert.equal(calls.length, 2);
  });

  it('caches at most maxLength items; reads within them are then hits', async () => {
    const { calls, fallback } = database(items(20));
    const cache = make({ maxLength: 3, fallback });
    assert.deepEqual(await cache.slice(0, 5), items(5));
    assert.deepEqual(await client.lrange(cache.key, 0, -1), items(3));
    assert.deepEqual(await cache.slice(0, 2), items(2));
    assert.equal(calls.length, 1);
  });

  it('does not overwrite the list when it changed while loading', async () => {
    let cache!: ReturnType<typeof make>;
    cache = make({
      fallback: async (start, stop) => {
        await cache.append('written meanwhile');
        return items(10).slice(start, stop);
      },
    });
    assert.deepEqual(await cache.slice(0, 4), items(4));
    assert.deepEqual(await client.lrange(cache.key, 0, -1), ['written meanwhile']);
  });

  it('its errors propagate unchanged and nothing is written', async () => {
    const boom = new Error('database down');
    const cache = make({ fallback: () => Promise.reject(boom) });
    await cache.append('kept');
    await assert.rejects(cache.slice(0, 5), (error) => error === boom);
    assert.deepEqual(await cache.slice(0, 1), ['kept']);
  });
});

describe('list cache: writes', () => {
  it('prepend and prependMany add at the front, keeping the order given', async () => {
    const cache = make();
    await cache.append('c');
    assert.equal(await cache.prependMany(['a', 'b']), 3);
    assert.equal(await cache.prepend('z'), 4);
    assert.deepEqual(await cache.slice(), ['z', 'a', 'b', 'c']);
  });

  it('with maxLength, prepend keeps the newest and append to a full list drops', async () => {
    const cache = make({ maxLength: 3 });
    for (const item of items(5)) await cache.prepend(item);
    assert.deepEqual(await cache.slice(), ['i4', 'i3', 'i2']);
    assert.equal(await cache.append('late'), 3);
    assert.equal(await cache.appendMany(['x', 'y']), 3);
    assert.deepEqual(await cache.slice(), ['i4', 'i3', 'i2']);
  });

  it('removeMany counts every occurrence removed', async () => {
    const cache = make();
    await cache.appendMany(['a', 'b', 'a', 'c']);
    assert.equal(await cache.removeMany(['a', 'c', 'a', 'nope']), 3);
    assert.deepEqual(await cache.slice(), ['b']);
    assert.equal(await cache.removeMany([]), 0);
  });

  it('empty writes are no-ops that return the length', async () => {
    const cache = make();
    await cache.append('a');
    assert.equal(await cache.appendMany([]), 1);
    assert.equal(await cache.prependMany([]), 1);
  });

  it('trim(0) empties the list; trim without any maxLength is INVALID_OPTION', async () => {
    const cache = make();
    await cache.appendMany(items(4));
    await assert.rejects(cache.trim(), invalid);
    assert.equal(await cache.trim(10), 0);
    assert.equal(await cache.trim(0), 4);
    assert.equal(await client.exists(cache.key), 0);
  });

  it('encodes and decodes values', async () => {
    const cache = createListCache<{ id: number }>({
      client,
      key: keys.key('json'),
      encode: JSON.stringify,
      decode: (raw) => JSON.parse(raw) as { id: number },
      fallback: async () => [{ id: 1 }, { id: 2 }],
    });
    assert.deepEqual(await cache.slice(0, 2), [{ id: 1 }, { id: 2 }]);
    assert.deepEqual(await client.lrange(cache.key, 0, -1), ['{"id":1}', '{"id":2}']);
    assert.equal(await cache.remove({ id: 1 }), 1);
  });

  it('count and clear', async () => {
    const cache = make();
    assert.equal(await cache.count(), 0);
    await cache.appendMany(items(3));
    assert.equal(await cache.count(), 3);
    await cache.clear();
    assert.equal(await client.exists(cache.key), 0);
  });

  it('works on a client with a keyPrefix (the Lua write-back included)', async () => {
    const prefixed = new Redis(process.env.REDIS_URL!, { keyPrefix: 'test:prefixed:' });
    try {
      const key = keys.key('prefixed');
      const cache = createListCache({ client: prefixed, key, fallback: async () => ['a', 'b'] });
      assert.deepEqual(await cache.slice(0, 2), ['a', 'b']);
      assert.deepEqual(await client.lrange(`test:prefixed:${key}`, 0, -1), ['a', 'b']);
      await cache.clear();
    } finally {
      await prefixed.quit();
    }
  });

  it('rejects bad options with INVALID_OPTION', () => {
    assert.throws(() => make({ maxLength: 0 }), invalid);
    assert.throws(() => make({ maxLength: 2.5 }), invalid);
    assert.throws(() => make({ key: '' }), invalid);
  });
});

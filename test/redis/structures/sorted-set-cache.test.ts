import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  createSortedSetCache,
  type SortedSetCacheOptions,
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

/** Members m0..m(n-1) with score i * 10. */
const members = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ member: `m${i}`, score: i * 10 }));

for (const order of ['desc', 'asc'] as const) {
  const make = (options: Partial<SortedSetCacheOptions> = {}) =>
    createSortedSetCache({ client, key: keys.key(`zset-${order}`), order, ...options });
  /** `entries` sorted the way the cache reads them. */
  const ordered = <T extends { score: number }>(entries: T[]) =>
    [...entries].sort((a, b) => (order === 'desc' ? b.score - a.score : a.score - b.score));

  describe(`sorted set cache (${order}): Python parity`, () => {
    it('addMany is idempotent (test_add_many)', async () => {
      const cache = make();
      assert.equal(await cache.addMany(members(10)), 10);
      assert.equal(await cache.addMany(members(10)), 0);
      assert.equal(await cache.count(), 10);
    });

    it('range reads in the cache order (test_ordering)', async () => {
      const cache = make();
      await cache.addMany(members(5).map(({ member, score }) => [score, member] as const));
      assert.deepEqual(await cache.range(), ordered(members(5)));
      assert.deepEqual(await cache.range({ offset: 1, limit: 2 }), ordered(members(5)).slice(1, 3));
    });

    it('filters by min and max score, with an offset (test_filtering)', async () => {
      const cache = make();
      await cache.addMany(members(10));
      const inRange = ordered(members(10).filter((e) => e.score >= 20 && e.score <= 60));
      assert.deepEqual(await cache.range({ minScore: 20, maxScore: 60 }), inRange);
      assert.deepEqual(
        await cache.range({ minScore: 20, maxScore: 60, offset: 2 }),
        inRange.slice(2),
      );
      assert.deepEqual(
        await cache.range({ minScore: 20, maxScore: 60, offset: 1, limit: 2 }),
        inRange.slice(1, 3),
      );
      assert.deepEqual(
        await cache.range({ minScore: 20 }),
        ordered(members(10).filter((e) => e.score >= 20)),
      );
      assert.deepEqual(
        await cache.range({ maxScore: 20 }),
        ordered(members(10).filter((e) => e.score <= 20)),
      );
    });

    it('trim keeps the first members in the cache order (test_trim)', async () => {
      const cache = make();
      await cache.addMany(members(10));
      assert.equal(await cache.trim(2), 8);
      assert.deepEqual(await cache.range(), ordered(members(10)).slice(0, 2));
      assert.equal(await cache.trim(5), 0);
      assert.equal(await cache.trim(0), 2);
      assert.equal(await cache.count(), 0);
    });

    it('maxLength trims on every add and is the default of trim() (test_trim_via_max_length)', async () => {
      const cache = make({ maxLength: 3 });
      assert.equal(cache.maxLength, 3);
      assert.equal(await cache.addMany(members(10)), 10);
      assert.deepEqual(await cache.range(), ordered(members(10)).slice(0, 3));
      await client.zadd(cache.key, '1000', 'x', '-1000', 'y');
      assert.equal(await cache.trim(), 2);
      assert.equal(await cache.count(), 3);
    });

    it('remove and removeMany (test_remove)', async () => {
      const cache = make();
      await cache.addMany(members(5));
      assert.equal(await cache.remove('m1'), true);
      assert.equal(await cache.remove('m1'), false);
      assert.equal(await cache.removeMany(['m2', 'm3', 'nope']), 2);
      assert.deepEqual(await cache.range(), ordered([members(5)[0]!, members(5)[4]!]));
      assert.equal(await cache.removeMany([]), 0);
    });

    it('removeByScores removes every member with those scores (test_remove_by_score)', async () => {
      const cache = make();
      await cache.addMany([...members(5), { member: 'twin', score: 20 }]);
      assert.equal(await cache.removeByScores([20, 30, 999]), 3);
      assert.deepEqual(
        await cache.range(),
        ordered(members(5).filter((e) => e.score !== 20 && e.score !== 30)),
      );
      assert.equal(await cache.removeByScores([]), 0);
    });

    it('scores are exact for ms timestamps and 2^53-1, also as filters (test_long_filtering)', async () => {
      const cache = make();
      const big = [
        1714566645123,
        1714566645124,
        Number.MAX_SAFE_INTEGER - 1,
        Number.MAX_SAFE_INTEGER,
      ];
      await cache.addMany(big.map((score, i) => [score, `b${i}`] as const));
      assert.deepEqual(
        (await cache.range()).map((e) => e.score),
        order === 'desc' ? [...big].reverse() : big,
      );
      assert.deepEqual(await cache.range({ minScore: 1714566645124, maxScore: 1714566645124 }), [
        { member: 'b1', score: 1714566645124 },
      ]);
      assert.deepEqual(await cache.range({ minScore: Number.MAX_SAFE_INTEGER }), [
        { member: 'b3', score: Number.MAX_SAFE_INTEGER },
      ]);
      assert.equal(await cache.score('b0'), 1714566645123);
      assert.equal(await cache.removeByScores([Number.MAX_SAFE_INTEGER - 1]), 1);
    });

    it('trims with ZREMRANGEBYRANK on the right end (test_zremrangebyrank)', async () => {
      const cache = make({ maxLength: 4 });
      await cache.addMany(members(6));
      const kept = await client.zrange(cache.key, 0, '-1');
      assert.deepEqual(
        kept,
        order === 'desc' ? ['m2', 'm3', 'm4', 'm5'] : ['m0', 'm1', 'm2', 'm3'],
      );
    });
  });

  describe(`sorted set cache (${order}): reads`, () => {
    it('indexOf is the position in the cache order, -1 when missing', async () => {
      const cache = make();
      await cache.addMany(members(5));
      assert.equal(await cache.indexOf('m4'), order === 'desc' ? 0 : 4);
      assert.equal(await cache.indexOf('m1'), order === 'desc' ? 3 : 1);
      assert.equal(await cache.indexOf('nope'), -1);
    });

    it('contains, score and count', async () => {
      const cache = make();
      assert.equal(await cache.count(), 0);
      assert.equal(await cache.add(1.5, 'a'), true);
      assert.equal(await cache.add(-2.25, 'a'), false);
      assert.equal(await cache.score('a'), -2.25);
      assert.equal(await cache.score('b'), undefined);
      assert.equal(await cache.contains('a'), true);
      assert.equal(await cache.contains('b'), false);
      assert.equal(await cache.count(), 1);
    });

    it('exclusive bounds, infinite bounds, limit 0 and an offset past the end', async () => {
      const cache = make();
      await cache.addMany(members(5));
      assert.deepEqual(
        await cache.range({ minScore: 10, maxScore: 30, exclusiveMin: true, exclusiveMax: true }),
        [{ member: 'm2', score: 20 }],
      );
      assert.deepEqual(
        await cache.range({
          minScore: Number.NEGATIVE_INFINITY,
          maxScore: Number.POSITIVE_INFINITY,
        }),
        ordered(members(5)),
      );
      assert.deepEqual(await cache.range({ limit: 0 }), []);
      assert.deepEqual(await cache.range({ offset: 10 }), []);
      assert.deepEqual(await cache.range({ offset: 10, minScore: 0 }), []);
    });

    it('ties are ordered by member', async () => {
      const cache = make();
      await cache.addMany([
        [5, 'b'],
        [5, 'c'],
        [5, 'a'],
      ]);
      const expected = order === 'desc' ? ['c', 'b', 'a'] : ['a', 'b', 'c'];
      assert.deepEqual(
        (await cache.range()).map((e) => e.member),
        expected,
      );
    });
  });
}

describe('sorted set cache: writes and options', () => {
  const make = (options: Partial<SortedSetCacheOptions> = {}) =>
    createSortedSetCache({ client, key: keys.key('zset'), ...options });

  it('defaults to desc order and takes { member, score } entries back from range', async () => {
    const a = make();
    assert.equal(a.order, 'desc');
    await a.addMany(members(3));
    const b = make();
    assert.equal(await b.addMany(await a.range()), 3);
    assert.deepEqual(await b.range(), await a.range());
  });

  it('rejects non-finite or non-number scores before writing anything', async () => {
    const cache = make();
    for (const score of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      '5',
      undefined,
    ]) {
      await assert.rejects(
        cache.addMany([
          [1, 'ok'],
          [score as number, 'bad'],
        ]),
        invalid,
      );
      await assert.rejects(cache.add(score as number, 'bad'), invalid);
    }
    assert.equal(await cache.count(), 0);
    await assert.rejects(cache.removeByScores([Number.NaN]), invalid);
    await assert.rejects(cache.range({ minScore: Number.NaN }), invalid);
  });

  it('adds more than one ZADD chunk atomically', async () => {
    const cache = make({ maxLength: 1100 });
    const many = Array.from({ length: 1234 }, (_, i) => ({ member: `m${i}`, score: i }));
    assert.equal(await cache.addMany(many), 1234);
    assert.equal(await cache.count(), 1100);
    assert.equal((await cache.range({ limit: 1 }))[0]?.score, 1233);
  });

  it('encodes and decodes members', async () => {
    const cache = createSortedSetCache<number>({
      client,
      key: keys.key('zset-num'),
      encode: String,
      decode: Number,
    });
    await cache.add(1, 42);
    assert.equal(await cache.contains(42), true);
    assert.deepEqual(await cache.range(), [{ member: 42, score: 1 }]);
  });

  it('rejects bad options and bad paging with INVALID_OPTION', async () => {
    assert.throws(() => make({ order: 'up' as 'asc' }), invalid);
    assert.throws(() => make({ maxLength: 0 }), invalid);
    assert.throws(() => make({ key: '' }), invalid);
    const cache = make();
    await assert.rejects(cache.trim(), invalid);
    await assert.rejects(cache.trim(-1), invalid);
    await assert.rejects(cache.range({ offset: -1 }), invalid);
    await assert.rejects(cache.range({ limit: 1.5 }), invalid);
  });

  it('clear deletes the key', async () => {
    const cache = make();
    await cache.addMany(members(3));
    await cache.clear();
    assert.equal(await client.exists(cache.key), 0);
  });

  // ioredis 6.0.0 decodes RESP3 doubles itself under the opt-in `replyMapping: 'resp3'`, and
  // gets some wrong: 2^53-1 reads as 2^53 and 0.1 as 0.10000000000000002 (see RedisClient's
  // TSDoc), so that client is checked with scores it decodes exactly.
  const exact = [Number.MAX_SAFE_INTEGER, 0.1] as const;
  const resp3Safe = [1714566645123, 0.5] as const;
  for (const [name, options, [high, low]] of [
    ['RESP2', { protocol: 2 }, exact],
    ['RESP3 (legacy reply mapping)', { protocol: 3 }, exact],
    ['RESP3 with resp3 reply mapping', { protocol: 3, replyMapping: 'resp3' }, resp3Safe],
    ['stringNumbers', { stringNumbers: true }, exact],
    ['keyPrefix', { keyPrefix: 'test:prefixed:' }, exact],
  ] as const) {
    it(`parses replies of a ${name} client`, async () => {
      const other = new Redis(process.env.REDIS_URL!, options);
      try {
        const cache = createSortedSetCache({ client: other, key: keys.key(name), order: 'asc' });
        assert.equal(
          await cache.addMany([
            [high, 'a'],
            [low, 'b'],
          ]),
          2,
        );
        assert.deepEqual(await cache.range(), [
          { member: 'b', score: low },
          { member: 'a', score: high },
        ]);
        assert.deepEqual(await cache.range({ minScore: 1 }), [{ member: 'a', score: high }]);
        assert.equal(await cache.score('a'), high);
        assert.equal(await cache.indexOf('a'), 1);
        assert.equal(await cache.count(), 2);
        assert.equal(await cache.trim(1), 1);
        await cache.clear();
      } finally {
        await other.quit();
      }
    });
  }
});

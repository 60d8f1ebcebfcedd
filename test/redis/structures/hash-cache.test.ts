import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  createHashCache,
  type HashFallback,
} from '../../../src/backends/redis/structures/index.js';
import { ValidationError } from '../../../src/errors.js';
import { singleClient } from '../../support/redis.js';
import { describeHashCache, type HashCacheFactory } from './hash-cache.cases.js';
import { keyspace } from './support.js';

const client = singleClient();
const keys = keyspace(client);
after(async () => {
  await keys.cleanup();
  await client.quit();
});

const make: HashCacheFactory = Object.assign(
  (options = {}) => {
    const key = keys.key('hash');
    return { cache: createHashCache({ client, key, ...options }), keyOf: () => key };
  },
  {
    json<V>(options: { fallback?: HashFallback<V>; decode?: (raw: string) => V } = {}) {
      const key = keys.key('hash');
      const cache = createHashCache<V>({
        client,
        key,
        encode: JSON.stringify,
        decode: options.decode ?? ((raw) => JSON.parse(raw) as V),
        fallback: options.fallback,
      });
      return { cache, keyOf: () => key };
    },
  },
);

describeHashCache('hash cache', () => client, make);

describe('hash cache: layout and options', () => {
  it('is one Redis hash at the key', async () => {
    const key = keys.key('layout');
    const cache = createHashCache({ client, key });
    await cache.setMany({ a: '1', b: '2' });
    assert.equal(await client.type(key), 'hash');
    assert.deepEqual(await client.hgetall(key), { a: '1', b: '2' });
    assert.equal(cache.key, key);
  });

  it('rejects an empty key with INVALID_OPTION', () => {
    assert.throws(
      () => createHashCache({ client, key: '' }),
      (error: unknown) => error instanceof ValidationError && error.code === 'INVALID_OPTION',
    );
  });

  for (const [name, options] of [
    ['RESP2', { protocol: 2 }],
    ['RESP3 with resp3 reply mapping', { protocol: 3, replyMapping: 'resp3' }],
    ['stringNumbers', { stringNumbers: true }],
  ] as const) {
    it(`works on a ${name} client`, async () => {
      const other = new Redis(process.env.REDIS_URL!, options);
      try {
        const cache = createHashCache({
          client: other,
          key: keys.key(name),
          fallback: async (f) => f,
        });
        assert.equal(await cache.setMany({ a: '1', b: '' }), 2);
        assert.deepEqual(await cache.getMany(['a', 'b', 'c']), ['1', '', 'c']);
        assert.equal(await cache.count(), 3);
        assert.equal(await cache.contains('c'), true);
        assert.equal(await cache.deleteMany(['a', 'c']), 2);
      } finally {
        await other.quit();
      }
    });
  }
});

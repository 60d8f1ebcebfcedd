import { type HashCache, HashEngine, type HashFallback } from './hash-engine.js';
import { assertKey, checkStructureOptions, resolveCodec } from './shared.js';
import type { CodecOptions, RedisStructureOptions } from './types.js';

/** Options of {@link createHashCache}. */
export type HashCacheOptions<V = string> = RedisStructureOptions &
  CodecOptions<V> & {
    /**
     * Loads missing fields from your database; what it returns is written back to Redis.
     * Its errors propagate unchanged. Without it, missing fields are `undefined`.
     */
    readonly fallback?: HashFallback<V>;
  };

/**
 * Creates a cache on one Redis hash (HMGET, HSET, HDEL, HLEN, HKEYS on `key`): the port of the
 * Python `RedisHashCache` and `FallbackHashCache`, with their falsy-value bug fixed (a stored
 * `''` or `'0'` is a hit, only an absent field is missing). One key means one cluster slot; use
 * {@link createShardedHashCache} to spread a large cache over the nodes.
 * @example
 * const users = createHashCache<User>({
 *   client: redis,
 *   key: 'cache:users',
 *   encode: JSON.stringify,
 *   decode: (raw) => JSON.parse(raw) as User,
 *   fallback: async (ids) => new Map((await db.users.find(ids)).map((u) => [u.id, u])),
 * });
 * const [alice, bob] = await users.getMany(['1', '2']);
 */
export function createHashCache<V = string>(options: HashCacheOptions<V>): HashCache<V> {
  checkStructureOptions(options, ['fallback'], 'createHashCache');
  const { client, key, fallback } = options;
  const where = `redis hash cache "${String(key)}"`;
  assertKey(key, where);
  return new HashEngine<V>({
    client,
    key,
    keys: [key],
    keyOf: () => key,
    codec: resolveCodec<V>(options, where),
    fallback,
    where,
  });
}

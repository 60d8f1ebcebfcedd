/**
 * Generic Redis building blocks, for building your own feed and caching structures: a hash
 * cache, a sharded hash cache, a sorted-set cache and a list cache, each on a client you own
 * (`ioredis` `Redis` or `Cluster`; never closed here). Every command touches one key, so they
 * all work on Redis Cluster; the sharded hash cache gives each shard its own hash tag so the
 * shards spread over the nodes.
 * @module
 */

export { createHashCache, type HashCacheOptions } from './hash-cache.js';
export type { HashCache, HashEntries, HashFallback } from './hash-engine.js';
export {
  createListCache,
  type ListCache,
  type ListCacheOptions,
  type ListFallback,
} from './list-cache.js';
export {
  createShardedHashCache,
  type ShardedHashCache,
  type ShardedHashCacheOptions,
} from './sharded-hash-cache.js';
export {
  createSortedSetCache,
  type SortedSetCache,
  type SortedSetCacheOptions,
  type SortedSetEntry,
  type SortedSetInput,
  type SortedSetRange,
} from './sorted-set-cache.js';
export type { CodecOptions, RedisStructureOptions, ValueCodec } from './types.js';

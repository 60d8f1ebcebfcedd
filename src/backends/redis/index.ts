/**
 * `stream-framework/redis`: the Redis and Redis Cluster backend, on ioredis (an optional peer
 * dependency). You create and own the client; the backend never closes it.
 * @example
 * import { Redis } from 'ioredis';
 * import { createRedisStorage } from 'stream-framework/redis';
 * const storage = createRedisStorage({ client: new Redis(process.env.REDIS_URL) });
 * const timeline = defineFlatFeed({ name: 'timeline', storage });
 * @module
 */
import type { Storage } from '../../storage/contracts.js';
import type { DefinedActivityStorage } from '../../storage/define-activity-storage.js';
import { type DefinedTimelineStorage, defineStorage } from '../../storage/define-storage.js';
import { objectOption } from '../../validation/objects.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { checkColocation, checkPositiveInt, checkPrefix } from './keys.js';
import { RedisActivityStorage } from './redis-activity-storage.js';
import { RedisTimelineStorage } from './redis-timeline-storage.js';
import type { RedisClient } from './scripts.js';

export type { RedisClient } from './scripts.js';

/** Options of {@link createRedisStorage}. */
export interface RedisStorageOptions {
  /** An ioredis `Redis` or `Cluster` instance you own. */
  readonly client: RedisClient;
  /** Prefix of every key (1-64 of `[A-Za-z0-9_.:-]`). @default 'sf' */
  readonly prefix?: string | undefined;
  /**
   * Hashes the activity storage is spread over, each under its own hash tag (per time bucket
   * with `activityBucketMs`). Keep it stable for a given data set (changing it moves
   * activities). @default 1 on a single node (one HMGET per read), 16 on a cluster (spread over
   * the nodes)
   */
  readonly activityShards?: number | undefined;
  /**
   * Opt-in time-bucketed activity storage, in ms: an activity's hash is chosen by the time in
   * its id (`floor(time / activityBucketMs)`) and its shard, so each hash keeps about
   * `activities per second * activityBucketMs / 1000 / activityShards` entries. Sized to 50-120
   * entries with payloads of at most 64 bytes, the hashes stay in Redis's listpack encoding
   * (about half the memory of one big hash); old buckets can be dropped whole. Keep it stable
   * for a given data set (changing it moves activities). See docs/backends/redis.md. @default
   * undefined (no time buckets)
   */
  readonly activityBucketMs?: number | undefined;
  /**
   * `'bucket'` (needs `activityBucketMs`): every shard of a time bucket under one hash tag
   * (`<prefix>:a:{<bucket>}.<shard>`), so on a cluster the activities of one bucket live on one
   * node and a feed page within a bucket is read in one call (two buckets: two calls in
   * parallel) instead of one call per master. The recommended layout for clusters; the current
   * bucket's writes all go to one node. `'shard'`: each hash under its own tag. Keep it stable
   * for a given data set (changing it moves activities). See docs/backends/redis.md. @default
   * 'shard'
   */
  readonly activityColocation?: 'shard' | 'bucket' | undefined;
  /** Timelines per fan-out script call on a single node. @default 250 */
  readonly fanoutBatch?: number | undefined;
  /** Attempts of an optimistic aggregated/notification update before ConflictError. @default 100 */
  readonly maxUpdateAttempts?: number | undefined;
  /**
   * Aggregated/notification feeds whose last updated state this client remembers, so that the
   * next update of the same groups commits in one round trip instead of two (0: off). @default 1000
   */
  readonly updateCacheSize?: number | undefined;
  /** Characters of group ids and payloads the update cache may hold in all. @default 8388608 */
  readonly updateCacheCharacters?: number | undefined;
}

/** The keys of {@link RedisStorageOptions}: any other is refused (`INVALID_OPTION`). */
const REDIS_STORAGE_KEYS = optionKeys<RedisStorageOptions>({
  client: true,
  prefix: true,
  activityShards: true,
  activityBucketMs: true,
  activityColocation: true,
  fanoutBatch: true,
  maxUpdateAttempts: true,
  updateCacheSize: true,
  updateCacheCharacters: true,
});

/** The Redis backend: timeline and activity storage on one client. */
export interface RedisStorage extends Storage {
  readonly timeline: DefinedTimelineStorage<RedisTimelineStorage>;
  readonly activities: DefinedActivityStorage<RedisActivityStorage>;
  readonly prefix: string;
}

/**
 * Creates the Redis backend (single node or cluster, detected from the client). Throws
 * `INVALID_OPTION` for a bad prefix, `activityShards`, `activityBucketMs` or
 * `activityColocation` (`'bucket'` without `activityBucketMs`).
 */
export function createRedisStorage(options: RedisStorageOptions): RedisStorage {
  checkOptions(options, REDIS_STORAGE_KEYS, 'createRedisStorage');
  objectOption(options.client, 'client', ['defineCommand'], 'an ioredis Redis or Cluster');
  const prefix = checkPrefix(options.prefix ?? 'sf');
  const shards = checkPositiveInt(options.activityShards, 'activityShards');
  const bucketMs = checkPositiveInt(options.activityBucketMs, 'activityBucketMs');
  const colocation = checkColocation(
    options.activityColocation,
    bucketMs,
    'activityColocation',
    'activityBucketMs',
  );
  const { client } = options;
  return defineStorage({
    prefix,
    timeline: new RedisTimelineStorage({
      client,
      prefix,
      fanoutBatch: options.fanoutBatch,
      maxUpdateAttempts: options.maxUpdateAttempts,
      updateCacheSize: options.updateCacheSize,
      updateCacheCharacters: options.updateCacheCharacters,
    }),
    activities: new RedisActivityStorage({
      client,
      prefix,
      shards: shards ?? (client.isCluster ? 16 : 1),
      bucketMs,
      colocation,
    }),
  });
}
export type {
  PublishChangesOptions,
  PublishedChange,
  PublishedFeedChange,
  SubscribeOptions,
} from './realtime.js';
export {
  changeChannel,
  parseChanges,
  parseFeedChanges,
  publishChanges,
  subscribeToChanges,
  subscribeToFeedChanges,
} from './realtime.js';
export {
  type CodecOptions,
  createHashCache,
  createListCache,
  createShardedHashCache,
  createSortedSetCache,
  type HashCache,
  type HashCacheOptions,
  type HashEntries,
  type HashFallback,
  type ListCache,
  type ListCacheOptions,
  type ListFallback,
  type RedisStructureOptions,
  type ShardedHashCache,
  type ShardedHashCacheOptions,
  type SortedSetCache,
  type SortedSetCacheOptions,
  type SortedSetEntry,
  type SortedSetInput,
  type SortedSetRange,
  type ValueCodec,
} from './structures/index.js';

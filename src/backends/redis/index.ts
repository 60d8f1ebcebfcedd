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
import { activityLayout } from './activity-layout.js';
import { checkPrefix } from './keys.js';
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
   * with time buckets). Keep it stable for a given data set (changing it moves activities).
   * @default 1, except 16 on a cluster with `activityColocation: 'shard'` (spread over the nodes)
   */
  readonly activityShards?: number | undefined;
  /**
   * Time-bucketed activity storage, in ms: an activity's hash is chosen by the time in its id
   * (`floor(time / activityBucketMs)`) and its shard, so each hash keeps about
   * `activities per second * activityBucketMs / 1000 / activityShards` entries. Sized to 50-120
   * entries with payloads of at most 64 bytes, the hashes stay in Redis's listpack encoding
   * (about half the memory of one big hash); old buckets can be dropped whole. Keep it stable
   * for a given data set (changing it moves activities). See docs/backends/redis.md. @default
   * 60000 with `activityColocation: 'bucket'` (the cluster default), else none (no time buckets)
   */
  readonly activityBucketMs?: number | undefined;
  /**
   * `'bucket'` (the default on a cluster): time buckets, every shard of a bucket under one hash
   * tag (`<prefix>:a:{<bucket>}.<shard>`), so on a cluster the activities of one bucket live on
   * one node and a feed page within a bucket is read in one call (two buckets: two calls in
   * parallel) instead of one call per master; the current bucket's writes all go to one node.
   * `'shard'` (the default on a single node; the cluster default before 1.0): each hash under
   * its own tag (`<prefix>:a:{<shard>}`, or `<prefix>:a:{<bucket>.<shard>}` with
   * `activityBucketMs`). Keep it stable for a given data set (changing it moves activities);
   * data written on a cluster by 0.1 without this option reads with `'shard'`. See
   * docs/backends/redis.md. @default 'bucket' on a cluster, 'shard' on a single node
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
 * Creates the Redis backend (single node or cluster, detected from the client; the activity
 * layout's defaults depend on it: see `activityColocation`). Throws `INVALID_OPTION` for a bad
 * prefix, `activityShards`, `activityBucketMs` or `activityColocation`.
 */
export function createRedisStorage(options: RedisStorageOptions): RedisStorage {
  checkOptions(options, REDIS_STORAGE_KEYS, 'createRedisStorage');
  objectOption(options.client, 'client', ['defineCommand'], 'an ioredis Redis or Cluster');
  const prefix = checkPrefix(options.prefix ?? 'sf');
  const { client } = options;
  const layout = activityLayout(options, client.isCluster);
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
    activities: new RedisActivityStorage({ client, prefix, ...layout }),
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

import { oneOfOption } from '../../validation/values.js';
import { ACTIVITY_COLOCATIONS, type ActivityColocation, checkPositiveInt } from './keys.js';

/**
 * The time bucket of the colocated layout when `activityBucketMs` is not given: one minute (a
 * page of a busy feed within one or two buckets; a hash of about 60 activities at one a second).
 */
export const DEFAULT_COLOCATED_BUCKET_MS = 60_000;

/** Where activity storage keeps activities (see `activityShardKey` in keys.ts). */
export interface ActivityLayout {
  readonly shards: number;
  readonly bucketMs: number | undefined;
  readonly colocation: ActivityColocation;
}

/** The layout options of `createRedisStorage`. */
export interface ActivityLayoutOptions {
  readonly activityShards?: unknown;
  readonly activityBucketMs?: unknown;
  readonly activityColocation?: unknown;
}

/**
 * The activity layout of `createRedisStorage` from its options and the kind of client. The
 * colocation defaults to `'bucket'` on a cluster (a page of activities close in time is on one
 * node) and to `'shard'` on a single node (one hash). `'bucket'` defaults to one hash per
 * one-minute bucket; `'shard'` to 16 hashes on a cluster and one on a single node, without time
 * buckets. Given options are kept as they are. Throws `INVALID_OPTION` for a bad value.
 */
export function activityLayout(options: ActivityLayoutOptions, isCluster: boolean): ActivityLayout {
  const shards = checkPositiveInt(options.activityShards, 'activityShards');
  const bucketMs = checkPositiveInt(options.activityBucketMs, 'activityBucketMs');
  const colocation =
    options.activityColocation === undefined
      ? isCluster
        ? 'bucket'
        : 'shard'
      : oneOfOption(options.activityColocation, ACTIVITY_COLOCATIONS, 'activityColocation');
  if (colocation === 'bucket') {
    return { shards: shards ?? 1, bucketMs: bucketMs ?? DEFAULT_COLOCATED_BUCKET_MS, colocation };
  }
  return { shards: shards ?? (isCluster ? 16 : 1), bucketMs, colocation };
}

import { after, describe, test } from 'node:test';
import {
  describeActivityStorage,
  describeBackend,
  describeFlatFeed,
} from '../../src/testing/index.js';
import { clusterClient, redisBackend } from '../support/redis.js';

const client = clusterClient();
after(() => client.quit());
describeBackend({ describe, test }, redisBackend('redis-cluster', client));

// The time-bucketed activity layout: its hashes spread over the masters like any hash tag.
const bucketed = redisBackend('redis-cluster, activity buckets', client, {
  activityBucketMs: 60_000,
  activityShards: 4,
});
describeActivityStorage({ describe, test }, bucketed);
describeFlatFeed({ describe, test }, bucketed);

// The colocated layout (every shard of a bucket under the bucket's hash tag, one slot a bucket).
const colocated = redisBackend('redis-cluster, colocated activity buckets', client, {
  activityBucketMs: 60_000,
  activityShards: 4,
  activityColocation: 'bucket',
});
describeActivityStorage({ describe, test }, colocated);
describeFlatFeed({ describe, test }, colocated);

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

// The default above colocates one-minute buckets of one hash. The layout of 0.1 (16 hashes
// spread over the masters, `activityColocation: 'shard'`), and the same per time bucket.
const spread = redisBackend('redis-cluster, activities spread over 16 hashes', client, {
  activityColocation: 'shard',
});
describeActivityStorage({ describe, test }, spread);
describeFlatFeed({ describe, test }, spread);

const bucketed = redisBackend('redis-cluster, activity buckets', client, {
  activityBucketMs: 60_000,
  activityShards: 4,
  activityColocation: 'shard',
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

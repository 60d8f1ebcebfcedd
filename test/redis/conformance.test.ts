import { after, describe, test } from 'node:test';
import {
  describeActivityStorage,
  describeAggregatedFeed,
  describeBackend,
  describeFlatFeed,
  describeManager,
} from '../../src/testing/index.js';
import { redisBackend, singleClient } from '../support/redis.js';

const client = singleClient();
after(() => client.quit());
describeBackend({ describe, test }, redisBackend('redis', client));

// The time-bucketed activity layout, through every suite that uses activity storage (timelines
// and denormalized notification feeds do not): one-minute buckets of 4 shards spread the suites'
// activities over many hashes.
const bucketed = redisBackend('redis, activity buckets', client, {
  activityBucketMs: 60_000,
  activityShards: 4,
});
describeActivityStorage({ describe, test }, bucketed);
describeFlatFeed({ describe, test }, bucketed);
describeAggregatedFeed({ describe, test }, bucketed);
describeManager({ describe, test }, bucketed);

// The colocated layout (every shard of a bucket under the bucket's hash tag, one slot a bucket).
const colocated = redisBackend('redis, colocated activity buckets', client, {
  activityBucketMs: 60_000,
  activityShards: 4,
  activityColocation: 'bucket',
});
describeActivityStorage({ describe, test }, colocated);
describeFlatFeed({ describe, test }, colocated);

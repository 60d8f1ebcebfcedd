import { after } from 'node:test';
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
describeBackend(redisBackend('redis', client));

// The time-bucketed activity layout, through every suite that uses activity storage (timelines
// and denormalized notification feeds do not): one-minute buckets of 4 shards spread the suites'
// activities over many hashes.
const bucketed = redisBackend('redis, activity buckets', client, {
  activityBucketMs: 60_000,
  activityShards: 4,
});
describeActivityStorage(bucketed);
describeFlatFeed(bucketed);
describeAggregatedFeed(bucketed);
describeManager(bucketed);

// The tiered storage on Redis over Cassandra: the whole conformance kit with a hot tier of 3
// entries per timeline, and the tiered cases (test/support/tiered.ts). The cassandra group
// starts no Redis: this file starts its own throwaway redis-server (test/support/own-redis.ts).
import { after, before, describe, test } from 'node:test';
import { describeBackend } from '../../src/testing/index.js';
import { ensureSchema, testClient, testStorage } from '../support/cassandra.js';
import { ownRedisSkip, startOwnRedis } from '../support/own-redis.js';
import { describeTieredCases } from '../support/tiered.js';
import { tieredBackend, tieredRedisCassandra } from '../support/tiered-worlds.js';

const skip = ownRedisSkip('cassandra');
if (skip) {
  test('tiered storage, redis over cassandra', { skip }, () => {});
} else {
  const cassandra = testClient();
  const redis = await startOwnRedis();
  before(() => ensureSchema(cassandra));
  after(async () => {
    await cassandra.shutdown();
    await redis.close();
  });
  const world = tieredRedisCassandra(redis.client, () => testStorage(cassandra));
  describeBackend({ describe, test }, tieredBackend(world, 3));
  describeTieredCases(world);
}

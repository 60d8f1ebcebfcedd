// The tiered storage on Redis over SQLite: the whole conformance kit with a hot tier of 3
// entries per timeline (nearly every read and write crosses the boundary), and the tiered cases
// (test/support/tiered.ts). The sqlite group starts no Redis: this file starts its own throwaway
// redis-server (test/support/own-redis.ts), so the redis group's runs on other Node versions
// need no native SQLite module.
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { describeBackend } from '../../src/testing/index.js';
import { ownRedisSkip, startOwnRedis } from '../support/own-redis.js';
import { describeTieredCases } from '../support/tiered.js';
import { tieredBackend, tieredRedisSqlite } from '../support/tiered-worlds.js';

const skip = ownRedisSkip('sqlite');
if (skip) {
  test('tiered storage, redis over sqlite', { skip }, () => {});
} else {
  const redis = await startOwnRedis();
  after(() => redis.close());
  const world = tieredRedisSqlite(redis.client, () => new Database(':memory:'));
  describeBackend({ describe, test }, tieredBackend(world, 3));
  describeTieredCases(world);
}

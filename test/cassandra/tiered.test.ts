// The tiered storage on Redis over Cassandra: the whole conformance kit with a hot tier of 3
// entries per timeline, and the tiered cases (test/support/tiered.ts). The cassandra group
// starts no Redis: this file starts its own throwaway redis-server on a free loopback port and
// stops it by PID (through its directory) when done.
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import {
  groupDir,
  HOST,
  onFreePort,
  startRedisServer,
  stopDir,
} from '../../scripts/backends/redis-process.mjs';
import { describeBackend } from '../../src/testing/index.js';
import { ensureSchema, testClient, testStorage } from '../support/cassandra.js';
import { describeTieredCases } from '../support/tiered.js';
import { tieredBackend, tieredRedisCassandra } from '../support/tiered-worlds.js';

const cassandra = testClient();
const dir = groupDir('sf-tiered-redis-');
const server = await onFreePort((port) => startRedisServer({ port, dir }));
const redis = new Redis({ host: HOST, port: server.port, maxRetriesPerRequest: 3 });
before(() => ensureSchema(cassandra));
after(async () => {
  redis.disconnect();
  await cassandra.shutdown();
  await stopDir(dir);
});

const world = tieredRedisCassandra(redis, () => testStorage(cassandra));
describeBackend({ describe, test }, tieredBackend(world, 3));
describeTieredCases(world);

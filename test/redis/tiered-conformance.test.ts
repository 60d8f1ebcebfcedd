import { after, describe, test } from 'node:test';
// The whole conformance kit on a tiered storage: Redis as the hot tier (3 entries per timeline,
// so nearly every read and write crosses the boundary), SQLite as the durable tier.
import Database from 'better-sqlite3';
import { describeBackend } from '../../src/testing/index.js';
import { singleClient } from '../support/redis.js';
import { tieredBackend, tieredRedisSqlite } from '../support/tiered-worlds.js';

const client = singleClient();
after(() => client.quit());
const world = tieredRedisSqlite(client, () => new Database(':memory:'));
describeBackend({ describe, test }, tieredBackend(world, 3));

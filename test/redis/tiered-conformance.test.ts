import { after, describe, test } from 'node:test';
// The whole conformance kit on a tiered storage: Redis as the hot tier (3 entries per timeline,
// so nearly every read and write crosses the boundary), SQLite as the durable tier.
import Database from 'better-sqlite3';
import { createTieredStorage } from '../../src/backends/tiered/index.js';
import { describeBackend } from '../../src/testing/index.js';
import { singleClient } from '../support/redis.js';
import { tieredRedisSqlite } from '../support/tiered-worlds.js';

const client = singleClient();
after(() => client.quit());
const world = tieredRedisSqlite(client, () => new Database(':memory:'));
const open = new Map<object, () => Promise<void>>();

describeBackend(
  { describe, test },
  {
    name: 'tiered(redis, sqlite), hotMaxLength 3',
    async create() {
      const tiers = await world.create();
      const storage = createTieredStorage({
        hot: tiers.hot,
        durable: tiers.durable,
        hotMaxLength: 3,
      });
      open.set(storage, () => tiers.close());
      return storage;
    },
    async destroy(storage) {
      await open.get(storage)?.();
      open.delete(storage);
    },
  },
);

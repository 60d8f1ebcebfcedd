/**
 * Pairs of real backends for the tiered storage's tests: a Redis hot tier (a fresh key prefix
 * per test, its keys deleted after) over a SQLite or Cassandra durable tier.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Cluster, Redis } from 'ioredis';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { createSqliteStorage } from '../../src/backends/sqlite/index.js';
import { createTieredStorage } from '../../src/backends/tiered/index.js';
import type { Storage } from '../../src/index.js';
import type { BackendUnderTest } from '../../src/testing/index.js';
import { deletePrefix } from './redis.js';
import type { TieredWorld, TierSet } from './tiered.js';

/** A Redis hot tier under a fresh prefix; evicting deletes every key under it (raw DEL). */
function redisHot(client: Redis | Cluster): { hot: Storage; evict(): Promise<void> } {
  const prefix = `tiered:${randomUUID().slice(0, 8)}`;
  return {
    hot: createRedisStorage({ client, prefix }),
    evict: () => deletePrefix(client, prefix),
  };
}

/** Redis over SQLite: each create() opens a database with `open` and closes it in close(). */
export function tieredRedisSqlite(
  client: Redis | Cluster,
  open: () => Database.Database,
): TieredWorld {
  return {
    name: 'redis over sqlite',
    async create(): Promise<TierSet> {
      const { hot, evict } = redisHot(client);
      const db = open();
      return {
        hot,
        durable: createSqliteStorage({ database: db }),
        evictHot: evict,
        async close() {
          await evict();
          db.close();
        },
      };
    },
  };
}

/**
 * Redis over Cassandra: `durable()` makes the durable tier (a fresh namespace per test: nothing
 * to drop, the node is thrown away after the run).
 */
export function tieredRedisCassandra(client: Redis | Cluster, durable: () => Storage): TieredWorld {
  return {
    name: 'redis over cassandra',
    async create(): Promise<TierSet> {
      const { hot, evict } = redisHot(client);
      return { hot, durable: durable(), evictHot: evict, close: evict };
    },
  };
}

/** The conformance-kit backend of a tiered storage over `world`'s tiers. */
export function tieredBackend(world: TieredWorld, hotMaxLength: number): BackendUnderTest {
  const open = new Map<Storage, () => Promise<void>>();
  return {
    name: `tiered storage, ${world.name}, hotMaxLength ${hotMaxLength}`,
    async create() {
      const { hot, durable, close } = await world.create();
      const storage = createTieredStorage({ hot, durable, hotMaxLength });
      open.set(storage, close);
      return storage;
    },
    async destroy(storage) {
      await open.get(storage)?.();
      open.delete(storage);
    },
  };
}

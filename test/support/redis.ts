import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import {
  createRedisStorage,
  type RedisStorage,
  type RedisStorageOptions,
} from '../../src/backends/redis/index.js';
import type { BackendUnderTest } from '../../src/testing/index.js';

/** A client on the single Redis started by the test runner (REDIS_URL). */
export function singleClient(): Redis {
  const url = process.env.REDIS_URL;
  if (!url)
    throw new Error(
      'REDIS_URL is not set: run through `npm test` (scripts/test.mjs starts redis-server)',
    );
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 3 });
}

/** A client on the Redis Cluster started by the test runner (REDIS_CLUSTER_NODES). */
export function clusterClient(): Cluster {
  const nodes = process.env.REDIS_CLUSTER_NODES;
  if (!nodes) throw new Error('REDIS_CLUSTER_NODES is not set: run through `npm test`');
  return new Cluster(
    nodes.split(',').map((n) => {
      const [host, port] = n.split(':');
      return { host: host!, port: Number(port) };
    }),
  );
}

/**
 * Calls `fn` with each batch of keys matching the SCAN pattern `match` and the connection that
 * holds them (every master of a cluster). Use a client without keyPrefix: `match` is not prefixed.
 */
export async function forEachKeys(
  client: Redis | Cluster,
  match: string,
  fn: (node: Redis, keys: string[]) => Promise<void> | void,
): Promise<void> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      await fn(node, keys);
    } while (cursor !== '0');
  }
}

/** Every key of the server (every master of a cluster), read through a client without keyPrefix. */
export async function allKeys(raw: Redis | Cluster, match = '*'): Promise<string[]> {
  const keys: string[] = [];
  await forEachKeys(raw, match, (_, batch) => {
    keys.push(...batch);
  });
  return keys;
}

/** Deletes every key under `prefix` (on every master of a cluster): per-test cleanup, no FLUSHALL. */
export async function deletePrefix(client: Redis | Cluster, prefix: string): Promise<void> {
  await forEachKeys(client, `${prefix}:*`, async (node, keys) => {
    for (const key of keys) await node.del(key);
  });
}

/**
 * The conformance-kit backend on a client: every test gets a fresh key prefix, deleted after it.
 * `options` are passed to createRedisStorage (e.g. the time-bucketed activity layout).
 */
export function redisBackend(
  name: string,
  client: Redis | Cluster,
  options: Omit<RedisStorageOptions, 'client' | 'prefix'> = {},
): BackendUnderTest {
  return {
    name,
    create: () =>
      createRedisStorage({ ...options, client, prefix: `t:${randomUUID().slice(0, 8)}` }),
    destroy: (storage) => deletePrefix(client, (storage as RedisStorage).prefix),
  };
}

/**
 * A throwaway redis-server of a test file's own, for files of a group that starts no Redis (the
 * tiered storage's Redis hot tier over SQLite or Cassandra): a free loopback port, stopped by the
 * PID it started (through its directory) in `close()`.
 * @module
 */
import { Redis } from 'ioredis';
import {
  findOnPath,
  groupDir,
  HOST,
  onFreePort,
  startRedisServer,
  stopDir,
} from '../../scripts/backends/redis-process.mjs';

/** A client on a redis-server of its own; `close()` disconnects it and stops the server. */
export interface OwnRedis {
  readonly client: Redis;
  close(): Promise<void>;
}

/**
 * Why `group`'s files that need their own Redis must skip, or undefined when they can run. When
 * REQUIRE_BACKENDS names the group, a missing redis-server fails instead (throws).
 */
export function ownRedisSkip(group: string): string | undefined {
  if (findOnPath('redis-server')) return undefined;
  const why = 'redis-server not found on PATH (Debian: apt-get install redis-server)';
  const required = (process.env.REQUIRE_BACKENDS ?? '').split(',').map((name) => name.trim());
  if (required.includes(group)) throw new Error(`${group} is required, but ${why}`);
  return why;
}

/** Starts a redis-server on a free loopback port and connects a client to it. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const dir = groupDir('sf-own-redis-');
  const server = await onFreePort((port) => startRedisServer({ port, dir }));
  const client = new Redis({ host: HOST, port: server.port, maxRetriesPerRequest: 3 });
  return {
    client,
    async close() {
      client.disconnect();
      await stopDir(dir);
    },
  };
}

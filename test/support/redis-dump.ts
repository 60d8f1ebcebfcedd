import assert from 'node:assert/strict';
import type { Cluster, Redis } from 'ioredis';

/**
 * Every key under `prefix` with its type and content (sorted): a backend-level snapshot for
 * "nothing was written" checks. Also checks that each key has the layout of the Redis backend:
 * the prefix, then one hash tag that user ids cannot close early (docs/backends/redis.md); the
 * colocated activity hashes (`a:{<bucket>}.<shard>`) end after their tag.
 */
export async function dumpPrefix(client: Redis, prefix: string): Promise<Record<string, unknown>> {
  const layout = new RegExp(
    `^${prefix.replace(/[.:-]/g, '\\$&')}:(\\{[^{}]*\\}:(z|p|v|mk|m:[A-Za-z0-9_-]+)|a:\\{([0-9a-z]+\\.)?\\d+\\}|a:\\{[0-9a-z]+\\}\\.\\d+)$`,
    's',
  );
  const out: Record<string, unknown> = {};
  for (const key of await keysUnder(client, prefix)) {
    assert.match(key, layout, `key ${JSON.stringify(key)} has the backend's layout`);
    const type = await client.type(key);
    if (type === 'zset') out[key] = await client.zrange(key, '0', '-1', 'WITHSCORES');
    else if (type === 'hash') out[key] = sortedEntries(await client.hgetall(key));
    else if (type === 'set') out[key] = (await client.smembers(key)).sort();
    else if (type === 'string') out[key] = await client.get(key);
    else out[key] = type;
  }
  return out;
}

/** Every key under `prefix` (`<prefix>:*`) on a single node, sorted. */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

const sortedEntries = (h: Record<string, string>) =>
  Object.entries(h).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export type { Cluster };

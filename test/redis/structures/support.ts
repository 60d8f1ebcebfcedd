import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * Unique keys for one test file, deleted (one DEL per key, so it works on a cluster) by
 * `cleanup()` in its `after()` hook: no FLUSHALL, nothing shared between runs.
 */
export function keyspace(client: Redis | Cluster) {
  const used = new Set<string>();
  const run = randomUUID();
  return {
    /** A fresh key without hash tags, remembered for cleanup. */
    key(name = 'k'): string {
      const key = `test:${run}:${randomUUID().slice(0, 8)}:${name}`;
      used.add(key);
      return key;
    },
    /** Remembers extra keys (e.g. shard keys) for cleanup. */
    track(...keys: readonly string[]): void {
      for (const key of keys) used.add(key);
    },
    async cleanup(): Promise<void> {
      await Promise.all([...used].map((key) => client.del(key)));
    },
  };
}

/** A fallback that records its calls, answering from `source`. */
export function recordingFallback<V>(source: ReadonlyMap<string, V>) {
  const calls: string[][] = [];
  const fallback = async (fields: string[]): Promise<Map<string, V>> => {
    calls.push([...fields]);
    const found = new Map<string, V>();
    for (const field of fields) {
      const value = source.get(field);
      if (value !== undefined) found.set(field, value);
    }
    return found;
  };
  return { calls, fallback };
}

/**
 * Coalescing the socket writes of concurrent reads. Internal to the Redis backend.
 * @module
 */
import type { Cluster } from 'ioredis';
import { coalesceWrites } from './coalesce.js';
import type { RedisClient } from './scripts.js';

/** Whether a node connection has commands sent and not answered yet (ioredis's `commandQueue`). */
function busy(client: object): boolean {
  const queue = (client as { readonly commandQueue?: { readonly length: number } }).commandQueue;
  return queue !== undefined && queue.length > 0;
}

/**
 * Holds a read's command until the end of the tick ({@link coalesceWrites}) when the connection
 * already has commands in flight: then other readers are likely to send theirs in the same tick
 * (their replies arrived in one chunk), and one socket write carries them all instead of one
 * write each (the write is about a third of a reader's client CPU). A lone read is sent at once:
 * holding it costs its latency a few microseconds for nothing. On a cluster, each busy master
 * connection is held (the read's commands go to one or two of them). A client without ioredis's
 * `commandQueue` (not expected) is never held.
 */
export function coalesceReads(client: RedisClient): void {
  if (!client.isCluster) {
    if (busy(client)) coalesceWrites(client);
    return;
  }
  for (const node of (client as Cluster).nodes('master')) if (busy(node)) coalesceWrites(node);
}

/**
 * Coalescing the socket writes of concurrent reads. Internal to the Redis backend.
 * @module
 */
import { coalesceWrites } from './coalesce.js';
import type { RedisClient } from './scripts.js';

/**
 * Holds a read's command until the end of the tick ({@link coalesceWrites}) when the single-node
 * client already has commands in flight: then other readers are likely to send theirs in the
 * same tick (their replies arrived in one chunk), and one socket write carries them all instead
 * of one write each (the write is about a third of a reader's client CPU). A lone read is sent at
 * once: holding it costs its latency a few microseconds for nothing. A client without ioredis's
 * `commandQueue` (not expected) is never held.
 */
export function coalesceReads(client: RedisClient): void {
  const queue = (client as { readonly commandQueue?: { readonly length: number } }).commandQueue;
  if (queue !== undefined && queue.length > 0) coalesceWrites(client);
}

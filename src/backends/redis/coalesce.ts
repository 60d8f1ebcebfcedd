/**
 * Coalescing the socket writes of commands sent together. Internal to the Redis backend.
 * @module
 */
import type { Redis } from 'ioredis';
import type { RedisClient } from './scripts.js';

/** Sockets corked until the end of the current tick. */
const corked = new WeakSet<object>();

/**
 * Holds the writes of a single-node client's socket until the current tick (its promise jobs
 * included) has run, so that commands sent together go out in one write, as ioredis's
 * `enableAutoPipelining` does for every command: an aggregated add stores its activity and
 * commits its group update concurrently, and one write instead of two saves a wake-up of the
 * server and of the client on a busy machine. Nothing is delayed past the tick, and commands keep
 * their order. Does nothing for a cluster or a client that is not connected yet (ioredis then
 * queues commands itself).
 */
export function coalesceWrites(client: RedisClient): void {
  if (client.isCluster || client.status !== 'ready') return;
  const { stream } = client as Redis;
  if (!stream || corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  process.nextTick(() => {
    corked.delete(stream);
    stream.uncork();
  });
}

/**
 * Activity writes that ride in a timeline commit's script call. Internal to the Redis backend.
 * @module
 */
import type { RedisClient } from './scripts.js';

/** One `putMany` waiting in an outbox: its hashes' HSET pairs, and how to settle it. */
interface PendingWrite {
  /** Hash key -> (id, payload) pairs, flat. */
  readonly hashes: ReadonlyMap<string, readonly string[]>;
  /** Sends the write as its own commands (when no commit took it by the end of the tick). */
  readonly send: () => Promise<unknown>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Activity writes taken by a commit: the hash keys, the script arguments, and their settling. */
export interface TakenWrites {
  /** The hashes written, declared as script keys after the timeline's. */
  readonly keys: readonly string[];
  /** For each key in order: the number of pairs, then the (id, payload) pairs. */
  readonly args: readonly string[];
  /** Settles every taken write with the commit call's outcome (`error` when it failed). */
  settle(error?: unknown): void;
}

/** Pending writes per single-node client, until the end of the tick they were made in. */
const outboxes = new WeakMap<object, PendingWrite[]>();

/**
 * Holds a single-node client's activity write until the end of the current tick, so that a
 * timeline commit sent on the same client in the same tick (an aggregated or notification add
 * stores its activities and commits its groups together) carries it in its script call: one
 * command and one reply per add instead of two. What no commit took by the end of the tick is
 * sent then as its own commands, in the order it was made. Returns undefined, holding nothing,
 * for a cluster (the hashes live on other nodes than the timeline) or a client not connected yet.
 */
export function holdActivityWrite(
  client: RedisClient,
  hashes: ReadonlyMap<string, readonly string[]>,
  send: () => Promise<unknown>,
): Promise<void> | undefined {
  if (client.isCluster || client.status !== 'ready') return undefined;
  return new Promise<void>((resolve, reject) => {
    let pending = outboxes.get(client);
    if (!pending) {
      pending = [];
      outboxes.set(client, pending);
      process.nextTick(() => flushActivityWrites(client));
    }
    pending.push({ hashes, send, resolve, reject });
  });
}

/**
 * Sends the held activity writes of a client now, each as its own commands. The activity
 * storage calls it before any other command on its hashes, so that commands on an activity
 * keep the order they were made in.
 */
export function flushActivityWrites(client: RedisClient): void {
  const pending = outboxes.get(client);
  if (!pending) return;
  outboxes.delete(client);
  for (const write of pending) write.send().then(() => write.resolve(), write.reject);
}

/**
 * Takes every activity write held for a client (see {@link holdActivityWrite}), for a commit
 * script call to make first; undefined when none is held.
 */
export function takeActivityWrites(client: RedisClient): TakenWrites | undefined {
  const pending = outboxes.get(client);
  if (!pending) return undefined;
  outboxes.delete(client);
  const pairs = new Map<string, string[]>();
  for (const write of pending) {
    for (const [key, fields] of write.hashes) {
      const list = pairs.get(key);
      if (list) for (const field of fields) list.push(field);
      else pairs.set(key, [...fields]);
    }
  }
  const args: string[] = [];
  for (const fields of pairs.values()) {
    args.push(String(fields.length / 2));
    for (const field of fields) args.push(field);
  }
  return {
    keys: [...pairs.keys()],
    args,
    settle(error) {
      for (const write of pending) {
        if (error === undefined) write.resolve();
        else write.reject(error);
      }
    },
  };
}

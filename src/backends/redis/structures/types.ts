import type { Cluster, Redis } from 'ioredis';

/**
 * The ioredis client a structure runs on: a single-node `Redis` or a `Cluster`. The structures
 * never connect, configure or close it; the caller owns it. RESP2 and RESP3 clients, with the
 * legacy or the `resp3` reply mapping, and `stringNumbers` all work. For exact sorted-set scores
 * keep the default (legacy) mapping: under `replyMapping: 'resp3'` ioredis 6.0.0 decodes doubles
 * itself and gets some wrong (2^53-1 reads as 2^53, 0.1 as 0.10000000000000002).
 */
export type RedisClient = Redis | Cluster;

/**
 * How values are turned into the strings Redis stores, and back. Members of lists and sorted sets
 * are found again by their encoded form (LREM, ZREM, ZSCORE), so `encode` must be deterministic.
 */
export interface ValueCodec<V> {
  /** Turns a value into the string stored in Redis. */
  readonly encode: (value: V) => string;
  /** Turns a stored string back into a value. */
  readonly decode: (raw: string) => V;
}

/**
 * The codec options of a structure: optional for string values (stored as they are), required
 * for any other value type.
 */
export type CodecOptions<V> = [V] extends [string] ? Partial<ValueCodec<V>> : ValueCodec<V>;

/** Options shared by every structure. */
export interface RedisStructureOptions {
  /** The ioredis client to run on; never closed by the structure. */
  readonly client: RedisClient;
  /** The Redis key of the structure (the sharded hash cache derives one key per shard from it). */
  readonly key: string;
}

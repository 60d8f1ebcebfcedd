import { ValidationError } from '../../../errors.js';
import { type HashCache, HashEngine, type HashFallback, type HashLayout } from './hash-engine.js';
import { assertInteger, assertKey, checkStructureOptions, resolveCodec } from './shared.js';
import type { CodecOptions, RedisStructureOptions } from './types.js';

/** Options of {@link createShardedHashCache}. */
export type ShardedHashCacheOptions<V = string> = RedisStructureOptions &
  CodecOptions<V> & {
    /**
     * Number of hashes the fields are spread over. Changing it moves most fields to another
     * shard (they read as missing), so pick it once.
     * @default 10
     */
    readonly shards?: number;
    /** Loads missing fields from your database, as for {@link createHashCache}. */
    readonly fallback?: HashFallback<V>;
  };

/** A {@link HashCache} spread over several Redis hashes; see {@link createShardedHashCache}. */
export interface ShardedHashCache<V = string> extends HashCache<V> {
  /** The number of shards. */
  readonly shards: number;
  /** The Redis key of every shard, by shard number. */
  readonly shardKeys: readonly string[];
  /** The Redis key of the shard that holds `field`. */
  shardKeyOf(field: string): string;
}

const encoder = new TextEncoder();

/** 32-bit FNV-1a of the UTF-8 bytes of `text`: stable across processes and versions. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Creates a hash cache spread over `shards` Redis hashes: the port of the Python
 * `ShardedHashCache` and `ShardedDatabaseFallbackHashCache`, whose fallback now works (the
 * original never called it) and whose `contains` is implemented (it raised).
 *
 * Field `f` lives in shard `fnv1a32(f) % shards`, at key `{<key>:<n>}`. Each shard has its own
 * hash tag, so on a cluster the shards land in different slots and spread over the nodes; an
 * operation on several fields sends one command per shard concurrently (never a cross-slot
 * pipeline). `count` and `keys` visit every shard. The key must not contain `{` or `}`, which
 * would pin every shard to one slot (nor should the client's `keyPrefix`, for the same reason).
 * @example
 * const activities = createShardedHashCache({ client: cluster, key: 'activities', shards: 16 });
 * await activities.setMany({ a1: '...', a2: '...' });
 */
export function createShardedHashCache<V = string>(
  options: ShardedHashCacheOptions<V>,
): ShardedHashCache<V> {
  checkStructureOptions(options, ['shards', 'fallback'], 'createShardedHashCache');
  const { client, key, fallback, shards = 10 } = options;
  const where = `redis sharded hash cache "${String(key)}"`;
  assertKey(key, where);
  assertInteger(shards, 'shards', where, 1, 16384);
  if (/[{}]/.test(key)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${where}: key must not contain { or }; each shard gets its own hash tag`,
      { details: { option: 'key' } },
    );
  }
  const shardKeys = Object.freeze(Array.from({ length: shards }, (_, n) => `{${key}:${n}}`));
  const shardKeyOf = (field: string): string => shardKeys[fnv1a32(field) % shards]!;
  return new ShardedHashEngine<V>(shardKeys, {
    client,
    key,
    keys: shardKeys,
    keyOf: shardKeyOf,
    codec: resolveCodec<V>(options, where),
    fallback,
    where,
  });
}

class ShardedHashEngine<V> extends HashEngine<V> implements ShardedHashCache<V> {
  readonly shards: number;
  readonly shardKeys: readonly string[];
  readonly shardKeyOf: (field: string) => string;

  constructor(shardKeys: readonly string[], layout: HashLayout<V>) {
    super(layout);
    this.shards = shardKeys.length;
    this.shardKeys = shardKeys;
    this.shardKeyOf = layout.keyOf;
  }
}

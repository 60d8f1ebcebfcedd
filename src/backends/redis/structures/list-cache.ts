import { ValidationError } from '../../../errors.js';
import {
  assertInteger,
  assertKey,
  checkStructureOptions,
  execReplies,
  resolveCodec,
  toInteger,
} from './shared.js';
import type { CodecOptions, RedisStructureOptions } from './types.js';

/**
 * Loads positions `[start, stop)` of the list from your database (`stop` undefined: to the end),
 * in the list's order. Returning more items than asked is fine; the extra ones are not returned
 * but, when `start` is 0, they are cached too.
 */
export type ListFallback<V> = (start: number, stop: number | undefined) => Promise<readonly V[]>;

/** Options of {@link createListCache}. */
export type ListCacheOptions<V = string> = RedisStructureOptions &
  CodecOptions<V> & {
    /** When set, the list keeps only positions `[0, maxLength)`: see {@link ListCache.trim}. */
    readonly maxLength?: number;
    /** Serves and caches slices the list holds too few items for; its errors propagate. */
    readonly fallback?: ListFallback<V>;
  };

/** A Redis list used as a cache of a list; see {@link createListCache}. */
export interface ListCache<V = string> {
  /** The Redis key. */
  readonly key: string;
  /** The cap applied on every write, if any. */
  readonly maxLength: number | undefined;
  /** Adds a value at the end (RPUSH); resolves to the new length. */
  append(value: V): Promise<number>;
  /** Adds values at the end, in order; resolves to the new length. */
  appendMany(values: readonly V[]): Promise<number>;
  /** Adds a value at the front (LPUSH); resolves to the new length. */
  prepend(value: V): Promise<number>;
  /** Adds values at the front, keeping their order (`[a, b]` makes the list start `a, b`). */
  prependMany(values: readonly V[]): Promise<number>;
  /**
   * Positions `[start, stop)` with `Array.prototype.slice` semantics (negative counts from the
   * end; `slice(0, 5)` returns at most 5 items). With a fallback, a slice with `start >= 0` and
   * `stop` undefined or `>= 0` that Redis holds too few items for (none at all when `stop` is
   * undefined) is loaded from it; when `start` is 0 the list is then replaced by what it loaded
   * (at most `maxLength` items), unless a concurrent write changed the list's length meanwhile.
   */
  slice(start?: number, stop?: number): Promise<V[]>;
  /** Removes every occurrence of `value` (LREM); resolves to the number removed. */
  remove(value: V): Promise<number>;
  /** Removes every occurrence of each value; resolves to the number removed. */
  removeMany(values: readonly V[]): Promise<number>;
  /** The number of items in Redis. */
  count(): Promise<number>;
  /**
   * Keeps positions `[0, maxLength)` and drops the rest (LTRIM), so positions stay those of the
   * fallback. To keep the newest items, put them at the front with `prepend`.
   * @param maxLength defaults to the cache's `maxLength`; one of them is required.
   * @returns the number of items removed.
   */
  trim(maxLength?: number): Promise<number>;
  /** Deletes the whole list. */
  clear(): Promise<void>;
}

/**
 * Replaces a list with new items unless its length changed since it was read.
 * KEYS[1] the list; ARGV[1] the length the read saw; ARGV[2..] the new items, in order.
 * Returns 1 when the list was replaced, 0 when a concurrent write won.
 */
const REPLACE_IF_UNCHANGED = `
if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, #ARGV, 1000 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return 1`;

/** LTRIM bounds keeping positions [0, length): `0 -1` would keep all, `1 0` keeps nothing. */
const keepFirst = (length: number): [number, number] => (length === 0 ? [1, 0] : [0, length - 1]);

/**
 * Creates a cache on one Redis list: the port of the Python `RedisListCache` and
 * `FallbackRedisListCache`, with the off-by-one fixed (`slice(0, 5)` returns 5 items, the
 * original returned 6) and a fallback that returns exactly the slice asked for.
 *
 * Positions are anchored at the front, like the fallback's: `maxLength` keeps the first
 * `maxLength` items, so appending to a full list drops what was appended. For a "latest N"
 * cache, `prepend` the newest items (newest first) and they are the ones kept. One key, so
 * every operation is cluster-safe.
 * @example
 * const comments = createListCache({
 *   client: redis,
 *   key: 'post:42:comments',
 *   maxLength: 50,
 *   fallback: (start, stop) => db.commentIds(42, { newestFirst: true, start, stop }),
 * });
 * await comments.prepend('c:981');
 * const firstPage = await comments.slice(0, 10);
 */
export function createListCache<V = string>(options: ListCacheOptions<V>): ListCache<V> {
  checkStructureOptions(options, ['maxLength', 'fallback'], 'createListCache');
  const { client, key, maxLength, fallback } = options;
  const where = `redis list cache "${String(key)}"`;
  assertKey(key, where);
  if (maxLength !== undefined) assertInteger(maxLength, 'maxLength', where, 1);
  const codec = resolveCodec<V>(options, where);

  const push = async (command: 'rpush' | 'lpush', values: readonly V[]): Promise<number> => {
    const encoded = values.map((v) => codec.encode(v));
    if (command === 'lpush') encoded.reverse();
    if (encoded.length === 0) return cache.count();
    if (maxLength === undefined) return toInteger(await client[command](key, ...encoded));
    const multi = client.multi()[command](key, ...encoded);
    const [length] = execReplies(await multi.ltrim(key, ...keepFirst(maxLength)).exec(), where);
    return Math.min(toInteger(length), maxLength);
  };

  const cache: ListCache<V> = {
    key,
    maxLength,
    append: (value) => push('rpush', [value]),
    appendMany: (values) => push('rpush', values),
    prepend: (value) => push('lpush', [value]),
    prependMany: (values) => push('lpush', values),
    async slice(start = 0, stop) {
      assertInteger(start, 'start', where, Number.MIN_SAFE_INTEGER);
      if (stop !== undefined) assertInteger(stop, 'stop', where, Number.MIN_SAFE_INTEGER);
      if (stop === 0 || (start >= 0 && stop !== undefined && stop >= 0 && stop <= start)) {
        return [];
      }
      // LRANGE's stop is inclusive; JavaScript's is exclusive (the original forgot the -1).
      const raw = await client.lrange(key, start, stop === undefined ? -1 : stop - 1);
      const wanted = stop === undefined ? 1 : stop - start;
      if (!fallback || start < 0 || (stop !== undefined && stop < 0) || raw.length >= wanted) {
        return raw.map((r) => codec.decode(r));
      }
      const loaded = await fallback(start, stop);
      if (start === 0 && (raw.length > 0 || loaded.length > 0)) {
        const kept = maxLength === undefined ? loaded : loaded.slice(0, maxLength);
        const args = kept.map((v) => codec.encode(v));
        // Redis held positions [0, raw.length): the whole list, since it had fewer than asked.
        await client.eval(REPLACE_IF_UNCHANGED, 1, key, raw.length, ...args);
      }
      return loaded.slice(0, stop === undefined ? undefined : stop - start);
    },
    async remove(value) {
      return cache.removeMany([value]);
    },
    async removeMany(values) {
      if (values.length === 0) return 0;
      const multi = client.multi();
      for (const value of new Set(values.map((v) => codec.encode(v)))) multi.lrem(key, 0, value);
      const replies = execReplies(await multi.exec(), where);
      return replies.reduce<number>((n, r) => n + toInteger(r), 0);
    },
    async count() {
      return toInteger(await client.llen(key));
    },
    async trim(length = maxLength) {
      if (length === undefined) {
        throw new ValidationError('INVALID_OPTION', `${where}: trim needs a maxLength`, {
          details: { option: 'maxLength' },
        });
      }
      assertInteger(length, 'maxLength', where);
      const multi = client
        .multi()
        .llen(key)
        .ltrim(key, ...keepFirst(length));
      const [before] = execReplies(await multi.exec(), where);
      return Math.max(0, toInteger(before) - length);
    },
    async clear() {
      await client.del(key);
    },
  };
  return Object.freeze(cache);
}

import { ValidationError } from '../../../errors.js';
import { checkOptions, optionKeys } from '../../../validation/options.js';
import {
  assertInteger,
  assertKey,
  checkStructureOptions,
  execReplies,
  resolveCodec,
  toInteger,
  toMemberScores,
  toScore,
} from './shared.js';
import type { CodecOptions, RedisStructureOptions } from './types.js';

/** A member and its score, as {@link SortedSetCache.range} returns them. */
export interface SortedSetEntry<V = string> {
  readonly member: V;
  readonly score: number;
}

/** What {@link SortedSetCache.addMany} accepts: `[score, member]` pairs or entries. */
export type SortedSetInput<V = string> = readonly [score: number, member: V] | SortedSetEntry<V>;

/** A page of a {@link SortedSetCache}, in the cache's order. */
export interface SortedSetRange {
  /** Members to skip. @default 0 */
  readonly offset?: number;
  /** Members to return at most. @default all */
  readonly limit?: number;
  /** Lowest score included (whatever the order). @default -Infinity */
  readonly minScore?: number;
  /** Highest score included (whatever the order). @default +Infinity */
  readonly maxScore?: number;
  /** Excludes `minScore` itself. @default false */
  readonly exclusiveMin?: boolean;
  /** Excludes `maxScore` itself. @default false */
  readonly exclusiveMax?: boolean;
}

const RANGE_KEYS = optionKeys<SortedSetRange>({
  offset: true,
  limit: true,
  minScore: true,
  maxScore: true,
  exclusiveMin: true,
  exclusiveMax: true,
});

/** Options of {@link createSortedSetCache}. */
export type SortedSetCacheOptions<V = string> = RedisStructureOptions &
  CodecOptions<V> & {
    /** `desc`: highest scores first (a timeline); `asc`: lowest first. @default 'desc' */
    readonly order?: 'desc' | 'asc';
    /** When set, every add trims the set to this many members (see {@link SortedSetCache.trim}). */
    readonly maxLength?: number;
  };

/** A Redis sorted set with an order and an optional cap; see {@link createSortedSetCache}. */
export interface SortedSetCache<V = string> {
  /** The Redis key. */
  readonly key: string;
  /** The order of `range` and `indexOf`, and which end `trim` keeps. */
  readonly order: 'desc' | 'asc';
  /** The cap applied on every add, if any. */
  readonly maxLength: number | undefined;
  /** Adds or re-scores one member; resolves to `true` when it is new. */
  add(score: number, member: V): Promise<boolean>;
  /** Adds or re-scores members atomically (MULTI); resolves to the number of new members. */
  addMany(entries: Iterable<SortedSetInput<V>>): Promise<number>;
  /** Removes one member; resolves to `true` when it was there. */
  remove(member: V): Promise<boolean>;
  /** Removes members; resolves to the number that were there. */
  removeMany(members: readonly V[]): Promise<number>;
  /** Removes every member whose score is one of `scores`; resolves to the number removed. */
  removeByScores(scores: readonly number[]): Promise<number>;
  /** Whether `member` is in the set. */
  contains(member: V): Promise<boolean>;
  /** The score of `member`, or `undefined`. */
  score(member: V): Promise<number | undefined>;
  /** The number of members. */
  count(): Promise<number>;
  /** The position of `member` in the cache's order (0 = first), or -1 when missing. */
  indexOf(member: V): Promise<number>;
  /**
   * A page of members with their scores, in the cache's order; equal scores are ordered by
   * member bytes (reversed for `desc`).
   */
  range(query?: SortedSetRange): Promise<SortedSetEntry<V>[]>;
  /**
   * Keeps the first `maxLength` members in the cache's order (the highest scores for `desc`,
   * the lowest for `asc`), as the Python original did; resolves to the number removed.
   * @param maxLength defaults to the cache's `maxLength`; one of them is required.
   */
  trim(maxLength?: number): Promise<number>;
  /** Deletes the whole set. */
  clear(): Promise<void>;
}

/** ZADD arguments per command: 500 pairs, so no single command grows without bound. */
const PAIRS_PER_ZADD = 500;

/**
 * Creates a cache on one Redis sorted set: the port of the Python `RedisSortedSetCache`.
 * Scores are sent as `String(score)` and read back as doubles, so every safe integer (such as a
 * millisecond timestamp) round-trips exactly; non-finite scores are rejected with
 * `INVALID_OPTION` before anything is written (exactness needs ioredis' default reply mapping;
 * see `RedisClient`). One key, so every operation is cluster-safe.
 * @example
 * const latest = createSortedSetCache({ client: redis, key: 'latest:posts', maxLength: 100 });
 * await latest.add(Date.now(), 'post:42');
 * const page = await latest.range({ limit: 10 }); // [{ member: 'post:42', score: 1714566645123 }]
 */
export function createSortedSetCache<V = string>(
  options: SortedSetCacheOptions<V>,
): SortedSetCache<V> {
  checkStructureOptions(options, ['order', 'maxLength'], 'createSortedSetCache');
  const { client, key, order = 'desc', maxLength } = options;
  const where = `redis sorted set cache "${String(key)}"`;
  assertKey(key, where);
  if (order !== 'desc' && order !== 'asc') {
    throw new ValidationError('INVALID_OPTION', `${where}: order must be 'desc' or 'asc'`, {
      details: { option: 'order' },
    });
  }
  if (maxLength !== undefined) assertInteger(maxLength, 'maxLength', where, 1);
  const codec = resolveCodec<V>(options, where);
  const desc = order === 'desc';

  const checkScore = (score: unknown): number => {
    if (typeof score === 'number' && Number.isFinite(score)) return score;
    throw new ValidationError('INVALID_OPTION', `${where}: scores must be finite numbers`, {
      details: { option: 'score', score: String(score) },
    });
  };
  // ZREMRANGEBYRANK bounds that keep the first `max` members in the cache's order.
  const trimRanks = (max: number): [number, number] => (desc ? [0, -(max + 1)] : [max, -1]);
  const bound = (score: number | undefined, exclusive: boolean | undefined, open: string) => {
    if (score === undefined) return open;
    if (typeof score !== 'number' || Number.isNaN(score)) checkScore(score);
    if (score === Number.POSITIVE_INFINITY) return '+inf';
    if (score === Number.NEGATIVE_INFINITY) return '-inf';
    return `${exclusive ? '(' : ''}${score}`;
  };

  const cache: SortedSetCache<V> = {
    key,
    order,
    maxLength,
    async add(score, member) {
      return (await cache.addMany([[score, member]])) === 1;
    },
    async addMany(entries) {
      const args: (string | number)[] = [];
      for (const entry of entries) {
        const [score, member] = Array.isArray(entry)
          ? (entry as readonly [number, V])
          : [(entry as SortedSetEntry<V>).score, (entry as SortedSetEntry<V>).member];
        args.push(checkScore(score), codec.encode(member));
      }
      if (args.length === 0) return 0;
      const multi = client.multi();
      let commands = 0;
      for (let i = 0; i < args.length; i += PAIRS_PER_ZADD * 2, commands++) {
        multi.zadd(key, ...args.slice(i, i + PAIRS_PER_ZADD * 2));
      }
      if (maxLength !== undefined) multi.zremrangebyrank(key, ...trimRanks(maxLength));
      const replies = execReplies(await multi.exec(), where);
      return replies.slice(0, commands).reduce<number>((n, r) => n + toInteger(r), 0);
    },
    async remove(member) {
      return (await cache.removeMany([member])) === 1;
    },
    async removeMany(members) {
      if (members.length === 0) return 0;
      return toInteger(await client.zrem(key, ...members.map((m) => codec.encode(m))));
    },
    async removeByScores(scores) {
      if (scores.length === 0) return 0;
      const multi = client.multi();
      for (const score of scores.map(checkScore)) multi.zremrangebyscore(key, score, score);
      const replies = execReplies(await multi.exec(), where);
      return replies.reduce<number>((n, r) => n + toInteger(r), 0);
    },
    async contains(member) {
      return (await cache.score(member)) !== undefined;
    },
    async score(member) {
      const reply = await client.zscore(key, codec.encode(member));
      return reply === null || reply === undefined ? undefined : toScore(reply);
    },
    async count() {
      return toInteger(await client.zcard(key));
    },
    async indexOf(member) {
      const raw = codec.encode(member);
      const rank = desc ? await client.zrevrank(key, raw) : await client.zrank(key, raw);
      return rank === null || rank === undefined ? -1 : toInteger(rank);
    },
    async range(query = {}) {
      checkOptions(query, RANGE_KEYS, `${where}: range`);
      const { offset = 0, limit, minScore, maxScore, exclusiveMin, exclusiveMax } = query;
      assertInteger(offset, 'offset', where);
      if (limit !== undefined) assertInteger(limit, 'limit', where);
      if (limit === 0) return [];
      const rev = desc ? ['REV'] : [];
      let args: (string | number)[];
      if (minScore === undefined && maxScore === undefined) {
        // By rank: O(log N + M), where a BYSCORE LIMIT would walk the `offset` skipped members.
        args = [key, offset, limit === undefined ? -1 : offset + limit - 1, ...rev];
      } else {
        const min = bound(minScore, exclusiveMin, '-inf');
        const max = bound(maxScore, exclusiveMax, '+inf');
        const [from, to] = desc ? [max, min] : [min, max];
        args = [key, from, to, 'BYSCORE', ...rev, 'LIMIT', offset, limit ?? -1];
      }
      const reply = await client.call('ZRANGE', [...args, 'WITHSCORES']);
      return toMemberScores(reply).map(([member, score]) => ({
        member: codec.decode(member),
        score,
      }));
    },
    async trim(length = maxLength) {
      if (length === undefined) {
        throw new ValidationError('INVALID_OPTION', `${where}: trim needs a maxLength`, {
          details: { option: 'maxLength' },
        });
      }
      assertInteger(length, 'maxLength', where);
      return toInteger(await client.zremrangebyrank(key, ...trimRanks(length)));
    },
    async clear() {
      await client.del(key);
    },
  };
  return Object.freeze(cache);
}

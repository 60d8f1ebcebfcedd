import type { Cluster, Redis } from 'ioredis';
import type {
  MergedRangeOptions,
  RangeQuery,
  TimelineCompute,
  TimelineDriver,
  TimelineEntry,
  TimelineHints,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import { rangeMergedOnClient } from '../../storage/timeline-defaults.js';
import { intOptionOr } from '../../util/int-option.js';
import { settleAll } from '../../util/settle-all.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { ClusterFanout } from './cluster-fanout.js';
import { coalesceWrites } from './coalesce.js';
import { redisCall } from './errors.js';
import { argvKeyPrefix, clientKeyPrefix } from './key-prefix.js';
import {
  joinedTags,
  markerKey,
  type TimelineKeys,
  timelineKeys,
  timelineZKey,
  zKeyParts,
} from './keys.js';
import { OptimisticUpdater } from './optimistic-update.js';
import { coalesceReads } from './read-coalesce.js';
import {
  flat,
  idsOnlyArgs,
  rangeArgs,
  rangeEntries,
  rankEntries,
  writeArgs,
} from './script-args.js';
import { type RedisClient, scriptsOf, withKeys } from './scripts.js';
import { UpdateCache } from './update-cache.js';

const TIMELINE_OPTION_KEYS = optionKeys<RedisTimelineStorageOptions>({
  client: true,
  prefix: true,
  fanoutBatch: true,
  maxUpdateAttempts: true,
  updateCacheSize: true,
  updateCacheCharacters: true,
});

/** What {@link RedisTimelineStorage} sends a rank range through: a client or a pipeline. */
interface RankReader {
  zrange(key: string, start: string, stop: string, withScores: 'WITHSCORES'): unknown;
  zrevrange(key: string, start: number, stop: number, withScores: 'WITHSCORES'): unknown;
}

/** Options of {@link RedisTimelineStorage}. */
export interface RedisTimelineStorageOptions {
  /** The ioredis client or cluster client (the caller owns it and closes it). */
  readonly client: RedisClient;
  /** Prefix of every key. @default 'sf' */
  readonly prefix: string;
  /** Timelines per fan-out script call on a single node. @default 250 */
  readonly fanoutBatch?: number | undefined;
  /** Attempts of an optimistic update before ConflictError. @default 100 */
  readonly maxUpdateAttempts?: number | undefined;
  /**
   * Timelines whose last updated state this client remembers, so that the next aggregated or
   * notification update of the same groups commits in one round trip instead of two (0: off).
   * @default 1000
   */
  readonly updateCacheSize?: number | undefined;
  /**
   * Characters of group ids and payloads the update cache holds over all timelines (V8 keeps
   * ASCII JSON at one byte per character); least recently updated timelines go first.
   * @default 8388608 (8 Mi)
   */
  readonly updateCacheCharacters?: number | undefined;
}

/**
 * Timeline storage on Redis or Redis Cluster. One ZSET per timeline (member = id, score = ms or
 * rank; equal scores order by id), payloads in a HASH beside it, markers in SETs, all under one
 * hash tag. Every write is one Lua script, so add + trim, remove + marker cleanup and update
 * commits are atomic. Fan-out writes are one script call per `fanoutBatch` timelines on a single
 * node, and on a cluster one such call per master node (a script flagged `allow-cross-slot-keys`,
 * Redis 7+), falling back to one pipelined call per timeline where that fails.
 *
 * `update()` is optimistic: it reads the entries with the timeline's version, computes, and commits
 * only if the version is unchanged (checked inside the commit script), retrying otherwise. This
 * works on a shared client (WATCH would need a connection per concurrent update) and keeps the
 * aggregation logic in TypeScript.
 */
export class RedisTimelineStorage implements TimelineDriver {
  readonly name = 'redis';
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #script: ReturnType<typeof scriptsOf>;
  readonly #fanoutBatch: number;
  readonly #cluster: ClusterFanout | undefined;
  /** The parts of a ZSET key sent in ARGV (single node, string keyPrefix): see zKeyParts. */
  readonly #zParts: ReturnType<typeof zKeyParts> | undefined;
  readonly #updater: OptimisticUpdater;

  constructor(options: RedisTimelineStorageOptions) {
    checkOptions(options, TIMELINE_OPTION_KEYS, 'RedisTimelineStorage');
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#script = scriptsOf(options.client);
    this.#fanoutBatch = intOptionOr(options.fanoutBatch, 250, 'fanoutBatch', 1, 10_000);
    this.#updater = new OptimisticUpdater({
      client: options.client,
      script: this.#script,
      maxAttempts: intOptionOr(options.maxUpdateAttempts, 100, 'maxUpdateAttempts', 1),
      cache: new UpdateCache({
        timelines: intOptionOr(options.updateCacheSize, 1000, 'updateCacheSize', 0, 1_000_000),
        characters: intOptionOr(options.updateCacheCharacters, 2 ** 23, 'updateCacheCharacters', 0),
      }),
    });
    this.#cluster = options.client.isCluster
      ? new ClusterFanout({
          client: options.client as Cluster,
          prefix: options.prefix,
          keyPrefix: clientKeyPrefix(options.client),
          fanoutBatch: this.#fanoutBatch,
        })
      : undefined;
    const argvPrefix = options.client.isCluster
      ? undefined
      : argvKeyPrefix(options.client as Redis);
    this.#zParts = argvPrefix === undefined ? undefined : zKeyParts(argvPrefix + options.prefix);
  }

  /** The keys of a timeline (the storage wrapper checked `key`: a well-formed string). */
  #keys(key: string): TimelineKeys {
    return timelineKeys(this.#prefix, key);
  }

  async add(
    key: string,
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<number> {
    if (hints.idsOnly) {
      const args = idsOnlyArgs(entries, options);
      return redisCall('add', key, async () =>
        Number(await this.#script('add_ids')(this.#keys(key).z, ...args)),
      );
    }
    const args = writeArgs(entries, options, false);
    return redisCall('add', key, async () =>
      Number(await this.#script('add')(...flat(this.#keys(key)), ...args)),
    );
  }

  async addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<void> {
    await redisCall('addToMany', keys[0]!, async () => {
      if (this.#cluster) {
        if (hints.idsOnly) return this.#cluster.addIds(keys, idsOnlyArgs(entries, options));
        const args = writeArgs(entries, options, false);
        await this.#cluster.run(keys, 'add_on_node', args, 'add', (k) => [...flat(k), ...args]);
        return;
      }
      const ids = hints.idsOnly && this.#zParts ? idsOnlyArgs(entries, options) : undefined;
      // The per-key script's arguments, built only if a batch needs them (no id-only script).
      let args: ReturnType<typeof writeArgs> | undefined;
      const perKeyArgs = () => {
        args ??= writeArgs(entries, options, hints.idsOnly);
        return args;
      };
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < keys.length; i += this.#fanoutBatch) {
        const batch =
          keys.length <= this.#fanoutBatch ? keys : keys.slice(i, i + this.#fanoutBatch);
        const names = ids && joinedTags(batch);
        calls.push(
          names === undefined
            ? this.#script('add_to_many')(
                ...withKeys(
                  batch.flatMap((k) => flat(this.#keys(k))),
                  perKeyArgs(),
                ),
              )
            : this.#script('add_ids_to_many')(
                this.#zParts!.head,
                this.#zParts!.tail,
                names,
                ...ids!,
              ),
        );
      }
      await settleAll(calls);
    });
  }

  async remove(key: string, ids: readonly string[], hints: TimelineHints): Promise<number> {
    return redisCall('remove', key, async () =>
      Number(
        hints.idsOnly
          ? await this.#script('remove_ids')(this.#keys(key).z, ...ids)
          : await this.#script('remove')(...withKeys(flat(this.#keys(key)), ids)),
      ),
    );
  }

  async removeFromMany(
    keys: readonly string[],
    ids: readonly string[],
    hints: TimelineHints,
  ): Promise<void> {
    const { idsOnly } = hints;
    await redisCall('removeFromMany', keys[0]!, async () => {
      if (this.#cluster) {
        await this.#cluster.run(
          keys,
          'remove_on_node',
          [idsOnly ? '1' : '0', ...ids],
          idsOnly ? 'remove_ids' : 'remove',
          idsOnly ? (k) => [k.z, ...ids] : (k) => withKeys(flat(k), ids),
        );
        return;
      }
      const remove = this.#script('remove');
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < keys.length; i += this.#fanoutBatch) {
        const batch = keys.slice(i, i + this.#fanoutBatch).flatMap((key) => flat(this.#keys(key)));
        calls.push(remove(...withKeys(batch, ids)));
      }
      await settleAll(calls);
    });
  }

  async range(key: string, query: RangeQuery, hints: TimelineHints): Promise<TimelineEntry[]> {
    coalesceReads(this.#client);
    if (!query.min && !query.max && hints.idsOnly) {
      const z = timelineZKey(this.#prefix, key);
      return hints.scoreOf
        ? this.#idsByRank(key, z, query, hints.scoreOf)
        : this.#rangeByRank(key, z, query);
    }
    const k = this.#keys(key);
    const rows = await redisCall('range', key, () =>
      this.#script('range')(k.z, k.p, ...rangeArgs(query, hints.idsOnly)),
    );
    return rangeEntries(rows);
  }

  /**
   * range() on many timelines in one round trip. Without bounds on id-only timelines (a normalized
   * feed's first page): one pipeline of plain ZRANGE/ZREVRANGE, as {@link #rangeByRank} (measured
   * 3x cheaper on the server than the script for 6 timelines: no Lua tables). Otherwise one
   * `range_many` script call per `fanoutBatch` timelines on a single node, and on a cluster one
   * `range_on_node` call per master node (see ClusterFanout.ranges).
   */
  async rangeMany(
    keys: readonly string[],
    query: RangeQuery,
    hints: TimelineHints,
  ): Promise<TimelineEntry[][]> {
    if (!this.#cluster && !query.min && !query.max && hints.idsOnly) {
      const pipeline = this.#client.pipeline();
      const reader = pipeline as unknown as RankReader;
      for (const key of keys) this.#byRank(reader, this.#keys(key).z, query);
      const replies = await redisCall('rangeMany', keys[0]!, async () =>
        ((await pipeline.exec()) ?? []).map(([error, rows]) => {
          if (error) throw error;
          return rows as string[];
        }),
      );
      return replies.map(rankEntries);
    }
    const args = rangeArgs(query, hints.idsOnly);
    const replies = await redisCall('rangeMany', keys[0]!, async () => {
      if (this.#cluster) return this.#cluster.ranges(keys, args);
      const rangeMany = this.#script('range_many');
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < keys.length; i += this.#fanoutBatch) {
        const batch = keys.slice(i, i + this.#fanoutBatch).flatMap((key) => {
          const k = this.#keys(key);
          return [k.z, k.p];
        });
        calls.push(rangeMany(...withKeys(batch, args)));
      }
      return (await settleAll(calls)).flat(1);
    });
    return replies.map(rangeEntries);
  }

  /**
   * rangeMany() and the merge in one round trip on a single node: one `range_merged` script call
   * that ranges every timeline, applies the floor, merges, deduplicates and returns only the page
   * (measured: see bench/README.md, merged-reads). On a cluster the timelines span nodes: one
   * `range_on_node` call per master node (rangeMany) and the merge in the client; the same for
   * more than `fanoutBatch` timelines on a single node.
   */
  async rangeMerged(
    keys: readonly string[],
    query: RangeQuery,
    options: MergedRangeOptions,
    hints: TimelineHints,
  ): Promise<TimelineEntry[]> {
    // More timelines than one fan-out script call takes: `range_many` calls of `fanoutBatch`
    // timelines (one script does not hold the server for the whole merge).
    if (this.#cluster || keys.length > this.#fanoutBatch) {
      return rangeMergedOnClient(this, keys, query, options, hints);
    }
    const z = keys.flatMap((key) => {
      const k = this.#keys(key);
      return [k.z, k.p];
    });
    const args = [...rangeArgs(query, hints.idsOnly), options.floorAt ?? 0];
    const rows = await redisCall('rangeMerged', keys[0]!, () =>
      this.#script('range_merged')(...withKeys(z, args)),
    );
    return hints.idsOnly ? rankEntries(rows as string[]) : rangeEntries(rows);
  }

  /**
   * range() without bounds and without payloads (a normalized flat feed's first page): one plain
   * ZRANGE/ZREVRANGE of ranks 0..limit-1, the same order as range.lua (equal scores by id),
   * without a script.
   */
  async #rangeByRank(key: string, z: string, query: RangeQuery): Promise<TimelineEntry[]> {
    const reader = this.#client as unknown as RankReader;
    return rankEntries(
      await redisCall('range', key, () => this.#byRank(reader, z, query) as Promise<string[]>),
    );
  }

  /**
   * #rangeByRank() of a view whose scores derive from the ids (`idsOnly({ scoreOf })`): the ids
   * alone, scores computed here. `WITHSCORES` cost the server about 8x the bare `ZREVRANGE` of 25
   * (Redis 7.0 formats each score with `%.17g`: 10 us against 1.2 us per call, INFO commandstats).
   */
  async #idsByRank(
    key: string,
    z: string,
    query: RangeQuery,
    scoreOf: (id: string) => number,
  ): Promise<TimelineEntry[]> {
    const stop = query.limit - 1;
    const ids = await redisCall('range', key, () =>
      query.order === 'asc'
        ? this.#client.zrange(z, '0', String(stop))
        : this.#client.zrevrange(z, 0, stop),
    );
    const out: TimelineEntry[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) out[i] = { id: ids[i]!, score: scoreOf(ids[i]!) };
    return out;
  }

  /** The ZRANGE/ZREVRANGE WITHSCORES of ranks 0..limit-1, sent on a client or into a pipeline. */
  #byRank(target: RankReader, z: string, query: RangeQuery): unknown {
    const stop = query.limit - 1;
    return query.order === 'asc'
      ? target.zrange(z, '0', String(stop), 'WITHSCORES')
      : target.zrevrange(z, 0, stop, 'WITHSCORES');
  }

  async get(key: string, ids: readonly string[]): Promise<(TimelineEntry | undefined)[]> {
    const k = this.#keys(key);
    const [scores, payloads] = await redisCall('get', key, async () => {
      const res = await this.#client
        .multi()
        .zmscore(k.z, ...ids)
        .hmget(k.p, ...ids)
        .exec();
      if (!res) throw new Error('transaction aborted');
      for (const [error] of res) if (error) throw error;
      return [res[0]![1] as (string | null)[], res[1]![1] as (string | null)[]];
    });
    return ids.map((id, i) => {
      const score = scores[i];
      if (score === null || score === undefined) return undefined;
      const payload = payloads[i];
      return payload === null || payload === undefined
        ? { id, score: Number(score) }
        : { id, score: Number(score), payload };
    });
  }

  async count(key: string): Promise<number> {
    return redisCall('count', key, () => this.#client.zcard(this.#keys(key).z));
  }

  async indexOf(key: string, id: string, order: 'desc' | 'asc'): Promise<number> {
    const z = this.#keys(key).z;
    const rank = await redisCall('indexOf', key, () =>
      order === 'desc' ? this.#client.zrevrank(z, id) : this.#client.zrank(z, id),
    );
    return rank ?? -1;
  }

  async trim(key: string, maxLength: number): Promise<number> {
    return redisCall('trim', key, async () =>
      Number(await this.#script('trim')(...flat(this.#keys(key)), maxLength)),
    );
  }

  async delete(key: string): Promise<void> {
    await redisCall('delete', key, () => this.#script('delete')(...flat(this.#keys(key))));
  }

  async update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options: TimelineWriteOptions,
  ): Promise<R> {
    // One socket write with the commands sent alongside (e.g. the activities of the same add).
    coalesceWrites(this.#client);
    return this.#updater.update(key, this.#keys(key), ids, compute, options);
  }

  async countMarked(key: string, marker: string): Promise<number> {
    const m = markerKey(this.#keys(key), marker);
    return redisCall('countMarked', key, () => this.#client.scard(m));
  }

  async isMarked(key: string, marker: string, ids: readonly string[]): Promise<boolean[]> {
    const m = markerKey(this.#keys(key), marker);
    const flags = await redisCall('isMarked', key, () => this.#client.smismember(m, ...ids));
    return flags.map((f) => f === 1);
  }

  async clearMarker(
    key: string,
    marker: string,
    ids: readonly string[] | undefined,
  ): Promise<number> {
    return (await this.clearMarkers(key, [marker], ids))[0] ?? 0;
  }

  /** Several markers in one script call (clear_markers.lua): one round trip for `markAll`. */
  clearMarkers(
    key: string,
    markers: readonly string[],
    ids: readonly string[] | undefined,
  ): Promise<number[]> {
    const k = this.#keys(key);
    const keys = [k.mk, ...markers.map((marker) => markerKey(k, marker))];
    // No async wrapper of its own: markAll's round trip goes through layers enough.
    return redisCall('clearMarkers', key, () =>
      this.#script('clear_markers')(...withKeys(keys, [...markers, ...(ids ?? [])])).then(countsOf),
    );
  }
}

/** The counts of a clear_markers.lua reply. */
function countsOf(reply: unknown): number[] {
  return (reply as unknown[]).map(Number);
}

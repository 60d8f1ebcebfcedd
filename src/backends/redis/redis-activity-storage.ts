import type { Cluster } from 'ioredis';
import type { ActivityDriver } from '../../storage/contracts.js';
import { settleAll } from '../../util/settle-all.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { flushActivityWrites, holdActivityWrite } from './activity-outbox.js';
import { groupByNode, isUnsupportedScriptError, slotOf } from './cluster-pipeline.js';
import { coalesceWrites } from './coalesce.js';
import { redisCall } from './errors.js';
import { clientKeyPrefix } from './key-prefix.js';
import {
  type ActivityColocation,
  activityShardKey,
  checkColocation,
  checkPositiveInt,
} from './keys.js';
import { coalesceReads } from './read-coalesce.js';
import { type RedisClient, scriptsOf } from './scripts.js';

/** Options of {@link RedisActivityStorage}. */
export interface RedisActivityStorageOptions {
  readonly client: RedisClient;
  readonly prefix: string;
  /**
   * Number of hashes the activities are spread over (each its own hash tag); with `bucketMs`,
   * per time bucket. A positive integer. @default 16
   */
  readonly shards?: number | undefined;
  /**
   * Time-bucketed layout: the hash of an activity is chosen by the time encoded in its id,
   * `floor(time / bucketMs)`, and by its shard, so that each hash holds about
   * `rate * bucketMs / shards` activities however long the application runs, small enough for
   * Redis's compact listpack encoding when sized right. A positive integer (ms); absent: one set
   * of `shards` hashes for all time. See {@link activityShardKey} for the key format.
   */
  readonly bucketMs?: number | undefined;
  /**
   * `'bucket'` (needs `bucketMs`): every shard of a time bucket under the bucket's hash tag, so
   * that a page of activities close in time is read from one cluster node in one call. See
   * {@link ActivityColocation}. @default 'shard'
   */
  readonly colocation?: ActivityColocation | undefined;
}

const ACTIVITY_OPTION_KEYS = optionKeys<RedisActivityStorageOptions>({
  client: true,
  prefix: true,
  shards: true,
  bucketMs: true,
  colocation: true,
});

/**
 * Activity storage on Redis: activity id -> payload in `shards` hashes (per time bucket with
 * `bucketMs`), each under its own hash tag so that a cluster spreads them over its nodes. A batch
 * is one command per hash involved, pipelined on a single node and sent concurrently on a cluster.
 * Throws `INVALID_OPTION` for a `shards` or `bucketMs` that is not a positive integer, or a
 * `colocation` other than `'shard'` and `'bucket'` (`'bucket'` without `bucketMs`).
 */
export class RedisActivityStorage implements ActivityDriver {
  readonly name = 'redis';
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #shards: number;
  readonly #bucketMs: number | undefined;
  readonly #colocation: ActivityColocation;
  /** The keyPrefix ioredis puts before every key (see `clientKeyPrefix`). */
  readonly #keyPrefix: string;
  /** False once the cluster refused a cross-slot script (Redis before 7): one HMGET per hash. */
  #crossSlot = true;

  constructor(options: RedisActivityStorageOptions) {
    checkOptions(options, ACTIVITY_OPTION_KEYS, 'RedisActivityStorage');
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#shards = checkPositiveInt(options.shards, 'shards') ?? 16;
    this.#bucketMs = checkPositiveInt(options.bucketMs, 'bucketMs');
    this.#colocation = checkColocation(
      options.colocation,
      this.#bucketMs,
      'colocation',
      'bucketMs',
    );
    this.#keyPrefix = clientKeyPrefix(options.client);
  }

  /** Groups positions of `ids` by shard key. */
  #byShard(ids: readonly string[]): Map<string, number[]> {
    const groups = new Map<string, number[]>();
    ids.forEach((id, i) => {
      const key = this.#hashOf(id);
      const list = groups.get(key);
      if (list) list.push(i);
      else groups.set(key, [i]);
    });
    return groups;
  }

  /**
   * Sends one command per shard: concurrent commands on a cluster or for a single shard (no
   * pipeline object to build for one command), a pipeline otherwise.
   */
  async #perShard<T, V = number[]>(
    groups: Map<string, V>,
    send: (
      target: RedisClient | ReturnType<RedisClient['pipeline']>,
      key: string,
      positions: V,
    ) => unknown,
  ): Promise<T[]> {
    const entries = [...groups];
    if (this.#client.isCluster || entries.length === 1) {
      return settleAll(
        entries.map(([key, positions]) => send(this.#client, key, positions) as Promise<T>),
      );
    }
    const pipeline = this.#client.pipeline();
    for (const [key, positions] of entries) send(pipeline, key, positions);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return value as T;
    });
  }

  async getMany(ids: readonly string[]): Promise<(string | undefined)[]> {
    flushActivityWrites(this.#client); // held writes first: commands keep their order
    coalesceReads(this.#client);
    if (this.#shards === 1 && this.#bucketMs === undefined) {
      // One hash (the default on a single node): one HMGET, no grouping.
      return this.#hmgetAll(activityShardKey(this.#prefix, 1, ids[0]!), ids);
    }
    const groups = this.#byShard(ids);
    // One hash for the whole batch (a page within one bucket of one shard): one HMGET.
    if (groups.size === 1) return this.#hmgetAll(groups.keys().next().value!, ids);
    if (this.#client.isCluster && this.#crossSlot && groups.size > 1) {
      return redisCall('getMany', `${this.#prefix}:a`, () => this.#getManyByNode(ids, groups));
    }
    const replies = await redisCall('getMany', `${this.#prefix}:a`, () =>
      this.#perShard<(string | null)[]>(groups, (t, key, positions) =>
        t.hmget(key, ...positions.map((i) => ids[i]!)),
      ),
    );
    const out: (string | undefined)[] = new Array(ids.length).fill(undefined);
    [...groups.values()].forEach((positions, g) => {
      const values = replies[g] ?? [];
      positions.forEach((pos, j) => {
        out[pos] = values[j] ?? undefined;
      });
    });
    return out;
  }

  /** Every id of `ids` from the one hash `key`, in order. */
  async #hmgetAll(key: string, ids: readonly string[]): Promise<(string | undefined)[]> {
    const values = await redisCall('getMany', `${this.#prefix}:a`, () =>
      this.#client.hmget(key, ...ids),
    );
    const out: (string | undefined)[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i] ?? undefined;
    return out;
  }

  /**
   * getMany on a cluster: one call per master node for all the hashes it serves (instead of one
   * HMGET per hash): a plain HMGET for a node's only hash (e.g. a page within one colocated bucket
   * of one shard), else one `hmget_on_node` script call. Hashes of a call that fails (a slot
   * moved, a server before Redis 7) are read with one HMGET each through the cluster client. The
   * script gets the hash names in ARGV, which ioredis does not prefix: they carry the client's
   * keyPrefix.
   */
  async #getManyByNode(
    ids: readonly string[],
    groups: Map<string, number[]>,
  ): Promise<(string | undefined)[]> {
    const out: (string | undefined)[] = new Array(ids.length).fill(undefined);
    const fill = (keys: readonly string[], values: readonly (string | null)[]): void => {
      let v = 0;
      for (const key of keys)
        for (const pos of groups.get(key)!) out[pos] = values[v++] ?? undefined;
    };
    const hmget = async (key: string): Promise<void> => {
      fill([key], await this.#client.hmget(key, ...groups.get(key)!.map((pos) => ids[pos]!)));
    };
    const fallback: string[] = [];
    const prefix = this.#keyPrefix;
    const cluster = this.#client as Cluster;
    const byNode = groupByNode(cluster, [...groups.keys()], (key) => slotOf(prefix + key), prefix);
    await Promise.all(
      [...byNode].map(async ([route, keys]) => {
        // One hash on the node, or no known node: plain HMGETs, routed by ioredis.
        if (!route || keys.length === 1) return Promise.all(keys.map(hmget));
        const { node } = route;
        const args: (string | number)[] = [1, route.keyPrefix + keys[0]!, keys.length];
        for (const key of keys) {
          const positions = groups.get(key)!;
          args.push(prefix + key, positions.length);
          for (const pos of positions) args.push(ids[pos]!);
        }
        try {
          fill(keys, (await scriptsOf(node)('hmget_on_node')(...args)) as (string | null)[]);
        } catch (error) {
          if (isUnsupportedScriptError(error)) this.#crossSlot = false;
          fallback.push(...keys);
        }
      }),
    );
    await Promise.all(fallback.map(hmget));
    return out;
  }

  async putMany(
    entries: readonly { readonly id: string; readonly payload: string }[],
  ): Promise<void> {
    const hashes = this.#pairsByHash(entries);
    const send = async () => {
      await this.#perShard<unknown, string[]>(hashes, (t, key, pairs) => t.hset(key, ...pairs));
    };
    // On a single node, held for a group commit of the same tick to carry (activity-outbox.ts);
    // else, or if none takes it, sent in one socket write with the commands sent alongside (held
    // first: its end-of-tick send then comes before the socket's uncork).
    const held = holdActivityWrite(this.#client, hashes, send);
    coalesceWrites(this.#client);
    await redisCall('putMany', `${this.#prefix}:a`, () => held ?? send());
  }

  /** The hash an activity id lives in. */
  #hashOf(id: string): string {
    return activityShardKey(this.#prefix, this.#shards, id, this.#bucketMs, this.#colocation);
  }

  /** The (id, payload) pairs of `entries`, flat, by hash. */
  #pairsByHash(
    entries: readonly { readonly id: string; readonly payload: string }[],
  ): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const { id, payload } of entries) {
      const key = this.#hashOf(id);
      const pairs = out.get(key);
      if (pairs) pairs.push(id, payload);
      else out.set(key, [id, payload]);
    }
    return out;
  }

  async removeMany(ids: readonly string[]): Promise<number> {
    flushActivityWrites(this.#client); // held writes first: commands keep their order
    const groups = this.#byShard(ids);
    const removed = await redisCall('removeMany', `${this.#prefix}:a`, () =>
      this.#perShard<number>(groups, (t, key, positions) =>
        t.hdel(key, ...positions.map((i) => ids[i]!)),
      ),
    );
    return removed.reduce((a, b) => a + Number(b), 0);
  }
}

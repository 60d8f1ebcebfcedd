import { randomInt } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { ConflictError, ValidationError } from '../../errors.js';
import type {
  RangeQuery,
  TimelineCapabilities,
  TimelineChanges,
  TimelineEntry,
  TimelineRemoveOptions,
  TimelineStorage,
  TimelineUpdate,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import { intOptionOr } from '../../util/int-option.js';
import { settleAll } from '../../util/settle-all.js';
import { groupByNode, isUnsupportedScriptError } from './cluster-pipeline.js';
import { redisCall } from './errors.js';
import { checkMarker, markerKey, type TimelineKeys, timelineKeys } from './keys.js';
import { commandName, type RedisClient, type ScriptName, scriptsOf, withKeys } from './scripts.js';
import { UpdateCache } from './update-cache.js';

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

type Arg = string | number;

/** Flattens entries into the (score, id, hasPayload, payload) quadruples the scripts take. */
function entryArgs(entries: readonly TimelineEntry[]): Arg[] {
  const args: Arg[] = [];
  // An id repeated in one write: the last occurrence wins (as with ZADD/HSET of one command).
  const unique =
    new Set(entries.map((e) => e.id)).size === entries.length
      ? entries
      : [...new Map(entries.map((e) => [e.id, e])).values()];
  for (const e of unique)
    args.push(e.score, e.id, e.payload === undefined ? '0' : '1', e.payload ?? '');
  return args;
}

/** Arguments of add.lua and add_to_many.lua after the keys. */
function writeArgs(
  entries: readonly TimelineEntry[],
  options: TimelineWriteOptions | undefined,
): Arg[] {
  const quads = entryArgs(entries);
  return [options?.maxLength ?? -1, quads.length / 4, options?.idsOnly ? '1' : '0', ...quads];
}

/** Arguments of add_ids.lua after its key: maxLength, then (score, id) pairs. */
function idsOnlyArgs(
  entries: readonly TimelineEntry[],
  options: TimelineWriteOptions | undefined,
): Arg[] {
  const args: Arg[] = [options?.maxLength ?? -1];
  for (const e of new Map(entries.map((x) => [x.id, x])).values()) args.push(e.score, e.id);
  return args;
}

function pairsOf(spec: Readonly<Record<string, readonly string[]>> | undefined): Arg[] {
  const out: Arg[] = [];
  for (const [marker, ids] of Object.entries(spec ?? {})) {
    checkMarker(marker);
    for (const id of ids) out.push(marker, id);
  }
  return out;
}

const flat = (keys: TimelineKeys): string[] => [keys.z, keys.p, keys.v, keys.mk];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
export class RedisTimelineStorage implements TimelineStorage {
  readonly name = 'redis';
  readonly capabilities: TimelineCapabilities = Object.freeze({
    atomicTrim: true,
    offsetPaging: true,
    atomicUpdate: true,
    markers: true,
  });
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #script: ReturnType<typeof scriptsOf>;
  readonly #fanoutBatch: number;
  readonly #maxAttempts: number;
  /** False once the cluster refused a cross-slot script (Redis before 7): fan out per timeline. */
  #crossSlot = true;
  readonly #cache: UpdateCache;

  constructor(options: RedisTimelineStorageOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#script = scriptsOf(options.client);
    this.#fanoutBatch = intOptionOr(options.fanoutBatch, 250, 'fanoutBatch', 1, 10_000);
    this.#maxAttempts = intOptionOr(options.maxUpdateAttempts, 100, 'maxUpdateAttempts', 1);
    this.#cache = new UpdateCache({
      timelines: intOptionOr(options.updateCacheSize, 1000, 'updateCacheSize', 0, 1_000_000),
      characters: intOptionOr(options.updateCacheCharacters, 2 ** 23, 'updateCacheCharacters', 0),
    });
  }

  #keys(key: string): TimelineKeys {
    return timelineKeys(this.#prefix, key);
  }

  async add(
    key: string,
    entries: readonly TimelineEntry[],
    options?: TimelineWriteOptions,
  ): Promise<number> {
    if (entries.length === 0) return 0;
    if (options?.idsOnly) {
      const args = idsOnlyArgs(entries, options);
      return redisCall('add', key, async () =>
        Number(await this.#script('add_ids')(this.#keys(key).z, ...args)),
      );
    }
    const args = writeArgs(entries, options);
    return redisCall('add', key, async () =>
      Number(await this.#script('add')(...flat(this.#keys(key)), ...args)),
    );
  }

  async addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options?: TimelineWriteOptions,
  ): Promise<void> {
    if (entries.length === 0 || keys.length === 0) return;
    const args = writeArgs(entries, options);
    await redisCall('addToMany', keys[0]!, async () => {
      if (this.#client.isCluster) {
        // The per-timeline fallback of an id-only fan-out declares the ZSET only (add_ids.lua).
        const single = options?.idsOnly ? idsOnlyArgs(entries, options) : undefined;
        await this.#fanOutOnCluster(
          keys,
          'add_on_node',
          args,
          single ? 'add_ids' : 'add',
          single
            ? (key) => [this.#keys(key).z, ...single]
            : (key) => [...flat(this.#keys(key)), ...args],
        );
        return;
      }
      const addToMany = this.#script('add_to_many');
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < keys.length; i += this.#fanoutBatch) {
        const batch = keys.slice(i, i + this.#fanoutBatch).flatMap((key) => flat(this.#keys(key)));
        calls.push(addToMany(...withKeys(batch, args)));
      }
      await settleAll(calls);
    });
  }

  /**
   * Fan-out on a cluster: one `*_on_node` script call per master node and chunk of
   * `fanoutBatch` timelines (the scripts' `allow-cross-slot-keys` flag lets one call touch keys of
   * many slots served by the node). Timelines of a call that fails (a slot moved, a server older
   * than Redis 7) are retried one script call each by {@link #eachOnCluster}; the writes are
   * idempotent, so a partly applied call is harmless. After an error that says the server cannot
   * run such scripts at all, this storage stops trying them.
   */
  async #fanOutOnCluster(
    keys: readonly string[],
    name: 'add_on_node' | 'remove_on_node',
    args: readonly Arg[],
    perTimeline: ScriptName,
    argsFor: (key: string) => Arg[],
  ): Promise<void> {
    if (!this.#crossSlot) {
      await this.#eachOnCluster(keys, perTimeline, argsFor);
      return;
    }
    const retry: string[] = [];
    const groups = groupByNode(this.#client as Cluster, keys, (key) => this.#keys(key).z);
    const calls: Promise<void>[] = [];
    for (const [node, group] of groups) {
      if (!node) {
        retry.push(...group);
        continue;
      }
      const call = scriptsOf(node)(name);
      for (let i = 0; i < group.length; i += this.#fanoutBatch) {
        const chunk = group.slice(i, i + this.#fanoutBatch);
        const bases = chunk.map((key) => this.#keys(key).z.slice(0, -2));
        calls.push(
          call(1, `${bases[0]}:z`, bases.length, ...bases, ...args).then(
            () => undefined,
            (error: unknown) => {
              if (isUnsupportedScriptError(error)) this.#crossSlot = false;
              retry.push(...chunk);
            },
          ),
        );
      }
    }
    await Promise.all(calls);
    if (retry.length > 0) await this.#eachOnCluster(retry, perTimeline, argsFor);
  }

  /**
   * Runs one script call per timeline on a cluster (the fallback of {@link #fanOutOnCluster}):
   * one pipeline per master node (from the client's slot map), so a chunk of feeds costs one round
   * trip per node. Calls that fail in a pipeline (e.g. MOVED after a reshard) are retried through
   * the cluster client, which follows redirections.
   */
  async #eachOnCluster(
    keys: readonly string[],
    name: ScriptName,
    argsFor: (key: string) => Arg[],
  ): Promise<void> {
    const retry: string[] = [];
    const groups = groupByNode(this.#client as Cluster, keys, (key) => this.#keys(key).z);
    await Promise.all(
      [...groups].map(async ([node, group]) => {
        if (!node) {
          retry.push(...group);
          return;
        }
        scriptsOf(node);
        const pipeline = node.pipeline() as unknown as Record<
          string,
          (...args: Arg[]) => unknown
        > & {
          exec(): Promise<[Error | null, unknown][] | null>;
        };
        const method = commandName(name);
        for (const key of group) pipeline[method]!(...argsFor(key));
        const results = await pipeline.exec();
        if (!results) retry.push(...group);
        else {
          results.forEach(([error], i) => {
            if (error) retry.push(group[i]!);
          });
        }
      }),
    );
    if (retry.length > 0) {
      const call = this.#script(name);
      await settleAll(retry.map((key) => call(...argsFor(key))));
    }
  }

  async remove(
    key: string,
    ids: readonly string[],
    options?: TimelineRemoveOptions,
  ): Promise<number> {
    if (ids.length === 0) return 0;
    return redisCall('remove', key, async () =>
      Number(
        options?.idsOnly
          ? await this.#script('remove_ids')(this.#keys(key).z, ...ids)
          : await this.#script('remove')(...withKeys(flat(this.#keys(key)), ids)),
      ),
    );
  }

  async removeFromMany(
    keys: readonly string[],
    ids: readonly string[],
    options?: TimelineRemoveOptions,
  ): Promise<void> {
    if (ids.length === 0 || keys.length === 0) return;
    const idsOnly = options?.idsOnly === true;
    await redisCall('removeFromMany', keys[0]!, async () => {
      if (this.#client.isCluster) {
        await this.#fanOutOnCluster(
          keys,
          'remove_on_node',
          [idsOnly ? '1' : '0', ...ids],
          idsOnly ? 'remove_ids' : 'remove',
          idsOnly
            ? (key) => [this.#keys(key).z, ...ids]
            : (key) => withKeys(flat(this.#keys(key)), ids),
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

  async range(key: string, query: RangeQuery): Promise<TimelineEntry[]> {
    const { min, max } = query;
    const k = this.#keys(key);
    if (!min && !max && query.idsOnly) return this.#rangeByRank(key, k.z, query);
    const args: Arg[] = [
      query.order,
      query.offset ?? 0,
      query.limit,
      min ? '1' : '0',
      min?.score ?? 0,
      min?.id ?? '',
      min?.inclusive ? '1' : '0',
      max ? '1' : '0',
      max?.score ?? 0,
      max?.id ?? '',
      max?.inclusive ? '1' : '0',
      query.idsOnly ? '0' : '1',
    ];
    const rows = (await redisCall('range', key, () =>
      this.#script('range')(k.z, k.p, ...args),
    )) as (string | null)[];
    const out: TimelineEntry[] = [];
    for (let i = 0; i < rows.length; i += 3) {
      const payload = rows[i + 2];
      out.push(
        payload === null || payload === undefined
          ? { id: rows[i]!, score: Number(rows[i + 1]) }
          : { id: rows[i]!, score: Number(rows[i + 1]), payload },
      );
    }
    return out;
  }

  /**
   * range() without bounds and without payloads (a normalized flat feed's page): one plain
   * ZRANGE/ZREVRANGE by rank, the same order as range.lua (equal scores by id), without a script.
   */
  async #rangeByRank(key: string, z: string, query: RangeQuery): Promise<TimelineEntry[]> {
    const offset = query.offset ?? 0;
    if (query.limit <= 0) return [];
    const stop = offset + query.limit - 1;
    const rows = await redisCall('range', key, () =>
      query.order === 'asc'
        ? this.#client.zrange(z, String(offset), String(stop), 'WITHSCORES')
        : this.#client.zrevrange(z, offset, stop, 'WITHSCORES'),
    );
    const out: TimelineEntry[] = [];
    for (let i = 0; i < rows.length; i += 2) out.push({ id: rows[i]!, score: Number(rows[i + 1]) });
    return out;
  }

  async get(key: string, ids: readonly string[]): Promise<(TimelineEntry | undefined)[]> {
    if (ids.length === 0) return [];
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
    compute: (current: readonly (TimelineEntry | undefined)[]) => TimelineUpdate<R>,
    options?: TimelineWriteOptions,
  ): Promise<R> {
    const k = this.#keys(key);
    const initial = randomInt(1, 2 ** 48);
    // The cached state of a previous update on this client, else a read (one more round trip).
    let state = this.#cache.lookup(key, ids) ?? (await this.#read(key, k, ids, initial));
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const { changes, result } = compute(state.current);
      const reply = (await redisCall('update', key, () =>
        this.#script('commit_update')(
          ...flat(k),
          state!.version,
          options?.maxLength ?? -1,
          ...commitArgs(changes),
          initial,
          ...ids,
        ),
      )) as (string | number | null)[];
      if (reply[0] === 1) {
        this.#cache.committed(key, state.version, String(reply[1]), changes, Number(reply[2]));
        return result;
      }
      if (reply[0] === 'absent') {
        throw new ConflictError(
          `cannot mark ${String(reply[2])} ${String(reply[1])}: it is not in timeline ${key}`,
          { details: { key, marker: reply[1], id: reply[2] } },
        );
      }
      // Another writer changed the timeline since our read. The reply is a fresh read: compute
      // again from it at once; after a few conflicts, back off first and read again after.
      state = this.#remember(key, ids, reply as (string | null)[], 1);
      if (attempt >= 2) {
        await sleep(Math.random() * Math.min(50, 2 ** attempt));
        state = await this.#read(key, k, ids, initial);
      }
    }
    this.#cache.forget(key);
    throw new ConflictError(
      `update of timeline ${key} kept conflicting with concurrent writers; nothing was written`,
      {
        details: { key, attempts: this.#maxAttempts },
      },
    );
  }

  /** Reads the entries of `ids` with the timeline's version (read_for_update.lua). */
  async #read(
    key: string,
    k: TimelineKeys,
    ids: readonly string[],
    initial: number,
  ): Promise<{ version: string; current: (TimelineEntry | undefined)[] }> {
    const read = (await redisCall('update', key, () =>
      this.#script('read_for_update')(k.z, k.p, k.v, initial, ...ids),
    )) as (string | null)[];
    return this.#remember(key, ids, read, 0);
  }

  /** Decodes a read_for_update reply starting at `from` and records it in the update cache. */
  #remember(
    key: string,
    ids: readonly string[],
    read: readonly (string | null)[],
    from: number,
  ): { version: string; current: (TimelineEntry | undefined)[] } {
    const version = String(read[from]);
    const current = ids.map((id, i): TimelineEntry | undefined => {
      const score = read[from + 1 + i * 2];
      const payload = read[from + 2 + i * 2];
      if (score === null || score === undefined) return undefined;
      return payload === null || payload === undefined
        ? { id, score: Number(score) }
        : { id, score: Number(score), payload };
    });
    this.#cache.read(key, version, ids, current);
    return { version, current };
  }

  async countMarked(key: string, marker: string): Promise<number> {
    const m = markerKey(this.#keys(key), checkMarker(marker));
    return redisCall('countMarked', key, () => this.#client.scard(m));
  }

  async isMarked(key: string, marker: string, ids: readonly string[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const m = markerKey(this.#keys(key), checkMarker(marker));
    const flags = await redisCall('isMarked', key, () => this.#client.smismember(m, ...ids));
    return flags.map((f) => f === 1);
  }

  async setMarked(
    key: string,
    marker: string,
    ids: readonly string[],
    on: boolean,
  ): Promise<number> {
    if (ids.length === 0) return 0;
    const k = this.#keys(key);
    checkMarker(marker);
    return redisCall('setMarked', key, async () =>
      Number(await this.#script('set_marked')(k.z, k.mk, marker, on ? '1' : '0', ...ids)),
    );
  }

  async clearMarker(key: string, marker: string): Promise<number> {
    const k = this.#keys(key);
    const m = markerKey(k, checkMarker(marker));
    return redisCall('clearMarker', key, async () =>
      Number(await this.#script('clear_marker')(m, k.mk, marker)),
    );
  }
}

function commitArgs(changes: TimelineChanges): Arg[] {
  if (typeof changes !== 'object' || changes === null) {
    throw new ValidationError('INVALID_OPTION', 'update() compute must return { changes, result }');
  }
  const put = changes.put ?? [];
  const remove = changes.remove ?? [];
  const mark = pairsOf(changes.mark);
  const unmark = pairsOf(changes.unmark);
  const quads = entryArgs(put);
  return [
    quads.length / 4,
    ...quads,
    remove.length,
    ...remove,
    mark.length / 2,
    ...mark,
    unmark.length / 2,
    ...unmark,
  ];
}

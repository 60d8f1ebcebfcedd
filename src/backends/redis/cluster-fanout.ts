import type { Cluster } from 'ioredis';
import { settleAll } from '../../util/settle-all.js';
import {
  groupByNode,
  hashSlot,
  isUnsupportedScriptError,
  type NodeRoute,
  slotOf,
} from './cluster-pipeline.js';
import {
  escapeTag,
  joinedTags,
  type TimelineKeys,
  timelineKeys,
  timelineZKey,
  zKeyParts,
} from './keys.js';
import type { Arg } from './script-args.js';
import { commandName, type ScriptName, scriptsOf } from './scripts.js';

/** Options of {@link ClusterFanout}. */
export interface ClusterFanoutOptions {
  readonly client: Cluster;
  /** The storage's key prefix (see {@link timelineKeys}). */
  readonly prefix: string;
  /** The keyPrefix the cluster client puts before every key (see `clientKeyPrefix`). */
  readonly keyPrefix: string;
  /** Timelines per script call. */
  readonly fanoutBatch: number;
}

/**
 * Multi-timeline calls on a Redis Cluster, fan-out writes and `rangeMany` reads: one cross-slot
 * script call per master node and chunk of timelines, with a per-timeline fallback. Internal to
 * the Redis timeline storage.
 */
export class ClusterFanout {
  readonly #client: Cluster;
  readonly #prefix: string;
  readonly #keyPrefix: string;
  readonly #fanoutBatch: number;
  /** The parts of a ZSET key sent in ARGV, with the whole keyPrefix (see zKeyParts). */
  readonly #zParts: ReturnType<typeof zKeyParts>;
  /**
   * True when no `{` comes before a timeline's hash tag (none in the keyPrefix; the storage prefix
   * has none): then the slot of its keys is that of its escaped feed key, hashed without building
   * a key (the escaped key holds no brace and is never empty).
   */
  readonly #tagSlots: boolean;
  /** False once the cluster refused a cross-slot script (Redis before 7): fan out per timeline. */
  #crossSlot = true;

  constructor(options: ClusterFanoutOptions) {
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#keyPrefix = options.keyPrefix;
    this.#fanoutBatch = options.fanoutBatch;
    this.#zParts = zKeyParts(options.keyPrefix + options.prefix);
    this.#tagSlots = !(options.keyPrefix + options.prefix).includes('{');
  }

  /**
   * Runs a fan-out: one `*_on_node` script call per master node and chunk of
   * `fanoutBatch` timelines (the scripts' `allow-cross-slot-keys` flag lets one call touch keys of
   * many slots served by the node). Timelines of a call that fails (a slot moved, a server older
   * than Redis 7) are retried one script call each by `#each`; the writes are
   * idempotent, so a partly applied call is harmless. After an error that says the server cannot
   * run such scripts at all, this storage stops trying them (see `#onNodes`).
   */
  async run(
    keys: readonly string[],
    name: 'add_on_node' | 'remove_on_node',
    args: readonly Arg[],
    perTimeline: ScriptName,
    argsFor: (keys: TimelineKeys) => Arg[],
  ): Promise<void> {
    const retry = this.#crossSlot
      ? await this.#onNodes(keys, name, (chunk) => [...this.#bases(chunk), ...args], ignore)
      : keys;
    if (retry.length > 0) await this.#each(retry, perTimeline, argsFor);
  }

  /**
   * An id-only fan-out (`args`: maxLength, then score and id pairs, as add_ids.lua takes them):
   * `run` with `add_ids_on_node`, whose calls name their timelines by one argument (the escaped
   * feed keys, see joinedTags) instead of one key base each. Timelines of a failed call, or with a
   * NUL in their feed key, get one `add_ids` call each.
   */
  async addIds(keys: readonly string[], args: readonly Arg[]): Promise<void> {
    const { head, tail } = this.#zParts;
    const retry = this.#crossSlot
      ? await this.#onNodes(
          keys,
          'add_ids_on_node',
          (chunk) => {
            const names = joinedTags(chunk);
            return names === undefined ? undefined : [head, tail, names, ...args];
          },
          ignore,
        )
      : keys;
    if (retry.length > 0) await this.#each(retry, 'add_ids', (k) => [k.z, ...args]);
  }

  /**
   * rangeMany on a cluster: one `range_on_node` call per master node and chunk of `fanoutBatch`
   * timelines (`args`: the query, see `rangeArgs`); the timelines of a call that fails (a slot
   * moved, a server older than Redis 7) are read one `range` call each through the cluster
   * client. `keys` are distinct. Returns the raw range.lua reply of each key, positional.
   */
  async ranges(keys: readonly string[], args: readonly Arg[]): Promise<unknown[]> {
    const out: unknown[] = new Array(keys.length);
    const at = new Map(keys.map((key, i) => [key, i]));
    const retry = this.#crossSlot
      ? await this.#onNodes(
          keys,
          'range_on_node',
          (c) => [...this.#bases(c), ...args],
          (chunk, replies) => {
            chunk.forEach((key, j) => {
              out[at.get(key)!] = (replies as unknown[])[j];
            });
          },
        )
      : keys;
    const range = scriptsOf(this.#client)('range');
    await settleAll(
      retry.map(async (key) => {
        const k = this.#keys(key, '');
        out[at.get(key)!] = await range(k.z, k.p, ...args);
      }),
    );
    return out;
  }

  /**
   * The ARGV head of add_on_node, remove_on_node and range_on_node: the number of timelines and
   * their key bases, with the client's whole keyPrefix (ioredis does not prefix ARGV).
   */
  #bases(chunk: readonly string[]): Arg[] {
    return [chunk.length, ...chunk.map((key) => this.#keys(key, this.#keyPrefix).z.slice(0, -2))];
  }

  /**
   * Calls the `*_on_node` script `name` once per master node and chunk of `fanoutBatch`
   * timelines, with the ARGV `argsOf` gives for the chunk (undefined: retry the chunk one by one),
   * handing each reply to `onReply`; returns the timelines of the calls that failed (and of
   * unknown slots), to be retried one by one. The scripts get the timelines' key names in ARGV,
   * which ioredis does not prefix: `argsOf` sends them with the client's whole keyPrefix, and
   * KEYS[1] gets the part the node connection lacks.
   */
  async #onNodes(
    keys: readonly string[],
    name: 'add_on_node' | 'add_ids_on_node' | 'remove_on_node' | 'range_on_node',
    argsOf: (chunk: readonly string[]) => Arg[] | undefined,
    onReply: (chunk: readonly string[], reply: unknown) => void,
  ): Promise<string[]> {
    const retry: string[] = [];
    const calls: Promise<void>[] = [];
    for (const [route, group] of this.#byNode(keys)) {
      if (!route) {
        retry.push(...group);
        continue;
      }
      const call = scriptsOf(route.node)(name);
      for (let i = 0; i < group.length; i += this.#fanoutBatch) {
        const chunk =
          group.length <= this.#fanoutBatch ? group : group.slice(i, i + this.#fanoutBatch);
        const args = argsOf(chunk);
        if (!args) {
          retry.push(...chunk);
          continue;
        }
        const first = timelineZKey(route.keyPrefix + this.#prefix, chunk[0]!);
        calls.push(
          call(1, first, ...args).then(
            (reply) => onReply(chunk, reply),
            (error: unknown) => {
              if (isUnsupportedScriptError(error)) this.#crossSlot = false;
              retry.push(...chunk);
            },
          ),
        );
      }
    }
    await Promise.all(calls);
    return retry;
  }

  /**
   * Runs one script call per timeline on a cluster (the fallback of `run`):
   * one pipeline per master node (from the client's slot map), so a chunk of feeds costs one round
   * trip per node. Calls that fail in a pipeline (e.g. MOVED after a reshard) are retried through
   * the cluster client, which follows redirections.
   */
  async #each(
    keys: readonly string[],
    name: ScriptName,
    argsFor: (keys: TimelineKeys) => Arg[],
  ): Promise<void> {
    const retry: string[] = [];
    const groups = this.#byNode(keys);
    await Promise.all(
      [...groups].map(async ([route, group]) => {
        if (!route) {
          retry.push(...group);
          return;
        }
        const { node } = route;
        scriptsOf(node);
        const pipeline = node.pipeline() as unknown as Record<
          string,
          (...args: Arg[]) => unknown
        > & {
          exec(): Promise<[Error | null, unknown][] | null>;
        };
        const method = commandName(name);
        for (const key of group) pipeline[method]!(...argsFor(this.#keys(key, route.keyPrefix)));
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
      const call = scriptsOf(this.#client)(name);
      await settleAll(retry.map((key) => call(...argsFor(this.#keys(key, '')))));
    }
  }

  /** The keys of a timeline, with `keyPrefix` (what the connection it goes through lacks) before each. */
  #keys(key: string, keyPrefix: string): TimelineKeys {
    return timelineKeys(keyPrefix + this.#prefix, key);
  }

  /** Timelines grouped by the master serving them (the slot of their prefixed ZSET key). */
  #byNode(keys: readonly string[]): Map<NodeRoute | undefined, string[]> {
    const slot = this.#tagSlots
      ? (key: string) => hashSlot(escapeTag(key))
      : (key: string) => slotOf(this.#keyPrefix + timelineZKey(this.#prefix, key));
    return groupByNode(this.#client, keys, slot, this.#keyPrefix);
  }
}

const ignore = (): void => undefined;

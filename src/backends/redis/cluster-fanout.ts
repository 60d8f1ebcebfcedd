import type { Cluster } from 'ioredis';
import { settleAll } from '../../util/settle-all.js';
import { groupByNode, isUnsupportedScriptError } from './cluster-pipeline.js';
import type { TimelineKeys } from './keys.js';
import type { Arg } from './script-args.js';
import { commandName, type ScriptName, scriptsOf } from './scripts.js';

/** Options of {@link ClusterFanout}. */
export interface ClusterFanoutOptions {
  readonly client: Cluster;
  /** The keys of a timeline. */
  readonly keysOf: (key: string) => TimelineKeys;
  /** Timelines per script call. */
  readonly fanoutBatch: number;
}

/**
 * Fan-out writes on a Redis Cluster: one cross-slot script call per master node and chunk of
 * timelines, with a per-timeline fallback. Internal to the Redis timeline storage.
 */
export class ClusterFanout {
  readonly #client: Cluster;
  readonly #keysOf: (key: string) => TimelineKeys;
  readonly #fanoutBatch: number;
  /** False once the cluster refused a cross-slot script (Redis before 7): fan out per timeline. */
  #crossSlot = true;

  constructor(options: ClusterFanoutOptions) {
    this.#client = options.client;
    this.#keysOf = options.keysOf;
    this.#fanoutBatch = options.fanoutBatch;
  }

  /**
   * Runs a fan-out: one `*_on_node` script call per master node and chunk of
   * `fanoutBatch` timelines (the scripts' `allow-cross-slot-keys` flag lets one call touch keys of
   * many slots served by the node). Timelines of a call that fails (a slot moved, a server older
   * than Redis 7) are retried one script call each by `#each`; the writes are
   * idempotent, so a partly applied call is harmless. After an error that says the server cannot
   * run such scripts at all, this storage stops trying them.
   */
  async run(
    keys: readonly string[],
    name: 'add_on_node' | 'remove_on_node',
    args: readonly Arg[],
    perTimeline: ScriptName,
    argsFor: (key: string) => Arg[],
  ): Promise<void> {
    if (!this.#crossSlot) {
      await this.#each(keys, perTimeline, argsFor);
      return;
    }
    const retry: string[] = [];
    const groups = groupByNode(this.#client, keys, (key) => this.#keysOf(key).z);
    const calls: Promise<void>[] = [];
    for (const [node, group] of groups) {
      if (!node) {
        retry.push(...group);
        continue;
      }
      const call = scriptsOf(node)(name);
      for (let i = 0; i < group.length; i += this.#fanoutBatch) {
        const chunk = group.slice(i, i + this.#fanoutBatch);
        const bases = chunk.map((key) => this.#keysOf(key).z.slice(0, -2));
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
    if (retry.length > 0) await this.#each(retry, perTimeline, argsFor);
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
    argsFor: (key: string) => Arg[],
  ): Promise<void> {
    const retry: string[] = [];
    const groups = groupByNode(this.#client, keys, (key) => this.#keysOf(key).z);
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
      const call = scriptsOf(this.#client)(name);
      await settleAll(retry.map((key) => call(...argsFor(key))));
    }
  }
}

import { randomInt } from 'node:crypto';
import { ConflictError } from '../../errors.js';
import type {
  TimelineEntry,
  TimelineUpdate,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import { type TakenWrites, takeActivityWrites } from './activity-outbox.js';
import { redisCall } from './errors.js';
import type { TimelineKeys } from './keys.js';
import { commitArgs, flat } from './script-args.js';
import type { RedisClient, scriptsOf } from './scripts.js';
import type { UpdateCache } from './update-cache.js';

/** Options of {@link OptimisticUpdater}. */
export interface OptimisticUpdaterOptions {
  /** The client the scripts run on (its held activity writes ride in the first commit). */
  readonly client: RedisClient;
  readonly script: ReturnType<typeof scriptsOf>;
  readonly cache: UpdateCache;
  /** Attempts before ConflictError. */
  readonly maxAttempts: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Settles taken activity writes with a commit's reply, passing the reply on. */
const settled =
  (taken: TakenWrites) =>
  (reply: unknown): unknown => {
    taken.settle();
    return reply;
  };

/** Rejects taken activity writes with a commit's error, passing the error on. */
const failed =
  (taken: TakenWrites) =>
  (error: unknown): never => {
    taken.settle(error);
    throw error;
  };

/**
 * `TimelineStorage.update()` on Redis, optimistic: the entries and the timeline's version come
 * from the update cache or a read (`read_for_update.lua`), `compute` runs in TypeScript, and
 * `commit_update.lua` applies the changes only if the version is unchanged; a refused commit
 * replies with a fresh read, from which the update is computed again. Internal to the Redis
 * timeline storage.
 */
export class OptimisticUpdater {
  readonly #client: RedisClient;
  readonly #script: ReturnType<typeof scriptsOf>;
  readonly #cache: UpdateCache;
  readonly #maxAttempts: number;

  constructor(options: OptimisticUpdaterOptions) {
    this.#client = options.client;
    this.#script = options.script;
    this.#cache = options.cache;
    this.#maxAttempts = options.maxAttempts;
  }

  async update<R>(
    key: string,
    k: TimelineKeys,
    ids: readonly string[],
    compute: (current: readonly (TimelineEntry | undefined)[]) => TimelineUpdate<R>,
    options: TimelineWriteOptions,
  ): Promise<R> {
    const initial = randomInt(1, 2 ** 48);
    // The cached state of a previous update on this client, else a read (one more round trip).
    let state: { version: string; current: (TimelineEntry | undefined)[]; guessed?: string[] } =
      this.#cache.lookup(key, ids) ?? (await this.#read(key, k, ids, initial));
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      const { changes, result } = compute(state.current);
      const args = commitArgs(changes, [state.version, options.maxLength ?? -1]);
      const guessed = state.guessed ?? [];
      args.push(guessed.length);
      for (const id of guessed) args.push(id);
      // Activity writes held for this tick (the same add's) are made first in the same call.
      const taken = takeActivityWrites(this.#client);
      const reply = (await redisCall('update', key, () => {
        const keys = flat(k);
        if (taken) {
          keys.push(...taken.keys);
          args.push(...taken.args);
        }
        args.push(initial, ...ids);
        const call = this.#script('commit_update')(keys.length, ...keys, ...args);
        return taken ? call.then(settled(taken), failed(taken)) : call;
      })) as (string | number | null)[];
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
      // Another writer changed the timeline since our read (or a guessed-absent id is there). The
      // reply is a fresh read: compute again from it at once; after a few conflicts, back off
      // first and read again after.
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
}

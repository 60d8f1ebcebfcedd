/**
 * The timeline driver of a tiered storage: one timeline whose newest `hotMaxLength` entries are
 * kept in a hot tier (e.g. Redis) and whose whole history is kept in a durable tier (e.g. SQLite
 * or Cassandra), both ordinary timeline storages. Every write goes to the durable tier first,
 * then to the hot tier (a hot entry is never the only copy); reads start in the hot tier and
 * continue in the durable tier with the same cursor (`tiered-reads.ts`). Markers live in the
 * durable tier only. See docs/tiered.md.
 * @module
 */
import type {
  IdOnlyOptions,
  RangeQuery,
  TimelineChanges,
  TimelineCompute,
  TimelineDriver,
  TimelineEntry,
  TimelineHints,
  TimelineStorage,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import { forEachLimited } from '../../util/for-each-limited.js';
import { onTier } from './tier-call.js';
import { TierPair } from './tier-pair.js';
import { rangeManyTiered, rangeTiered } from './tiered-reads.js';

/** What {@link TieredTimelineStorage} is built on. */
export interface TieredTimelineParts {
  readonly hot: TimelineStorage;
  readonly durable: TimelineStorage;
  readonly hotMaxLength: number;
}

/** Keys worked on at once by the per-key paths (full-view `addToMany`, refills after `removeFromMany`). */
const PER_KEY_CONCURRENCY = 16;

/**
 * `Promise.all` that waits for every promise before it throws (the first error): no write is
 * still in flight when the caller sees the failure and retries.
 */
async function settled<const T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/** Whether an update's changes can leave the hot tier short of the newest entries. */
function mayShrink(
  ids: readonly string[],
  current: readonly (TimelineEntry | undefined)[],
  changes: TimelineChanges,
): { short: boolean; lowered: boolean } {
  const before = new Map<string, number>();
  ids.forEach((id, i) => {
    const entry = current[i];
    if (entry !== undefined) before.set(id, entry.score);
  });
  // A put whose score went down (or whose old score is unknown) may now lie below entries that
  // only the durable tier holds: the hot tier is rebuilt from the durable tier then.
  const lowered = (changes.put ?? []).some((e) => {
    const old = before.get(e.id);
    return old === undefined ? !ids.includes(e.id) : e.score < old;
  });
  return { short: (changes.remove?.length ?? 0) > 0, lowered };
}

/**
 * A {@link TimelineDriver} over two timeline storages (hot and durable); wrap it with
 * `defineTimelineStorage` (createTieredStorage does). Its `add` returns what the durable tier
 * counted; `count`, `trim` and marker reads answer for the whole history.
 */
export class TieredTimelineStorage implements TimelineDriver {
  readonly name: string;
  readonly #full: TierPair;
  readonly #ids: TierPair;
  readonly #parts: TieredTimelineParts;
  readonly #scored = new WeakMap<(id: string) => number, TierPair>();
  /** Per-key chains of updates: the hot tier applies one key's updates in the durable tier's order. */
  readonly #updates = new Map<string, Promise<unknown>>();

  constructor(parts: TieredTimelineParts) {
    this.#parts = parts;
    const { hot, durable, hotMaxLength } = parts;
    this.name = `tiered(${hot.name}, ${durable.name})`;
    this.#full = new TierPair(hot, durable, hotMaxLength);
    this.#ids = new TierPair(hot.idsOnly(), durable.idsOnly(), hotMaxLength);
  }

  /** The pair of views a call with `hints` goes through. */
  #pair(hints: TimelineHints): TierPair {
    if (!hints.idsOnly) return this.#full;
    const { scoreOf } = hints;
    if (scoreOf === undefined) return this.#ids;
    let pair = this.#scored.get(scoreOf);
    if (pair === undefined) {
      const o: IdOnlyOptions = { scoreOf };
      const { hot, durable, hotMaxLength } = this.#parts;
      pair = new TierPair(hot.idsOnly(o), durable.idsOnly(o), hotMaxLength);
      this.#scored.set(scoreOf, pair);
    }
    return pair;
  }

  async add(
    key: string,
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<number> {
    const p = this.#pair(hints);
    // Through the full view an add may move an entry down; the hot tier's old scores tell.
    const [added, before] = await settled([
      p.on('durable', 'add', key, (d) => d.add(key, entries, options)),
      hints.idsOnly
        ? undefined
        : p.on('hot', 'get', key, (hot) =>
            hot.get(
              key,
              entries.map((e) => e.id),
            ),
          ),
    ] as const);
    await p.on('hot', 'add', key, (hot) => hot.add(key, entries, p.hotOptions(options)));
    const lowered = before?.some((old, i) => old !== undefined && old.score > entries[i]!.score);
    // An evicted or short hot tier would otherwise take older entries alone; an entry moved
    // down may now lie below entries only the durable tier holds.
    await p.refill(key, lowered);
    return added;
  }

  /**
   * The id-only view (same score for an id, always) writes both tiers once for every key; the
   * full view, whose adds may move entries down, adds key by key (see `add`).
   */
  async addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<void> {
    if (!hints.idsOnly) {
      await forEachLimited(keys, PER_KEY_CONCURRENCY, (key) =>
        this.add(key, entries, options, hints),
      );
      return;
    }
    const p = this.#pair(hints);
    await p.on('durable', 'addToMany', undefined, (d) => d.addToMany(keys, entries, options));
    await p.on('hot', 'addToMany', undefined, (hot) =>
      hot.addToMany(keys, entries, p.hotOptions(options)),
    );
  }

  async remove(key: string, ids: readonly string[], hints: TimelineHints): Promise<number> {
    const p = this.#pair(hints);
    const removed = await p.on('durable', 'remove', key, (d) => d.remove(key, ids));
    await p.on('hot', 'remove', key, (hot) => hot.remove(key, ids));
    await p.refill(key); // the hot tier may now hold fewer than the newest hotMaxLength
    return removed;
  }

  async removeFromMany(
    keys: readonly string[],
    ids: readonly string[],
    hints: TimelineHints,
  ): Promise<void> {
    const p = this.#pair(hints);
    await p.on('durable', 'removeFromMany', undefined, (d) => d.removeFromMany(keys, ids));
    await p.on('hot', 'removeFromMany', undefined, (hot) => hot.removeFromMany(keys, ids));
    await forEachLimited(keys, PER_KEY_CONCURRENCY, (key) => p.refill(key));
  }

  range(key: string, query: RangeQuery, hints: TimelineHints): Promise<TimelineEntry[]> {
    return rangeTiered(this.#pair(hints), key, query);
  }

  rangeMany(
    keys: readonly string[],
    query: RangeQuery,
    hints: TimelineHints,
  ): Promise<TimelineEntry[][]> {
    return rangeManyTiered(this.#pair(hints), keys, query);
  }

  async get(
    key: string,
    ids: readonly string[],
    hints: TimelineHints,
  ): Promise<(TimelineEntry | undefined)[]> {
    const p = this.#pair(hints);
    const found = await p.on('hot', 'get', key, (hot) => hot.get(key, ids));
    const missing = ids.filter((_, i) => found[i] === undefined);
    if (missing.length === 0) return found;
    const deeper = await p.on('durable', 'get', key, (d) => d.get(key, missing));
    let next = 0;
    return found.map((entry) => entry ?? deeper[next++]);
  }

  count(key: string, hints: TimelineHints): Promise<number> {
    return this.#pair(hints).on('durable', 'count', key, (d) => d.count(key));
  }

  async indexOf(
    key: string,
    id: string,
    order: 'desc' | 'asc',
    hints: TimelineHints,
  ): Promise<number> {
    const p = this.#pair(hints);
    if (order === 'desc') {
      // The hot tier holds the newest entries: a position there is the position in the whole.
      const at = await p.on('hot', 'indexOf', key, (hot) => hot.indexOf(key, id, 'desc'));
      if (at >= 0) return at;
    }
    return p.on('durable', 'indexOf', key, (d) => d.indexOf(key, id, order));
  }

  async trim(key: string, maxLength: number, hints: TimelineHints): Promise<number> {
    const p = this.#pair(hints);
    const removed = await p.on('durable', 'trim', key, (d) => d.trim(key, maxLength));
    await p.on('hot', 'trim', key, (hot) => hot.trim(key, Math.min(maxLength, p.hotMaxLength)));
    return removed;
  }

  async delete(key: string, hints: TimelineHints): Promise<void> {
    const p = this.#pair(hints);
    await p.on('durable', 'delete', key, (d) => d.delete(key));
    await p.on('hot', 'delete', key, (hot) => hot.delete(key));
  }

  update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options: TimelineWriteOptions,
  ): Promise<R> {
    const previous = this.#updates.get(key);
    const run = (previous ?? Promise.resolve()).then(
      () => this.#update(key, ids, compute, options),
      () => this.#update(key, ids, compute, options),
    );
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#updates.set(key, settled);
    void settled.then(() => {
      if (this.#updates.get(key) === settled) this.#updates.delete(key);
    });
    return run;
  }

  /**
   * One update: `compute` runs in the durable tier's atomic step (the durable tier is the truth),
   * then the hot tier takes the durable tier's entries of the ids it touched (not its marks).
   */
  async #update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options: TimelineWriteOptions,
  ): Promise<R> {
    const { durable, hot } = this.#parts;
    let last:
      | { current: readonly (TimelineEntry | undefined)[]; changes: TimelineChanges }
      | undefined;
    let thrown: { error: unknown } | undefined;
    const p = this.#full;
    const result = await p
      .on('durable', 'update', key, () =>
        durable.update(
          key,
          ids,
          (current) => {
            thrown = undefined;
            try {
              const u = compute(current);
              last = { current, changes: u.changes };
              return u;
            } catch (error) {
              thrown = { error };
              throw error;
            }
          },
          options,
        ),
      )
      .catch((error: unknown) => {
        throw thrown === undefined ? error : thrown.error; // an error of `compute` itself, unchanged
      });
    if (last === undefined) return result;
    const { put = [], remove = [] } = last.changes;
    // Marks alone: nothing for the hot tier but the trim the durable tier got.
    const { maxLength } = p.hotOptions(options);
    if (put.length === 0 && remove.length === 0 && options.maxLength !== undefined) {
      await p.on('hot', 'trim', key, (h) => h.trim(key, maxLength));
    } else if (put.length > 0 || remove.length > 0) {
      // The hot tier takes the durable tier's state of the ids, not the changes: an update of
      // the same key by another process, committed after this one, may have reached the hot
      // tier first; copying what the durable tier holds now does not undo it.
      const touched = [...new Set([...put.map((e) => e.id), ...remove])];
      const removed = await p.reconcile(key, touched, hot, options);
      const { short, lowered } = mayShrink(ids, last.current, last.changes);
      if (short || lowered || removed) await p.refill(key, lowered);
    }
    return result;
  }
}

/**
 * {@link TieredTimelineStorage} over a durable tier with markers: markers live in the durable
 * tier only (a marker count covers the whole history, and a refill copies entries alone), so
 * every marker call goes there.
 */
export class TieredMarkedTimelineStorage extends TieredTimelineStorage {
  readonly #durable: TimelineStorage;

  constructor(parts: TieredTimelineParts) {
    super(parts);
    this.#durable = parts.durable;
  }

  #on<T>(operation: string, key: string, fn: (durable: TimelineStorage) => Promise<T>) {
    return onTier<T>({ tier: 'durable', backend: this.#durable.name, operation, key }, () =>
      fn(this.#durable),
    );
  }

  countMarked(key: string, marker: string): Promise<number> {
    return this.#on('countMarked', key, (d) => d.countMarked(key, marker));
  }

  isMarked(key: string, marker: string, ids: readonly string[]): Promise<boolean[]> {
    return this.#on('isMarked', key, (d) => d.isMarked(key, marker, ids));
  }

  clearMarker(key: string, marker: string, ids: readonly string[] | undefined): Promise<number> {
    return this.#on('clearMarker', key, (d) => d.clearMarker(key, marker, ids));
  }

  clearMarkers(
    key: string,
    markers: readonly string[],
    ids: readonly string[] | undefined,
  ): Promise<number[]> {
    return this.#on('clearMarkers', key, (d) => d.clearMarkers(key, markers, ids));
  }
}

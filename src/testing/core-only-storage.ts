/**
 * A storage built from the smallest driver the contract allows: the required core of
 * {@link TimelineDriver} only (no fan-out fast paths, no `indexOf`, no markers), on plain arrays.
 * It shows what a third-party backend has to write, and lets the conformance kit check that the
 * defaults `defineTimelineStorage` supplies are correct. Not for production: every call copies
 * the timeline.
 * @module
 */
import type {
  ActivityDriver,
  RangeBound,
  RangeQuery,
  Storage,
  TimelineCompute,
  TimelineDriver,
  TimelineEntry,
  TimelineWriteOptions,
} from '../storage/contracts.js';
import { defineStorage } from '../storage/define-storage.js';

const compare = (a: TimelineEntry | RangeBound, b: TimelineEntry | RangeBound): number =>
  a.score !== b.score ? a.score - b.score : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Whether `e` is on the inner side of `bound` (`min`: at or above it, `max`: at or below it). */
const within = (e: TimelineEntry, bound: RangeBound | undefined, side: 1 | -1): boolean => {
  if (bound === undefined) return true;
  const c = compare(e, bound) * side;
  return c > 0 || (c === 0 && bound.inclusive);
};

/** The required core of a timeline driver, on a Map of ascending arrays. */
class CoreOnlyTimeline implements TimelineDriver {
  readonly name = 'core-only';
  readonly #timelines = new Map<string, TimelineEntry[]>();

  #write(key: string, entries: TimelineEntry[]): void {
    entries.sort(compare);
    if (entries.length === 0) this.#timelines.delete(key);
    else this.#timelines.set(key, entries);
  }

  #put(key: string, entries: readonly TimelineEntry[], maxLength: number | undefined): number {
    const byId = new Map((this.#timelines.get(key) ?? []).map((e) => [e.id, e]));
    let added = 0;
    for (const e of entries) {
      if (!byId.has(e.id)) added += 1;
      byId.set(e.id, { ...e });
    }
    const all = [...byId.values()].sort(compare);
    this.#write(
      key,
      maxLength === undefined ? all : all.slice(Math.max(0, all.length - maxLength)),
    );
    return added;
  }

  async add(key: string, entries: readonly TimelineEntry[], options: TimelineWriteOptions) {
    return this.#put(key, entries, options.maxLength);
  }

  async remove(key: string, ids: readonly string[]): Promise<number> {
    const all = this.#timelines.get(key) ?? [];
    const gone = new Set(ids);
    const kept = all.filter((e) => !gone.has(e.id));
    this.#write(key, kept);
    return all.length - kept.length;
  }

  async range(key: string, query: RangeQuery): Promise<TimelineEntry[]> {
    const inRange = (this.#timelines.get(key) ?? []).filter(
      (e) => within(e, query.min, 1) && within(e, query.max, -1),
    );
    if (query.order === 'desc') inRange.reverse();
    return inRange.slice(0, query.limit);
  }

  async get(key: string, ids: readonly string[]): Promise<(TimelineEntry | undefined)[]> {
    const all = this.#timelines.get(key) ?? [];
    return ids.map((id) => all.find((e) => e.id === id));
  }

  async count(key: string): Promise<number> {
    return this.#timelines.get(key)?.length ?? 0;
  }

  async trim(key: string, maxLength: number): Promise<number> {
    const all = this.#timelines.get(key) ?? [];
    const excess = Math.max(0, all.length - maxLength);
    this.#write(key, all.slice(excess));
    return excess;
  }

  async delete(key: string): Promise<void> {
    this.#timelines.delete(key);
  }

  /** Atomic within the process: compute and apply run in one synchronous step. */
  async update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options: TimelineWriteOptions,
  ): Promise<R> {
    const all = this.#timelines.get(key) ?? [];
    const { changes, result } = compute(ids.map((id) => all.find((e) => e.id === id)));
    const gone = new Set(changes.remove ?? []);
    this.#write(
      key,
      all.filter((e) => !gone.has(e.id)),
    );
    this.#put(key, changes.put ?? [], options.maxLength);
    return result;
  }
}

/** An activity driver on a Map. */
class MapActivities implements ActivityDriver {
  readonly name = 'core-only';
  readonly #payloads = new Map<string, string>();

  async getMany(ids: readonly string[]): Promise<(string | undefined)[]> {
    return ids.map((id) => this.#payloads.get(id));
  }

  async putMany(entries: readonly { readonly id: string; readonly payload: string }[]) {
    for (const e of entries) this.#payloads.set(e.id, e.payload);
  }

  async removeMany(ids: readonly string[]): Promise<number> {
    return ids.filter((id) => this.#payloads.delete(id)).length;
  }
}

/**
 * A fresh storage on the core-only drivers: `capabilities.markers` is false, and `addToMany`,
 * `removeFromMany` and `indexOf` are the wrapper's defaults.
 * @example
 * describeTimelineStorage({ name: 'core-only', create: () => coreOnlyStorage() });
 */
export function coreOnlyStorage(): Storage {
  return defineStorage({ timeline: new CoreOnlyTimeline(), activities: new MapActivities() });
}

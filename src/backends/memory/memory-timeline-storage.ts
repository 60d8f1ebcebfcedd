import { ConflictError } from '../../errors.js';
import type {
  RangeQuery,
  TimelineChanges,
  TimelineCompute,
  TimelineDriver,
  TimelineEntry,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import { SortedEntries } from './sorted-entries.js';

interface Timeline {
  readonly entries: SortedEntries;
  readonly markers: Map<string, Set<string>>;
}

/**
 * The in-memory timeline driver: the embedded default and the reference implementation of
 * {@link TimelineDriver}, with every optional part. Each instance has its own state. Operations complete synchronously
 * inside their promise, so every call is atomic within the process. Empty timelines are dropped,
 * so memory is bounded by what the feeds hold (their maxLength).
 */
export class MemoryTimelineStorage implements TimelineDriver {
  readonly name = 'memory';
  readonly #timelines = new Map<string, Timeline>();

  /** Number of non-empty timelines held (for leak checks). */
  get size(): number {
    return this.#timelines.size;
  }

  async add(
    key: string,
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
  ): Promise<number> {
    return this.#add(key, entries, options);
  }

  async addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
  ): Promise<void> {
    for (const key of keys) this.#add(key, entries, options);
  }

  async remove(key: string, ids: readonly string[]): Promise<number> {
    return this.#remove(key, ids);
  }

  async removeFromMany(keys: readonly string[], ids: readonly string[]): Promise<void> {
    for (const key of keys) this.#remove(key, ids);
  }

  async range(key: string, query: RangeQuery): Promise<TimelineEntry[]> {
    return this.#timelines.get(key)?.entries.range(query) ?? [];
  }

  async rangeMany(keys: readonly string[], query: RangeQuery): Promise<TimelineEntry[][]> {
    return keys.map((key) => this.#timelines.get(key)?.entries.range(query) ?? []);
  }

  async get(key: string, ids: readonly string[]): Promise<(TimelineEntry | undefined)[]> {
    const t = this.#timelines.get(key);
    return ids.map((id) => t?.entries.get(id));
  }

  async count(key: string): Promise<number> {
    return this.#timelines.get(key)?.entries.size ?? 0;
  }

  async indexOf(key: string, id: string, order: 'desc' | 'asc'): Promise<number> {
    return this.#timelines.get(key)?.entries.indexOf(id, order) ?? -1;
  }

  async trim(key: string, maxLength: number): Promise<number> {
    const t = this.#timelines.get(key);
    if (!t) return 0;
    const removed = t.entries.trim(maxLength);
    this.#unmarkAll(t, removed);
    this.#dropIfEmpty(key, t);
    return removed.length;
  }

  async delete(key: string): Promise<void> {
    this.#timelines.delete(key);
  }

  async update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options: TimelineWriteOptions,
  ): Promise<R> {
    const t = this.#timelines.get(key);
    const { changes, result } = compute(ids.map((id) => t?.entries.get(id)));
    this.#apply(key, changes, options);
    return result;
  }

  async countMarked(key: string, marker: string): Promise<number> {
    return this.#timelines.get(key)?.markers.get(marker)?.size ?? 0;
  }

  async isMarked(key: string, marker: string, ids: readonly string[]): Promise<boolean[]> {
    const set = this.#timelines.get(key)?.markers.get(marker);
    return ids.map((id) => set?.has(id) ?? false);
  }

  async clearMarker(
    key: string,
    marker: string,
    ids: readonly string[] | undefined,
  ): Promise<number> {
    const t = this.#timelines.get(key);
    const set = t?.markers.get(marker);
    if (!t || !set) return 0;
    if (ids === undefined) {
      t.markers.delete(marker);
      return set.size;
    }
    let cleared = 0;
    for (const id of ids) if (set.delete(id)) cleared += 1;
    if (set.size === 0) t.markers.delete(marker);
    return cleared;
  }

  #timeline(key: string): Timeline {
    let t = this.#timelines.get(key);
    if (!t) {
      t = { entries: new SortedEntries(), markers: new Map() };
      this.#timelines.set(key, t);
    }
    return t;
  }

  #add(key: string, entries: readonly TimelineEntry[], options: TimelineWriteOptions): number {
    const t = this.#timeline(key);
    const added = t.entries.upsert(entries.map(copyEntry));
    if (options.maxLength !== undefined) this.#unmarkAll(t, t.entries.trim(options.maxLength));
    this.#dropIfEmpty(key, t);
    return added;
  }

  #remove(key: string, ids: readonly string[]): number {
    const t = this.#timelines.get(key);
    if (!t) return 0;
    const removed = t.entries.remove(ids);
    this.#unmarkAll(t, removed);
    this.#dropIfEmpty(key, t);
    return removed.length;
  }

  #apply(key: string, changes: TimelineChanges, options: TimelineWriteOptions): void {
    const removing = new Set(changes.remove ?? []);
    const putting = new Set((changes.put ?? []).map((e) => e.id));
    const existing = this.#timelines.get(key)?.entries;
    for (const [marker, ids] of Object.entries(changes.mark ?? {})) {
      for (const id of ids) {
        const present = putting.has(id) || (!removing.has(id) && existing?.get(id) !== undefined);
        if (!present)
          throw new ConflictError(`cannot mark ${id} ${marker}: it is not in timeline ${key}`);
      }
    }
    const t = this.#timeline(key);
    if (changes.remove?.length) this.#unmarkAll(t, t.entries.remove(changes.remove));
    if (changes.put?.length) t.entries.upsert(changes.put.map(copyEntry));
    for (const [marker, ids] of Object.entries(changes.mark ?? {})) {
      let set = t.markers.get(marker);
      for (const id of ids) {
        if (!set) {
          set = new Set();
          t.markers.set(marker, set);
        }
        set.add(id);
      }
    }
    if (options.maxLength !== undefined) this.#unmarkAll(t, t.entries.trim(options.maxLength));
    for (const [marker, set] of t.markers) if (set.size === 0) t.markers.delete(marker);
    this.#dropIfEmpty(key, t);
  }

  #unmarkAll(t: Timeline, ids: readonly string[]): void {
    if (ids.length === 0) return;
    for (const [marker, set] of t.markers) {
      for (const id of ids) set.delete(id);
      if (set.size === 0) t.markers.delete(marker);
    }
  }

  #dropIfEmpty(key: string, t: Timeline): void {
    if (t.entries.size === 0) this.#timelines.delete(key);
  }
}

function copyEntry(e: TimelineEntry): TimelineEntry {
  return e.payload === undefined
    ? { id: e.id, score: e.score }
    : { id: e.id, score: e.score, payload: e.payload };
}

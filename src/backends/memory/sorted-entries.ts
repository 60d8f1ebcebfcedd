import type { RangeBound, RangeQuery, TimelineEntry } from '../../storage/contracts.js';

/** Compares two positions in `(score, id)` order. */
export function compareEntries(
  a: { score: number; id: string },
  b: { score: number; id: string },
): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * An ascending array of entries plus an id index: the memory backend's timeline.
 * Small inserts splice by binary search; large batches append and re-sort.
 */
export class SortedEntries {
  readonly #list: TimelineEntry[] = [];
  readonly #byId = new Map<string, TimelineEntry>();

  get size(): number {
    return this.#list.length;
  }

  get(id: string): TimelineEntry | undefined {
    return this.#byId.get(id);
  }

  /** Upserts entries (no id repeated: the storage wrapper reduced repeats); returns how many ids were new. */
  upsert(entries: readonly TimelineEntry[]): number {
    let added = 0;
    const fresh: TimelineEntry[] = [];
    for (const entry of entries) {
      const old = this.#byId.get(entry.id);
      if (old) this.#removeAt(this.#indexOf(old));
      else added += 1;
      this.#byId.set(entry.id, entry);
      fresh.push(entry);
    }
    if (fresh.length > 16) {
      for (const e of fresh) this.#list.push(e);
      this.#list.sort(compareEntries);
    } else {
      for (const e of fresh) this.#list.splice(this.#lowerBound(e), 0, e);
    }
    return added;
  }

  /** Removes ids; returns the ids that existed. */
  remove(ids: readonly string[]): string[] {
    const removed: string[] = [];
    for (const id of ids) {
      const entry = this.#byId.get(id);
      if (!entry) continue;
      this.#removeAt(this.#indexOf(entry));
      this.#byId.delete(id);
      removed.push(id);
    }
    return removed;
  }

  /** Keeps the `maxLength` highest entries; returns the removed ids. */
  trim(maxLength: number): string[] {
    const excess = this.#list.length - maxLength;
    if (excess <= 0) return [];
    const dropped = this.#list.splice(0, excess);
    for (const e of dropped) this.#byId.delete(e.id);
    return dropped.map((e) => e.id);
  }

  range(query: RangeQuery): TimelineEntry[] {
    let lo = 0;
    let hi = this.#list.length; // exclusive
    if (query.min) lo = this.#boundIndex(query.min, 'min');
    if (query.max) hi = this.#boundIndex(query.max, 'max');
    if (hi <= lo) return [];
    if (query.order === 'asc') return this.#list.slice(lo, Math.min(hi, lo + query.limit));
    return this.#list.slice(Math.max(lo, hi - query.limit), hi).reverse();
  }

  indexOf(id: string, order: 'desc' | 'asc'): number {
    const entry = this.#byId.get(id);
    if (!entry) return -1;
    const i = this.#indexOf(entry);
    return order === 'asc' ? i : this.#list.length - 1 - i;
  }

  ids(): IterableIterator<string> {
    return this.#byId.keys();
  }

  /** First index whose entry is >= e. */
  #lowerBound(e: { score: number; id: string }): number {
    let lo = 0;
    let hi = this.#list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEntries(this.#list[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** For `min`: first index inside the bound; for `max`: first index past it. */
  #boundIndex(bound: RangeBound, side: 'min' | 'max'): number {
    const i = this.#lowerBound(bound);
    const exact = i < this.#list.length && compareEntries(this.#list[i]!, bound) === 0;
    if (side === 'min') return exact && !bound.inclusive ? i + 1 : i;
    return exact && bound.inclusive ? i + 1 : i;
  }

  #indexOf(entry: TimelineEntry): number {
    return this.#lowerBound(entry);
  }

  #removeAt(i: number): void {
    this.#list.splice(i, 1);
  }
}

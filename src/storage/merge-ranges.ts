/**
 * The merge behind `TimelineStorage.rangeMerged` (the read side of a pulled feed): one page
 * merged from the pages of several timelines (the consumer's materialized timeline and the user
 * feeds of the producers it pulls). Every timeline is ordered by `(score, id)`, so one position
 * bound serves every source: the next page of the merge is each source's range after the last
 * `(score, id)` returned, read with the same query. Pure.
 * @module
 */

import { intOption, oneOfOption } from '../validation/values.js';
import type { RangeBound, TimelineEntry } from './contracts.js';

/** Up to this many sources the merge scans every head per entry; beyond it, a binary heap. */
const LINEAR_MAX = 8;

/** A head entry's place in the merge: its source (lower = higher priority) and position there. */
interface Head {
  readonly source: number;
  at: number;
}

/**
 * Whether `a` (of source `sa`) comes before `b` (of source `sb`) in `order`: by `(score, id)`,
 * ids compared by UTF-16 code unit (= bytes for the ASCII ids the contract allows), and at the
 * same `(score, id)` the lower source first, so that deduplication keeps the first source's entry.
 */
function before(
  a: TimelineEntry,
  sa: number,
  b: TimelineEntry,
  sb: number,
  desc: boolean,
): boolean {
  if (a.score !== b.score) return desc ? a.score > b.score : a.score < b.score;
  if (a.id !== b.id) return desc ? a.id > b.id : a.id < b.id;
  return sa < sb;
}

/** A binary min-heap of heads, "min" meaning first in the merge order. */
class HeadHeap {
  readonly #items: Head[] = [];
  readonly #first: (a: Head, b: Head) => boolean;

  constructor(first: (a: Head, b: Head) => boolean) {
    this.#first = first;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): Head | undefined {
    return this.#items[0];
  }

  push(head: Head): void {
    const items = this.#items;
    items.push(head);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#first(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  /** Restores the heap after the top head advanced (or drops it when its source is exhausted). */
  settleTop(exhausted: boolean): void {
    const items = this.#items;
    if (exhausted) {
      const last = items.pop()!;
      if (items.length === 0) return;
      items[0] = last;
    }
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < items.length && this.#first(items[l]!, items[best]!)) best = l;
      if (r < items.length && this.#first(items[r]!, items[best]!)) best = r;
      if (best === i) return;
      [items[i], items[best]] = [items[best]!, items[i]!];
      i = best;
    }
  }
}

/**
 * Merges pages read with the same range query from several timelines into the first `limit`
 * entries of their union in `order`. Each page must be in `order` (as `range` and `rangeMany`
 * return it) and hold no id twice. An id found in several pages appears once: the entry of the
 * first page that holds it (pages in priority order: page 0 is the consumer's materialized
 * timeline). Flat feeds give an id the same score everywhere (the activity time); should two
 * pages disagree, the entry that comes first in `order` is kept. Linear over the heads for up to
 * 8 pages, a binary heap beyond. Throws `INVALID_OPTION` for a bad `order` or `limit`.
 * @example
 * mergeRanges([timelinePage, producerPage], 'desc', 25); // the newest 25 of both, once each
 */
export function mergeRanges(
  pages: readonly (readonly TimelineEntry[])[],
  order: 'desc' | 'asc',
  limit: number,
): TimelineEntry[] {
  const desc = oneOfOption(order, ['desc', 'asc'], 'order') === 'desc';
  intOption(limit, 'limit', 1);
  if (pages.length === 1) return pages[0]!.slice(0, limit);
  const first = (a: Head, b: Head): boolean =>
    before(pages[a.source]![a.at]!, a.source, pages[b.source]![b.at]!, b.source, desc);
  const out: TimelineEntry[] = [];
  const seen = new Set<string>();
  const take = (head: Head): boolean => {
    const entry = pages[head.source]![head.at++]!;
    if (!seen.has(entry.id)) {
      seen.add(entry.id);
      out.push(entry);
    }
    return head.at >= pages[head.source]!.length;
  };
  const heads: Head[] = [];
  pages.forEach((page, source) => {
    if (page.length > 0) heads.push({ source, at: 0 });
  });
  if (heads.length <= LINEAR_MAX) {
    while (out.length < limit && heads.length > 0) {
      let best = 0;
      for (let h = 1; h < heads.length; h++) if (first(heads[h]!, heads[best]!)) best = h;
      if (take(heads[best]!)) heads.splice(best, 1);
    }
    return out;
  }
  const heap = new HeadHeap(first);
  for (const head of heads) heap.push(head);
  while (out.length < limit && heap.size > 0) heap.settleTop(take(heap.peek()!));
  return out;
}

/**
 * Whether `entry` lies below `floor` in `(score, id)` order (ids by UTF-16 code unit): what a
 * merged read with `floorAt` leaves out when the floor is an inclusive lower bound.
 */
export function belowFloor(
  entry: Pick<TimelineEntry, 'score' | 'id'>,
  floor: Pick<TimelineEntry, 'score' | 'id'>,
): boolean {
  return entry.score !== floor.score ? entry.score < floor.score : entry.id < floor.id;
}

/** The tighter of a query's lower bound and an inclusive floor at `floor`. */
export function raiseMin(min: RangeBound | undefined, floor: TimelineEntry): RangeBound {
  if (min === undefined || belowFloor(min, floor)) {
    return { score: floor.score, id: floor.id, inclusive: true };
  }
  return min; // at the floor (exclusive or not, it is at least as tight) or above it
}

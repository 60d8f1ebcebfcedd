/**
 * What `defineTimelineStorage` supplies for a driver: the check of the driver itself, and the
 * optional fast paths built on the required core (correct, slower) when the driver leaves them
 * out.
 * @module
 */
import { forEachLimited } from '../util/for-each-limited.js';
import { invalidOption } from '../validation/values.js';
import type {
  MergedRangeOptions,
  RangeQuery,
  TimelineDriver,
  TimelineEntry,
  TimelineHints,
  TimelineWriteOptions,
} from './contracts.js';
import { belowFloor, mergeRanges, raiseMin } from './merge-ranges.js';

const REQUIRED = ['add', 'remove', 'range', 'get', 'count', 'trim', 'delete', 'update'] as const;
const FAST_PATHS = ['addToMany', 'removeFromMany', 'rangeMany', 'rangeMerged', 'indexOf'] as const;
const MARKERS = ['countMarked', 'isMarked', 'clearMarker'] as const;

/** Timelines written (or read) at once by the defaults of `addToMany`, `removeFromMany` and `rangeMany`. */
const FANOUT_CONCURRENCY = 16;

/**
 * Checks a driver: a name, every required method, optional ones functions when present, and
 * markers all or none. Returns whether it has markers; throws `INVALID_OPTION`.
 */
export function checkDriver(driver: unknown): boolean {
  if (typeof driver !== 'object' || driver === null) {
    throw invalidOption('timeline driver', 'must be an object');
  }
  const d = driver as Record<string, unknown>;
  if (typeof d.name !== 'string' || d.name.length === 0) {
    throw invalidOption('timeline driver', 'must have a name');
  }
  const what = `timeline driver ${d.name}`;
  for (const method of REQUIRED) {
    if (typeof d[method] !== 'function') throw invalidOption(what, `must implement ${method}()`);
  }
  for (const method of [...FAST_PATHS, ...MARKERS, 'clearMarkers']) {
    if (d[method] !== undefined && typeof d[method] !== 'function') {
      throw invalidOption(what, `${method} must be a method when present`);
    }
  }
  const present = MARKERS.filter((m) => d[m] !== undefined);
  if (present.length !== 0 && present.length !== MARKERS.length) {
    throw invalidOption(what, `must implement all of ${MARKERS.join(', ')} or none`);
  }
  if (d.clearMarkers !== undefined && present.length === 0) {
    throw invalidOption(what, `clearMarkers needs the marker methods (${MARKERS.join(', ')})`);
  }
  return present.length === MARKERS.length;
}

/**
 * Whether `ids` is strictly increasing or strictly decreasing, so holds no repeat: answered with
 * one comparison an id, where a `Set` of the ids hashes each one (a page of a timeline, ids in
 * time order, is sorted: 0.4 us against 2 us for 25 activity ids).
 */
function isSorted(ids: readonly string[]): boolean {
  if (ids.length < 2) return true;
  const down = ids[1]! < ids[0]!;
  for (let i = 1; i < ids.length; i++) {
    const a = ids[i - 1]!;
    const b = ids[i]!;
    if (down ? !(b < a) : !(a < b)) return false;
  }
  return true;
}

/**
 * Positional lookup with repeated ids answered from one lookup of each id: `fetch` sees every id
 * once (the same array when none repeats); an empty `ids` gives `[]` without calling it.
 */
export async function positional<T>(
  ids: readonly string[],
  fetch: (unique: readonly string[]) => Promise<T[]>,
): Promise<T[]> {
  if (ids.length === 0) return [];
  if (isSorted(ids)) return fetch(ids);
  const unique = [...new Set(ids)];
  if (unique.length === ids.length) return fetch(ids);
  const found = await fetch(unique);
  const at = new Map(unique.map((id, i) => [id, found[i] as T]));
  return ids.map((id) => at.get(id) as T);
}

/** The optional fast paths of a driver, built on its required core. */
export interface TimelineDefaults {
  /** `add` on each key. */
  addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<void>;
  /** `remove` on each key. */
  removeFromMany(
    keys: readonly string[],
    ids: readonly string[],
    hints: TimelineHints,
  ): Promise<void>;
  /** `range` on each key, positional. */
  rangeMany(
    keys: readonly string[],
    query: RangeQuery,
    hints: TimelineHints,
  ): Promise<TimelineEntry[][]>;
  /** The entry's position: `get`, `count`, then one `range` of the entries before it. */
  indexOf(key: string, id: string, order: 'desc' | 'asc', hints: TimelineHints): Promise<number>;
}

/**
 * The defaults of a driver's optional fast paths: `addToMany`/`removeFromMany`/`rangeMany` run
 * `add`/`remove`/`range` per key ({@link FANOUT_CONCURRENCY} at a time; the first failure is
 * thrown once the running ones settled), and `indexOf` reads the entry, then counts the entries before it with one range.
 */
export function timelineDefaults(d: TimelineDriver): TimelineDefaults {
  return {
    addToMany: (keys, entries, options, hints) =>
      forEachLimited(keys, FANOUT_CONCURRENCY, (key) => d.add(key, entries, options, hints)),
    removeFromMany: (keys, ids, hints) =>
      forEachLimited(keys, FANOUT_CONCURRENCY, (key) => d.remove(key, ids, hints)),
    async rangeMany(keys, query, hints) {
      const out: TimelineEntry[][] = new Array(keys.length);
      const positions = keys.map((_, i) => i);
      await forEachLimited(positions, FANOUT_CONCURRENCY, async (i) => {
        out[i] = await d.range(keys[i]!, query, hints);
      });
      return out;
    },
    async indexOf(key, id, order, hints) {
      const [entry] = await d.get(key, [id], hints);
      if (entry === undefined) return -1;
      const limit = Math.max(1, await d.count(key, hints));
      const bound = { score: entry.score, id: entry.id, inclusive: false };
      const before = await d.range(
        key,
        order === 'desc'
          ? { order: 'asc', limit, min: bound }
          : { order: 'desc', limit, max: bound },
        hints,
      );
      return before.length;
    },
  };
}

/** What {@link rangeMergedOnClient} reads through: a driver's reads (its `rangeMany` or the default). */
export interface MergeReads {
  rangeMany(
    keys: readonly string[],
    query: RangeQuery,
    hints: TimelineHints,
  ): Promise<TimelineEntry[][]>;
  range(key: string, query: RangeQuery, hints: TimelineHints): Promise<TimelineEntry[]>;
  count(key: string, hints: TimelineHints): Promise<number>;
}

/**
 * `rangeMerged` in the client: one `rangeMany` merged by {@link mergeRanges}. With `floorAt`, the
 * first timeline's length and lowest entry are read too: newest first, at the same time as the
 * pages (the entries below the floor come last in every page, so cutting them off leaves what
 * the bounded query would read); oldest first, before them (the floor raises every page's `min`).
 */
export async function rangeMergedOnClient(
  reads: MergeReads,
  keys: readonly string[],
  query: RangeQuery,
  options: MergedRangeOptions,
  hints: TimelineHints,
): Promise<TimelineEntry[]> {
  const { floorAt } = options;
  const merge = (pages: readonly (readonly TimelineEntry[])[]) =>
    mergeRanges(pages, query.order, query.limit);
  if (floorAt === undefined) return merge(await reads.rangeMany(keys, query, hints));
  const floorOf = async (): Promise<TimelineEntry | undefined> => {
    const [length, lowest] = await Promise.all([
      reads.count(keys[0]!, hints),
      reads.range(keys[0]!, { order: 'asc', limit: 1 }, hints),
    ]);
    return length >= floorAt ? lowest[0] : undefined;
  };
  if (query.order === 'asc') {
    const floor = await floorOf();
    const bounded = floor ? { ...query, min: raiseMin(query.min, floor) } : query;
    return merge(await reads.rangeMany(keys, bounded, hints));
  }
  const [floor, pages] = await Promise.all([floorOf(), reads.rangeMany(keys, query, hints)]);
  return merge(floor ? pages.map((page) => page.filter((e) => !belowFloor(e, floor))) : pages);
}

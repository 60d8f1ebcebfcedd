/**
 * What `defineTimelineStorage` supplies for a driver: the check of the driver itself, and the
 * optional fast paths built on the required core (correct, slower) when the driver leaves them
 * out.
 * @module
 */
import { forEachLimited } from '../util/for-each-limited.js';
import { invalidOption } from '../validation/values.js';
import type {
  RangeQuery,
  TimelineDriver,
  TimelineEntry,
  TimelineHints,
  TimelineWriteOptions,
} from './contracts.js';

const REQUIRED = ['add', 'remove', 'range', 'get', 'count', 'trim', 'delete', 'update'] as const;
const FAST_PATHS = ['addToMany', 'removeFromMany', 'rangeMany', 'indexOf'] as const;
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
  for (const method of [...FAST_PATHS, ...MARKERS]) {
    if (d[method] !== undefined && typeof d[method] !== 'function') {
      throw invalidOption(what, `${method} must be a method when present`);
    }
  }
  const present = MARKERS.filter((m) => d[m] !== undefined);
  if (present.length !== 0 && present.length !== MARKERS.length) {
    throw invalidOption(what, `must implement all of ${MARKERS.join(', ')} or none`);
  }
  return present.length === MARKERS.length;
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
  const unique = ids.length < 2 ? ids : [...new Set(ids)];
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

/**
 * The contract wrapper (v2): a backend supplies a small driver ({@link TimelineDriver},
 * {@link ActivityDriver}); {@link defineTimelineStorage} and {@link defineActivityStorage} turn it
 * into the full interface the feeds call. They check every argument once, with typed errors
 * (`argument-checks.ts`), normalise it (a repeated id in one call: the last one wins; empty calls
 * never reach the driver), and supply the optional fast paths the driver leaves out
 * (`timeline-defaults.ts`). Every storage factory of the library builds its storage here.
 * @module
 */
import { UnsupportedOperationError } from '../errors.js';
import { invalidOption } from '../validation/values.js';
import {
  checkChanges,
  checkEntries,
  checkEntryId,
  checkEntryIds,
  checkIdOnlyOptions,
  checkKey,
  checkKeys,
  checkMarker,
  checkMarkers,
  checkMaxLength,
  checkMergedRangeOptions,
  checkOrder,
  checkRangeQuery,
  checkUniqueIds,
  checkWriteOptions,
} from './argument-checks.js';
import type {
  ActivityDriver,
  IdOnlyOptions,
  IdOnlyTimeline,
  MergedRangeOptions,
  RangeQuery,
  TimelineCompute,
  TimelineDriver,
  TimelineHints,
  TimelineStorage,
  TimelineUpdate,
  TimelineWriteOptions,
} from './contracts.js';
import { type DefinedActivityStorage, defineActivityStorage } from './define-activity-storage.js';
import { isDefined, wrap } from './driver-wrap.js';
import {
  countResult,
  entryResult,
  flagResult,
  resultCount,
  resultEntries,
  resultIndex,
  resultPositional,
  resultRanges,
} from './result-checks.js';
import {
  checkDriver,
  positional,
  rangeMergedOnClient,
  timelineDefaults,
} from './timeline-defaults.js';

/** A defined timeline storage: the full contract, plus the driver's own members (e.g. a getter). */
export type DefinedTimelineStorage<D extends TimelineDriver> = TimelineStorage &
  Omit<D, keyof TimelineDriver | keyof TimelineStorage>;

/** What {@link defineStorage} takes: a timeline and an activity driver, and anything else. */
export interface StorageDrivers {
  readonly timeline: TimelineDriver;
  readonly activities: ActivityDriver;
}

/** What {@link defineStorage} returns: the drivers defined, the other members kept. */
export type DefinedStorage<S extends StorageDrivers> = Readonly<
  Omit<S, 'timeline' | 'activities'>
> & {
  readonly timeline: DefinedTimelineStorage<S['timeline']>;
  readonly activities: DefinedActivityStorage<S['activities']>;
};

const FULL: TimelineHints = Object.freeze({ idsOnly: false });
const IDS_ONLY: TimelineHints = Object.freeze({ idsOnly: true });

/**
 * Turns a timeline driver into the {@link TimelineStorage} the feeds call. Every method rejects
 * (never throws synchronously) bad arguments with `INVALID_ID` or `INVALID_OPTION` without
 * calling the driver: keys are non-empty well-formed strings, ids 1-64 ASCII characters (no NUL),
 * scores safe integers, marker names valid, `maxLength` and `limit` integers, range queries
 * without unknown keys (`offset` too: page by bounds), and what an update's `compute` returns
 * well-formed (checked inside `compute`, so nothing is written). Marker methods reject with
 * UnsupportedOperationError when the driver has none. Throws `INVALID_OPTION` at once for a
 * driver that lacks a required method.
 * @example
 * const timeline = defineTimelineStorage(new MyTimelineDriver(client));
 */
export function defineTimelineStorage<D extends TimelineDriver>(
  driver: D,
): DefinedTimelineStorage<D> {
  if (isDefined(driver)) return driver as unknown as DefinedTimelineStorage<D>;
  const markers = checkDriver(driver);
  const d: TimelineDriver = driver;
  const fallback = timelineDefaults(d);
  const addToMany = d.addToMany?.bind(d) ?? fallback.addToMany;
  const removeFromMany = d.removeFromMany?.bind(d) ?? fallback.removeFromMany;
  const rangeManyOf = d.rangeMany?.bind(d) ?? fallback.rangeMany;
  // What the client-side rangeMerged reads, each result checked as the public call checks it.
  const mergeReads = {
    rangeMany: async (keys: readonly string[], q: RangeQuery, hints: TimelineHints) =>
      resultRanges(d.name, keys, await rangeManyOf(keys, q, hints), q.limit),
    range: async (key: string, q: RangeQuery, hints: TimelineHints) =>
      resultEntries(d.name, key, await d.range(key, q, hints), q.limit),
    count: async (key: string, hints: TimelineHints) =>
      resultCount(d.name, 'count', key, await d.count(key, hints)),
  };
  const rangeMergedOf =
    d.rangeMerged?.bind(d) ??
    ((keys: readonly string[], q: RangeQuery, o: MergedRangeOptions, hints: TimelineHints) =>
      rangeMergedOnClient(mergeReads, keys, q, o, hints));
  const noMarkers = async (): Promise<never> => {
    throw new UnsupportedOperationError(`timeline storage ${d.name} has no markers`);
  };

  const add = async (
    key: string,
    entries: unknown,
    options: unknown,
    hints: TimelineHints,
  ): Promise<number> => {
    checkKey(key);
    const checked = checkEntries(entries, hints.idsOnly);
    const o = checkWriteOptions(options);
    return checked.length === 0
      ? 0
      : resultCount(d.name, 'add', key, await d.add(key, checked, o, hints));
  };
  const addMany = async (
    keys: unknown,
    entries: unknown,
    options: unknown,
    hints: TimelineHints,
  ): Promise<void> => {
    const k = checkKeys(keys);
    const checked = checkEntries(entries, hints.idsOnly);
    const o = checkWriteOptions(options);
    if (k.length > 0 && checked.length > 0) await addToMany(k, checked, o, hints);
  };
  const remove = async (key: string, ids: unknown, hints: TimelineHints): Promise<number> => {
    checkKey(key);
    const unique = checkUniqueIds(ids);
    return unique.length === 0
      ? 0
      : resultCount(d.name, 'remove', key, await d.remove(key, unique, hints));
  };
  const removeMany = async (keys: unknown, ids: unknown, hints: TimelineHints): Promise<void> => {
    const k = checkKeys(keys);
    const unique = checkUniqueIds(ids);
    if (k.length > 0 && unique.length > 0) await removeFromMany(k, unique, hints);
  };
  const range = async (key: string, query: unknown, hints: TimelineHints) => {
    const q = checkRangeQuery(query);
    return resultEntries(d.name, key, await d.range(checkKey(key), q, hints), q.limit);
  };
  const rangeMany = async (keys: unknown, query: unknown, hints: TimelineHints) => {
    const k = checkKeys(keys);
    const q = checkRangeQuery(query);
    if (k.length === 0) return [];
    const unique = k.length < 2 ? k : [...new Set(k)];
    const ranges = resultRanges(d.name, unique, await rangeManyOf(unique, q, hints), q.limit);
    if (unique.length === k.length) return ranges;
    const at = new Map(unique.map((key, i) => [key, ranges[i]!]));
    return k.map((key) => [...at.get(key)!]); // a repeated key: its own copy of the same range
  };
  const rangeMerged = async (
    keys: unknown,
    query: unknown,
    options: unknown,
    hints: TimelineHints,
  ) => {
    const k = checkKeys(keys);
    const q = checkRangeQuery(query);
    const o = checkMergedRangeOptions(options);
    if (k.length === 0) return [];
    const unique = k.length < 2 ? k : [...new Set(k)]; // the first occurrence keeps its priority
    const first = unique[0]!;
    // One timeline: its own range (a floor at its own lowest entry changes nothing).
    if (unique.length === 1)
      return resultEntries(d.name, first, await d.range(first, q, hints), q.limit);
    const merged = await rangeMergedOf(unique, q, o, hints);
    return resultEntries(d.name, first, merged, q.limit, 'rangeMerged');
  };
  const count = async (key: string, hints: TimelineHints) =>
    resultCount(d.name, 'count', key, await d.count(checkKey(key), hints));
  const indexOf = async (key: string, id: string, order: unknown, hints: TimelineHints) => {
    checkKey(key);
    checkEntryId(id);
    const o = checkOrder(order);
    const at = d.indexOf
      ? await d.indexOf(key, id, o, hints)
      : await fallback.indexOf(key, id, o, hints);
    return resultIndex(d.name, key, at);
  };
  const trim = async (key: string, maxLength: unknown, hints: TimelineHints) =>
    resultCount(d.name, 'trim', key, await d.trim(checkKey(key), checkMaxLength(maxLength), hints));
  const del = async (key: string, hints: TimelineHints) => d.delete(checkKey(key), hints);
  const get = async (key: string, ids: unknown, hints: TimelineHints) => {
    checkKey(key);
    return positional(checkEntryIds(ids), async (unique) =>
      resultPositional(
        d.name,
        'get',
        key,
        await d.get(key, unique, hints),
        unique.length,
        entryResult,
        true,
      ),
    );
  };

  const update = async <R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options?: TimelineWriteOptions,
  ): Promise<R> => {
    checkKey(key);
    checkEntryIds(ids);
    if (typeof compute !== 'function') {
      throw invalidOption('compute', 'must be a function (current) => { changes, result }');
    }
    const o = checkWriteOptions(options);
    return d.update(
      key,
      ids,
      (current) => {
        resultPositional(d.name, 'update', key, current, ids.length, entryResult, true);
        const u = compute(current);
        const changes = checkChanges((u as Partial<TimelineUpdate<R>> | null)?.changes);
        if (changes.mark !== undefined && !markers) {
          throw new UnsupportedOperationError(
            `timeline storage ${d.name} has no markers: update() cannot mark`,
          );
        }
        return { changes, result: u.result };
      },
      o,
    );
  };

  /** The id-only view whose calls carry `hints`. */
  const idOnlyView = (hints: TimelineHints): IdOnlyTimeline =>
    Object.freeze({
      name: d.name,
      add: (key: string, entries: unknown, options?: unknown) => add(key, entries, options, hints),
      addToMany: (keys: unknown, entries: unknown, options?: unknown) =>
        addMany(keys, entries, options, hints),
      remove: (key: string, ids: unknown) => remove(key, ids, hints),
      removeFromMany: (keys: unknown, ids: unknown) => removeMany(keys, ids, hints),
      range: (key: string, query: unknown) => range(key, query, hints),
      rangeMany: (keys: unknown, query: unknown) => rangeMany(keys, query, hints),
      rangeMerged: (keys: unknown, query: unknown, options?: unknown) =>
        rangeMerged(keys, query, options, hints),
      get: (key: string, ids: unknown) => get(key, ids, hints),
      count: (key: string) => count(key, hints),
      indexOf: (key: string, id: string, order: unknown) => indexOf(key, id, order, hints),
      trim: (key: string, maxLength: unknown) => trim(key, maxLength, hints),
      delete: (key: string) => del(key, hints),
    });
  const idsOnly = idOnlyView(IDS_ONLY);

  const members: TimelineStorage = {
    name: d.name,
    capabilities: Object.freeze({ markers }),
    add: (key, entries, options) => add(key, entries, options, FULL),
    addToMany: (keys, entries, options) => addMany(keys, entries, options, FULL),
    remove: (key, ids) => remove(key, ids, FULL),
    removeFromMany: (keys, ids) => removeMany(keys, ids, FULL),
    range: (key, query) => range(key, query, FULL),
    rangeMany: (keys, query) => rangeMany(keys, query, FULL),
    rangeMerged: (keys, query, options) => rangeMerged(keys, query, options, FULL),
    get: (key, ids) => get(key, ids, FULL),
    count: (key) => count(key, FULL),
    indexOf: (key, id, order) => indexOf(key, id, order, FULL),
    trim: (key, maxLength) => trim(key, maxLength, FULL),
    delete: (key) => del(key, FULL),
    update,
    countMarked: !markers
      ? noMarkers
      : async (key, marker) =>
          resultCount(
            d.name,
            'countMarked',
            key,
            await d.countMarked!(checkKey(key), checkMarker(marker)),
          ),
    isMarked: !markers
      ? noMarkers
      : async (key, marker, ids) => {
          checkKey(key);
          checkMarker(marker);
          return positional(checkEntryIds(ids), async (unique) =>
            resultPositional(
              d.name,
              'isMarked',
              key,
              await d.isMarked!(key, marker, unique),
              unique.length,
              flagResult,
              false,
            ),
          ) as Promise<boolean[]>;
        },
    clearMarker: !markers
      ? noMarkers
      : async (key, marker, ids) => {
          checkKey(key);
          checkMarker(marker);
          const unique = ids === undefined ? undefined : checkUniqueIds(ids);
          if (unique?.length === 0) return 0;
          return resultCount(d.name, 'clearMarker', key, await d.clearMarker!(key, marker, unique));
        },
    clearMarkers: !markers
      ? noMarkers
      : async (key, names, ids) => {
          checkKey(key);
          const unique = ids === undefined ? undefined : checkUniqueIds(ids);
          return positional(checkMarkers(names), async (distinct) => {
            if (unique?.length === 0) return distinct.map(() => 0);
            const counts = d.clearMarkers
              ? await d.clearMarkers(key, distinct, unique)
              : await Promise.all(distinct.map((m) => d.clearMarker!(key, m, unique)));
            return resultPositional(
              d.name,
              'clearMarkers',
              key,
              counts,
              distinct.length,
              countResult,
              false,
            ) as number[];
          });
        },
    idsOnly: (options?: IdOnlyOptions) => {
      const scoreOf = checkIdOnlyOptions(options);
      return scoreOf ? idOnlyView(Object.freeze({ idsOnly: true, scoreOf })) : idsOnly;
    },
  };
  return wrap<DefinedTimelineStorage<D>>(driver, members as unknown as Record<string, unknown>);
}

/**
 * A storage (and whatever else the backend's object carries, e.g. its prefix) with its timeline
 * and activity drivers defined by {@link defineTimelineStorage} and
 * {@link defineActivityStorage}; frozen. Every storage factory of the library returns this.
 * @example
 * return defineStorage({ timeline: new MyTimelineDriver(db), activities: new MyActivityDriver(db) });
 */
export function defineStorage<S extends StorageDrivers>(storage: S): DefinedStorage<S> {
  if (typeof storage !== 'object' || storage === null) {
    throw invalidOption('storage', 'must be an object { timeline, activities } of two drivers');
  }
  return Object.freeze({
    ...storage,
    timeline: defineTimelineStorage(storage.timeline),
    activities: defineActivityStorage(storage.activities),
  }) as DefinedStorage<S>;
}

/**
 * The contract wrapper: every storage factory returns its timeline and activity storage wrapped
 * here, so the arguments every backend receives are checked once, with typed errors, before the
 * backend sees them (see `argument-checks.ts` for the rules). Backends do not repeat these checks.
 * @module
 */
import { invalidOption } from '../validation/values.js';
import {
  checkChanges,
  checkEntries,
  checkEntryId,
  checkEntryIds,
  checkKey,
  checkKeys,
  checkMarker,
  checkMaxLength,
  checkOrder,
  checkPayloads,
  checkRangeQuery,
  checkWriteOptions,
} from './argument-checks.js';
import type {
  ActivityStorage,
  Storage,
  TimelineEntry,
  TimelineStorage,
  TimelineUpdate,
} from './contracts.js';

/** Wrapped objects, so that wrapping twice is a no-op. */
const wrapped = new WeakSet<object>();

/** The methods of a contract, checked, calling the real storage. */
type Methods<T> = { [K in keyof T]?: T[K] };

/**
 * A proxy of `inner` whose contract methods are `methods` and whose other members (name,
 * capabilities, a backend's own getters) are the inner storage's, read on the inner object.
 */
function wrap<T extends object>(inner: T, methods: Methods<T>): T {
  if (wrapped.has(inner)) return inner;
  const proxy = new Proxy(inner, {
    get(target, property) {
      if (Object.hasOwn(methods, property)) return methods[property as keyof T];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  wrapped.add(proxy);
  return proxy;
}

/**
 * Wraps a timeline storage so that its arguments are checked before it is called: keys are
 * non-empty well-formed strings, ids 1-64 ASCII characters (no NUL), scores safe integers,
 * marker names valid (`assertMarkerName`), `maxLength`, `limit` and `offset` integers, and what an
 * update's `compute` returns well-formed (checked inside `compute`, so nothing is written). Every
 * method rejects (never throws synchronously) with `INVALID_ID` or `INVALID_OPTION`; the backend
 * is not called then.
 */
export function checkedTimelineStorage<T extends TimelineStorage>(inner: T): T {
  const t: TimelineStorage = inner;
  return wrap<TimelineStorage>(inner, {
    add: async (key, entries, options) =>
      t.add(checkKey(key), checkEntries(entries), checkWriteOptions(options)),
    addToMany: async (keys, entries, options) =>
      t.addToMany(checkKeys(keys), checkEntries(entries), checkWriteOptions(options)),
    remove: async (key, ids, options) =>
      t.remove(checkKey(key), checkEntryIds(ids), checkWriteOptions(options)),
    removeFromMany: async (keys, ids, options) =>
      t.removeFromMany(checkKeys(keys), checkEntryIds(ids), checkWriteOptions(options)),
    range: async (key, query) => t.range(checkKey(key), checkRangeQuery(query)),
    get: async (key, ids) => t.get(checkKey(key), checkEntryIds(ids)),
    count: async (key) => t.count(checkKey(key)),
    indexOf: async (key, id, order) =>
      t.indexOf(checkKey(key), checkEntryId(id), checkOrder(order)),
    trim: async (key, maxLength) => t.trim(checkKey(key), checkMaxLength(maxLength)),
    delete: async (key) => t.delete(checkKey(key)),
    update: async <R>(
      key: string,
      ids: readonly string[],
      compute: (current: readonly (TimelineEntry | undefined)[]) => TimelineUpdate<R>,
      options?: Parameters<TimelineStorage['update']>[3],
    ): Promise<R> => {
      checkKey(key);
      checkEntryIds(ids);
      if (typeof compute !== 'function') {
        throw invalidOption('compute', 'must be a function (current) => { changes, result }');
      }
      checkWriteOptions(options);
      return t.update(
        key,
        ids,
        (current) => {
          const update = compute(current);
          const changes = checkChanges((update as Partial<TimelineUpdate<R>> | null)?.changes);
          return { changes, result: update.result };
        },
        options,
      );
    },
    countMarked: async (key, marker) => t.countMarked(checkKey(key), checkMarker(marker)),
    isMarked: async (key, marker, ids) =>
      t.isMarked(checkKey(key), checkMarker(marker), checkEntryIds(ids)),
    setMarked: async (key, marker, ids, on) => {
      if (typeof on !== 'boolean') throw invalidOption('on', 'must be a boolean');
      return t.setMarked(checkKey(key), checkMarker(marker), checkEntryIds(ids), on);
    },
    clearMarker: async (key, marker) => t.clearMarker(checkKey(key), checkMarker(marker)),
  }) as T;
}

/** Wraps an activity storage so that its ids and payloads are checked before it is called. */
export function checkedActivityStorage<T extends ActivityStorage>(inner: T): T {
  const a: ActivityStorage = inner;
  return wrap<ActivityStorage>(inner, {
    getMany: async (ids) => a.getMany(checkEntryIds(ids)),
    putMany: async (entries) => a.putMany(checkPayloads(entries)),
    removeMany: async (ids) => a.removeMany(checkEntryIds(ids)),
  }) as T;
}

/**
 * A storage (and whatever else the backend's object carries, e.g. its prefix) with its timeline
 * and activity storage wrapped by {@link checkedTimelineStorage} and
 * {@link checkedActivityStorage}; frozen. Every storage factory of the library returns this.
 */
export function checkedStorage<S extends Storage>(storage: S): S {
  return Object.freeze({
    ...storage,
    timeline: checkedTimelineStorage(storage.timeline),
    activities: checkedActivityStorage(storage.activities),
  });
}

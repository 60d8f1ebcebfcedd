/**
 * The storage contracts (v2). Two sides, in the style of Kysely's dialects:
 *
 * - what the feeds call: {@link TimelineStorage} and {@link ActivityStorage}, the full
 *   interfaces; every storage factory returns them;
 * - what a backend supplies: {@link TimelineDriver} (a small required core plus optional fast
 *   paths and optional markers) and {@link ActivityDriver}. `defineTimelineStorage` and
 *   `defineActivityStorage` (`define-storage.ts`) turn a driver into the full interface: they check
 *   every argument once, with typed errors, normalise it (a repeated id in one call: the last one
 *   wins; empty calls never reach the driver) and fill in the fast paths a driver leaves out.
 *
 * Payloads are opaque strings produced by a Serializer. `stream-framework/testing` checks any
 * storage against these contracts.
 * @module
 */

/** One entry of a timeline. Timelines are ordered by `(score, id)`, newest (highest) first. */
export interface TimelineEntry {
  /** Entry id: an activity id (flat feeds) or a group id (aggregated feeds). 1-64 ASCII characters, no NUL. */
  readonly id: string;
  /** Sort score: the activity time in ms for flat feeds, the group rank for aggregated feeds. A safe integer. */
  readonly score: number;
  /** Serialized activity or group, for denormalized timelines; absent for id-only entries. */
  readonly payload?: string | undefined;
}

/** A position in `(score, id)` order, used to bound a range read. */
export interface RangeBound {
  readonly score: number;
  readonly id: string;
  /** Whether an entry exactly at the bound is included. */
  readonly inclusive: boolean;
}

/**
 * A range read: the first `limit` entries in `order` between `min` and `max`. There is no
 * offset: a caller pages by bounds (the last entry of a page, exclusive, is the next page's bound).
 */
export interface RangeQuery {
  /** Maximum number of entries to return (a positive integer). */
  readonly limit: number;
  /** `'desc'`: highest `(score, id)` first (newest first); `'asc'`: lowest first. */
  readonly order: 'desc' | 'asc';
  /** Lower bound in `(score, id)` order. */
  readonly min?: RangeBound | undefined;
  /** Upper bound in `(score, id)` order. */
  readonly max?: RangeBound | undefined;
}

/** Options of {@link TimelineStorage.rangeMerged}. */
export interface MergedRangeOptions {
  /**
   * The capacity of the first timeline (a feed's `maxLength`): when it holds `floorAt` entries or
   * more, nothing below its lowest entry is returned, from any timeline (a merged source cannot
   * reach further back than the first timeline could hold). A positive integer; absent: no floor.
   */
  readonly floorAt?: number | undefined;
}

/** Options of a timeline write. */
export interface TimelineWriteOptions {
  /** When set, the timeline is trimmed to its `maxLength` highest entries in the same atomic step. */
  readonly maxLength?: number | undefined;
}

/** Changes applied by {@link TimelineStorage.update}, atomically, to one timeline. */
export interface TimelineChanges {
  /** Entries to insert or replace (by id; a repeated id: the last one wins). */
  readonly put?: readonly TimelineEntry[] | undefined;
  /** Ids of entries to remove (with their markers). */
  readonly remove?: readonly string[] | undefined;
  /**
   * Marker name -> ids to set that marker on, in the same step as the entries are written (ids
   * must be in the timeline after the change). The only way to set a marker; clear one with
   * {@link TimelineStorage.clearMarker}. Needs `capabilities.markers`.
   */
  readonly mark?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** What a {@link TimelineStorage.update} callback returns: the changes and a result for the caller. */
export interface TimelineUpdate<R> {
  readonly changes: TimelineChanges;
  readonly result: R;
}

/** The read-modify-write callback of {@link TimelineStorage.update}. */
export type TimelineCompute<R> = (
  current: readonly (TimelineEntry | undefined)[],
) => TimelineUpdate<R>;

/** What a timeline storage can do beyond the required core; feeds refuse what it cannot. */
export interface TimelineCapabilities {
  /** Markers (`update`'s `mark`, `countMarked`, `isMarked`, `clearMarker(s)`) are supported. */
  readonly markers: boolean;
}

/**
 * A timeline that the caller declared id-only (see {@link TimelineStorage.idsOnly}): its entries
 * carry no payload and no marker, and it is never changed through `update`.
 */
export interface IdOnlyTimeline {
  /** Backend name for errors and logs. */
  readonly name: string;
  /** {@link TimelineStorage.add}; an entry with a payload is refused with `INVALID_OPTION`. */
  add(
    key: string,
    entries: readonly TimelineEntry[],
    options?: TimelineWriteOptions,
  ): Promise<number>;
  /** {@link TimelineStorage.addToMany}; an entry with a payload is refused with `INVALID_OPTION`. */
  addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options?: TimelineWriteOptions,
  ): Promise<void>;
  /** {@link TimelineStorage.remove}. */
  remove(key: string, ids: readonly string[]): Promise<number>;
  /** {@link TimelineStorage.removeFromMany}. */
  removeFromMany(keys: readonly string[], ids: readonly string[]): Promise<void>;
  /** {@link TimelineStorage.range}, without payloads. */
  range(key: string, query: RangeQuery): Promise<TimelineEntry[]>;
  /** {@link TimelineStorage.get}, without payloads. */
  get(key: string, ids: readonly string[]): Promise<(TimelineEntry | undefined)[]>;
  /** {@link TimelineStorage.rangeMany}, without payloads. */
  rangeMany(keys: readonly string[], query: RangeQuery): Promise<TimelineEntry[][]>;
  /** {@link TimelineStorage.rangeMerged}, without payloads. */
  rangeMerged(
    keys: readonly string[],
    query: RangeQuery,
    options?: MergedRangeOptions,
  ): Promise<TimelineEntry[]>;
  /** {@link TimelineStorage.count}. */
  count(key: string): Promise<number>;
  /** {@link TimelineStorage.indexOf}. */
  indexOf(key: string, id: string, order: 'desc' | 'asc'): Promise<number>;
  /** {@link TimelineStorage.trim}. */
  trim(key: string, maxLength: number): Promise<number>;
  /** {@link TimelineStorage.delete}. */
  delete(key: string): Promise<void>;
}

/**
 * Per-feed ordered collections of entries, plus named markers (e.g. "unseen") on entries: what
 * the feeds call. Build one from a {@link TimelineDriver} with `defineTimelineStorage`. Markers
 * never outlive their entry: removing, trimming or deleting an entry clears its markers, so
 * marker counts always equal what the timeline holds. Every method rejects bad arguments with a
 * ValidationError (`INVALID_ID` or `INVALID_OPTION`) before anything is written.
 */
export interface TimelineStorage {
  /** Backend name for errors and logs, e.g. `'memory'`. */
  readonly name: string;
  /** What the driver supports beyond the required core (derived by `defineTimelineStorage`). */
  readonly capabilities: TimelineCapabilities;
  /** Upserts entries by id (replacing payload and score) and trims to `maxLength`; returns how many ids were new. */
  add(
    key: string,
    entries: readonly TimelineEntry[],
    options?: TimelineWriteOptions,
  ): Promise<number>;
  /** The same entries added to many timelines: the fan-out path, one round trip per call where the backend can. */
  addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options?: TimelineWriteOptions,
  ): Promise<void>;
  /** Removes entries (and their markers) by id; returns how many existed. */
  remove(key: string, ids: readonly string[]): Promise<number>;
  /** Removes the same ids from many timelines. */
  removeFromMany(keys: readonly string[], ids: readonly string[]): Promise<void>;
  /** Reads a range of entries. */
  range(key: string, query: RangeQuery): Promise<TimelineEntry[]>;
  /**
   * The same range read on many timelines: positional, one array per key (`[]` for a missing
   * timeline; a repeated key gets its own, equal, array), each what `range(key, query)` returns.
   * One round trip (per backend node) where the backend can: the read side of a pulled feed,
   * which merges the pages of several timelines. Not a snapshot across keys.
   */
  rangeMany(keys: readonly string[], query: RangeQuery): Promise<TimelineEntry[][]>;
  /**
   * One page merged from many timelines: the first `query.limit` entries, in `query.order`, of
   * the union of `range(key, query)` over `keys`, each id once (at an equal `(score, id)` the
   * entry of the first key that holds it; should timelines give an id different scores, the one
   * first in `order`). `options.floorAt` bounds the merge by the first timeline's capacity (see
   * {@link MergedRangeOptions}). Paging by the last entry's position (exclusive) visits every
   * entry of the merged view once. One round trip where the backend can (one script on a single
   * Redis); otherwise `rangeMany` and a merge in the client. No keys: `[]`. Not a snapshot across keys.
   */
  rangeMerged(
    keys: readonly string[],
    query: RangeQuery,
    options?: MergedRangeOptions,
  ): Promise<TimelineEntry[]>;
  /** Looks entries up by id; positional, `undefined` for a missing id. */
  get(key: string, ids: readonly string[]): Promise<(TimelineEntry | undefined)[]>;
  /** Number of entries. */
  count(key: string): Promise<number>;
  /** Position of an entry in `order` (0 = first), or -1 when absent. */
  indexOf(key: string, id: string, order: 'desc' | 'asc'): Promise<number>;
  /** Keeps the `maxLength` highest entries; returns how many were removed. */
  trim(key: string, maxLength: number): Promise<number>;
  /** Removes the timeline and all its markers. */
  delete(key: string): Promise<void>;
  /**
   * Atomic read-modify-write of one timeline: reads the entries `ids` (positional, `undefined` if
   * absent), calls `compute` and applies its changes (then trims to `maxLength`) as one step.
   * `compute` must be pure: a backend using optimistic concurrency may call it again after a
   * conflict. Throws ConflictError if it cannot commit after its retries; nothing is written then.
   */
  update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options?: TimelineWriteOptions,
  ): Promise<R>;
  /** Number of entries carrying `marker` (UnsupportedOperationError without `capabilities.markers`). */
  countMarked(key: string, marker: string): Promise<number>;
  /** Whether each of `ids` carries `marker` (positional). */
  isMarked(key: string, marker: string, ids: readonly string[]): Promise<boolean[]>;
  /**
   * Clears `marker` from `ids`, or from every entry when `ids` is omitted; returns how many
   * entries carried it. Markers are set only by `update` (its `mark` changes).
   */
  clearMarker(key: string, marker: string, ids?: readonly string[]): Promise<number>;
  /**
   * `clearMarker` of several markers in one call (one round trip on Redis; a notification feed's
   * `markAll` clears unseen and unread this way): for each of `markers`, how many entries carried
   * it. A marker named twice is cleared once and its count given at both positions.
   */
  clearMarkers(key: string, markers: readonly string[], ids?: readonly string[]): Promise<number[]>;
  /**
   * The same timelines, declared id-only by the caller (a normalized flat feed): a promise that
   * they hold entries without payloads, no markers, are never changed by `update`, and that an
   * id, once written, is always written with the same score (a flat feed's score is its
   * activity's time, which its id encodes). A backend may then skip payload and marker cleanup
   * and update bookkeeping on the fan-out path, read without payloads, and write without reading
   * first (Cassandra writes such timelines as blind, idempotent inserts in a table of their own).
   * Keep to one view per timeline: id-only timelines are read and written only through this
   * view, since a backend may keep them apart from the others. With `options.scoreOf`, see
   * {@link IdOnlyOptions}. Throws `INVALID_OPTION` for bad options.
   */
  idsOnly(options?: IdOnlyOptions): IdOnlyTimeline;
}

/** Options of {@link TimelineStorage.idsOnly}. */
export interface IdOnlyOptions {
  /**
   * A further promise of the caller: every entry of these timelines has the score `scoreOf(id)`
   * (a flat feed passes `timeOfActivityId`: it writes no other score). A backend may then read
   * ids alone and derive the scores (Redis: a first page without `WITHSCORES`, whose score
   * formatting cost the server 8x the bare `ZREVRANGE`). The same timelines as `idsOnly()`.
   */
  readonly scoreOf?: ((id: string) => number) | undefined;
}

/**
 * Hints the wrapper passes to a driver about the timelines of one call. `idsOnly` is set only
 * for calls made through {@link TimelineStorage.idsOnly}: the timelines hold entries without
 * payloads and markers, are never changed by `update`, and keep each id's score. A driver may
 * ignore it, or keep id-only timelines apart (callers never reach them through the full
 * interface).
 */
export interface TimelineHints {
  readonly idsOnly: boolean;
  /** Set for views declared with `idsOnly({ scoreOf })`: see {@link IdOnlyOptions.scoreOf}. */
  readonly scoreOf?: ((id: string) => number) | undefined;
}

/**
 * What a backend supplies for timelines: a required core and optional parts, turned into a
 * {@link TimelineStorage} by `defineTimelineStorage`. The driver receives checked, normalised
 * input only: keys and ids are valid, no id is repeated within one call's entries, ids or changes,
 * and arrays are never empty (except `update`'s `ids`). It need not copy its arguments: the
 * wrapper never changes them after the call. Every method of the contract keeps its meaning
 * from {@link TimelineStorage}.
 *
 * Optional fast paths: when absent, the wrapper builds them on the core (correct, slower):
 * `addToMany`/`removeFromMany`/`rangeMany` call `add`/`remove`/`range` once per key,
 * `rangeMerged` merges a `rangeMany` in the client, `indexOf` counts with `range`.
 * Optional markers: a driver implements all of `countMarked`, `isMarked` and `clearMarker` (and
 * applies `update`'s `mark` changes) or none of them; `capabilities.markers` says which.
 */
export interface TimelineDriver {
  /** Backend name for errors and logs, e.g. `'memory'`. */
  readonly name: string;
  /** Upserts entries and, with `maxLength`, trims in the same atomic step; returns how many ids were new. */
  add(
    key: string,
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<number>;
  /** Removes entries and their markers; returns how many existed. */
  remove(key: string, ids: readonly string[], hints: TimelineHints): Promise<number>;
  /** Reads a range (with `hints.idsOnly`, payloads may be left out). */
  range(key: string, query: RangeQuery, hints: TimelineHints): Promise<TimelineEntry[]>;
  /** Positional lookup by id. */
  get(
    key: string,
    ids: readonly string[],
    hints: TimelineHints,
  ): Promise<(TimelineEntry | undefined)[]>;
  /** Number of entries. */
  count(key: string, hints: TimelineHints): Promise<number>;
  /** Keeps the `maxLength` highest entries; returns how many were removed. */
  trim(key: string, maxLength: number, hints: TimelineHints): Promise<number>;
  /** Removes the timeline and all its markers. */
  delete(key: string, hints: TimelineHints): Promise<void>;
  /**
   * Atomic read-modify-write (see {@link TimelineStorage.update}). The wrapper checks and
   * normalises what `compute` returns before the driver sees it, and throws
   * UnsupportedOperationError for `mark` changes when the driver has no markers.
   */
  update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options: TimelineWriteOptions,
  ): Promise<R>;
  /** Optional fast path: one round trip for many timelines. */
  addToMany?(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<void>;
  /** Optional fast path: one round trip for many timelines. */
  removeFromMany?(
    keys: readonly string[],
    ids: readonly string[],
    hints: TimelineHints,
  ): Promise<void>;
  /**
   * Optional fast path: `range` on each key (positional, `[]` for a missing timeline), in one
   * round trip where the backend can. Called with at least one key and no repeated key.
   */
  rangeMany?(
    keys: readonly string[],
    query: RangeQuery,
    hints: TimelineHints,
  ): Promise<TimelineEntry[][]>;
  /**
   * Optional fast path: {@link TimelineStorage.rangeMerged} in one round trip where the backend
   * can. Called with at least two keys, none repeated, and checked options.
   */
  rangeMerged?(
    keys: readonly string[],
    query: RangeQuery,
    options: MergedRangeOptions,
    hints: TimelineHints,
  ): Promise<TimelineEntry[]>;
  /** Optional fast path: a position without reading the entries before it. */
  indexOf?(key: string, id: string, order: 'desc' | 'asc', hints: TimelineHints): Promise<number>;
  /** Optional markers (all three or none). */
  countMarked?(key: string, marker: string): Promise<number>;
  /** Optional markers (all three or none). */
  isMarked?(key: string, marker: string, ids: readonly string[]): Promise<boolean[]>;
  /** Optional markers (all three or none): `ids` undefined clears the marker from every entry. */
  clearMarker?(key: string, marker: string, ids: readonly string[] | undefined): Promise<number>;
  /**
   * Optional fast path of a driver with markers: `clearMarker` of each of `markers` (distinct) as
   * one step; a count per marker, positional. Without it, `clearMarker` runs once per marker.
   */
  clearMarkers?(
    key: string,
    markers: readonly string[],
    ids: readonly string[] | undefined,
  ): Promise<number[]>;
}

/** A global id -> payload store for normalized feeds; batch-first, positional results. Ids follow the rule of {@link TimelineEntry.id}. */
export interface ActivityStorage {
  /** Backend name for errors and logs. */
  readonly name: string;
  /** Payloads by id, positional, `undefined` for a missing id. */
  getMany(ids: readonly string[]): Promise<(string | undefined)[]>;
  /** Upserts payloads (a repeated id: the last one wins). */
  putMany(entries: readonly { readonly id: string; readonly payload: string }[]): Promise<void>;
  /** Removes payloads; returns how many existed. */
  removeMany(ids: readonly string[]): Promise<number>;
}

/**
 * What a backend supplies for activities, turned into an {@link ActivityStorage} by
 * `defineActivityStorage`: the same three methods, called with checked ids and payloads, no id
 * repeated within one call and never with an empty array.
 */
export type ActivityDriver = ActivityStorage;

/** A backend: one timeline storage and one activity storage that feeds are defined on. */
export interface Storage {
  readonly timeline: TimelineStorage;
  readonly activities: ActivityStorage;
}

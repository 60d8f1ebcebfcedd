/**
 * The storage contracts every backend implements. They are small on purpose: feeds, aggregation
 * and fan-out are built on top of them in core, and `stream-framework/testing` checks any
 * implementation against them. Payloads are opaque strings produced by a Serializer. The
 * library's storage factories wrap their storages with `checkedStorage` (`checked-storage.ts`),
 * which checks every argument below once, with typed errors, before a backend sees it.
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

/** A range read: `limit` entries from `offset`, in `order`, between `min` and `max`. */
export interface RangeQuery {
  /** Maximum number of entries to return (a positive integer). */
  readonly limit: number;
  /** Entries to skip after applying the bounds. @default 0 */
  readonly offset?: number | undefined;
  /** `'desc'`: highest `(score, id)` first (newest first); `'asc'`: lowest first. */
  readonly order: 'desc' | 'asc';
  /** Lower bound in `(score, id)` order. */
  readonly min?: RangeBound | undefined;
  /** Upper bound in `(score, id)` order. */
  readonly max?: RangeBound | undefined;
  /** A hint that the caller does not need payloads (a normalized flat feed); backends may omit them. */
  readonly idsOnly?: boolean | undefined;
}

/** Options of a timeline write. */
export interface TimelineWriteOptions {
  /** When set, the timeline is trimmed to its `maxLength` highest entries in the same step. */
  readonly maxLength?: number | undefined;
  /**
   * A promise by the caller that this timeline only ever holds id-only entries written by
   * `add`/`addToMany`, carries no markers and is never changed through `update` (a normalized
   * flat feed), so a backend may skip payload and marker cleanup and optimistic-update
   * bookkeeping on the hot fan-out path.
   * Backends may ignore it. @default false
   */
  readonly idsOnly?: boolean | undefined;
}

/** Options of a timeline removal. */
export interface TimelineRemoveOptions {
  /** The promise of {@link TimelineWriteOptions.idsOnly}, about the timelines removed from. */
  readonly idsOnly?: boolean | undefined;
}

/** Changes applied by {@link TimelineStorage.update}, atomically, to one timeline. */
export interface TimelineChanges {
  /** Entries to insert or replace (by id). */
  readonly put?: readonly TimelineEntry[] | undefined;
  /** Ids of entries to remove (with their markers). */
  readonly remove?: readonly string[] | undefined;
  /** Marker name -> ids to set that marker on (ids must be in the timeline after the change). */
  readonly mark?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Marker name -> ids to clear that marker from. */
  readonly unmark?: Readonly<Record<string, readonly string[]>> | undefined;
}

/** What a {@link TimelineStorage.update} callback returns: the changes and a result for the caller. */
export interface TimelineUpdate<R> {
  readonly changes: TimelineChanges;
  readonly result: R;
}

/** What a timeline backend can do; feeds refuse (with UnsupportedOperationError) what it cannot. */
export interface TimelineCapabilities {
  /** `add` with `maxLength` trims in the same atomic step. */
  readonly atomicTrim: boolean;
  /** `range` honours `offset` cheaply. */
  readonly offsetPaging: boolean;
  /** `update` is atomic against concurrent writers of the same timeline (across processes). */
  readonly atomicUpdate: boolean;
  /** Markers (`countMarked` and friends) are supported. */
  readonly markers: boolean;
}

/**
 * Per-feed ordered collections of entries, plus named markers (e.g. "unseen") on entries.
 * Markers never outlive their entry: removing, trimming or deleting an entry clears its markers,
 * so marker counts always equal what the timeline holds.
 */
export interface TimelineStorage {
  /** Backend name for errors and logs, e.g. `'memory'`. */
  readonly name: string;
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
  remove(key: string, ids: readonly string[], options?: TimelineRemoveOptions): Promise<number>;
  /** Removes the same ids from many timelines. */
  removeFromMany(
    keys: readonly string[],
    ids: readonly string[],
    options?: TimelineRemoveOptions,
  ): Promise<void>;
  /** Reads a range of entries. */
  range(key: string, query: RangeQuery): Promise<TimelineEntry[]>;
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
    compute: (current: readonly (TimelineEntry | undefined)[]) => TimelineUpdate<R>,
    options?: TimelineWriteOptions,
  ): Promise<R>;
  /** Number of entries carrying `marker`. */
  countMarked(key: string, marker: string): Promise<number>;
  /** Whether each of `ids` carries `marker` (positional). */
  isMarked(key: string, marker: string, ids: readonly string[]): Promise<boolean[]>;
  /** Sets (`on` true) or clears `marker` on those of `ids` that are in the timeline; returns how many changed. */
  setMarked(key: string, marker: string, ids: readonly string[], on: boolean): Promise<number>;
  /** Clears `marker` from every entry; returns how many entries carried it. */
  clearMarker(key: string, marker: string): Promise<number>;
}

/** A global id -> payload store for normalized feeds; batch-first, positional results. Ids follow the rule of {@link TimelineEntry.id}. */
export interface ActivityStorage {
  /** Backend name for errors and logs. */
  readonly name: string;
  /** Payloads by id, positional, `undefined` for a missing id. */
  getMany(ids: readonly string[]): Promise<(string | undefined)[]>;
  /** Upserts payloads. */
  putMany(entries: readonly { readonly id: string; readonly payload: string }[]): Promise<void>;
  /** Removes payloads; returns how many existed. */
  removeMany(ids: readonly string[]): Promise<number>;
}

/** A backend: one timeline storage and one activity storage that feeds are defined on. */
export interface Storage {
  readonly timeline: TimelineStorage;
  readonly activities: ActivityStorage;
}

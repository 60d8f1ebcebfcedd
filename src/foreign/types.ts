/**
 * The public types of foreign-id operations (`manager.foreign`): lookups by the app's own id,
 * partial updates of `extra`, and removal everywhere with a receipt. Types only.
 * @module
 */
import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import type { TaskBatch } from '../queue/task-queue.js';

/** One activity by its identity: the app's `foreignId` and the activity's `time`. */
export interface ForeignRef {
  /** The activity's `foreignId` (1-512 characters, well-formed unicode). */
  readonly foreignId: string;
  /** The activity's time: a Date, ms since the epoch or an ISO-8601 string. */
  readonly time: Date | number | string;
}

/** Options of {@link ForeignIds.find}. */
export interface ForeignFindOptions {
  /** Most activities returned, newest first (1-1000). @default 100 */
  readonly limit?: number | undefined;
}

/** What {@link ForeignIds.find} returns. */
export interface ForeignMatches<E extends ExtraData = JsonObject> {
  /** The activities with this foreignId (one per time), newest first. */
  readonly items: Activity<E>[];
  /**
   * Ids the index lists whose activity is gone (a removal that failed half-way, or an activity
   * removed by id after its payload was lost): `remove` clears them.
   */
  readonly missing: readonly string[];
  /** Whether the index holds more than `limit` entries for this foreignId. */
  readonly more: boolean;
}

/**
 * A partial update of `extra`: `set` keys replace (or add) top-level keys, `unset` keys are
 * removed. Keys must not repeat between the two; nothing else of the activity can change.
 * @typeParam E - the activities' extra data type.
 */
export interface ExtraChanges<E extends ExtraData = JsonObject> {
  /** Top-level extra keys to set, with their new values (JSON). */
  readonly set?: Partial<E> | undefined;
  /** Top-level extra keys to remove. */
  readonly unset?: readonly (keyof E & string)[] | undefined;
}

/** What {@link ForeignIds.update} did: the tasks of the update's fan-out and the new version. */
export interface ForeignUpdate<E extends ExtraData = JsonObject> extends TaskBatch {
  /** Id of the activity (unchanged by the update). */
  readonly activityId: string;
  /** The activity as stored now. */
  readonly activity: Activity<E>;
}

/**
 * What {@link ForeignIds.remove} did: every activity of the caller with this foreignId was
 * removed from its user feed and activity storage, and removal tasks went to every feed that can
 * hold it. `done()` resolves once every one of those feeds is done.
 */
export interface ForeignRemoval extends TaskBatch {
  /** The foreignId removed. */
  readonly foreignId: string;
  /** Activity ids removed (one per time), newest first. */
  readonly activityIds: readonly string[];
  /**
   * Feeds the removal reaches: each activity's user feed, its owner's followers' fan-out feeds
   * (one per follower and fan-out feed, whatever the tasks' chunking) and its `to` feeds.
   */
  readonly feeds: number;
  /** Index entries of this foreignId owned by other users, left alone. */
  readonly notOwned: number;
  /** Index entries whose activity was already gone, cleared. */
  readonly stale: number;
}

/**
 * Lookups and changes by the app's own id (`manager.foreign`). An activity with a `foreignId`
 * has the id `time + digest(foreignId)`, and the manager keeps an index per foreignId (a
 * timeline in the user feed's storage, written with the activity, removed with it) listing its
 * activities and their owners. Ownership rules are the manager's: only the owner updates or
 * removes.
 * @typeParam E - the activities' extra data type.
 */
export interface ForeignIds<E extends ExtraData = JsonObject> {
  /**
   * The activity with this foreignId and time, or `undefined`: the computed id, one get from
   * activity storage (or, when no feed is normalized, from the owner's user feed found through
   * the index). Activities whose id is of version 0.1 are found too. `INVALID_ACTIVITY` /
   * `INVALID_TIME` for a bad reference.
   */
  get(ref: ForeignRef): Promise<Activity<E> | undefined>;
  /** Every activity with this foreignId (one per time), newest first, through the index. */
  find(foreignId: string, options?: ForeignFindOptions): Promise<ForeignMatches<E>>;
  /**
   * Changes top-level `extra` keys of the activity `ref` on behalf of `userId` (its owner,
   * `NOT_OWNER` otherwise; `NOT_FOUND` when there is none) and republishes it like
   * `updateUserActivity`: normalized feeds see the change at once (activity storage),
   * denormalized feeds once the update's fan-out tasks ran. Concurrent updates of one activity
   * through this manager run one after the other (each sees the previous one's result); across
   * processes, the last writer's whole `extra` wins. Checked before anything is written:
   * `INVALID_OPTION` for an unknown key (the activity's other fields cannot change here),
   * `INVALID_EXTRA` for a bad key or value, `LIMIT_EXCEEDED` for too many keys or an activity
   * grown past the task payload limit.
   */
  update(userId: Id, ref: ForeignRef, changes: ExtraChanges<E>): Promise<ForeignUpdate<E>>;
  /**
   * Removes every activity of `userId` with this foreignId from every feed (its user feed, the
   * followers' feeds, its `to` feeds) and from activity storage, and clears the index. Entries
   * owned by other users are counted in `notOwned`, not removed. A failure half-way leaves each
   * activity either removed everywhere or still listed by the index (its removal tasks may have
   * run): calling `remove` again finishes the job, every step being idempotent.
   */
  remove(userId: Id, foreignId: string): Promise<ForeignRemoval>;
  /**
   * Writes the index entries of every activity in `userId`'s user feed that has a foreignId
   * (idempotent): for activities published before the index existed (version 1.0 and earlier),
   * which `get` finds but `find` and `remove` do not. Reads the user feed page by page (its
   * `limits.maxPageSize`); returns how many activities it read and indexed.
   */
  reindex(userId: Id): Promise<{ readonly read: number; readonly indexed: number }>;
}

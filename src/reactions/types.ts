/**
 * The public types of reactions (likes, comments, ... added to an activity by a user): what
 * `createReactions` takes and what its methods return. Types only.
 * @module
 */
import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import type { TaskBatch } from '../queue/task-queue.js';
import type { Storage } from '../storage/contracts.js';

/** How one kind of reaction behaves. */
export interface ReactionKindOptions {
  /**
   * One reaction of this kind per user and activity (a like): its id is derived from the
   * activity, the kind and the user, so adding it twice is one reaction and removing it needs
   * no id. A given `id` is refused. @default false
   */
  readonly unique?: boolean | undefined;
}

/**
 * What reactions need from a manager to notify feeds and publish a reaction as an activity: a
 * `Manager` from `createManager` fits. `getFeed` must throw for an unknown feed name.
 */
export interface ReactionPublisher {
  /** Publishes the reaction's activity under its user (fan-out to followers and `to` feeds). */
  addUserActivity(userId: Id, activity: Activity): Promise<TaskBatch>;
  /** Removes a published reaction's activity everywhere it went. */
  removeUserActivity(userId: Id, activity: Activity | string): Promise<TaskBatch>;
  /** One user's feed by name (a notification feed to notify); throws for an unknown name. */
  getFeed(
    name: string,
    userId: Id,
  ): {
    add(activity: Activity): Promise<number>;
    remove(activity: Activity | string): Promise<number>;
  };
}

/** Limits of {@link ReactionsOptions.limits}; every one is checked on each call. */
export interface ReactionLimits {
  /** Largest `data` of one reaction, in bytes of its JSON (UTF-8). @default 4096 */
  readonly maxDataBytes?: number | undefined;
  /** Most activities one `summary` call reads. @default 100 */
  readonly maxSummaryActivities?: number | undefined;
  /** Largest `latest` and `own` of a summary, per kind. @default 25 */
  readonly maxLatest?: number | undefined;
  /** Largest page of `list`. @default 100 */
  readonly maxPageSize?: number | undefined;
  /** Most feeds one reaction notifies. @default 20 */
  readonly maxNotify?: number | undefined;
}

/** Options of `createReactions`. */
export interface ReactionsOptions {
  /** Where reactions live: only its timeline storage is used (any backend). */
  readonly storage: Storage;
  /**
   * First part of every storage key (`prefix:a:...`, `prefix:u:...`). Use one per app sharing
   * a storage. 1-64 characters of `A-Za-z0-9_-`. @default 'reactions'
   */
  readonly prefix?: string | undefined;
  /**
   * The kinds reactions may have, by name (1-32 characters of `a-z0-9_`, starting with a
   * letter). When given, any other kind is refused (`INVALID_OPTION`) and `summary` reads
   * these by default; when absent, any well-formed kind is accepted and none is unique.
   */
  readonly kinds?: Readonly<Record<string, ReactionKindOptions>> | undefined;
  /** The manager that notifies feeds and publishes reactions (`notify`, `publish`). */
  readonly manager?: ReactionPublisher | undefined;
  /** Size limits. */
  readonly limits?: ReactionLimits | undefined;
  /** Clock for a reaction without `time`. @default Date.now */
  readonly now?: (() => number) | undefined;
}

/** A stored reaction. */
export interface Reaction {
  /** The reaction's id: given, derived (unique kinds) or random. */
  readonly id: string;
  /** The activity reacted to. */
  readonly activityId: string;
  /** Its kind, e.g. `'like'`. */
  readonly kind: string;
  /** Who reacted, in string form (`1` and `'1'` are one user). */
  readonly userId: string;
  /** When (ms precision). */
  readonly time: Date;
  /** The reaction's own data (a comment's text...), `{}` when none. */
  readonly data: JsonObject;
  /** The feeds (`'feedName:userId'`) that got the reaction's activity as a notification. */
  readonly notify: readonly string[];
  /** Whether the reaction's activity was published under its user (fan-out to followers). */
  readonly published: boolean;
}

/** What `add` takes. */
export interface ReactionInput {
  /** The activity reacted to (an activity id). */
  readonly activityId: string;
  /** The kind, e.g. `'like'` or `'comment'`. */
  readonly kind: string;
  /** Who reacts. */
  readonly userId: Id;
  /**
   * The reaction's id (1-48 characters of `A-Za-z0-9_-`): adding twice with one id is one
   * reaction, so a retried add never duplicates. Refused for unique kinds (derived there).
   * @default a random id
   */
  readonly id?: string | undefined;
  /** The reaction's own data (a JSON object of at most `limits.maxDataBytes`). */
  readonly data?: JsonObject | undefined;
  /** A Date, ms since the epoch, or an ISO-8601 string. @default now */
  readonly time?: Date | number | string | undefined;
  /**
   * Feeds to notify, as `'feedName:userId'` (e.g. the activity author's notification feed): each
   * gets the reaction's activity (needs `manager`). @default none
   */
  readonly notify?: readonly string[] | undefined;
  /**
   * Publish the reaction's activity under its user, as a post: to the user feed and fan-out to
   * followers. Needs `manager`. @default false
   */
  readonly publish?: boolean | undefined;
}

/** Names one stored reaction: what `remove` takes. */
export interface ReactionRef {
  readonly activityId: string;
  readonly kind: string;
  /** The user removing it: only the reaction's own user may (`NOT_OWNER` otherwise). */
  readonly userId: Id;
  /** The reaction's id; may be left out for a unique kind (derived). */
  readonly id?: string | undefined;
}

/** What `add` did. */
export interface AddedReaction {
  /** The stored reaction: the one already stored when `created` is false. */
  readonly reaction: Reaction;
  /** False when a reaction with this id was already stored (its data is kept). */
  readonly created: boolean;
  /** The tasks of a published reaction (await `done()` to see the fan-out). */
  readonly tasks?: TaskBatch | undefined;
  /**
   * True when a `remove` of the same reaction finished while this add ran: the add then undid
   * what it wrote after the reaction (own entry, delivery), so nothing of it is left.
   */
  readonly removed?: boolean | undefined;
}

/** What `remove` did. */
export interface RemovedReaction {
  /** The reaction removed, or `undefined` when there was none. */
  readonly reaction: Reaction | undefined;
  /** The tasks that remove a published reaction's activity. */
  readonly tasks?: TaskBatch | undefined;
}

/** Options of `list`. */
export interface ReactionListOptions {
  /** Page size. @default 25 */
  readonly limit?: number | undefined;
  /** `next` of the previous page. */
  readonly cursor?: string | undefined;
  /** `'desc'`: newest first (default); `'asc'`: oldest first. */
  readonly order?: 'desc' | 'asc' | undefined;
}

/** One page of `list`. */
export interface ReactionPage {
  readonly items: readonly Reaction[];
  /** Cursor of the next page; absent on the last page. */
  readonly next?: string | undefined;
}

/** Options of `summary`. */
export interface ReactionSummaryOptions {
  /** Kinds to read. @default the declared kinds (required when none were declared) */
  readonly kinds?: readonly string[] | undefined;
  /** Newest reactions returned per kind. @default 5 */
  readonly latest?: number | undefined;
  /** The reader: their own reactions are returned in `own`. */
  readonly userId?: Id | undefined;
  /** Newest own reactions returned per kind. @default 10 */
  readonly own?: number | undefined;
}

/** Reactions of one activity, per kind. */
export interface ReactionSummary {
  readonly activityId: string;
  /** Exact number of reactions per kind. */
  readonly counts: Readonly<Record<string, number>>;
  /** The newest reactions per kind, newest first. */
  readonly latest: Readonly<Record<string, readonly Reaction[]>>;
  /** The reader's own reactions per kind, newest first (empty without `userId`). */
  readonly own: Readonly<Record<string, readonly Reaction[]>>;
}

/** Reactions on activities, stored on any backend's timeline storage. */
export interface Reactions {
  /** The declared kinds, or `undefined` when any kind is accepted. */
  readonly kinds: readonly string[] | undefined;
  /**
   * Adds a reaction, idempotent by id: counted once, added to the user's own reactions, then
   * (with `notify` / `publish`) delivered through the manager. Every check runs before the first
   * write. A retry with the same id completes an add interrupted half-way. `NOT_OWNER` when the
   * id belongs to another user's reaction.
   */
  add(input: ReactionInput): Promise<AddedReaction>;
  /**
   * Removes a reaction of `ref.userId` (`NOT_OWNER` for another user's, nothing written), its
   * notifications and published activity. Retryable: a retry completes an interrupted removal.
   */
  remove(ref: ReactionRef): Promise<RemovedReaction>;
  /** One stored reaction, or `undefined`. */
  get(activityId: string, kind: string, id: string): Promise<Reaction | undefined>;
  /** Reactions of one kind on one activity, by time, paged with a cursor. */
  list(activityId: string, kind: string, options?: ReactionListOptions): Promise<ReactionPage>;
  /** Exact number of reactions of one kind on one activity. */
  count(activityId: string, kind: string): Promise<number>;
  /**
   * Counts, newest reactions and the reader's own reactions of many activities (a page of a
   * feed), positional: one `rangeMany` storage call per chunk of 256 timelines.
   */
  summary(
    activityIds: readonly string[],
    options?: ReactionSummaryOptions,
  ): Promise<ReactionSummary[]>;
}

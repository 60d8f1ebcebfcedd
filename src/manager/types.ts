import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import type { EdgeDecision } from '../fanout/policy.js';
import type { ForeignIds } from '../foreign/types.js';
import type { FollowPriority } from '../graph/types.js';
import type { TaskBatch, TaskQueue } from '../queue/task-queue.js';
import type { AnyFeedDefinition, FeedMap, UserFeedDefinition } from './options.js';

/** The handle type a feed definition's `for(userId)` returns. */
export type HandleOf<D extends { for(userId: Id): unknown }> = ReturnType<D['for']>;

/**
 * The extra data type of a feed definition's activities: `PinExtra` for
 * `defineFlatFeed<PinExtra>(...)`. `createManager` reads it from the user feed, so it takes no
 * type argument.
 */
export type ExtraOf<D extends { for(userId: Id): unknown }> =
  HandleOf<D> extends { add(activity: Activity<infer E>, ...rest: never[]): unknown } ? E : never;

/** One user's handles of the fan-out feeds, typed per feed kind. */
export type FeedHandles<F extends FeedMap<ExtraData>> = {
  readonly [K in keyof F]: HandleOf<F[K]>;
};

/** The tasks an activity published or removed became. */
export interface FanoutHandle extends TaskBatch {
  /** Id of the activity. */
  readonly activityId: string;
}

/** Options of `followUser` / `followManyUsers`. */
export interface FollowOptions {
  /** Activities copied from each followed user's feed. @default the manager's followActivityLimit */
  readonly limit?: number | undefined;
  /**
   * Fan-out priority of the new edges, recorded in the manager's graph (`createManager({ graph
   * })`; refused with `INVALID_OPTION` without one: `getFollowerIds` gives priorities itself).
   * @default 'high'
   */
  readonly priority?: FollowPriority | undefined;
}

/** Options of `unfollowUser` / `unfollowManyUsers`. */
export interface UnfollowOptions {
  /** Keep the unfollowed users' activities already in the feeds. @default false */
  readonly keepHistory?: boolean | undefined;
}

/** Options of `batchImport`. */
export interface BatchImportOptions {
  /** Also fan out to followers and `to` targets. @default true */
  readonly fanout?: boolean | undefined;
  /** Activities per chunk. @default the manager's batchImportChunkSize */
  readonly chunkSize?: number | undefined;
  /** Called after each chunk with the activities handled so far (enqueued, for a distributed queue). */
  readonly onProgress?:
    | ((progress: { readonly done: number; readonly total: number }) => void)
    | undefined;
}

/** What `batchImport` did: the tasks it enqueued (`total`) plus counts. */
export interface BatchImportResult extends TaskBatch {
  /** Distinct activities imported. */
  readonly activities: number;
  /** Chunks written. */
  readonly chunks: number;
}

/**
 * Fan-out on write (the Python original's `Manager`): publishes a user's activities to the feeds of
 * their followers through a task queue, copies and removes history on follow and unfollow.
 * Every method validates its input first: a rejected call writes nothing.
 * @typeParam E - extra data of the activities.
 * @typeParam U - the user feed definition.
 * @typeParam F - the fan-out feed definitions by name.
 * @typeParam T - the target feed definitions by name.
 */
export interface Manager<
  E extends ExtraData = JsonObject,
  U extends UserFeedDefinition<ExtraData> = UserFeedDefinition<E>,
  F extends FeedMap<E> = FeedMap<E>,
  T extends FeedMap<E> = FeedMap<E>,
> {
  /** The queue tasks go to. */
  readonly queue: TaskQueue;
  /**
   * Lookups, partial updates of `extra` and removal everywhere by the app's own `foreignId`
   * (docs/foreign-ids.md). Activities with a foreignId are indexed when published.
   */
  readonly foreign: ForeignIds<E>;
  /** Names of every registered feed: the user feed, then fan-out feeds, then target feeds. */
  readonly feedNames: readonly string[];
  /** Every registered feed definition by name. */
  readonly definitions: Readonly<Record<string, AnyFeedDefinition<E>>>;
  /**
   * Publishes an activity: stores it once per activity storage, adds it to the user's feed, then
   * enqueues fan-out tasks to every follower's fan-out feeds (chunks of `fanoutChunkSize` per
   * feed and priority) and to the feeds named in `activity.to` (high priority). Every check runs
   * before the first write: `UNKNOWN_FEED` when `to` names a feed that is not a fan-out or target
   * feed, `LIMIT_EXCEEDED` when the encoded activity exceeds the task payload limit, `NOT_OWNER`
   * when `userId` does not own the activity (`ownerOf`, default its actor) or the activity stored
   * under the same id.
   */
  addUserActivity(userId: Id, activity: Activity<E>): Promise<FanoutHandle>;
  /**
   * Removes an activity (or activity id) from the user's feed, the followers' feeds and its `to`
   * feeds, then deletes it from activity storage. Unlike the original (SF#56, SF#107) nothing is
   * left orphaned: a normalized feed whose removal task has not run yet skips the missing
   * activity on read (reported in `page.missing`). Given only an id, the activity is looked up in
   * activity storage or the user feed; when it is gone, removal goes by id (aggregated feeds scan).
   * `NOT_OWNER` (nothing written) when the stored activity, or the one given, belongs to another
   * user; an id neither stored nor in `userId`'s own user feed enqueues nothing (`total` 0).
   */
  removeUserActivity(userId: Id, activity: Activity<E> | string): Promise<FanoutHandle>;
  /**
   * Re-publishes an activity under its actor (an upsert, as the original's `update_user_activity`).
   * With the same foreignId and time the id is unchanged, so denormalized feeds get the new
   * payload in place and normalized feeds read the new stored payload. A changed time is a new id.
   * When the group key changes (e.g. a new verb), aggregated and notification feeds move the
   * activity from its old group to its new one in one atomic update per feed; `to` feeds the new
   * version no longer names lose their copy. `NOT_OWNER` when the stored version with the same id
   * belongs to another user than the new version's owner.
   */
  updateUserActivity(activity: Activity<E>): Promise<FanoutHandle>;
  /**
   * {@link Manager.updateUserActivity} for several activities: all are checked (owners, limits,
   * follower ids) before the first is written.
   */
  updateUserActivities(activities: readonly Activity<E>[]): Promise<FanoutHandle[]>;
  /**
   * Copies the newest `limit` activities of `targetId`'s user feed into `userId`'s fan-out feeds
   * (one task; the original's `follow_many`). The copies are not re-stored in activity storage:
   * activities published through the manager already are in every fan-out feed's storage.
   * With a graph, the edge is recorded first (with `options.priority`), then the copy enqueued.
   */
  followUser(userId: Id, targetId: Id, options?: FollowOptions): Promise<TaskBatch>;
  /** {@link Manager.followUser} for many targets (tasks of `fanoutChunkSize` targets). */
  followManyUsers(
    userId: Id,
    targetIds: readonly Id[],
    options?: FollowOptions,
  ): Promise<TaskBatch>;
  /**
   * Removes `targetId`'s activities from `userId`'s fan-out feeds, unless `keepHistory`. With a
   * graph, the edge is removed first, then the removal enqueued.
   */
  unfollowUser(userId: Id, targetId: Id, options?: UnfollowOptions): Promise<TaskBatch>;
  /** {@link Manager.unfollowUser} for many targets. */
  unfollowManyUsers(
    userId: Id,
    targetIds: readonly Id[],
    options?: UnfollowOptions,
  ): Promise<TaskBatch>;
  /** A user's fan-out feeds by name, typed per kind (`getFeeds(1).timeline.read()`). */
  getFeeds(userId: Id): FeedHandles<F>;
  /** A user's own feed. */
  getUserFeed(userId: Id): HandleOf<U>;
  /**
   * A user's fan-out or target feed by name, typed per kind (`getFeed('notification', 1).counts()`).
   * Only registered names compile; at run time another name throws `UNKNOWN_FEED` (the user
   * feed's name is accepted too, but {@link Manager.getUserFeed} is the typed way to it).
   */
  getFeed<K extends keyof F & string>(name: K, userId: Id): HandleOf<F[K]>;
  getFeed<K extends keyof T & string>(name: K, userId: Id): HandleOf<T[K]>;
  /**
   * Imports a user's history in chunks: stores, adds to the user feed and fans out, all without
   * trimming until the end; then trims the user feed and enqueues one `trim` task per chunk of
   * written feeds (followers' fan-out feeds, `to` targets), counted in `total`. `userId` must own
   * every activity and every stored version with the same id (`NOT_OWNER`, checked for all of
   * them before anything is written). Follower ids are read once (with a graph: paged once per
   * chunk of activities).
   */
  batchImport(
    userId: Id,
    activities: readonly Activity<E>[],
    options?: BatchImportOptions,
  ): Promise<BatchImportResult>;
  /**
   * Validates (`parseTask`) and runs one task: what a queue worker calls. Idempotent, so
   * at-least-once delivery is safe. A `ValidationError` (malformed task, unknown feed) is a
   * permanent failure; anything else (a backend error) is worth retrying. Tasks are trusted:
   * whoever can run one can write any registered feed, so never expose this to user requests.
   */
  runTask(task: unknown): Promise<void>;
  /**
   * How the policy decides the edge from `producer` to `consumer` now (`decideEdge` over the
   * counters the manager keeps): the outcome, the rule that decided and its numbers. Costs one
   * read of both users' counters and one `getFollowerIds(producer)` call, whose ids are counted
   * (with a graph: its follower count).
   * In the default push mode it answers `push` (`reason: 'mode'`). Writes nothing.
   * @example
   * explainDecision(await manager.explain(1, 2)); // 'pull (celebrity): the producer has ...'
   */
  explain(producer: Id, consumer: Id): Promise<EdgeDecision>;
  /**
   * Graceful shutdown: refuses new calls at once (they reject, or throw for the synchronous
   * `getFeeds`/`getFeed`/`getUserFeed`, with a `ClosedError`, code `CLOSED`, writing nothing),
   * waits for the calls in flight, including the tasks they run on an inline queue, then closes
   * the queue when the manager created it (the default inline queue). A queue, storage or client
   * you passed in is yours: it is never closed here. Feed handles obtained before keep working.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void>;
  /** Whether {@link Manager.close} was called. */
  readonly closed: boolean;
}

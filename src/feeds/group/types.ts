/**
 * The types of group feeds (aggregated and notification feeds): their shared options, the groups
 * reads return, the handle they share, and the hooks a feed kind plugs into the shared core.
 * Types only, so every file of the group feed code can import them without an import cycle.
 * @module
 */
import type { Activity } from '../../activity/activity.js';
import type { Id } from '../../activity/ids.js';
import type { ExtraData, JsonObject } from '../../activity/json.js';
import type { Aggregator } from '../../aggregation/aggregators.js';
import type { GroupLimits } from '../../aggregation/group.js';
import type { FeedDefinition, FeedHandle, FeedKind } from '../feed.js';
import type { FeedConfig, FeedOptions, WriteOptions } from '../feed-config.js';
import type { FeedTarget } from '../feed-targets.js';
import type { FeedPage, GroupReadOptions } from '../read-options.js';

/** The kinds of group feed: aggregated and notification feeds. */
export type GroupFeedKind = Exclude<FeedKind, 'flat'>;

/** Options shared by aggregated and notification feeds. */
export interface GroupFeedOptions<E extends ExtraData = JsonObject> extends FeedOptions {
  /** Decides which group an activity joins and how groups rank. @default byVerbAndDay */
  readonly aggregator?: Aggregator<E> | undefined;
  /**
   * Normalized groups keep `[id, actor]` members and read activities from activity storage;
   * denormalized groups keep the full activities. @default true (notification feeds: false)
   */
  readonly normalized?: boolean | undefined;
  /** What each group keeps and remembers. @default see {@link GroupOptions} */
  readonly groups?: GroupOptions | undefined;
}

/** What each group of a group feed keeps (`groups` of {@link GroupFeedOptions}). */
export interface GroupOptions {
  /**
   * Activities kept per group, newest first; older ones are only counted (`activityCount`), as the
   * original's `max_aggregated_activities_length`. @default 15
   */
  readonly maxActivities?: number | undefined;
  /** Distinct actors tracked exactly per group (`actorCount` is exact up to this many). @default 100 */
  readonly maxTrackedActors?: number | undefined;
  /**
   * Activities pushed out of a group's retained ones that the group still remembers by id and
   * actor (about 25 bytes each), so that merging one again (a redelivered task, a second follow)
   * does not count it twice and removing it (or unfollowing its actor) counts it down. Older ones
   * are only counted. @default 100
   */
  readonly maxTrackedActivities?: number | undefined;
  /**
   * Characters of group payloads the definition remembers from its own writes, so that merging
   * into a group it just wrote skips decoding it again (the memory backend and the Redis update
   * cache hand the same payload back). A bound on memory: about 2 bytes per character plus the
   * decoded group; 0 turns the cache off. @default 1048576
   */
  readonly cacheCharacters?: number | undefined;
}

/**
 * One group of an aggregated feed, as reads return it: e.g. "Alice and 3 others loved 5 pins today".
 * @typeParam E - the activities' extra data type.
 */
export interface AggregatedGroup<E extends ExtraData = JsonObject> {
  /** Stable id of the group, derived from its group key (`groupIdOf(group)`): it never changes. */
  readonly id: string;
  /** The group key the aggregator gave its activities, e.g. `'love|2024-05-01'`. */
  readonly group: string;
  /** Retained activities, newest first; those missing from activity storage are skipped. */
  readonly activities: readonly Activity<E>[];
  /** Ids of the retained activities, newest first (including any missing from activity storage). */
  readonly activityIds: readonly string[];
  /** Every activity merged into the group and not removed, retained or not. */
  readonly activityCount: number;
  /** Distinct actors of the group (exact up to the feed's `groups.maxTrackedActors`). */
  readonly actorCount: number;
  /** The distinct actors tracked, in order of arrival. */
  readonly actors: readonly Id[];
  /** Verb of the newest activity. */
  readonly verb: string;
  /** Time of the oldest activity merged. */
  readonly createdAt: Date;
  /** Time of the newest retained activity. */
  readonly updatedAt: Date;
  /** Sort score of the group in its feed (the aggregator's rank; by default `updatedAt` in ms). */
  readonly score: number;
}

/**
 * What aggregated and notification feed handles share: a feed of groups `G`, newest update first.
 * Writes merge each activity into its group wherever that group sits in the feed, atomically per
 * feed (one `TimelineStorage.update` per write).
 */
export interface AggregatedFeedBase<
  E extends ExtraData,
  G extends AggregatedGroup<E>,
  K extends GroupFeedKind,
> extends FeedHandle<E, G> {
  readonly kind: K;
  /** Reads one page of groups, newest update first (no id bounds: see {@link GroupReadOptions}). */
  read(options?: GroupReadOptions): Promise<FeedPage<G>>;
  /** Groups by id, positional (`undefined` for a group the feed does not hold). */
  getGroups(groupIds: readonly string[]): Promise<(G | undefined)[]>;
  /** Position of a group (newest first, 0-based), or -1 when the feed does not hold it. */
  indexOf(groupId: string): Promise<number>;
  /**
   * Whether the feed retains this activity (the original's `contains`). Activities minimized out
   * of a full group are counted but not retained, so they are not found.
   */
  contains(activity: Activity<E> | string): Promise<boolean>;
  /**
   * Stores copies of groups read from a feed with the same aggregator (the original's
   * `add_many_aggregated`), e.g. to copy a user's groups to another feed: each replaces the group
   * with the same id here, keeping its activity count, actors and times; its retained activities
   * go to activity storage when the feed is normalized; in a notification feed the groups become
   * unseen and unread. Activities that were pushed out of a group are not copied as remembered,
   * so merging one of them again later counts it again. Every activity must belong to its group
   * under this feed's aggregator, or nothing is written (`INVALID_ACTIVITY`). Atomic per call.
   * Returns how many groups were stored.
   */
  addGroups(groups: readonly AggregatedGroup<E>[], options?: WriteOptions): Promise<number>;
  /**
   * Removes whole groups by id, with their seen/read state (the original's
   * `remove_many_aggregated`, e.g. dismissing a notification). Returns how many existed.
   */
  removeGroups(groupIds: readonly string[]): Promise<number>;
}

/** Resolved options of an aggregated or notification feed. */
export interface GroupFeedSettings<E extends ExtraData> {
  readonly config: FeedConfig;
  readonly normalized: boolean;
  readonly aggregator: Aggregator<E>;
  readonly limits: GroupLimits;
  /** Bound of the writer's cache of recently encoded groups, in payload characters (0: off). */
  readonly groupCacheCharacters: number;
}

/** Why a feed changed (notification feeds add `'seen'` and `'read'`). */
export type GroupFeedChangeReason = 'add' | 'remove' | 'trim' | 'delete';

/** What differs between the feed kinds built on this core. */
export interface GroupFeedHooks<E extends ExtraData, G extends AggregatedGroup<E>, K> {
  readonly kind: K;
  /** Markers set, in the same atomic update, on every group created or given a new activity. */
  readonly markOnChange: readonly string[];
  /** Turns the groups of a read into what the read returns. */
  readonly decorate: (key: string, groups: AggregatedGroup<E>[]) => Promise<G[]>;
  /** Runs after each successful change of a feed (with the ids of the groups changed); must not throw. */
  readonly afterChange?:
    | ((target: FeedTarget, reason: GroupFeedChangeReason, ids: readonly string[]) => Promise<void>)
    | undefined;
}

/** The handle factory and the many-feed operations of a feed kind. */
export interface GroupFeedCore<
  E extends ExtraData,
  G extends AggregatedGroup<E>,
  K extends GroupFeedKind,
> extends Pick<FeedDefinition<E, AggregatedFeedBase<E, G, K>>, 'addToMany' | 'removeFromMany'> {
  handle(userId: Id): AggregatedFeedBase<E, G, K>;
  validate(activities: readonly Activity<E>[]): void;
}

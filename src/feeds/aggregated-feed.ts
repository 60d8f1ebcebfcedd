import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { type Aggregator, byVerbAndDay } from '../aggregation/aggregators.js';
import { DEFAULT_TRACKED_ACTIVITIES } from '../aggregation/group.js';
import { createGroupFeedCore, resolveGroupFeedSettings } from './aggregated-core.js';
import {
  type ChangeEvents,
  checkListenerErrorHandler,
  createChangeEmitter,
  type FeedChange,
} from './change-events.js';
import type { FeedDefinition, FeedHandle } from './feed.js';
import type { FeedOptions, WriteOptions } from './feed-config.js';
import { AGGREGATED_KEYS } from './options.js';

/** Options shared by aggregated and notification feeds. */
export interface GroupFeedOptions<E extends ExtraData = JsonObject> extends FeedOptions {
  /** Decides which group an activity joins and how groups rank. @default byVerbAndDay */
  readonly aggregator?: Aggregator<E> | undefined;
  /**
   * Activities kept per group, newest first; older ones are only counted (`activityCount`), as the
   * original's `max_aggregated_activities_length`. @default 15
   */
  readonly maxActivitiesPerGroup?: number | undefined;
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
   * Normalized groups keep `[id, actor]` members and read activities from activity storage;
   * denormalized groups keep the full activities. @default true (notification feeds: false)
   */
  readonly normalized?: boolean | undefined;
  /**
   * Characters of group payloads the definition remembers from its own writes, so that merging
   * into a group it just wrote skips decoding it again (the memory backend and the Redis update
   * cache hand the same payload back). A bound on memory: about 2 bytes per character plus the
   * decoded group; 0 turns the cache off. @default 1048576
   */
  readonly groupCacheCharacters?: number | undefined;
}

/** Options of {@link defineAggregatedFeed}. */
export interface AggregatedFeedOptions<E extends ExtraData = JsonObject>
  extends GroupFeedOptions<E> {
  /** Receives errors thrown by change listeners (see `events`). @default ignore */
  readonly onListenerError?: ((error: unknown, change?: FeedChange) => void) | undefined;
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
  /** Distinct actors of the group (exact up to the feed's `maxTrackedActors`). */
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
  K extends 'aggregated' | 'notification',
> extends FeedHandle<E, G> {
  readonly kind: K;
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

/** One user's aggregated feed (Facebook/Pinterest-style): groups of activities, newest update first. */
export interface AggregatedFeed<E extends ExtraData = JsonObject>
  extends AggregatedFeedBase<E, AggregatedGroup<E>, 'aggregated'> {}

/** An aggregated feed definition; `for(userId)` gives a user's feed. */
export interface AggregatedFeedDefinition<E extends ExtraData = JsonObject>
  extends FeedDefinition<E, AggregatedFeed<E>> {
  readonly kind: 'aggregated';
  /** The aggregator in use. */
  readonly aggregator: Aggregator<E>;
  /** Activities kept per group. */
  readonly maxActivitiesPerGroup: number;
  /** Distinct actors tracked exactly per group. */
  readonly maxTrackedActors: number;
  /** Activities pushed out of a group that it still remembers (see the option). */
  readonly maxTrackedActivities: number;
  /**
   * Change events of every user's feed of this kind: after each write, removal, trim and delete,
   * one {@link FeedChange} per feed, with the ids of the groups changed. Built only while someone
   * listens; forward them to other processes with `publishChanges` (`stream-framework/redis`).
   */
  readonly events: ChangeEvents<FeedChange>;
}

/**
 * Defines an aggregated feed: activities are merged into groups (by default one per verb and UTC
 * day, the original's `RecentVerbAggregator`); `maxLength` (default 100) counts groups. Throws
 * `INVALID_OPTION` for bad options.
 *
 * Unlike the Python original, an activity merges into its group wherever the group sits in the
 * feed (no 20-group merge window), group ids are stable (no same-second collisions), and every
 * write is one atomic read-modify-write of the feed (no lost or duplicated groups under
 * concurrent writers).
 * @example
 * const activityFeed = defineAggregatedFeed({ name: 'aggregated', storage: createMemoryStorage() });
 * await activityFeed.for(42).add(activity);
 * const page = await activityFeed.for(42).read({ limit: 10 }); // page.items: AggregatedGroup[]
 */
export function defineAggregatedFeed<E extends ExtraData = JsonObject>(
  options: AggregatedFeedOptions<E>,
): AggregatedFeedDefinition<E> {
  const settings = resolveGroupFeedSettings<E>(
    options,
    { aggregator: byVerbAndDay as Aggregator<E>, normalized: true },
    AGGREGATED_KEYS,
    'defineAggregatedFeed',
  );
  const emitter = createChangeEmitter<FeedChange>(
    'aggregated',
    checkListenerErrorHandler<FeedChange>(options.onListenerError, `feed ${settings.config.name}`),
  );
  const core = createGroupFeedCore<E, AggregatedGroup<E>, 'aggregated'>(settings, {
    kind: 'aggregated',
    markOnChange: [],
    decorate: async (_key, groups) => groups,
    async afterChange(target, reason, ids) {
      if (!emitter.listening()) return;
      emitter.emit(
        Object.freeze({
          feed: settings.config.name,
          userId: target.userId,
          key: target.key,
          reason,
          ids: Object.freeze([...ids]),
        }),
      );
    },
  });
  return Object.freeze({
    kind: 'aggregated' as const,
    name: settings.config.name,
    events: emitter.events,
    normalized: settings.normalized,
    config: settings.config,
    aggregator: settings.aggregator,
    maxActivitiesPerGroup: settings.limits.maxActivities,
    maxTrackedActors: settings.limits.maxTrackedActors,
    maxTrackedActivities: settings.limits.maxTrackedActivities ?? DEFAULT_TRACKED_ACTIVITIES,
    keyFor: (userId: Id) => settings.config.keyFor(userId),
    for: (userId: Id): AggregatedFeed<E> => core.handle(userId),
    validate: core.validate,
    addToMany: core.addToMany,
    removeFromMany: core.removeFromMany,
  });
}

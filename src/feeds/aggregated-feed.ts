import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { type Aggregator, byVerbAndDay } from '../aggregation/aggregators.js';
import { DEFAULT_TRACKED_ACTIVITIES } from '../aggregation/group.js';
import { optionKeys } from '../validation/options.js';
import {
  type ChangeEvents,
  checkListenerErrorHandler,
  createChangeEmitter,
  type FeedChange,
} from './change-events.js';
import type { FeedDefinition } from './feed.js';
import { createGroupFeedCore } from './group/core.js';
import { GROUP_KEYS, resolveGroupFeedSettings } from './group/settings.js';
import type { AggregatedFeedBase, AggregatedGroup, GroupFeedOptions } from './group/types.js';

/** Options of {@link defineAggregatedFeed}. */
export interface AggregatedFeedOptions<E extends ExtraData = JsonObject>
  extends GroupFeedOptions<E> {
  /** Receives errors thrown by change listeners (see `events`). @default ignore */
  readonly onListenerError?: ((error: unknown, change?: FeedChange) => void) | undefined;
}

/** Option keys of `defineAggregatedFeed` (the compiler checks them against its options). */
export const AGGREGATED_KEYS: readonly string[] = optionKeys<AggregatedFeedOptions>({
  ...GROUP_KEYS,
  onListenerError: true,
});

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
    afterChange(target, reason, ids) {
      // Not async: an add without listeners makes no promise here.
      if (!emitter.listening()) return Promise.resolve();
      emitter.emit(
        Object.freeze({
          feed: settings.config.name,
          userId: target.userId,
          key: target.key,
          reason,
          ids: Object.freeze([...ids]),
        }),
      );
      return Promise.resolve();
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

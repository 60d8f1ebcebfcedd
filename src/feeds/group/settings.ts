/**
 * Resolving the options of a group feed (aggregated or notification) into its settings.
 * @module
 */
import type { ExtraData } from '../../activity/json.js';
import { type Aggregator, checkAggregator } from '../../aggregation/aggregators.js';
import { DEFAULT_TRACKED_ACTIVITIES, type GroupLimits } from '../../aggregation/group.js';
import { intOptionOr } from '../../util/int-option.js';
import { boolOptionOr } from '../../validation/values.js';
import { FEED_KEYS, resolveFeedConfig } from '../feed-config.js';
import { DEFAULT_GROUP_CACHE_CHARACTERS } from './recent-groups.js';
import type { GroupFeedOptions, GroupFeedSettings } from './types.js';

/** Option keys shared by aggregated and notification feeds (each kind adds its own). */
export const GROUP_KEYS = {
  ...FEED_KEYS,
  normalized: true,
  aggregator: true,
  maxActivitiesPerGroup: true,
  maxTrackedActors: true,
  maxTrackedActivities: true,
  groupCacheCharacters: true,
} as const satisfies { readonly [K in keyof Required<GroupFeedOptions>]: true };

/** Validates the aggregated options and fills defaults (throws `INVALID_OPTION`). */
export function resolveGroupFeedSettings<E extends ExtraData>(
  options: GroupFeedOptions<E>,
  defaults: { aggregator: Aggregator<E>; normalized: boolean },
  keys: readonly string[],
  where: string,
): GroupFeedSettings<E> {
  const config = resolveFeedConfig(options, { maxLength: 100 }, keys, where);
  const aggregator =
    options.aggregator === undefined
      ? defaults.aggregator
      : checkAggregator(options.aggregator, `feed ${config.name}: aggregator`);
  const normalized = boolOptionOr(options.normalized, defaults.normalized, 'normalized');
  const limits: GroupLimits = Object.freeze({
    maxActivities: intOptionOr(options.maxActivitiesPerGroup, 15, 'maxActivitiesPerGroup', 1, 1000),
    maxTrackedActors: intOptionOr(options.maxTrackedActors, 100, 'maxTrackedActors', 0, 100_000),
    maxTrackedActivities: intOptionOr(
      options.maxTrackedActivities,
      DEFAULT_TRACKED_ACTIVITIES,
      'maxTrackedActivities',
      0,
      100_000,
    ),
    denormalized: !normalized,
  });
  const groupCacheCharacters = intOptionOr(
    options.groupCacheCharacters,
    DEFAULT_GROUP_CACHE_CHARACTERS,
    'groupCacheCharacters',
    0,
  );
  return Object.freeze({ config, normalized, aggregator, limits, groupCacheCharacters });
}

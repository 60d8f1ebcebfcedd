/**
 * Resolving the options of a group feed (aggregated or notification) into its settings.
 * @module
 */
import type { ExtraData } from '../../activity/json.js';
import { type Aggregator, checkAggregator } from '../../aggregation/aggregators.js';
import { DEFAULT_TRACKED_ACTIVITIES, type GroupLimits } from '../../aggregation/group.js';
import { intOptionOr } from '../../util/int-option.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { boolOptionOr } from '../../validation/values.js';
import { FEED_KEYS, FEED_MOVED, resolveFeedConfig } from '../feed-config.js';
import { DEFAULT_GROUP_CACHE_CHARACTERS } from './recent-groups.js';
import type { GroupFeedOptions, GroupFeedSettings, GroupOptions } from './types.js';

/** Option keys shared by aggregated and notification feeds (each kind adds its own). */
export const GROUP_KEYS = {
  ...FEED_KEYS,
  normalized: true,
  aggregator: true,
  groups: true,
} as const satisfies { readonly [K in keyof Required<GroupFeedOptions>]: true };

/** Group feed options of earlier versions, with what to use instead (told by `INVALID_OPTION`). */
export const GROUP_MOVED: Readonly<Record<string, string>> = {
  ...FEED_MOVED,
  maxActivitiesPerGroup: 'use groups: { maxActivities }',
  maxTrackedActors: 'use groups: { maxTrackedActors }',
  maxTrackedActivities: 'use groups: { maxTrackedActivities }',
  groupCacheCharacters: 'use groups: { cacheCharacters }',
};

const GROUP_OPTION_KEYS = optionKeys<GroupOptions>({
  maxActivities: true,
  maxTrackedActors: true,
  maxTrackedActivities: true,
  cacheCharacters: true,
});

/** Validates the options of a group feed and fills defaults (throws `INVALID_OPTION`). */
export function resolveGroupFeedSettings<E extends ExtraData>(
  options: GroupFeedOptions<E>,
  defaults: { aggregator: Aggregator<E>; normalized: boolean },
  keys: readonly string[],
  where: string,
  moved: Readonly<Record<string, string>> = GROUP_MOVED,
): GroupFeedSettings<E> {
  const config = resolveFeedConfig(options, { maxLength: 100 }, keys, where, moved);
  const groups = checkOptions<GroupOptions>(options.groups, GROUP_OPTION_KEYS, where, true, {
    path: 'groups',
  });
  const aggregator =
    options.aggregator === undefined
      ? defaults.aggregator
      : checkAggregator(options.aggregator, `feed ${config.name}: aggregator`);
  const normalized = boolOptionOr(options.normalized, defaults.normalized, 'normalized');
  const limits: GroupLimits = Object.freeze({
    maxActivities: intOptionOr(groups.maxActivities, 15, 'groups.maxActivities', 1, 1000),
    maxTrackedActors: intOptionOr(
      groups.maxTrackedActors,
      100,
      'groups.maxTrackedActors',
      0,
      100_000,
    ),
    maxTrackedActivities: intOptionOr(
      groups.maxTrackedActivities,
      DEFAULT_TRACKED_ACTIVITIES,
      'groups.maxTrackedActivities',
      0,
      100_000,
    ),
    denormalized: !normalized,
  });
  const groupCacheCharacters = intOptionOr(
    groups.cacheCharacters,
    DEFAULT_GROUP_CACHE_CHARACTERS,
    'groups.cacheCharacters',
    0,
  );
  return Object.freeze({ config, normalized, aggregator, limits, groupCacheCharacters });
}

import { ValidationError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import { fnOptionOr, invalidOption } from '../validation/values.js';
import type { AggregatedFeedOptions } from './aggregated-feed.js';
import type { FeedOptions, WriteOptions } from './feed-config.js';
import type { FlatFeedOptions } from './flat-feed.js';
import type { NotificationFeedOptions } from './notification-feed.js';

export { objectOption } from '../validation/objects.js';

export { chanceOption } from '../validation/values.js';

const FEED = {
  name: true,
  storage: true,
  key: true,
  maxLength: true,
  serializer: true,
  verbs: true,
  metrics: true,
  trimChance: true,
  random: true,
  maxPageSize: true,
  maxBatchSize: true,
  maxTo: true,
} as const satisfies { readonly [K in keyof Required<FeedOptions>]: true };

const GROUP = {
  ...FEED,
  normalized: true,
  aggregator: true,
  maxActivitiesPerGroup: true,
  maxTrackedActors: true,
  maxTrackedActivities: true,
  groupCacheCharacters: true,
} as const;

/** Option keys of `defineFlatFeed` (the compiler checks them against `FlatFeedOptions`). */
export const FLAT_KEYS: readonly string[] = optionKeys<FlatFeedOptions>({
  ...FEED,
  normalized: true,
  onListenerError: true,
});

/** Option keys of `defineAggregatedFeed`. */
export const AGGREGATED_KEYS: readonly string[] = optionKeys<AggregatedFeedOptions>({
  ...GROUP,
  onListenerError: true,
});

/** Option keys of `defineNotificationFeed`. */
export const NOTIFICATION_KEYS: readonly string[] = optionKeys<NotificationFeedOptions>({
  ...GROUP,
  onListenerError: true,
  trackUnseen: true,
  trackUnread: true,
});

/** Option keys of a feed write (`WriteOptions`). */
export const WRITE_KEYS: readonly string[] = optionKeys<WriteOptions>({
  storeActivities: true,
  trim: true,
  previous: true,
});

/** Throws when a batch is larger than `max`. */
export function checkBatch(length: number, max: number, what: string): void {
  if (length > max) {
    throw new ValidationError(
      'LIMIT_EXCEEDED',
      `${what}: ${length} items in one call; the limit is ${max}`,
      { details: { limit: max } },
    );
  }
}

/** Checks a metrics option: an object whose hooks, when present, are functions. */
export function metricsOption(value: unknown, name = 'metrics'): Metrics {
  if (typeof value !== 'object' || value === null) {
    throw invalidOption(
      name,
      `must be an object of hooks (e.g. createStatsdMetrics()), got ${show(value)}`,
    );
  }
  for (const hook of METRIC_HOOKS) {
    fnOptionOr((value as Record<string, unknown>)[hook], undefined, `${name}.${hook}`);
  }
  return value as Metrics;
}

const METRIC_HOOKS: readonly (keyof Metrics)[] = [
  'onFanout',
  'onFeedRead',
  'onFeedWrite',
  'onFeedRemove',
  'onMissingActivities',
  'onActivityPublished',
  'onActivityRemoved',
];

import { ValidationError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { show } from '../validation/show.js';
import { fnOptionOr, invalidOption } from '../validation/values.js';

export { objectOption } from '../validation/objects.js';

export { chanceOption } from '../validation/values.js';

/** Option keys every feed kind accepts (see `FeedOptions`). */
export const FEED_KEYS: readonly string[] = [
  'name',
  'storage',
  'key',
  'maxLength',
  'serializer',
  'verbs',
  'metrics',
  'trimChance',
  'random',
  'maxPageSize',
  'maxBatchSize',
];

/** Option keys of `defineFlatFeed`. */
export const FLAT_KEYS: readonly string[] = [...FEED_KEYS, 'normalized', 'onListenerError'];

/** Option keys of `defineAggregatedFeed`. */
export const AGGREGATED_KEYS: readonly string[] = [
  ...FEED_KEYS,
  'aggregator',
  'maxActivitiesPerGroup',
  'maxTrackedActors',
  'maxTrackedActivities',
  'normalized',
  'groupCacheCharacters',
  'onListenerError',
];

/** Option keys of `defineNotificationFeed`. */
export const NOTIFICATION_KEYS: readonly string[] = [
  ...AGGREGATED_KEYS,
  'trackUnseen',
  'trackUnread',
];

/** Option keys of a feed write (`WriteOptions`). */
export const WRITE_KEYS: readonly string[] = ['storeActivities', 'trim'];

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
      `must be an object of hooks (e.g. statsdMetrics()), got ${show(value)}`,
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

import { ValidationError } from '../errors.js';
import type { Metrics } from '../metrics/metrics.js';
import { show } from '../validation/show.js';
import { fnOptionOr, invalidOption } from '../validation/values.js';

export { objectOption } from '../validation/objects.js';

export { chanceOption } from '../validation/values.js';

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

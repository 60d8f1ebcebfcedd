import { show } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import type { Metrics } from './metrics.js';

/**
 * The part of a StatsD client the metrics use. `hot-shots`, `node-statsd` and `statsd-client`
 * clients all fit; the library does not depend on any of them.
 */
export interface StatsdClient {
  increment(name: string, value?: number): void;
  timing(name: string, ms: number): void;
}

/** Options of {@link createStatsdMetrics}. */
export interface StatsdMetricsOptions {
  /** Prepended to every name with a dot, e.g. `'stream_framework'`. @default none (use the client's own prefix) */
  readonly prefix?: string | undefined;
}

const STATSD_KEYS = optionKeys<StatsdMetricsOptions>({ prefix: true });

const PREFIX = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * Metrics reported to StatsD with the Python original's names (`StatsdMetrics`), keyed by feed
 * name instead of class name:
 * - `<feed>.fanout_latency` (timing) and `<feed>.fanout.<operation>` (activities × feeds written);
 * - `<feed>.read_latency` (timing), `<feed>.reads`, `<feed>.writes`, `<feed>.deletes` (entries);
 * - `<feed>.missing_activities` (entries whose activity was gone on read);
 * - `activities.published`, `activities.removed`.
 * @example
 * import StatsD from 'hot-shots';
 * const metrics = createStatsdMetrics(new StatsD({ host: 'localhost' }), { prefix: 'feeds' });
 */
export function createStatsdMetrics(
  client: StatsdClient,
  options: StatsdMetricsOptions = {},
): Metrics {
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.increment !== 'function' ||
    typeof client.timing !== 'function'
  ) {
    throw new ValidationError(
      'INVALID_OPTION',
      'createStatsdMetrics: client must have increment(name, value) and timing(name, ms)',
    );
  }
  const { prefix } = checkOptions<StatsdMetricsOptions>(
    options,
    STATSD_KEYS,
    'createStatsdMetrics',
  );
  if (prefix !== undefined && (typeof prefix !== 'string' || !PREFIX.test(prefix))) {
    throw new ValidationError(
      'INVALID_OPTION',
      `createStatsdMetrics: prefix must match ${PREFIX}, got ${show(prefix)}`,
    );
  }
  const base = prefix === undefined ? '' : `${prefix.replace(/\.+$/, '')}.`;
  const increment = (name: string, value: number): void => client.increment(base + name, value);
  const timing = (name: string, ms: number): void => client.timing(base + name, ms);
  return Object.freeze({
    onFanout(e) {
      timing(`${e.feed}.fanout_latency`, e.durationMs);
      increment(`${e.feed}.fanout.${e.operation}`, e.activities * e.feeds);
    },
    onFeedRead(e) {
      if (e.durationMs !== undefined) timing(`${e.feed}.read_latency`, e.durationMs);
      increment(`${e.feed}.reads`, e.count);
    },
    onFeedWrite: (e) => increment(`${e.feed}.writes`, e.count),
    onFeedRemove: (e) => increment(`${e.feed}.deletes`, e.count),
    onMissingActivities: (e) => increment(`${e.feed}.missing_activities`, e.count),
    onActivityPublished: () => increment('activities.published', 1),
    onActivityRemoved: () => increment('activities.removed', 1),
  } satisfies Metrics);
}

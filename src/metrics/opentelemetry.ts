import { show } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import type { Metrics } from './metrics.js';

/** Options of {@link createOpenTelemetryMetrics}. */
export interface OpenTelemetryMetricsOptions {
  /** Prefix of every instrument name. @default 'stream_framework' */
  readonly prefix?: string | undefined;
}

/** Attributes recorded with every measurement: the feed, and for fan-out the operation. */
export type OpenTelemetryAttributes = Readonly<Record<string, string>>;

/**
 * The part of an OpenTelemetry `Meter` (`@opentelemetry/api`) this adapter uses, written out so
 * that the package's types never import the optional peer: a real `Meter` is assignable to it,
 * and an application without `@opentelemetry/api` still type-checks (no `skipLibCheck` needed).
 */
export interface OpenTelemetryMeter {
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: OpenTelemetryAttributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): { record(value: number, attributes?: OpenTelemetryAttributes): void };
}

const OTEL_KEYS = optionKeys<OpenTelemetryMetricsOptions>({ prefix: true });

const PREFIX = /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/;

/**
 * Metrics recorded with an OpenTelemetry `Meter` (from `@opentelemetry/api`, an optional peer
 * dependency: this module only imports its types, so nothing loads unless you pass a meter).
 * Instruments (every one has a `feed` attribute; fan-out ones also `operation`):
 * - `<prefix>.fanout.tasks`, `<prefix>.fanout.activities` (activities × feeds written) counters and
 *   the `<prefix>.fanout.duration` histogram (ms);
 * - `<prefix>.feed.reads`, `.writes`, `.removes`, `.missing_activities` counters (entries) and the
 *   `<prefix>.feed.read.duration` histogram (ms);
 * - `<prefix>.activities.published`, `<prefix>.activities.removed` counters.
 * @example
 * import { metrics } from '@opentelemetry/api';
 * const feedMetrics = createOpenTelemetryMetrics(metrics.getMeter('my-app'));
 */
export function createOpenTelemetryMetrics(
  meter: OpenTelemetryMeter,
  options: OpenTelemetryMetricsOptions = {},
): Metrics {
  if (
    typeof meter !== 'object' ||
    meter === null ||
    typeof meter.createCounter !== 'function' ||
    typeof meter.createHistogram !== 'function'
  ) {
    throw new ValidationError(
      'INVALID_OPTION',
      'createOpenTelemetryMetrics: meter must be an OpenTelemetry Meter (metrics.getMeter(name))',
    );
  }
  const prefix =
    checkOptions<OpenTelemetryMetricsOptions>(options, OTEL_KEYS, 'createOpenTelemetryMetrics')
      .prefix ?? 'stream_framework';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `createOpenTelemetryMetrics: prefix must match ${PREFIX}, got ${show(prefix)}`,
    );
  }
  const counter = (name: string, description: string, unit = '{entry}') =>
    meter.createCounter(`${prefix}.${name}`, { description, unit });
  const histogram = (name: string, description: string) =>
    meter.createHistogram(`${prefix}.${name}`, { description, unit: 'ms' });

  const fanoutTasks = counter('fanout.tasks', 'Fan-out tasks run', '{task}');
  const fanoutActivities = counter(
    'fanout.activities',
    'Activities written to or removed from feeds by fan-out (activities × feeds)',
    '{activity}',
  );
  const fanoutDuration = histogram('fanout.duration', 'Duration of fan-out tasks');
  const reads = counter('feed.reads', 'Entries read from feeds');
  const writes = counter('feed.writes', 'Entries written to feeds');
  const removes = counter('feed.removes', 'Entries removed from feeds');
  const missing = counter(
    'feed.missing_activities',
    'Feed entries whose activity was missing from activity storage on read',
  );
  const readDuration = histogram('feed.read.duration', 'Duration of feed reads');
  const published = counter('activities.published', 'Activities published', '{activity}');
  const removed = counter('activities.removed', 'Activities removed', '{activity}');

  return Object.freeze({
    onFanout(e) {
      const attributes = { feed: e.feed, operation: e.operation };
      fanoutTasks.add(1, attributes);
      fanoutActivities.add(e.activities * e.feeds, attributes);
      fanoutDuration.record(e.durationMs, attributes);
    },
    onFeedRead(e) {
      reads.add(e.count, { feed: e.feed });
      if (e.durationMs !== undefined) readDuration.record(e.durationMs, { feed: e.feed });
    },
    onFeedWrite: (e) => writes.add(e.count, { feed: e.feed }),
    onFeedRemove: (e) => removes.add(e.count, { feed: e.feed }),
    onMissingActivities: (e) => missing.add(e.count, { feed: e.feed }),
    onActivityPublished: (e) => published.add(1, { feed: e.feed }),
    onActivityRemoved: (e) => removed.add(1, { feed: e.feed }),
  } satisfies Metrics);
}

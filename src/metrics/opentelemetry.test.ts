import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Histogram,
  type Meter,
  type MetricOptions,
} from '@opentelemetry/api';
import { emitMetric } from './metrics.js';
import { createOpenTelemetryMetrics } from './opentelemetry.js';

interface Recorded {
  instrument: string;
  value: number;
  attributes: Attributes | undefined;
}

/** A real `Meter` (the API's noop meter) whose counters and histograms record what they get. */
function recordingMeter() {
  const noop = createNoopMeter();
  const records: Recorded[] = [];
  const created: { name: string; kind: string; options: MetricOptions | undefined }[] = [];
  const counter = (name: string, options?: MetricOptions): Counter => {
    created.push({ name, kind: 'counter', options });
    return { add: (value, attributes) => records.push({ instrument: name, value, attributes }) };
  };
  const histogram = (name: string, options?: MetricOptions): Histogram => {
    created.push({ name, kind: 'histogram', options });
    return { record: (value, attributes) => records.push({ instrument: name, value, attributes }) };
  };
  const meter: Meter = {
    createCounter: counter,
    createHistogram: histogram,
    createGauge: (n, o) => noop.createGauge(n, o),
    createUpDownCounter: (n, o) => noop.createUpDownCounter(n, o),
    createObservableGauge: (n, o) => noop.createObservableGauge(n, o),
    createObservableCounter: (n, o) => noop.createObservableCounter(n, o),
    createObservableUpDownCounter: (n, o) => noop.createObservableUpDownCounter(n, o),
    addBatchObservableCallback: (c, o) => noop.addBatchObservableCallback(c, o),
    removeBatchObservableCallback: (c, o) => noop.removeBatchObservableCallback(c, o),
  };
  return { meter, records, created };
}

describe('createOpenTelemetryMetrics', () => {
  it('creates its instruments once, prefixed, with units', () => {
    const { meter, created } = recordingMeter();
    createOpenTelemetryMetrics(meter);
    const names = created.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    assert.ok(names.every((n) => n.startsWith('stream_framework.')));
    assert.deepEqual(
      created.filter((c) => c.kind === 'histogram').map((c) => [c.name, c.options?.unit]),
      [
        ['stream_framework.fanout.duration', 'ms'],
        ['stream_framework.feed.read.duration', 'ms'],
      ],
    );
  });

  it('records fan-out tasks, activities x feeds and duration with feed and operation', () => {
    const { meter, records } = recordingMeter();
    const metrics = createOpenTelemetryMetrics(meter, { prefix: 'app' });
    emitMetric(metrics, 'onFanout', {
      feed: 'timeline',
      operation: 'remove',
      feeds: 10,
      activities: 3,
      durationMs: 4.5,
    });
    const attributes = { feed: 'timeline', operation: 'remove' };
    assert.deepEqual(records, [
      { instrument: 'app.fanout.tasks', value: 1, attributes },
      { instrument: 'app.fanout.activities', value: 30, attributes },
      { instrument: 'app.fanout.duration', value: 4.5, attributes },
    ]);
  });

  it('records feed reads, writes, removals, missing activities and publish/remove events', () => {
    const { meter, records } = recordingMeter();
    const metrics = createOpenTelemetryMetrics(meter);
    emitMetric(metrics, 'onFeedRead', { feed: 'f', count: 25, durationMs: 2 });
    emitMetric(metrics, 'onFeedWrite', { feed: 'f', count: 3 });
    emitMetric(metrics, 'onFeedRemove', { feed: 'f', count: 1 });
    emitMetric(metrics, 'onMissingActivities', { feed: 'f', count: 2 });
    emitMetric(metrics, 'onActivityPublished', { feed: 'user' });
    emitMetric(metrics, 'onActivityRemoved', { feed: 'user' });
    assert.deepEqual(
      records.map((r) => [r.instrument.replace('stream_framework.', ''), r.value, r.attributes]),
      [
        ['feed.reads', 25, { feed: 'f' }],
        ['feed.read.duration', 2, { feed: 'f' }],
        ['feed.writes', 3, { feed: 'f' }],
        ['feed.removes', 1, { feed: 'f' }],
        ['feed.missing_activities', 2, { feed: 'f' }],
        ['activities.published', 1, { feed: 'user' }],
        ['activities.removed', 1, { feed: 'user' }],
      ],
    );
  });

  it('works with the API noop meter and rejects a non-meter or a bad prefix', () => {
    const metrics = createOpenTelemetryMetrics(createNoopMeter());
    emitMetric(metrics, 'onFeedWrite', { feed: 'f', count: 1 });
    assert.throws(() => createOpenTelemetryMetrics({} as Meter), { code: 'INVALID_OPTION' });
    assert.throws(() => createOpenTelemetryMetrics(createNoopMeter(), { prefix: '1x' }), {
      code: 'INVALID_OPTION',
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitMetric } from './metrics.js';
import { createStatsdMetrics, type StatsdClient } from './statsd.js';

/** Records calls like a StatsD client would send them (not a backend: nothing to conform to). */
function recordingClient(): StatsdClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    increment: (name, value) => calls.push(`increment ${name} ${value}`),
    timing: (name, ms) => calls.push(`timing ${name} ${ms}`),
  };
}

describe('createStatsdMetrics', () => {
  it('reports fan-out latency and activities x feeds under the original names', () => {
    const client = recordingClient();
    const metrics = createStatsdMetrics(client);
    emitMetric(metrics, 'onFanout', {
      feed: 'timeline',
      operation: 'add',
      feeds: 100,
      activities: 2,
      durationMs: 12,
    });
    assert.deepEqual(client.calls, [
      'timing timeline.fanout_latency 12',
      'increment timeline.fanout.add 200',
    ]);
  });

  it('reports reads (with latency), writes, deletes and missing activities per feed', () => {
    const client = recordingClient();
    const metrics = createStatsdMetrics(client);
    emitMetric(metrics, 'onFeedRead', { feed: 'user', count: 25, durationMs: 3 });
    emitMetric(metrics, 'onFeedRead', { feed: 'user', count: 5 });
    emitMetric(metrics, 'onFeedWrite', { feed: 'user', count: 7 });
    emitMetric(metrics, 'onFeedRemove', { feed: 'user', count: 1 });
    emitMetric(metrics, 'onMissingActivities', { feed: 'user', count: 2 });
    assert.deepEqual(client.calls, [
      'timing user.read_latency 3',
      'increment user.reads 25',
      'increment user.reads 5',
      'increment user.writes 7',
      'increment user.deletes 1',
      'increment user.missing_activities 2',
    ]);
  });

  it('counts published and removed activities and applies the prefix', () => {
    const client = recordingClient();
    const metrics = createStatsdMetrics(client, { prefix: 'sf.' });
    emitMetric(metrics, 'onActivityPublished', { feed: 'user' });
    emitMetric(metrics, 'onActivityRemoved', { feed: 'user' });
    assert.deepEqual(client.calls, [
      'increment sf.activities.published 1',
      'increment sf.activities.removed 1',
    ]);
  });

  it('calls the client as a method (this is the client)', () => {
    const names: string[] = [];
    class Client {
      readonly sent = names;
      increment(name: string): void {
        this.sent.push(name);
      }
      timing(name: string): void {
        this.sent.push(name);
      }
    }
    const metrics = createStatsdMetrics(new Client());
    emitMetric(metrics, 'onActivityPublished', { feed: 'user' });
    assert.deepEqual(names, ['activities.published']);
  });

  it('rejects a client without increment/timing and a malformed prefix', () => {
    assert.throws(() => createStatsdMetrics({} as StatsdClient), { code: 'INVALID_OPTION' });
    assert.throws(() => createStatsdMetrics(recordingClient(), { prefix: 'a b' }), {
      code: 'INVALID_OPTION',
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { createActivity } from '../activity/activity.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { createManager } from '../manager/manager.js';
import { taskDigest } from '../queue/bullmq/jobs.js';
import { parseTask, type Task } from '../queue/task.js';
import { completedBatch, type TaskQueue } from '../queue/task-queue.js';
import type { Storage } from '../storage/contracts.js';
import { createOpenTelemetryTracing } from './tracing.js';

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracing = createOpenTelemetryTracing(
    { trace, context },
    { tracer: provider.getTracer('test') },
  );
  return { exporter, tracing };
}

function world(options: { queue?: TaskQueue; followers?: () => number[]; storage?: Storage } = {}) {
  const storage = options.storage ?? createMemoryStorage();
  return {
    userFeed: defineFlatFeed({ name: 'user', storage }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage }),
      aggregated: defineAggregatedFeed({ name: 'aggregated', storage }),
    },
    getFollowerIds: options.followers ?? (() => [2, 3, 4]),
    ...(options.queue ? { queue: options.queue } : {}),
    limits: { fanoutChunkSize: 2 },
  };
}

const pin = (n: number) =>
  createActivity({ actor: 1, verb: 'pin', object: n, time: Date.UTC(2024, 0, 1, 0, n) });

const named = (spans: readonly ReadableSpan[], name: string) =>
  spans.filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

/** A queue that keeps the JSON of every task, as a distributed queue would store it. */
function storingQueue(): TaskQueue & { jobs: string[] } {
  const jobs: string[] = [];
  return {
    name: 'storing',
    jobs,
    async enqueue(tasks) {
      for (const task of tasks) jobs.push(JSON.stringify(task));
      return completedBatch(tasks.map((_, i) => `job:${jobs.length - tasks.length + i}`));
    },
  };
}

describe('createOpenTelemetryTracing', () => {
  it('traces a publish, its tasks as children, and the group writes inside them', async () => {
    const { exporter, tracing } = setup();
    const manager = createManager({ ...world(), tracing });
    const handle = await manager.addUserActivity(1, pin(1));
    const spans = exporter.getFinishedSpans();
    const [publish] = named(spans, 'stream_framework.publish');
    assert.ok(publish, 'a publish span');
    assert.equal(publish.parentSpanContext, undefined);
    assert.equal(publish.attributes['stream_framework.feed'], 'user');
    assert.equal(publish.attributes['stream_framework.tasks'], handle.total);
    const tasks = named(spans, 'stream_framework.task');
    // 3 followers in chunks of 2, for each of the 2 fan-out feeds.
    assert.equal(tasks.length, 4);
    assert.equal(handle.total, 4);
    for (const t of tasks) {
      assert.equal(parentOf(t), publish.spanContext().spanId);
      assert.equal(t.spanContext().traceId, publish.spanContext().traceId);
      assert.equal(t.attributes['stream_framework.task.kind'], 'fanout');
      assert.equal(t.attributes['stream_framework.op'], 'add');
      assert.equal(t.attributes['stream_framework.activities'], 1);
    }
    assert.deepEqual(
      tasks
        .map((t) => [t.attributes['stream_framework.feed'], t.attributes['stream_framework.users']])
        .sort(),
      [
        ['aggregated', 1],
        ['aggregated', 2],
        ['timeline', 1],
        ['timeline', 2],
      ],
    );
    const updates = named(spans, 'stream_framework.feed.update');
    assert.equal(updates.length, 2, 'one group update per aggregated task, none for flat feeds');
    const aggregatedTasks = tasks.filter(
      (t) => t.attributes['stream_framework.feed'] === 'aggregated',
    );
    assert.deepEqual(
      updates.map(parentOf).sort(),
      aggregatedTasks.map((t) => t.spanContext().spanId).sort(),
    );
    for (const u of updates) assert.equal(u.attributes['stream_framework.feed.kind'], 'aggregated');
  });

  it('traces reads of the manager handles with the number of items', async () => {
    const { exporter, tracing } = setup();
    const manager = createManager({ ...world(), tracing });
    await manager.addUserActivity(1, pin(1));
    await manager.addUserActivity(1, pin(2));
    exporter.reset();
    const page = await manager.getFeeds(2).timeline.read({ limit: 1 });
    assert.equal(page.items.length, 1);
    await manager.getUserFeed(1).read();
    await manager.getFeed('aggregated', 3).read();
    const older = await manager
      .getFeeds(2)
      .timeline.filter({ lt: pin(2).id })
      .read();
    assert.deepEqual(
      older.items.map((a) => a.id),
      [pin(1).id],
    );
    const reads = named(exporter.getFinishedSpans(), 'stream_framework.feed.read');
    assert.deepEqual(
      reads.map((s) => [
        s.attributes['stream_framework.feed'],
        s.attributes['stream_framework.items'],
      ]),
      [
        ['timeline', 1],
        ['user', 2],
        ['aggregated', 1],
        ['timeline', 1],
      ],
    );
  });

  it('records an error on the span and rethrows it', async () => {
    const { exporter, tracing } = setup();
    const failure = new Error('follower service down');
    const manager = createManager({
      ...world({
        followers: () => {
          throw failure;
        },
      }),
      tracing,
    });
    await assert.rejects(manager.addUserActivity(1, pin(1)), failure);
    const [publish] = named(exporter.getFinishedSpans(), 'stream_framework.publish');
    assert.equal(publish?.status.code, 2); // SpanStatusCode.ERROR
    assert.equal(publish?.status.message, 'follower service down');
    assert.equal(publish?.events[0]?.name, 'exception');
    assert.equal(publish?.events[0]?.attributes?.['exception.message'], 'follower service down');
  });

  it('carries the trace context through the task JSON to another process', async () => {
    const web = setup();
    const queue = storingQueue();
    const publisher = createManager({ ...world({ queue }), tracing: web.tracing });
    await publisher.addUserActivity(1, pin(1));
    const [publish] = named(web.exporter.getFinishedSpans(), 'stream_framework.publish');
    assert.ok(publish);
    const parent = publish.spanContext();
    assert.equal(queue.jobs.length, 4);
    for (const job of queue.jobs) {
      assert.equal((JSON.parse(job) as Task).trace, `00-${parent.traceId}-${parent.spanId}-01`);
    }
    // The worker: another manager, another tracer provider, the tasks from their JSON.
    const worker = setup();
    const consumer = createManager({ ...world(), tracing: worker.tracing });
    for (const job of queue.jobs) await consumer.runTask(JSON.parse(job));
    const tasks = named(worker.exporter.getFinishedSpans(), 'stream_framework.task');
    assert.equal(tasks.length, 4);
    for (const t of tasks) {
      assert.equal(t.spanContext().traceId, parent.traceId);
      assert.equal(parentOf(t), parent.spanId);
      assert.equal(t.parentSpanContext?.isRemote, true);
    }
  });

  it('runs tasks without a trace (written before tracing) as new traces', async () => {
    const { exporter, tracing } = setup();
    const queue = storingQueue();
    const storage = createMemoryStorage();
    await createManager(world({ queue, storage })).addUserActivity(1, pin(1));
    assert.ok(
      queue.jobs.every((job) => !('trace' in JSON.parse(job))),
      'no tracing: no trace key',
    );
    const consumer = createManager({ ...world({ storage }), tracing });
    for (const job of queue.jobs) await consumer.runTask(job);
    const tasks = named(exporter.getFinishedSpans(), 'stream_framework.task');
    assert.equal(tasks.length, 4);
    for (const t of tasks) assert.equal(t.parentSpanContext, undefined);
    const feed = await consumer.getFeeds(2).timeline.read();
    assert.equal(feed.items.length, 1);
  });

  it('links follow tasks to the follow call', async () => {
    const { exporter, tracing } = setup();
    const manager = createManager({ ...world(), tracing });
    await manager.followManyUsers(2, [1, 3, 5]);
    const spans = exporter.getFinishedSpans();
    const [follow] = named(spans, 'stream_framework.follow');
    const tasks = named(spans, 'stream_framework.task');
    assert.equal(tasks.length, 2);
    for (const t of tasks) {
      assert.equal(parentOf(t), follow?.spanContext().spanId);
      assert.equal(t.attributes['stream_framework.task.kind'], 'follow');
    }
    assert.deepEqual(tasks.map((t) => t.attributes['stream_framework.targets']).sort(), [1, 2]);
  });

  it('rejects what is not the OpenTelemetry API', () => {
    for (const bad of [undefined, null, {}, { trace }, { context }, trace]) {
      assert.throws(
        () => createOpenTelemetryTracing(bad as never),
        (e: { code?: string }) => e.code === 'INVALID_OPTION',
      );
    }
    assert.throws(
      () => createOpenTelemetryTracing({ trace, context }, { tracer: {} as never }),
      /tracer must be/,
    );
    assert.throws(() => createManager({ ...world(), tracing: {} as never }), /tracing must be/);
  });
});

describe('task trace field', () => {
  const base = { v: 1, type: 'trim', feed: 'timeline', userIds: ['1'] };
  const valid = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('accepts a W3C traceparent and keeps it', () => {
    assert.equal(parseTask({ ...base, trace: valid }).trace, valid);
    assert.equal('trace' in parseTask(base), false);
  });

  it('rejects anything else as INVALID_TASK', () => {
    const bad = [
      '',
      42,
      { traceparent: valid },
      valid.toUpperCase(),
      `${valid}-extra`,
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      `00-${'a'.repeat(10_000)}`,
    ];
    for (const trace of bad) {
      assert.throws(
        () => parseTask({ ...base, trace }),
        (e: { code?: string }) => e.code === 'INVALID_TASK',
        String(trace).slice(0, 60),
      );
    }
  });

  it('does not change the deduplication digest of a task', () => {
    const task = parseTask(base);
    assert.equal(taskDigest(parseTask({ ...base, trace: valid })), taskDigest(task));
  });
});

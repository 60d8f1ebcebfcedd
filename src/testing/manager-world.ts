import { type Activity, createActivity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import type { FanoutPolicyOptions } from '../fanout/policy.js';
import type { FeedDefinition } from '../feeds/feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import type { FollowerIds } from '../manager/follower-ids.js';
import { createManager } from '../manager/manager.js';
import type { Logger } from '../metrics/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { createInlineQueue } from '../queue/inline-queue.js';
import type { Task, TaskPriority } from '../queue/task.js';
import type { TaskBatch, TaskQueue } from '../queue/task-queue.js';
import type { Serializer } from '../serialization/serializer.js';
import type { Storage, TimelineEntry, TimelineStorage } from '../storage/contracts.js';
import type { BackendUnderTest, QueueUnderTest } from './backend.js';
import type { HarnessContext, HarnessTest } from './harness.js';

/** Fixed base time of the suite's activities: 2024-05-01T12:00:00.000Z. */
export const T0: number = Date.UTC(2024, 4, 1, 12, 0, 0);

/** Activity number `n` of `actor`: verb add, object `n`, at `T0 + n` seconds. */
export function act(
  actor: Id,
  n: number,
  more: { verb?: string; extra?: JsonObject; to?: string[]; foreignId?: string } = {},
): Activity {
  return createActivity({
    actor,
    verb: more.verb ?? 'add',
    object: n,
    time: T0 + n * 1000,
    extra: more.extra,
    to: more.to,
    foreignId: more.foreignId,
  });
}

/** Registers manager tests: each gets fresh storage, and more isolated storage on demand. */
export type ManagerTest = HarnessTest;

/** The running test's queue factory and the queues it made (tests of a suite run one by one). */
let current: { make: () => QueueUnderTest; made: QueueUnderTest[] } | undefined;

/**
 * The manager suite's context (see {@link HarnessTest}). With `backend.queue`, the managers of
 * each test use that queue by default ({@link testQueue}), closed after the test.
 */
export function managerContext(backend: BackendUnderTest): (ctx: HarnessContext) => HarnessContext {
  const make = backend.queue;
  return (ctx) => {
    if (make === undefined) return ctx;
    const made: QueueUnderTest[] = [];
    current = { make, made };
    ctx.cleanup(async () => {
      current = undefined;
      for (const queue of made) await queue.close?.();
    });
    return ctx;
  };
}

/** The default queue of the running test: the backend's queue, else an inline queue. */
export function testQueue(): TaskQueue {
  if (current === undefined) return createInlineQueue();
  const queue = current.make();
  current.made.push(queue);
  return queue;
}

/**
 * Awaits a manager call and then its tasks (`done()`): with a distributed queue they run after
 * the call resolves, so reads that must see their writes wait for them.
 */
export async function settled<B extends TaskBatch>(call: Promise<B>): Promise<B> {
  const batch = await call;
  await batch.done();
  return batch;
}

/** Options of {@link world}. */
export interface WorldOptions {
  readonly queue?: TaskQueue;
  readonly metrics?: Metrics;
  readonly fanoutChunkSize?: number;
  readonly followActivityLimit?: number;
  readonly batchImportChunkSize?: number;
  /** Storage of the timeline feed. @default the test storage */
  readonly timelineStorage?: Storage;
  /** Keep full activities in timeline entries. @default false */
  readonly denormalized?: boolean;
  /** Largest page of the user feed (follow pages through it). @default 1000 */
  readonly userPageSize?: number;
  /** The manager's `ownerOf`. @default the actor */
  readonly ownerOf?: (activity: Activity) => Id;
  /** Serializer of every feed (and so of the manager). @default createJsonSerializer() */
  readonly serializer?: Serializer;
  /** The manager's fan-out policy. @default pure push */
  readonly fanout?: FanoutPolicyOptions;
  /** The manager's logger. @default none */
  readonly logger?: Logger;
}

/**
 * A manager with a flat user feed `user`, a flat fan-out feed `timeline` and a flat target feed
 * `mentions`; `followers` maps a user id to what `getFollowerIds` returns (default none).
 */
export function world(storage: Storage, options: WorldOptions = {}) {
  const followers = new Map<string, FollowerIds>();
  const followerCalls: string[] = [];
  const user = defineFlatFeed({
    name: 'user',
    storage,
    maxLength: 10_000,
    limits: { maxPageSize: options.userPageSize },
    serializer: options.serializer,
    metrics: options.metrics, // the manager reports to its user feed's metrics
  });
  const timeline = defineFlatFeed({
    name: 'timeline',
    storage: options.timelineStorage ?? storage,
    maxLength: 1000,
    normalized: options.denormalized !== true,
    serializer: options.serializer,
  });
  const mentions = defineFlatFeed({ name: 'mentions', storage, serializer: options.serializer });
  const manager = createManager({
    userFeed: user,
    feeds: { timeline },
    targetFeeds: { mentions },
    getFollowerIds: (userId) => {
      followerCalls.push(userId);
      return followers.get(userId) ?? [];
    },
    queue: options.queue ?? testQueue(),
    limits: {
      fanoutChunkSize: options.fanoutChunkSize,
      followActivityLimit: options.followActivityLimit,
      batchImportChunkSize: options.batchImportChunkSize,
    },
    ...(options.ownerOf === undefined ? {} : { ownerOf: options.ownerOf }),
    ...(options.fanout === undefined ? {} : { fanout: options.fanout }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return { manager, followers, followerCalls, user, timeline, mentions };
}

/** A queue that records each task with its priority, then hands it to the test's queue. */
export function recordingQueue(inner: TaskQueue = testQueue()) {
  const log: { task: Task; priority: TaskPriority }[] = [];
  const queue: TaskQueue = {
    name: 'recording',
    enqueue(tasks, options, run) {
      for (const task of tasks) log.push({ task, priority: options.priority });
      return inner.enqueue(tasks, options, run);
    },
  };
  return { queue, log };
}

/** A queue that only holds tasks, as a distributed queue does until a worker runs them. */
export function holdingQueue() {
  const tasks: Task[] = [];
  const queue: TaskQueue = {
    name: 'holding',
    async enqueue(batch): Promise<TaskBatch> {
      tasks.push(...batch);
      const ids = batch.map((_, i) => `held:${tasks.length - batch.length + i}`);
      return {
        ids,
        total: batch.length,
        completed: () => 0,
        done: () => Promise.reject(new Error('held tasks never complete')),
      };
    },
  };
  return { queue, tasks };
}

/**
 * `storage` whose timeline's `addToMany` is `intercept(real)`, through the full interface and
 * through its id-only view alike (a normalized flat feed fans out through `idsOnly()`).
 */
export function interceptAddToMany(
  storage: Storage,
  intercept: (real: TimelineStorage['addToMany']) => TimelineStorage['addToMany'],
): Storage {
  const timeline = new Proxy(storage.timeline, {
    get(target, prop) {
      if (prop === 'addToMany') return intercept(target.addToMany);
      if (prop === 'idsOnly') {
        return () => {
          const view = target.idsOnly();
          return { ...view, addToMany: intercept(view.addToMany) };
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as TimelineStorage;
  return { timeline, activities: storage.activities };
}

/** `storage` whose timeline's `addToMany` throws the first `failures` times it is called. */
export function flakyStorage(storage: Storage, failures = 1): Storage & { failed(): number } {
  let failed = 0;
  const flaky = interceptAddToMany(storage, (real) => async (...args) => {
    if (failed >= failures) return real(...args);
    failed++;
    throw new Error('injected addToMany failure');
  });
  return { ...flaky, failed: () => failed };
}

/** Ids of every activity in a flat feed handle, newest first. */
export async function idsIn(feed: {
  read(options: { limit: number }): Promise<{ items: readonly { id: string }[] }>;
}): Promise<string[]> {
  return (await feed.read({ limit: 1000 })).items.map((a) => a.id);
}

/**
 * Everything a manager's feeds hold for `users` (every registered feed: entries with scores and
 * payloads, and the unseen/unread markers of group feeds) and the stored payloads of `ids` in
 * each feed's activity storage: compare a dump before and after a call that must write nothing.
 */
export async function dumpFeeds(
  manager: { readonly definitions: Readonly<Record<string, FeedDefinition>> },
  users: readonly Id[],
  ids: readonly string[],
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(manager.definitions)) {
    const { timeline, activities } = def.config.storage;
    for (const user of users) {
      const key = def.keyFor(user);
      const entries: TimelineEntry[] = await timeline.range(key, { limit: 10_000, order: 'desc' });
      const marks: Record<string, number> = {};
      if (def.kind !== 'flat' && timeline.capabilities.markers) {
        for (const marker of ['unseen', 'unread']) {
          marks[marker] = await timeline.countMarked(key, marker);
        }
      }
      out[`${name}:${String(user)}`] = { entries, marks };
    }
    out[`${name} activities`] = await activities.getMany(ids);
  }
  return out;
}

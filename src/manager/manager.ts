import { type Activity, assertActivity } from '../activity/activity.js';
import { assertActivityId, type Id, show } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import { ClosedError, ValidationError } from '../errors.js';
import type { EdgeDecision } from '../fanout/policy.js';
import type { FeedHandle } from '../feeds/feed.js';
import type { FlatFeed } from '../feeds/flat-feed.js';
import { userIdString } from '../feeds/keys.js';
import type { FeedPage, ReadOptions } from '../feeds/read-options.js';
import { createForeignIds } from '../foreign/foreign-ids.js';
import { log } from '../metrics/logger.js';
import { emitMetric } from '../metrics/metrics.js';
import { parseTask, TASK_LIMITS, type Task } from '../queue/task.js';
import { combineBatches, type TaskBatch } from '../queue/task-queue.js';
import { optionKeys } from '../validation/options.js';
import { boolOptionOr, fnOptionOr, intOptionOr, oneOfOption } from '../validation/values.js';
import { createActivityStores } from './activity-stores.js';
import {
  chunks,
  type FanoutPayload,
  followerTasks,
  resolveTargets,
  staleTargets,
  submitPaged,
  type Targets,
  targetTasks,
  trimTasks,
} from './fanout-plan.js';
import { type FollowerList, NO_FOLLOWERS } from './follower-source.js';
import {
  assertPullableId,
  decide,
  isFresh,
  isHybrid,
  markPulledAll,
  mergedFeed,
  type ProducerFacts,
  producerFacts,
  readStats,
  recordPublish,
} from './hybrid.js';
import { createReadRecorder } from './hybrid-reads.js';
import {
  type AnyFeedDefinition,
  checkCallOptions,
  type FeedMap,
  invalid,
  type ManagerOptions,
  resolveManagerOptions,
  type UserFeedDefinition,
} from './options.js';
import { assertOwner, ownerOf } from './ownership.js';
import { encodableForRemoval, taskPayloads } from './task-payloads.js';
import { taskRunner } from './task-runner.js';
import type {
  BatchImportOptions,
  BatchImportResult,
  ExtraOf,
  FanoutHandle,
  FeedHandles,
  FollowOptions,
  HandleOf,
  Manager,
  UnfollowOptions,
} from './types.js';

const FOLLOW_KEYS = optionKeys<FollowOptions>({ limit: true, priority: true });
const UNFOLLOW_KEYS = optionKeys<UnfollowOptions>({ keepHistory: true });
const BATCH_IMPORT_KEYS = optionKeys<BatchImportOptions>({
  fanout: true,
  chunkSize: true,
  onProgress: true,
});

/**
 * Creates a fan-out manager (see {@link Manager}). It takes no type argument: the activities'
 * extra data type comes from the user feed's definition (`defineFlatFeed<PinExtra>(...)`), and
 * `getFeeds` / `getFeed` return each feed's own handle type (`counts()` on notification feeds).
 * Every fan-out and target feed must accept the user feed's activities. Throws `INVALID_OPTION`
 * for bad options: feed names must be unique across `userFeed`, `feeds` and `targetFeeds`, each
 * record key must equal its definition's name (tasks and `to` references carry names), chunk
 * sizes must be positive integers.
 * @example
 * const manager = createManager({
 *   userFeed: defineFlatFeed<PinExtra>({ name: 'user', storage, maxLength: 10_000 }),
 *   feeds: { timeline: defineFlatFeed<PinExtra>({ name: 'timeline', storage }) },
 *   getFollowerIds: async (userId) => ({ high: await db.followersOf(userId) }),
 * });
 * await manager.addUserActivity(1, pinActivity);
 * const page = await manager.getFeeds(2).timeline.read({ limit: 25 }); // Activity<PinExtra>[]
 * @typeParam U - the user feed definition (inferred).
 * @typeParam F - the fan-out feed definitions by name (inferred).
 * @typeParam T - the target feed definitions by name (inferred).
 */
export function createManager<
  U extends UserFeedDefinition<ExtraData>,
  F extends FeedMap<ExtraOf<U>>,
  T extends FeedMap<ExtraOf<U>> = Record<never, never>,
>(options: ManagerOptions<ExtraOf<U>, U, F, T>): Manager<ExtraOf<U>, U, F, T> {
  type E = ExtraOf<U>;
  const config = resolveManagerOptions<E>(options);
  const { userFeed, fanoutFeeds, queue } = config;
  const stores = createActivityStores(config);
  const fanoutNames = fanoutFeeds.map((d) => d.name);
  // Fan-out feeds a fresh all-pull producer still writes (flat feeds pull it instead).
  const pushOnlyNames = fanoutFeeds.filter((d) => d.kind !== 'flat').map((d) => d.name);
  const allFeeds = [...config.byName.values()];
  const maxChunk = Math.min(TASK_LIMITS.activities, ...allFeeds.map((d) => d.config.maxBatchSize));
  const baseFeeds = [userFeed, ...fanoutFeeds];
  const run = taskRunner(config);
  const { logger, tracing } = config;
  const hybrid = isHybrid(config);
  const recordRead = hybrid ? createReadRecorder(config) : undefined;

  /** Shape and verb of an activity (the manager's registry, the user and fan-out feeds' ones). */
  function check(value: unknown): Activity<E> {
    // A frozen validated copy of a hand-built activity (the user feed's maxTo): use it, not value.
    const activity = assertActivity<E>(value, config.verbs, { maxTo: userFeed.config.maxTo });
    for (const def of baseFeeds) def.config.verbs?.require(activity.verb);
    return activity;
  }

  /** Resolves `to` references (strict: unknown feeds throw) and checks the targets' verbs. */
  function targetsOf(activities: readonly Activity<E>[]): Targets {
    const targets = resolveTargets(activities, config.taskFeeds, true);
    for (const def of targetDefs(targets)) {
      for (const a of activities) def.config.verbs?.require(a.verb);
    }
    return targets;
  }

  /**
   * Lets every feed a call will write check the activities it will receive (shape, verbs, size
   * limits, group keys) before the first write, so that a rejected call writes nothing.
   */
  function validateWrites(activities: readonly Activity<E>[], targets: Targets, fanout: boolean) {
    userFeed.validate?.(activities);
    if (fanout) for (const def of fanoutFeeds) def.validate?.(activities);
    for (const [name, users] of targets) {
      const indexes = new Set([...users.values()].flat());
      config.taskFeeds.get(name)?.validate?.(activities.filter((_, i) => indexes.has(i)));
    }
  }

  function followersOf(userId: string): Promise<FollowerList> {
    return config.followers(userId);
  }

  const targetDefs = (targets: Targets): AnyFeedDefinition<E>[] =>
    [...targets.keys()].map((name) => config.taskFeeds.get(name)!);

  /** Hands tasks to the queue; `trace` (the calling span's traceparent) goes in every task. */
  function submit(tasks: readonly Task[], priority: 'high' | 'low', trace: string | undefined) {
    const traced = trace === undefined ? tasks : tasks.map((t) => ({ ...t, trace }));
    return queue.enqueue(traced, { priority }, run);
  }

  /**
   * Enqueues the fan-out of `payload`: the followers' tasks page by page (every high page, with
   * the `to` deliveries, before the low ones), `fanoutChunkSize` user ids per task.
   */
  async function enqueue(
    followers: FollowerList,
    targets: Targets,
    payload: FanoutPayload,
    trace: string | undefined,
    feeds: readonly string[] = fanoutNames,
  ): Promise<TaskBatch> {
    const size = config.fanoutChunkSize;
    const tasksOf = (ids: readonly string[]) => followerTasks(feeds, ids, payload, size);
    const high = await submitPaged(
      followers.pages('high'),
      tasksOf,
      targetTasks(targets, payload, size),
      (tasks) => submit(tasks, 'high', trace),
    );
    const low = await submitPaged(followers.pages('low'), tasksOf, [], (tasks) =>
      submit(tasks, 'low', trace),
    );
    return combineBatches([...high, ...low]);
  }

  const handle = (activityId: string, batch: TaskBatch): FanoutHandle =>
    Object.freeze({
      activityId,
      ids: batch.ids,
      total: batch.total,
      completed: () => batch.completed(),
      done: () => batch.done(),
    });

  /**
   * Checks that `uid` owns every activity and every stored version with the same id (throws
   * `NOT_OWNER`), and returns the payload of each stored version that differs from the new one:
   * what fan-out tasks carry as `previous`. `known` overrides storage (earlier updates of a call).
   */
  async function previousVersions(
    uid: string,
    activities: readonly Activity<E>[],
    payloads: readonly string[],
    where: string,
    known?: ReadonlyMap<string, Activity<E>>,
  ): Promise<{ previous: (string | undefined)[]; stored: Map<string, Activity<E>> }> {
    for (const a of activities) assertOwner(config, uid, a, where);
    const stored = await stores.lookup(
      uid,
      activities.map((a) => a.id),
    );
    for (const [id, a] of known ?? []) stored.set(id, a);
    const previous = activities.map((a, i) => {
      const old = stored.get(a.id);
      if (old === undefined) return undefined;
      assertOwner(config, uid, old, where, true);
      const encoded = encodableForRemoval(config, old);
      return encoded === payloads[i] ? undefined : encoded;
    });
    return { previous, stored };
  }

  /** Everything a publish checks and reads before its first write; `commit` then writes. */
  async function planPublish(
    uid: string,
    activity: Activity<E>,
    where: string,
    known?: ReadonlyMap<string, Activity<E>>,
  ) {
    const post = where === 'addUserActivity';
    if (hybrid) assertPullableId(uid, where);
    const targets = targetsOf([activity]);
    validateWrites([activity], targets, true);
    const payloads = taskPayloads(config, [activity], where);
    const store = stores.prepare([activity], targetDefs(targets));
    // The stored version and the follower ids are read at once: two reads, one wait.
    const reads = [
      previousVersions(uid, [activity], payloads, where, known),
      audience(uid),
    ] as const;
    await Promise.allSettled(reads); // neither is still running when one of them throws
    const { previous, stored } = await reads[0];
    const { followers, skipFlat } = await reads[1];
    // `to` feeds of the previous version that the new one no longer names lose their copy.
    const old = stored.get(activity.id);
    const stale =
      old && previous[0] !== undefined ? staleTargets(old, targets, config.taskFeeds) : new Map();
    return async (trace: string | undefined): Promise<FanoutHandle> => {
      await store();
      await userFeed.for(uid).add(activity, { storeActivities: false });
      const count = skipFlat ? undefined : followers.count;
      const now = Date.now();
      const pull = hybrid ? await recordPublish(config, uid, post, count, now) : undefined;
      const payload = { op: 'add', payloads, previous, trim: true, pull } as const;
      const feeds = skipFlat ? pushOnlyNames : fanoutNames;
      const batches = [await enqueue(followers, targets, payload, trace, feeds)];
      if (pull?.all && count !== undefined) await markPulledAll(config, uid, count, now);
      if (stale.size > 0) {
        const removal = { op: 'remove', payloads: [previous[0]!], trim: false } as const;
        batches.push(await enqueue(NO_FOLLOWERS, stale, removal, trace));
      }
      emitMetric(config.metrics, 'onActivityPublished', { feed: userFeed.name });
      return handle(activity.id, combineBatches(batches));
    };
  }

  /**
   * Who a publish or import by `uid` fans out to. In hybrid mode, a producer whose all-pull
   * marker is fresh skips the flat feeds (every follower pulls it already): `skipFlat`, and its
   * followers are not even read when every fan-out feed is flat.
   */
  async function audience(uid: string): Promise<{ followers: FollowerList; skipFlat: boolean }> {
    const skipFlat =
      hybrid && isFresh(config, (await readStats(config, [uid]))[0]!.pulledAll, Date.now());
    const needed = !skipFlat || pushOnlyNames.length > 0;
    return { followers: needed ? await followersOf(uid) : NO_FOLLOWERS, skipFlat };
  }

  function idList(userIds: unknown, what: string): string[] {
    if (!Array.isArray(userIds)) {
      throw new ValidationError('INVALID_ID', `${what}: expected an array of user ids`);
    }
    const ids = [...new Set(Array.from(userIds, (id, i) => userIdString(id, `${what}[${i}]`)))];
    if (ids.length > TASK_LIMITS.targetIds) {
      throw new ValidationError(
        'LIMIT_EXCEEDED',
        `${what}: ${ids.length} user ids in one call; the limit is ${TASK_LIMITS.targetIds}`,
      );
    }
    return ids;
  }

  async function follow(
    userId: Id,
    targetIds: readonly Id[],
    options: FollowOptions | undefined,
    trace: string | undefined,
  ) {
    const uid = userIdString(userId);
    const targets = idList(targetIds, 'followManyUsers targetIds');
    if (hybrid) for (const t of targets) assertPullableId(t, 'followManyUsers');
    checkCallOptions(options, FOLLOW_KEYS, 'followManyUsers');
    const limit = intOptionOr(
      options?.limit,
      config.followActivityLimit,
      'limit',
      0,
      TASK_LIMITS.followLimit,
    );
    const { graph } = config;
    if (options?.priority !== undefined && graph === undefined) {
      throw invalid('followManyUsers: priority needs a graph (createManager({ graph }))');
    }
    const priority = oneOfOption(options?.priority ?? 'high', ['high', 'low'], 'priority');
    if (targets.length === 0) return combineBatches([]);
    // The edges first: from here on a publish by a target fans out to the user, and the copy
    // (a retry of the call rewrites the same edges and copies again, both idempotent).
    if (graph) {
      for (const chunk of chunks(targets, graph.maxBatchSize)) {
        await graph.follow(uid, chunk, { priority });
      }
    }
    const tasks: Task[] = chunks(targets, config.fanoutChunkSize).map((chunk) => ({
      v: 1,
      type: 'follow',
      userId: uid,
      targetIds: chunk,
      limit,
    }));
    return submit(tasks, 'high', trace);
  }

  async function unfollow(
    userId: Id,
    targetIds: readonly Id[],
    options: UnfollowOptions | undefined,
    trace: string | undefined,
  ) {
    const uid = userIdString(userId);
    const targets = idList(targetIds, 'unfollowManyUsers targetIds');
    checkCallOptions(options, UNFOLLOW_KEYS, 'unfollowManyUsers');
    const keepHistory = boolOptionOr(options?.keepHistory, false, 'unfollowManyUsers: keepHistory');
    if (targets.length === 0) return combineBatches([]);
    // The edges first: no fan-out enqueued after this reaches the user, then the removal.
    const { graph } = config;
    if (graph) {
      for (const chunk of chunks(targets, graph.maxBatchSize)) await graph.unfollow(uid, chunk);
    }
    const tasks: Task[] = chunks(targets, config.fanoutChunkSize).map((chunk) => ({
      v: 1,
      type: 'unfollow',
      userId: uid,
      targetIds: chunk,
      keepHistory,
    }));
    return submit(tasks, 'high', trace);
  }

  async function batchImport(
    userId: Id,
    input: readonly Activity<E>[],
    options: BatchImportOptions | undefined,
    trace: string | undefined,
  ): Promise<BatchImportResult> {
    const uid = userIdString(userId);
    checkCallOptions(options, BATCH_IMPORT_KEYS, 'batchImport');
    const fanout = boolOptionOr(options?.fanout, true, 'batchImport: fanout');
    const chunkSize = intOptionOr(
      options?.chunkSize,
      config.batchImportChunkSize,
      'chunkSize',
      1,
      maxChunk,
    );
    const onProgress = fnOptionOr<NonNullable<BatchImportOptions['onProgress']>, undefined>(
      options?.onProgress,
      undefined,
      'batchImport: onProgress',
    );
    if (!Array.isArray(input)) {
      throw new ValidationError('INVALID_ACTIVITY', 'batchImport: expected an array of activities');
    }
    const byId = new Map<string, Activity<E>>();
    Array.from(input).forEach((value, i) => {
      const activity = check(value);
      assertOwner(config, uid, activity, `batchImport: activity ${i}`);
      byId.set(activity.id, activity);
    });
    const activities = [...byId.values()];
    const parts = chunks(activities, chunkSize);
    const plans = parts.map((part) => {
      const targets: Targets = fanout ? targetsOf(part) : new Map();
      validateWrites(part, targets, fanout);
      const payloads = taskPayloads(config, part, 'batchImport');
      return { part, targets, payloads, store: stores.prepare(part, targetDefs(targets)) };
    });
    const reads = [
      previousVersions(
        uid,
        activities,
        plans.flatMap((p) => p.payloads),
        'batchImport',
      ),
      fanout && activities.length > 0
        ? audience(uid)
        : Promise.resolve({ followers: NO_FOLLOWERS, skipFlat: false }),
    ] as const;
    await Promise.allSettled(reads); // neither is still running when one of them throws
    const { previous } = await reads[0];
    const { followers, skipFlat } = await reads[1];
    const feeds = skipFlat ? pushOnlyNames : fanoutNames;
    // Hybrid: an import decides its edges like a publish (once, before its first task), without
    // counting as posts; the all-pull marker is written once every chunk's tasks are enqueued.
    const count = skipFlat ? undefined : followers.count;
    const now = Date.now();
    let pull: ProducerFacts | undefined;
    const batches: TaskBatch[] = [];
    const targeted = new Map<string, Set<string>>();
    let done = 0;
    for (const { part, targets, payloads, store } of plans) {
      await store();
      await userFeed.for(uid).addMany(part, { storeActivities: false, trim: false });
      if (fanout) {
        const old = previous.slice(done, done + part.length);
        if (hybrid && pull === undefined)
          pull = await recordPublish(config, uid, false, count, now);
        const payload = { op: 'add', payloads, previous: old, trim: false, pull } as const;
        batches.push(await enqueue(followers, targets, payload, trace, feeds));
        for (const [feed, users] of targets) {
          const set = targeted.get(feed) ?? new Set<string>();
          targeted.set(feed, set);
          for (const user of users.keys()) set.add(user);
        }
      }
      done += part.length;
      onProgress?.({ done, total: activities.length });
    }
    if (pull?.all && count !== undefined) await markPulledAll(config, uid, count, now);
    // Trimmed once, at the end (every chunk was written untrimmed): the user feed here, the
    // others by tasks enqueued after every add (idempotent, like the adds).
    if (activities.length > 0) await userFeed.for(uid).trim();
    const size = config.fanoutChunkSize;
    const trimsOf = (ids: readonly string[]) => trimTasks(feeds, ids, size);
    const targetTrims = [...targeted].flatMap(([feed, users]) =>
      trimTasks([feed], [...users], size),
    );
    for (const [priority, last] of [
      ['high', targetTrims],
      ['low', []],
    ] as const) {
      const pages = followers.pages(priority);
      batches.push(
        ...(await submitPaged(pages, trimsOf, last, (tasks) => submit(tasks, priority, trace))),
      );
    }
    const batch = combineBatches(batches);
    return Object.freeze({
      activities: activities.length,
      chunks: parts.length,
      ids: batch.ids,
      total: batch.total,
      completed: () => batch.completed(),
      done: () => batch.done(),
    });
  }

  function getFeed(name: string, userId: Id): FeedHandle<E, unknown> {
    const def = typeof name === 'string' ? config.byName.get(name) : undefined;
    if (!def) {
      throw new ValidationError(
        'UNKNOWN_FEED',
        `no feed named ${show(name)}; registered: ${[...config.byName.keys()].join(', ')}`,
        { details: { feed: name } },
      );
    }
    return def.for(userId);
  }

  async function explainEdge(producer: Id, consumer: Id): Promise<EdgeDecision> {
    const [p, c] = [userIdString(producer, 'producer'), userIdString(consumer, 'consumer')];
    const stats = await readStats(config, [p, c]);
    const now = Date.now();
    // A fresh all-pull marker carries the follower count its pass saw: no list is read.
    const marker = stats[0]!.pulledAll;
    const count =
      marker !== undefined && isFresh(config, marker, now)
        ? marker.followers
        : (await followersOf(p)).count;
    const rate = producerFacts(config, p, stats[0]!.post, count, now).rate;
    return decide(config, rate, count, stats[1]!, now);
  }

  async function removeActivity(
    userId: Id,
    activityOrId: Activity<E> | string,
    trace: string | undefined,
    reach?: (feeds: number) => void,
  ): Promise<FanoutHandle> {
    const uid = userIdString(userId);
    const where = 'removeUserActivity';
    const given =
      typeof activityOrId === 'string'
        ? undefined
        : assertActivity<E>(activityOrId, undefined, { maxTo: userFeed.config.maxTo });
    const id = given?.id ?? assertActivityId(activityOrId);
    if (given) assertOwner(config, uid, given, where);
    const stored = (await stores.lookup(uid, [id])).get(id);
    if (stored) assertOwner(config, uid, stored, where, true);
    // Neither stored nor in the user's own feed: nothing here proves it is theirs to remove.
    else if (!(await stores.inUserFeed(uid, id))) return handle(id, combineBatches([]));
    const activity = stored ?? given;
    const targets = activity ? resolveTargets([activity], config.taskFeeds, false) : new Map();
    const encoded = activity ? encodableForRemoval(config, activity) : undefined;
    const payload: FanoutPayload =
      encoded !== undefined
        ? { op: 'remove', payloads: [encoded], trim: false }
        : { op: 'remove', payloads: [], ids: [id], trim: false };
    const followers = await followersOf(uid);
    const targeted = [...targets.values()].reduce((n, users) => n + users.size, 0);
    reach?.(1 + followers.count * fanoutNames.length + targeted);
    // The user feed and activity storage last: a failed enqueue leaves them, so a retry of the
    // call still finds the activity (and its owner) and removes it everywhere.
    const batch = await enqueue(followers, targets, payload, trace);
    await userFeed.for(uid).remove(activity ?? id);
    await stores.collect(id, activity);
    emitMetric(config.metrics, 'onActivityRemoved', { feed: userFeed.name });
    return handle(id, batch);
  }

  async function updateMany(
    activities: readonly Activity<E>[],
    trace: string | undefined,
  ): Promise<FanoutHandle[]> {
    if (!Array.isArray(activities)) {
      throw new ValidationError('INVALID_ACTIVITY', 'updateUserActivities: expected an array');
    }
    const checked = Array.from(activities, (a) => check(a));
    // Every update is planned (checked, owners and followers read) before the first write; an
    // activity listed twice has its earlier version in this call as its previous version.
    const known = new Map<string, Activity<E>>();
    const commits: ((trace: string | undefined) => Promise<FanoutHandle>)[] = [];
    for (const a of checked) {
      const uid = ownerOf(config, a);
      commits.push(await planPublish(uid, a, 'updateUserActivities', known));
      known.set(a.id, a);
    }
    const handles: FanoutHandle[] = [];
    for (const commit of commits) handles.push(await commit(trace));
    return handles;
  }

  // close(): calls in flight are counted; close waits for them and refuses new ones.
  let closing: Promise<void> | undefined;
  let active = 0;
  let drained: (() => void) | undefined;

  function assertOpen(where: string): void {
    if (closing !== undefined) {
      throw new ClosedError(`manager.${where}: the manager is closed`, { details: { where } });
    }
  }

  /**
   * Runs one manager call: refused once closed, counted until it settles (close waits for it),
   * and in a `stream_framework.<span>` span when the manager traces (the span's traceparent goes
   * in the tasks the call enqueues).
   */
  async function call<R>(
    where: string,
    span: string,
    body: (trace: string | undefined) => Promise<R>,
  ): Promise<R> {
    assertOpen(where);
    active++;
    try {
      if (tracing === undefined) return await body(undefined);
      const attributes = { 'stream_framework.feed': userFeed.name };
      return await tracing.span(`stream_framework.${span}`, attributes, async (s) => {
        const result = await body(s.traceparent);
        const tasks = Array.isArray(result)
          ? result.reduce((n: number, h: TaskBatch) => n + h.total, 0)
          : (result as Partial<TaskBatch> | undefined)?.total;
        if (typeof tasks === 'number') s.setAttribute('stream_framework.tasks', tasks);
        return result;
      });
    } finally {
      if (--active === 0) drained?.();
    }
  }

  /** A handle whose `read` runs in a `stream_framework.feed.read` span (managers that trace). */
  function traced<H>(feed: H, name: string): H {
    if (tracing === undefined) return feed;
    const h = feed as H & {
      read(options?: ReadOptions): Promise<FeedPage<unknown>>;
      filter?: (filter: unknown) => H;
    };
    const attributes = { 'stream_framework.feed': name };
    const { filter } = h;
    return Object.freeze({
      ...h,
      ...(typeof filter === 'function' ? { filter: (f: unknown) => traced(filter(f), name) } : {}),
      read: (options?: ReadOptions) =>
        tracing.span('stream_framework.feed.read', attributes, async (s) => {
          const page = await h.read(options);
          s.setAttribute('stream_framework.items', page.items.length);
          return page;
        }),
    });
  }

  async function close(): Promise<void> {
    if (active > 0) await new Promise<void>((resolve) => (drained = resolve));
    if (config.ownsQueue) await queue.close?.();
    log(
      logger,
      'info',
      { 'stream_framework.feed': userFeed.name },
      'stream-framework: manager closed',
    );
  }

  const manager: Manager<E, U, F, T> = {
    queue,
    foreign: createForeignIds({
      config,
      stores,
      index: stores.index,
      run: call,
      publish: async (uid, activity, trace) =>
        (await planPublish(uid, check(activity), 'manager.foreign.update'))(trace),
      remove: (uid, id, trace, reach) => removeActivity(uid, id, trace, reach),
    }),
    feedNames: Object.freeze([...config.byName.keys()]),
    definitions: Object.freeze(Object.fromEntries(config.byName)),
    addUserActivity: (userId, activity) =>
      call('addUserActivity', 'publish', async (trace) =>
        (await planPublish(userIdString(userId), check(activity), 'addUserActivity'))(trace),
      ),
    removeUserActivity: (userId, activityOrId) =>
      call('removeUserActivity', 'remove', (trace) => removeActivity(userId, activityOrId, trace)),
    updateUserActivity: (activity) =>
      call('updateUserActivity', 'update', async (trace) => {
        const a = check(activity);
        return (await planPublish(ownerOf(config, a), a, 'updateUserActivity'))(trace);
      }),
    updateUserActivities: (activities) =>
      call('updateUserActivities', 'update', (trace) => updateMany(activities, trace)),
    followUser: (userId, targetId, options) =>
      call('followUser', 'follow', (trace) => follow(userId, [targetId], options, trace)),
    followManyUsers: (userId, targetIds, options) =>
      call('followManyUsers', 'follow', (trace) => follow(userId, targetIds, options, trace)),
    unfollowUser: (userId, targetId, options) =>
      call('unfollowUser', 'unfollow', (trace) => unfollow(userId, [targetId], options, trace)),
    unfollowManyUsers: (userId, targetIds, options) =>
      call('unfollowManyUsers', 'unfollow', (trace) => unfollow(userId, targetIds, options, trace)),
    // Each definition's `for` returns its own handle type; TypeScript cannot follow a generic
    // definition's return type through a lookup, so these three name the type they return.
    getFeeds(userId) {
      assertOpen('getFeeds');
      const uid = userIdString(userId);
      const handles = fanoutFeeds.map((d) => {
        const feed = d.for(uid);
        if (!recordRead || d.kind !== 'flat') return [d.name, traced(feed, d.name)] as const;
        const merged = mergedFeed(config, d, feed as FlatFeed<E>, recordRead);
        return [d.name, traced(merged, d.name)] as const;
      });
      return Object.freeze(Object.fromEntries(handles)) as FeedHandles<F>;
    },
    getUserFeed(userId) {
      assertOpen('getUserFeed');
      return traced(userFeed.for(userIdString(userId)), userFeed.name) as HandleOf<U>;
    },
    getFeed: ((name: string, userId: Id) => {
      assertOpen('getFeed');
      return traced(getFeed(name, userId), name);
    }) as Manager<E, U, F, T>['getFeed'],
    batchImport: (userId, activities, options) =>
      call('batchImport', 'import', (trace) => batchImport(userId, activities, options, trace)),
    async runTask(task) {
      // Counted for close like a call; its span is the task's own (child of the enqueuing call).
      assertOpen('runTask');
      active++;
      try {
        await run(parseTask(task));
      } finally {
        if (--active === 0) drained?.();
      }
    },
    explain: (producer, consumer) =>
      call('explain', 'explain', () => explainEdge(producer, consumer)),
    close() {
      closing ??= close();
      return closing;
    },
    get closed() {
      return closing !== undefined;
    },
  };
  return Object.freeze(manager);
}

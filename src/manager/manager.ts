import { type Activity, assertActivity } from '../activity/activity.js';
import { assertActivityId, type Id, show } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import { StreamFrameworkError, ValidationError } from '../errors.js';
import type { FeedHandle } from '../feeds/feed.js';
import { userIdString } from '../feeds/keys.js';
import { emitMetric } from '../metrics/metrics.js';
import { parseTask, TASK_LIMITS, type Task } from '../queue/task.js';
import { combineBatches, type TaskBatch } from '../queue/task-queue.js';
import { intOptionOr } from '../util/int-option.js';
import { createActivityStores } from './activity-stores.js';
import {
  chunks,
  type FanoutPayload,
  fanoutTasksByPriority,
  resolveTargets,
  type Targets,
} from './fanout-plan.js';
import { type FollowerGroups, NO_FOLLOWERS, normalizeFollowerIds } from './follower-ids.js';
import {
  type AnyFeedDefinition,
  checkCallOptions,
  type FeedMap,
  type ManagerOptions,
  resolveManagerOptions,
  type UserFeedDefinition,
} from './options.js';
import { executeTask } from './tasks.js';
import type {
  BatchImportOptions,
  BatchImportResult,
  FanoutHandle,
  FollowOptions,
  Manager,
  UnfollowOptions,
} from './types.js';

/**
 * Creates a fan-out manager (see {@link Manager}). Throws `INVALID_OPTION` for bad options: feed
 * names must be unique across `userFeed`, `feeds` and `targetFeeds`, each record key must equal its
 * definition's name (tasks and `to` references carry names), chunk sizes must be positive integers.
 * @example
 * const manager = createManager({
 *   userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
 *   feeds: { timeline: defineFlatFeed({ name: 'timeline', storage }) },
 *   getFollowerIds: async (userId) => ({ high: await db.followersOf(userId) }),
 * });
 * await manager.addUserActivity(1, createActivity({ actor: 1, verb: 'pin', object: 42 }));
 * const page = await manager.getFeeds(2).timeline.read({ limit: 25 });
 */
export function createManager<
  E extends JsonObject = JsonObject,
  U extends UserFeedDefinition<E> = UserFeedDefinition<E>,
  F extends FeedMap<E> = FeedMap<E>,
  T extends FeedMap<E> = Record<never, never>,
>(options: ManagerOptions<E, U, F, T>): Manager<E, U, F, T> {
  const config = resolveManagerOptions<E>(options);
  const { userFeed, fanoutFeeds, queue } = config;
  const stores = createActivityStores(config);
  const fanoutNames = fanoutFeeds.map((d) => d.name);
  const allFeeds = [...config.byName.values()];
  const maxChunk = Math.min(TASK_LIMITS.activities, ...allFeeds.map((d) => d.config.maxBatchSize));
  const baseFeeds = [userFeed, ...fanoutFeeds];
  const run = (task: Task): Promise<void> => executeTask(config, task);

  /** Shape and verb of an activity (the manager's registry, the user and fan-out feeds' ones). */
  function check(value: unknown): Activity<E> {
    // A frozen validated copy of a hand-built activity (the user feed's maxTo): use it, not value.
    const activity = assertActivity<E>(value, config.verbs, userFeed.config);
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

  async function followersOf(userId: string): Promise<FollowerGroups> {
    return normalizeFollowerIds(await config.getFollowerIds(userId));
  }

  const targetDefs = (targets: Targets): AnyFeedDefinition<E>[] =>
    [...targets.keys()].map((name) => config.taskFeeds.get(name)!);

  async function enqueue(
    followers: FollowerGroups,
    targets: Targets,
    payload: FanoutPayload,
  ): Promise<TaskBatch> {
    const { high, low } = fanoutTasksByPriority(
      fanoutNames,
      followers,
      targets,
      payload,
      config.fanoutChunkSize,
    );
    const batches: TaskBatch[] = [];
    if (high.length > 0) batches.push(await queue.enqueue(high, { priority: 'high' }, run));
    if (low.length > 0) batches.push(await queue.enqueue(low, { priority: 'low' }, run));
    return combineBatches(batches);
  }

  const handle = (activityId: string, batch: TaskBatch): FanoutHandle =>
    Object.freeze({
      activityId,
      ids: batch.ids,
      total: batch.total,
      completed: () => batch.completed(),
      done: () => batch.done(),
    });

  async function publish(uid: string, activity: Activity<E>): Promise<FanoutHandle> {
    const targets = targetsOf([activity]);
    validateWrites([activity], targets, true);
    const payloads = [config.serializer.encodeActivity(activity)];
    const store = stores.prepare([activity], targetDefs(targets));
    const followers = await followersOf(uid);
    await store();
    await userFeed.for(uid).add(activity, { storeActivities: false });
    const batch = await enqueue(followers, targets, { op: 'add', payloads, trim: true });
    emitMetric(config.metrics, 'onActivityPublished', { feed: userFeed.name });
    return handle(activity.id, batch);
  }

  /**
   * The payload a removal task carries, or undefined to remove by id: an activity stored before
   * the size limit was lowered (or a corrupt one) must not be impossible to remove.
   */
  function encodableForRemoval(activity: Activity<E>): string | undefined {
    try {
      const payload = config.serializer.encodeActivity(activity);
      return payload.length <= TASK_LIMITS.payloadLength ? payload : undefined;
    } catch (error) {
      if (error instanceof StreamFrameworkError) return undefined;
      throw error;
    }
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

  async function follow(userId: Id, targetIds: readonly Id[], options?: FollowOptions) {
    const uid = userIdString(userId);
    const targets = idList(targetIds, 'followManyUsers targetIds');
    checkCallOptions(options, ['limit'], 'followManyUsers');
    const limit = intOptionOr(
      options?.limit,
      config.followActivityLimit,
      'limit',
      0,
      TASK_LIMITS.followLimit,
    );
    if (targets.length === 0) return combineBatches([]);
    const tasks: Task[] = chunks(targets, config.fanoutChunkSize).map((chunk) => ({
      v: 1,
      type: 'follow',
      userId: uid,
      targetIds: chunk,
      limit,
    }));
    return queue.enqueue(tasks, { priority: 'high' }, run);
  }

  async function unfollow(userId: Id, targetIds: readonly Id[], options?: UnfollowOptions) {
    const uid = userIdString(userId);
    const targets = idList(targetIds, 'unfollowManyUsers targetIds');
    checkCallOptions(options, ['keepHistory'], 'unfollowManyUsers');
    const keepHistory = options?.keepHistory ?? false;
    if (typeof keepHistory !== 'boolean') {
      throw new ValidationError(
        'INVALID_OPTION',
        'unfollowManyUsers: keepHistory must be a boolean',
      );
    }
    if (targets.length === 0) return combineBatches([]);
    const tasks: Task[] = chunks(targets, config.fanoutChunkSize).map((chunk) => ({
      v: 1,
      type: 'unfollow',
      userId: uid,
      targetIds: chunk,
      keepHistory,
    }));
    return queue.enqueue(tasks, { priority: 'high' }, run);
  }

  async function batchImport(
    userId: Id,
    input: readonly Activity<E>[],
    options?: BatchImportOptions,
  ): Promise<BatchImportResult> {
    const uid = userIdString(userId);
    checkCallOptions(options, ['fanout', 'chunkSize', 'onProgress'], 'batchImport');
    const fanout = options?.fanout ?? true;
    if (typeof fanout !== 'boolean') {
      throw new ValidationError('INVALID_OPTION', 'batchImport: fanout must be a boolean');
    }
    const chunkSize = intOptionOr(
      options?.chunkSize,
      config.batchImportChunkSize,
      'chunkSize',
      1,
      maxChunk,
    );
    const onProgress = options?.onProgress;
    if (onProgress !== undefined && typeof onProgress !== 'function') {
      throw new ValidationError('INVALID_OPTION', 'batchImport: onProgress must be a function');
    }
    if (!Array.isArray(input)) {
      throw new ValidationError('INVALID_ACTIVITY', 'batchImport: expected an array of activities');
    }
    const byId = new Map<string, Activity<E>>();
    Array.from(input).forEach((value, i) => {
      const activity = check(value);
      if (String(activity.actor) !== uid) {
        throw new ValidationError(
          'INVALID_ACTIVITY',
          `batchImport: activity ${i} (${activity.id}) has actor ${JSON.stringify(activity.actor)}, not the imported user ${JSON.stringify(uid)}`,
          { details: { index: i, field: 'actor' } },
        );
      }
      byId.set(activity.id, activity);
    });
    const activities = [...byId.values()];
    const parts = chunks(activities, chunkSize);
    const plans = parts.map((part) => {
      const targets: Targets = fanout ? targetsOf(part) : new Map();
      validateWrites(part, targets, fanout);
      const payloads = part.map((a) => config.serializer.encodeActivity(a));
      return { part, targets, payloads, store: stores.prepare(part, targetDefs(targets)) };
    });
    const followers = fanout && activities.length > 0 ? await followersOf(uid) : NO_FOLLOWERS;
    const batches: TaskBatch[] = [];
    let done = 0;
    for (const { part, targets, payloads, store } of plans) {
      await store();
      await userFeed.for(uid).addMany(part, { storeActivities: false, trim: false });
      if (fanout)
        batches.push(await enqueue(followers, targets, { op: 'add', payloads, trim: false }));
      done += part.length;
      onProgress?.({ done, total: activities.length });
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

  const manager: Manager<E, UserFeedDefinition<E>, FeedMap<E>, FeedMap<E>> = {
    queue,
    feedNames: Object.freeze([...config.byName.keys()]),
    definitions: Object.freeze(Object.fromEntries(config.byName)),
    addUserActivity: async (userId, activity) => publish(userIdString(userId), check(activity)),
    async removeUserActivity(userId, activityOrId) {
      const uid = userIdString(userId);
      const activity =
        typeof activityOrId === 'string'
          ? await stores.lookup(uid, assertActivityId(activityOrId))
          : assertActivity<E>(activityOrId, undefined, userFeed.config);
      const id = activity?.id ?? (activityOrId as string);
      const targets = activity ? resolveTargets([activity], config.taskFeeds, false) : new Map();
      const encoded = activity ? encodableForRemoval(activity) : undefined;
      const payload: FanoutPayload =
        encoded !== undefined
          ? { op: 'remove', payloads: [encoded], trim: false }
          : { op: 'remove', payloads: [], ids: [id], trim: false };
      const followers = await followersOf(uid);
      await userFeed.for(uid).remove(activity ?? id);
      const batch = await enqueue(followers, targets, payload);
      await stores.collect(id);
      emitMetric(config.metrics, 'onActivityRemoved', { feed: userFeed.name });
      return handle(id, batch);
    },
    updateUserActivity: async (activity) => {
      const a = check(activity);
      return publish(userIdString(a.actor), a);
    },
    async updateUserActivities(activities) {
      if (!Array.isArray(activities)) {
        throw new ValidationError('INVALID_ACTIVITY', 'updateUserActivities: expected an array');
      }
      const checked = Array.from(activities, (a) => check(a));
      for (const a of checked) validateWrites([a], targetsOf([a]), true);
      const handles: FanoutHandle[] = [];
      for (const a of checked) handles.push(await publish(userIdString(a.actor), a));
      return handles;
    },
    followUser: (userId, targetId, options) => follow(userId, [targetId], options),
    followManyUsers: follow,
    unfollowUser: (userId, targetId, options) => unfollow(userId, [targetId], options),
    unfollowManyUsers: unfollow,
    getFeeds(userId) {
      const uid = userIdString(userId);
      return Object.freeze(Object.fromEntries(fanoutFeeds.map((d) => [d.name, d.for(uid)])));
    },
    getUserFeed: (userId) => userFeed.for(userIdString(userId)),
    getFeed: getFeed as Manager<E>['getFeed'],
    batchImport,
    runTask: async (task) => executeTask(config, parseTask(task)),
  };
  return Object.freeze(manager) as unknown as Manager<E, U, F, T>;
}

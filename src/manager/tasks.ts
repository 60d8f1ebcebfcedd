import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import type { FeedHandle } from '../feeds/feed.js';
import { emitMetric } from '../metrics/metrics.js';
import type { FanoutTask, FollowTask, Task, TrimTask, UnfollowTask } from '../queue/task.js';
import { forEachLimited } from '../util/for-each-limited.js';
import { chunks } from './fanout-plan.js';
import type { ManagerConfig } from './options.js';

/**
 * Runs a validated task. Every handler is idempotent: a timeline add is an upsert, an aggregated
 * merge ignores activities a group already retains, removing an absent id is a no-op. So a queue
 * delivering a task twice, or a retry after a partial failure, leaves each feed as one run would.
 */
export async function executeTask<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: Task,
): Promise<void> {
  if (task.type === 'fanout') return fanout(config, task);
  if (task.type === 'follow') return follow(config, task);
  if (task.type === 'trim') return trim(config, task);
  return unfollow(config, task);
}

/** The definition a fanout or trim task writes: a fan-out or target feed, else `UNKNOWN_FEED`. */
function taskFeed<E extends ExtraData>(config: ManagerConfig<E>, feed: string) {
  const def = config.taskFeeds.get(feed);
  if (!def) {
    throw new ValidationError(
      'UNKNOWN_FEED',
      `task for feed ${JSON.stringify(feed)}, which this manager does not register as a fan-out or target feed`,
      { details: { feed } },
    );
  }
  return def;
}

/** Feeds trimmed at a time by a trim task. */
const TRIM_CONCURRENCY = 16;

async function trim<E extends ExtraData>(config: ManagerConfig<E>, task: TrimTask): Promise<void> {
  const def = taskFeed(config, task.feed);
  await forEachLimited(task.userIds, TRIM_CONCURRENCY, (userId) => def.for(userId).trim());
}

async function fanout<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: FanoutTask,
): Promise<void> {
  const def = taskFeed(config, task.feed);
  const started = performance.now();
  const activities = task.activities.map((payload, i) => decode<E>(config, payload, i));
  if (task.op === 'add') {
    const previous = previousVersions(config, task, activities);
    await def.addToMany(task.userIds, activities, {
      storeActivities: false,
      trim: task.trim,
      ...(previous.length > 0 ? { previous } : {}),
    });
  } else {
    await def.removeFromMany(task.userIds, [...activities, ...(task.ids ?? [])]);
  }
  emitMetric(config.metrics, 'onFanout', {
    feed: def.name,
    operation: task.op,
    feeds: task.userIds.length,
    activities: activities.length + (task.ids?.length ?? 0),
    durationMs: performance.now() - started,
  });
}

async function follow<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: FollowTask,
): Promise<void> {
  if (task.limit === 0 || config.fanoutFeeds.length === 0) return;
  const byId = new Map<string, Activity<E>>();
  for (const target of task.targetIds) {
    for (const a of await newest(config.userFeed.for(target), task.limit, config))
      byId.set(a.id, a);
  }
  // Oldest first, so feeds that merge (aggregated) see activities in the order they happened.
  const activities = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (activities.length === 0) return;
  for (const def of config.fanoutFeeds) {
    const started = performance.now();
    const feed = def.for(task.userId);
    for (const chunk of chunks(activities, def.config.maxBatchSize)) {
      await feed.addMany(chunk, { storeActivities: false });
    }
    emitMetric(config.metrics, 'onFanout', {
      feed: def.name,
      operation: 'follow',
      feeds: 1,
      activities: activities.length,
      durationMs: performance.now() - started,
    });
  }
}

/** The newest `limit` activities of a user feed, paging with cursors. */
async function newest<E extends ExtraData>(
  feed: FeedHandle<E, Activity<E>>,
  limit: number,
  config: ManagerConfig<E>,
): Promise<Activity<E>[]> {
  const out: Activity<E>[] = [];
  const pageSize = Math.min(limit, config.userFeed.config.maxPageSize);
  let cursor: string | undefined;
  do {
    const page = await feed.read({ limit: Math.min(pageSize, limit - out.length), cursor });
    out.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined && out.length < limit);
  return out.slice(0, limit);
}

async function unfollow<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: UnfollowTask,
): Promise<void> {
  if (task.keepHistory) return;
  const actors = actorForms(task.targetIds);
  for (const def of config.fanoutFeeds) {
    const started = performance.now();
    const removed = await def.for(task.userId).removeByActors(actors);
    emitMetric(config.metrics, 'onFanout', {
      feed: def.name,
      operation: 'unfollow',
      feeds: 1,
      activities: removed,
      durationMs: performance.now() - started,
    });
  }
}

/**
 * Both forms of each user id: feeds identify users by string form (`1` and `'1'` are one user),
 * while an activity's actor keeps its type, so an unfollow of `'1'` must also match actor `1`.
 */
export function actorForms(userIds: readonly string[]): Id[] {
  const out: Id[] = [];
  for (const id of userIds) {
    out.push(id);
    if (/^(0|[1-9][0-9]*)$/.test(id) && Number.isSafeInteger(Number(id))) out.push(Number(id));
  }
  return out;
}

/**
 * The previous versions a task carries. Each must have the id of one of the task's activities:
 * a previous version only moves that same activity between groups, so a forged task cannot use
 * it to take another activity out of a feed.
 */
function previousVersions<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: FanoutTask,
  activities: readonly Activity<E>[],
): Activity<E>[] {
  const ids = new Set(activities.map((a) => a.id));
  return (task.previous ?? []).map((payload, i) => {
    const old = decode<E>(config, payload, i, 'previous');
    if (!ids.has(old.id)) {
      throw new ValidationError(
        'INVALID_TASK',
        `invalid task: previous[${i}] (${old.id}) is not a version of one of the task's activities`,
        { details: { reason: 'previous' } },
      );
    }
    return old;
  });
}

function decode<E extends ExtraData>(
  config: ManagerConfig<E>,
  payload: string,
  index: number,
  field = 'activities',
): Activity<E> {
  try {
    return config.serializer.decodeActivity<E>(payload, {
      key: 'task',
      id: `${field}[${index}]`,
    });
  } catch (cause) {
    throw new ValidationError(
      'INVALID_TASK',
      `invalid task: ${field}[${index}] cannot be decoded with the ${config.serializer.name} serializer: ${(cause as Error)?.message ?? String(cause)}`,
      { cause },
    );
  }
}

import type { Activity } from '../activity/activity.js';
import { type Id, timeOfActivityId } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import { emitMetric } from '../metrics/metrics.js';
import type { TracingSpan } from '../metrics/tracing.js';
import type { FanoutTask, FollowTask, Task, TrimTask, UnfollowTask } from '../queue/task.js';
import { forEachLimited } from '../util/for-each-limited.js';
import { copyForFollow } from './follow-copy.js';
import {
  addPulled,
  decide,
  isFresh,
  isHybrid,
  producerFacts,
  readStats,
  removePulled,
  splitEdges,
} from './hybrid.js';
import type { ManagerConfig } from './options.js';

/**
 * Runs a validated task. Every handler is idempotent: a timeline add is an upsert, an aggregated
 * merge ignores activities a group already retains, removing an absent id is a no-op. So a queue
 * delivering a task twice, or a retry after a partial failure, leaves each feed as one run would.
 */
export async function executeTask<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: Task,
  span?: TracingSpan,
): Promise<void> {
  if (task.type === 'fanout') return fanout(config, task, span);
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
  span: TracingSpan | undefined,
): Promise<void> {
  const def = taskFeed(config, task.feed);
  const started = performance.now();
  const activities = task.activities.map((payload, i) => decode<E>(config, payload, i));
  // Group feeds (aggregated, notification) merge groups: their write gets a span of its own.
  if (span !== undefined && def.kind !== 'flat' && config.tracing !== undefined) {
    const attributes = {
      'stream_framework.feed': def.name,
      'stream_framework.feed.kind': def.kind,
      'stream_framework.op': task.op,
      'stream_framework.users': task.userIds.length,
      'stream_framework.activities': activities.length + (task.ids?.length ?? 0),
    };
    await config.tracing.span(
      'stream_framework.feed.update',
      attributes,
      () => writeFanout(config, def, task, activities),
      span.traceparent,
    );
  } else await writeFanout(config, def, task, activities);
  emitMetric(config.metrics, 'onFanout', {
    feed: def.name,
    operation: task.op,
    feeds: task.userIds.length,
    activities: activities.length + (task.ids?.length ?? 0),
    durationMs: performance.now() - started,
  });
}

/** The writes of a fanout task: adds (hybrid edges split first) or removals. */
async function writeFanout<E extends ExtraData>(
  config: ManagerConfig<E>,
  def: ReturnType<typeof taskFeed<E>>,
  task: FanoutTask,
  activities: readonly Activity<E>[],
): Promise<void> {
  if (task.op === 'add') {
    const previous = previousVersions(config, task, activities);
    let userIds = task.userIds;
    if (task.pull && def.kind === 'flat' && isHybrid(config)) {
      // Hybrid: pushed edges get the activities, pulled ones record the producer instead.
      const { push, pull } = await splitEdges(config, task.pull, task.userIds);
      const newest = Math.max(...activities.map((a) => timeOfActivityId(a.id)));
      await addPulled(def, pull, [task.pull.producer], newest);
      userIds = push;
    }
    if (userIds.length > 0)
      await def.addToMany(userIds, activities, {
        storeActivities: false,
        trim: task.trim,
        ...(previous.length > 0 ? { previous } : {}),
      });
  } else {
    await def.removeFromMany(task.userIds, [...activities, ...(task.ids ?? [])]);
  }
}

async function follow<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: FollowTask,
): Promise<void> {
  if (config.fanoutFeeds.length === 0) return;
  // Hybrid: a pulled producer is recorded in the flat feeds' pulled sets and copied to none.
  const pulled = isHybrid(config) ? await pulledTargets(config, task) : new Set<string>();
  if (task.limit === 0) return;
  await copyForFollow(config, task, pulled);
}

/**
 * The targets of a follow whose edge is pulled now, added to the pulled sets of the follower's
 * flat fan-out feeds: a target whose all-pull marker is fresh (its posts skip flat fan-out), else
 * `explain`'s decision (each such target's follower count is read).
 */
async function pulledTargets<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: FollowTask,
): Promise<Set<string>> {
  const now = Date.now();
  const stats = await readStats(config, [task.userId, ...task.targetIds]);
  const pulled = new Set<string>();
  for (const [i, target] of task.targetIds.entries()) {
    if (isFresh(config, stats[i + 1]!.pulledAll, now)) {
      pulled.add(target);
      continue;
    }
    const { count } = await config.followers(target);
    const facts = producerFacts(config, target, stats[i + 1]!.post, count, now);
    const decision = decide(config, facts.rate, count, stats[0]!, now);
    if (decision.mode === 'pull') pulled.add(target);
  }
  for (const def of config.fanoutFeeds) {
    if (def.kind === 'flat') await addPulled(def, [task.userId], [...pulled], now);
  }
  return pulled;
}

async function unfollow<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: UnfollowTask,
): Promise<void> {
  if (isHybrid(config)) {
    // Pulled edges go in both cases: keepHistory keeps what was copied, not future pulls.
    for (const def of config.fanoutFeeds) {
      if (def.kind === 'flat') await removePulled(def, task.userId, task.targetIds);
    }
  }
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

import type { Activity } from '../activity/activity.js';
import { assertId } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import type { FanoutPull, FanoutTask, TrimTask } from '../queue/task.js';
import type { TaskBatch } from '../queue/task-queue.js';
import { type FeedRef, parseFeedRef } from '../validation/names.js';
import type { AnyFeedDefinition } from './options.js';

/** What every fan-out task of one manager call carries. */
export interface FanoutPayload {
  readonly op: 'add' | 'remove';
  /** Activities encoded with the manager's serializer. */
  readonly payloads: readonly string[];
  /** Removal of activities whose payload is gone: their ids. */
  readonly ids?: readonly string[] | undefined;
  /** Adds: the stored version of each activity when an update changes it (aligned with payloads). */
  readonly previous?: readonly (string | undefined)[] | undefined;
  readonly trim: boolean;
  /** Hybrid mode: the producer's facts for its followers' tasks (never for `to` deliveries). */
  readonly pull?: FanoutPull | undefined;
}

/** `to` deliveries: feed name -> user id -> indexes of the call's activities going there. */
export type Targets = Map<string, Map<string, number[]>>;

/**
 * Resolves the `to` lists of `activities` against the feeds tasks may write. With `strict`, a
 * reference to an unregistered feed throws `UNKNOWN_FEED` (publishing); otherwise it is ignored
 * (removal: the feed may have been unregistered since). Malformed references throw
 * `INVALID_ACTIVITY` when publishing; a removal skips them (nothing can have been delivered there).
 */
export function resolveTargets<E extends ExtraData>(
  activities: readonly Activity<E>[],
  feeds: ReadonlyMap<string, AnyFeedDefinition<E>>,
  strict: boolean,
): Targets {
  const targets: Targets = new Map();
  activities.forEach((activity, index) => {
    for (const ref of activity.to) {
      let parsed: FeedRef;
      try {
        parsed = parseFeedRef(ref, `activity ${activity.id}: to`);
      } catch (error) {
        if (!strict) continue; // a removal cannot have been delivered there: nothing to undo
        throw error;
      }
      const { feed, userId } = parsed;
      if (!feeds.has(feed)) {
        if (!strict) continue;
        throw new ValidationError(
          'UNKNOWN_FEED',
          `activity ${activity.id} is addressed to ${JSON.stringify(ref)}, but ${JSON.stringify(feed)} is not a fan-out or target feed of this manager; to may name: ${[...feeds.keys()].join(', ') || 'none'}`,
          { details: { feed, ref } },
        );
      }
      let uid: string;
      try {
        uid = String(assertId(userId, `to ${JSON.stringify(ref)} user id`));
      } catch (error) {
        if (!strict) continue;
        throw error;
      }
      const users = targets.get(feed) ?? new Map<string, number[]>();
      targets.set(feed, users);
      const indexes = users.get(uid);
      if (!indexes) users.set(uid, [index]);
      else if (indexes[indexes.length - 1] !== index) indexes.push(index);
    }
  });
  return targets;
}

/** The `to` deliveries of `old` (an activity's previous version) that `targets` no longer include. */
export function staleTargets<E extends ExtraData>(
  old: Activity<E>,
  targets: Targets,
  feeds: ReadonlyMap<string, AnyFeedDefinition<E>>,
): Targets {
  const stale: Targets = new Map();
  for (const [feed, users] of resolveTargets([old], feeds, false)) {
    const kept = targets.get(feed);
    for (const [user, indexes] of users) {
      if (kept?.has(user)) continue;
      const gone = stale.get(feed) ?? new Map<string, number[]>();
      stale.set(feed, gone.set(user, indexes));
    }
  }
  return stale;
}

/** Fan-out tasks to the followers' feeds: for each feed, chunks of `chunkSize` user ids. */
export function followerTasks(
  feeds: readonly string[],
  userIds: readonly string[],
  payload: FanoutPayload,
  chunkSize: number,
): FanoutTask[] {
  const tasks: FanoutTask[] = [];
  if (userIds.length === 0) return tasks;
  for (const feed of feeds) {
    for (const chunk of chunks(userIds, chunkSize)) {
      tasks.push(task(feed, chunk, payload.payloads.keys(), payload, payload.pull));
    }
  }
  return tasks;
}

/** Fan-out tasks for `to` deliveries: users receiving the same activities share tasks. */
export function targetTasks(
  targets: Targets,
  payload: FanoutPayload,
  chunkSize: number,
): FanoutTask[] {
  const tasks: FanoutTask[] = [];
  for (const [feed, users] of targets) {
    const byActivities = new Map<string, { indexes: number[]; users: string[] }>();
    for (const [userId, indexes] of users) {
      const key = indexes.join(',');
      const group = byActivities.get(key);
      if (group) group.users.push(userId);
      else byActivities.set(key, { indexes, users: [userId] });
    }
    for (const { indexes, users: ids } of byActivities.values()) {
      // A removal by id (no payload) carries the ids instead: the same for every target.
      const selected = payload.payloads.length === 0 ? [] : indexes;
      for (const chunk of chunks(ids, chunkSize)) tasks.push(task(feed, chunk, selected, payload));
    }
  }
  return tasks;
}

/**
 * Submits the tasks of a paged follower list: `tasksOf(ids)` for each page, and `last` with the
 * last page's tasks (one page: one submit, as for a follower list read whole). A page's tasks are
 * submitted when the next page has been read, so at most two pages are held.
 */
export async function submitPaged<T>(
  pages: AsyncIterable<readonly string[]>,
  tasksOf: (ids: readonly string[]) => T[],
  last: readonly T[],
  submit: (tasks: T[]) => Promise<TaskBatch>,
): Promise<TaskBatch[]> {
  const batches: TaskBatch[] = [];
  let pending: T[] = [];
  for await (const ids of pages) {
    if (pending.length > 0) batches.push(await submit(pending));
    pending = tasksOf(ids);
  }
  pending.push(...last);
  if (pending.length > 0) batches.push(await submit(pending));
  return batches;
}

/** The task writing the activities at `indexes` of `payload` to `feed` of `userIds`. */
function task(
  feed: string,
  userIds: readonly string[],
  indexes: Iterable<number>,
  payload: FanoutPayload,
  pull?: FanoutPull,
): FanoutTask {
  const activities: string[] = [];
  const previous: string[] = [];
  for (const i of indexes) {
    activities.push(payload.payloads[i]!);
    const old = payload.previous?.[i];
    if (old !== undefined) previous.push(old);
  }
  return {
    v: 1,
    type: 'fanout',
    op: payload.op,
    feed,
    userIds,
    activities,
    ...(payload.ids === undefined ? {} : { ids: payload.ids }),
    ...(previous.length > 0 ? { previous } : {}),
    trim: payload.trim,
    ...(pull === undefined ? {} : { pull }),
  };
}

/** Splits a list into consecutive chunks of at most `size` items. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Trim tasks of `feeds` for `userIds`, `chunkSize` user ids per task. */
export function trimTasks(
  feeds: readonly string[],
  userIds: readonly string[],
  chunkSize: number,
): TrimTask[] {
  return feeds.flatMap((feed) =>
    chunks(userIds, chunkSize).map(
      (chunk): TrimTask => ({ v: 1, type: 'trim', feed, userIds: chunk }),
    ),
  );
}

import type { Activity } from '../activity/activity.js';
import { assertId } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import type { FanoutTask } from '../queue/task.js';
import { type FeedRef, parseFeedRef } from '../validation/names.js';
import type { FollowerGroups } from './follower-ids.js';
import type { AnyFeedDefinition } from './options.js';

/** What every fan-out task of one manager call carries. */
export interface FanoutPayload {
  readonly op: 'add' | 'remove';
  /** Activities encoded with the manager's serializer. */
  readonly payloads: readonly string[];
  /** Removal of activities whose payload is gone: their ids. */
  readonly ids?: readonly string[] | undefined;
  readonly trim: boolean;
}

/** `to` deliveries: feed name -> user id -> indexes of the call's activities going there. */
export type Targets = Map<string, Map<string, number[]>>;

/**
 * Resolves the `to` lists of `activities` against the feeds tasks may write. With `strict`, a
 * reference to an unregistered feed throws `UNKNOWN_FEED` (publishing); otherwise it is ignored
 * (removal: the feed may have been unregistered since). Malformed references throw
 * `INVALID_ACTIVITY` when publishing; a removal skips them (nothing can have been delivered there).
 */
export function resolveTargets<E extends JsonObject>(
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
      tasks.push(task(feed, chunk, payload.payloads, payload));
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
      const payloads =
        payload.payloads.length === 0 ? [] : indexes.map((i) => payload.payloads[i]!);
      for (const chunk of chunks(ids, chunkSize)) tasks.push(task(feed, chunk, payloads, payload));
    }
  }
  return tasks;
}

/** The followers' tasks per priority, plus `to` deliveries with high priority. */
export function fanoutTasksByPriority(
  feeds: readonly string[],
  followers: FollowerGroups,
  targets: Targets,
  payload: FanoutPayload,
  chunkSize: number,
): { high: FanoutTask[]; low: FanoutTask[] } {
  return {
    high: [
      ...followerTasks(feeds, followers.high, payload, chunkSize),
      ...targetTasks(targets, payload, chunkSize),
    ],
    low: followerTasks(feeds, followers.low, payload, chunkSize),
  };
}

function task(
  feed: string,
  userIds: readonly string[],
  payloads: readonly string[],
  payload: FanoutPayload,
): FanoutTask {
  return {
    v: 1,
    type: 'fanout',
    op: payload.op,
    feed,
    userIds,
    activities: payloads,
    ...(payload.ids === undefined ? {} : { ids: payload.ids }),
    trim: payload.trim,
  };
}

/** Splits a list into consecutive chunks of at most `size` items. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

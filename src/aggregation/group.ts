import { isDeepStrictEqual } from 'node:util';
import type { Activity } from '../activity/activity.js';
import { type Id, timeOfActivityId } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';

/** One activity inside a stored group: its id and actor, plus the activity itself when denormalized. */
export interface GroupMember<E extends JsonObject = JsonObject> {
  readonly id: string;
  readonly actor: Id;
  readonly activity?: Activity<E> | undefined;
}

/**
 * An aggregated group as stored: the newest `maxActivities` members plus exact counts of the rest.
 * Group identity (`id`) is derived from the group key, so it is stable across updates.
 */
export interface GroupRecord<E extends JsonObject = JsonObject> {
  readonly id: string;
  readonly group: string;
  /** Retained members, newest first. */
  readonly members: readonly GroupMember<E>[];
  /** Every activity ever merged into the group and not removed, retained or not. */
  readonly activityCount: number;
  /** Distinct actors tracked (bounded by `maxTrackedActors`). */
  readonly actors: readonly Id[];
  /** Activities by actors seen after the tracked-actor list was full (counted as distinct). */
  readonly actorOverflow: number;
  /** Time of the oldest activity merged, in ms. */
  readonly createdAt: number;
  /** Time of the newest retained activity, in ms: the default rank. */
  readonly updatedAt: number;
}

/** Limits applied when merging into a group. */
export interface GroupLimits {
  /** Members retained per group (the Python original's 15). */
  readonly maxActivities: number;
  /** Distinct actors tracked exactly per group. */
  readonly maxTrackedActors: number;
  /** Keep the full activity in each member (denormalized) or only its id and actor. */
  readonly denormalized: boolean;
}

/** Number of distinct actors of a group (exact while fewer than `maxTrackedActors` were seen). */
export function actorCountOf(record: GroupRecord): number {
  return record.actors.length + record.actorOverflow;
}

/**
 * Merges activities of one group into `current` (or a new group). Activities already retained are
 * not counted again, so a retried merge does not count twice; in denormalized groups their stored
 * copy is replaced when it differs (an updated activity). Returns `undefined` when nothing changed.
 */
export function mergeIntoGroup<E extends JsonObject>(
  current: GroupRecord<E> | undefined,
  id: string,
  group: string,
  activities: readonly Activity<E>[],
  limits: GroupLimits,
): GroupRecord<E> | undefined {
  const members = current ? [...current.members] : [];
  const actors = current ? [...current.actors] : [];
  let { activityCount, actorOverflow, createdAt, updatedAt } = current ?? {
    activityCount: 0,
    actorOverflow: 0,
    createdAt: Number.POSITIVE_INFINITY,
    updatedAt: Number.NEGATIVE_INFINITY,
  };
  let changed = false;
  const retained = new Set(members.map((m) => m.id));
  const oldestRetained =
    members.length >= limits.maxActivities ? members[members.length - 1]?.id : undefined;
  for (const activity of activities) {
    if (retained.has(activity.id)) {
      // An update (same id, e.g. same foreignId and time): refresh a denormalized copy in place.
      if (limits.denormalized) {
        const at = members.findIndex((m) => m.id === activity.id);
        const old = members[at];
        if (old && !isDeepStrictEqual(old.activity, activity)) {
          members[at] = { id: activity.id, actor: activity.actor, activity };
          changed = true;
        }
      }
      continue;
    }
    changed = true;
    retained.add(activity.id);
    activityCount += 1;
    if (!actors.includes(activity.actor)) {
      if (actors.length < limits.maxTrackedActors) actors.push(activity.actor);
      else actorOverflow += 1;
    }
    const time = activity.time.getTime();
    if (time < createdAt) createdAt = time;
    if (oldestRetained !== undefined && activity.id < oldestRetained) continue; // minimized at once
    const member: GroupMember<E> = limits.denormalized
      ? { id: activity.id, actor: activity.actor, activity }
      : { id: activity.id, actor: activity.actor };
    const at = members.findIndex((m) => m.id < activity.id);
    if (at === -1) members.push(member);
    else members.splice(at, 0, member);
  }
  if (!changed) return undefined;
  members.length = Math.min(members.length, limits.maxActivities);
  const newest = members[0];
  if (newest) updatedAt = Math.max(updatedAt, timeOfActivityId(newest.id));
  return { id, group, members, activityCount, actors, actorOverflow, createdAt, updatedAt };
}

/**
 * Removes retained activities from a group. Returns `null` when no retained activity is left
 * (the group is deleted), `undefined` when none of `ids` was retained, else the updated group.
 * Activities already minimized out of the group cannot be told apart and are not counted down.
 */
export function removeFromGroup<E extends JsonObject>(
  current: GroupRecord<E>,
  ids: ReadonlySet<string>,
): GroupRecord<E> | null | undefined {
  const members = current.members.filter((m) => !ids.has(m.id));
  const removed = current.members.length - members.length;
  if (removed === 0) return undefined;
  if (members.length === 0) return null;
  const activityCount = current.activityCount - removed;
  const complete = activityCount === members.length;
  let actors = current.actors;
  if (complete) {
    const present = new Set(members.map((m) => m.actor));
    actors = current.actors.filter((a) => present.has(a));
  }
  const newest = members[0]!;
  const oldest = members[members.length - 1]!;
  return {
    ...current,
    members,
    activityCount,
    actors,
    actorOverflow: complete ? 0 : current.actorOverflow,
    createdAt: complete ? timeOfActivityId(oldest.id) : current.createdAt,
    updatedAt: timeOfActivityId(newest.id),
  };
}

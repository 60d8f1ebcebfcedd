import { isDeepStrictEqual } from 'node:util';
import type { Activity } from '../activity/activity.js';
import { type Id, timeOfActivityId } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import {
  isCount,
  isValidGroup,
  isValidMember,
  markDerivedList,
  markValidGroup,
  memberOf,
} from '../serialization/checked-groups.js';

/** One activity inside a stored group: its id and actor, plus the activity itself when denormalized. */
export interface GroupMember<E extends ExtraData = JsonObject> {
  readonly id: string;
  readonly actor: Id;
  readonly activity?: Activity<E> | undefined;
}

/** An activity a group counts but no longer retains: its id and actor only. */
export interface MinimizedMember {
  readonly id: string;
  readonly actor: Id;
}

/**
 * An aggregated group as stored: the newest `maxActivities` members plus exact counts of the rest.
 * Group identity (`id`) is derived from the group key, so it is stable across updates.
 */
export interface GroupRecord<E extends ExtraData = JsonObject> {
  readonly id: string;
  readonly group: string;
  /** Retained members, newest first. */
  readonly members: readonly GroupMember<E>[];
  /**
   * The newest activities pushed out of `members` (at most `maxTrackedActivities`, newest first):
   * remembered so that merging one again is not counted twice and removing one counts it down.
   * Absent or empty when nothing was pushed out.
   */
  readonly minimized?: readonly MinimizedMember[] | undefined;
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
  /**
   * Activities pushed out of the retained members that a group still remembers by id and actor
   * (see {@link GroupRecord.minimized}). @default {@link DEFAULT_TRACKED_ACTIVITIES}
   */
  readonly maxTrackedActivities?: number | undefined;
  /** Keep the full activity in each member (denormalized) or only its id and actor. */
  readonly denormalized: boolean;
}

/**
 * Largest activity count and actor overflow a group holds (2^40, about 10^12). Merges saturate
 * there, so a count can never grow past what a serializer accepts (a safe integer); `addGroups`
 * refuses a larger one (`LIMIT_EXCEEDED`).
 */
export const MAX_GROUP_COUNT = 2 ** 40;

/** `count + 1`, saturated at {@link MAX_GROUP_COUNT}. */
function increment(count: number): number {
  return count >= MAX_GROUP_COUNT ? MAX_GROUP_COUNT : count + 1;
}

/** Default of {@link GroupLimits.maxTrackedActivities}. */
export const DEFAULT_TRACKED_ACTIVITIES = 100;

/** Number of distinct actors of a group (exact while fewer than `maxTrackedActors` were seen; at most {@link MAX_GROUP_COUNT}). */
export function actorCountOf(record: GroupRecord<ExtraData>): number {
  return Math.min(record.actors.length + record.actorOverflow, MAX_GROUP_COUNT);
}

const newestFirst = (a: { id: string }, b: { id: string }): number =>
  a.id < b.id ? 1 : a.id > b.id ? -1 : 0;

/**
 * The ids of members, for `lookups` lookups and additions: a set, or for a few lookups (one
 * activity added at a time) a scan of the members, cheaper than building a set of 115 ids.
 */
function idsOf(
  members: readonly { readonly id: string }[],
  lookups: number,
): { has(id: string): boolean; add(id: string): void } {
  // Indexes, not array methods: the lists of a valid group are frozen, and array methods on a
  // frozen array take a slow path in V8 (3-5 us for 100 members against 0.1).
  if (lookups > 4) {
    const ids = new Set<string>();
    for (let i = 0; i < members.length; i++) ids.add(members[i]!.id);
    return ids;
  }
  const added: string[] = [];
  return {
    has: (id) => added.includes(id) || holdsId(members, id),
    add: (id) => void added.push(id),
  };
}

function holdsId(members: readonly { readonly id: string }[], id: string): boolean {
  for (let i = 0; i < members.length; i++) if (members[i]!.id === id) return true;
  return false;
}

function holdsActor(actors: readonly Id[], actor: Id): boolean {
  for (let i = 0; i < actors.length; i++) if (actors[i] === actor) return true;
  return false;
}

/** `[...head, ...tail].slice(0, max)` in one copy. */
function joined<T>(head: readonly T[], tail: readonly T[], max: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < head.length && out.length < max; i++) out.push(head[i]!);
  for (let i = 0; i < tail.length && out.length < max; i++) out.push(tail[i]!);
  return out;
}

const NONE: readonly MinimizedMember[] = Object.freeze([]);

/** Whether `list` is one new item followed by the first `list.length - 1` items of `base`. */
function followsOne(list: readonly object[], base: readonly object[]): boolean {
  if (list.length < 2 || list.length - 1 > base.length) return false;
  for (let i = 1; i < list.length; i++) if (list[i] !== base[i - 1]) return false;
  return true;
}

/**
 * Merges activities of one group into `current` (or a new group). An activity the group already
 * holds, retained or remembered among its minimized ones, is not counted again, so a retried
 * fan-out or a second follow does not count twice; in denormalized groups the stored copy of a
 * retained one is replaced when it differs (an updated activity). The group keeps its newest
 * `maxActivities` members, remembers the next `maxTrackedActivities` by id and actor, and only
 * counts older ones (which a merge can then no longer recognise). Returns `undefined` when nothing
 * changed.
 */
export function mergeIntoGroup<E extends ExtraData>(
  current: GroupRecord<E> | undefined,
  id: string,
  group: string,
  activities: readonly Activity<E>[],
  limits: GroupLimits,
): GroupRecord<E> | undefined {
  // A copy (a spread is cheap): array methods on a frozen array take a slow path in V8. The
  // minimized list and the actors are only read (by index) unless they change.
  const members = current ? [...current.members] : [];
  const minimized = current?.minimized ?? NONE;
  let actors: Id[] | readonly Id[] = current ? current.actors : [];
  let { activityCount, actorOverflow, createdAt, updatedAt } = current ?? {
    activityCount: 0,
    actorOverflow: 0,
    createdAt: Number.POSITIVE_INFINITY,
    updatedAt: Number.NEGATIVE_INFINITY,
  };
  let changed = false;
  let added = false;
  // Still a group checkGroup may take as it is (see markValidGroup), if it was one.
  let valid = !limits.denormalized && (current === undefined || isValidGroup(current));
  const retained = idsOf(members, activities.length);
  const remembered = idsOf(minimized, activities.length);
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
    if (remembered.has(activity.id)) continue; // merged before, pushed out since: already counted
    changed = true;
    added = true;
    retained.add(activity.id);
    activityCount = increment(activityCount);
    if (!holdsActor(actors, activity.actor)) {
      if (actors.length < limits.maxTrackedActors) {
        // The current group's list is left as it is (it may be frozen and shared).
        if (current && actors === current.actors) actors = [...actors];
        (actors as Id[]).push(activity.actor);
      } else actorOverflow = increment(actorOverflow);
    }
    const time = activity.time.getTime();
    if (time < createdAt) createdAt = time;
    if (limits.denormalized) members.push({ id: activity.id, actor: activity.actor, activity });
    else {
      const member = memberOf(activity.id, activity.actor);
      valid &&= isValidMember(member);
      members.push(member);
    }
  }
  if (!changed) return undefined;
  let keptMinimized: readonly MinimizedMember[] = minimized;
  if (added) {
    members.sort(newestFirst);
    const pushedOut = members.splice(limits.maxActivities);
    // The encoder may build the members' text from the current ones' too (one added first).
    if (valid && current && followsOne(members, current.members))
      markDerivedList(members, current.members, 1);
    if (pushedOut.length > 0) {
      const tracked = limits.maxTrackedActivities ?? DEFAULT_TRACKED_ACTIVITIES;
      const out = pushedOut.map((m) => (m.activity ? memberOf(m.id, m.actor) : m));
      // Usually every activity pushed out is newer than those pushed out before: no sort.
      const inOrder = minimized.length === 0 || out[out.length - 1]!.id > minimized[0]!.id;
      keptMinimized = inOrder
        ? joined(out, minimized, tracked)
        : [...minimized, ...out].sort(newestFirst).slice(0, tracked);
      // The encoder may build the new list's text from the current one's (`valid`: the current
      // group was marked valid, so its list is frozen and cannot change).
      if (inOrder && valid && current?.minimized && minimized.length > 0)
        markDerivedList(keptMinimized, current.minimized, Math.min(out.length, tracked));
    }
  }
  const newest = members[0];
  if (newest) updatedAt = Math.max(updatedAt, timeOfActivityId(newest.id));
  const record: GroupRecord<E> = {
    id,
    group,
    members,
    ...(keptMinimized.length > 0 ? { minimized: keptMinimized } : {}),
    activityCount,
    actors,
    actorOverflow,
    createdAt,
    updatedAt,
  };
  const timed = isCount(createdAt) && isCount(updatedAt);
  return valid && timed && typeof id === 'string' && typeof group === 'string'
    ? markValidGroup(record)
    : record;
}

/**
 * Removes activities from a group: retained members, and minimized ones the group remembers (both
 * counted down). Returns `null` when no retained activity is left (the group is deleted),
 * `undefined` when the group holds none of `ids`, else the updated group. Activities pushed out
 * beyond `maxTrackedActivities` cannot be recognised and stay counted.
 */
export function removeFromGroup<E extends ExtraData>(
  current: GroupRecord<E>,
  ids: ReadonlySet<string>,
): GroupRecord<E> | null | undefined {
  const members = current.members.filter((m) => !ids.has(m.id));
  const before = current.minimized ?? [];
  const minimized = before.filter((m) => !ids.has(m.id));
  const removed = current.members.length - members.length + (before.length - minimized.length);
  if (removed === 0) return undefined;
  if (members.length === 0) return null;
  const activityCount = current.activityCount - removed;
  // Every activity still counted is known (retained or remembered): actors and times are exact.
  const complete = activityCount === members.length + minimized.length;
  let actors = current.actors;
  let createdAt = current.createdAt;
  if (complete) {
    const all = [...members, ...minimized];
    const present = new Set(all.map((m) => m.actor));
    const kept = current.actors.filter((a) => present.has(a));
    const known = new Set(kept);
    // Actors that were past the tracked-actor limit come back in, oldest activity first.
    for (const m of [...all].sort(newestFirst).reverse()) {
      if (!known.has(m.actor)) {
        known.add(m.actor);
        kept.push(m.actor);
      }
    }
    actors = kept;
    createdAt = Math.min(...all.map((m) => timeOfActivityId(m.id)));
  }
  const { minimized: _dropped, ...rest } = current;
  return {
    ...rest,
    members,
    ...(minimized.length > 0 ? { minimized } : {}),
    activityCount,
    actors,
    actorOverflow: complete ? 0 : current.actorOverflow,
    createdAt,
    updatedAt: timeOfActivityId(members[0]!.id),
  };
}

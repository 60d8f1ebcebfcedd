/**
 * A reference model of what the public API promises, for the model-based property tests
 * (test/conformance/memory-properties.test.ts, test/redis/properties.test.ts and the cluster one).
 *
 * The model is deliberately naive: feeds are sets of ids sorted on demand, a group is "the newest
 * K activities it retains plus the older ones it still counts", and every derived figure (counts,
 * actors, times, order) is recomputed from those sets instead of being maintained incrementally
 * the way the library does it. The world it models (see feed-world.ts):
 *
 * - a manager with a flat user feed `user` (maxLength 1000), a flat fan-out feed `timeline`
 *   (maxLength 6), an aggregated fan-out feed `aggregated` (by verb and day, 3 groups of at most 3
 *   retained activities) and a notification target feed `notification` reached only through an
 *   activity's `to` (by verb, object and day, 3 groups of at most 2 retained activities);
 * - 4 users (one with a key-hostile id), a follow graph the test keeps, and a fixed pool of
 *   activities in which an id always stands for the same content.
 * @module
 */

import { groupIdOf } from '../../src/activity/ids.js';
import {
  type Activity,
  createActivity,
  type Id,
  timeOfActivityId,
  utcDay,
} from '../../src/index.js';

// ---- the world's constants ------------------------------------------------------------------

/** The users. `1` and `'1'` name the same feeds; the last id is made of key metacharacters. */
export const USERS: readonly Id[] = [1, 2, 3, 'x:{y}*'];
export const VERBS = ['add', 'love', 'comment'] as const;
export const OBJECTS = 4;
const DAY = 86_400_000;
/** 2025-11-27T23:58:00Z: the time slots straddle a UTC day boundary, so groups split by day. */
export const T0 = Date.UTC(2025, 10, 27, 23, 58, 0);
/** Offsets of the time slots: several activities share a millisecond (ties are broken by id). */
export const SLOTS = [0, 60_000, 120_000, 180_000, DAY] as const;

export const LIMITS = Object.freeze({
  userLength: 1000,
  timelineLength: 6,
  aggregatedLength: 3,
  aggregatedPerGroup: 3,
  notificationLength: 3,
  notificationPerGroup: 2,
  followActivityLimit: 4,
});

/** Where an activity of `actorIndex` about `object` is also sent (`to`): a function of its identity. */
function recipients(actorIndex: number, object: number): Id[] {
  const next = (k: number) => USERS[(actorIndex + k) % USERS.length]!;
  if (object === 0) return [];
  if (object === 1) return [next(1)];
  if (object === 2) return [next(1), next(2)];
  return [next(0)]; // to oneself
}

/** Every activity the tests can publish. Same id, same content: the pool is built once. */
export const POOL: readonly Activity[] = USERS.flatMap((actor, actorIndex) =>
  VERBS.flatMap((verb) =>
    Array.from({ length: OBJECTS }, (_, object) =>
      SLOTS.map((slot, s) =>
        createActivity({
          actor,
          verb,
          object,
          time: T0 + slot,
          extra: { s, note: 'a;b,c|"d"' },
          to: recipients(actorIndex, object).map((u) => `notification:${u}`),
        }),
      ),
    ).flat(),
  ),
);
/** Activities per actor in {@link POOL} (they are laid out actor by actor). */
export const PER_ACTOR = POOL.length / USERS.length;
export const byId: ReadonlyMap<string, Activity> = new Map(POOL.map((a) => [a.id, a]));
if (byId.size !== POOL.length) throw new Error('feed-model: two pool activities share an id');

/** A one-line rendering of an activity's content: what reads are compared on. */
export function render(a: Activity): string {
  return [
    a.id,
    `${typeof a.actor}:${a.actor}`,
    a.verb,
    `${typeof a.object}:${a.object}`,
    a.time.toISOString(),
    JSON.stringify(a.extra),
    a.to.join(','),
  ].join(' ');
}

// ---- small helpers ----------------------------------------------------------------------------

const uid = (u: Id): string => String(u);
/** Newest first: ids sort by time, then digest (what `(score, id)` order is for flat feeds). */
const desc = (ids: Iterable<string>): string[] => [...ids].sort((a, b) => (a < b ? 1 : -1));

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

// ---- groups ----------------------------------------------------------------------------------

/** A group as the model sees it: the ids it retains (newest K) and the older ones it counts. */
export interface ModelGroup {
  readonly key: string;
  readonly id: string;
  /** Retained activity ids, newest first, at most K. */
  retained: string[];
  /** Merged activities that are not retained (pushed out by newer ones) and not removed. */
  readonly minimized: Set<string>;
  unseen: boolean;
  unread: boolean;
}

/** What a group shows: every figure derived from the ids it holds. */
export function groupFigures(g: ModelGroup) {
  const all = [...g.retained, ...g.minimized].map((id) => byId.get(id)!);
  const actors = [...new Set(all.map((a) => `${typeof a.actor}:${a.actor}`))].sort();
  return {
    activityCount: all.length,
    actors,
    createdAt: Math.min(...all.map((a) => a.time.getTime())),
    updatedAt: timeOfActivityId(g.retained[0]!),
  };
}

type Groups = Map<string, ModelGroup>;
type GroupKeyOf = (a: Activity) => string;

const byVerbAndDay: GroupKeyOf = (a) => `${a.verb}|${utcDay(a.time)}`;
const byVerbObjectAndDay: GroupKeyOf = (a) =>
  `${a.verb}|${utcDay(a.time)}|${typeof a.object === 'number' ? 'n' : 's'}${a.object}`;

/** Groups newest first: by score (the newest retained activity's time), then by group id. */
export function orderedGroups(groups: Groups): ModelGroup[] {
  const score = (g: ModelGroup) => timeOfActivityId(g.retained[0]!);
  return [...groups.values()].sort((a, b) =>
    score(a) !== score(b) ? score(b) - score(a) : a.id < b.id ? 1 : -1,
  );
}

/**
 * Merges a batch into a feed's groups: an activity the group already holds (retained or counted)
 * changes nothing; new ones join, the group keeps its newest K and counts the rest. A group that
 * received something new becomes unseen and unread.
 */
function mergeBatch(groups: Groups, batch: readonly Activity[], keyOf: GroupKeyOf, k: number) {
  for (const a of batch) {
    const key = keyOf(a);
    const id = groupIdOf(key);
    const g = getOr(groups, id, () => ({
      key,
      id,
      retained: [],
      minimized: new Set<string>(),
      unseen: true,
      unread: true,
    }));
    if (g.retained.includes(a.id) || g.minimized.has(a.id)) continue;
    const ranked = desc([...g.retained, a.id]);
    g.retained = ranked.slice(0, k);
    for (const out of ranked.slice(k)) g.minimized.add(out);
    g.unseen = true;
    g.unread = true;
  }
}

/** Removes activities from a feed's groups; a group with no retained activity left disappears. */
function removeFromGroups(groups: Groups, ids: ReadonlySet<string>) {
  for (const g of [...groups.values()]) {
    g.retained = g.retained.filter((id) => !ids.has(id));
    for (const id of ids) g.minimized.delete(id);
    if (g.retained.length === 0) groups.delete(g.id);
  }
}

function trimGroups(groups: Groups, maxLength: number) {
  for (const g of orderedGroups(groups).slice(maxLength)) groups.delete(g.id);
}

// ---- the model -------------------------------------------------------------------------------

/** The whole world's expected state. Every method mirrors one public call. */
export class FeedModel {
  /** Activity storage: what has been published and not removed. */
  readonly stored = new Set<string>();
  /** followed user -> followers, string ids. */
  readonly followers = new Map<string, Set<string>>();
  readonly user = new Map<string, Set<string>>();
  readonly timeline = new Map<string, Set<string>>();
  readonly aggregated = new Map<string, Groups>();
  readonly notification = new Map<string, Groups>();

  followersOf(u: Id): string[] {
    return [...(this.followers.get(uid(u)) ?? [])];
  }

  private flat(map: Map<string, Set<string>>, u: Id): Set<string> {
    return getOr(map, uid(u), () => new Set<string>());
  }
  private groups(map: Map<string, Groups>, u: Id): Groups {
    return getOr(map, uid(u), () => new Map());
  }

  userIds(u: Id): string[] {
    return desc(this.user.get(uid(u)) ?? []);
  }
  timelineIds(u: Id): string[] {
    return desc(this.timeline.get(uid(u)) ?? []);
  }
  aggregatedGroups(u: Id): ModelGroup[] {
    return orderedGroups(this.aggregated.get(uid(u)) ?? new Map());
  }
  notificationGroups(u: Id): ModelGroup[] {
    return orderedGroups(this.notification.get(uid(u)) ?? new Map());
  }

  private addFlat(map: Map<string, Set<string>>, u: Id, ids: readonly string[], max?: number) {
    const feed = this.flat(map, u);
    for (const id of ids) feed.add(id);
    if (max !== undefined && ids.length > 0) {
      for (const id of desc(feed).slice(max)) feed.delete(id);
    }
  }

  private addGroups(
    map: Map<string, Groups>,
    u: Id,
    batch: readonly Activity[],
    keyOf: GroupKeyOf,
    k: number,
    max: number | undefined,
  ) {
    if (batch.length === 0) return;
    const groups = this.groups(map, u);
    mergeBatch(groups, batch, keyOf, k);
    if (max !== undefined) trimGroups(groups, max);
  }

  /** A batch reaching one user's fan-out feeds (`trim`: the write trims to maxLength). */
  private fanout(follower: Id, batch: readonly Activity[], trim: boolean) {
    this.addFlat(
      this.timeline,
      follower,
      batch.map((a) => a.id),
      trim ? LIMITS.timelineLength : undefined,
    );
    this.addGroups(
      this.aggregated,
      follower,
      batch,
      byVerbAndDay,
      LIMITS.aggregatedPerGroup,
      trim ? LIMITS.aggregatedLength : undefined,
    );
  }

  private deliverTo(batch: readonly Activity[], trim: boolean) {
    const byUser = new Map<string, Activity[]>();
    for (const a of batch) {
      for (const ref of a.to) getOr(byUser, ref.slice(ref.indexOf(':') + 1), () => []).push(a);
    }
    for (const [u, activities] of byUser) {
      this.addGroups(
        this.notification,
        u,
        activities,
        byVerbObjectAndDay,
        LIMITS.notificationPerGroup,
        trim ? LIMITS.notificationLength : undefined,
      );
    }
  }

  /** manager.addUserActivity(actor, a) */
  add(a: Activity) {
    this.stored.add(a.id);
    this.addFlat(this.user, a.actor, [a.id], LIMITS.userLength);
    for (const f of this.followersOf(a.actor)) this.fanout(f, [a], true);
    this.deliverTo([a], true);
  }

  /** manager.removeUserActivity(actor, a or a.id) */
  remove(a: Activity, byIdOnly: boolean) {
    const known = this.stored.has(a.id);
    const ids = new Set([a.id]);
    this.flat(this.user, a.actor).delete(a.id);
    for (const f of this.followersOf(a.actor)) {
      this.flat(this.timeline, f).delete(a.id);
      removeFromGroups(this.groups(this.aggregated, f), ids);
    }
    // The `to` feeds are known from the activity itself, or from storage given only its id.
    if (!byIdOnly || known) {
      for (const ref of a.to) {
        removeFromGroups(this.groups(this.notification, ref.slice(ref.indexOf(':') + 1)), ids);
      }
    }
    this.stored.delete(a.id);
  }

  /** manager.followUser(follower, target): copies the target's newest activities. */
  follow(follower: Id, target: Id) {
    getOr(this.followers, uid(target), () => new Set<string>()).add(uid(follower));
    const copied = this.userIds(target).slice(0, LIMITS.followActivityLimit).reverse();
    this.fanout(
      follower,
      copied.map((id) => byId.get(id)!),
      true,
    );
  }

  /** manager.unfollowUser(follower, target, { keepHistory }) */
  unfollow(follower: Id, target: Id, keepHistory: boolean) {
    this.followers.get(uid(target))?.delete(uid(follower));
    if (keepHistory) return;
    const isTarget = (id: string) => uid(byId.get(id)!.actor) === uid(target);
    // A flat feed finds the target's activities by reading them: ids whose activity is no longer
    // stored (removed while the history was kept) cannot be recognised and stay.
    const timeline = this.flat(this.timeline, follower);
    for (const id of [...timeline]) if (this.stored.has(id) && isTarget(id)) timeline.delete(id);
    // Groups record each activity's actor, stored or not.
    const groups = this.groups(this.aggregated, follower);
    const ids = new Set<string>();
    for (const g of groups.values()) {
      for (const id of [...g.retained, ...g.minimized]) if (isTarget(id)) ids.add(id);
    }
    removeFromGroups(groups, ids);
  }

  /**
   * manager.batchImport(user, activities, { fanout }): written untrimmed, then every feed written
   * is trimmed once at the end (the user feed, the followers' feeds, the `to` targets).
   */
  batchImport(u: Id, activities: readonly Activity[], fanout: boolean) {
    const unique = [...new Map(activities.map((a) => [a.id, a])).values()];
    if (unique.length === 0) return;
    for (const a of unique) this.stored.add(a.id);
    const ids = unique.map((a) => a.id);
    this.addFlat(this.user, u, ids, LIMITS.userLength); // the same as adding, then trimming
    if (!fanout) return;
    for (const f of this.followersOf(u)) {
      this.fanout(f, unique, false);
      this.addFlat(this.timeline, f, ids, LIMITS.timelineLength);
      trimGroups(this.groups(this.aggregated, f), LIMITS.aggregatedLength);
    }
    this.deliverTo(unique, false);
    for (const ref of new Set(unique.flatMap((a) => a.to))) {
      trimGroups(
        this.groups(this.notification, ref.slice(ref.indexOf(':') + 1)),
        LIMITS.notificationLength,
      );
    }
  }

  /** notification.markSeen / markRead / markAll...: clears flags of groups the feed holds. */
  mark(u: Id, groupIds: readonly string[] | 'all', seen: boolean, read: boolean) {
    const groups = this.notification.get(uid(u));
    if (!groups) return;
    for (const g of groups.values()) {
      if (groupIds !== 'all' && !groupIds.includes(g.id)) continue;
      if (seen) g.unseen = false;
      if (read) g.unread = false;
    }
  }
}

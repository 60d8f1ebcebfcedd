import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import { BASE_TIME_MS, makeActivity, seededRandom, shuffled } from '../testing/fixtures.js';
import {
  actorCountOf,
  type GroupLimits,
  type GroupRecord,
  mergeIntoGroup,
  removeFromGroup,
} from './group.js';

const GROUP = 'add|2024-05-01';
const limits: GroupLimits = { maxActivities: 15, maxTrackedActors: 100, denormalized: false };

/** Activity number `n` (1-based): actor n, object n, n seconds after the base time. */
function numbered(n: number, actor: Id = n): Activity {
  return makeActivity({ actor, object: n }, n * 1000);
}

function merge(
  current: GroupRecord | undefined,
  activities: readonly Activity[],
  l: GroupLimits = limits,
): GroupRecord {
  const g = mergeIntoGroup(current, 'g1', GROUP, activities, l);
  assert.ok(g, 'expected the merge to change the group');
  return g;
}

const hundred = Array.from({ length: 100 }, (_, i) => numbered(i + 1));
const newestIds = (activities: readonly Activity[]) =>
  activities.map((a) => a.id).sort((a, b) => (a < b ? 1 : -1));

describe('mergeIntoGroup', () => {
  it("the original's 100-activity invariant, merged in one batch", () => {
    const g = merge(undefined, hundred);
    assert.equal(g.members.length, 15);
    assert.equal(g.activityCount, 100);
    assert.equal(actorCountOf(g), 100);
    assert.equal(g.activityCount - g.members.length, 85);
    assert.deepEqual(
      g.members.map((m) => m.actor),
      Array.from({ length: 15 }, (_, i) => 100 - i),
    );
  });

  it('the same invariant merged one at a time, in random order', () => {
    let g: GroupRecord | undefined;
    for (const a of shuffled(hundred, seededRandom(7))) g = merge(g, [a]);
    assert.ok(g);
    assert.equal(g.members.length, 15);
    assert.equal(g.activityCount, 100);
    assert.equal(actorCountOf(g), 100);
    assert.deepEqual(
      g.members.map((m) => m.id),
      hundred
        .slice(85)
        .map((a) => a.id)
        .reverse(),
    );
  });

  it('keeps members newest first', () => {
    const g = merge(undefined, shuffled(hundred.slice(0, 10), seededRandom(1)));
    const ids = g.members.map((m) => m.id);
    assert.deepEqual(ids, [...ids].sort().reverse());
  });

  it('records createdAt (oldest merged) and updatedAt (newest retained)', () => {
    const g = merge(undefined, [numbered(5), numbered(3), numbered(9)]);
    assert.equal(g.createdAt, BASE_TIME_MS + 3000);
    assert.equal(g.updatedAt, BASE_TIME_MS + 9000);
    const later = merge(g, [numbered(12)]);
    assert.equal(later.updatedAt, BASE_TIME_MS + 12_000);
    assert.equal(later.createdAt, BASE_TIME_MS + 3000);
    const earlier = merge(later, [numbered(1)]);
    assert.equal(earlier.createdAt, BASE_TIME_MS + 1000);
    assert.equal(earlier.updatedAt, BASE_TIME_MS + 12_000);
  });

  it('an activity older than a full group is counted but not retained', () => {
    const full = merge(undefined, hundred.slice(50, 65));
    const g = merge(full, [hundred[0]!]);
    assert.equal(g.activityCount, 16);
    assert.deepEqual(
      g.members.map((m) => m.id),
      full.members.map((m) => m.id),
    );
    assert.equal(g.createdAt, hundred[0]!.time.getTime());
  });

  it('remembers the activities it pushes out, newest first, up to maxTrackedActivities', () => {
    const g = merge(undefined, hundred.slice(0, 20));
    assert.deepEqual(
      g.minimized?.map((m) => m.id),
      newestIds(hundred.slice(0, 5)),
    );
    assert.deepEqual(g.minimized?.[0], { id: hundred[4]!.id, actor: 5 });
    const bounded = merge(undefined, hundred.slice(0, 20), { ...limits, maxTrackedActivities: 2 });
    assert.deepEqual(
      bounded.minimized?.map((m) => m.id),
      newestIds(hundred.slice(3, 5)),
    );
    assert.equal(bounded.activityCount, 20);
    assert.equal(merge(undefined, hundred.slice(0, 3)).minimized, undefined);
  });

  it('an activity pushed out and merged again is not counted twice (a redelivered task)', () => {
    const g = merge(undefined, hundred.slice(0, 20));
    assert.equal(mergeIntoGroup(g, 'g1', GROUP, [hundred[0]!], limits), undefined);
    assert.equal(mergeIntoGroup(g, 'g1', GROUP, hundred.slice(0, 20), limits), undefined);
    const one = merge(undefined, [hundred[0]!]);
    let grown: GroupRecord = one;
    for (const a of hundred.slice(1, 20)) grown = merge(grown, [a]);
    assert.equal(mergeIntoGroup(grown, 'g1', GROUP, [hundred[0]!], limits), undefined);
    assert.equal(grown.activityCount, 20);
  });

  it('beyond maxTrackedActivities, an old activity merged again is counted again', () => {
    const small = { ...limits, maxActivities: 2, maxTrackedActivities: 1 };
    const g = merge(undefined, hundred.slice(0, 4), small);
    assert.equal(merge(g, [hundred[0]!], small).activityCount, 5);
    assert.equal(mergeIntoGroup(g, 'g1', GROUP, [hundred[1]!], small), undefined);
  });

  it('a duplicate merge changes nothing and returns undefined', () => {
    const g = merge(undefined, hundred.slice(0, 5));
    assert.equal(mergeIntoGroup(g, 'g1', GROUP, hundred.slice(0, 5), limits), undefined);
    assert.equal(mergeIntoGroup(g, 'g1', GROUP, [hundred[2]!], limits), undefined);
    assert.equal(mergeIntoGroup(g, 'g1', GROUP, [], limits), undefined);
    assert.equal(mergeIntoGroup(undefined, 'g1', GROUP, [], limits), undefined);
  });

  it('an activity repeated in one batch counts once', () => {
    const a = hundred[0]!;
    const g = merge(undefined, [a, a, hundred[1]!, a]);
    assert.equal(g.activityCount, 2);
    assert.equal(g.members.length, 2);
  });

  it('a partly new batch adds only the new activities', () => {
    const g = merge(undefined, hundred.slice(0, 5));
    const next = merge(g, hundred.slice(3, 8));
    assert.equal(next.activityCount, 8);
    assert.equal(next.members.length, 8);
  });

  it('does not mutate the current group', () => {
    const g = merge(undefined, hundred.slice(0, 3));
    const snapshot = structuredClone(g);
    merge(g, hundred.slice(3, 20));
    assert.deepEqual(g, snapshot);
  });

  it('keeps id and group, and the activity only when denormalized', () => {
    const normalized = merge(undefined, [numbered(1)]);
    assert.equal(normalized.id, 'g1');
    assert.equal(normalized.group, GROUP);
    assert.deepEqual(normalized.members, [{ id: numbered(1).id, actor: 1 }]);
    const a = numbered(1);
    const denormalized = merge(undefined, [a], { ...limits, denormalized: true });
    assert.equal(denormalized.members[0]?.activity, a);
  });

  it('counts distinct actors; the same actor twice counts once', () => {
    const g = merge(undefined, [numbered(1, 'ann'), numbered(2, 'bob'), numbered(3, 'ann')]);
    assert.equal(g.activityCount, 3);
    assert.deepEqual(g.actors, ['ann', 'bob']);
    assert.equal(actorCountOf(g), 2);
  });

  it('integer and string actors are different actors', () => {
    const g = merge(undefined, [numbered(1, 1), numbered(2, '1')]);
    assert.equal(actorCountOf(g), 2);
  });

  it('counts actors past maxTrackedActors as overflow', () => {
    const small = { ...limits, maxTrackedActors: 3 };
    const g = merge(undefined, hundred.slice(0, 10), small);
    assert.equal(g.actors.length, 3);
    assert.equal(g.actorOverflow, 7);
    assert.equal(actorCountOf(g), 10);
    const tracked = merge(g, [numbered(50, g.actors[0]!)], small);
    assert.equal(actorCountOf(tracked), 10);
    assert.equal(tracked.activityCount, 11);
  });
});

describe('removeFromGroup', () => {
  it('a partial removal returns the updated group with lower counts', () => {
    const g = merge(undefined, hundred.slice(0, 5));
    const ids = new Set([hundred[4]!.id, hundred[1]!.id]);
    const next = removeFromGroup(g, ids);
    assert.ok(next);
    assert.deepEqual(
      next.members.map((m) => m.id),
      [hundred[3]!.id, hundred[2]!.id, hundred[0]!.id],
    );
    assert.equal(next.activityCount, 3);
    assert.deepEqual(next.actors, [1, 3, 4]);
    assert.equal(actorCountOf(next), 3);
    assert.equal(next.updatedAt, hundred[3]!.time.getTime());
    assert.equal(next.createdAt, hundred[0]!.time.getTime());
    assert.equal(next.id, g.id);
    assert.equal(next.group, g.group);
  });

  it('removing the oldest moves createdAt when nothing was minimized', () => {
    const g = merge(undefined, hundred.slice(0, 3));
    const next = removeFromGroup(g, new Set([hundred[0]!.id]));
    assert.ok(next);
    assert.equal(next.createdAt, hundred[1]!.time.getTime());
  });

  it('removing the last retained activity returns null', () => {
    const g = merge(undefined, hundred.slice(0, 2));
    assert.equal(removeFromGroup(g, new Set(hundred.slice(0, 2).map((a) => a.id))), null);
    const full = merge(undefined, hundred);
    assert.equal(removeFromGroup(full, new Set(full.members.map((m) => m.id))), null);
  });

  it('ids the group does not hold return undefined', () => {
    const g = merge(undefined, hundred);
    assert.equal(removeFromGroup(g, new Set(['missing'])), undefined);
    assert.equal(removeFromGroup(g, new Set()), undefined);
    const untracked = merge(undefined, hundred, { ...limits, maxTrackedActivities: 0 });
    assert.equal(removeFromGroup(untracked, new Set([hundred[0]!.id])), undefined);
  });

  it('removes remembered minimized activities too, and then knows its actors and times exactly', () => {
    const g = merge(undefined, hundred);
    const next = removeFromGroup(g, new Set([hundred[99]!.id, hundred[0]!.id]));
    assert.ok(next);
    assert.equal(next.members.length, 14);
    assert.equal(next.minimized?.length, 84);
    assert.equal(next.activityCount, 98);
    assert.equal(actorCountOf(next), 98);
    assert.equal(next.createdAt, hundred[1]!.time.getTime());
    assert.equal(next.updatedAt, hundred[98]!.time.getTime());
  });

  it('with untracked minimized activities: counts go down, actors and createdAt are kept', () => {
    const g = merge(undefined, hundred, { ...limits, maxTrackedActivities: 10 });
    const next = removeFromGroup(g, new Set([hundred[99]!.id, hundred[98]!.id]));
    assert.ok(next);
    assert.equal(next.members.length, 13);
    assert.equal(next.activityCount, 98);
    assert.deepEqual(next.actors, g.actors);
    assert.equal(next.createdAt, g.createdAt);
    assert.equal(next.updatedAt, hundred[97]!.time.getTime());
  });

  it('brings back actors counted past maxTrackedActors once every activity is known', () => {
    const small = { ...limits, maxTrackedActors: 2 };
    const g = merge(undefined, hundred.slice(0, 4), small);
    assert.deepEqual([g.actors, g.actorOverflow], [[1, 2], 2]);
    const next = removeFromGroup(g, new Set([hundred[0]!.id]));
    assert.ok(next);
    assert.deepEqual([next.actors, next.actorOverflow], [[2, 3, 4], 0]);
    assert.equal(actorCountOf(next), 3);
  });

  it('does not mutate the current group', () => {
    const g = merge(undefined, hundred.slice(0, 4));
    const snapshot = structuredClone(g);
    removeFromGroup(g, new Set([hundred[0]!.id]));
    assert.deepEqual(g, snapshot);
  });
});

describe('mergeIntoGroup updates', () => {
  const limits = { maxActivities: 15, maxTrackedActors: 100, denormalized: true };
  it('replaces the stored copy of an updated activity in a denormalized group without counting it again', () => {
    const first = makeActivity({
      actor: 1,
      object: 1,
      foreignId: 'pin-1',
      extra: { title: 'old' },
    });
    const updated = makeActivity({
      actor: 1,
      object: 1,
      foreignId: 'pin-1',
      extra: { title: 'new' },
    });
    assert.equal(first.id, updated.id);
    const g1 = mergeIntoGroup(undefined, 'g', 'key', [first], limits)!;
    const g2 = mergeIntoGroup(g1, 'g', 'key', [updated], limits);
    assert.ok(g2, 'an update is a change');
    assert.equal(g2.activityCount, 1);
    assert.deepEqual(g2.members[0]?.activity?.extra, { title: 'new' });
    assert.equal(
      mergeIntoGroup(g2, 'g', 'key', [updated], limits),
      undefined,
      'the same payload again is no change',
    );
  });
  it('leaves a normalized group unchanged when an already retained activity is merged again', () => {
    const a = makeActivity({ actor: 1, object: 1, foreignId: 'pin-1', extra: { title: 'old' } });
    const b = makeActivity({ actor: 1, object: 1, foreignId: 'pin-1', extra: { title: 'new' } });
    const g = mergeIntoGroup(undefined, 'g', 'key', [a], { ...limits, denormalized: false })!;
    assert.equal(mergeIntoGroup(g, 'g', 'key', [b], { ...limits, denormalized: false }), undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import { type GroupLimits, type GroupRecord, mergeIntoGroup } from '../aggregation/group.js';
import { SerializationError } from '../errors.js';
import { makeActivity } from '../testing/fixtures.js';
import { isValidGroup, isValidMember, memberOf } from './checked-groups.js';
import { createJsonSerializer } from './json-serializer.js';

const serializer = createJsonSerializer();
const limits: GroupLimits = {
  maxActivities: 3,
  maxTrackedActors: 4,
  maxTrackedActivities: 5,
  denormalized: false,
};
const ACTORS: readonly Id[] = [0, 7, 'ann', 'b"o\\b', 'zoë', 12];

/** Merges activities one at a time, as single adds do. */
function oneByOne(activities: readonly Activity[], l: GroupLimits = limits): GroupRecord {
  let record: GroupRecord | undefined;
  for (const a of activities)
    record = mergeIntoGroup(record, 'g1', 'add|day "1"', [a], l) ?? record;
  assert.ok(record);
  return record;
}

/** What the group encoding was before it was built by pieces: one JSON.stringify. */
function reference(g: GroupRecord): string {
  return JSON.stringify({
    v: 1,
    g: g.group,
    i: g.id,
    m: g.members.map((m) =>
      m.activity ? JSON.parse(serializer.encodeActivity(m.activity)) : [m.id, m.actor],
    ),
    ...(g.minimized && g.minimized.length > 0
      ? { mz: g.minimized.map((m) => [m.id, m.actor]) }
      : {}),
    n: g.activityCount,
    ac: g.actors,
    ao: g.actorOverflow,
    c: g.createdAt,
    u: g.updatedAt,
  });
}

const activities = Array.from({ length: 12 }, (_, i) =>
  makeActivity({ actor: ACTORS[i % ACTORS.length]!, object: i }, (i * 7919) % 12_000),
);

describe('checked groups', () => {
  it('a merged group encodes exactly as one JSON.stringify did, and decodes back equal', () => {
    for (const n of [1, 3, 4, 12]) {
      const g = oneByOne(activities.slice(0, n));
      assert.equal(isValidGroup(g), true);
      const payload = serializer.encodeGroup(g);
      assert.equal(payload, reference(g));
      const back = serializer.decodeGroup(payload);
      assert.deepEqual(back, g);
      assert.equal(serializer.encodeGroup(back), payload, 'a decoded group encodes the same');
    }
  });

  it('groups encoded after every merge, as a writer does, encode exactly as one JSON.stringify did', () => {
    // Encoding after each merge lets the encoder build a minimized list's text from the previous
    // list's (members pushed out in order, the oldest dropped): every payload must still be the
    // reference bytes, also when merges come in batches, out of order, or from a decoded group.
    const inOrder = Array.from({ length: 40 }, (_, i) =>
      makeActivity({ actor: ACTORS[i % ACTORS.length]!, object: i }, i * 1000),
    );
    const cases: { name: string; batches: Activity[][]; decodeEvery?: number }[] = [
      { name: 'one at a time, in order', batches: inOrder.map((a) => [a]) },
      { name: 'one at a time, shuffled', batches: activities.map((a) => [a]) },
      {
        name: 'in batches of 1 to 3',
        batches: [1, 2, 3, 1, 3, 2, 1, 1, 3, 2, 1].map((n, i) => inOrder.slice(i * 3, i * 3 + n)),
      },
      { name: 'read back every 4 adds', batches: inOrder.map((a) => [a]), decodeEvery: 4 },
    ];
    for (const { name, batches, decodeEvery } of cases) {
      for (const tracked of [0, 1, 5]) {
        const l = { ...limits, maxTrackedActivities: tracked };
        let record: GroupRecord | undefined;
        batches.forEach((batch, i) => {
          const previous = record;
          record = mergeIntoGroup(record, 'g1', 'add|day "1"', batch, l) ?? record;
          assert.ok(record);
          const payload = serializer.encodeGroup(record);
          assert.equal(payload, reference(record), `${name}, tracked ${tracked}, merge ${i}`);
          assert.equal(serializer.encodeGroup(record), payload, 'encoding again is the same');
          // The group a merge started from (its member, minimized and actor lists reused or
          // derived from) still encodes as it did.
          if (previous) assert.equal(serializer.encodeGroup(previous), reference(previous));
          if (decodeEvery && i % decodeEvery === 0) record = serializer.decodeGroup(payload);
        });
        assert.ok(record && (record.minimized?.length ?? 0) === tracked, `${name}: list full`);
      }
    }
  });

  it('denormalized groups are not marked and encode as before', () => {
    const g = oneByOne(activities, { ...limits, denormalized: true });
    assert.equal(isValidGroup(g), false);
    assert.equal(serializer.encodeGroup(g), reference(g));
  });

  it('merged groups are frozen, so a rank function cannot change what was checked', () => {
    const g = oneByOne(activities);
    assert.ok(Object.isFrozen(g) && Object.isFrozen(g.members) && Object.isFrozen(g.actors));
    assert.ok(g.minimized && Object.isFrozen(g.minimized));
    assert.throws(() => {
      (g.members as unknown as { id: string }[]).push({ id: 'x' });
    }, TypeError);
    assert.throws(() => {
      (g.members[0] as { id: string }).id = 'not an id';
    }, TypeError);
  });

  it('a copy of a checked group with a bad member is still checked and refused', () => {
    const g = oneByOne(activities);
    const bad = [{ id: 'not-an-activity-id', actor: 1 }, ...g.members];
    assert.throws(() => serializer.encodeGroup({ ...g, members: bad }), SerializationError);
    const badMinimized = [...(g.minimized ?? []), { id: g.members[0]!.id, actor: -1 }];
    assert.throws(
      () => serializer.encodeGroup({ ...g, minimized: badMinimized }),
      SerializationError,
    );
  });

  it('memberOf marks only valid members; encoding refuses the others', () => {
    const [a] = activities;
    assert.equal(isValidMember(memberOf(a!.id, 3)), true);
    assert.equal(isValidMember(memberOf(a!.id, -0)), true);
    assert.equal(memberOf(a!.id, -0).actor, 0);
    for (const [id, actor] of [
      ['nope', 1],
      [a!.id, ''],
      [a!.id, -1],
      [a!.id, 1.5],
    ] as const) {
      const m = memberOf(id, actor);
      assert.equal(isValidMember(m), false);
      const g = oneByOne([a!]);
      assert.throws(() => serializer.encodeGroup({ ...g, members: [m] }), SerializationError);
    }
  });
});

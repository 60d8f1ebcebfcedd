import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Activity, assertActivity, MAX_TO_LIMIT } from '../activity/activity.js';
import { groupIdOf } from '../activity/ids.js';
import { type GroupRecord, mergeIntoGroup } from '../aggregation/group.js';
import { SerializationError, StreamFrameworkError } from '../errors.js';
import { hasCode, makeActivity } from '../testing/fixtures.js';
import { createJsonSerializer } from './json-serializer.js';
import type { ActivityForm } from './serializer.js';

const serializer = createJsonSerializer();
const activities = Array.from({ length: 6 }, (_, i) =>
  makeActivity({ actor: i % 2 === 0 ? `user:${i}` : i, object: i, extra: { n: i } }, i),
);
const KEY = 'add|2024-05-01';
const group = (denormalized: boolean, maxActivities = 4): GroupRecord => {
  const limits = { maxActivities, maxTrackedActors: 100, denormalized };
  const g = mergeIntoGroup(undefined, groupIdOf(KEY), KEY, activities, limits);
  assert.ok(g);
  return g;
};

/** Anything at all, including what JSON cannot hold. */
const anything = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
});
const hostile = fc.oneof(
  anything,
  fc.constantFrom<unknown>(-0, -1, 1.5, Number.NaN, '', '\ud800', 'x'.repeat(600), [], {}),
);

/** A valid activity with one field replaced by anything, or removed. */
const nearActivity = fc
  .tuple(fc.nat(5), fc.constantFrom(...Object.keys(activities[0]!)), hostile, fc.boolean())
  .map(([n, field, value, remove]) => {
    const copy: Record<string, unknown> = { ...activities[n]! };
    if (remove) delete copy[field];
    else copy[field] = value;
    return copy;
  });

/** A valid group with one field, or one member's field, replaced by anything or removed. */
const nearGroup = fc
  .tuple(
    fc.boolean(),
    fc.constantFrom('id', 'group', 'members', 'minimized', 'activityCount', 'actors'),
    fc.constantFrom('actorOverflow', 'createdAt', 'updatedAt', 'member.id', 'member.actor'),
    fc.constantFrom('member.activity', 'member'),
    fc.nat(2),
    hostile,
    fc.boolean(),
  )
  .map(([denormalized, f1, f2, f3, pick, value, remove]) => {
    const g: Record<string, unknown> = { ...group(denormalized) };
    const field = [f1, f2, f3][pick]!;
    if (field.startsWith('member')) {
      const members = [...(g.members as object[])];
      const m: Record<string, unknown> = { ...members[0]! };
      if (field === 'member') members[0] = value as object;
      else if (remove) delete m[field.slice(7)];
      else m[field.slice(7)] = value;
      if (field !== 'member') members[0] = m;
      g.members = members;
    } else if (remove) delete g[field];
    else g[field] = value;
    return g;
  });

function typed(error: unknown): void {
  assert.ok(error instanceof StreamFrameworkError, `not a StreamFrameworkError: ${String(error)}`);
  assert.equal(typeof error.code, 'string');
}

describe('createJsonSerializer: encode validates its input', () => {
  it('encodeActivity of a non-activity is a typed error, never a raw TypeError', () => {
    for (const value of [1, null, undefined, 'x', {}, [], { id: 1 }, new Date(0)]) {
      for (const form of [undefined, 'full', 'keyed'] as const) {
        assert.throws(
          () => serializer.encodeActivity(value as unknown as Activity, form),
          hasCode('INVALID_ACTIVITY'),
          String(value),
        );
      }
    }
    assert.throws(
      () => serializer.encodeActivity({ ...activities[0]!, extra: null } as never),
      hasCode('INVALID_EXTRA'),
    );
  });

  it('an unknown form is INVALID_OPTION', () => {
    for (const form of ['Keyed', '', 1, null]) {
      assert.throws(
        () => serializer.encodeActivity(activities[0]!, form as ActivityForm),
        hasCode('INVALID_OPTION'),
      );
    }
  });

  it('createJsonSerializer rejects unknown options and non-objects with INVALID_OPTION', () => {
    for (const options of [1, 'x', null, { maxLength: 5 }]) {
      assert.throws(() => createJsonSerializer(options as never), hasCode('INVALID_OPTION'));
    }
  });

  it('encodes what it validated: a hand-built activity is copied, -0 stored as 0', () => {
    const extra: Record<string, unknown> = { z: -0 };
    const built = { ...activities[0]!, extra };
    const payload = serializer.encodeActivity(built as Activity, 'keyed');
    assert.deepEqual(serializer.decodeActivity(payload, { id: built.id }).extra, { z: 0 });
  });

  it('encodeGroup of a malformed group is a typed error: no payload decodeGroup refuses', () => {
    const g = group(true);
    const member = g.members[0]!;
    const bad: unknown[] = [
      1,
      null,
      { members: [] },
      { ...g, members: [] },
      { ...g, members: 'x' },
      { ...g, group: 5 },
      { ...g, id: undefined },
      { ...g, activityCount: 1 },
      { ...g, activityCount: -1 },
      { ...g, actors: [''] },
      { ...g, actors: 'x' },
      { ...g, actorOverflow: 1.5 },
      { ...g, createdAt: -1 },
      { ...g, updatedAt: undefined },
      { ...g, minimized: 'x' },
      { ...g, minimized: [{ id: 'short', actor: 1 }] },
      { ...g, members: [{ id: member.id, actor: member.actor, activity: {} }] },
      { ...g, members: [{ ...member, id: activities[0]!.id }] },
      { ...g, members: [{ ...member, actor: 'someone else' }] },
      { ...g, members: [{ id: 'NOT-AN-ID', actor: 1 }] },
      { ...g, members: [null] },
    ];
    for (const value of bad) {
      assert.throws(
        () => serializer.encodeGroup(value as GroupRecord),
        (err: unknown) => err instanceof StreamFrameworkError,
        JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
      );
    }
    assert.throws(() => serializer.encodeGroup({ members: [] } as never), SerializationError);
  });

  it('property: encodeActivity throws a StreamFrameworkError or writes a payload that decodes back equal', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, nearActivity), fc.constantFrom('full', 'keyed'), (v, form) => {
        let payload: string;
        try {
          payload = serializer.encodeActivity(v as Activity, form as ActivityForm);
        } catch (error) {
          typed(error);
          return;
        }
        const expected = assertActivity(v, undefined, { maxTo: MAX_TO_LIMIT });
        const back = serializer.decodeActivity(payload, { id: expected.id });
        assert.deepStrictEqual(back, expected);
        assert.equal(serializer.encodeActivity(back, form as ActivityForm), payload);
      }),
      { numRuns: 1000, seed: 4242 },
    );
  });

  it('decode with any context: a SerializationError naming it, never a raw TypeError', () => {
    const keyed = serializer.encodeActivity(activities[0]!, 'keyed');
    for (const context of [
      { id: 10n },
      { key: 10n, id: 1 },
      { id: { a: 1 } },
      { key: Symbol('k') },
    ]) {
      for (const payload of [keyed, 'not json', '[1]']) {
        assert.throws(
          () => serializer.decodeActivity(payload, context as never),
          SerializationError,
        );
        assert.throws(() => serializer.decodeGroup(payload, context as never), SerializationError);
      }
    }
  });

  it('property: encodeGroup throws a StreamFrameworkError or writes a payload that decodes back equal', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, nearGroup), (v) => {
        let payload: string;
        try {
          payload = serializer.encodeGroup(v as GroupRecord);
        } catch (error) {
          typed(error);
          return;
        }
        const back = serializer.decodeGroup(payload);
        assert.equal(serializer.encodeGroup(back), payload);
        const g = v as GroupRecord;
        const z = <T>(x: T): T => (x === 0 ? (0 as T) : x); // -0 is written, and read, as 0
        assert.deepStrictEqual(
          [back.id, back.group, back.activityCount, back.actors, back.createdAt, back.updatedAt],
          [g.id, g.group, z(g.activityCount), g.actors.map(z), z(g.createdAt), z(g.updatedAt)],
        );
        assert.equal(back.actorOverflow, z(g.actorOverflow));
        assert.deepStrictEqual(
          back.members.map((m) => [m.id, m.actor]),
          g.members.map((m) => [m.id, z(m.actor)]),
        );
      }),
      { numRuns: 1000, seed: 4242 },
    );
  });
});

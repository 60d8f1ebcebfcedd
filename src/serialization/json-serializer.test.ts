import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Activity, assertActivity } from '../activity/activity.js';
import { activityId, groupIdOf, timeOfActivityId } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import { type GroupRecord, mergeIntoGroup } from '../aggregation/group.js';
import { SerializationError, StreamFrameworkError, ValidationError } from '../errors.js';
import { BASE_TIME_MS, hasCode, makeActivity } from '../testing/fixtures.js';
import {
  createJsonSerializer,
  JSON_FORMAT_VERSION,
  KEYED_FORMAT_VERSION,
} from './json-serializer.js';

const serializer = createJsonSerializer();

function roundTrip(a: Activity): Activity {
  return serializer.decodeActivity(serializer.encodeActivity(a));
}

function assertSameActivity(actual: Activity, expected: Activity): void {
  assert.equal(actual.id, expected.id);
  assert.equal(actual.actor, expected.actor);
  assert.equal(actual.verb, expected.verb);
  assert.equal(actual.object, expected.object);
  assert.equal(actual.target, expected.target);
  assert.equal(actual.time.getTime(), expected.time.getTime());
  assert.equal(actual.foreignId, expected.foreignId);
  assert.deepEqual(actual.extra, expected.extra);
  assert.deepEqual(actual.to, expected.to);
  assert.deepEqual(actual, expected);
}

const tricky: JsonObject = {
  semicolons: 'a;b;;c;',
  commas: 'x,y,,z',
  both: ';,;;,,',
  quotes: `"double" 'single' \`back\``,
  backslash: 'C:\\path\\n',
  newlines: 'line1\nline2\r\n',
  unicode: 'ünïcödé 鍵 مرحبا 😀👍🏽 e\u0301 \u2028',
  pickleLike: "(dp0\nS'xxx'\np1\nS'yyy'\np2\ns.",
  nested: { list: [1, 'two', null, true, { deep: ['a;b'] }], empty: {}, none: [] },
  numbers: { int: 42, neg: -7, float: 1.25, big: Number.MAX_SAFE_INTEGER, zero: 0 },
};

/** A user-built activity whose id encodes another time than its own (assertActivity accepts it). */
function withUserBuiltId(a: Activity, idTimeMs: number): Activity {
  return assertActivity({ ...a, id: activityId(idTimeMs, 'user-built') });
}

function keyedRoundTrip(a: Activity): Activity {
  return serializer.decodeActivity(serializer.encodeActivity(a, 'keyed'), { key: 'k', id: a.id });
}

const variants: Activity[] = [
  makeActivity(),
  makeActivity({ target: 7 }),
  makeActivity({ target: 0 }),
  makeActivity({ actor: 'user:1', object: 'pin:9', target: 'board:{3}' }),
  makeActivity({ foreignId: 'pin:42' }),
  makeActivity({ extra: tricky }),
  makeActivity({ to: ['notification:1', 'feed:a:b'] }),
  makeActivity({ verb: 'love', target: 0, foreignId: 'f;,', extra: { k: 'v' }, to: ['n:2'] }),
  makeActivity({ extra: { k: null } }),
  makeActivity({ time: 0 }),
  withUserBuiltId(makeActivity(), BASE_TIME_MS + 1),
  withUserBuiltId(makeActivity({ target: 3, extra: { n: 1 }, to: ['n:1'] }), 0),
];

for (const [form, trip] of [
  ['full', roundTrip],
  ['keyed', keyedRoundTrip],
] as const) {
  describe(`createJsonSerializer: activities in the ${form} form`, () => {
    it("round-trip every variant: target, foreignId, extra, to, a time not the id's", () => {
      for (const a of variants) assertSameActivity(trip(a), a);
    });

    it('keeps integer and string ids apart', () => {
      const a = trip(makeActivity({ actor: 1, object: '1', target: 2 }));
      assert.deepEqual([a.actor, a.object, a.target], [1, '1', 2]);
      const b = trip(makeActivity({ actor: '1', object: 1, target: '0' }));
      assert.deepEqual([b.actor, b.object, b.target], ['1', 1, '0']);
    });

    it('decodes to a frozen activity with a Date time', () => {
      const a = trip(makeActivity({ to: ['feed:1'] }));
      assert.ok(Object.isFrozen(a));
      assert.ok(Object.isFrozen(a.to));
      assert.ok(a.time instanceof Date);
      assert.equal(a.time.getTime(), BASE_TIME_MS);
    });
  });
}

describe('createJsonSerializer: activities', () => {
  it('is deterministic, versioned JSON in which ; and , are ordinary characters', () => {
    const a = makeActivity({ extra: tricky });
    const payload = serializer.encodeActivity(a);
    assert.equal(serializer.encodeActivity(a), payload);
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    assert.equal(parsed.v, JSON_FORMAT_VERSION);
    assert.equal(parsed.i, a.id);
    assert.deepEqual(parsed.x, tricky);
    assert.equal(serializer.name, 'json-v1');
  });

  it('omits empty optional fields from the payload', () => {
    const parsed = JSON.parse(serializer.encodeActivity(makeActivity())) as object;
    assert.deepEqual(Object.keys(parsed).sort(), ['a', 'b', 'i', 'm', 'o', 'v']);
  });

  it('rejects activities longer than maxActivityLength with LIMIT_EXCEEDED', () => {
    const small = createJsonSerializer({ maxActivityLength: 200 });
    const a = makeActivity({ extra: { text: 'x'.repeat(150) } });
    assert.throws(
      () => small.encodeActivity(a),
      (err: ValidationError) =>
        err instanceof ValidationError &&
        err.code === 'LIMIT_EXCEEDED' &&
        err.details.id === a.id &&
        err.details.limit === 200,
    );
    assert.ok(small.encodeActivity(makeActivity()).length <= 200);
    assert.throws(
      () =>
        createJsonSerializer().encodeActivity(makeActivity({ extra: { t: 'y'.repeat(70_000) } })),
      hasCode('LIMIT_EXCEEDED'),
    );
  });

  it('an activity encoded again reads as it is now: a time set in place, a limit, a copy', () => {
    const small = createJsonSerializer({ maxActivityLength: 200 });
    const a = makeActivity({ extra: { text: 'x'.repeat(60) } });
    const first = small.encodeActivity(a);
    const key = 'add|2024-05-01';
    const g = mergeIntoGroup(undefined, groupIdOf(key), key, [a], {
      maxActivities: 15,
      maxTrackedActors: 100,
      denormalized: true,
    });
    assert.ok(g);
    // The group's member is the activity's text, whether it was encoded before or not.
    assert.deepEqual(
      (JSON.parse(small.encodeGroup(g)) as { m: unknown[] }).m[0],
      JSON.parse(first),
    );
    // A frozen activity's Date can still be set: the next encoding carries the new time.
    const later = a.time.getTime() + 5000;
    a.time.setTime(later);
    assert.equal((JSON.parse(small.encodeActivity(a)) as { m: number }).m, later);
    assert.equal(
      (JSON.parse(small.encodeGroup(g)) as { m: { m: number }[] }).m[0]!.m,
      later,
      'the group payload too',
    );
    // A member over the limit is encoded in its group (groups have no activity limit), and the
    // activity alone is still refused afterwards.
    const big = makeActivity({ extra: { text: 'y'.repeat(300) } }, 1);
    const bigGroup = mergeIntoGroup(undefined, groupIdOf(key), key, [big], {
      maxActivities: 15,
      maxTrackedActors: 100,
      denormalized: true,
    });
    assert.ok(bigGroup);
    assert.ok(small.encodeGroup(bigGroup).includes('y'.repeat(300)));
    assert.throws(() => small.encodeActivity(big), hasCode('LIMIT_EXCEEDED'));
    // A user-built copy is encoded from its own fields, never from the original's text.
    const copy = { ...a, extra: { text: 'z' } } as Activity;
    assert.deepEqual((JSON.parse(small.encodeActivity(copy)) as { x: unknown }).x, { text: 'z' });
  });

  it('rejects a bad maxActivityLength with INVALID_OPTION', () => {
    for (const maxActivityLength of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => createJsonSerializer({ maxActivityLength }), hasCode('INVALID_OPTION'));
    }
  });
});

describe('createJsonSerializer: keyed activities', () => {
  it('is a deterministic positional array: null in the middle, nothing at the end', () => {
    const keyed = (a: Activity) => JSON.parse(serializer.encodeActivity(a, 'keyed')) as unknown;
    const a = makeActivity({ extra: tricky, to: ['n:1'] });
    assert.equal(serializer.encodeActivity(a, 'keyed'), serializer.encodeActivity(a, 'keyed'));
    assert.deepEqual(keyed(a), [KEYED_FORMAT_VERSION, 1, 'add', 1, null, tricky, null, ['n:1']]);
    assert.deepEqual(keyed(makeActivity()), [1, 1, 'add', 1]);
    assert.deepEqual(keyed(makeActivity({ target: 0 })), [1, 1, 'add', 1, 0]);
    assert.deepEqual(keyed(makeActivity({ foreignId: 'f' })), [1, 1, 'add', 1, null, null, 'f']);
    const moved = withUserBuiltId(makeActivity(), BASE_TIME_MS - 5);
    assert.deepEqual(keyed(moved), [1, 1, 'add', 1, null, null, null, null, BASE_TIME_MS]);
    assert.equal(timeOfActivityId(makeActivity().id), BASE_TIME_MS, 'time omitted: the id has it');
  });

  it('is smaller than the full form', () => {
    for (const a of variants) {
      const keyed = serializer.encodeActivity(a, 'keyed').length;
      assert.ok(keyed < serializer.encodeActivity(a).length, `${keyed} for ${a.id}`);
    }
    const pin = makeActivity({ verb: 'love', object: 150_000, target: 7, extra: { itemId: 50 } });
    assert.equal(serializer.encodeActivity(pin, 'keyed'), '[1,1,"love",150000,7,{"itemId":50}]');
    assert.ok(serializer.encodeActivity(pin).length > 90);
  });

  it('the full form stays the default, and both forms decode', () => {
    const a = makeActivity({ target: 3 });
    assert.equal(serializer.encodeActivity(a), serializer.encodeActivity(a, 'full'));
    assert.equal((JSON.parse(serializer.encodeActivity(a)) as { v: number }).v, 1);
    assertSameActivity(serializer.decodeActivity(serializer.encodeActivity(a), { id: a.id }), a);
  });

  it('still decodes a payload written by earlier versions', () => {
    const a = makeActivity({ target: 'board:1', extra: { n: 1 }, to: ['n:2'], foreignId: 'f' });
    const old = `{"v":1,"i":"${a.id}","a":1,"b":"add","o":1,"m":${BASE_TIME_MS},"t":"board:1","f":"f","x":{"n":1},"to":["n:2"]}`;
    assertSameActivity(serializer.decodeActivity(old), a);
    assertSameActivity(serializer.decodeActivity(old, { key: 'k', id: a.id }), a);
  });

  it('applies maxActivityLength to the full form, whichever form is written', () => {
    const a = makeActivity({ extra: { text: 'x'.repeat(150) } });
    const keyedLength = serializer.encodeActivity(a, 'keyed').length;
    const fullLength = serializer.encodeActivity(a).length;
    const limited = createJsonSerializer({ maxActivityLength: fullLength - 1 });
    assert.ok(keyedLength < fullLength - 1, 'the keyed form alone would fit');
    for (const form of ['full', 'keyed'] as const) {
      assert.throws(
        () => limited.encodeActivity(a, form),
        (err: ValidationError) => err.code === 'LIMIT_EXCEEDED' && err.details.id === a.id,
      );
    }
    const exact = createJsonSerializer({ maxActivityLength: fullLength });
    assert.equal(exact.encodeActivity(a, 'keyed').length, keyedLength);
  });

  it('refuses an activity whose id is not an activity id (INVALID_ACTIVITY), in either form', () => {
    const odd = { ...makeActivity(), id: 'NOT-AN-ID' } as Activity;
    for (const form of ['full', 'keyed'] as const) {
      assert.throws(() => serializer.encodeActivity(odd, form), hasCode('INVALID_ACTIVITY'));
    }
  });
});

/** One test per corrupted payload: a SerializationError naming the context's key and id. */
function rejectsEach(
  corrupted: readonly (readonly [string, string])[],
  context: { key: string; id: string },
): void {
  for (const [what, payload] of corrupted) {
    it(`${what} → SerializationError naming the key and id`, () => {
      assert.throws(
        () => serializer.decodeActivity(payload, context),
        (err: unknown) =>
          err instanceof SerializationError &&
          err instanceof StreamFrameworkError &&
          err.code === 'SERIALIZATION' &&
          err.message.includes(context.key) &&
          err.message.includes(context.id) &&
          err.details.key === context.key &&
          err.details.id === context.id,
      );
    });
  }
}

describe('createJsonSerializer: decoded activities', () => {
  it('are frozen, trusted as they are, and only they: a copy of one is checked and copied', () => {
    const original = makeActivity({ extra: { itemId: 9, tags: ['a'] }, to: ['notification:1'] });
    for (const form of ['keyed', 'full'] as const) {
      const decoded = serializer.decodeActivity(serializer.encodeActivity(original, form), {
        id: original.id,
      });
      assert.ok(Object.isFrozen(decoded) && Object.isFrozen(decoded.to));
      assert.equal(assertActivity(decoded), decoded);
      // The trust mark adds nothing a caller sees: no key, equal to a plain copy.
      const copy = { ...decoded };
      assert.deepEqual(Object.keys(decoded), Object.keys(copy));
      assert.deepStrictEqual(decoded, copy);
      assert.deepStrictEqual(decoded, original);
      const checked = assertActivity(copy);
      assert.notEqual(checked, copy);
      assert.deepStrictEqual(checked, decoded);
    }
  });

  it('without a to list share one frozen empty list', () => {
    const a = makeActivity();
    const b = makeActivity({ object: 2 });
    const [x, y] = [a, b].map((v) =>
      serializer.decodeActivity(serializer.encodeActivity(v, 'keyed'), { id: v.id }),
    );
    assert.deepEqual(x!.to, []);
    assert.ok(Object.isFrozen(x!.to));
    assert.equal(x!.to, y!.to);
  });
});

describe('createJsonSerializer: corrupted keyed payloads', () => {
  const id = makeActivity().id;
  const context = { key: 'sf:a:{0}', id };
  const good = JSON.parse(
    serializer.encodeActivity(makeActivity({ target: 3, extra: { k: 1 } }), 'keyed'),
  ) as unknown[];
  const spliced = (i: number, value: unknown) => JSON.stringify(good.with(i, value));
  const corrupted: [string, string][] = [
    ['an empty array', '[]'],
    ['a version alone', '[1]'],
    ['three elements', '[1,1,"add"]'],
    ['version 2', spliced(0, 2)],
    ['a string version', spliced(0, '1')],
    ['a null version', spliced(0, null)],
    ['ten elements', JSON.stringify([1, 1, 'add', 1, null, null, null, null, 5, 'more'])],
    ['a null actor', spliced(1, null)],
    ['an empty actor', spliced(1, '')],
    ['a negative actor', spliced(1, -1)],
    ['a fractional object', spliced(3, 1.5)],
    ['a numeric verb', spliced(2, 4)],
    ['an empty verb', spliced(2, '')],
    ['a boolean target', spliced(4, true)],
    ['an array extra', spliced(5, [1])],
    ['a string extra', spliced(5, 'x')],
    ['a numeric foreignId', JSON.stringify([1, 1, 'add', 1, null, null, 5])],
    ['a string to', JSON.stringify([1, 1, 'add', 1, null, null, null, 'n:1'])],
    ['a to list with a number', JSON.stringify([1, 1, 'add', 1, null, null, null, [1]])],
    ['a string time', JSON.stringify([1, 1, 'add', 1, null, null, null, null, '2024'])],
    ['a negative time', JSON.stringify([1, 1, 'add', 1, null, null, null, null, -5])],
    ['a fractional time', JSON.stringify([1, 1, 'add', 1, null, null, null, null, 1.5])],
    ['a __proto__ key in extra', '[1,1,"add",1,null,{"a":{"__proto__":{"polluted":true}}}]'],
    ['a constructor key in extra', '[1,1,"add",1,null,{"constructor":1}]'],
    ['a prototype key deep in extra', '[1,1,"add",1,null,{"a":[{"b":{"prototype":1}}]}]'],
    ['extra nested 65 levels deep', `[1,1,"add",1,null,${'{"a":'.repeat(65)}1${'}'.repeat(65)}]`],
  ];
  rejectsEach(corrupted, context);

  it('the unmodified array decodes (the cases above differ from it only where named)', () => {
    assert.equal(serializer.decodeActivity(JSON.stringify(good), context).target, 3);
  });

  it('needs the activity id it is stored under in the context', () => {
    const payload = JSON.stringify(good);
    for (const ctx of [undefined, {}, { key: 'k' }, { key: 'k', id: 'task' }, { id: 'SHORT' }]) {
      assert.throws(
        () => serializer.decodeActivity(payload, ctx),
        (err: unknown) =>
          err instanceof SerializationError &&
          err.code === 'SERIALIZATION' &&
          err.message.includes('without the activity id'),
      );
    }
  });
});

describe('createJsonSerializer: corrupted payloads', () => {
  const context = { key: 'feed:normal:42', id: '0lvnrm2o0kxtauvj' };
  const good = JSON.parse(serializer.encodeActivity(makeActivity({ target: 3 }))) as Record<
    string,
    unknown
  >;
  const corrupted: [string, string][] = [
    ['not JSON', 'not json at all'],
    ['truncated JSON', serializer.encodeActivity(makeActivity()).slice(0, 20)],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"text"'],
    ['JSON null', 'null'],
    ['an empty string', ''],
    ['version 2', JSON.stringify({ ...good, v: 2 })],
    ['no version', JSON.stringify({ ...good, v: undefined })],
    ['a missing id', JSON.stringify({ ...good, i: undefined })],
    ['a malformed id', JSON.stringify({ ...good, i: 'SHORT' })],
    ['a missing actor', JSON.stringify({ ...good, a: undefined })],
    ['an empty actor', JSON.stringify({ ...good, a: '' })],
    ['a negative object', JSON.stringify({ ...good, o: -1 })],
    ['a missing verb', JSON.stringify({ ...good, b: undefined })],
    ['a numeric verb', JSON.stringify({ ...good, b: 4 })],
    ['a boolean target', JSON.stringify({ ...good, t: true })],
    ['a string time', JSON.stringify({ ...good, m: '2024-05-01' })],
    ['a negative time', JSON.stringify({ ...good, m: -5 })],
    ['a numeric foreignId', JSON.stringify({ ...good, f: 5 })],
    ['an array extra', JSON.stringify({ ...good, x: [1] })],
    ['a string to', JSON.stringify({ ...good, to: 'feed:1' })],
    ['a to list with a number', JSON.stringify({ ...good, to: [1] })],
    // What createActivity rejects must not come back from storage either.
    ['a __proto__ key in extra', payloadWithExtra('{"a":{"__proto__":{"polluted":true}}}')],
    ['a constructor key in extra', payloadWithExtra('{"constructor":1}')],
    ['a prototype key deep in extra', payloadWithExtra('{"a":[{"b":{"prototype":1}}]}')],
    ['extra nested 65 levels deep', payloadWithExtra(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`)],
    [
      'extra nested 100,000 levels deep',
      payloadWithExtra(`${'['.repeat(99_999)}${']'.repeat(99_999)}`.replace(/^\[/, '{"a":[')),
    ],
  ];
  function payloadWithExtra(extra: string): string {
    const { x: _x, ...rest } = good;
    return `${JSON.stringify(rest).slice(0, -1)},"x":${extra}}`;
  }
  it('accepts extra nested exactly 64 levels deep, as createActivity does', () => {
    const extra = `${'{"a":'.repeat(64)}1${'}'.repeat(64)}`;
    assert.equal(serializer.decodeActivity(payloadWithExtra(extra)).id, good.i);
    let deep: JsonObject = { a: 1 };
    for (let i = 1; i < 64; i++) deep = { a: deep };
    assert.doesNotThrow(() => makeActivity({ extra: deep }), 'createActivity accepts 64 levels');
  });
  rejectsEach(corrupted, context);

  it('keeps the JSON parse error as the cause', () => {
    assert.throws(
      () => serializer.decodeActivity('{', context),
      (err: SerializationError) => err.cause instanceof SyntaxError,
    );
  });

  it('works without a context', () => {
    assert.throws(() => serializer.decodeActivity('nope'), hasCode('SERIALIZATION'));
    assert.throws(
      () => serializer.decodeActivity(42 as unknown as string),
      hasCode('SERIALIZATION', SerializationError),
    );
  });
});

describe('createJsonSerializer: groups', () => {
  const limits = (denormalized: boolean) => ({
    maxActivities: 15,
    maxTrackedActors: 100,
    denormalized,
  });
  const activities = Array.from({ length: 20 }, (_, i) =>
    makeActivity({ actor: i % 3 === 0 ? `user:${i}` : i, object: i, extra: { n: `${i};,` } }, i),
  );
  const group = (denormalized: boolean): GroupRecord => {
    const key = 'add|2024-05-01';
    const g = mergeIntoGroup(undefined, groupIdOf(key), key, activities, limits(denormalized));
    assert.ok(g);
    return g;
  };

  it('round-trips a normalized group: members are [id, actor]', () => {
    const g = group(false);
    const payload = serializer.encodeGroup(g);
    const wire = JSON.parse(payload) as { m: unknown[] };
    assert.deepEqual(wire.m[0], [g.members[0]!.id, g.members[0]!.actor]);
    const back = serializer.decodeGroup(payload);
    assert.deepEqual(back, g);
    assert.equal(back.members.length, 15);
    assert.ok(back.members.every((m) => m.activity === undefined));
  });

  it('round-trips a denormalized group with full activities', () => {
    const g = group(true);
    const back = serializer.decodeGroup(serializer.encodeGroup(g));
    assert.deepEqual(back, g);
    for (const [i, m] of back.members.entries()) {
      assert.ok(m.activity);
      assertSameActivity(m.activity, g.members[i]!.activity!);
    }
  });

  it('round-trips the minimized activities a group remembers, as [id, actor] pairs', () => {
    const g = group(true);
    assert.equal(g.minimized?.length, 5);
    const payload = serializer.encodeGroup(g);
    assert.deepEqual((JSON.parse(payload) as { mz: unknown[] }).mz[0], [
      g.minimized![0]!.id,
      g.minimized![0]!.actor,
    ]);
    assert.deepEqual(serializer.decodeGroup(payload), g);
    const small = mergeIntoGroup(undefined, 'g', 'k', activities.slice(0, 2), limits(false))!;
    assert.equal('mz' in JSON.parse(serializer.encodeGroup(small)), false, 'absent when empty');
  });

  it('keeps the counts, actors and times of a group', () => {
    const g = group(false);
    const back = serializer.decodeGroup(serializer.encodeGroup(g));
    assert.equal(back.activityCount, 20);
    assert.equal(back.actors.length, 20);
    assert.equal(back.actorOverflow, 0);
    assert.equal(back.createdAt, BASE_TIME_MS);
    assert.equal(back.updatedAt, BASE_TIME_MS + 19);
    assert.equal(back.group, 'add|2024-05-01');
    assert.equal(back.id, groupIdOf('add|2024-05-01'));
  });

  it('corrupted groups → SerializationError naming the key', () => {
    const wire = JSON.parse(serializer.encodeGroup(group(false))) as Record<string, unknown>;
    const bad = [
      'not json',
      '[]',
      JSON.stringify({ ...wire, v: 2 }),
      JSON.stringify({ ...wire, g: 5 }),
      JSON.stringify({ ...wire, m: 'x' }),
      JSON.stringify({ ...wire, n: -1 }),
      JSON.stringify({ ...wire, ac: [''] }),
      JSON.stringify({ ...wire, ao: 1.5 }),
      JSON.stringify({ ...wire, u: undefined }),
      JSON.stringify({ ...wire, m: [['SHORT', 1]] }),
      JSON.stringify({ ...wire, m: [[(wire.m as unknown[][])[0]![0], '']] }),
      JSON.stringify({ ...wire, m: [{ v: 1 }] }),
      JSON.stringify({ ...wire, m: [] }),
      JSON.stringify({ ...wire, n: 3 }),
      JSON.stringify({ ...wire, mz: 'x' }),
      JSON.stringify({ ...wire, mz: [['SHORT', 1]] }),
      JSON.stringify({ ...wire, mz: [[(wire.m as unknown[][])[0]![0]]] }),
    ];
    for (const payload of bad) {
      assert.throws(
        () => serializer.decodeGroup(payload, { key: 'agg:7', id: 'g1' }),
        (err: unknown) => err instanceof SerializationError && err.message.includes('agg:7'),
        payload,
      );
    }
  });
});

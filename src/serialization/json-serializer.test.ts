import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Activity } from '../activity/activity.js';
import { groupIdOf } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import { type GroupRecord, mergeIntoGroup } from '../aggregation/group.js';
import { SerializationError, StreamFrameworkError, ValidationError } from '../errors.js';
import { BASE_TIME_MS, hasCode, makeActivity } from '../testing/fixtures.js';
import { JSON_FORMAT_VERSION, jsonSerializer } from './json-serializer.js';

const serializer = jsonSerializer();

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

describe('jsonSerializer: activities', () => {
  it('round-trips activities with and without target, foreignId, extra and to', () => {
    const variants: Activity[] = [
      makeActivity(),
      makeActivity({ target: 7 }),
      makeActivity({ actor: 'user:1', object: 'pin:9', target: 'board:{3}' }),
      makeActivity({ foreignId: 'pin:42' }),
      makeActivity({ extra: tricky }),
      makeActivity({ to: ['notification:1', 'feed:a:b'] }),
      makeActivity({ verb: 'love', target: 0, foreignId: 'f;,', extra: { k: 'v' }, to: ['n:2'] }),
      makeActivity({ time: 0 }),
    ];
    for (const a of variants) assertSameActivity(roundTrip(a), a);
  });

  it('keeps integer and string ids apart', () => {
    const a = roundTrip(makeActivity({ actor: 1, object: '1', target: 2 }));
    assert.equal(a.actor, 1);
    assert.equal(a.object, '1');
    assert.equal(a.target, 2);
  });

  it('decodes to a frozen activity with a Date time', () => {
    const a = roundTrip(makeActivity({ to: ['feed:1'] }));
    assert.ok(Object.isFrozen(a));
    assert.ok(Object.isFrozen(a.to));
    assert.ok(a.time instanceof Date);
    assert.equal(a.time.getTime(), BASE_TIME_MS);
  });

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
    const small = jsonSerializer({ maxActivityLength: 200 });
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
      () => jsonSerializer().encodeActivity(makeActivity({ extra: { t: 'y'.repeat(70_000) } })),
      hasCode('LIMIT_EXCEEDED'),
    );
  });

  it('rejects a bad maxActivityLength with INVALID_OPTION', () => {
    for (const maxActivityLength of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => jsonSerializer({ maxActivityLength }), hasCode('INVALID_OPTION'));
    }
  });
});

describe('jsonSerializer: corrupted payloads', () => {
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
  for (const [what, payload] of corrupted) {
    it(`${what} → SerializationError naming the key and id`, () => {
      assert.throws(
        () => serializer.decodeActivity(payload, context),
        (err: unknown) =>
          err instanceof SerializationError &&
          err instanceof StreamFrameworkError &&
          err.code === 'SERIALIZATION' &&
          err.message.includes('feed:normal:42') &&
          err.message.includes('0lvnrm2o0kxtauvj') &&
          err.details.key === 'feed:normal:42' &&
          err.details.id === '0lvnrm2o0kxtauvj',
      );
    });
  }

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

describe('jsonSerializer: groups', () => {
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

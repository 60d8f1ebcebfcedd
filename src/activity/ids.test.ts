import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '../errors.js';
import { hasCode } from '../testing/fixtures.js';
import {
  ACTIVITY_ID_LENGTH,
  activityId,
  assertActivityId,
  assertId,
  describe as describeValue,
  groupIdOf,
  isActivityId,
  LEGACY_ACTIVITY_ID_LENGTH,
  MAX_ID_LENGTH,
  MAX_TIME_MS,
  minActivityIdAt,
  show,
  timeOfActivityId,
  timeOfCheckedActivityId,
} from './ids.js';

const time = fc.integer({ min: 0, max: MAX_TIME_MS });
const identity = fc.string({ unit: 'binary', maxLength: 40 });

describe('describe and show (error messages)', () => {
  it('never throw, whatever the value', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const values: unknown[] = [
      10n,
      Symbol('s'),
      circular,
      { constructor: { name: Symbol('x') } },
      { constructor: null },
      Object.create(null),
      {
        get constructor() {
          throw new Error('getter');
        },
      },
      () => 1,
      'x'.repeat(100),
    ];
    for (const value of values) {
      assert.equal(typeof describeValue(value), 'string');
      assert.equal(typeof show(value), 'string');
    }
    assert.equal(show('abc'), '"abc"');
    assert.equal(show('x'.repeat(100)), `"${'x'.repeat(40)}…"`);
    assert.equal(show(1.5), '1.5');
    assert.equal(show(undefined), 'undefined');
    assert.equal(show(10n), 'bigint 10');
    assert.equal(show({ a: 1 }), 'an object');
    assert.equal(show(new Map()), 'an instance of Map');
  });
});

describe('activityId', () => {
  it('is 9 base-36 characters of time and 11 base-62 of digest at every time', () => {
    assert.equal(ACTIVITY_ID_LENGTH, 20);
    for (const t of [0, 1, 1_714_564_800_000, MAX_TIME_MS]) {
      const id = activityId(t, 'x');
      assert.match(id, /^[0-9a-z]{9}[0-9A-Za-z]{11}$/);
      assert.ok(isActivityId(id));
    }
    fc.assert(
      fc.property(time, identity, (t, s) => activityId(t, s).length === ACTIVITY_ID_LENGTH),
    );
  });

  it('the legacy format (version 0.1) is 16 lowercase base-36 characters, unchanged', () => {
    assert.equal(LEGACY_ACTIVITY_ID_LENGTH, 16);
    // Ids written by version 0.1 (before the longer digest), kept as they were.
    assert.equal(activityId(1_714_564_800_000, 'x', 'legacy'), '0lvnrm2o01k9il9m');
    fc.assert(
      fc.property(time, identity, (t, s) => {
        const id = activityId(t, s, 'legacy');
        return (
          /^[0-9a-z]{16}$/.test(id) &&
          isActivityId(id) &&
          id.slice(0, 9) === activityId(t, s).slice(0, 9)
        );
      }),
    );
  });

  it('distinct activities of one millisecond that collided in the legacy format get distinct ids', () => {
    // Found among 152,847 foreignIds of one ms: the 36-bit legacy digest gave them one id, so
    // the second import silently replaced the first.
    const a = 'f\u0000import-60751';
    const b = 'f\u0000import-152846';
    const t = 1_714_564_800_000;
    assert.equal(activityId(t, a, 'legacy'), activityId(t, b, 'legacy'));
    assert.notEqual(activityId(t, a), activityId(t, b));
  });

  it('lexicographic order is time order, whatever the identities and formats', () => {
    const format = fc.constantFrom<'current' | 'legacy'>('current', 'legacy');
    fc.assert(
      fc.property(time, time, identity, identity, format, format, (t1, t2, a, b, f1, f2) => {
        fc.pre(t1 !== t2);
        return t1 < t2 === activityId(t1, a, f1) < activityId(t2, b, f2);
      }),
    );
    assert.ok(activityId(9, 'z') < activityId(10, 'a'));
    assert.ok(activityId(35, 'z') < activityId(36, 'a'));
  });

  it('encodes the time, which timeOfActivityId reads back (both formats)', () => {
    fc.assert(fc.property(time, identity, (t, s) => timeOfActivityId(activityId(t, s)) === t));
    fc.assert(
      fc.property(time, identity, (t, s) => timeOfActivityId(activityId(t, s, 'legacy')) === t),
    );
  });

  it('timeOfActivityId of any other string is what parseInt of its first 9 characters gives', () => {
    const parsed = (s: string): number => Number.parseInt(s.slice(0, 9), 36);
    for (const s of [
      '',
      'z',
      '0lvnrm2o',
      '0lvnrm2o0',
      '0LVNRM2O0kx',
      'a-b',
      '0lvn rm2o0',
      '{}',
      '9'.repeat(20),
    ])
      assert.ok(Object.is(timeOfActivityId(s), parsed(s)), s);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => Object.is(timeOfActivityId(s), parsed(s))),
    );
  });

  it('timeOfCheckedActivityId: the time of an activity id, -1 for whatever isActivityId refuses', () => {
    const expected = (s: unknown): number => (isActivityId(s) ? timeOfActivityId(s) : -1);
    fc.assert(
      fc.property(time, identity, (t, s) => {
        const ids = [activityId(t, s), activityId(t, s, 'legacy')];
        return ids.every((id) => timeOfCheckedActivityId(id) === t);
      }),
    );
    // One character changed anywhere in a valid id, to anything (unicode, case, punctuation).
    fc.assert(
      fc.property(
        time,
        identity,
        fc.boolean(),
        fc.nat({ max: 19 }),
        fc.string({ unit: 'binary', minLength: 0, maxLength: 2 }),
        (t, s, legacy, at, put) => {
          const id = activityId(t, s, legacy ? 'legacy' : 'current');
          const changed = id.slice(0, at) + put + id.slice(at + 1);
          return timeOfCheckedActivityId(changed) === expected(changed);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 22 }), (s) => timeOfCheckedActivityId(s) === expected(s)),
    );
    for (const v of [
      undefined,
      null,
      42,
      {},
      ['0lvnrm2o0kxtauvj'],
      'z'.repeat(20),
      'Z'.repeat(20),
    ]) {
      assert.equal(timeOfCheckedActivityId(v), expected(v), String(v));
    }
    assert.equal(timeOfCheckedActivityId(`${'z'.repeat(9)}${'Z'.repeat(11)}`), 36 ** 9 - 1);
    assert.equal(
      timeOfCheckedActivityId(`${'z'.repeat(9)}${'Z'.repeat(7)}`),
      -1,
      'legacy: lowercase',
    );
  });

  it('is deterministic and depends on the identity', () => {
    assert.equal(activityId(1000, 'same'), activityId(1000, 'same'));
    assert.notEqual(activityId(1000, 'a'), activityId(1000, 'b'));
    const ids = new Set(Array.from({ length: 2000 }, (_, i) => activityId(5000, `identity-${i}`)));
    assert.equal(ids.size, 2000);
  });

  it('the maximum time is in the year 5188', () => {
    assert.equal(MAX_TIME_MS, 36 ** 9 - 1);
    assert.equal(new Date(MAX_TIME_MS).getUTCFullYear(), 5188);
    assert.equal(activityId(MAX_TIME_MS, 'x').slice(0, 9), 'zzzzzzzzz');
  });
});

describe('minActivityIdAt', () => {
  it('is the smallest id at a time: above every earlier id, at most every id at that time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_TIME_MS }), identity, identity, (t, a, b) => {
        const min = minActivityIdAt(t);
        return (
          isActivityId(min) &&
          activityId(t - 1, a) < min &&
          activityId(t - 1, a, 'legacy') < min &&
          min <= activityId(t, b) &&
          min <= activityId(t, b, 'legacy')
        );
      }),
    );
    assert.equal(minActivityIdAt(0), '0'.repeat(16));
    assert.equal(timeOfActivityId(minActivityIdAt(123_456)), 123_456);
  });
});

describe('groupIdOf', () => {
  it('is 16 hex characters, stable, and differs between group keys', () => {
    const id = groupIdOf('add|2024-05-01');
    assert.match(id, /^[0-9a-f]{16}$/);
    assert.equal(groupIdOf('add|2024-05-01'), id);
    assert.notEqual(groupIdOf('add|2024-05-02'), id);
  });
});

describe('isActivityId and assertActivityId', () => {
  it('accept the current (20) and legacy (16) formats, nothing else', () => {
    const good = activityId(1, 'x');
    const legacy = activityId(1, 'x', 'legacy');
    assert.equal(assertActivityId(good), good);
    assert.equal(assertActivityId(legacy), legacy);
    assert.equal(assertActivityId('000000001zzzzzzz'), '000000001zzzzzzz');
    const bad: unknown[] = [
      legacy.toUpperCase(),
      legacy.slice(1),
      `${legacy}0`,
      `${legacy.slice(1)}-`,
      `${legacy.slice(0, 15)}Z`, // a legacy id is lowercase
      `A${good.slice(1)}`, // the time part is lowercase base 36
      good.slice(1),
      `${good}0`,
      `${good.slice(0, 19)}-`,
      `${good.slice(0, 19)}\u00e9`,
      good.slice(0, 17),
      '',
      1234567890123456,
      null,
      undefined,
      { id: good },
    ];
    for (const value of bad) {
      assert.equal(isActivityId(value), false, String(value));
      assert.throws(
        () => assertActivityId(value, 'before'),
        hasCode('INVALID_ID', ValidationError),
      );
    }
  });

  it('names the field in the error', () => {
    assert.throws(
      () => assertActivityId('nope', 'filter.gt'),
      (err: ValidationError) => err.details.field === 'filter.gt' && /filter\.gt/.test(err.message),
    );
  });
});

describe('assertId', () => {
  it('accepts non-negative safe integers and non-empty strings up to 512 characters', () => {
    for (const id of [
      0,
      1,
      42,
      Number.MAX_SAFE_INTEGER,
      'a',
      '1',
      ' ',
      'x'.repeat(MAX_ID_LENGTH),
    ]) {
      assert.equal(assertId(id, 'actor'), id);
    }
    assert.equal(MAX_ID_LENGTH, 512);
  });

  it('rejects everything else with INVALID_ID naming the field', () => {
    const bad: unknown[] = [
      '',
      'x'.repeat(513),
      1.5,
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.MAX_SAFE_INTEGER + 1,
      {},
      [],
      [1],
      true,
      false,
      null,
      undefined,
      1n,
      Symbol('id'),
      () => 1,
      new Date(0),
    ];
    for (const value of bad) {
      assert.throws(
        () => assertId(value, 'object'),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.code === 'INVALID_ID' &&
          err.details.field === 'object',
        String(typeof value === 'symbol' ? 'symbol' : value),
      );
    }
  });
});

describe('describe (for error messages)', () => {
  it('names the kind of value', () => {
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue([1]), 'an array');
    assert.equal(describeValue({}), 'an object');
    assert.equal(describeValue(Object.create(null)), 'an object');
    assert.equal(describeValue(new Date(0)), 'an instance of Date');
    assert.equal(describeValue(new Map()), 'an instance of Map');
    assert.equal(describeValue('ab'), 'the string "ab"');
    assert.equal(describeValue(3), 'number 3');
    assert.equal(describeValue(undefined), 'undefined');
  });

  it('truncates long strings', () => {
    const text = describeValue('y'.repeat(100));
    assert.ok(text.length < 60);
    assert.ok(text.includes('…'));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ValidationError } from '../errors.js';
import { BASE_TIME_MS, hasCode, makeActivity } from '../testing/fixtures.js';
import { parseFeedRef } from '../validation/names.js';
import {
  type ActivityInput,
  assertActivity,
  type CreateActivityOptions,
  createActivity,
  MAX_TO_LIMIT,
  toTimeMs,
} from './activity.js';
import { isActivityId, MAX_TIME_MS, timeOfActivityId } from './ids.js';
import { createVerbRegistry } from './verbs.js';

const base: ActivityInput = { actor: 1, verb: 'add', object: 2, time: BASE_TIME_MS };

describe('createActivity: fields', () => {
  it('builds an activity with every field', () => {
    const a = createActivity({
      actor: 'user:1',
      verb: 'pin',
      object: 42,
      target: 7,
      time: BASE_TIME_MS,
      foreignId: 'pin:42',
      extra: { itemId: 9, tags: ['a', 'b'] },
      to: ['notification:2'],
    });
    assert.equal(a.actor, 'user:1');
    assert.equal(a.verb, 'pin');
    assert.equal(a.object, 42);
    assert.equal(a.target, 7);
    assert.equal(a.time.getTime(), BASE_TIME_MS);
    assert.equal(a.foreignId, 'pin:42');
    assert.deepEqual(a.extra, { itemId: 9, tags: ['a', 'b'] });
    assert.deepEqual(a.to, ['notification:2']);
    assert.ok(isActivityId(a.id));
    assert.equal(timeOfActivityId(a.id), BASE_TIME_MS);
  });

  it('defaults: no target, no foreignId, empty extra and to', () => {
    const a = createActivity(base);
    assert.equal(a.target, undefined);
    assert.equal(a.foreignId, undefined);
    assert.deepEqual(a.extra, {});
    assert.deepEqual(a.to, []);
  });

  it('null target and foreignId mean none', () => {
    const a = createActivity({ ...base, target: null, foreignId: null });
    assert.equal(a.target, undefined);
    assert.equal(a.foreignId, undefined);
    assert.equal(a.id, createActivity(base).id);
  });

  it('accepts a Verb object for the verb', () => {
    const verbs = createVerbRegistry([{ id: 5, name: 'pin', pastTense: 'pinned' }]);
    const a = createActivity({ ...base, verb: verbs.require('pin') }, { verbs });
    assert.equal(a.verb, 'pin');
  });

  it('the activity, its to list and its extra data are frozen', () => {
    const a = createActivity({ ...base, to: ['feed:1'], extra: { deep: { list: [1] } } });
    assert.ok(Object.isFrozen(a));
    assert.ok(Object.isFrozen(a.to));
    assert.ok(Object.isFrozen(a.extra));
    assert.ok(Object.isFrozen((a.extra.deep as { list: number[] }).list));
    assert.throws(() => {
      (a as { verb: string }).verb = 'x';
    }, TypeError);
  });

  it('does not alias its input: mutating the input afterwards changes nothing', () => {
    const extra = { nested: { n: 1 }, list: [1, 2] };
    const to = ['feed:1'];
    const input = { ...base, extra, to };
    const a = createActivity(input);
    extra.nested.n = 2;
    extra.list.push(3);
    (extra as Record<string, unknown>).added = true;
    to.push('feed:2');
    assert.deepEqual(a.extra, { nested: { n: 1 }, list: [1, 2] });
    assert.deepEqual(a.to, ['feed:1']);
  });

  it('deduplicates to refs and validates them', () => {
    const a = createActivity({ ...base, to: ['feed:1', 'feed:1', 'other_feed-2:x:y'] });
    assert.deepEqual(a.to, ['feed:1', 'other_feed-2:x:y']);
    for (const to of [['feed'], ['feed:'], [':1'], ['1feed:1'], [5], ['f:'.padEnd(601, 'x')]]) {
      assert.throws(
        () => createActivity({ ...base, to: to as string[] }),
        hasCode('INVALID_ACTIVITY', ValidationError),
        JSON.stringify(to),
      );
    }
    assert.throws(
      () => createActivity({ ...base, to: 'feed:1' as unknown as string[] }),
      hasCode('INVALID_ACTIVITY'),
    );
  });

  it('limits to to 100 entries by default (LIMIT_EXCEEDED), configurable with maxTo', () => {
    const refs = (n: number) => Array.from({ length: n }, (_, i) => `notification:${i}`);
    assert.equal(createActivity({ ...base, to: refs(100) }).to.length, 100);
    for (const to of [refs(101), refs(30_000), Array(30_000).fill('notification:1')]) {
      assert.throws(
        () => createActivity({ ...base, to }),
        (err: ValidationError) =>
          err.code === 'LIMIT_EXCEEDED' && err.details.field === 'to' && err.details.limit === 100,
      );
    }
    assert.equal(createActivity({ ...base, to: refs(3) }, { maxTo: 3 }).to.length, 3);
    assert.throws(
      () => createActivity({ ...base, to: refs(3) }, { maxTo: 2 }),
      hasCode('LIMIT_EXCEEDED'),
    );
    // A large limit: the duplicate check is linear (a Set), 30,000 entries are checked at once.
    assert.equal(
      createActivity({ ...base, to: refs(30_000) }, { maxTo: 30_000 }).to.length,
      30_000,
    );
    assert.equal(createActivity({ ...base }, { maxTo: 0 }).to.length, 0);
    for (const maxTo of [-1, 1.5, '10', MAX_TO_LIMIT + 1]) {
      assert.throws(
        () => createActivity(base, { maxTo: maxTo as number }),
        (err: ValidationError) => err.code === 'INVALID_OPTION' || err.code === 'LIMIT_EXCEEDED',
      );
    }
  });

  it('rejects unknown options and a bad idFormat with INVALID_OPTION', () => {
    for (const options of [{ maxto: 5 }, { idFormat: 'v1' }, 'x', null]) {
      assert.throws(
        () => createActivity(base, options as CreateActivityOptions),
        hasCode('INVALID_OPTION'),
        JSON.stringify(options),
      );
    }
  });

  it("idFormat 'legacy' gives back the 16-character id of version 0.1, same time and identity", () => {
    const current = createActivity({ ...base, foreignId: 'pin:42' });
    const legacy = createActivity({ ...base, foreignId: 'pin:42' }, { idFormat: 'legacy' });
    assert.equal(current.id.length, 20);
    assert.equal(legacy.id, '0lvnrm2o0o2lalvt'); // what version 0.1 gave this activity
    assert.equal(current.id.slice(0, 9), legacy.id.slice(0, 9));
    assert.equal(assertActivity({ ...legacy }).id, legacy.id);
  });

  it('parseFeedRef splits at the first colon', () => {
    assert.deepEqual(parseFeedRef('notification:42'), { feed: 'notification', userId: '42' });
    assert.deepEqual(parseFeedRef('feed:a:b'), { feed: 'feed', userId: 'a:b' });
  });
});

describe('createActivity: validation', () => {
  it('missing actor, verb or object → INVALID_ACTIVITY', () => {
    for (const field of ['actor', 'verb', 'object'] as const) {
      for (const value of [undefined, null]) {
        assert.throws(
          () => createActivity({ ...base, [field]: value } as unknown as ActivityInput),
          (err: ValidationError) => err.code === 'INVALID_ACTIVITY' && err.details.field === field,
        );
      }
    }
    for (const input of [null, undefined, 'activity', 5]) {
      assert.throws(
        () => createActivity(input as unknown as ActivityInput),
        hasCode('INVALID_ACTIVITY'),
      );
    }
  });

  it('bad actor, object or target ids → INVALID_ID', () => {
    const bad: unknown[] = ['', 'x'.repeat(513), 1.5, -1, Number.NaN, {}, true, [1]];
    for (const field of ['actor', 'object', 'target'] as const) {
      for (const value of bad) {
        assert.throws(
          () => createActivity({ ...base, [field]: value } as unknown as ActivityInput),
          (err: ValidationError) => err.code === 'INVALID_ID' && err.details.field === field,
          `${field} ${String(value)}`,
        );
      }
    }
  });

  it('an empty or non-string verb → INVALID_ACTIVITY', () => {
    for (const verb of ['', 5, {}, { name: '' }]) {
      assert.throws(
        () => createActivity({ ...base, verb } as unknown as ActivityInput),
        hasCode('INVALID_ACTIVITY'),
      );
    }
  });

  it('an unknown verb with a registry → UNKNOWN_VERB; without one any name is fine', () => {
    const verbs = createVerbRegistry();
    assert.throws(
      () => createActivity({ ...base, verb: 'pin' }, { verbs }),
      hasCode('UNKNOWN_VERB', ValidationError),
    );
    assert.equal(createActivity({ ...base, verb: 'love' }, { verbs }).verb, 'love');
    assert.equal(createActivity({ ...base, verb: 'pin' }).verb, 'pin');
  });

  it('a bad foreignId → INVALID_ACTIVITY', () => {
    for (const foreignId of ['', 'x'.repeat(513), 5, {}]) {
      assert.throws(
        () => createActivity({ ...base, foreignId } as unknown as ActivityInput),
        hasCode('INVALID_ACTIVITY'),
      );
    }
    assert.equal(createActivity({ ...base, foreignId: 'x'.repeat(512) }).foreignId?.length, 512);
  });

  it('bad extra → INVALID_EXTRA', () => {
    for (const extra of [[], 'x', new Date(), { f: () => 1 }]) {
      assert.throws(
        () => createActivity({ ...base, extra } as unknown as ActivityInput),
        hasCode('INVALID_EXTRA'),
      );
    }
  });
});

describe('createActivity: time', () => {
  it('accepts a Date, ms and an ISO string, floored to the ms', () => {
    const iso = '2024-05-01T12:00:00.000Z';
    for (const time of [new Date(iso), BASE_TIME_MS, iso, BASE_TIME_MS + 0.9]) {
      assert.equal(createActivity({ ...base, time }).time.getTime(), BASE_TIME_MS);
    }
    assert.equal(toTimeMs('2024-05-01T14:00:00+02:00'), BASE_TIME_MS);
  });

  it('defaults to the injected clock', () => {
    const { time, ...noTime } = base;
    assert.ok(time !== undefined);
    const a = createActivity(noTime, { now: () => 1234 });
    assert.equal(a.time.getTime(), 1234);
    const before = Date.now();
    const b = createActivity(noTime);
    assert.ok(b.time.getTime() >= before && b.time.getTime() <= Date.now());
  });

  it('the bounds: 0 and the year 5188 are valid, outside them INVALID_TIME', () => {
    assert.equal(createActivity({ ...base, time: 0 }).time.getTime(), 0);
    assert.equal(createActivity({ ...base, time: MAX_TIME_MS }).time.getTime(), MAX_TIME_MS);
    const bad: unknown[] = [
      -1,
      MAX_TIME_MS + 1,
      new Date(MAX_TIME_MS + 1),
      '5189-01-01T00:00:00Z',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      new Date('not a date'),
      'not a date',
      '',
      'x'.repeat(64),
      null,
      {},
      true,
    ];
    for (const time of bad) {
      assert.throws(
        () => createActivity({ ...base, time } as unknown as ActivityInput),
        hasCode('INVALID_TIME', ValidationError),
        String(time),
      );
    }
  });
});

describe('createActivity: deterministic ids', () => {
  it('the same fields give the same id; extra and to do not matter', () => {
    const a = createActivity({ ...base, target: 3 });
    const b = createActivity({ ...base, target: 3, extra: { x: 1 }, to: ['feed:1'] });
    assert.equal(a.id, b.id);
  });

  it('foreignId + time define the id, whatever the other fields', () => {
    const a = createActivity({ ...base, foreignId: 'pin:1' });
    const b = createActivity({
      actor: 9,
      verb: 'love',
      object: 'other',
      target: 5,
      time: BASE_TIME_MS,
      foreignId: 'pin:1',
    });
    assert.equal(a.id, b.id);
    assert.notEqual(createActivity({ ...base, foreignId: 'pin:2' }).id, a.id);
    assert.notEqual(
      createActivity({ ...base, foreignId: 'pin:1', time: BASE_TIME_MS + 1 }).id,
      a.id,
    );
    assert.notEqual(createActivity(base).id, a.id);
  });

  it('a different actor, verb, object, target or time gives a different id', () => {
    const ids = new Set([
      createActivity(base).id,
      createActivity({ ...base, actor: 2 }).id,
      createActivity({ ...base, verb: 'love' }).id,
      createActivity({ ...base, object: 3 }).id,
      createActivity({ ...base, target: 1 }).id,
      createActivity({ ...base, target: 2 }).id,
      createActivity({ ...base, time: BASE_TIME_MS + 1 }).id,
    ]);
    assert.equal(ids.size, 7);
  });

  it('integer and string ids are different ids', () => {
    assert.notEqual(createActivity(base).id, createActivity({ ...base, actor: '1' }).id);
    assert.notEqual(createActivity(base).id, createActivity({ ...base, object: '2' }).id);
    assert.notEqual(
      createActivity({ ...base, target: 3 }).id,
      createActivity({ ...base, target: '3' }).id,
    );
  });

  it('ids, verbs and foreignIds with a lone surrogate are refused (UTF-8 would merge them)', () => {
    for (const bad of ['\uD800', 'alice\uDBFF', 'x\uDC00y']) {
      assert.throws(() => makeActivity({ actor: bad }), hasCode('INVALID_ID'));
      assert.throws(() => makeActivity({ object: bad }), hasCode('INVALID_ID'));
      assert.throws(() => makeActivity({ target: bad }), hasCode('INVALID_ID'));
      assert.throws(() => makeActivity({ verb: bad }), hasCode('INVALID_ACTIVITY'));
      assert.throws(() => makeActivity({ foreignId: bad }), hasCode('INVALID_ACTIVITY'));
    }
    assert.equal(
      makeActivity({ actor: '\u{1f600}' }).actor,
      '\u{1f600}',
      'a surrogate pair is fine',
    );
  });

  it('fields cannot bleed into each other, even with NUL', () => {
    const pairs: [Partial<ActivityInput>, Partial<ActivityInput>][] = [
      [{ actor: 'x\u0000add' }, { actor: 'x', verb: 'add\u0000add' }],
      [
        { actor: 'a', object: 'b\u0000string:c' },
        { actor: 'a', object: 'b', target: 'c' },
      ],
      [{ actor: 'string:1' }, { actor: 1 }],
    ];
    for (const [x, y] of pairs) {
      assert.notEqual(makeActivity(x).id, makeActivity(y).id, JSON.stringify([x, y]));
    }
  });

  it('property: distinct (actor, verb, object, target) at one time give distinct ids', () => {
    const id = fc.oneof(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }));
    const fields = fc.record({
      actor: id,
      verb: fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
      object: id,
      target: fc.option(id, { nil: undefined }),
    });
    fc.assert(
      fc.property(fields, fields, (x, y) => {
        const same =
          x.actor === y.actor &&
          x.verb === y.verb &&
          x.object === y.object &&
          x.target === y.target;
        return (makeActivity(x).id === makeActivity(y).id) === same;
      }),
      { numRuns: 500 },
    );
  });

  it('ids sort like times', () => {
    fc.assert(
      fc.property(fc.nat({ max: MAX_TIME_MS }), fc.nat({ max: MAX_TIME_MS }), (t1, t2) => {
        fc.pre(t1 !== t2);
        const a = createActivity({ ...base, time: t1 });
        const b = createActivity({ ...base, actor: 2, time: t2 });
        return t1 < t2 === a.id < b.id;
      }),
    );
  });
});

describe('assertActivity', () => {
  it('accepts activities and activity-shaped objects', () => {
    const a = makeActivity();
    assert.equal(assertActivity(a), a);
    const plain = { ...a, to: [...a.to] };
    assert.deepEqual(assertActivity(plain), a);
  });

  it("returns a frozen validated copy of a hand-built activity, not the caller's object", () => {
    const extra: Record<string, unknown> = { n: 1, list: [1], deep: { k: 'v' } };
    const to = ['notification:2'];
    const time = new Date(BASE_TIME_MS);
    const input = { ...makeActivity(), extra, to, time };
    const checked = assertActivity(input);
    assert.notEqual(checked, input);
    assert.ok(
      Object.isFrozen(checked) && Object.isFrozen(checked.extra) && Object.isFrozen(checked.to),
    );
    assert.ok(Object.isFrozen((checked.extra as { deep: object }).deep));
    // Mutating the input afterwards (even with a key that validation refuses) changes nothing.
    extra.n = 'x'.repeat(1_000_000);
    (extra.list as unknown[]).push(2);
    Object.defineProperty(extra, '__proto__', { value: { polluted: true }, enumerable: true });
    to.push('notification:3');
    time.setTime(0);
    (input as { verb: string }).verb = '';
    assert.deepEqual(checked.extra, { n: 1, list: [1], deep: { k: 'v' } });
    assert.equal(Object.keys(checked.extra).includes('__proto__'), false);
    assert.deepEqual(checked.to, ['notification:2']);
    assert.equal(checked.time.getTime(), BASE_TIME_MS);
    assert.equal(checked.verb, 'add');
    // The copy is trusted: checking it again returns it as is.
    assert.equal(assertActivity(checked), checked);
  });

  it('reads each field once: a getter cannot pass the checks with one value and store another', () => {
    let reads = 0;
    const a = makeActivity();
    const sneaky = {
      ...a,
      get extra() {
        reads++;
        return reads === 1 ? { ok: true } : JSON.parse('{"__proto__":{"polluted":true}}');
      },
    };
    const checked = assertActivity(sneaky);
    assert.equal(reads, 1);
    assert.deepEqual(checked.extra, { ok: true });
  });

  it('rejects malformed ones with the right code', () => {
    const a = makeActivity();
    const cases: [unknown, string][] = [
      [null, 'INVALID_ACTIVITY'],
      [{ ...a, id: 'short' }, 'INVALID_ACTIVITY'],
      [{ ...a, actor: '' }, 'INVALID_ID'],
      [{ ...a, object: -1 }, 'INVALID_ID'],
      [{ ...a, verb: '' }, 'INVALID_ACTIVITY'],
      [{ ...a, time: new Date(Number.NaN) }, 'INVALID_TIME'],
      [{ ...a, time: BASE_TIME_MS }, 'INVALID_TIME'],
      [{ ...a, extra: [] }, 'INVALID_EXTRA'],
      [{ ...a, to: 'x' }, 'INVALID_ACTIVITY'],
    ];
    for (const [value, code] of cases) {
      assert.throws(
        () => assertActivity(value),
        (err: ValidationError) => err.code === code,
      );
    }
    assert.throws(
      () => assertActivity({ ...a, verb: 'pin' }, createVerbRegistry()),
      hasCode('UNKNOWN_VERB'),
    );
  });

  it('limits the to of hand-built activities with maxTo (default 100)', () => {
    const to = Array.from({ length: 101 }, (_, i) => `notification:${i}`);
    const built = { ...makeActivity(), to };
    assert.throws(() => assertActivity(built), hasCode('LIMIT_EXCEEDED'));
    assert.equal(assertActivity(built, undefined, { maxTo: 101 }).to.length, 101);
    const created = createActivity({ ...base, to }, { maxTo: 200 });
    assert.equal(assertActivity(created), created, "checked with its creator's maxTo");
    assert.throws(() => assertActivity(built, undefined, { maxTo: -1 }), hasCode('INVALID_OPTION'));
  });

  it('rejects extra with holes; normalises -0, so the copy equals what storage reads back', () => {
    const list = [1, 2];
    delete list[0];
    assert.throws(
      () => assertActivity({ ...makeActivity(), extra: { list } }),
      hasCode('INVALID_EXTRA'),
    );
    assert.throws(() => createActivity({ ...base, extra: { list } }), hasCode('INVALID_EXTRA'));
    const checked = assertActivity({ ...makeActivity(), extra: { z: -0 } });
    assert.ok(Object.is(checked.extra.z, 0));
    assert.ok(Object.is(createActivity({ ...base, extra: { z: -0 } }).extra.z, 0));
  });
});

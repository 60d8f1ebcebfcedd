import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../errors.js';
import { hasCode } from '../testing/fixtures.js';
import { copyJsonObject, isPlainObject, MAX_JSON_DEPTH } from './json.js';

/** `levels` nested objects: `{ a: { a: ... {} } }`. */
function nest(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

const invalid = hasCode('INVALID_EXTRA', ValidationError);

describe('copyJsonObject', () => {
  it('returns an equal deep copy that shares nothing with the input', () => {
    const input = {
      s: 'text; with, separators;; "quotes" \n ünï 😀',
      n: 1.5,
      z: 0,
      neg: -3,
      t: true,
      f: false,
      nil: null,
      list: [1, 'two', [3], { four: 4 }],
      nested: { deep: { deeper: ['x'] } },
    };
    const copy = copyJsonObject(input);
    assert.deepEqual(copy, input);
    assert.notEqual(copy, input);
    assert.notEqual(copy.list, input.list);
    assert.notEqual(copy.nested, input.nested);
    input.nested.deep.deeper.push('y');
    input.list.pop();
    assert.deepEqual(copy.nested, { deep: { deeper: ['x'] } });
    assert.equal((copy.list as unknown[]).length, 4);
  });

  it('accepts null-prototype objects and shared (non-cyclic) references', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 1;
    assert.deepEqual({ ...copyJsonObject(bare) }, { k: 1 });
    const shared = { v: 1 };
    assert.deepEqual(copyJsonObject({ a: shared, b: [shared, shared] }), {
      a: { v: 1 },
      b: [{ v: 1 }, { v: 1 }],
    });
  });

  it('drops properties whose value is undefined, as JSON.stringify does', () => {
    const copy = copyJsonObject({ a: 1, b: undefined, c: { d: undefined } });
    assert.deepEqual(copy, { a: 1, c: {} });
    assert.equal(Object.hasOwn(copy, 'b'), false);
  });

  it('round-trips through JSON exactly', () => {
    const input = { a: [1, { b: 'c;;d' }], e: { f: null }, g: '\u2028' };
    assert.deepEqual(JSON.parse(JSON.stringify(copyJsonObject(input))), input);
  });

  it('rejects a top level that is not a plain object', () => {
    for (const value of [null, undefined, [], 'x', 1, true, new Date(), new Map(), () => ({})]) {
      assert.throws(() => copyJsonObject(value), invalid, String(value));
    }
  });

  it('rejects functions, symbols, BigInt, NaN and Infinity anywhere', () => {
    const bad: unknown[] = [
      () => 1,
      Symbol('s'),
      1n,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    for (const value of bad) {
      assert.throws(() => copyJsonObject({ v: value }), invalid);
      assert.throws(() => copyJsonObject({ list: [1, value] }), invalid);
      assert.throws(() => copyJsonObject({ deep: { er: { v: value } } }), invalid);
    }
  });

  it('rejects class instances: Date, Map, Set, RegExp, user classes, boxed values', () => {
    class Point {
      x = 1;
    }
    for (const value of [new Date(), new Map(), new Set(), /x/, new Point(), Object('s')]) {
      assert.throws(() => copyJsonObject({ v: value }), invalid);
    }
  });

  it('rejects undefined inside arrays', () => {
    assert.throws(() => copyJsonObject({ list: [1, undefined] }), invalid);
  });

  it('rejects holes (sparse arrays), which JSON would store as null', () => {
    const withHole = (list: unknown[], at: number): unknown[] => {
      delete list[at];
      return list;
    };
    const holes: unknown[] = [withHole([0, 1], 0), withHole([1, 2, 3], 1), new Array(3)];
    holes.push(Object.assign([], { length: 2 }));
    for (const list of holes) {
      assert.throws(() => copyJsonObject({ list }), invalid);
      assert.throws(() => copyJsonObject({ deep: { list: [0, list] } }), invalid);
    }
    assert.throws(
      () => copyJsonObject({ list: withHole([1, 2, 3], 1) }),
      (err: ValidationError) => err.details.field === 'extra.list[1]',
    );
  });

  it('turns -0 into 0 at any depth, as JSON writes it: the copy equals what is read back', () => {
    const input = { z: -0, list: [-0, [-0]], deep: { z: -0 } };
    const copy = copyJsonObject(input);
    assert.ok(Object.is(copy.z, 0));
    assert.deepStrictEqual(copy, { z: 0, list: [0, [0]], deep: { z: 0 } });
    assert.deepStrictEqual(JSON.parse(JSON.stringify(copy)), copy);
  });

  it('copies an array subclass into a plain array', () => {
    class Tagged extends Array<number> {}
    const list = Tagged.from([1, 2]);
    const copy = copyJsonObject({ list });
    assert.equal(Object.getPrototypeOf(copy.list), Array.prototype);
    assert.deepEqual(copy.list, [1, 2]);
  });

  it('rejects cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.throws(() => copyJsonObject(cyclic), invalid);
    const list: unknown[] = [];
    list.push({ list });
    assert.throws(() => copyJsonObject({ list }), invalid);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and rejects more`, () => {
    assert.equal(MAX_JSON_DEPTH, 64);
    assert.doesNotThrow(() => copyJsonObject(nest(MAX_JSON_DEPTH)));
    assert.throws(
      () => copyJsonObject(nest(MAX_JSON_DEPTH + 1)),
      (err: ValidationError) => err.code === 'INVALID_EXTRA' && err.details.limit === 64,
    );
    let arrays: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) arrays = [arrays];
    assert.throws(() => copyJsonObject({ arrays }), invalid);
  });

  it('rejects the keys __proto__, constructor and prototype at any depth', () => {
    const proto = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    assert.ok(Object.hasOwn(proto, '__proto__'));
    assert.throws(() => copyJsonObject(proto), invalid);
    assert.throws(() => copyJsonObject({ nested: proto }), invalid);
    assert.throws(() => copyJsonObject({ constructor: 1 }), invalid);
    assert.throws(() => copyJsonObject({ a: [{ prototype: {} }] }), invalid);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('names the path of the bad value in the error', () => {
    assert.throws(
      () => copyJsonObject({ a: { b: [0, () => 1] } }),
      (err: ValidationError) =>
        err.details.field === 'extra.a.b[1]' && /extra\.a\.b\[1\]/.test(err.message),
    );
    assert.throws(
      () => copyJsonObject({ x: Number.NaN }, 'data'),
      (err: ValidationError) => err.details.field === 'data.x',
    );
  });
});

describe('isPlainObject', () => {
  it('is true only for object literals and null-prototype objects', () => {
    assert.equal(isPlainObject({}), true);
    assert.equal(isPlainObject(Object.create(null)), true);
    for (const value of [null, [], new Date(), 'x', 1, Object.create({})]) {
      assert.equal(isPlainObject(value), false);
    }
  });
});

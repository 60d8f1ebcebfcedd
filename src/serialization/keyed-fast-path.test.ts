import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Activity } from '../activity/activity.js';
import { SerializationError } from '../errors.js';
import { makeActivity } from '../testing/fixtures.js';
import { createJsonSerializer } from './json-serializer.js';
import { readPlainKeyed } from './keyed-fast-path.js';

const serializer = createJsonSerializer();
const id = makeActivity().id;
const context = { key: 'sf:a:{0}', id };

/**
 * What the serializer gives for `payload`: the decoded activity, or the error's class and message.
 * A leading space is valid JSON that the fast path never reads, so `general` is the same payload
 * through JSON.parse and the keyed decoder's checks: the reference the fast path must match.
 */
function outcome(payload: string, general: boolean): Activity | string {
  try {
    return serializer.decodeActivity(general ? ` ${payload}` : payload, context);
  } catch (error) {
    assert.ok(error instanceof SerializationError, `not a SerializationError: ${String(error)}`);
    return error.message;
  }
}

/** The fast path's result for `payload` equals the general path's, activity or error. */
function sameAsGeneral(payload: string): void {
  const fast = outcome(payload, false);
  const general = outcome(payload, true);
  if (typeof general === 'string') {
    assert.equal(typeof fast, 'string', `accepted ${JSON.stringify(payload)}: ${general}`);
    return;
  }
  assert.notEqual(typeof fast, 'string', `refused ${JSON.stringify(payload)}: ${String(fast)}`);
  assert.deepStrictEqual(fast, general, payload);
  assert.ok(Object.isFrozen(fast) && (fast as Activity).time instanceof Date);
}

/** What the encoder writes for activities of every shape the fast path reads, and some it does not. */
const written: string[] = [
  makeActivity(),
  makeActivity({ actor: 'user:7', object: 'post:9', verb: 'pin' }),
  makeActivity({ actor: 0, object: 999_999_999_999_999, target: 0 }),
  makeActivity({ actor: 1_000_000_000_000_000, object: Number.MAX_SAFE_INTEGER }),
  makeActivity({
    target: 'board:1',
    extra: { itemId: 9, name: 'x', ok: true, no: false, n: null },
  }),
  makeActivity({ extra: { 2: 'b', 1: 'a', text: 'quote " and backslash \\ and \n newline' } }),
  makeActivity({ extra: { negative: -1, float: 1.5, big: 1e21, nested: { a: [1, { b: 2 }] } } }),
  makeActivity({ extra: { empty: '', unicode: 'é 漢 😀', sep: '\u2028', del: '\u007f' } }),
  makeActivity({ verb: 'é', actor: '"', object: ']' }),
  makeActivity({ foreignId: 'order:1' }),
  makeActivity({ to: ['timeline:1'] }),
  makeActivity({ target: 3, extra: { k: 1 }, to: ['a:1', 'b:2'], foreignId: 'f' }),
].map((a) => serializer.encodeActivity(a, 'keyed'));

/** Hand-written payloads at the edges of the subset: corrupt, boundary-straddling, or plain. */
const edges: string[] = [
  '[1,1,"add",1]',
  '[1,1,"add",1,null]',
  '[1,1,"add",1,null,null]',
  '[1,1,"add",1,2,{}]',
  '[1,1,"add",1,2,null]',
  '[1,1,"add",1,2,{"a":1,"a":2}]',
  '[1,1,"add",1,2,{"b":1,"a":2,"b":3}]',
  '[1,1,"add",1,2,{"1":1,"0":2}]',
  '[1,1,"add",1,2,{"hasOwnProperty":1,"toString":"x"}]',
  '[1,1,"add",1,2,{"__proto__":1}]',
  '[1,1,"add",1,2,{"constructor":1}]',
  '[1,1,"add",1,2,{"prototype":1}]',
  '[1,1,"add",1,2,{"a":{"__proto__":{"polluted":true}}}]',
  '[1,01,"add",1]',
  '[1,0,"add",00]',
  '[1,1234567890123456,"add",1]',
  '[1,12345678901234567890,"add",1]',
  '[1,-0,"add",1]',
  '[1,1.0,"add",1]',
  '[1,1e3,"add",1]',
  '[1,1E3,"add",1]',
  '[1,"","add",1]',
  '[1,1,"",1]',
  '[1,1,"add",""]',
  '[1,1,"add",1,""]',
  '[1,1,add,1]',
  '[1,1,"add",1,true]',
  '[1,1,"add",1,2,{"a":tru}]',
  '[1,1,"add",1,2,{"a":nul}]',
  '[1,1,"add",1,2,{a:1}]',
  '[1,1,"add",1,2,{"a":1,}]',
  '[1,1,"add",1,2,{"a"1}]',
  '[1,1,"add",1,2,{"a":1]',
  '[1,1,"add",1,2,{"a":1}',
  '[1,1,"add",1,2,{"a":1}}]',
  '[1,1,"a\\"dd",1]',
  '[1,1,"a\\u0041",1]',
  '[1,1,"a\u0001",1]',
  '[1,1,"a\u001f",1]',
  '[1,1,"a\tb",1]',
  '[1,1,"add,1]',
  '[1,1,"add",1',
  '[1,1,"add",1]]',
  '[1,1,"add",1] ',
  ' [1,1,"add",1]',
  '[1,1,"add",1]\n',
  '[1, 1,"add",1]',
  '[1,1,"add",1],[1,2,"add",2]',
  '[1,1,"add",1],',
  '[1,1,"add",1]x',
  '[1,1,"add",1,2,{"a":"],[1,2,\\"add\\",3]"}]',
  '[1,1,"add",1,"],[1,2,"]',
  '[1,1,"add","1,\\"x\\"]"]',
  '[2,1,"add",1]',
  '[10,1,"add",1]',
  '[1.0,1,"add",1]',
  '["1",1,"add",1]',
  '[1,1,"add"]',
  '[1,1]',
  '[1]',
  '[]',
  '[1,1,"add",1,null,null,null,null,null]',
  '[1,1,"add",1,null,null,"fid"]',
  '[1,1,"add",1,null,null,null,["t:1"]]',
  '[1,1,"add",1,null,null,null,null,1700000000000]',
  '[1,1,"add",1,2,{"a":[1]}]',
  '[1,1,"add",1,2,{"a":{}}]',
  '[1,1,"add",1,2,[]]',
  '[1,1,"add",1,2,"x"]',
  '{"v":1}',
  'null',
  '',
];

describe('keyed fast path', () => {
  it('reads what the encoder writes for plain activities, and leaves the rest alone', () => {
    // The first nine activities above: no foreignId, to or time element, flat extra of plain values.
    const plain = written.filter((p) => readPlainKeyed(p) !== undefined);
    assert.ok(plain.length >= 5, `the fast path read only ${plain.length} payloads`);
    for (const p of written.slice(-3)) assert.equal(readPlainKeyed(p), undefined, p);
    // A decode through it is the decode of the general path.
    for (const p of written) sameAsGeneral(p);
  });

  it('gives what the general path gives for every edge case (activity or SerializationError)', () => {
    const read = edges.filter((p) => readPlainKeyed(p) !== undefined);
    // The plain ones are read by the fast path (so it is what this compares with the general path).
    for (const p of ['[1,1,"add",1]', '[1,1,"add",1,2,{"a":1,"a":2}]', '[1,1,"add",1,null,null]'])
      assert.ok(read.includes(p), p);
    for (const p of edges) sameAsGeneral(p);
  });

  it('reads keys again by the place they had in the last object only when the text holds them', () => {
    // Each payload follows one whose extra had other keys at the same places.
    const sequence = [
      '[1,1,"add",1,2,{"itemId":1,"name":"a"}]',
      '[1,1,"add",1,2,{"itemIdX":2,"name":"b"}]',
      '[1,1,"add",1,2,{"item":3,"nam":"c"}]',
      '[1,1,"add",1,2,{"itemId":4,"name\\u0041":"d"}]',
      '[1,1,"add",1,2,{"itemId":5,"name"}]',
      '[1,1,"add",1,2,{"itemId":6,"constructor":7}]',
      '[1,1,"add",1,2,{"name":"e","itemId":8}]',
      '[1,1,"add",1,2,{"itemId":9,"itemId":10}]',
      '[1,1,"add",1,2,{"itemId":11,"name":"f"}]',
    ];
    const expected = [
      { itemId: 1, name: 'a' },
      { itemIdX: 2, name: 'b' },
      { item: 3, nam: 'c' },
      { itemId: 4, nameA: 'd' },
      undefined,
      undefined,
      { name: 'e', itemId: 8 },
      { itemId: 10 },
      { itemId: 11, name: 'f' },
    ];
    sequence.forEach((p, i) => {
      sameAsGeneral(p);
      const a = outcome(p, false);
      if (expected[i] === undefined) assert.equal(typeof a, 'string', p);
      else assert.deepStrictEqual((a as Activity).extra, expected[i], p);
    });
  });

  it('never reads a payload holding more than one value or trailing text', () => {
    const straddling = [
      '[1,1,"add",1],[1,2,"add",2]',
      '[1,1,"add",1],',
      '[1,1,"add",1]x',
      '[1,1,"add",1]]',
      '[1,1,"add",1] ',
      '[1,1,"add",1]\n',
      ' [1,1,"add",1]',
      '[1,1,"add",1',
      '[1,1,"add,1]',
    ];
    for (const p of straddling) assert.equal(readPlainKeyed(p), undefined, p);
    // Brackets and commas inside a string are its text, not a boundary.
    assert.equal(readPlainKeyed('[1,1,"add",1,"],[1,2,"]')?.target, '],[1,2,');
  });

  it('gives what the general path gives for every one-character change of written payloads', () => {
    // Every deletion, duplication and replacement (by a character of the JSON syntax or a
    // digit) at every position: corrupt payloads, and some still valid with other values.
    const replacements = [
      '[',
      ']',
      '{',
      '}',
      '"',
      ',',
      ':',
      '\\',
      ' ',
      '0',
      '1',
      '-',
      '.',
      'e',
      'n',
    ];
    let checked = 0;
    for (const payload of [...written, ...edges.slice(0, 9)]) {
      for (let i = 0; i < payload.length; i++) {
        const before = payload.slice(0, i);
        const after = payload.slice(i + 1);
        sameAsGeneral(before + after);
        sameAsGeneral(before + payload[i] + payload[i] + after);
        for (const r of replacements) sameAsGeneral(before + r + after);
        checked += 2 + replacements.length;
      }
    }
    assert.ok(checked > 5000, `${checked} variants`);
  });

  it('a keyed payload the fast path reads still needs the activity id in the context', () => {
    const payload = '[1,1,"add",1]';
    assert.notEqual(readPlainKeyed(payload), undefined);
    for (const ctx of [
      undefined,
      {},
      { key: 'k' },
      { id: 'SHORT' },
      { id: `${id.slice(0, -1)}!` },
    ]) {
      assert.throws(
        () => serializer.decodeActivity(payload, ctx),
        (err: unknown) => err instanceof SerializationError,
      );
    }
  });
});

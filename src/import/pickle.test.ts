// The pickle reader's refusals on hostile or broken input, with pickles built opcode by opcode
// (pickles made by Python itself, of every protocol, are read in test/python-import).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unpickleObject } from './pickle.js';

/** Bytes of a pickle: numbers are opcodes or raw bytes, strings are Latin-1 text. */
function pickle(...parts: (number | string)[]): Uint8Array {
  const bytes: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') bytes.push(p);
    else for (const c of p) bytes.push(c.charCodeAt(0));
  }
  return new Uint8Array(bytes);
}
const PROTO4 = [0x80, 4];
const shortStr = (s: string) => [0x8c, s.length, s];
const rejects = (bytes: Uint8Array, message: RegExp) =>
  assert.throws(
    () => unpickleObject(bytes),
    (e: Error) => e.name === 'PickleError' && message.test(e.message),
  );

describe('unpickleObject', () => {
  it('reads a dict built with SETITEM, and a "__proto__" key stays a plain key', () => {
    const value = unpickleObject(
      pickle(
        ...PROTO4,
        0x7d,
        ...shortStr('__proto__'),
        0x7d,
        ...shortStr('x'),
        0x4b,
        1,
        0x73,
        0x73,
        0x2e,
      ),
    );
    assert.deepEqual(Object.keys(value), ['__proto__']);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, { x: 1 });
  });

  it('refuses objects: GLOBAL / STACK_GLOBAL of anything but set, frozenset and OrderedDict', () => {
    rejects(pickle(0x63, 'os\nsystem\n', 0x2e), /Python object of os\.system/);
    rejects(
      pickle(...PROTO4, ...shortStr('datetime'), ...shortStr('datetime'), 0x93, 0x2e),
      /Python object of datetime\.datetime/,
    );
    rejects(pickle(...PROTO4, 0x7d, 0x62, 0x2e), /opcode 0x62 \(BUILD\)/);
    rejects(pickle(...PROTO4, 0x7d, 0x4e, 0x29, 0x52, 0x2e), /REDUCE of something other than/);
  });

  it('refuses truncated, unbalanced and non-dict pickles', () => {
    rejects(pickle(...PROTO4, 0x7d), /truncated/);
    rejects(pickle(...PROTO4, 0x58, 0xff, 0xff, 0xff, 0x7f, 'ab'), /truncated/);
    rejects(pickle(...PROTO4, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x2e), /truncated/);
    rejects(pickle(...PROTO4, 0x7d, 0x7d, 0x2e), /stack at STOP/);
    rejects(pickle(...PROTO4, 0x5d, 0x2e), /does not hold a dict/);
    rejects(pickle(...PROTO4, 0x73, 0x2e), /stack underflow/);
    rejects(pickle(...PROTO4, 0x68, 7, 0x2e), /memo 7 is not set/);
    rejects(pickle(0x80, 9, 0x7d, 0x2e), /unsupported pickle protocol/);
    rejects(pickle(...PROTO4, 0x8c, 2, 0xc3, 0x28, 0x2e), /not valid UTF-8/);
  });

  it('refuses cycles, excessive nesting and non-JSON numbers', () => {
    // d = {}; d['self'] = d (memoized, then fetched back)
    rejects(pickle(...PROTO4, 0x7d, 0x94, ...shortStr('self'), 0x68, 0, 0x73, 0x2e), /cycle/);
    const deep = [...PROTO4, 0x7d, ...shortStr('k')];
    for (let i = 0; i < 70; i++) deep.push(0x5d, 0x94);
    for (let i = 0; i < 69; i++) deep.push(0x61);
    deep.push(0x73, 0x2e);
    rejects(pickle(...deep), /nested deeper than 64/);
    const float = (n: number) => {
      const b = new DataView(new ArrayBuffer(8));
      b.setFloat64(0, n);
      return [...new Uint8Array(b.buffer)];
    };
    rejects(
      pickle(...PROTO4, 0x7d, ...shortStr('f'), 0x47, ...float(Number.NaN), 0x73, 0x2e),
      /NaN/,
    );
    rejects(
      pickle(...PROTO4, 0x7d, ...shortStr('n'), 0x8a, 8, 0, 0, 0, 0, 0, 0, 0x20, 0, 0x73, 0x2e),
      /beyond JSON's safe range/,
    );
    rejects(pickle(...PROTO4, 0x7d, 0x4e, 0x4b, 1, 0x73, 0x2e), /neither a string nor an integer/);
  });

  it('bounds the stack of a huge flat pickle', () => {
    const parts: number[] = [...PROTO4, 0x28];
    for (let i = 0; i < 100_001; i++) parts.push(0x4e);
    rejects(pickle(...parts), /too large/);
  });
});

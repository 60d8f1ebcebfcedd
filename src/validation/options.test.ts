/**
 * `optionKeys` lists exactly the keys of an options type: the compiler refuses a list that misses
 * or misspells one (the `@ts-expect-error` lines fail the typecheck if it ever accepts them), so a
 * key added to a type cannot be refused as unknown by a forgotten list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOptions, optionKeys } from './options.js';

interface Sample {
  readonly a: number;
  readonly b?: string | undefined;
}

describe('optionKeys', () => {
  it('returns the keys, frozen, and checkOptions accepts each of them', () => {
    const keys = optionKeys<Sample>({ a: true, b: true });
    assert.deepEqual(keys, ['a', 'b']);
    assert.ok(Object.isFrozen(keys));
    assert.deepEqual(checkOptions<Sample>({ a: 1, b: 'x' }, keys, 'sample'), { a: 1, b: 'x' });
  });

  it('is refused by the compiler when a key is missing or unknown', () => {
    // @ts-expect-error: b (an optional key) is missing
    const missing = optionKeys<Sample>({ a: true });
    // @ts-expect-error: c is not a key of Sample
    const extra = optionKeys<Sample>({ a: true, b: true, c: true });
    assert.deepEqual([missing, extra], [['a'], ['a', 'b', 'c']]);
  });
});

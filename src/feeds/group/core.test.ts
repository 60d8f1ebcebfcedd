import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../errors.js';
import { forEachLimited } from '../../util/for-each-limited.js';
import { checkGroupIds } from './core.js';

describe('forEachLimited', () => {
  it('runs every item, never more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      done.push(n);
      running -= 1;
    });
    assert.deepEqual(
      done.sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(peak, 3);
  });

  it('starts nothing new after a failure and throws the first error', async () => {
    const started: number[] = [];
    await assert.rejects(
      forEachLimited([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom 2');
      }),
      /boom 2/,
    );
    assert.deepEqual(started, [1, 2]);
  });

  it('does nothing for no items', async () => {
    await forEachLimited([], 4, async () => assert.fail('must not run'));
  });
});

describe('checkGroupIds', () => {
  it('accepts strings of 1 to 64 characters', () => {
    assert.deepEqual(checkGroupIds(['a', 'x'.repeat(64)], 'feed f'), ['a', 'x'.repeat(64)]);
  });

  it('rejects anything else with INVALID_ID', () => {
    for (const bad of [[''], ['x'.repeat(65)], [7], [null]] as unknown as string[][]) {
      assert.throws(
        () => checkGroupIds(bad, 'feed f'),
        (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_ID',
      );
    }
    assert.throws(() => checkGroupIds('abc' as unknown as string[], 'feed f'), ValidationError);
  });
});

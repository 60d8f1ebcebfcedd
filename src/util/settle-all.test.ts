import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { settleAll } from './settle-all.js';

describe('settleAll', () => {
  it('returns every value in order', async () => {
    assert.deepEqual(await settleAll([Promise.resolve(1), Promise.resolve(2)]), [1, 2]);
    assert.deepEqual(await settleAll([]), []);
  });

  it('throws the first rejection only after the slower operations have finished', async () => {
    let slowDone = false;
    const slow = new Promise<number>((resolve) =>
      setTimeout(() => {
        slowDone = true;
        resolve(3);
      }, 20),
    );
    await assert.rejects(
      settleAll([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))]),
      /first/,
    );
    assert.equal(slowDone, true);
  });
});

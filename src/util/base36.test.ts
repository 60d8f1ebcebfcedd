import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toBase36 } from './base36.js';

describe('toBase36', () => {
  it('writes what toString(36) writes, at the edges of its two halves and at random', () => {
    const edges = [0, 1, 35, 36, 36 ** 5 - 1, 36 ** 5, 36 ** 5 + 1, 36 ** 6, 2 ** 31, 2 ** 32 + 5];
    const more = [1_764_000_000_000, 36 ** 9 - 1, Number.MAX_SAFE_INTEGER];
    for (const n of [...edges, ...more]) assert.equal(toBase36(n), n.toString(36), String(n));
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor((Math.random() * Number.MAX_SAFE_INTEGER) / 10 ** (i % 16));
      assert.equal(toBase36(n), n.toString(36), String(n));
    }
  });

  it('hands anything but a non-negative safe integer to toString(36)', () => {
    for (const n of [-1, -1_764_000_000_000, 0.5, 1e300, 2 ** 53, Number.NaN, Infinity, -0]) {
      assert.equal(toBase36(n), n.toString(36), String(n));
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../errors.js';
import { createMemoryStorage } from '../memory/index.js';
import { createTieredStorage } from './index.js';

const rejects = (options: unknown, pattern: RegExp) =>
  assert.throws(
    () => createTieredStorage(options as Parameters<typeof createTieredStorage>[0]),
    (error: unknown) =>
      error instanceof ValidationError &&
      ['INVALID_OPTION', 'LIMIT_EXCEEDED'].includes(error.code) &&
      pattern.test(error.message),
  );

describe('createTieredStorage options', () => {
  const hot = createMemoryStorage();
  const durable = createMemoryStorage();

  it('refuses missing or malformed tiers, one storage twice, and unknown options', () => {
    rejects(undefined, /options must be an object/);
    rejects({ durable, hotMaxLength: 10 }, /hot must be a storage/);
    rejects({ hot, durable: {}, hotMaxLength: 10 }, /durable must be a storage/);
    rejects(
      { hot, durable: { timeline: hot.timeline, activities: {} }, hotMaxLength: 1 },
      /durable/,
    );
    rejects({ hot, durable: hot, hotMaxLength: 10 }, /another storage than hot/);
    rejects({ hot, durable, hotMaxLength: 10, durableMaxLength: 5 }, /unknown option/);
  });

  it('refuses a hotMaxLength that is not an integer from 1 to 10,000,000', () => {
    for (const bad of [undefined, 0, -1, 1.5, '10', Number.NaN]) {
      rejects({ hot, durable, hotMaxLength: bad }, /hotMaxLength/);
    }
    rejects({ hot, durable, hotMaxLength: 10_000_001 }, /hotMaxLength/);
  });

  it('keeps the tiers and takes the markers capability from the durable tier', () => {
    const storage = createTieredStorage({ hot, durable, hotMaxLength: 10_000_000 });
    assert.equal(storage.hot, hot);
    assert.equal(storage.durable, durable);
    assert.equal(storage.hotMaxLength, 10_000_000);
    assert.equal(storage.timeline.capabilities.markers, durable.timeline.capabilities.markers);
    assert.equal(storage.timeline.name, 'tiered(memory, memory)');
    assert.ok(Object.isFrozen(storage));
  });
});

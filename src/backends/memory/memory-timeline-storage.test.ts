import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entry, entryId, entryRange, markEntries } from '../../testing/fixtures.js';
import { createMemoryStorage } from './index.js';

describe('memory backend: instances', () => {
  it('two instances share no state', async () => {
    const a = createMemoryStorage();
    const b = createMemoryStorage();
    await a.timeline.add('feed:1', [entry(1)]);
    await markEntries(a.timeline, 'feed:1', 'unseen', [entryId(1)]);
    await a.activities.putMany([{ id: entryId(1), payload: 'x' }]);
    assert.equal(await b.timeline.count('feed:1'), 0);
    assert.equal(await b.timeline.countMarked('feed:1', 'unseen'), 0);
    assert.deepEqual(await b.activities.getMany([entryId(1)]), [undefined]);
    assert.equal(b.timeline.size, 0);
    assert.equal(b.activities.size, 0);
    assert.equal(a.timeline.size, 1);
    assert.equal(a.activities.size, 1);
  });

  it('declares markers and the name memory', () => {
    const { timeline, activities } = createMemoryStorage();
    assert.equal(timeline.name, 'memory');
    assert.equal(activities.name, 'memory');
    assert.deepEqual({ ...timeline.capabilities }, { markers: true });
    assert.ok(Object.isFrozen(timeline.capabilities));
  });

  it('stores copies: mutating an entry after add does not change the timeline', async () => {
    const { timeline } = createMemoryStorage();
    const e = { id: 'a', score: 1, payload: 'p' };
    await timeline.add('k', [e]);
    e.payload = 'changed';
    e.score = 99;
    assert.deepEqual(await timeline.get('k', ['a']), [{ id: 'a', score: 1, payload: 'p' }]);
  });
});

describe('memory backend: no retained state for empty timelines', () => {
  it('removing every entry drops the timeline', async () => {
    const { timeline } = createMemoryStorage();
    await timeline.add('k', entryRange(0, 3));
    await markEntries(timeline, 'k', 'unseen', [entryId(0)]);
    assert.equal(timeline.size, 1);
    await timeline.remove('k', [entryId(0), entryId(1)]);
    assert.equal(timeline.size, 1);
    await timeline.remove('k', [entryId(2)]);
    assert.equal(timeline.size, 0);
  });

  it('trimming to 0, delete and removeFromMany drop the timelines', async () => {
    const { timeline } = createMemoryStorage();
    await timeline.addToMany(['a', 'b', 'c', 'd'], entryRange(0, 3));
    assert.equal(timeline.size, 4);
    await timeline.trim('a', 0);
    await timeline.delete('b');
    await timeline.removeFromMany(['c', 'd'], [entryId(0), entryId(1), entryId(2)]);
    assert.equal(timeline.size, 0);
  });

  it('an add with maxLength 0 and an update that empties the timeline drop it', async () => {
    const { timeline } = createMemoryStorage();
    await timeline.add('a', entryRange(0, 3), { maxLength: 0 });
    assert.equal(timeline.size, 0);
    await timeline.add('b', entryRange(0, 3));
    await timeline.update('b', [], () => ({
      changes: { remove: [entryId(0), entryId(1), entryId(2)] },
      result: 0,
    }));
    assert.equal(timeline.size, 0);
  });

  it('reads, marker calls and no-op writes on missing keys retain nothing', async () => {
    const { timeline } = createMemoryStorage();
    await timeline.range('x', { limit: 10, order: 'desc' });
    await timeline.get('x', ['a']);
    await timeline.count('x');
    await timeline.indexOf('x', 'a', 'asc');
    await timeline.trim('x', 5);
    await timeline.remove('x', ['a']);
    await timeline.add('x', []);
    await timeline.addToMany(['x', 'y'], []);
    await timeline.clearMarker('x', 'unseen', ['a']);
    await timeline.isMarked('x', 'unseen', ['a']);
    await timeline.clearMarker('x', 'unseen');
    await timeline.countMarked('x', 'unseen');
    await timeline.update('x', ['a'], () => ({ changes: {}, result: 0 }));
    assert.equal(timeline.size, 0);
  });

  it('an update that fails retains nothing', async () => {
    const { timeline } = createMemoryStorage();
    await assert.rejects(
      timeline.update('x', [], () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    await assert.rejects(
      timeline.update('y', [], () => ({ changes: { mark: { unseen: ['a'] } }, result: 0 })),
    );
    assert.equal(timeline.size, 0);
  });

  it('a long-running churn of adds, trims and removals ends with nothing retained', async () => {
    const { timeline, activities } = createMemoryStorage();
    for (let round = 0; round < 50; round++) {
      const key = `feed:${round % 7}`;
      const batch = entryRange(round * 10, round * 10 + 10);
      await timeline.add(key, batch, { maxLength: 25 });
      await markEntries(timeline, key, 'unseen', [batch[0]!.id, batch[9]!.id]);
      await activities.putMany(batch.map((e) => ({ id: e.id, payload: e.payload! })));
      if (round % 3 === 0) await timeline.trim(key, 5);
    }
    for (let k = 0; k < 7; k++) {
      const all = await timeline.range(`feed:${k}`, { limit: 1000, order: 'asc' });
      await timeline.remove(
        `feed:${k}`,
        all.map((e) => e.id),
      );
    }
    await activities.removeMany(entryRange(0, 500).map((e) => e.id));
    assert.equal(timeline.size, 0);
    assert.equal(activities.size, 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import { groupIdOf } from '../activity/ids.js';
import { byVerbAndDay } from '../aggregation/aggregators.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { ValidationError } from '../errors.js';
import { defineAggregatedFeed } from './aggregated-feed.js';
import type { FeedChange } from './change-events.js';
import { defineFlatFeed } from './flat-feed.js';

const T0 = 1_764_000_000_000;
const act = (i: number, verb = 'pin') =>
  createActivity({ actor: i, verb, object: i, time: T0 + i * 1000 });
const brief = (c: FeedChange) => [c.reason, c.userId, c.key, [...c.ids]];

describe('flat feed change events', () => {
  it('reports adds, fan-outs, removals, trims and deletes, one change per feed', async () => {
    const timeline = defineFlatFeed({
      name: 'timeline',
      storage: createMemoryStorage(),
      maxLength: 10,
    });
    const got: FeedChange[] = [];
    const stop = timeline.events.on('change', (c) => {
      got.push(c);
    });
    const [a, b, c] = [act(1), act(2), act(3)];
    await timeline.for(1).add(a);
    await timeline.addToMany([2, 'x'], [b, c]);
    await timeline.for(1).remove(b); // not in feed 1: no change
    await timeline.for(2).remove(b);
    await timeline.removeFromMany([2, 'x'], [c]);
    await timeline.for(1).trim(5); // nothing trimmed: no change
    await timeline.for(1).trim(0);
    await timeline.for('x').delete();
    assert.deepEqual(got.map(brief), [
      ['add', '1', 'timeline:1', [a.id]],
      ['add', '2', 'timeline:2', [b.id, c.id]],
      ['add', 'x', 'timeline:x', [b.id, c.id]],
      ['remove', '2', 'timeline:2', [b.id]],
      ['remove', '2', 'timeline:2', [c.id]],
      ['remove', 'x', 'timeline:x', [c.id]],
      ['trim', '1', 'timeline:1', []],
      ['delete', 'x', 'timeline:x', []],
    ]);
    assert.ok(got.every((change) => change.feed === 'timeline' && Object.isFrozen(change)));
    stop();
    await timeline.for(1).add(act(4));
    assert.equal(got.length, 8, 'no change after the listener is removed');
  });

  it('a listener that throws or rejects never fails the write; onListenerError gets it', async () => {
    const errors: unknown[] = [];
    const timeline = defineFlatFeed({
      name: 'timeline',
      storage: createMemoryStorage(),
      onListenerError: (error) => errors.push(error),
    });
    timeline.events.on('change', () => {
      throw new Error('sync');
    });
    timeline.events.on('change', async () => {
      throw new Error('async');
    });
    assert.equal(await timeline.for(1).add(act(1)), 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['sync', 'async'],
    );
    assert.equal(await timeline.for(1).count(), 1);
  });

  it('rejects a non-function onListenerError with INVALID_OPTION', () => {
    assert.throws(
      () =>
        defineFlatFeed({
          name: 'timeline',
          storage: createMemoryStorage(),
          onListenerError: 'log' as never,
        }),
      (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_OPTION',
    );
  });
});

describe('aggregated feed change events', () => {
  it('reports the ids of the groups written, removed, copied, trimmed and deleted', async () => {
    const storage = createMemoryStorage();
    const agg = defineAggregatedFeed({ name: 'agg', storage });
    const got: FeedChange[] = [];
    agg.events.on('change', (c) => {
      got.push(c);
    });
    const [a, b] = [act(1, 'love'), act(2, 'comment')];
    const gid = (x: typeof a) => groupIdOf(byVerbAndDay.groupKey(x));
    await agg.for(1).addMany([a, b]);
    await agg.for(1).add(a); // already there: nothing changed, no change event
    await agg.for(1).remove(a);
    const groups = (await agg.for(1).read()).items;
    await agg.for(2).addGroups(groups);
    await agg.for(2).removeGroups([gid(b)]);
    await agg.for(1).trim(0);
    await agg.for(2).delete();
    assert.deepEqual(
      got.map((c) => [c.reason, c.userId, [...c.ids].sort()]),
      [
        ['add', '1', [gid(a), gid(b)].sort()],
        ['remove', '1', [gid(a)]],
        ['add', '2', [gid(b)]],
        ['remove', '2', [gid(b)]],
        ['trim', '1', []],
        ['delete', '2', []],
      ],
    );
    assert.equal(agg.events.listenerCount('change'), 1);
  });
});

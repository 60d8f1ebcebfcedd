import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { ValidationError } from '../errors.js';
import { defineAggregatedFeed } from './aggregated-feed.js';
import type { FeedChange } from './change-events.js';
import { defineFlatFeed } from './flat-feed.js';

const T0 = 1_764_000_000_000;
const act = (i: number, actor = i) =>
  createActivity({ actor, verb: 'pin', object: i, time: T0 + i * 1000 });

const kinds = [
  ['flat', () => defineFlatFeed({ name: 'timeline', storage: createMemoryStorage() })],
  ['aggregated', () => defineAggregatedFeed({ name: 'timeline', storage: createMemoryStorage() })],
] as const;

for (const [kind, define] of kinds) {
  describe(`${kind} feed targets (shared feed-targets.ts)`, () => {
    it('writes a user listed twice (1 and "1") once: one change per feed', async () => {
      const feed = define();
      const got: FeedChange[] = [];
      feed.events.on('change', (c) => {
        got.push(c);
      });
      const a = act(1);
      await feed.addToMany([1, '1', 2, 1], [a]);
      assert.deepEqual(
        got.map((c) => [c.reason, c.key]),
        [
          ['add', 'timeline:1'],
          ['add', 'timeline:2'],
        ],
      );
      await feed.removeFromMany(['2', 2], [a]);
      assert.deepEqual(
        got.slice(2).map((c) => [c.reason, c.key]),
        [['remove', 'timeline:2']],
      );
      assert.equal(await feed.for(1).count(), 1);
      assert.equal(await feed.for(2).count(), 0);
    });

    it('rejects a bad user id list with INVALID_ID before writing anything', async () => {
      const feed = define();
      const a = act(1);
      for (const userIds of ['1', [1, ''], [1, null]]) {
        await assert.rejects(
          feed.addToMany(userIds as never, [a]),
          (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_ID',
        );
      }
      assert.equal(await feed.for(1).count(), 0);
    });
  });

  describe(`${kind} feed removeByActors and trim (shared feed-ops.ts)`, () => {
    it('removes exactly the activities of the actors given, and trims to the length given', async () => {
      const feed = define().for(7);
      await feed.addMany([act(1, 10), act(2, 20), act(3, 10)]);
      await assert.rejects(
        feed.removeByActors('10' as never),
        (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_ID',
      );
      assert.equal(await feed.removeByActors([]), 0);
      assert.equal(await feed.removeByActors([10]), 2);
      const left = (await feed.read()).items;
      assert.equal(left.length, 1);
      await assert.rejects(
        feed.trim(-1),
        (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_OPTION',
      );
      assert.equal(await feed.trim(0), 1);
      assert.equal(await feed.count(), 0);
    });
  });
}

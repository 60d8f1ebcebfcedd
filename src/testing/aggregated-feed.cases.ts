/**
 * The conformance suite of aggregated feeds (`defineAggregatedFeed`): the Python Stream
 * Framework's TestRedisAggregatedFeed, TestRedisCustomAggregatedFeed and TestAggregatedActivity
 * behaviours, plus one test per defect this library fixes. Only the public API and the storage
 * contracts are used, so it runs unchanged on every backend. The core cases run twice, on
 * normalized and on denormalized feeds; the defect and option cases live in
 * `aggregated-feed-extra.cases.ts`.
 * @module
 */
import assert from 'node:assert/strict';
import type { Activity } from '../activity/activity.js';
import { groupIdOf } from '../activity/ids.js';
import { byVerbAndDay } from '../aggregation/aggregators.js';
import { type AggregatedFeedOptions, defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import type { AggregatedGroup } from '../feeds/group/types.js';
import type { Storage } from '../storage/contracts.js';
import { registerAggregatedExtraCases } from './aggregated-feed-extra.cases.js';
import type { BackendUnderTest } from './backend.js';
import { registerAggregatedCopyCases } from './group-copy.cases.js';
import {
  act,
  actOnDay,
  type GroupCase,
  newestFirst,
  range,
  storageOf,
} from './group-feed-support.js';
import { harnessTest } from './harness.js';
import type { KitRunner } from './runner.js';

/**
 * Registers the aggregated feed conformance suite (group `'aggregated-feed'`) against `backend`
 * with `runner`. The core cases run on normalized and denormalized feeds (groups `'normalized'`,
 * `'denormalized'`); the cases copying groups between feeds are also in group `'group-copy'`.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * describeAggregatedFeed({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeAggregatedFeed(runner: KitRunner, backend: BackendUnderTest): void {
  const title = `aggregated feed conformance (${backend.name})`;
  harnessTest(runner, backend, title, 'aggregated-feed', (harness) => {
    const test = harness.map(storageOf);
    for (const normalized of [true, false]) {
      const mode = normalized ? 'normalized' : 'denormalized';
      test.describe(
        mode,
        (test) => {
          registerModeCases(test, normalized);
          registerAggregatedCopyCases(test.in('group-copy'), normalized);
        },
        mode,
      );
    }
    test.describe('defects fixed and options', registerAggregatedExtraCases);
  });
}

function registerModeCases(test: GroupCase, normalized: boolean): void {
  const define = (storage: Storage, options: Partial<AggregatedFeedOptions> = {}) =>
    defineAggregatedFeed({ name: 'agg', storage, normalized, ...options });
  const ids = (groups: readonly AggregatedGroup[]) => groups.map((g) => g.id);
  const gid = (a: Activity) => groupIdOf(byVerbAndDay.groupKey(a));

  test('activities of one group are added as one group', async (storage) => {
    const feed = define(storage).for(1);
    const acts = [act(1), act(2), act(3)];
    assert.equal(await feed.addMany(acts), 3);
    assert.equal(await feed.count(), 1);
    const { items, missing, next } = await feed.read();
    assert.deepEqual(missing, []);
    assert.equal(next, undefined);
    assert.equal(items.length, 1);
    const g = items[0]!;
    assert.equal(g.group, byVerbAndDay.groupKey(acts[0]!));
    assert.equal(g.id, groupIdOf(g.group));
    assert.deepEqual(g.activityIds, newestFirst(acts));
    assert.deepEqual(
      g.activities.map((a) => a.id),
      newestFirst(acts),
    );
    assert.deepEqual(g.activities[0], acts[2]);
    assert.equal(g.activityCount, 3);
    assert.equal(g.actorCount, 3);
    assert.deepEqual([...g.actors].sort(), [1, 2, 3]);
    assert.equal(g.verb, 'love');
    assert.equal(g.createdAt.getTime(), acts[0]!.time.getTime());
    assert.equal(g.updatedAt.getTime(), acts[2]!.time.getTime());
    assert.equal(g.score, acts[2]!.time.getTime());
  });

  test('activities are grouped by verb and UTC day by default', async (storage) => {
    const feed = define(storage).for(1);
    const acts = [act(1), act(2), act(3, { verb: 'comment' }), actOnDay(4, 1)];
    assert.equal(await feed.addMany(acts), 4);
    const { items } = await feed.read();
    assert.equal(items.length, 3);
    const byGroup = new Map(items.map((g) => [g.group, g.activityIds]));
    assert.deepEqual(byGroup.get(byVerbAndDay.groupKey(acts[0]!)), newestFirst(acts.slice(0, 2)));
    assert.deepEqual(byGroup.get(byVerbAndDay.groupKey(acts[2]!)), [acts[2]!.id]);
    assert.deepEqual(byGroup.get(byVerbAndDay.groupKey(acts[3]!)), [acts[3]!.id]);
  });

  test('reads groups newest first with limit, cursor and order', async (storage) => {
    const feed = define(storage).for(1);
    const acts = range(10).map((d) => actOnDay(d, d));
    await feed.addMany(acts);
    const expected = acts.map(gid).reverse();
    assert.deepEqual(ids((await feed.read({ limit: 3 })).items), expected.slice(0, 3));
    const afterTwo = (await feed.read({ limit: 2 })).next;
    assert.deepEqual(
      ids((await feed.read({ limit: 3, cursor: afterTwo })).items),
      expected.slice(2, 5),
    );
    const afterEight = (await feed.read({ limit: 8 })).next;
    const last = await feed.read({ limit: 5, cursor: afterEight });
    assert.deepEqual([ids(last.items), last.next], [expected.slice(8), undefined]);
    const afterAll = (await feed.read({ limit: 10 })).next;
    assert.deepEqual((await feed.read({ cursor: afterAll })).items, []);
    assert.deepEqual(
      ids((await feed.read({ limit: 2, order: 'asc' })).items),
      expected.slice(8).reverse(),
    );
    assert.deepEqual(ids((await feed.read({ limit: 100 })).items), expected);
  });

  test('new activities merge into their existing group in place and new groups are added', async (storage) => {
    const feed = define(storage).for(1);
    const first = act(1);
    await feed.add(first);
    const [before] = (await feed.read()).items;
    const more = [act(2), act(3, { verb: 'comment' })];
    assert.equal(await feed.addMany(more), 2);
    assert.equal(await feed.count(), 2);
    const [merged] = await feed.getGroups([before!.id]);
    assert.equal(merged!.id, before!.id);
    assert.deepEqual(merged!.activityIds, [more[0]!.id, first.id]);
    assert.equal(merged!.activityCount, 2);
    const [added] = await feed.getGroups([gid(more[1]!)]);
    assert.deepEqual(added!.activityIds, [more[1]!.id]);
  });

  test('groups equal a direct aggregation of the same activities', async (storage) => {
    const feed = define(storage).for(1);
    const verbs = ['love', 'comment', 'add'];
    const acts = range(36).map((i) =>
      actOnDay(i, i % 4, { verb: verbs[i % 3]!, actor: i % 5, object: i }),
    );
    await feed.addMany(acts);
    const expected = new Map<string, Activity[]>();
    for (const a of acts) {
      const key = byVerbAndDay.groupKey(a);
      expected.set(key, [...(expected.get(key) ?? []), a]);
    }
    const { items } = await feed.read({ limit: 100 });
    assert.equal(items.length, expected.size);
    for (const g of items) {
      const members = expected.get(g.group);
      assert.ok(members, `unexpected group ${g.group}`);
      assert.deepEqual(g.activityIds, newestFirst(members));
      assert.equal(g.activityCount, members.length);
      assert.equal(g.actorCount, new Set(members.map((a) => a.actor)).size);
      assert.deepEqual(new Set(g.actors), new Set(members.map((a) => a.actor)));
      assert.equal(g.updatedAt.getTime(), Math.max(...members.map((a) => a.time.getTime())));
    }
    const scores = items.map((g) => g.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  });

  test('contains finds retained activities by value and by id', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b, absent] = [act(1), act(2, { verb: 'comment' }), act(3)];
    await feed.addMany([a, b]);
    assert.equal(await feed.contains(a), true);
    assert.equal(await feed.contains(b.id), true);
    assert.equal(await feed.contains(absent), false);
    assert.equal(await feed.contains(absent.id), false);
  });

  test('removing the only activity of a group removes the group', async (storage) => {
    const feed = define(storage).for(1);
    const a = act(1);
    await feed.add(a);
    assert.equal(await feed.remove(a), 1);
    assert.equal(await feed.count(), 0);
    assert.deepEqual((await feed.read()).items, []);
    assert.equal(await feed.contains(a), false);
  });

  test('removing one activity keeps the rest of its group', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b] = [act(1), act(2)];
    await feed.addMany([a, b]);
    assert.equal(await feed.remove(a), 1);
    const [g] = (await feed.read()).items;
    assert.deepEqual(g!.activityIds, [b.id]);
    assert.deepEqual(g!.activities, [b]);
    assert.equal(g!.activityCount, 1);
    assert.equal(g!.actorCount, 1);
    assert.deepEqual(g!.actors, [b.actor]);
    assert.equal(g!.createdAt.getTime(), b.time.getTime());
  });

  test('an activity is removed given only its id', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b, c] = [act(1), act(2), act(3, { verb: 'comment' })];
    await feed.addMany([a, b, c]);
    assert.equal(await feed.removeMany([a.id, c.id]), 2);
    assert.equal(await feed.count(), 1);
    assert.deepEqual((await feed.read()).items[0]!.activityIds, [b.id]);
  });

  test('an activity is removed by id even when activity storage no longer has it', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b] = [act(1), act(2)];
    await feed.addMany([a, b]);
    await storage.activities.removeMany([a.id]);
    assert.equal(await feed.remove(a.id), 1);
    const { items, missing } = await feed.read();
    assert.deepEqual(items[0]!.activityIds, [b.id]);
    assert.deepEqual(missing, []);
  });

  test('removing activities the feed does not hold removes nothing', async (storage) => {
    const feed = define(storage).for(1);
    await feed.add(act(1));
    assert.equal(await feed.remove(act(2)), 0);
    assert.equal(await feed.remove(act(3, { verb: 'comment' }).id), 0);
    assert.equal(await feed.removeMany([]), 0);
    assert.equal((await feed.read()).items[0]!.activityCount, 1);
  });

  test('removeByActors removes exactly the activities of those actors', async (storage) => {
    const feed = define(storage).for(1);
    const acts = [
      act(1, { actor: 'ann' }),
      act(2, { actor: 'bob' }),
      act(3, { actor: 'ann', verb: 'comment' }),
      act(4, { actor: 'cy' }),
    ];
    await feed.addMany(acts);
    assert.equal(await feed.removeByActors(['ann', 'nobody']), 2);
    const { items } = await feed.read();
    assert.equal(items.length, 1);
    assert.deepEqual(items[0]!.activityIds, [acts[3]!.id, acts[1]!.id]);
    assert.deepEqual(new Set(items[0]!.actors), new Set(['bob', 'cy']));
    assert.equal(await feed.removeByActors([]), 0);
  });

  test('a group of 100 activities keeps the newest 15 and exact counts', async (storage) => {
    const feed = define(storage).for(1);
    const acts = range(100).map((i) => act(i, { actor: i, object: i }));
    assert.equal(await feed.addMany(acts), 100);
    const [g] = (await feed.read()).items;
    assert.deepEqual(g!.activityIds, newestFirst(acts).slice(0, 15));
    assert.equal(g!.activities.length, 15);
    assert.equal(g!.activityCount, 100);
    assert.equal(g!.actorCount, 100);
    assert.equal(g!.createdAt.getTime(), acts[0]!.time.getTime());
    assert.equal(g!.updatedAt.getTime(), acts[99]!.time.getTime());
  });

  test('a group updated later moves to the top', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b] = [act(1), act(2, { verb: 'comment' })];
    await feed.addMany([a, b]);
    assert.deepEqual(ids((await feed.read()).items), [gid(b), gid(a)]);
    const later = act(3);
    await feed.add(later);
    const { items } = await feed.read();
    assert.deepEqual(ids(items), [gid(a), gid(b)]);
    assert.equal(items[0]!.updatedAt.getTime(), later.time.getTime());
    assert.equal(await feed.indexOf(gid(a)), 0);
    assert.equal(await feed.indexOf(gid(b)), 1);
  });

  test('cursor paging visits every group once, in both orders', async (storage) => {
    const feed = define(storage).for(1);
    // pairs of groups share a day and a time, hence a score: the cursor must break the ties
    const acts = range(23).map((i) =>
      act(i, { verb: i % 2 ? 'love' : 'comment', time: Date.UTC(2024, 4, 1 + (i >> 1), 9) }),
    );
    await feed.addMany(acts);
    for (const order of ['desc', 'asc'] as const) {
      const all = ids((await feed.read({ limit: 100, order })).items);
      assert.equal(all.length, 23);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await feed.read({ limit: 5, order, cursor });
        seen.push(...ids(page.items));
        cursor = page.next;
        pages += 1;
      } while (cursor !== undefined && pages < 10);
      assert.deepEqual(seen, all);
      assert.equal(pages, 5);
    }
  });

  test('re-adding an activity does not count it twice', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b, c] = [act(1), act(2), act(3)];
    await feed.addMany([a, b]);
    assert.equal(await feed.add(a), 0);
    assert.equal(await feed.addMany([a, b, c]), 1);
    const [g] = (await feed.read()).items;
    assert.equal(g!.activityCount, 3);
    assert.deepEqual(g!.activityIds, newestFirst([a, b, c]));
  });

  test('trim keeps the most recently updated groups (50 groups, trim to 3)', async (storage) => {
    const feed = define(storage).for(1);
    const acts = range(50).map((d) => actOnDay(d, d));
    await feed.addMany(acts);
    assert.equal(await feed.count(), 50);
    assert.equal(await feed.trim(3), 47);
    assert.equal(await feed.count(), 3);
    assert.deepEqual(ids((await feed.read()).items), acts.slice(47).map(gid).reverse());
  });

  test('getGroups and indexOf find groups by id', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b, c] = [act(1), act(2, { verb: 'comment' }), act(3, { verb: 'add' })];
    await feed.addMany([a, b, c]);
    const groups = await feed.getGroups([gid(b), 'no-such-group', gid(a)]);
    assert.equal(groups.length, 3);
    assert.deepEqual(groups[0]!.activities, [b]);
    assert.equal(groups[1], undefined);
    assert.deepEqual(groups[2]!.activities, [a]);
    assert.deepEqual(await feed.getGroups([]), []);
    assert.equal(await feed.indexOf(gid(c)), 0);
    assert.equal(await feed.indexOf(gid(a)), 2);
    assert.equal(await feed.indexOf('no-such-group'), -1);
  });

  test('addToMany writes every feed and removeFromMany removes from each', async (storage) => {
    const def = define(storage);
    const [a, b] = [act(1), act(2)];
    await def.addToMany([1, 2, 3, 3], [a, b]);
    for (const user of [1, 2, 3]) {
      const [g] = (await def.for(user).read()).items;
      assert.deepEqual(g!.activityIds, [b.id, a.id], `user ${user}`);
    }
    const stored = await storage.activities.getMany([a.id, b.id]);
    assert.equal(
      stored.every((p) => p !== undefined),
      normalized,
    );
    await def.removeFromMany([1, 2], [a]);
    assert.deepEqual((await def.for(1).read()).items[0]!.activityIds, [b.id]);
    assert.deepEqual((await def.for(2).read()).items[0]!.activityIds, [b.id]);
    assert.deepEqual((await def.for(3).read()).items[0]!.activityIds, [b.id, a.id]);
  });
}

/**
 * Conformance cases of whole-group writes on aggregated and notification feeds: `addGroups`
 * (copies of groups read from another feed, the original's `add_many_aggregated`) and
 * `removeGroups` (`remove_many_aggregated`). Registered by `describeAggregatedFeed` (both modes)
 * and `describeNotificationFeed`.
 * @module
 */
import assert from 'node:assert/strict';
import { groupIdOf } from '../activity/ids.js';
import { byVerbAndDay, byVerbObjectAndDay } from '../aggregation/aggregators.js';
import { StreamFrameworkError } from '../errors.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import type { AggregatedGroup } from '../feeds/group/types.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import type { Storage } from '../storage/contracts.js';
import { act, actOnDay, type GroupCase, range } from './group-feed-support.js';

/** What a copy must keep of a group. */
const shape = (g: AggregatedGroup) => ({
  id: g.id,
  group: g.group,
  activityIds: g.activityIds,
  activityCount: g.activityCount,
  actorCount: g.actorCount,
  actors: g.actors,
  createdAt: g.createdAt.getTime(),
  updatedAt: g.updatedAt.getTime(),
  score: g.score,
});

/** Registers the addGroups/removeGroups cases of aggregated feeds (normalized or not). */
export function registerAggregatedCopyCases(test: GroupCase, normalized: boolean): void {
  const define = (storage: Storage, name: string) =>
    defineAggregatedFeed({ name, storage, normalized, groups: { maxActivities: 5 } });

  test('addGroups copies groups read from another feed with their counts, actors and times', async (storage) => {
    const source = define(storage, 'agg').for(1);
    // 3 days x 8 activities by 4 actors: 5 retained per group, 8 counted.
    await source.addMany(range(24).map((i) => actOnDay(i, i % 3, { actor: i % 4 })));
    const groups = (await source.read({ limit: 10 })).items;
    assert.equal(groups.length, 3);
    const copy = define(storage, 'agg').for(2);
    assert.equal(await copy.addGroups(groups), 3);
    const copied = (await copy.read({ limit: 10 })).items;
    assert.deepEqual(copied.map(shape), groups.map(shape));
    assert.deepEqual(
      copied.map((g) => g.activities.map((a) => a.id)),
      groups.map((g) => g.activityIds),
    );
    // Merging into a copied group works like merging into the original.
    const later = actOnDay(100, 0, { actor: 9 });
    const id = groupIdOf(byVerbAndDay.groupKey(later));
    const before = groups.find((g) => g.id === id)!;
    assert.equal(await copy.add(later), 1);
    const [merged] = await copy.getGroups([id]);
    assert.equal(merged?.activityCount, before.activityCount + 1);
    assert.equal(merged?.actorCount, before.actorCount + 1);
    assert.deepEqual(merged?.activityIds, [later.id, ...before.activityIds.slice(0, 4)]);
  });

  test('addGroups replaces a group with the same id and leaves the others', async (storage) => {
    const a = define(storage, 'agg').for(1);
    const b = define(storage, 'agg').for(2);
    await a.addMany([act(1), act(2), act(3)]);
    await b.addMany([act(4), actOnDay(5, 1)]);
    const [fromA] = (await a.read()).items;
    assert.equal(await b.addGroups([fromA!]), 1);
    const after = (await b.read()).items;
    assert.equal(after.length, 2);
    const replaced = after.find((g) => g.id === fromA!.id);
    assert.deepEqual(replaced?.activityIds, [act(3).id, act(2).id, act(1).id]);
    assert.equal(replaced?.activityCount, 3);
  });

  test('addGroups rejects a group that does not belong under this feed aggregator, writing nothing', async (storage) => {
    const byObject = defineAggregatedFeed({
      name: 'by-object',
      storage,
      normalized,
      aggregator: byVerbObjectAndDay,
    }).for(1);
    await byObject.addMany([act(1), act(2)]);
    const foreign = (await byObject.read()).items;
    const target = define(storage, 'agg').for(2);
    await assert.rejects(
      target.addGroups(foreign),
      (e: unknown) => e instanceof StreamFrameworkError && e.code === 'INVALID_ACTIVITY',
    );
    for (const bad of [
      [{ ...foreign[0]!, id: 'not-the-id' }],
      [{ ...foreign[0]!, activities: [] }],
      [{ ...foreign[0]!, activityCount: -1 }],
      [null],
      'groups',
    ] as unknown as AggregatedGroup[][]) {
      await assert.rejects(target.addGroups(bad), StreamFrameworkError);
    }
    assert.equal(await target.count(), 0);
  });

  test('removeGroups removes whole groups by id and counts those that existed', async (storage) => {
    const feed = define(storage, 'agg').for(1);
    await feed.addMany(range(6).map((i) => actOnDay(i, i % 3)));
    const ids = (await feed.read()).items.map((g) => g.id);
    assert.equal(await feed.removeGroups([ids[0]!, ids[2]!, ids[0]!, 'missing']), 2);
    assert.deepEqual(
      (await feed.read()).items.map((g) => g.id),
      [ids[1]],
    );
    assert.equal(await feed.removeGroups([]), 0);
    await assert.rejects(
      feed.removeGroups([''] as string[]),
      (e: unknown) => e instanceof StreamFrameworkError && e.code === 'INVALID_ID',
    );
  });
}

/** Registers the addGroups/removeGroups cases of notification feeds. */
export function registerNotificationCopyCases(test: GroupCase): void {
  test('addGroups makes the copied groups unseen and unread; removeGroups forgets their state', async (storage) => {
    const def = defineNotificationFeed({ name: 'notification', storage });
    const source = def.for(1);
    await source.addMany([act(1), act(2, { object: 'obj-1' }), act(3)]);
    await source.markAll({ seen: true, read: true });
    const groups = (await source.read()).items;
    assert.ok(groups.every((g) => g.seen && g.read));
    const copy = def.for(2);
    assert.equal(await copy.addGroups(groups), groups.length);
    assert.deepEqual(await copy.counts(), { unseen: groups.length, unread: groups.length });
    const copied = (await copy.read()).items;
    assert.deepEqual(copied.map(shape), groups.map(shape));
    assert.ok(copied.every((g) => !g.seen && !g.read));
    assert.equal(await copy.removeGroups([copied[0]!.id]), 1);
    assert.deepEqual(await copy.counts(), {
      unseen: groups.length - 1,
      unread: groups.length - 1,
    });
    assert.deepEqual(await source.counts(), { unseen: 0, unread: 0 }, 'the source is untouched');
  });
}

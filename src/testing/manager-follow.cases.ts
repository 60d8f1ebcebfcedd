import assert from 'node:assert/strict';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import type { FeedChange } from '../feeds/change-events.js';
import { defineFlatFeed, type FlatFeed } from '../feeds/flat-feed.js';
import { createManager } from '../manager/manager.js';
import type { Manager } from '../manager/types.js';
import type { FanoutEvent } from '../metrics/metrics.js';
import type { Storage } from '../storage/contracts.js';
import {
  act,
  idsIn,
  type ManagerTest,
  recordingQueue,
  settled,
  testQueue,
  world,
} from './manager-world.js';

/**
 * A manager copying on follow from a user feed (`normalized` as given, pages of 2) into a
 * normalized flat `timeline` written in batches of 2 and, with `aggregated`, an aggregated feed.
 */
function copyWorld(storage: Storage, options: { normalizedUser: boolean; aggregated: boolean }) {
  const fanouts: FanoutEvent[] = [];
  const user = defineFlatFeed({
    name: 'user',
    storage,
    maxLength: 100,
    normalized: options.normalizedUser,
    limits: { maxPageSize: 2 },
    metrics: { onFanout: (e) => fanouts.push(e) },
  });
  const timeline = defineFlatFeed({
    name: 'timeline',
    storage,
    maxLength: 100,
    limits: { maxBatchSize: 2 },
  });
  const aggregated = defineAggregatedFeed({ name: 'aggregated', storage, maxLength: 100 });
  const manager = createManager({
    userFeed: user,
    feeds: options.aggregated ? { timeline, aggregated } : { timeline },
    getFollowerIds: () => [],
    queue: testQueue(),
  });
  const changes: FeedChange[] = [];
  timeline.events.on('change', (c) => {
    changes.push(c);
  });
  return { manager, timeline, aggregated, fanouts, changes };
}

/** Follow, unfollow and feed access. */
export function registerFollowCases(test: ManagerTest): void {
  test('follow, follow, unfollow: counts go 1, 2, 1 and the right activity remains', async ({
    storage,
  }) => {
    const { manager } = world(storage);
    const [a, b] = [act(1, 1), act(2, 2)];
    await settled(manager.addUserActivity(1, a));
    await settled(manager.addUserActivity(2, b));
    const timeline = manager.getFeeds(3).timeline;
    await settled(manager.followUser(3, 1));
    assert.equal(await timeline.count(), 1);
    await settled(manager.followUser(3, 2));
    assert.equal(await timeline.count(), 2);
    await settled(manager.unfollowUser(3, 1));
    assert.deepEqual(await idsIn(timeline), [b.id]);
  });

  test('followUser copies at most followActivityLimit activities, the newest', async ({
    storage,
  }) => {
    const { manager } = world(storage, { followActivityLimit: 3, userPageSize: 2 });
    const activities = Array.from({ length: 7 }, (_, i) => act(1, i + 1));
    await settled(manager.batchImport(1, activities));
    const newest = activities.map((a) => a.id).reverse();
    const handle = await settled(manager.followUser(2, 1));
    assert.equal(handle.total, 1);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), newest.slice(0, 3));
    await settled(manager.followUser(3, 1, { limit: 5 }));
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), newest.slice(0, 5));
    await settled(manager.followUser(4, 1, { limit: 0 }));
    assert.equal(await manager.getFeeds(4).timeline.count(), 0);
  });

  test('unfollowUser with keepHistory keeps the activities', async ({ storage }) => {
    const { manager } = world(storage);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    await settled(manager.followUser(2, 1));
    await settled(manager.unfollowUser(2, 1, { keepHistory: true }));
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [a.id]);
    await settled(manager.unfollowUser(2, 1));
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), []);
  });

  test('followManyUsers and unfollowManyUsers handle several targets in chunks', async ({
    storage,
  }) => {
    const { queue, log } = recordingQueue();
    const { manager } = world(storage, { queue, fanoutChunkSize: 2 });
    const acts = [act(1, 1), act(2, 2), act(3, 3)];
    for (const a of acts) await settled(manager.addUserActivity(a.actor, a));
    log.length = 0;
    const handle = await settled(manager.followManyUsers(9, [1, 2, 3, 2]));
    assert.equal(handle.total, 2, 'three distinct targets in chunks of two');
    assert.deepEqual(
      log.map((l) => [l.task.type, l.priority]),
      [
        ['follow', 'high'],
        ['follow', 'high'],
      ],
    );
    assert.equal(await manager.getFeeds(9).timeline.count(), 3);
    await settled(manager.unfollowManyUsers(9, [1, 3]));
    assert.deepEqual(await idsIn(manager.getFeeds(9).timeline), [acts[1]!.id]);
    const empty = await settled(manager.followManyUsers(9, []));
    assert.equal(empty.total, 0);
  });

  test('user ids given as numbers or strings name the same feeds and actors', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage);
    followers.set('5', [2]);
    const a = act(5, 1);
    await settled(manager.addUserActivity('5', a));
    assert.deepEqual(await idsIn(manager.getFeeds('2').timeline), [a.id]);
    assert.deepEqual(await idsIn(manager.getUserFeed(5)), [a.id]);
    await settled(manager.followUser('3', '5'));
    assert.equal(await manager.getFeeds(3).timeline.count(), 1);
    await settled(manager.unfollowUser(3, '5'));
    assert.equal(await manager.getFeeds(3).timeline.count(), 0, 'actor 5 matched by "5"');
  });

  test('getFeeds returns typed handles and getFeed finds every registered feed', async ({
    storage,
  }) => {
    const { manager } = world(storage);
    const feeds = manager.getFeeds(1);
    assert.deepEqual(Object.keys(feeds), ['timeline']);
    const timeline: FlatFeed = feeds.timeline;
    assert.equal(timeline.kind, 'flat');
    assert.equal(typeof timeline.filter, 'function');
    assert.equal(timeline.key, manager.getFeeds('1').timeline.key);
    const mentions: FlatFeed = manager.getFeed('mentions', 1);
    assert.equal(mentions.name, 'mentions');
    // Names outside the fan-out and target feeds do not compile on the inferred manager; the
    // widened type takes any name, as JavaScript callers do: the user feed's is found too.
    const byAnyName: Manager = manager;
    assert.equal(byAnyName.getFeed('user', 1).key, manager.getUserFeed(1).key);
    assert.throws(() => byAnyName.getFeed('nope', 1), { code: 'UNKNOWN_FEED' });
    assert.deepEqual(manager.feedNames, ['user', 'timeline', 'mentions']);
    assert.equal(manager.definitions.timeline?.kind, 'flat');
  });
  for (const normalizedUser of [true, false]) {
    test(`followUser from a ${normalizedUser ? 'normalized' : 'denormalized'} user feed copies the newest, oldest first in batches, with changes and metrics`, async ({
      storage,
    }) => {
      const { manager, timeline, fanouts, changes } = copyWorld(storage, {
        normalizedUser,
        aggregated: false,
      });
      const activities = Array.from({ length: 6 }, (_, i) => act(1, i + 1));
      await settled(manager.batchImport(1, activities, { fanout: false }));
      changes.length = 0;
      await settled(manager.followUser(2, 1, { limit: 5 }));
      const copied = activities.slice(1).map((a) => a.id);
      assert.deepEqual(await idsIn(timeline.for(2)), [...copied].reverse());
      assert.deepEqual(
        changes.map((c) => [c.userId, c.reason, [...c.ids]]),
        [
          ['2', 'add', copied.slice(0, 2)],
          ['2', 'add', copied.slice(2, 4)],
          ['2', 'add', copied.slice(4)],
        ],
        'one add per batch of maxBatchSize, oldest first',
      );
      assert.deepEqual(
        fanouts.map((e) => [e.feed, e.operation, e.feeds, e.activities]),
        [['timeline', 'follow', 1, 5]],
      );
    });
  }

  test('followUser of a user whose feed references a deleted activity: normalized flat feeds copy the id, reads skip it', async ({
    storage,
  }) => {
    const { manager, timeline } = copyWorld(storage, { normalizedUser: true, aggregated: false });
    const [a, b, c] = [act(1, 1), act(1, 2), act(1, 3)];
    await settled(manager.batchImport(1, [a, b, c], { fanout: false }));
    await storage.activities.removeMany([b.id]);
    await settled(manager.followUser(2, 1));
    const page = await timeline.for(2).read({ limit: 10 });
    assert.deepEqual(
      page.items.map((x) => x.id),
      [c.id, a.id],
    );
    assert.deepEqual(page.missing, [b.id]);
    // The dangling entry holds a slot, as any entry whose activity is gone does.
    assert.equal(await timeline.for(2).count(), 3);
  });

  test('followUser of a user whose feed references a deleted activity: with a feed that needs activities, no feed gets it', async ({
    storage,
  }) => {
    const { manager, timeline, aggregated } = copyWorld(storage, {
      normalizedUser: true,
      aggregated: true,
    });
    const activities = Array.from({ length: 5 }, (_, i) => act(1, i + 1));
    await settled(manager.batchImport(1, activities, { fanout: false }));
    const gone = activities[3]!.id;
    await storage.activities.removeMany([gone]);
    await settled(manager.followUser(2, 1, { limit: 3 }));
    // The newest 3 that exist: the missing one does not count against the limit.
    const expected = [activities[4]!, activities[2]!, activities[1]!].map((x) => x.id);
    assert.deepEqual(await idsIn(timeline.for(2)), expected);
    assert.equal(await timeline.for(2).count(), 3);
    const groups = (await aggregated.for(2).read()).items;
    assert.deepEqual(groups.flatMap((g) => [...g.activityIds]).sort(), [...expected].sort());
  });
}

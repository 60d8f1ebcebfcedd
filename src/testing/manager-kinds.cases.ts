import assert from 'node:assert/strict';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import type { FollowerIds } from '../manager/follower-ids.js';
import { createManager } from '../manager/manager.js';
import type { Storage } from '../storage/contracts.js';
import { act, idsIn, type ManagerTest, recordingQueue, settled } from './manager-world.js';

/** A manager fanning out to a flat and an aggregated feed, with a notification target feed. */
function groupWorld(storage: Storage) {
  const followers = new Map<string, FollowerIds>();
  const { queue, log } = recordingQueue();
  const manager = createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage }),
      aggregated: defineAggregatedFeed({ name: 'aggregated', storage }),
    },
    targetFeeds: { notification: defineNotificationFeed({ name: 'notification', storage }) },
    getFollowerIds: (userId) => followers.get(userId) ?? [],
    queue,
  });
  return { manager, followers, log };
}

const groupsOf = async (feed: {
  read(): Promise<{ items: readonly { activityIds: readonly string[] }[] }>;
}) => (await feed.read()).items.map((g) => [...g.activityIds]);

/** Fan-out to aggregated and notification feeds. */
export function registerKindCases(test: ManagerTest): void {
  test('fan-out to an aggregated feed merges the activities into one group', async ({
    storage,
  }) => {
    const { manager, followers, log } = groupWorld(storage);
    followers.set('1', [2]);
    const [a, b] = [act(1, 1), act(1, 2)];
    await settled(manager.addUserActivity(1, a));
    await settled(manager.addUserActivity(1, b));
    assert.equal(log.length, 4, 'one task per fan-out feed per activity');
    const feeds = manager.getFeeds(2);
    assert.deepEqual(await groupsOf(feeds.aggregated), [[b.id, a.id]]);
    assert.deepEqual(await idsIn(feeds.timeline), [b.id, a.id]);
  });

  test('removeUserActivity removes from aggregated feeds by activity, by id and by scan', async ({
    storage,
  }) => {
    const { manager, followers } = groupWorld(storage);
    followers.set('1', [2]);
    const [a, b, c, d] = [act(1, 1), act(1, 2), act(1, 3), act(1, 4)];
    for (const x of [a, b, c, d]) await settled(manager.addUserActivity(1, x));
    await settled(manager.removeUserActivity(1, a));
    await settled(manager.removeUserActivity(1, b.id));
    await storage.activities.removeMany([c.id]);
    await settled(manager.removeUserActivity(1, c.id));
    assert.deepEqual(await groupsOf(manager.getFeeds(2).aggregated), [[d.id]]);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [d.id]);
  });

  test('an aggregated fan-out task run twice keeps one activity in its group', async ({
    storage,
  }) => {
    const { manager, followers, log } = groupWorld(storage);
    followers.set('1', [2]);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    for (const { task } of log) await manager.runTask(JSON.parse(JSON.stringify(task)));
    const [group] = (await manager.getFeeds(2).aggregated.read()).items;
    assert.equal(group?.activityCount, 1);
    assert.deepEqual(group?.activityIds, [a.id]);
  });

  test('to delivers into a notification target feed as an unseen group', async ({ storage }) => {
    const { manager } = groupWorld(storage);
    const a = act(1, 1, { verb: 'follow', to: ['notification:42'] });
    await settled(manager.addUserActivity(1, a));
    const notifications = manager.getFeed('notification', 42);
    assert.deepEqual(await notifications.counts(), { unseen: 1, unread: 1 });
    assert.deepEqual(await groupsOf(notifications), [[a.id]]);
    await settled(manager.removeUserActivity(1, a.id));
    assert.equal(await notifications.count(), 0);
  });

  test('followUser copies into aggregated feeds and unfollowUser removes them', async ({
    storage,
  }) => {
    const { manager } = groupWorld(storage);
    const [a, b] = [act(1, 1), act(1, 2)];
    await settled(manager.batchImport(1, [a, b]));
    await settled(manager.followUser(2, 1));
    assert.deepEqual(await groupsOf(manager.getFeeds(2).aggregated), [[b.id, a.id]]);
    await settled(manager.unfollowUser(2, 1));
    assert.equal(await manager.getFeeds(2).aggregated.count(), 0);
    assert.equal(await manager.getFeeds(2).timeline.count(), 0);
  });

  test('updateUserActivity refreshes the copy held by a denormalized notification group', async ({
    storage,
  }) => {
    const { manager } = groupWorld(storage);
    const before = act(1, 1, {
      foreignId: 'pin-1',
      extra: { title: 'old' },
      to: ['notification:42'],
    });
    const after = act(1, 1, {
      foreignId: 'pin-1',
      extra: { title: 'new' },
      to: ['notification:42'],
    });
    assert.equal(before.id, after.id, 'same foreignId and time: same activity');
    await settled(manager.addUserActivity(1, before));
    await settled(manager.updateUserActivity(after));
    const [group] = (await manager.getFeed('notification', 42).read()).items;
    assert.equal(group?.activityCount, 1, 'an update is not a second activity');
    assert.deepEqual(group?.activities[0]?.extra, { title: 'new' });
  });
}

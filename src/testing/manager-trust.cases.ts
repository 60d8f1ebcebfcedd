import assert from 'node:assert/strict';
import { createActivity } from '../activity/activity.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import type { FollowerIds } from '../manager/follower-ids.js';
import { createManager } from '../manager/manager.js';
import { createJsonSerializer } from '../serialization/json-serializer.js';
import type { Storage } from '../storage/contracts.js';
import {
  act,
  dumpFeeds,
  idsIn,
  type ManagerTest,
  settled,
  T0,
  testQueue,
  world,
} from './manager-world.js';

/** Flat, aggregated and notification feeds with small maxLengths, all reached by fan-out or `to`. */
function smallWorld(storage: Storage) {
  const followers = new Map<string, FollowerIds>();
  const manager = createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10 }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 5 }),
      aggregated: defineAggregatedFeed({ name: 'aggregated', storage, maxLength: 2 }),
    },
    targetFeeds: {
      notification: defineNotificationFeed({ name: 'notification', storage, maxLength: 3 }),
    },
    getFollowerIds: (userId) => followers.get(userId) ?? [],
    queue: testQueue(),
  });
  return { manager, followers };
}

/** Group ids of `feed` holding `id` (retained), and how many groups it has. */
async function groupsHolding(
  feed: { read(o: { limit: number }): Promise<{ items: readonly GroupLike[] }> },
  id: string,
): Promise<string[]> {
  const { items } = await feed.read({ limit: 100 });
  return items.filter((g) => g.activityIds.includes(id)).map((g) => g.group);
}

interface GroupLike {
  readonly group: string;
  readonly activityIds: readonly string[];
}

/** Ownership, updates that regroup, batch-import trimming and checks before the first write. */
export function registerTrustCases(test: ManagerTest): void {
  test('another user can neither remove nor overwrite an activity: NOT_OWNER, nothing written', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [3]);
    followers.set('2', [3, 4]);
    const a = act(1, 1, { foreignId: 'pin:1', extra: { title: 'mine' }, to: ['mentions:9'] });
    await settled(manager.addUserActivity(1, a));
    // Same foreignId and time: the same id, with user 2 as actor.
    const forged = act(2, 1, { foreignId: 'pin:1', extra: { title: 'forged' } });
    assert.equal(forged.id, a.id);
    const before = await dumpFeeds(manager, [1, 2, 3, 4, 9], [a.id]);
    const attempts: [string, () => Promise<unknown>][] = [
      ['remove by id', () => manager.removeUserActivity(2, a.id)],
      ['remove by activity', () => manager.removeUserActivity(2, a)],
      ['remove the forged version', () => manager.removeUserActivity(2, forged)],
      ['add it as user 2', () => manager.addUserActivity(2, a)],
      ['add the forged version', () => manager.addUserActivity(2, forged)],
      ['update to the forged version', () => manager.updateUserActivity(forged)],
      ['update many', () => manager.updateUserActivities([forged])],
      ['import it', () => manager.batchImport(2, [forged])],
    ];
    for (const [what, attempt] of attempts) {
      await assert.rejects(attempt(), { code: 'NOT_OWNER' }, what);
      assert.deepEqual(await dumpFeeds(manager, [1, 2, 3, 4, 9], [a.id]), before, what);
    }
  });

  test('removal by id of an activity found nowhere of the caller touches no one else', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage, { denormalized: true });
    followers.set('1', [3]);
    followers.set('2', [3]);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    await storage.activities.removeMany([a.id]); // its stored copy is gone
    const before = await dumpFeeds(manager, [1, 2, 3], [a.id]);
    const handle = await settled(manager.removeUserActivity(2, a.id));
    assert.equal(handle.total, 0, 'no task: nothing proves the activity is user 2s');
    assert.deepEqual(await dumpFeeds(manager, [1, 2, 3], [a.id]), before);
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), [a.id]);
  });

  test('ownerOf lets an app publish and remove activities whose actor is someone else', async ({
    storage,
  }) => {
    const ownerOf = (a: { extra: { owner?: unknown } }) => a.extra.owner as number;
    const { manager, followers } = world(storage, { ownerOf });
    followers.set('7', [2]);
    const page = act('page:1', 1, { extra: { owner: 7 } });
    await assert.rejects(manager.addUserActivity('page:1', page), { code: 'NOT_OWNER' });
    await settled(manager.addUserActivity(7, page));
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [page.id]);
    await assert.rejects(manager.removeUserActivity('page:1', page.id), { code: 'NOT_OWNER' });
    await settled(manager.removeUserActivity(7, page.id));
    assert.equal(await manager.getFeeds(2).timeline.count(), 0);
  });

  test('an update that changes the verb moves the activity to one new group; removal leaves none', async ({
    storage,
  }) => {
    const { manager, followers } = smallWorld(storage);
    followers.set('1', [2]);
    const v1 = act(1, 1, { foreignId: 'pin:1', to: ['notification:9'] });
    const v2 = act(1, 1, { foreignId: 'pin:1', verb: 'love', to: ['notification:9'] });
    assert.equal(v1.id, v2.id, 'same foreignId and time: same activity');
    await settled(manager.addUserActivity(1, v1));
    await settled(manager.addUserActivity(1, act(1, 2))); // keeps the old group alive
    await settled(manager.updateUserActivity(v2));
    const aggregated = manager.getFeeds(2).aggregated;
    const notification = manager.getFeed('notification', 9);
    assert.equal((await groupsHolding(aggregated, v1.id)).length, 1, 'aggregated: one group');
    assert.match((await groupsHolding(aggregated, v1.id))[0]!, /^love\|/);
    assert.equal((await groupsHolding(notification, v1.id)).length, 1, 'notification: one group');
    const total = (await aggregated.read({ limit: 100 })).items.reduce(
      (n, g) => n + g.activityCount,
      0,
    );
    assert.equal(total, 2, 'the moved activity is counted once');
    await settled(manager.removeUserActivity(1, v1.id));
    assert.deepEqual(await groupsHolding(aggregated, v1.id), []);
    assert.deepEqual(await groupsHolding(notification, v1.id), []);
    assert.equal(await notification.count(), 0);
  });

  test('a task whose previous version is another activity is refused: it cannot remove that one', async ({
    storage,
  }) => {
    const { manager, followers } = smallWorld(storage);
    followers.set('1', [2]);
    const victim = act(1, 1, { verb: 'love' });
    await settled(manager.addUserActivity(1, victim));
    const json = createJsonSerializer();
    const forged = {
      v: 1,
      type: 'fanout',
      op: 'add',
      feed: 'aggregated',
      userIds: ['2'],
      activities: [json.encodeActivity(act(3, 2))],
      previous: [json.encodeActivity(victim)],
      trim: true,
    };
    const before = await dumpFeeds(manager, [1, 2, 3], [victim.id]);
    await assert.rejects(manager.runTask(forged), { code: 'INVALID_TASK', message: /previous/ });
    assert.deepEqual(await dumpFeeds(manager, [1, 2, 3], [victim.id]), before);
  });

  test('updateUserActivity drops the copy of a to feed the new version no longer names', async ({
    storage,
  }) => {
    const { manager } = world(storage);
    const v1 = act(1, 1, { foreignId: 'pin:1', to: ['mentions:8', 'mentions:9'] });
    const v2 = act(1, 1, { foreignId: 'pin:1', to: ['mentions:9'], extra: { edited: true } });
    await settled(manager.addUserActivity(1, v1));
    await settled(manager.updateUserActivity(v2));
    assert.equal(await manager.getFeed('mentions', 8).count(), 0);
    assert.deepEqual(await idsIn(manager.getFeed('mentions', 9)), [v1.id]);
  });

  test('batchImport trims every feed it wrote at the end: user, followers, to targets', async ({
    storage,
  }) => {
    const { manager, followers } = smallWorld(storage);
    followers.set('1', { high: [2], low: [3] });
    const activities = Array.from({ length: 30 }, (_, i) =>
      act(1, i + 1, { verb: `v${i % 6}`, to: ['notification:9'] }),
    );
    await settled(manager.batchImport(1, activities, { chunkSize: 7 }));
    const newest = activities.map((a) => a.id).reverse();
    assert.deepEqual(await idsIn(manager.getUserFeed(1)), newest.slice(0, 10));
    for (const follower of [2, 3]) {
      const feeds = manager.getFeeds(follower);
      assert.deepEqual(await idsIn(feeds.timeline), newest.slice(0, 5), `timeline of ${follower}`);
      assert.equal(await feeds.aggregated.count(), 2, `aggregated of ${follower}`);
    }
    assert.equal(await manager.getFeed('notification', 9).count(), 3);
  });

  test('a publish over the task payload limit is refused before the first write', async ({
    storage,
  }) => {
    const serializer = createJsonSerializer({ maxActivityLength: 2_000_000 });
    const { manager, followers, followerCalls } = world(storage, { serializer });
    followers.set('1', [2]);
    const big = createActivity({
      actor: 1,
      verb: 'add',
      object: 1,
      time: T0,
      foreignId: 'big',
      extra: { blob: 'x'.repeat(1_100_000) },
      to: ['mentions:9'],
    });
    const before = await dumpFeeds(manager, [1, 2, 9], [big.id]);
    const calls: [string, () => Promise<unknown>][] = [
      ['addUserActivity', () => manager.addUserActivity(1, big)],
      ['updateUserActivity', () => manager.updateUserActivity(big)],
      ['batchImport', () => manager.batchImport(1, [big])],
    ];
    for (const [what, call] of calls) {
      await assert.rejects(call(), { code: 'LIMIT_EXCEEDED' }, what);
      assert.deepEqual(await dumpFeeds(manager, [1, 2, 9], [big.id]), before, what);
    }
    assert.deepEqual(followerCalls, []);
  });

  test('updateUserActivities writes nothing when a later update fails its checks', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [3]);
    followers.set('2', ['']); // getFollowerIds returns a bad id for user 2: INVALID_ID
    const a = act(1, 1, { foreignId: 'a' });
    const b = act(2, 2, { foreignId: 'b' });
    const before = await dumpFeeds(manager, [1, 2, 3], [a.id, b.id]);
    await assert.rejects(manager.updateUserActivities([a, b]), { code: 'INVALID_ID' });
    assert.deepEqual(await dumpFeeds(manager, [1, 2, 3], [a.id, b.id]), before);
  });
}

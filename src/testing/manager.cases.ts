/**
 * Conformance suite of the fan-out manager: `describeManager(runner, backend)` runs every manager test
 * against storage from `backend.create()`. It covers the Python original's `RedisManagerTest`
 * and the defects fixed since (orphaned activities, non-JSON tasks, per-chunk follower queries).
 * @module
 */
import assert from 'node:assert/strict';
import type { BackendUnderTest } from './backend.js';
import { harnessTest } from './harness.js';
import { registerFollowCases } from './manager-follow.cases.js';
import { registerHybridCases } from './manager-hybrid.cases.js';
import { registerHybridModelCases } from './manager-hybrid-model.cases.js';
import { registerHybridRebuildCases } from './manager-hybrid-rebuild.cases.js';
import { registerKindCases } from './manager-kinds.cases.js';
import { registerTaskCases } from './manager-tasks.cases.js';
import { registerTrustCases } from './manager-trust.cases.js';
import {
  act,
  holdingQueue,
  idsIn,
  type ManagerTest,
  managerContext,
  settled,
  world,
} from './manager-world.js';
import type { KitRunner } from './runner.js';

/**
 * Registers the manager conformance tests (group `'manager'`) for a backend with `runner`.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * describeManager({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeManager(runner: KitRunner, backend: BackendUnderTest): void {
  harnessTest(runner, backend, `manager (${backend.name})`, 'manager', (harness) => {
    const test = harness.map(managerContext(backend));
    registerPublishCases(test);
    registerTaskCases(test);
    registerFollowCases(test);
    registerKindCases(test);
    registerTrustCases(test);
    registerHybridCases(test);
    registerHybridModelCases(test);
    registerHybridRebuildCases(test);
  });
}

function registerPublishCases(test: ManagerTest): void {
  test('addUserActivity writes the user feed and every follower feed', async ({ storage }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [2, 3]);
    const a = act(1, 1);
    const handle = await manager.addUserActivity(1, a);
    assert.equal(handle.activityId, a.id);
    assert.equal(handle.total, 1, 'two followers fit in one task');
    await handle.done();
    assert.equal(handle.completed(), handle.total, 'every task completed once done() resolved');
    assert.deepEqual(await idsIn(manager.getUserFeed(1)), [a.id]);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [a.id]);
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), [a.id]);
    assert.deepEqual(await idsIn(manager.getFeeds(1).timeline), []);
  });

  test('fan-out to three followers leaves their user feeds empty', async ({ storage }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [2, 3, 4]);
    await settled(manager.addUserActivity(1, act(1, 1)));
    for (const follower of [2, 3, 4]) {
      assert.equal(await manager.getFeeds(follower).timeline.count(), 1);
      assert.equal(await manager.getUserFeed(follower).count(), 0);
    }
  });

  test('addUserActivity then removeUserActivity empties user and follower feeds', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [2]);
    const [a, b] = [act(1, 1), act(1, 2)];
    await settled(manager.addUserActivity(1, a));
    await settled(manager.addUserActivity(1, b));
    const handle = await settled(manager.removeUserActivity(1, a));
    assert.equal(handle.activityId, a.id);
    assert.deepEqual(await idsIn(manager.getUserFeed(1)), [b.id]);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [b.id]);
  });

  test('removeUserActivity collects the activity from activity storage', async ({ storage }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [2]);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    assert.notEqual((await storage.activities.getMany([a.id]))[0], undefined);
    await settled(manager.removeUserActivity(1, a));
    assert.deepEqual(await storage.activities.getMany([a.id]), [undefined]);
  });

  test('removeUserActivity by id removes from every feed and collects the activity', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [2, 3]);
    const a = act(1, 1, { to: ['mentions:9'] });
    await settled(manager.addUserActivity(1, a));
    await settled(manager.removeUserActivity(1, a.id));
    assert.equal(await manager.getUserFeed(1).count(), 0);
    assert.equal(await manager.getFeeds(2).timeline.count(), 0);
    assert.equal(await manager.getFeeds(3).timeline.count(), 0);
    assert.equal(await manager.getFeed('mentions', 9).count(), 0);
    assert.deepEqual(await storage.activities.getMany([a.id]), [undefined]);
  });

  test('removeUserActivity by id of an activity already gone from storage removes by id', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage, { denormalized: true });
    followers.set('1', [2]);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    await storage.activities.removeMany([a.id]);
    await settled(manager.removeUserActivity(1, a.id));
    assert.equal(await manager.getUserFeed(1).count(), 0);
    assert.equal(await manager.getFeeds(2).timeline.count(), 0);
  });

  test('a follower feed whose removal task has not run skips the collected activity', async ({
    storage,
  }) => {
    const { queue, tasks } = holdingQueue();
    const { manager, followers } = world(storage, { queue });
    followers.set('1', [2]);
    const a = act(1, 1);
    await manager.addUserActivity(1, a);
    for (const task of tasks.splice(0)) await manager.runTask(task);
    await manager.removeUserActivity(1, a);
    assert.equal(tasks.length, 1, 'the removal task is still queued');
    const page = await manager.getFeeds(2).timeline.read();
    assert.deepEqual(page.items, []);
    assert.deepEqual(page.missing, [a.id]);
    await manager.runTask(tasks[0]);
    assert.equal(await manager.getFeeds(2).timeline.count(), 0);
  });

  test('updateUserActivity with the same foreignId and time updates denormalized followers in place', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage, { denormalized: true });
    followers.set('1', [2]);
    const v1 = act(1, 1, { foreignId: 'pin:1', extra: { title: 'old' } });
    const v2 = act(1, 1, { foreignId: 'pin:1', extra: { title: 'new' } });
    assert.equal(v1.id, v2.id);
    await settled(manager.addUserActivity(1, v1));
    await settled(manager.updateUserActivity(v2));
    const follower = (await manager.getFeeds(2).timeline.read()).items;
    assert.deepEqual(
      follower.map((a) => a.extra),
      [{ title: 'new' }],
    );
    const own = (await manager.getUserFeed(1).read()).items;
    assert.deepEqual(
      own.map((a) => a.extra),
      [{ title: 'new' }],
    );
  });

  test('updateUserActivities re-publishes each activity under its actor', async ({ storage }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [3]);
    followers.set('2', [3]);
    const a = act(1, 1, { foreignId: 'a', extra: { v: 1 } });
    const b = act(2, 2, { foreignId: 'b', extra: { v: 1 } });
    await settled(manager.addUserActivity(1, a));
    await settled(manager.addUserActivity(2, b));
    const handles = await manager.updateUserActivities([
      act(1, 1, { foreignId: 'a', extra: { v: 2 } }),
      act(2, 2, { foreignId: 'b', extra: { v: 2 } }),
    ]);
    assert.deepEqual(
      handles.map((h) => h.activityId),
      [a.id, b.id],
    );
    for (const handle of handles) await handle.done();
    const items = (await manager.getFeeds(3).timeline.read()).items;
    assert.deepEqual(
      items.map((x) => [x.id, x.extra]),
      [
        [b.id, { v: 2 }],
        [a.id, { v: 2 }],
      ],
    );
  });

  test('batchImport adds every activity to the user feed and the follower feeds', async ({
    storage,
  }) => {
    const { manager, followers, followerCalls } = world(storage);
    followers.set('1', [2, 3]);
    const activities = Array.from({ length: 10 }, (_, i) => act(1, i + 1));
    const result = await settled(manager.batchImport(1, activities, { chunkSize: 3 }));
    assert.equal(result.activities, 10);
    assert.equal(result.chunks, 4);
    assert.equal(result.total, 5, 'one task per chunk (2 followers fit in one), then one trim');
    assert.deepEqual(followerCalls, ['1'], 'follower ids are read once, not per chunk');
    const expected = activities.map((a) => a.id).reverse();
    assert.deepEqual(await idsIn(manager.getUserFeed(1)), expected);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), expected);
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), expected);
  });

  test('batchImport of an empty list returns at once', async ({ storage }) => {
    const { manager, followerCalls } = world(storage);
    const result = await settled(manager.batchImport(1, []));
    assert.deepEqual([result.activities, result.chunks, result.total], [0, 0, 0]);
    assert.deepEqual(followerCalls, []);
  });

  test('batchImport rejects an activity by another actor before writing anything', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [2]);
    const activities = [act(1, 1), act(1, 2), act(7, 3)];
    await assert.rejects(manager.batchImport(1, activities), {
      code: 'NOT_OWNER',
      message: /activity 2: .* belongs to user "7"/,
    });
    assert.equal(await manager.getUserFeed(1).count(), 0);
    assert.equal(await manager.getFeeds(2).timeline.count(), 0);
    assert.deepEqual(await storage.activities.getMany([activities[0]!.id]), [undefined]);
  });

  test('batchImport reports monotonic progress ending at the total', async ({ storage }) => {
    const { manager, followers } = world(storage, { batchImportChunkSize: 3 });
    followers.set('1', [2]);
    const progress: [number, number][] = [];
    const activities = Array.from({ length: 7 }, (_, i) => act(1, i + 1));
    const result = await manager.batchImport(1, activities, {
      onProgress: (p) => progress.push([p.done, p.total]),
    });
    assert.deepEqual(progress, [
      [3, 7],
      [6, 7],
      [7, 7],
    ]);
    assert.equal(result.chunks, 3);
  });

  test('batchImport does not trim and, without fanout, writes only the user feed', async ({
    storage,
  }) => {
    const { manager, followers, followerCalls } = world(storage);
    followers.set('1', [2]);
    const activities = Array.from({ length: 12 }, (_, i) => act(1, i + 1));
    const result = await settled(
      manager.batchImport(1, activities, { fanout: false, chunkSize: 5 }),
    );
    assert.equal(result.total, 0);
    assert.equal(await manager.getUserFeed(1).count(), 12);
    assert.equal(await manager.getFeeds(2).timeline.count(), 0);
    assert.deepEqual(followerCalls, []);
  });

  test('to targets receive the activity; followers do not get the target feed', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [2]);
    const a = act(1, 1, { to: ['mentions:42', 'timeline:99'] });
    await settled(manager.addUserActivity(1, a));
    assert.deepEqual(await idsIn(manager.getFeed('mentions', 42)), [a.id]);
    assert.deepEqual(await idsIn(manager.getFeeds(99).timeline), [a.id]);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [a.id]);
    assert.equal(await manager.getFeed('mentions', 2).count(), 0);
  });

  test('an unknown to feed is rejected before any write', async ({ storage }) => {
    const { manager, followers, followerCalls } = world(storage);
    followers.set('1', [2]);
    const a = act(1, 1, { to: ['mentions:42', 'nosuchfeed:42'] });
    await assert.rejects(manager.addUserActivity(1, a), { code: 'UNKNOWN_FEED' });
    await assert.rejects(manager.addUserActivity(1, act(1, 2, { to: ['user:5'] })), {
      code: 'UNKNOWN_FEED',
    });
    assert.deepEqual(followerCalls, []);
    assert.equal(await manager.getUserFeed(1).count(), 0);
    assert.equal(await manager.getFeed('mentions', 42).count(), 0);
    assert.equal(await manager.getFeeds(2).timeline.count(), 0);
    assert.deepEqual(await storage.activities.getMany([a.id]), [undefined]);
  });
}

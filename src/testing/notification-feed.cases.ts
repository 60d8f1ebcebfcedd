/**
 * The conformance suite of notification feeds (`defineNotificationFeed`): the Python Stream
 * Framework's TestRedisNotificationFeed and TestNotificationFeed behaviours (unseen/unread state,
 * marking, ordering, delete) plus what this library adds: counts that always equal what the feed
 * holds, per-item flags, change events, atomic concurrent writes. Only the public API and the
 * storage contracts are used, so it runs unchanged on every backend. The event and concurrency
 * cases live in `notification-feed-events.cases.ts`.
 * @module
 */
import assert from 'node:assert/strict';
import { byVerbObjectAndDay } from '../aggregation/aggregators.js';
import type { BackendUnderTest } from './backend.js';
import { registerNotificationCopyCases } from './group-copy.cases.js';
import {
  act,
  actOnDay,
  defineTestNotifications,
  flagsOf,
  type GroupCase,
  notificationGroupId,
  range,
  storageOf,
} from './group-feed-support.js';
import { harnessTest } from './harness.js';
import { registerNotificationEventCases } from './notification-feed-events.cases.js';
import type { KitRunner } from './runner.js';

/**
 * Registers the notification feed conformance suite (group `'notification-feed'`) against
 * `backend` with `runner`; the cases copying groups between feeds are also in group `'group-copy'`.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * describeNotificationFeed({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeNotificationFeed(runner: KitRunner, backend: BackendUnderTest): void {
  const title = `notification feed conformance (${backend.name})`;
  harnessTest(runner, backend, title, 'notification-feed', (harness) => {
    const test = harness.map(storageOf);
    registerStateCases(test);
    registerNotificationEventCases(test);
    registerNotificationCopyCases(test.in('group-copy'));
  });
}

function registerStateCases(test: GroupCase): void {
  const define = defineTestNotifications;
  const gid = notificationGroupId;
  /** Activity `n` about object `o` (one notification group per object and day). */
  const about = (n: number, o: number) => act(n, { object: `pin-${o}` });

  test('an activity pushed out of its group and delivered again changes nothing, not even the unseen count', async (storage) => {
    const feed = define(storage, { groups: { maxActivities: 2 } }).for(1);
    const acts = range(4).map((i) => act(i + 1, { object: 'pin-1' }));
    await feed.addMany(acts);
    assert.equal(await feed.markAllSeen(), 1);
    assert.equal(await feed.add(acts[0]!), 0);
    const [g] = (await feed.read()).items;
    assert.equal(g!.activityCount, 4);
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 1 });
  });

  test('new groups are unseen and unread', async (storage) => {
    const feed = define(storage).for(1);
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 0 });
    await feed.addMany([about(1, 1), about(2, 2)]);
    assert.deepEqual(await feed.counts(), { unseen: 2, unread: 2 });
    assert.equal(await feed.countUnseen(), 2);
    assert.equal(await feed.countUnread(), 2);
    const { items } = await feed.read();
    assert.deepEqual(flagsOf(items), [
      [gid(about(2, 2)), false, false],
      [gid(about(1, 1)), false, false],
    ]);
  });

  test('groups are by verb, object and day, and hold their activities (denormalized)', async (storage) => {
    const def = define(storage);
    assert.equal(def.normalized, false);
    const feed = def.for(1);
    const acts = [
      about(1, 1),
      about(2, 1),
      about(3, 2),
      act(4, { object: 'pin-1', verb: 'comment' }),
    ];
    await feed.addMany(acts);
    assert.equal(await feed.count(), 3);
    assert.deepEqual(await storage.activities.getMany([acts[0]!.id]), [undefined]);
    const [g] = await feed.getGroups([gid(acts[0]!)]);
    assert.deepEqual(g!.activities, [acts[1], acts[0]]);
    assert.equal(g!.group, byVerbObjectAndDay.groupKey(acts[0]!));
  });

  test('a group that gets a new activity after markAll is unseen and unread again', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany([about(1, 1), about(2, 2)]);
    await feed.markAll({ seen: true, read: true });
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 0 });
    await feed.add(about(3, 1));
    assert.deepEqual(await feed.counts(), { unseen: 1, unread: 1 });
    const { items } = await feed.read();
    assert.deepEqual(flagsOf(items), [
      [gid(about(1, 1)), false, false],
      [gid(about(2, 2)), true, true],
    ]);
    assert.equal(items[0]!.activityCount, 2);
  });

  test('re-adding an activity a group already holds does not re-mark it', async (storage) => {
    const feed = define(storage).for(1);
    const a = about(1, 1);
    await feed.add(a);
    await feed.markAll({ seen: true, read: true });
    assert.equal(await feed.add(a), 0);
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 0 });
  });

  test('groups are ordered by their last update', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany([about(1, 1), about(2, 2), about(3, 3)]);
    await feed.add(about(4, 1));
    const ids = (await feed.read()).items.map((g) => g.id);
    assert.deepEqual(ids, [gid(about(1, 1)), gid(about(3, 3)), gid(about(2, 2))]);
  });

  test('removing every activity leaves no group and zero counts', async (storage) => {
    const feed = define(storage).for(1);
    const acts = [about(1, 1), about(2, 1), about(3, 2)];
    await feed.addMany(acts);
    assert.equal(await feed.removeMany(acts), 3);
    assert.equal(await feed.count(), 0);
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 0 });
  });

  test('removing an activity from a group does not re-mark it', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b] = [about(1, 1), about(2, 1)];
    await feed.addMany([a, b, about(3, 2)]);
    await feed.markSeen([gid(a)]);
    await feed.markRead([gid(a)]);
    assert.equal(await feed.remove(b.id), 1);
    assert.deepEqual(await feed.counts(), { unseen: 1, unread: 1 });
    const [g] = await feed.getGroups([gid(a)]);
    assert.deepEqual([g!.seen, g!.read, g!.activityCount], [true, true, 1]);
  });

  test('one group is marked seen, then read', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b] = [about(1, 1), about(2, 2)];
    await feed.addMany([a, b]);
    assert.equal(await feed.markSeen([gid(a)]), 1);
    assert.deepEqual(await feed.counts(), { unseen: 1, unread: 2 });
    assert.equal(await feed.markSeen([gid(a)]), 0, 'already seen');
    assert.equal(await feed.markRead([gid(a)]), 1);
    assert.deepEqual(await feed.counts(), { unseen: 1, unread: 1 });
    assert.deepEqual(flagsOf((await feed.read()).items), [
      [gid(b), false, false],
      [gid(a), true, true],
    ]);
  });

  test('marking read does not mark seen unless asked', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b] = [about(1, 1), about(2, 2)];
    await feed.addMany([a, b]);
    assert.equal(await feed.markRead([gid(a)]), 1);
    assert.deepEqual(await feed.counts(), { unseen: 2, unread: 1 });
    assert.equal(await feed.markRead([gid(b)], { seen: true }), 1);
    assert.deepEqual(await feed.counts(), { unseen: 1, unread: 0 });
    const [ga, gb] = await feed.getGroups([gid(a), gid(b)]);
    assert.deepEqual([ga!.seen, ga!.read, gb!.seen, gb!.read], [false, true, true, true]);
  });

  test('many groups are marked at once', async (storage) => {
    const feed = define(storage).for(1);
    const acts = range(5).map((i) => about(i, i));
    await feed.addMany(acts);
    assert.equal(await feed.markSeen(acts.slice(0, 3).map(gid)), 3);
    assert.equal(await feed.markRead(acts.slice(2).map(gid)), 3);
    assert.deepEqual(await feed.counts(), { unseen: 2, unread: 2 });
    const flags = new Map(flagsOf((await feed.read()).items).map(([id, s, r]) => [id, [s, r]]));
    assert.deepEqual(
      acts.map((a) => flags.get(gid(a))),
      [
        [true, false],
        [true, false],
        [true, true],
        [false, true],
        [false, true],
      ],
    );
  });

  test('markAll() marks every group seen only', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany(range(3).map((i) => about(i, i)));
    assert.deepEqual(await feed.markAll(), { seen: 3, read: 0 });
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 3 });
  });

  test('markAll({ read: true }) marks every group read only', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany(range(3).map((i) => about(i, i)));
    assert.deepEqual(await feed.markAll({ read: true }), { seen: 0, read: 3 });
    assert.deepEqual(await feed.counts(), { unseen: 3, unread: 0 });
  });

  test('markAll({ seen: true, read: true }) marks every group seen and read', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany(range(3).map((i) => about(i, i)));
    await feed.markSeen([gid(about(0, 0))]);
    assert.deepEqual(await feed.markAll({ seen: true, read: true }), { seen: 2, read: 3 });
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 0 });
    assert.ok((await feed.read()).items.every((g) => g.seen && g.read));
  });

  test('markAllSeen and markAllRead each clear one state', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany(range(4).map((i) => about(i, i)));
    assert.equal(await feed.markAllSeen(), 4);
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 4 });
    assert.equal(await feed.markAllRead(), 4);
    assert.equal(await feed.markAllRead(), 0);
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 0 });
  });

  test('delete clears the feed and its counts', async (storage) => {
    const def = define(storage);
    await def.for(1).addMany([about(1, 1), about(2, 2)]);
    await def.for(2).add(about(3, 3));
    await def.for(1).delete();
    assert.equal(await def.for(1).count(), 0);
    assert.deepEqual(await def.for(1).counts(), { unseen: 0, unread: 0 });
    assert.deepEqual(await def.for(2).counts(), { unseen: 1, unread: 1 });
    await def.for(1).add(about(4, 4));
    assert.deepEqual(await def.for(1).counts(), { unseen: 1, unread: 1 });
  });

  test('counts equal what the feed holds after trimming to maxLength', async (storage) => {
    const feed = define(storage, { maxLength: 10 }).for(1);
    await feed.addMany(range(30).map((i) => about(i, i)));
    assert.equal(await feed.count(), 10);
    assert.deepEqual(await feed.counts(), { unseen: 10, unread: 10 });
    for (const i of range(5)) await feed.add(about(100 + i, 100 + i));
    assert.deepEqual(await feed.counts(), { unseen: 10, unread: 10 });
  });

  test('counts follow an explicit trim and the removal of groups', async (storage) => {
    const feed = define(storage).for(1);
    const acts = range(6).map((i) => about(i, i));
    await feed.addMany(acts);
    await feed.markSeen([gid(acts[5]!)]);
    assert.equal(await feed.trim(4), 2);
    assert.deepEqual(await feed.counts(), { unseen: 3, unread: 4 });
    await feed.removeMany([acts[4]!, acts[5]!.id]);
    assert.deepEqual(await feed.counts(), { unseen: 2, unread: 2 });
    assert.equal(await feed.count(), 2);
  });

  test('marking an unknown group id is a no-op', async (storage) => {
    const feed = define(storage).for(1);
    await feed.add(about(1, 1));
    assert.equal(await feed.markSeen(['no-such-group']), 0);
    assert.equal(await feed.markRead(['no-such-group'], { seen: true }), 0);
    assert.equal(await feed.markSeen([]), 0);
    assert.deepEqual(await feed.counts(), { unseen: 1, unread: 1 });
    assert.equal(await feed.count(), 1);
    assert.deepEqual(await define(storage).for(2).markAll({ seen: true, read: true }), {
      seen: 0,
      read: 0,
    });
  });

  test('groups created in the same second are marked independently', async (storage) => {
    const feed = define(storage).for(1);
    const t = act(1).time.getTime() + 1;
    const [a, b] = [act(1, { object: 'x', time: t }), act(2, { object: 'y', time: t })];
    await feed.addMany([a, b]);
    assert.equal(await feed.count(), 2);
    await feed.markSeen([gid(a)]);
    const [ga, gb] = await feed.getGroups([gid(a), gid(b)]);
    assert.deepEqual([ga!.seen, gb!.seen], [true, false]);
    await feed.remove(a);
    assert.deepEqual(await feed.counts(), { unseen: 1, unread: 1 });
  });

  test('untracked state counts zero and is never marked', async (storage) => {
    const def = define(storage, { track: { unseen: false } });
    assert.equal(def.trackUnseen, false);
    const feed = def.for(1);
    await feed.addMany([about(1, 1), about(2, 2)]);
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 2 });
    assert.equal(await feed.markSeen([gid(about(1, 1))]), 0);
    assert.equal(await feed.markRead([gid(about(1, 1))], { seen: true }), 1);
    const items = (await feed.read()).items;
    assert.deepEqual(
      items.map((g) => [g.seen, g.read]),
      [
        [true, false],
        [true, true],
      ],
    );
  });

  test('a normalized notification feed hydrates its activities', async (storage) => {
    const feed = define(storage, { normalized: true }).for(1);
    const [a, b] = [about(1, 1), about(2, 1)];
    await feed.addMany([a, b]);
    await storage.activities.removeMany([a.id]);
    const { items, missing } = await feed.read();
    assert.deepEqual(items[0]!.activities, [b]);
    assert.deepEqual(missing, [a.id]);
    assert.deepEqual([items[0]!.seen, items[0]!.read], [false, false]);
  });

  test('activities on different days about the same object are separate groups', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany([actOnDay(1, 0, { object: 'p' }), actOnDay(2, 1, { object: 'p' })]);
    assert.deepEqual(await feed.counts(), { unseen: 2, unread: 2 });
  });
}

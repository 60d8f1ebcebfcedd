/**
 * Notification feed conformance cases about change events, many-feed writes and concurrency.
 * Registered by `describeNotificationFeed`.
 * @module
 */
import assert from 'node:assert/strict';
import type { NotificationChange } from '../feeds/notification-events.js';
import {
  act,
  defineTestNotifications,
  type GroupCase,
  notificationGroupId,
  range,
} from './group-feed-support.js';

/** Registers the event and concurrency cases with `test`. */
export function registerNotificationEventCases(test: GroupCase): void {
  const define = defineTestNotifications;
  const gid = notificationGroupId;
  const about = (n: number, o: number) => act(n, { object: `pin-${o}` });
  const summary = (c: NotificationChange) => [c.reason, c.userId, c.unseen, c.unread];

  test('change events report the reason and the new counts', async (storage) => {
    const def = define(storage);
    const changes: NotificationChange[] = [];
    def.events.on('change', (c) => {
      changes.push(c);
    });
    const feed = def.for(7);
    const [a, b, c, d] = [about(1, 1), about(2, 2), about(3, 3), about(4, 4)];
    await feed.add(a);
    await feed.add(b);
    await feed.add(b); // nothing changes: no event
    await feed.markSeen([gid(a)]);
    await feed.markSeen([gid(a)]); // already seen: no event
    await feed.markRead([gid(a)]);
    await feed.remove(b);
    await feed.addMany([c, d]);
    await feed.trim(1);
    await feed.delete();
    assert.deepEqual(changes.map(summary), [
      ['add', '7', 1, 1],
      ['add', '7', 2, 2],
      ['seen', '7', 1, 2],
      ['read', '7', 1, 1],
      ['remove', '7', 0, 0],
      ['add', '7', 2, 2],
      ['trim', '7', 1, 1],
      ['delete', '7', 0, 0],
    ]);
    assert.equal(changes[0]!.feed, 'notif');
    assert.equal(changes[0]!.key, feed.key);
  });

  test('a throwing listener does not break the write and other listeners still run', async (storage) => {
    const errors: unknown[] = [];
    const def = define(storage, { onListenerError: (error) => errors.push(error) });
    const received: string[] = [];
    def.events.on('change', () => {
      throw new Error('listener failed');
    });
    def.events.on('change', async () => {
      throw new Error('async listener failed');
    });
    def.events.on('change', (c) => {
      received.push(c.reason);
    });
    const feed = def.for(1);
    assert.equal(await feed.add(about(1, 1)), 1);
    assert.equal(await feed.markAllSeen(), 1);
    await new Promise((resolve) => setImmediate(resolve)); // let the async listener's rejection land
    assert.deepEqual(received, ['add', 'seen']);
    assert.deepEqual(await feed.counts(), { unseen: 0, unread: 1 });
    const messages = errors.map((e) => (e instanceof Error ? e.message : String(e))).sort();
    assert.deepEqual(messages, [
      'async listener failed',
      'async listener failed',
      'listener failed',
      'listener failed',
    ]);
  });

  test('off() and the returned unsubscribe function stop delivery', async (storage) => {
    const def = define(storage);
    const first: string[] = [];
    const second: string[] = [];
    const listener = (c: NotificationChange) => {
      first.push(c.reason);
    };
    def.events.on('change', listener);
    const unsubscribe = def.events.on('change', (c) => {
      second.push(c.reason);
    });
    assert.equal(def.events.listenerCount('change'), 2);
    const feed = def.for(1);
    await feed.add(about(1, 1));
    def.events.off('change', listener);
    await feed.add(about(2, 2));
    unsubscribe();
    await feed.add(about(3, 3));
    assert.equal(def.events.listenerCount('change'), 0);
    assert.deepEqual(first, ['add']);
    assert.deepEqual(second, ['add', 'add']);
  });

  test('concurrent adds to one notification feed keep counts exact', async (storage) => {
    const def = define(storage);
    const wave1 = range(20).map((i) => about(i, i % 10));
    const added = await Promise.all(wave1.map((a) => def.for(1).add(a)));
    assert.equal(
      added.reduce((x, y) => x + y, 0),
      20,
    );
    const feed = def.for(1);
    assert.equal(await feed.count(), 10);
    assert.deepEqual(await feed.counts(), { unseen: 10, unread: 10 });
    await feed.markAll({ seen: true, read: true });
    const wave2 = range(10).map((i) => about(100 + i, i < 5 ? i : 100 + i));
    await Promise.all(wave2.map((a) => def.for(1).add(a)));
    assert.equal(await feed.count(), 15);
    assert.deepEqual(await feed.counts(), { unseen: 10, unread: 10 });
    const { items } = await feed.read({ limit: 100 });
    assert.equal(new Set(items.map((g) => g.id)).size, 15);
    assert.equal(items.filter((g) => !g.seen).length, 10);
    for (const i of range(10)) {
      const [g] = await feed.getGroups([gid(about(0, i))]);
      assert.equal(g!.activityCount, i < 5 ? 3 : 2, `group of pin-${i}`);
    }
  });

  test('concurrent adds through several definitions keep counts and markers exact', async (storage) => {
    // Three writers, as three processes would be: each merges its waiting callers into one
    // commit, and the writers' commits race through the atomic update.
    const defs = range(3).map(() => define(storage));
    const wave = range(30).map((i) => about(i, i % 10));
    const added = await Promise.all(wave.map((a, i) => defs[i % 3]!.for(1).add(a)));
    assert.deepEqual(
      added,
      range(30).map(() => 1),
    );
    const feed = defs[0]!.for(1);
    assert.equal(await feed.count(), 10);
    assert.deepEqual(await feed.counts(), { unseen: 10, unread: 10 });
    for (const i of range(10)) {
      const [g] = await feed.getGroups([gid(about(0, i))]);
      assert.equal(g!.activityCount, 3, `group of pin-${i}`);
    }
  });

  test('addToMany and removeFromMany change each feed and emit one event per feed', async (storage) => {
    const def = define(storage);
    const changes: NotificationChange[] = [];
    def.events.on('change', (c) => {
      changes.push(c);
    });
    const [a, b] = [about(1, 1), about(2, 2)];
    await def.addToMany([1, 2, 3], [a, b]);
    for (const user of [1, 2, 3]) {
      assert.deepEqual(await def.for(user).counts(), { unseen: 2, unread: 2 }, `user ${user}`);
    }
    await def.for(2).markAllSeen();
    await def.removeFromMany([1, 2], [a.id]);
    assert.deepEqual(await def.for(1).counts(), { unseen: 1, unread: 1 });
    assert.deepEqual(await def.for(2).counts(), { unseen: 0, unread: 1 });
    assert.deepEqual(await def.for(3).counts(), { unseen: 2, unread: 2 });
    const sorted = changes.map(summary).sort((x, y) => String(x).localeCompare(String(y)));
    assert.deepEqual(sorted, [
      ['add', '1', 2, 2],
      ['add', '2', 2, 2],
      ['add', '3', 2, 2],
      ['remove', '1', 1, 1],
      ['remove', '2', 0, 1],
      ['seen', '2', 0, 2],
    ]);
  });

  test('removeByActors updates the counts', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany([
      act(1, { actor: 'ann', object: 'p1' }),
      act(2, { actor: 'bob', object: 'p1' }),
      act(3, { actor: 'ann', object: 'p2' }),
    ]);
    assert.equal(await feed.removeByActors(['ann']), 2);
    assert.equal(await feed.count(), 1);
    assert.deepEqual(await feed.counts(), { unseen: 1, unread: 1 });
  });
}

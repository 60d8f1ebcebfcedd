import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  changeChannel,
  type PublishedChange,
  type PublishedFeedChange,
  parseFeedChange,
  publishChanges,
  subscribeToChanges,
  subscribeToFeedChanges,
} from '../../src/backends/redis/index.js';
import {
  createActivity,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
} from '../../src/index.js';
import { redisBackend, singleClient } from '../support/redis.js';

const client = singleClient();
const subscriber = client.duplicate();
after(async () => {
  await subscriber.quit();
  await client.quit();
});

/** Resolves with the next `n` changes passed to the returned listener. */
function collect(n: number): {
  listener: (c: PublishedChange) => void;
  done: Promise<PublishedChange[]>;
} {
  const got: PublishedChange[] = [];
  let resolve!: (v: PublishedChange[]) => void;
  const done = new Promise<PublishedChange[]>((r) => {
    resolve = r;
  });
  return {
    listener: (c) => {
      got.push(c);
      if (got.length === n) resolve(got);
    },
    done,
  };
}

describe('Redis real-time changes', () => {
  it('publishes notification changes on the per-feed channel and a subscriber receives them', async () => {
    const backend = redisBackend('redis', client);
    const storage = await backend.create();
    const notifications = defineNotificationFeed({ name: 'notification', storage });
    const stopPublishing = publishChanges(notifications, { client });
    const { listener, done } = collect(2);
    const unsubscribe = await subscribeToChanges(
      { subscriber, feed: 'notification', userId: 'ana:1' },
      listener,
    );
    const other = await subscribeToChanges(
      { subscriber, feed: 'notification', userId: 'ben' },
      () => assert.fail('a change of ana must not reach ben'),
    );
    const feed = notifications.for('ana:1');
    await feed.add(createActivity({ actor: 2, verb: 'love', object: 9, time: 1_764_000_000_000 }));
    await feed.markAll({ seen: true, read: true });
    const changes = await done;
    assert.deepEqual(
      changes.map((c) => [c.reason, c.unseen, c.unread, c.userId]),
      [
        ['add', 1, 1, 'ana:1'],
        ['read', 0, 0, 'ana:1'],
      ],
    );
    stopPublishing();
    await unsubscribe();
    await other();
    await backend.destroy?.(storage);
  });

  it('ignores malformed messages on the channel and reports them', async () => {
    const invalid: string[] = [];
    const received: PublishedChange[] = [];
    const unsubscribe = await subscribeToChanges(
      { subscriber, feed: 'notification', userId: 7, onInvalid: (m) => invalid.push(m) },
      (c) => received.push(c),
    );
    const channel = changeChannel('sf', 'notification', 7);
    await client.publish(channel, 'not json');
    await client.publish(channel, JSON.stringify({ v: 2, feed: 'notification' }));
    await client.publish(
      channel,
      JSON.stringify({
        v: 1,
        feed: 'notification',
        userId: '7',
        key: 'k',
        reason: 'add',
        unseen: 3,
        unread: 3,
      }),
    );
    await new Promise<void>((resolve) => {
      const check = () => (received.length === 1 ? resolve() : setTimeout(check, 10));
      check();
    });
    assert.deepEqual(invalid, ['not json', JSON.stringify({ v: 2, feed: 'notification' })]);
    assert.equal(received[0]?.unseen, 3);
    await unsubscribe();
  });

  it('publishes flat and aggregated feed changes (a fan-out: one per follower feed)', async () => {
    const backend = redisBackend('redis', client);
    const storage = await backend.create();
    const timeline = defineFlatFeed({ name: 'timeline', storage });
    const aggregated = defineAggregatedFeed({ name: 'aggregated', storage });
    const stops = [publishChanges(timeline, { client }), publishChanges(aggregated, { client })];
    const received: PublishedFeedChange[] = [];
    const unsubscribes = await Promise.all(
      [
        { feed: 'timeline', userId: 1 },
        { feed: 'timeline', userId: 2 },
        { feed: 'aggregated', userId: 1 },
      ].map((o) => subscribeToFeedChanges({ subscriber, ...o }, (c) => received.push(c))),
    );
    const a = createActivity({ actor: 9, verb: 'pin', object: 1, time: 1_764_000_000_000 });
    await timeline.addToMany([1, 2, 3], [a]);
    await aggregated.for(1).add(a);
    await timeline.for(2).remove(a);
    await new Promise<void>((resolve) => {
      const check = () => (received.length === 4 ? resolve() : setTimeout(check, 10));
      check();
    });
    const [group] = (await aggregated.for(1).read()).items;
    assert.deepEqual(
      received.map((c) => [c.feed, c.userId, c.reason, c.ids]).sort(),
      [
        ['aggregated', '1', 'add', [group!.id]],
        ['timeline', '1', 'add', [a.id]],
        ['timeline', '2', 'add', [a.id]],
        ['timeline', '2', 'remove', [a.id]],
      ].sort(),
    );
    for (const stop of stops) stop();
    for (const unsubscribe of unsubscribes) await unsubscribe();
    await backend.destroy?.(storage);
  });

  it('parseFeedChange accepts feed changes only', () => {
    const good = { v: 1, feed: 't', userId: '1', key: 't:1', reason: 'add', ids: ['x'] };
    assert.deepEqual(parseFeedChange(JSON.stringify(good)), good);
    for (const bad of [
      { ...good, v: 2 },
      { ...good, reason: 'seen' },
      { ...good, ids: 'x' },
      { ...good, ids: [1] },
      { ...good, userId: 1 },
    ]) {
      assert.equal(parseFeedChange(JSON.stringify(bad)), undefined, JSON.stringify(bad));
    }
    assert.equal(parseFeedChange('not json'), undefined);
  });

  it('keeps user ids with channel-unsafe characters on distinct channels', () => {
    const channels = ['a:b', 'a%3Ab', 'a b', 'a\nb', '*'].map((u) =>
      changeChannel('sf', 'notification', u),
    );
    assert.equal(new Set(channels).size, channels.length);
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  changeChannel,
  type PublishedChange,
  publishChanges,
  subscribeToChanges,
} from '../../src/backends/redis/index.js';
import { createActivity, defineNotificationFeed } from '../../src/index.js';
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

  it('keeps user ids with channel-unsafe characters on distinct channels', () => {
    const channels = ['a:b', 'a%3Ab', 'a b', 'a\nb', '*'].map((u) =>
      changeChannel('sf', 'notification', u),
    );
    assert.equal(new Set(channels).size, channels.length);
  });
});

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

/** Connections subscribed to `channel`, as the server counts them. */
async function subscribers(channel: string): Promise<number> {
  const reply = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string];
  return Number(reply[1]);
}

/** A valid notification change for `userId`, as publishChanges sends it. */
function changeMessage(userId: string, unseen: number): string {
  const change = { v: 1, feed: 'notification', userId, key: `k:${userId}`, reason: 'add' };
  return JSON.stringify({ ...change, unseen, unread: unseen });
}

/** Resolves once `check()` is true, polling the event loop (a test that never gets there times out). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('Redis real-time channel names', () => {
  const code = (c: string) => (e: { code?: string }) => e.code === c;

  it('refuses user ids with a lone surrogate: UTF-8 would give them the channel of another id', async () => {
    for (const userId of ['alice\udbff', 'alice\ud800', '\udc00']) {
      assert.throws(() => changeChannel('sf', 'notification', userId), code('INVALID_ID'));
      await assert.rejects(
        subscribeToChanges({ subscriber, feed: 'notification', userId }, () => {}),
        code('INVALID_ID'),
      );
    }
    const ok = changeChannel('sf', 'notification', 'alice\ufffd');
    assert.equal(await subscribers(ok), 0, 'nothing was subscribed');
  });

  it('refuses feed names and user ids that no feed accepts', () => {
    for (const feed of ['', 'a:b', 'a*', 'x'.repeat(65), 'caf\u00e9']) {
      assert.throws(() => changeChannel('sf', feed, 1), code('INVALID_OPTION'), feed);
    }
    for (const userId of ['', -1, 1.5, 'x'.repeat(513)] as (string | number)[]) {
      assert.throws(() => changeChannel('sf', 'notification', userId), /userId/);
    }
  });
});

describe('Redis real-time changes on a shared subscriber connection', () => {
  it('stopping one subscription leaves the others on the same channel listening', async () => {
    const userId = 'shared-1';
    const channel = changeChannel('sf', 'notification', userId);
    const tabs = [[], [], []] as number[][];
    const stops = await Promise.all(
      tabs.map((got) =>
        subscribeToChanges({ subscriber, feed: 'notification', userId }, (c) => got.push(c.unseen)),
      ),
    );
    await stops[0]!(); // one tab closes
    assert.equal(await subscribers(channel), 1, 'the connection is still subscribed');
    await client.publish(channel, changeMessage(userId, 5));
    await until(() => tabs[1]!.length === 1 && tabs[2]!.length === 1);
    assert.deepEqual(tabs, [[], [5], [5]], 'the open tabs get the change, the closed one not');
    await stops[1]!();
    await stops[2]!();
    assert.equal(await subscribers(channel), 0, 'the last stop unsubscribes');
  });

  it('stopping a subscription twice is harmless', async () => {
    const userId = 'shared-2';
    const channel = changeChannel('sf', 'notification', userId);
    const got: number[] = [];
    const first = await subscribeToChanges({ subscriber, feed: 'notification', userId }, () => {});
    const second = await subscribeToChanges({ subscriber, feed: 'notification', userId }, (c) =>
      got.push(c.unseen),
    );
    await first();
    await first();
    assert.equal(await subscribers(channel), 1);
    await client.publish(channel, changeMessage(userId, 1));
    await until(() => got.length === 1);
    await second();
    await second();
    assert.equal(await subscribers(channel), 0);
  });

  it('concurrent subscribes and stops leave a channel subscribed exactly while a listener wants it', async () => {
    let seed = 7; // mulberry32: a small seeded generator, so every run makes the same moves
    const random = (n: number): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const users = ['race-a', 'race-b', 'race-c'];
    const live: { userId: string; stop: () => Promise<void>; got: number[] }[] = [];
    for (let round = 0; round < 40; round++) {
      // A few subscribes and stops started together, in a random order.
      const ops: (() => Promise<void>)[] = [];
      for (let i = random(4) + 1; i > 0; i--) {
        if (live.length > 0 && random(2) === 0) {
          const [gone] = live.splice(random(live.length), 1);
          ops.push(() => gone!.stop());
        } else {
          const userId = users[random(users.length)]!;
          ops.push(async () => {
            const got: number[] = [];
            const stop = await subscribeToChanges(
              { subscriber, feed: 'notification', userId },
              (c) => got.push(c.unseen),
            );
            live.push({ userId, stop, got });
          });
        }
      }
      await Promise.all(ops.map((op) => op()));
      for (const userId of users) {
        const wanted = live.some((l) => l.userId === userId) ? 1 : 0;
        const channel = changeChannel('sf', 'notification', userId);
        assert.equal(await subscribers(channel), wanted, `round ${round}, ${userId}`);
      }
    }
    assert.ok(subscriber.listenerCount('message') <= 1, 'one message handler per connection');
    for (const userId of users) {
      await client.publish(changeChannel('sf', 'notification', userId), changeMessage(userId, 9));
    }
    await until(() => live.every((l) => l.got.length === 1));
    for (const l of live) await l.stop();
    for (const userId of users) {
      assert.equal(await subscribers(changeChannel('sf', 'notification', userId)), 0);
    }
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  changeChannel,
  type PublishedChange,
  type PublishedFeedChange,
  parseChanges,
  parseFeedChanges,
  publishChanges,
  subscribeToChanges,
  subscribeToFeedChanges,
} from '../../src/backends/redis/index.js';
import { createChangeEmitter } from '../../src/feeds/change-events.js';
import type {
  NotificationChange,
  NotificationChangeReason,
} from '../../src/feeds/notification-events.js';
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

/** Connections subscribed to `channel`, as the server counts them. */
async function subscribers(channel: string): Promise<number> {
  const reply = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number | string];
  return Number(reply[1]);
}

/** A valid notification change for `userId`, as publishChanges sends it. */
function changeMessage(userId: string, unseen: number): string {
  return batchMessage([[userId, `k:${userId}`, unseen, unseen]]);
}

/** A message of notification 'add' changes naming `users` ([userId, key, unseen, unread]). */
function batchMessage(users: unknown[][]): string {
  return JSON.stringify({ v: 2, feed: 'notification', reason: 'add', users });
}

/** Resolves once `check()` is true, polling the event loop (a test that never gets there times out). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
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
    const channel = changeChannel('sf', 'notification');
    const bad = [
      'not json',
      JSON.stringify({ v: 2, feed: 'notification' }),
      // a per-user message of an older publisher (v 1): not accepted
      JSON.stringify({
        v: 1,
        feed: 'notification',
        userId: '7',
        key: 'k',
        reason: 'add',
        unseen: 1,
        unread: 1,
      }),
      // one malformed entry spoils the batch: its valid user 7 gets nothing from it
      batchMessage([
        ['7', 'k', 4, 4],
        ['8', 'k', 'x', 4],
      ]),
    ];
    for (const message of bad) await client.publish(channel, message);
    await client.publish(channel, batchMessage([['7', 'k', 3, 3]]));
    await until(() => received.length === 1);
    assert.deepEqual(invalid, bad);
    assert.deepEqual(received, [
      { v: 2, feed: 'notification', userId: '7', key: 'k', reason: 'add', unseen: 3, unread: 3 },
    ]);
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

  it('parseFeedChanges accepts batches of feed changes only', () => {
    const good = {
      v: 2,
      feed: 't',
      reason: 'add',
      ids: ['x'],
      users: [
        ['1', 't:1'],
        ['2', 't:2', ['y']],
      ],
    };
    assert.deepEqual(parseFeedChanges(JSON.stringify(good)), [
      { v: 2, feed: 't', userId: '1', key: 't:1', reason: 'add', ids: ['x'] },
      { v: 2, feed: 't', userId: '2', key: 't:2', reason: 'add', ids: ['y'] },
    ]);
    for (const bad of [
      { ...good, v: 1 },
      { ...good, reason: 'seen' },
      { ...good, ids: 'x' },
      { ...good, ids: [1] },
      { ...good, users: [[1, 't:1']] },
      { ...good, users: [['1', 't:1', [2]]] },
      { ...good, users: [['1', 't:1', ['y'], 'extra']] },
      { ...good, users: 'x' },
    ]) {
      assert.equal(parseFeedChanges(JSON.stringify(bad)), undefined, JSON.stringify(bad));
    }
    assert.equal(parseFeedChanges('not json'), undefined);
    assert.equal(parseChanges(JSON.stringify(good)), undefined, 'not notification changes');
  });

  it('user ids with channel-unsafe characters get exactly their own changes', async () => {
    const users = ['a:b', 'a%3Ab', 'a b', 'a\nb', '*'];
    const got = users.map(() => [] as number[]);
    const stops = await Promise.all(
      users.map((userId, i) =>
        subscribeToChanges({ subscriber, feed: 'notification', userId }, (c) =>
          got[i]!.push(c.unseen),
        ),
      ),
    );
    const entries = users.map((userId, i) => [userId, `k:${userId}`, i + 1, i + 1]);
    await client.publish(changeChannel('sf', 'notification'), batchMessage(entries));
    await until(() => got.every((g) => g.length === 1));
    assert.deepEqual(got, [[1], [2], [3], [4], [5]]);
    for (const stop of stops) await stop();
  });
});

describe('Redis real-time channel names', () => {
  const code = (c: string) => (e: { code?: string }) => e.code === c;

  it('refuses user ids with a lone surrogate: no feed accepts them', async () => {
    const prefix = 'surrogates';
    for (const userId of ['alice\udbff', 'alice\ud800', '\udc00']) {
      await assert.rejects(
        subscribeToChanges({ subscriber, feed: 'notification', userId, prefix }, () => {}),
        code('INVALID_ID'),
      );
    }
    const channel = changeChannel(prefix, 'notification');
    assert.equal(await subscribers(channel), 0, 'nothing was subscribed');
  });

  it('refuses feed names and user ids that no feed accepts', async () => {
    for (const feed of ['', 'a:b', 'a*', 'x'.repeat(65), 'caf\u00e9']) {
      assert.throws(() => changeChannel('sf', feed), code('INVALID_OPTION'), feed);
      await assert.rejects(
        subscribeToFeedChanges({ subscriber, feed, userId: 1 }, () => {}),
        code('INVALID_OPTION'),
      );
    }
    for (const userId of ['', -1, 1.5, 'x'.repeat(513)] as (string | number)[]) {
      await assert.rejects(
        subscribeToChanges({ subscriber, feed: 'notification', userId }, () => {}),
        /userId/,
      );
    }
  });
});

describe('Redis real-time changes on a shared subscriber connection', () => {
  it('stopping one subscription leaves the others on the same channel listening', async () => {
    const userId = 'shared-1';
    const channel = changeChannel('sf', 'notification');
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
    const channel = changeChannel('sf', 'notification');
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
    // Three subscription targets on two feed channels (prefixes race-a and race-b).
    const targets = [
      { prefix: 'race-a', userId: 'u1' },
      { prefix: 'race-a', userId: 'u2' },
      { prefix: 'race-b', userId: 'u1' },
    ];
    const prefixes = ['race-a', 'race-b'];
    const live: { prefix: string; userId: string; stop: () => Promise<void>; got: number[] }[] = [];
    for (let round = 0; round < 40; round++) {
      // A few subscribes and stops started together, in a random order.
      const ops: (() => Promise<void>)[] = [];
      for (let i = random(4) + 1; i > 0; i--) {
        if (live.length > 0 && random(2) === 0) {
          const [gone] = live.splice(random(live.length), 1);
          ops.push(() => gone!.stop());
        } else {
          const { prefix, userId } = targets[random(targets.length)]!;
          ops.push(async () => {
            const got: number[] = [];
            const stop = await subscribeToChanges(
              { subscriber, feed: 'notification', userId, prefix },
              (c) => got.push(c.unseen),
            );
            live.push({ prefix, userId, stop, got });
          });
        }
      }
      await Promise.all(ops.map((op) => op()));
      for (const prefix of prefixes) {
        const wanted = live.some((l) => l.prefix === prefix) ? 1 : 0;
        const channel = changeChannel(prefix, 'notification');
        assert.equal(await subscribers(channel), wanted, `round ${round}, ${prefix}`);
      }
    }
    assert.ok(subscriber.listenerCount('message') <= 1, 'one message handler per connection');
    for (const prefix of prefixes) {
      const message = batchMessage([
        ['u1', 'k:u1', 9, 9],
        ['u2', 'k:u2', 9, 9],
      ]);
      await client.publish(changeChannel(prefix, 'notification'), message);
    }
    await until(() => live.every((l) => l.got.length === 1));
    for (const l of live) await l.stop();
    for (const prefix of prefixes) {
      assert.equal(await subscribers(changeChannel(prefix, 'notification')), 0);
    }
  });
});

describe('Redis real-time changes: one message per fan-out chunk', () => {
  it('a fan-out is one PUBLISH per 1,000 followers, and each subscriber gets exactly its own change', async () => {
    const backend = redisBackend('redis', client);
    const storage = await backend.create();
    const timeline = defineFlatFeed({ name: 'timeline', storage });
    const prefix = 'chunks';
    const stop = publishChanges(timeline, { client, prefix });
    const channel = changeChannel(prefix, 'timeline');
    // Counted on the subscriber connection itself, after the subscriptions' own handler: once a
    // message is counted here, it has been dispatched to every subscription.
    const messages: string[] = [];
    const count = (c: string, m: string): void => {
      if (c === channel) messages.push(m);
    };
    const inside: PublishedFeedChange[] = [];
    const outside: PublishedFeedChange[] = [];
    const stops = await Promise.all([
      subscribeToFeedChanges({ subscriber, feed: 'timeline', userId: 1_500, prefix }, (c) =>
        inside.push(c),
      ),
      subscribeToFeedChanges(
        { subscriber, feed: 'timeline', userId: 'not-a-follower', prefix },
        (c) => outside.push(c),
      ),
    ]);
    subscriber.on('message', count);
    const followers = Array.from({ length: 2_500 }, (_, i) => i + 1);
    const a = createActivity({ actor: 9, verb: 'pin', object: 3, time: 1_764_000_000_000 });
    await timeline.addToMany(followers, [a]);
    await until(() => messages.length === 3);
    const named = messages.map((m) => parseFeedChanges(m)!.map((c) => Number(c.userId)));
    assert.deepEqual(
      named.map((users) => users.length),
      [1_000, 1_000, 500],
      'one message per 1,000 users',
    );
    assert.deepEqual(named.flat(), followers, 'every follower named once, in order');
    assert.deepEqual(inside, [
      {
        v: 2,
        feed: 'timeline',
        userId: '1500',
        key: 'timeline:1500',
        reason: 'add',
        ids: [a.id],
      },
    ]);
    assert.deepEqual(outside, [], 'a user outside the fan-out hears nothing');
    assert.equal(await subscribers(channel), 1, 'one SUBSCRIBE per connection and feed');
    subscriber.off('message', count);
    stop();
    for (const s of stops) await s();
    await backend.destroy?.(storage);
  });

  it('two users on one connection: stopping one leaves the other listening', async () => {
    const prefix = 'two-users';
    const channel = changeChannel(prefix, 'notification');
    const got = { a: [] as number[], b: [] as number[] };
    const stopA = await subscribeToChanges(
      { subscriber, feed: 'notification', userId: 'a', prefix },
      (c) => got.a.push(c.unseen),
    );
    const stopB = await subscribeToChanges(
      { subscriber, feed: 'notification', userId: 'b', prefix },
      (c) => got.b.push(c.unseen),
    );
    const both = batchMessage([
      ['a', 'k:a', 1, 1],
      ['b', 'k:b', 2, 2],
    ]);
    await client.publish(channel, both);
    await until(() => got.a.length === 1 && got.b.length === 1);
    await stopA();
    assert.equal(await subscribers(channel), 1, 'b still needs the channel');
    await client.publish(channel, both);
    await until(() => got.b.length === 2);
    assert.deepEqual(got, { a: [1], b: [2, 2] });
    await stopB();
    assert.equal(await subscribers(channel), 0);
  });

  it('changes of one user keep their order when the reason changes within a tick', async () => {
    const emitter = createChangeEmitter<NotificationChange>('notification', undefined);
    const prefix = 'order';
    const stop = publishChanges(
      { name: 'notification', events: emitter.events },
      { client, prefix },
    );
    const got: [string, number][] = [];
    const unsubscribe = await subscribeToChanges(
      { subscriber, feed: 'notification', userId: 'o', prefix },
      (c) => got.push([c.reason, c.unseen]),
    );
    const steps: [NotificationChangeReason, number][] = [
      ['add', 1],
      ['add', 2],
      ['seen', 0],
      ['add', 1],
    ];
    for (const [reason, n] of steps) {
      const change = {
        feed: 'notification',
        userId: 'o',
        key: 'k:o',
        reason,
        unseen: n,
        unread: n,
      };
      emitter.emit(change); // all in one tick
    }
    await until(() => got.length === steps.length);
    assert.deepEqual(got, steps);
    stop();
    await unsubscribe();
  });
});

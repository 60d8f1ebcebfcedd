import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  changeChannel,
  createRedisStorage,
  type PublishedFeedChange,
  publishChanges,
  subscribeToFeedChanges,
} from '../../src/backends/redis/index.js';
import { createActivity, defineFlatFeed } from '../../src/index.js';
import { clusterClient, deletePrefix } from '../support/redis.js';

// Change events published through a cluster client (PUBLISH reaches every node) and received by a
// subscriber connected to one master.
const client = clusterClient();
const [host, port] = (process.env.REDIS_CLUSTER_NODES ?? '').split(',')[0]!.split(':');
const subscriber = new Redis({ host: host!, port: Number(port) });
after(async () => {
  await subscriber.quit();
  await client.quit();
});

describe('redis-cluster real-time changes', () => {
  it('a fan-out to 40 feeds publishes one message naming them all, every change delivered', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const timeline = defineFlatFeed({
      name: 'timeline',
      storage: createRedisStorage({ client, prefix }),
    });
    const errors: unknown[] = [];
    const stop = publishChanges(timeline, { client, onError: (e) => errors.push(e) });
    const users = Array.from({ length: 40 }, (_, i) => i + 1);
    const received: PublishedFeedChange[] = [];
    const unsubscribes = await Promise.all(
      users.map((userId) =>
        subscribeToFeedChanges({ subscriber, feed: 'timeline', userId }, (c) => received.push(c)),
      ),
    );
    const a = createActivity({ actor: 1, verb: 'pin', object: 1, time: 1_764_000_000_000 });
    await timeline.addToMany(users, [a]);
    await new Promise<void>((resolve) => {
      const check = () => (received.length >= users.length ? resolve() : setTimeout(check, 10));
      check();
    });
    assert.deepEqual(
      received.map((c) => Number(c.userId)).sort((x, y) => x - y),
      users,
    );
    assert.ok(received.every((c) => c.reason === 'add' && c.ids[0] === a.id));
    assert.deepEqual(errors, []);
    stop();
    for (const unsubscribe of unsubscribes) await unsubscribe();
    await deletePrefix(client, prefix);
  });

  it('stopping one of two subscriptions to a feed on the shared subscriber leaves the other listening', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const timeline = defineFlatFeed({
      name: 'timeline',
      storage: createRedisStorage({ client, prefix }),
    });
    const stop = publishChanges(timeline, { client });
    const tabs = [[], []] as string[][];
    const [first, second] = await Promise.all(
      tabs.map((got) =>
        subscribeToFeedChanges({ subscriber, feed: 'timeline', userId: 'tabs' }, (c) =>
          got.push(...c.ids),
        ),
      ),
    );
    await first!();
    await first!(); // twice: harmless
    const channel = changeChannel('sf', 'timeline');
    const probe = subscriber.duplicate(); // the same node, not in subscriber mode
    const [, count] = (await probe.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    await probe.quit();
    assert.equal(Number(count), 1, 'the subscriber is still subscribed');
    const a = createActivity({ actor: 1, verb: 'pin', object: 2, time: 1_764_000_000_000 });
    await timeline.for('tabs').add(a);
    await new Promise<void>((resolve) => {
      const check = () => (tabs[1]!.length > 0 ? resolve() : setTimeout(check, 10));
      check();
    });
    assert.deepEqual(tabs, [[], [a.id]]);
    stop();
    await second!();
    await deletePrefix(client, prefix);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import {
  createHashCache,
  createListCache,
  createRedisStorage,
  createShardedHashCache,
  createSortedSetCache,
} from '../../src/backends/redis/index.js';
import {
  createActivity,
  createManager,
  defineFlatFeed,
  defineNotificationFeed,
} from '../../src/index.js';
import { LONE_SURROGATES } from '../support/bad-input.js';
import { allKeys, deletePrefix, singleClient } from '../support/redis.js';

// UTF-8 (what Redis stores) turns every lone surrogate into U+FFFD: 'alice\udbff', 'alice\ud800'
// and 'alice\ufffd' would name one key, so they read each other's feed and clear each other's
// badge. Such strings are refused wherever a key is built; nothing is written.
const client = singleClient();
after(() => client.quit());

const code = (expected: string) => (error: { code?: string }) => error.code === expected;

/** Every key under `prefix`. */
const keysUnder = async (prefix: string): Promise<string[]> =>
  (await allKeys(client, `${prefix}:*`)).sort();

async function world() {
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const storage = createRedisStorage({ client, prefix });
  const notifications = defineNotificationFeed({ name: 'notification', storage });
  const user = defineFlatFeed({ name: 'user', storage });
  const timeline = defineFlatFeed({ name: 'timeline', storage });
  const manager = createManager({
    userFeed: user,
    feeds: { timeline, notification: notifications },
    getFollowerIds: () => [],
  });
  return { prefix, storage, notifications, timeline, manager };
}

const a = createActivity({ actor: 'bob', verb: 'like', object: 1, time: 1_764_000_000_000 });

describe('redis: user ids and keys with lone surrogates', () => {
  it("'alice\\udbff', 'alice\\ud800' and 'alice\\ufffd' cannot share a feed or a badge", async () => {
    const { prefix, notifications, timeline, manager } = await world();
    try {
      await notifications.for('alice\ufffd').add(a);
      await timeline.for('alice\ufffd').add(a);
      const written = await keysUnder(prefix);
      for (const userId of ['alice\udbff', 'alice\ud800']) {
        assert.throws(() => notifications.for(userId), code('INVALID_ID'));
        assert.throws(() => timeline.for(userId), code('INVALID_ID'));
        assert.throws(() => manager.getFeeds(userId), code('INVALID_ID'));
        await assert.rejects(notifications.addToMany([userId], [a]), code('INVALID_ID'));
        await assert.rejects(timeline.addToMany(['carol', userId], [a]), code('INVALID_ID'));
        await assert.rejects(manager.addUserActivity(userId, a), code('INVALID_ID'));
      }
      assert.deepEqual(await keysUnder(prefix), written, 'nothing written for the refused ids');
      assert.equal(await timeline.for('carol').count(), 0);
      const badge = notifications.for('alice\ufffd');
      assert.deepEqual(await badge.counts(), { unseen: 1, unread: 1 });
      assert.deepEqual(
        (await timeline.for('alice\ufffd').read()).items.map((x) => x.id),
        [a.id],
      );
    } finally {
      await deletePrefix(client, prefix);
    }
  });

  it('a feed key function returning a lone surrogate is refused (INVALID_OPTION: the key function is misconfigured), nothing written', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    // Two users whose custom keys differ only in a lone surrogate: one key in UTF-8.
    const key = (userId: string) => (userId === 'ann' ? 'n:x\ud800' : 'n:x\udbff');
    const notifications = defineNotificationFeed({ name: 'notification', storage, key });
    const timeline = defineFlatFeed({ name: 'timeline', storage, key, normalized: false });
    try {
      await assert.rejects(async () => notifications.for('ann').add(a), code('INVALID_OPTION'));
      await assert.rejects(
        async () => notifications.for('ben').markAllSeen(),
        code('INVALID_OPTION'),
      );
      await assert.rejects(
        async () => notifications.addToMany(['ann', 'ben'], [a]),
        code('INVALID_OPTION'),
      );
      await assert.rejects(async () => timeline.for('ann').add(a), code('INVALID_OPTION'));
      await assert.rejects(
        async () => timeline.addToMany(['ann', 'ben'], [a]),
        code('INVALID_OPTION'),
      );
      assert.deepEqual(await keysUnder(prefix), []);
    } finally {
      await deletePrefix(client, prefix);
    }
  });

  it('timeline storage refuses keys with a lone surrogate in every call, before writing any key', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const { timeline } = createRedisStorage({ client, prefix });
    const entries = [{ id: a.id, score: 1, payload: 'p' }];
    try {
      for (const bad of LONE_SURROGATES) {
        await assert.rejects(timeline.add(bad, entries), code('INVALID_ID'));
        await assert.rejects(timeline.addToMany(['ok', bad], entries), code('INVALID_ID'));
        await assert.rejects(timeline.removeFromMany(['ok', bad], [a.id]), code('INVALID_ID'));
        await assert.rejects(timeline.remove(bad, [a.id]), code('INVALID_ID'));
        await assert.rejects(timeline.count(bad), code('INVALID_ID'));
        await assert.rejects(timeline.range(bad, { order: 'desc', limit: 1 }), code('INVALID_ID'));
        await assert.rejects(timeline.clearMarker(bad, 'unseen', [a.id]), code('INVALID_ID'));
        await assert.rejects(timeline.clearMarker(bad, 'unseen'), code('INVALID_ID'));
        await assert.rejects(timeline.delete(bad), code('INVALID_ID'));
        await assert.rejects(
          timeline.update(bad, [a.id], () => ({ changes: {}, result: 0 })),
          code('INVALID_ID'),
        );
      }
      assert.deepEqual(await keysUnder(prefix), []);
    } finally {
      await deletePrefix(client, prefix);
    }
  });

  it('the Redis structures refuse a key with a lone surrogate (INVALID_OPTION)', () => {
    for (const key of LONE_SURROGATES) {
      for (const create of [
        () => createHashCache({ client, key }),
        () => createShardedHashCache({ client, key }),
        () => createListCache({ client, key }),
        () => createSortedSetCache({ client, key }),
      ]) {
        assert.throws(create, code('INVALID_OPTION'));
      }
    }
  });
});

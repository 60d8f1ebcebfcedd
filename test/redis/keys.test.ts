import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { markerKey, timelineKeys } from '../../src/backends/redis/keys.js';
import {
  createActivity,
  defineFlatFeed,
  defineNotificationFeed,
  SerializationError,
} from '../../src/index.js';
import { deletePrefix, singleClient } from '../support/redis.js';

const client = singleClient();
after(() => client.quit());

const TRICKY = [
  'a:b',
  'a%3Ab',
  'a',
  'b',
  '{x}',
  'x}',
  '{',
  '}',
  '*',
  '?',
  'a b',
  'a\nb',
  '\u00fcber',
  '\u{1f600}',
  '%7B',
  'a:{b}:c',
];

describe('Redis keys from hostile user ids', () => {
  it('keeps every user in its own keys, inside the prefix and one hash tag', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    const feed = defineFlatFeed({ name: 'timeline', storage, normalized: false });
    for (const [i, user] of TRICKY.entries()) {
      await feed
        .for(user)
        .add(createActivity({ actor: user, verb: 'add', object: i, time: 1_764_000_000_000 + i }));
    }
    for (const [i, user] of TRICKY.entries()) {
      const { items } = await feed.for(user).read();
      assert.deepEqual(
        items.map((a) => [a.actor, a.object]),
        [[user, i]],
        `user ${JSON.stringify(user)} sees only its own activity`,
      );
    }
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    for (const key of keys) {
      assert.ok(key.startsWith(`${prefix}:{`), `key ${JSON.stringify(key)} stays under the prefix`);
      const tag = key.slice(key.indexOf('{') + 1, key.indexOf('}'));
      assert.ok(!tag.includes('{'), `tag of ${JSON.stringify(key)} is closed once`);
    }
    assert.equal(keys.length, TRICKY.length * 2, 'one ZSET and one payload HASH per user');
    await deletePrefix(client, prefix);
  });

  it('the scripts write the keys keys.ts names (markers included)', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const { timeline } = createRedisStorage({ client, prefix });
    const k = timelineKeys(prefix, 'notification:1');
    await timeline.update('notification:1', [], () => ({
      changes: {
        put: [
          { id: 'g1', score: 1, payload: 'p' },
          { id: 'g2', score: 2 },
        ],
        mark: { unseen: ['g1', 'g2'] },
      },
      result: 0,
    }));
    const unseen = markerKey(k, 'unseen');
    assert.deepEqual(await client.zrange(k.z, '0', '-1'), ['g1', 'g2']);
    assert.deepEqual(await client.hkeys(k.p), ['g1']);
    assert.equal(await client.exists(k.v), 1);
    assert.deepEqual(await client.smembers(k.mk), ['unseen']);
    assert.deepEqual((await client.smembers(unseen)).sort(), ['g1', 'g2']);
    assert.equal(await timeline.clearMarker('notification:1', 'unseen', ['g1']), 1);
    assert.deepEqual(await client.smembers(unseen), ['g2']);
    assert.equal(await timeline.clearMarker('notification:1', 'unseen', ['g2']), 1);
    assert.equal(await client.exists(unseen, k.mk), 0, 'an empty marker leaves no key behind');
    await timeline.delete('notification:1');
    assert.equal(await client.exists(k.z, k.p, k.v, k.mk), 0);
    await deletePrefix(client, prefix);
  });

  it('the marker names registry follows the marker SETs through trims and clears', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const { timeline } = createRedisStorage({ client, prefix });
    const key = 'notification:2';
    const k = timelineKeys(prefix, key);
    const unseen = markerKey(k, 'unseen');
    const unread = markerKey(k, 'unread');
    const put = (id: string, score: number, mark: Record<string, string[]>) =>
      timeline.update(key, [], () => ({
        changes: { put: [{ id, score, payload: id }], mark },
        result: 0,
      }));
    await put('g1', 1, { unseen: ['g1'] });
    await put('g2', 2, { unread: ['g2'] });
    assert.deepEqual((await client.smembers(k.mk)).sort(), ['unread', 'unseen']);
    // A trim that takes out an entry no marker holds keeps both names.
    await timeline.update(key, [], () => ({
      changes: { put: [{ id: 'g0', score: 0, payload: 'g0' }] },
      result: 0,
    }));
    await timeline.update(key, [], () => ({ changes: {}, result: 0 }), { maxLength: 2 });
    assert.deepEqual(await client.zrange(k.z, '0', '-1'), ['g1', 'g2']);
    assert.deepEqual((await client.smembers(k.mk)).sort(), ['unread', 'unseen']);
    // A trim that empties a marker's SET drops its name, and only its name.
    await put('g3', 3, { unread: ['g3'] });
    await timeline.update(key, [], () => ({ changes: {}, result: 0 }), { maxLength: 2 });
    assert.equal(await client.exists(unseen), 0);
    assert.deepEqual(await client.smembers(k.mk), ['unread']);
    // Clearing every entry of markers (one with entries, one without) drops both names.
    assert.deepEqual(await timeline.clearMarkers(key, ['unread', 'unseen']), [2, 0]);
    assert.equal(await client.exists(unread, unseen, k.mk), 0);
    await put('g4', 4, { unseen: ['g4'] });
    assert.deepEqual(await client.smembers(k.mk), ['unseen']);
    await timeline.delete(key);
    await deletePrefix(client, prefix);
  });

  it('gives all keys of one feed the same hash tag', () => {
    for (const user of TRICKY) {
      const k = timelineKeys('sf', `notification:${user}`);
      const tags = [k.z, k.p, k.v, k.mk].map((key) =>
        key.slice(key.indexOf('{'), key.indexOf('}') + 1),
      );
      assert.equal(new Set(tags).size, 1);
    }
  });
});

describe('Redis payloads corrupted in storage', () => {
  it('a corrupt activity payload gives a SerializationError naming the id, and other feeds still read', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    const feed = defineFlatFeed({ name: 'timeline', storage });
    const a = createActivity({ actor: 1, verb: 'add', object: 1, time: 1_764_000_000_000 });
    const b = createActivity({ actor: 1, verb: 'add', object: 2, time: 1_764_000_000_001 });
    await feed.for(1).add(a);
    await feed.for(2).add(b);
    await storage.activities.putMany([{ id: a.id, payload: '{"v":1,"i":' }]);
    await assert.rejects(
      feed.for(1).read(),
      (e: unknown) => e instanceof SerializationError && e.message.includes(a.id),
    );
    assert.deepEqual(
      (await feed.for(2).read()).items.map((x) => x.id),
      [b.id],
    );
    await deletePrefix(client, prefix);
  });

  it('a corrupt group payload planted with raw HSET gives a SerializationError naming the key', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    const feed = defineNotificationFeed({ name: 'notification', storage });
    await feed
      .for(5)
      .add(createActivity({ actor: 1, verb: 'love', object: 1, time: 1_764_000_000_000 }));
    const [group] = (await feed.for(5).read()).items;
    assert.ok(group);
    await client.hset(timelineKeys(prefix, feed.keyFor(5)).p, group.id, '\u0000garbage');
    await assert.rejects(
      feed.for(5).read(),
      (e: unknown) => e instanceof SerializationError && e.message.includes(feed.keyFor(5)),
    );
    await deletePrefix(client, prefix);
  });
});

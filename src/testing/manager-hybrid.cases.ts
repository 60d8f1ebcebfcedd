import assert from 'node:assert/strict';
import { defineFlatFeed, type FlatFeed } from '../feeds/flat-feed.js';
import { pulledKey, statsKey } from '../manager/hybrid.js';
import { createManager } from '../manager/manager.js';
import type { Storage } from '../storage/contracts.js';
import { newestFirst } from './fixtures.js';
import { act, idsIn, type ManagerTest, settled, testQueue, world } from './manager-world.js';

/** Every id of a feed, read `limit` at a time with cursors in `order`. */
async function pageAll(feed: FlatFeed, order: 'desc' | 'asc', limit: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await feed.read({ limit, order, cursor });
    out.push(...page.items.map((a) => a.id));
    cursor = page.next;
  } while (cursor !== undefined);
  return out;
}

/** A hybrid world where user 1 (two followers, above maxPushFollowers: 1) is a celebrity. */
function celebrityWorld(storage: Storage) {
  const w = world(storage, { fanout: { mode: 'hybrid', maxPushFollowers: 1 } });
  w.followers.set('1', [2, 3]);
  w.followers.set('4', [2]);
  return w;
}

/** Hybrid and pull fan-out: pulled edges, merged reads, counters, explain. */
export function registerHybridCases(test: ManagerTest): void {
  test("hybrid: a celebrity's posts reach no follower timeline but every follower's read, in order", async ({
    storage,
  }) => {
    const { manager } = celebrityWorld(storage);
    const two = manager.getFeeds(2).timeline;
    await two.read(); // user 2 is an active reader: ordinary producers push to it
    const famous = [act(1, 1), act(1, 3), act(1, 5)];
    const ordinary = [act(4, 2), act(4, 4)];
    for (const a of [...famous, ...ordinary]) await settled(manager.addUserActivity(a.actor, a));
    assert.equal(await two.count(), ordinary.length, 'only the ordinary producer was pushed');
    assert.deepEqual(await idsIn(two), newestFirst([...famous, ...ordinary]));
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), newestFirst(famous));
    assert.equal(await manager.getFeeds(3).timeline.count(), 0);
  });

  test('hybrid: paging a merged feed by cursor visits every entry once, in both orders', async ({
    storage,
  }) => {
    const { manager } = celebrityWorld(storage);
    const two = manager.getFeeds(2).timeline;
    await two.read();
    const all = [1, 2, 3, 4, 5, 6, 7].map((n) => act(n % 2 === 1 ? 1 : 4, n));
    for (const a of all) await settled(manager.addUserActivity(a.actor, a));
    const desc = newestFirst(all);
    for (const limit of [1, 2, 3, 7, 8]) {
      assert.deepEqual(await pageAll(two, 'desc', limit), desc, `desc by ${limit}`);
      assert.deepEqual(await pageAll(two, 'asc', limit), [...desc].reverse(), `asc by ${limit}`);
    }
    const [newest, , third] = desc;
    const filtered = two.filter({ lt: newest!, gte: third! });
    assert.deepEqual(await idsIn(filtered), desc.slice(1, 3), 'an id filter bounds pulled entries');
  });

  test('hybrid: an activity both pushed and pulled is read once', async ({ storage }) => {
    const { manager, followers } = world(storage, {
      fanout: { mode: 'hybrid', maxPushFollowers: 1 },
    });
    followers.set('1', [2]);
    const two = manager.getFeeds(2).timeline;
    await two.read();
    const early = act(1, 1);
    await settled(manager.addUserActivity(1, early));
    assert.equal(await two.count(), 1, 'pushed while 1 had one follower');
    followers.set('1', [2, 3]); // 1 is now a celebrity: a new follow pulls it
    await settled(manager.followUser(2, 1));
    const late = act(1, 2);
    await settled(manager.addUserActivity(1, late));
    assert.equal(await two.count(), 1, 'the later post was pulled');
    assert.deepEqual(await idsIn(two), [late.id, early.id]);
    assert.deepEqual(await pageAll(two, 'asc', 1), [early.id, late.id]);
  });

  test('hybrid: a consumer that never read gets no push but reads everything', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage, { fanout: { mode: 'hybrid' } });
    followers.set('1', [5]);
    const posts = [act(1, 1), act(1, 2)];
    for (const a of posts) await settled(manager.addUserActivity(1, a));
    const five = manager.getFeeds(5).timeline;
    assert.equal(await five.count(), 0);
    assert.deepEqual(await idsIn(five), newestFirst(posts));
    const decision = await manager.explain(1, 6);
    assert.equal(decision.reason, 'inactive-consumer');
  });

  test('hybrid: unfollow hides a pulled producer, follow of a celebrity copies nothing', async ({
    storage,
  }) => {
    const { manager, followers } = celebrityWorld(storage);
    const two = manager.getFeeds(2).timeline;
    await two.read();
    const famous = act(1, 1);
    const ordinary = act(4, 2);
    await settled(manager.addUserActivity(1, famous));
    await settled(manager.addUserActivity(4, ordinary));
    await settled(manager.unfollowUser(2, 1));
    followers.set('1', [3]);
    assert.deepEqual(await idsIn(two), [ordinary.id]);
    const seven = manager.getFeeds(7).timeline;
    await seven.read();
    followers.set('1', [3, 7]);
    await settled(manager.followUser(7, 1));
    assert.equal(await seven.count(), 0, 'a pulled follow copies nothing');
    assert.deepEqual(await idsIn(seven), [famous.id]);
    await settled(manager.removeUserActivity(1, famous.id));
    assert.deepEqual(await idsIn(seven), [], 'a removed activity leaves the producer feed');
  });

  test('explain: celebrity, cost and mode reasons from the stored counters', async ({
    storage,
  }) => {
    const { manager } = celebrityWorld(storage);
    await manager.getFeeds(2).timeline.read();
    await settled(manager.addUserActivity(4, act(4, 1)));
    const celebrity = await manager.explain(1, 2);
    assert.deepEqual([celebrity.mode, celebrity.reason], ['pull', 'celebrity']);
    assert.equal(celebrity.inputs.followerCount, 2);
    const cost = await manager.explain(4, 2);
    assert.deepEqual([cost.mode, cost.reason], ['push', 'cost']);
    assert.ok(cost.inputs.producerRate > 0 && cost.inputs.consumerReadRate > 0);
    const plain = world(storage).manager;
    const forced = await plain.explain(1, 2);
    assert.deepEqual([forced.mode, forced.reason], ['push', 'mode']);
  });

  test("pull mode: every edge is pulled, reads see every followed producer's posts", async ({
    storage,
  }) => {
    const { manager, followers } = world(storage, { fanout: { mode: 'pull' } });
    followers.set('1', [2]);
    const two = manager.getFeeds(2).timeline;
    await two.read();
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    assert.equal(await two.count(), 0);
    assert.deepEqual(await idsIn(two), [a.id]);
  });

  test('default push mode keeps no counters and no pulled sets', async ({ storage }) => {
    const { manager, followers } = world(storage);
    followers.set('1', [2]);
    await manager.getFeeds(2).timeline.read();
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [a.id]);
    for (const key of [statsKey('user', '1'), statsKey('user', '2'), pulledKey('timeline', '2')]) {
      assert.equal(await storage.timeline.count(key), 0, key);
    }
  });

  test('hybrid: a full timeline serves no pulled entry older than its oldest entry', async ({
    storage,
  }) => {
    const user = defineFlatFeed({ name: 'user', storage, maxLength: 100 });
    const timeline = defineFlatFeed({ name: 'timeline', storage, maxLength: 2 });
    const followers: Record<string, number[]> = { '1': [2, 3], '4': [2] };
    const manager = createManager({
      userFeed: user,
      feeds: { timeline },
      getFollowerIds: (id) => followers[id] ?? [],
      queue: testQueue(),
      fanout: { mode: 'hybrid', maxPushFollowers: 1 },
    });
    const two = manager.getFeeds(2).timeline;
    await two.read();
    const old = act(1, 1);
    const pushed = [act(4, 2), act(4, 4)];
    const late = act(1, 3);
    for (const a of [old, ...pushed, late]) await settled(manager.addUserActivity(a.actor, a));
    assert.equal(await two.count(), 2, 'the timeline is full');
    const served = newestFirst([...pushed, late]);
    assert.deepEqual(await idsIn(two), served);
    assert.deepEqual(await pageAll(two, 'asc', 1), [...served].reverse());
  });

  test('hybrid: a producer id that cannot name a pulled entry is INVALID_ID, nothing written', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage, { fanout: { mode: 'hybrid' } });
    const long = 'u'.repeat(65);
    followers.set(long, [2]);
    await assert.rejects(manager.addUserActivity(long, act(long, 1)), { code: 'INVALID_ID' });
    assert.equal(await manager.getUserFeed(long).count(), 0);
    await assert.rejects(manager.followUser(2, 'é'), { code: 'INVALID_ID' });
    assert.equal(await storage.timeline.count(pulledKey('timeline', '2')), 0);
  });

  test('hybrid: a failing read-counter write never fails the read', async ({ storage }) => {
    const timeline = storage.timeline;
    let refused = 0;
    const failingReads: Storage = {
      ...storage,
      timeline: new Proxy(timeline, {
        get(target, key) {
          const value = Reflect.get(target, key, target);
          if (key !== 'update') return typeof value === 'function' ? value.bind(target) : value;
          const update: typeof timeline.update = async (k, ids, compute, options) => {
            if (ids[0] !== 'read') return timeline.update(k, ids, compute, options);
            refused++;
            throw new Error('injected counter failure');
          };
          return update;
        },
      }),
    };
    const warnings: { fields: object; message: string }[] = [];
    const logger = {
      warn: (fields: object, message: string) => warnings.push({ fields, message }),
    };
    const { manager, followers } = world(failingReads, { fanout: { mode: 'hybrid' }, logger });
    followers.set('1', [2]);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [a.id]);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [a.id]);
    assert.equal(refused, 2, 'a failed record is retried by the next read');
    const failed = warnings.filter((w) => w.message.includes('rebuilding pulled edges failed'));
    assert.equal(failed.length, 2, 'each failure is logged as a warning');
    assert.deepEqual(failed[0]?.fields, { userId: '2', err: 'injected counter failure' });
    assert.equal((await manager.explain(1, 2)).reason, 'inactive-consumer');
  });

  test('hybrid needs normalized flat feeds on the user feed storage', async ({ storage }) => {
    assert.throws(() => world(storage, { fanout: { mode: 'hybrid' }, denormalized: true }), {
      code: 'INVALID_OPTION',
    });
    assert.throws(() => world(storage, { fanout: { mode: 'hybird' as 'hybrid' } }), {
      code: 'INVALID_OPTION',
    });
  });
}

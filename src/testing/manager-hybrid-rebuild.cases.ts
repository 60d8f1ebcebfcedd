import assert from 'node:assert/strict';
import { pulledKey, statsKey } from '../manager/hybrid.js';
import type { TaskQueue } from '../queue/task-queue.js';
import type { Storage } from '../storage/contracts.js';
import { newestFirst } from './fixtures.js';
import {
  act,
  idsIn,
  type ManagerTest,
  recordingQueue,
  settled,
  testQueue,
  world,
} from './manager-world.js';

/** The producers in `consumer`'s pulled set of the `timeline` feed. */
async function pulledBy(storage: Storage, consumer: string): Promise<string[]> {
  const entries = await storage.timeline.range(pulledKey('timeline', consumer), {
    order: 'desc',
    limit: 1000,
  });
  return entries.map((e) => e.id).sort();
}

/** Whether `producer` has an all-pull marker in its counters. */
async function hasMarker(storage: Storage, producer: string): Promise<boolean> {
  const entries = await storage.timeline.range(statsKey('user', producer), {
    order: 'desc',
    limit: 10,
  });
  return entries.some((e) => e.id === 'pulled-all');
}

/** Hybrid fan-out: rebuilds of returning readers, all-pull producers, imports. */
export function registerHybridRebuildCases(test: ManagerTest): void {
  test("hybrid: a returning reader's pulled producers are materialized on its next read", async ({
    storage,
  }) => {
    const { manager, followers } = world(storage, {
      fanout: { mode: 'hybrid', maxPushFollowers: 1 },
    });
    followers.set('4', [2]); // an ordinary producer
    followers.set('1', [2, 3]); // a celebrity (more than 1 follower)
    const ordinary = [act(4, 1), act(4, 3), act(4, 5)];
    const famous = [act(1, 2), act(1, 4)];
    for (const a of [...ordinary, ...famous]) await settled(manager.addUserActivity(a.actor, a));
    const two = manager.getFeeds(2).timeline;
    assert.equal(await two.count(), 0, 'a consumer that never read gets no push');
    assert.deepEqual(await pulledBy(storage, '2'), ['1', '4']);
    // The first read records the reader and rebuilds: 4 is pushed now (it posts rarely, 2 reads),
    // the celebrity stays pulled. The read itself shows everything once.
    assert.deepEqual(await idsIn(two), newestFirst([...ordinary, ...famous]));
    assert.equal(await two.count(), ordinary.length, "4's posts were copied into the timeline");
    assert.deepEqual(await pulledBy(storage, '2'), ['1']);
    const later = act(4, 6);
    await settled(manager.addUserActivity(4, later));
    assert.equal(await two.count(), ordinary.length + 1, 'a later post is pushed');
    assert.deepEqual(await idsIn(two), newestFirst([...ordinary, ...famous, later]));
    // A second manager (another process) reads and rebuilds again: nothing changes.
    const other = world(storage, { fanout: { mode: 'hybrid', maxPushFollowers: 1 } });
    other.followers.set('1', [2, 3]);
    assert.deepEqual(
      await idsIn(other.manager.getFeeds(2).timeline),
      newestFirst([...ordinary, ...famous, later]),
    );
    assert.equal(await two.count(), ordinary.length + 1);
  });

  test('hybrid: concurrent first reads from two processes rebuild once, each entry once', async ({
    storage,
  }) => {
    const worlds = [1, 2].map(() => world(storage, { fanout: { mode: 'hybrid' } }));
    for (const w of worlds) w.followers.set('4', [2]);
    const posts = [1, 2, 3].map((n) => act(4, n)); // 3 posts: pushed to a reader of one read
    for (const a of posts) await settled(worlds[0]!.manager.addUserActivity(4, a));
    const reads = await Promise.all(worlds.map((w) => idsIn(w.manager.getFeeds(2).timeline)));
    for (const ids of reads) assert.deepEqual(ids, newestFirst(posts));
    assert.equal(await worlds[0]!.manager.getFeeds(2).timeline.count(), posts.length);
    assert.deepEqual(await pulledBy(storage, '2'), []);
  });

  test("hybrid: a celebrity's later posts skip flat fan-out and still reach every follower", async ({
    storage,
  }) => {
    const { queue, log } = recordingQueue();
    const { manager, followers, followerCalls } = world(storage, {
      queue,
      fanout: { mode: 'hybrid', maxPushFollowers: 1 },
    });
    followers.set('1', [2, 3]);
    const first = act(1, 1);
    await settled(manager.addUserActivity(1, first));
    assert.equal(log.length, 1, 'the first post runs the pass: one task adds 1 to pulled sets');
    assert.ok(await hasMarker(storage, '1'));
    const calls = followerCalls.length;
    const later = [act(1, 2), act(1, 3)];
    for (const a of later) await settled(manager.addUserActivity(1, a));
    assert.equal(log.length, 1, 'later posts enqueue no task');
    assert.equal(followerCalls.length, calls, 'later posts do not read the followers');
    const all = newestFirst([first, ...later]);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), all);
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), all);
    // A new follower pulls the celebrity without its follower list being read.
    followers.set('1', [2, 3, 7]);
    await settled(manager.followUser(7, 1));
    assert.equal(followerCalls.length, calls, 'following a fresh all-pull producer reads no list');
    const why = await manager.explain(1, 2); // 2 has read: not an inactive consumer
    assert.equal(why.reason, 'celebrity');
    assert.equal(why.inputs.followerCount, 2, "the count the marker's pass saw");
    assert.equal(followerCalls.length, calls, 'explain takes the count from a fresh marker');
    assert.deepEqual(await idsIn(manager.getFeeds(7).timeline), all);
    // Removal still reaches every feed.
    await settled(manager.removeUserActivity(1, later[1]!.id));
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), newestFirst([first, later[0]!]));
  });

  test('hybrid: a failed enqueue leaves no all-pull marker, and the retried call runs the pass', async ({
    storage,
  }) => {
    const inner = testQueue();
    let failures = 1;
    const queue: TaskQueue = {
      name: 'failing-once',
      enqueue(tasks, options, run) {
        if (failures-- > 0) return Promise.reject(new Error('injected enqueue failure'));
        return inner.enqueue(tasks, options, run);
      },
    };
    const { manager, followers } = world(storage, {
      queue,
      fanout: { mode: 'hybrid', maxPushFollowers: 1 },
    });
    followers.set('1', [2, 3]);
    const post = act(1, 1);
    await assert.rejects(manager.addUserActivity(1, post), /injected enqueue failure/);
    assert.equal(await hasMarker(storage, '1'), false);
    await settled(manager.addUserActivity(1, post));
    assert.ok(await hasMarker(storage, '1'));
    assert.deepEqual(await pulledBy(storage, '3'), ['1']);
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), [post.id]);
  });

  test('hybrid: batchImport decides edges like a publish and counts no posts', async ({
    storage,
  }) => {
    const { manager, followers } = world(storage, {
      fanout: { mode: 'hybrid', maxPushFollowers: 1 },
    });
    followers.set('4', [2]);
    followers.set('1', [2, 3]);
    const two = manager.getFeeds(2).timeline;
    await two.read(); // 2 is an active reader
    const ordinary = [1, 2, 3].map((n) => act(4, n));
    const famous = [4, 5].map((n) => act(1, n));
    await settled(manager.batchImport(4, ordinary));
    await settled(manager.batchImport(1, famous));
    assert.equal(await two.count(), ordinary.length, 'only the ordinary import was pushed');
    assert.deepEqual(await idsIn(two), newestFirst([...ordinary, ...famous]));
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), newestFirst(famous));
    assert.equal((await manager.explain(4, 2)).inputs.producerRate, 0, 'imports are not posts');
    assert.ok(await hasMarker(storage, '1'));
  });
}

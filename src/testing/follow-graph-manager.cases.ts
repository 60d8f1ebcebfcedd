import assert from 'node:assert/strict';
import type { FanoutPolicyOptions } from '../fanout/policy.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { createFollowGraph } from '../graph/follow-graph.js';
import { createManager } from '../manager/manager.js';
import type { FanoutTask } from '../queue/task.js';
import type {
  IdOnlyOptions,
  Storage,
  TimelineEntry,
  TimelineStorage,
  TimelineWriteOptions,
} from '../storage/contracts.js';
import { hasCode } from './fixtures.js';
import type { HarnessTest } from './harness.js';
import { act, idsIn, recordingQueue, settled, testQueue } from './manager-world.js';

/**
 * `storage` whose first write to timeline `key` (through the full interface or an id-only view)
 * runs `before` first.
 */
function beforeFirstAdd(storage: Storage, key: string, before: () => Promise<unknown>): Storage {
  let done = false;
  const wrap = <T extends { add: TimelineStorage['add'] }>(view: T): T => ({
    ...view,
    add: async (k: string, entries: readonly TimelineEntry[], options?: TimelineWriteOptions) => {
      if (k === key && !done) {
        done = true;
        await before();
      }
      return view.add(k, entries, options);
    },
  });
  const timeline = new Proxy(storage.timeline, {
    get(target, prop) {
      if (prop === 'add') return wrap(target).add;
      if (prop === 'idsOnly') {
        return (options?: IdOnlyOptions) => wrap(target.idsOnly(options));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as TimelineStorage;
  return { timeline, activities: storage.activities };
}

/** A manager whose followers come from a graph on `storage`, fan-out chunks of `chunk` users. */
function graphWorld(storage: Storage, chunk: number, fanout?: FanoutPolicyOptions) {
  const graph = createFollowGraph({ storage, prefix: 'kit-graph' });
  const user = defineFlatFeed({ name: 'user', storage, maxLength: 1000 });
  const timeline = defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 });
  const { queue, log } = recordingQueue(testQueue());
  const manager = createManager({
    userFeed: user,
    feeds: { timeline },
    graph,
    queue,
    limits: { fanoutChunkSize: chunk },
    ...(fanout === undefined ? {} : { fanout }),
  });
  return { graph, manager, log };
}

/** The fan-out add tasks of `log` since `from`, with their priorities. */
function addTasks(log: ReturnType<typeof recordingQueue>['log'], from = 0) {
  return log
    .slice(from)
    .filter((e): e is { task: FanoutTask; priority: 'high' | 'low' } => e.task.type === 'fanout')
    .filter((e) => e.task.op === 'add');
}

/** The manager following, unfollowing and fanning out through a follow graph. */
export function registerGraphManagerCases(test: HarnessTest): void {
  test('manager: followUser records the edge and copies; fan-out reaches every graph follower in chunks, high first', async ({
    storage,
  }) => {
    const { graph, manager, log } = graphWorld(storage, 3);
    const a1 = act('star', 1);
    await settled(manager.addUserActivity('star', a1));
    const high = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6'];
    const low = ['g0', 'g1', 'g2', 'g3'];
    for (const f of high) await settled(manager.followUser(f, 'star'));
    await settled(manager.followManyUsers('g0', ['star'], { priority: 'low' }));
    for (const g of low.slice(1)) await settled(manager.followUser(g, 'star', { priority: 'low' }));
    assert.deepEqual(await graph.counts('star'), { followers: 11, following: 0 });
    for (const f of [...high, ...low]) {
      assert.deepEqual(await idsIn(manager.getFeeds(f).timeline), [a1.id], `${f} got the copy`);
      assert.deepEqual(await graph.isFollowing(f, ['star']), [true]);
    }
    const from = log.length;
    const a2 = act('star', 2);
    await settled(manager.addUserActivity('star', a2));
    for (const f of [...high, ...low]) {
      assert.deepEqual(await idsIn(manager.getFeeds(f).timeline), [a2.id, a1.id], f);
    }
    const tasks = addTasks(log, from);
    assert.ok(
      tasks.every((t) => t.task.userIds.length <= 3),
      'chunks of fanoutChunkSize',
    );
    const reached = (p: 'high' | 'low') =>
      tasks
        .filter((t) => t.priority === p)
        .flatMap((t) => t.task.userIds)
        .sort();
    assert.deepEqual(reached('high'), high, 'each high follower once, in high tasks');
    assert.deepEqual(reached('low'), low, 'each low follower once, in low tasks');
    const lastHigh = tasks.findLastIndex((t) => t.priority === 'high');
    const firstLow = tasks.findIndex((t) => t.priority === 'low');
    assert.ok(lastHigh < firstLow, 'every high task is enqueued before the first low one');
  });

  test('manager: unfollowUser removes the edge and the copies; later posts skip the user', async ({
    storage,
  }) => {
    const { graph, manager } = graphWorld(storage, 2);
    const a1 = act('star', 1);
    await settled(manager.addUserActivity('star', a1));
    await settled(manager.followManyUsers('fan', ['star', 'moon']));
    await settled(manager.followUser('other', 'star'));
    await settled(manager.unfollowUser('fan', 'star'));
    assert.deepEqual(await graph.isFollowing('fan', ['star', 'moon']), [false, true]);
    assert.deepEqual(await idsIn(manager.getFeeds('fan').timeline), []);
    const a2 = act('star', 2);
    await settled(manager.addUserActivity('star', a2));
    assert.deepEqual(await idsIn(manager.getFeeds('fan').timeline), []);
    assert.deepEqual(await idsIn(manager.getFeeds('other').timeline), [a2.id, a1.id]);
    // batchImport and removal page the same followers.
    const more = [act('star', 3), act('star', 4)];
    await settled(manager.batchImport('star', more));
    assert.equal((await idsIn(manager.getFeeds('other').timeline)).length, 4);
    await settled(manager.removeUserActivity('star', a1.id));
    assert.deepEqual(await idsIn(manager.getFeeds('other').timeline), [
      more[1]!.id,
      more[0]!.id,
      a2.id,
    ]);
  });

  test('manager: hybrid mode counts followers through the graph: a celebrity is pulled, read once', async ({
    storage,
  }) => {
    const { manager } = graphWorld(storage, 10, { mode: 'hybrid', maxPushFollowers: 2 });
    for (const f of ['f0', 'f1', 'f2']) await manager.getFeeds(f).timeline.read(); // active readers
    await settled(manager.followUser('f0', 'star'));
    const before = await manager.explain('star', 'f0');
    assert.equal(before.inputs.followerCount, 1);
    assert.notEqual(before.reason, 'celebrity');
    await settled(manager.followManyUsers('f1', ['star']));
    await settled(manager.followUser('f2', 'star', { priority: 'low' }));
    const decision = await manager.explain('star', 'f0');
    assert.equal(decision.mode, 'pull');
    assert.equal(decision.reason, 'celebrity');
    assert.equal(decision.inputs.followerCount, 3, 'the graph count');
    const a = act('star', 1);
    await settled(manager.addUserActivity('star', a));
    for (const f of ['f0', 'f1', 'f2']) {
      assert.deepEqual(await idsIn(manager.getFeeds(f).timeline), [a.id], f);
    }
  });

  test('manager: a follow landing while a post of a user without followers is written still gets the post', async ({
    storage,
  }) => {
    // The publish reads the follower count (0), then writes the user feed; the follow (edge and
    // copy) runs just before that write, so its copy misses the post: the fan-out must still
    // read the followers after the write and reach the new follower.
    let world: ReturnType<typeof graphWorld> | undefined;
    const racing = beforeFirstAdd(storage, 'user:star', () =>
      settled(world!.manager.followUser('late', 'star')),
    );
    world = graphWorld(racing, 10);
    const a = act('star', 1);
    await settled(world.manager.addUserActivity('star', a));
    assert.deepEqual(await world.graph.isFollowing('late', ['star']), [true]);
    assert.deepEqual(await idsIn(world.manager.getFeeds('late').timeline), [a.id]);
  });

  test('manager: graph and getFollowerIds together, or priority without a graph, are refused', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    const user = defineFlatFeed({ name: 'user', storage });
    const timeline = defineFlatFeed({ name: 'timeline', storage });
    assert.throws(
      () => createManager({ userFeed: user, feeds: { timeline }, graph, getFollowerIds: () => [] }),
      hasCode('INVALID_OPTION'),
    );
    assert.throws(
      () => createManager({ userFeed: user, feeds: { timeline }, graph: {} as never }),
      hasCode('INVALID_OPTION'),
    );
    const plain = createManager({
      userFeed: user,
      feeds: { timeline },
      getFollowerIds: () => [],
      queue: testQueue(),
    });
    await assert.rejects(plain.followUser(1, 2, { priority: 'low' }), hasCode('INVALID_OPTION'));
    const { manager } = graphWorld(storage, 10);
    await assert.rejects(
      manager.followUser(1, 2, { priority: 'urgent' as never }),
      hasCode('INVALID_OPTION'),
    );
    await assert.rejects(manager.followManyUsers(1, [2, 'a\ud800']), hasCode('INVALID_ID'));
    const kit = createFollowGraph({ storage, prefix: 'kit-graph' });
    assert.deepEqual(await kit.counts(1), { followers: 0, following: 0 }, 'nothing written');
    assert.deepEqual(await kit.counts(2), { followers: 0, following: 0 });
  });
}

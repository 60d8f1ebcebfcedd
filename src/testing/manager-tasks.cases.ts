import assert from 'node:assert/strict';
import type { FanoutEvent } from '../metrics/metrics.js';
import type { FanoutTask, Task } from '../queue/task.js';
import {
  act,
  flakyStorage,
  holdingQueue,
  idsIn,
  type ManagerTest,
  recordingQueue,
  settled,
  world,
} from './manager-world.js';

const fanoutTasks = (tasks: readonly Task[]): FanoutTask[] =>
  tasks.filter((t): t is FanoutTask => t.type === 'fanout');

/** Tasks, queues, chunking, priorities, idempotency, failures and metrics. */
export function registerTaskCases(test: ManagerTest): void {
  test('fan-out to 2,001 followers is chunked by 1,000 (the default) and reaches every follower feed once', async ({
    storage,
  }) => {
    const { queue, log } = recordingQueue();
    const { manager, followers } = world(storage, { queue });
    const ids = Array.from({ length: 2001 }, (_, i) => 1000 + i);
    followers.set('1', ids);
    const a = act(1, 1);
    const handle = await settled(manager.addUserActivity(1, a));
    const tasks = fanoutTasks(log.map((l) => l.task));
    assert.equal(tasks.length, 3, 'ceil(2001 / 1000) tasks for the one fan-out feed');
    assert.equal(handle.total, 3);
    assert.ok(tasks.every((t) => t.feed === 'timeline'));
    assert.deepEqual(
      tasks.map((t) => t.userIds.length),
      [1000, 1000, 1],
    );
    const delivered = tasks.flatMap((t) => t.userIds);
    assert.equal(new Set(delivered).size, 2001);
    assert.deepEqual(new Set(delivered), new Set(ids.map(String)));
    for (const id of ids) assert.deepEqual(await idsIn(manager.getFeeds(id).timeline), [a.id]);
  });

  test('fanoutChunkSize sets the follower ids per task', async ({ storage }) => {
    const { queue, log } = recordingQueue();
    const { manager, followers } = world(storage, { queue, fanoutChunkSize: 7 });
    followers.set(
      '1',
      Array.from({ length: 50 }, (_, i) => i + 2),
    );
    await settled(manager.addUserActivity(1, act(1, 1)));
    const sizes = fanoutTasks(log.map((l) => l.task)).map((t) => t.userIds.length);
    assert.deepEqual(sizes, [7, 7, 7, 7, 7, 7, 7, 1]);
  });

  test('high and low priority followers are both delivered with their priority', async ({
    storage,
  }) => {
    const { queue, log } = recordingQueue();
    const { manager, followers } = world(storage, { queue, fanoutChunkSize: 2 });
    followers.set('1', { high: [2, 3, 4], low: new Set([5, 2, '6']) });
    const a = act(1, 1, { to: ['mentions:9'] });
    await settled(manager.addUserActivity(1, a));
    const byPriority = (p: string) =>
      fanoutTasks(log.filter((l) => l.priority === p).map((l) => l.task));
    const high = byPriority('high');
    const low = byPriority('low');
    assert.deepEqual(
      high.filter((t) => t.feed === 'timeline').flatMap((t) => t.userIds),
      ['2', '3', '4'],
    );
    assert.deepEqual(
      high.filter((t) => t.feed === 'mentions').flatMap((t) => t.userIds),
      ['9'],
      'to targets go with high priority',
    );
    assert.deepEqual(
      low.flatMap((t) => t.userIds),
      ['5', '6'],
      'a follower in both groups is only in high',
    );
    for (const id of [2, 3, 4, 5, '6']) {
      assert.deepEqual(await idsIn(manager.getFeeds(id).timeline), [a.id]);
    }
  });

  test('running the same fan-out task twice leaves exactly one entry', async ({ storage }) => {
    const { queue, log } = recordingQueue();
    const { manager, followers } = world(storage, { queue });
    followers.set('1', [2, 3]);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    const [task] = log.map((l) => l.task);
    await manager.runTask(JSON.parse(JSON.stringify(task)));
    await manager.runTask(task);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [a.id]);
    assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), [a.id]);
  });

  test('tasks held by a queue survive a JSON round trip and run through runTask', async ({
    storage,
  }) => {
    const { queue, tasks } = holdingQueue();
    const { manager, followers } = world(storage, { queue });
    followers.set('1', [2]);
    const a = act(1, 1, { extra: { note: 'a;b,c' }, to: ['mentions:7'] });
    const handle = await manager.addUserActivity(1, a);
    assert.equal(handle.total, 2);
    assert.equal(handle.completed(), 0);
    assert.equal(await manager.getFeeds(2).timeline.count(), 0, 'nothing ran yet');
    for (const task of tasks) await manager.runTask(JSON.parse(JSON.stringify(task)));
    const [item] = (await manager.getFeeds(2).timeline.read()).items;
    assert.deepEqual(item?.extra, { note: 'a;b,c' });
    assert.deepEqual(await idsIn(manager.getFeed('mentions', 7)), [a.id]);
  });

  test('a failing task rejects the call and a retry reaches every feed exactly once', async ({
    storage,
  }) => {
    const flaky = flakyStorage(storage);
    const { manager, followers } = world(storage, { timelineStorage: flaky });
    const ids = Array.from({ length: 250 }, (_, i) => i + 2);
    followers.set('1', ids);
    const a = act(1, 1);
    await assert.rejects(settled(manager.addUserActivity(1, a)), /injected addToMany failure/);
    assert.equal(flaky.failed(), 1);
    await settled(manager.addUserActivity(1, a));
    assert.deepEqual(await idsIn(manager.getUserFeed(1)), [a.id]);
    for (const id of ids) assert.deepEqual(await idsIn(manager.getFeeds(id).timeline), [a.id]);
  });

  test('runTask rejects malformed tasks with INVALID_TASK and unknown feeds with UNKNOWN_FEED', async ({
    storage,
  }) => {
    const { manager } = world(storage);
    const good = { v: 1, type: 'unfollow', userId: '1', targetIds: ['2'], keepHistory: false };
    await manager.runTask(good);
    for (const bad of [
      null,
      { ...good, v: 2 },
      { ...good, type: 'fanout_operation' },
      { ...good, targetIds: [] },
      { ...good, extra: 1 },
      {
        v: 1,
        type: 'fanout',
        op: 'add',
        feed: 'timeline',
        userIds: ['2'],
        activities: [1],
        trim: true,
      },
      {
        v: 1,
        type: 'fanout',
        op: 'add',
        feed: 'timeline',
        userIds: ['2'],
        activities: ['{'],
        trim: true,
      },
    ]) {
      await assert.rejects(manager.runTask(bad), { code: 'INVALID_TASK' }, JSON.stringify(bad));
    }
    const payload = JSON.stringify({ v: 1, i: act(1, 1).id, a: 1, b: 'add', o: 1, m: 0 });
    for (const feed of ['nosuchfeed', 'user']) {
      await assert.rejects(
        manager.runTask({
          v: 1,
          type: 'fanout',
          op: 'add',
          feed,
          userIds: ['2'],
          activities: [payload],
          trim: true,
        }),
        { code: 'UNKNOWN_FEED' },
      );
    }
  });

  test('normalized feeds on another storage get the activity stored there too', async ({
    storage,
    another,
  }) => {
    const second = await another();
    const { manager, followers } = world(storage, { timelineStorage: second });
    followers.set('1', [2]);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    assert.notEqual((await second.activities.getMany([a.id]))[0], undefined);
    assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [a.id]);
    await settled(manager.removeUserActivity(1, a.id));
    assert.deepEqual(await second.activities.getMany([a.id]), [undefined]);
    assert.deepEqual(await storage.activities.getMany([a.id]), [undefined]);
  });

  test('metrics: onFanout, onActivityPublished and onActivityRemoved are called', async ({
    storage,
  }) => {
    const fanouts: FanoutEvent[] = [];
    const events: string[] = [];
    const metrics = {
      onFanout: (e: FanoutEvent) => fanouts.push(e),
      onActivityPublished: (e: { feed: string }) => events.push(`published ${e.feed}`),
      onActivityRemoved: (e: { feed: string }) => events.push(`removed ${e.feed}`),
    };
    const { manager, followers } = world(storage, { metrics, fanoutChunkSize: 2 });
    followers.set('1', [2, 3, 4]);
    const a = act(1, 1);
    await settled(manager.addUserActivity(1, a));
    await settled(manager.removeUserActivity(1, a));
    assert.deepEqual(events, ['published user', 'removed user']);
    assert.deepEqual(
      fanouts.map((e) => [e.feed, e.operation, e.feeds, e.activities]),
      [
        ['timeline', 'add', 2, 1],
        ['timeline', 'add', 1, 1],
        ['timeline', 'remove', 2, 1],
        ['timeline', 'remove', 1, 1],
      ],
    );
    assert.ok(fanouts.every((e) => e.durationMs >= 0));
  });
}

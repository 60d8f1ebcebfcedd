import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import { createManager } from '../manager/manager.js';
import type { FeedMap } from '../manager/options.js';
import type { Storage, TimelineStorage } from '../storage/contracts.js';
import { holdPoint } from '../testing/reactions.cases.js';
import { createReactions } from './reactions.js';
import type { ReactionPublisher } from './types.js';

const T0 = Date.UTC(2024, 4, 1);
const post = (n: number) => createActivity({ actor: 1, verb: 'add', object: n, time: T0 + n });

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: { code?: string; message?: string }) => {
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message ?? '', message);
    return true;
  });
}

/** `storage` whose timeline counts the calls made to each method. */
function counting(storage: Storage) {
  const calls = new Map<string, number>();
  const timeline = new Proxy(storage.timeline, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  }) as TimelineStorage;
  return { storage: { ...storage, timeline }, calls };
}

describe('createReactions options', () => {
  const storage = createMemoryStorage();

  it('refuses unknown keys, bad kinds, prefixes, limits, storage and manager', () => {
    throwsCode(() => createReactions({ storage, kind: {} } as never), 'INVALID_OPTION', /kind/);
    throwsCode(() => createReactions({ storage, kinds: {} }), 'INVALID_OPTION');
    throwsCode(() => createReactions({ storage, kinds: [] as never }), 'INVALID_OPTION');
    throwsCode(() => createReactions({ storage, kinds: { Like: {} } }), 'INVALID_ID');
    throwsCode(() => createReactions({ storage, kinds: { constructor: {} } }), 'INVALID_ID');
    throwsCode(
      () => createReactions({ storage, kinds: { like: { unique: 'yes' } } } as never),
      'INVALID_OPTION',
    );
    throwsCode(
      () => createReactions({ storage, kinds: { like: { uniq: true } } } as never),
      'INVALID_OPTION',
    );
    throwsCode(() => createReactions({ storage, prefix: 'a:b' }), 'INVALID_OPTION');
    throwsCode(() => createReactions({ storage, prefix: '' }), 'INVALID_OPTION');
    throwsCode(() => createReactions({ storage, limits: { maxDataBytes: -1 } }), 'INVALID_OPTION');
    throwsCode(
      () => createReactions({ storage, limits: { maxLatests: 1 } } as never),
      'INVALID_OPTION',
    );
    throwsCode(() => createReactions({ storage: {} as never }), 'INVALID_OPTION');
    throwsCode(() => createReactions({ storage, manager: {} as never }), 'INVALID_OPTION');
    throwsCode(() => createReactions({ storage, now: 5 as never }), 'INVALID_OPTION');
  });

  it('lists the declared kinds, or none when any kind is accepted', () => {
    assert.deepEqual(createReactions({ storage, kinds: { like: {}, comment: {} } }).kinds, [
      'like',
      'comment',
    ]);
    assert.equal(createReactions({ storage }).kinds, undefined);
  });

  it('uses the clock for a reaction without time, and keeps prefixes apart', async () => {
    const fresh = createMemoryStorage();
    const a = createReactions({ storage: fresh, prefix: 'a', now: () => T0 + 5 });
    const b = createReactions({ storage: fresh, prefix: 'b' });
    const { reaction } = await a.add({ activityId: post(1).id, kind: 'like', userId: 1 });
    assert.equal(reaction.time.getTime(), T0 + 5);
    assert.equal(await b.count(post(1).id, 'like'), 0);
    assert.equal(await a.count(post(1).id, 'like'), 1);
  });
});

describe('reactions: storage calls', () => {
  it('summary of 100 activities, 2 kinds and a reader: 2 rangeMany calls of 256 timelines at most', async () => {
    const { storage, calls } = counting(createMemoryStorage());
    const reactions = createReactions({ storage, kinds: { like: { unique: true }, comment: {} } });
    const activities = Array.from({ length: 100 }, (_, i) => post(i).id);
    for (const [i, activityId] of activities.entries()) {
      for (let u = 0; u < i % 4; u++) await reactions.add({ activityId, kind: 'like', userId: u });
    }
    calls.clear();
    const summaries = await reactions.summary(activities, { userId: 1, latest: 2 });
    assert.deepEqual([...calls], [['rangeMany', 2]], '400 timelines in chunks of 256');
    assert.deepEqual(
      summaries.map((s) => s.counts.like),
      activities.map((_, i) => i % 4),
    );
    assert.deepEqual(
      summaries.map((s) => s.own.like!.length),
      activities.map((_, i) => (i % 4 > 1 ? 1 : 0)),
    );
  });

  it('add is one update, one add and one get; remove one update, one get when absent, one remove', async () => {
    const { storage, calls } = counting(createMemoryStorage());
    const reactions = createReactions({ storage, kinds: { like: { unique: true } } });
    await reactions.add({ activityId: post(1).id, kind: 'like', userId: 1 });
    assert.deepEqual(Object.fromEntries(calls), { update: 1, add: 1, get: 1 });
    calls.clear();
    await reactions.remove({ activityId: post(1).id, kind: 'like', userId: 1 });
    assert.deepEqual(Object.fromEntries(calls), { update: 1, remove: 1 });
    calls.clear();
    await reactions.remove({ activityId: post(1).id, kind: 'like', userId: 1 });
    assert.deepEqual(Object.fromEntries(calls), { update: 1, get: 1, remove: 1 });
  });

  it('the last remove leaves no timeline behind', async () => {
    const storage = createMemoryStorage();
    const reactions = createReactions({ storage, kinds: { like: { unique: true } } });
    const activityId = post(1).id;
    await reactions.add({ activityId, kind: 'like', userId: 1 });
    await reactions.remove({ activityId, kind: 'like', userId: 1 });
    assert.equal(await storage.timeline.count(`reactions:a:${activityId}:like`), 0);
    assert.equal(await storage.timeline.count(`reactions:u:1:${activityId}:like`), 0);
  });
});

/** A manager with a flat user and timeline feed, the given target feeds and no followers. */
function managerWith<T extends FeedMap>(storage: Storage, targetFeeds: T) {
  return createManager({
    userFeed: defineFlatFeed({ name: 'user', storage }),
    feeds: { timeline: defineFlatFeed({ name: 'timeline', storage }) },
    targetFeeds,
    getFollowerIds: () => [],
  });
}

/** `manager` as a publisher whose feed adds first await `beforeAdd()` (to count or hold them). */
function hookedAdds(manager: ReactionPublisher, beforeAdd: () => unknown): ReactionPublisher {
  return {
    addUserActivity: manager.addUserActivity,
    removeUserActivity: manager.removeUserActivity,
    getFeed: (name: string, userId: string | number) => {
      const feed = manager.getFeed(name, userId);
      return {
        add: async (activity: Parameters<typeof feed.add>[0]) => {
          await beforeAdd();
          return feed.add(activity);
        },
        remove: (activity: Parameters<typeof feed.remove>[0]) => feed.remove(activity),
      };
    },
  };
}

describe('reactions with a manager from createManager', () => {
  it('notifies a target notification feed and withdraws the notification on removal', async () => {
    const storage = createMemoryStorage();
    const notification = defineNotificationFeed({ name: 'notification', storage });
    const manager = managerWith(storage, { notification });
    const reactions = createReactions({ storage, manager, kinds: { love: { unique: true } } });
    const activityId = post(1).id;
    await reactions.add({ activityId, kind: 'love', userId: 2, notify: ['notification:1'] });
    const counts = await manager.getFeed('notification', 1).counts();
    assert.equal(counts.unseen, 1);
    await reactions.remove({ activityId, kind: 'love', userId: 2 });
    assert.equal((await manager.getFeed('notification', 1).read()).items.length, 0);
  });

  it('adding a complete reaction again delivers nothing again (no second notification)', async () => {
    const storage = createMemoryStorage();
    const manager = managerWith(storage, {
      mentions: defineFlatFeed({ name: 'mentions', storage }),
    });
    let delivered = 0;
    const publisher = hookedAdds(manager, () => delivered++);
    const reactions = createReactions({
      storage,
      manager: publisher,
      kinds: { love: { unique: true } },
    });
    const input = { activityId: post(1).id, kind: 'love', userId: 2, notify: ['mentions:1'] };
    await reactions.add(input);
    const again = await reactions.add(input);
    assert.equal(again.created, false);
    assert.equal(delivered, 1);
  });

  it('publish with notify naming a feed `to` refuses (the user feed) succeeds and is withdrawn', async () => {
    const storage = createMemoryStorage();
    const manager = managerWith(storage, {});
    const reactions = createReactions({ storage, manager, kinds: { comment: {} } });
    const activityId = post(1).id;
    const input = { activityId, kind: 'comment', userId: 2, id: 'c1', publish: true };
    const added = await reactions.add({ ...input, notify: ['user:5'] });
    await added.tasks?.done();
    assert.equal(await manager.getUserFeed(5).count(), 1);
    assert.equal(await manager.getUserFeed(2).count(), 1, 'published under its user');
    const removed = await reactions.remove({ activityId, kind: 'comment', userId: 2, id: 'c1' });
    await removed.tasks?.done();
    assert.equal(await manager.getUserFeed(5).count(), 0);
    assert.equal(await manager.getUserFeed(2).count(), 0);
  });

  it('a stored delivered reaction cannot be removed without a manager: nothing written', async () => {
    const storage = createMemoryStorage();
    const manager = managerWith(storage, {});
    const activityId = post(1).id;
    const kinds = { comment: {} };
    const added = await createReactions({ storage, manager, kinds }).add({
      activityId,
      kind: 'comment',
      userId: 1,
      id: 'c1',
      publish: true,
    });
    await added.tasks?.done();
    const bare = createReactions({ storage, kinds });
    await assert.rejects(
      bare.remove({ activityId, kind: 'comment', userId: 1, id: 'c1' }),
      (e: { code?: string }) => e.code === 'INVALID_OPTION',
    );
    assert.equal(await bare.count(activityId, 'comment'), 1);
  });
});

describe('reactions: an add and a remove of one reaction at once', () => {
  it('a notification delivered after the remove finished is withdrawn by the add', async () => {
    const storage = createMemoryStorage();
    const mentions = defineFlatFeed({ name: 'mentions', storage });
    const manager = managerWith(storage, { mentions });
    // The add's delivery waits until the remove has finished.
    const held = holdPoint();
    const publisher = hookedAdds(manager, held.pass);
    const reactions = createReactions({
      storage,
      manager: publisher,
      kinds: { like: { unique: true } },
    });
    const activityId = post(1).id;
    const adding = reactions.add({ activityId, kind: 'like', userId: 2, notify: ['mentions:1'] });
    await held.reached;
    await reactions.remove({ activityId, kind: 'like', userId: 2 });
    held.release();
    assert.equal((await adding).removed, true);
    assert.equal(await mentions.for(1).count(), 0);
    assert.equal(await reactions.count(activityId, 'like'), 0);
  });
});

/**
 * The conformance suite of reactions (`createReactions`): built on the timeline storage
 * contract only, so every backend must pass it unchanged. Counts, idempotency, own reactions,
 * paging, concurrency, validation and the manager hooks (notify, publish, and their removal).
 * @module
 */
import assert from 'node:assert/strict';
import { createActivity } from '../activity/activity.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import { createReactions } from '../reactions/reactions.js';
import type { Reaction, ReactionsOptions } from '../reactions/types.js';
import type { Storage, TimelineStorage } from '../storage/contracts.js';
import type { BackendUnderTest } from './backend.js';
import { harnessTest } from './harness.js';
import { idsIn, managerContext, T0, world } from './manager-world.js';
import type { KitRunner } from './runner.js';

const post = (n: number) => createActivity({ actor: 1, verb: 'add', object: n, time: T0 + n });
const KINDS = { like: { unique: true }, comment: {} } as const;
const store = (storage: Storage, more: Partial<ReactionsOptions> = {}) =>
  createReactions({ storage, kinds: KINDS, ...more });
const ids = (reactions: readonly Reaction[]) => reactions.map((r) => r.id);

async function rejects(call: () => Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(call, (e: { code?: string; message?: string }) => {
    assert.equal(e.code, code, e.message);
    return true;
  });
}

/**
 * A point where a call waits: `pass()` resolves `reached` and waits for `release()`. Lets a test
 * run another call to completion in the middle of one. Internal to the kit's tests.
 */
export function holdPoint() {
  let release = () => {};
  let reach = () => {};
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  return {
    reached,
    release: () => release(),
    pass: async () => {
      reach();
      await open;
    },
  };
}

/**
 * Registers the reactions conformance suite (group `'reactions'`) against `backend` with
 * `runner`. `backend.create()` is called once per test and `backend.destroy` after it.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * describeReactions({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeReactions(runner: KitRunner, backend: BackendUnderTest): void {
  const title = `Reactions conformance (${backend.name})`;
  harnessTest(runner, backend, title, 'reactions', (harness) => {
    const test = harness.map(managerContext(backend));

    test('add counts a reaction once per id and keeps the first data', async ({ storage }) => {
      const reactions = store(storage);
      const a = post(1).id;
      const first = await reactions.add({
        activityId: a,
        kind: 'comment',
        userId: 7,
        id: 'c1',
        data: { text: 'hi' },
      });
      const again = await reactions.add({
        activityId: a,
        kind: 'comment',
        userId: 7,
        id: 'c1',
        data: { text: 'edited' },
      });
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.deepEqual(again.reaction.data, { text: 'hi' });
      assert.equal(await reactions.count(a, 'comment'), 1);
      const stored = await reactions.get(a, 'comment', 'c1');
      assert.deepEqual(stored, first.reaction);
      assert.equal(stored?.userId, '7');
      assert.equal(await reactions.get(a, 'comment', 'nope'), undefined);
    });

    test('a unique kind is one reaction per user: its id is derived', async ({ storage }) => {
      const reactions = store(storage);
      const a = post(1).id;
      const one = await reactions.add({ activityId: a, kind: 'like', userId: 7 });
      const two = await reactions.add({ activityId: a, kind: 'like', userId: '7' });
      const other = await reactions.add({ activityId: a, kind: 'like', userId: 8 });
      assert.equal(one.reaction.id, two.reaction.id, '7 and "7" are one user');
      assert.equal(two.created, false);
      assert.notEqual(other.reaction.id, one.reaction.id);
      assert.equal(await reactions.count(a, 'like'), 2);
      await rejects(
        () => reactions.add({ activityId: a, kind: 'like', userId: 9, id: 'x' }),
        'INVALID_OPTION',
      );
      assert.equal(await reactions.count(a, 'like'), 2);
    });

    test('summary: exact counts, newest first, own reactions, positional', async ({ storage }) => {
      const reactions = store(storage);
      const [a, b, c] = [post(1).id, post(2).id, post(3).id];
      for (let i = 0; i < 6; i++) {
        await reactions.add({
          activityId: a,
          kind: 'comment',
          userId: i % 2,
          id: `c${i}`,
          time: T0 + i,
        });
      }
      await reactions.add({ activityId: a, kind: 'like', userId: 1, time: T0 });
      await reactions.add({ activityId: b, kind: 'like', userId: 2, time: T0 });
      const [sa, sb, sc, sa2] = await reactions.summary([a, b, c, a], { userId: 1, latest: 2 });
      assert.deepEqual(sa?.counts, { like: 1, comment: 6 });
      assert.deepEqual(ids(sa!.latest.comment!), ['c5', 'c4']);
      assert.deepEqual(ids(sa!.own.comment!), ['c5', 'c3', 'c1']);
      assert.equal(sa!.own.like!.length, 1);
      assert.deepEqual(sb?.counts, { like: 1, comment: 0 });
      assert.deepEqual(sb?.own, { like: [], comment: [] }, "user 2's like is not user 1's");
      assert.deepEqual(sc, {
        activityId: c,
        counts: { like: 0, comment: 0 },
        latest: { like: [], comment: [] },
        own: { like: [], comment: [] },
      });
      assert.deepEqual(sa2, sa);
      const [counts] = await reactions.summary([a], { kinds: ['comment'], latest: 0 });
      assert.deepEqual(counts, {
        activityId: a,
        counts: { comment: 6 },
        latest: { comment: [] },
        own: { comment: [] },
      });
    });

    test('list pages by time in both orders, each reaction once', async ({ storage }) => {
      const reactions = store(storage);
      const a = post(1).id;
      const all: string[] = [];
      for (let i = 0; i < 7; i++) {
        all.push(`c${i}`);
        // Two reactions share each time: the id breaks the tie.
        await reactions.add({
          activityId: a,
          kind: 'comment',
          userId: 1,
          id: `c${i}`,
          time: T0 + Math.floor(i / 2),
        });
      }
      for (const order of ['desc', 'asc'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await reactions.list(a, 'comment', { limit: 3, order, cursor });
          assert.ok(page.items.length <= 3);
          seen.push(...ids(page.items));
          cursor = page.next;
        } while (cursor !== undefined);
        assert.deepEqual(seen, order === 'asc' ? all : [...all].reverse());
      }
      await rejects(() => reactions.list(a, 'comment', { cursor: '12.#' }), 'INVALID_OPTION');
    });

    test('remove: only by its user, idempotent, counts back to zero', async ({ storage }) => {
      const reactions = store(storage);
      const a = post(1).id;
      await reactions.add({ activityId: a, kind: 'comment', userId: 1, id: 'c1' });
      const like = await reactions.add({ activityId: a, kind: 'like', userId: 1 });
      await rejects(
        () => reactions.remove({ activityId: a, kind: 'comment', userId: 2, id: 'c1' }),
        'NOT_OWNER',
      );
      await rejects(
        () => reactions.remove({ activityId: a, kind: 'like', userId: 2, id: like.reaction.id }),
        'NOT_OWNER',
      );
      await rejects(
        () => reactions.add({ activityId: a, kind: 'comment', userId: 2, id: 'c1' }),
        'NOT_OWNER',
      );
      assert.deepEqual((await reactions.summary([a], { userId: 1 }))[0]?.counts, {
        like: 1,
        comment: 1,
      });
      const removed = await reactions.remove({ activityId: a, kind: 'like', userId: 1 });
      assert.equal(removed.reaction?.id, like.reaction.id);
      assert.equal(
        (await reactions.remove({ activityId: a, kind: 'like', userId: 1 })).reaction,
        undefined,
      );
      await reactions.remove({ activityId: a, kind: 'comment', userId: 1, id: 'c1' });
      const [summary] = await reactions.summary([a], { userId: 1 });
      assert.deepEqual(summary?.counts, { like: 0, comment: 0 });
      assert.deepEqual(summary?.own, { like: [], comment: [] });
      const [re] = [await reactions.add({ activityId: a, kind: 'like', userId: 1 })];
      assert.equal(re.created, true, 'a removed like can be given again');
      assert.equal(await reactions.count(a, 'like'), 1);
    });

    test('50 concurrent adds: distinct ids count 50, one id counts 1', async ({ storage }) => {
      const reactions = store(storage);
      const [a, b] = [post(1).id, post(2).id];
      const distinct = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          reactions.add({ activityId: a, kind: 'like', userId: i }),
        ),
      );
      const same = await Promise.all(
        Array.from({ length: 50 }, () =>
          reactions.add({ activityId: b, kind: 'comment', userId: 1, id: 'same' }),
        ),
      );
      assert.equal(distinct.filter((r) => r.created).length, 50);
      assert.equal(same.filter((r) => r.created).length, 1);
      assert.deepEqual(
        (await reactions.summary([a, b], { latest: 0 })).map((s) => s.counts),
        [
          { like: 50, comment: 0 },
          { like: 0, comment: 1 },
        ],
      );
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          reactions.remove({ activityId: a, kind: 'like', userId: i % 25 }),
        ),
      );
      assert.equal(await reactions.count(a, 'like'), 25, 'concurrent removes, 25 of them repeated');
    });

    test('bad input is refused with a typed error and writes nothing', async ({ storage }) => {
      const reactions = store(storage);
      const open = createReactions({ storage });
      const a = post(1).id;
      const add = (input: Record<string, unknown>) =>
        reactions.add({ activityId: a, kind: 'comment', userId: 1, ...input } as never);
      await rejects(() => add({ activityId: 'feed:1' }), 'INVALID_ID');
      await rejects(() => add({ activityId: `${a}\u00e9` }), 'INVALID_ID');
      await rejects(() => add({ id: 'a:b' }), 'INVALID_ID');
      await rejects(() => add({ id: 'é' }), 'INVALID_ID');
      await rejects(() => add({ id: 'x'.repeat(49) }), 'INVALID_ID');
      await rejects(() => add({ userId: '\ud800' }), 'INVALID_ID');
      await rejects(() => add({ kind: 'Like' }), 'INVALID_ID');
      await rejects(() => add({ kind: 'share' }), 'INVALID_OPTION');
      await rejects(() => add({ data: { text: 'x'.repeat(5000) } }), 'LIMIT_EXCEEDED');
      await rejects(() => add({ data: { bad: Number.NaN } }), 'INVALID_EXTRA');
      await rejects(() => add({ data: [] }), 'INVALID_EXTRA');
      await rejects(() => add({ time: 'yesterday' }), 'INVALID_TIME');
      await rejects(() => add({ notify: ['notification:2'] }), 'INVALID_OPTION');
      await rejects(() => add({ publish: true }), 'INVALID_OPTION');
      await rejects(() => add({ extra: 1 }), 'INVALID_OPTION');
      await rejects(() => open.summary([a]), 'INVALID_OPTION');
      await rejects(() => reactions.summary(Array(101).fill(a)), 'LIMIT_EXCEEDED');
      await rejects(
        () => reactions.remove({ activityId: a, kind: 'comment', userId: 1 }),
        'INVALID_OPTION',
      );
      assert.deepEqual((await reactions.summary([a], { userId: 1 }))[0]?.counts, {
        like: 0,
        comment: 0,
      });
      // A user id that needs escaping in keys is one user, apart from its look-alikes.
      await open.add({ activityId: a, kind: 'comment', userId: 'a:b{c}', id: 'x1' });
      await open.add({ activityId: a, kind: 'comment', userId: 'a%3Ab{c}', id: 'x2' });
      const own = await open.summary([a], { kinds: ['comment'], userId: 'a:b{c}' });
      assert.deepEqual(ids(own[0]!.own.comment!), ['x1']);
    });

    test('an add that fails half-way is completed by a retry with the same id', async ({
      storage,
    }) => {
      let fail = true;
      const timeline = new Proxy(storage.timeline, {
        get(target, prop, receiver) {
          if (prop === 'add' && fail) {
            return async () => {
              fail = false;
              throw new Error('lost connection');
            };
          }
          const value = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as TimelineStorage;
      const reactions = store({ ...storage, timeline });
      const a = post(1).id;
      await assert.rejects(
        reactions.add({ activityId: a, kind: 'like', userId: 1 }),
        /lost connection/,
      );
      assert.equal(await reactions.count(a, 'like'), 1, 'counted before the own entry');
      const retry = await reactions.add({ activityId: a, kind: 'like', userId: 1 });
      assert.equal(retry.created, false);
      assert.equal((await reactions.summary([a], { userId: 1 }))[0]?.own.like?.length, 1);
    });

    test('a remove that finishes while an add runs leaves nothing of either', async ({
      storage,
    }) => {
      // The add's own-entry write waits until the remove has finished.
      const held = holdPoint();
      const timeline = new Proxy(storage.timeline, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          if (prop !== 'add') return value.bind(target);
          return async (...args: Parameters<TimelineStorage['add']>) => {
            await held.pass();
            return target.add(...args);
          };
        },
      }) as TimelineStorage;
      const reactions = store({ ...storage, timeline });
      const a = post(1).id;
      const adding = reactions.add({ activityId: a, kind: 'like', userId: 1 });
      await held.reached;
      const removed = await reactions.remove({ activityId: a, kind: 'like', userId: 1 });
      assert.ok(removed.reaction, 'the remove saw the counted reaction');
      held.release();
      const added = await adding;
      assert.equal(added.removed, true);
      const [summary] = await reactions.summary([a], { userId: 1 });
      assert.deepEqual(summary?.counts, { like: 0, comment: 0 });
      assert.deepEqual(
        summary?.own,
        { like: [], comment: [] },
        'no own entry outlives the reaction',
      );
    });

    // Notification feeds need markers.
    test.in('markers')(
      'notify and publish deliver through the manager; remove undoes both',
      async ({ storage }) => {
        const w = world(storage);
        w.followers.set('3', [4]);
        const notification = defineNotificationFeed({ name: 'notification', storage });
        const manager = {
          addUserActivity: w.manager.addUserActivity,
          removeUserActivity: w.manager.removeUserActivity,
          getFeed: (name: string, userId: string | number) =>
            name === 'notification'
              ? notification.for(userId)
              : w.manager.getFeed(name as 'mentions', userId),
        };
        const reactions = store(storage, { manager });
        const a = post(1).id;
        await rejects(
          () => reactions.add({ activityId: a, kind: 'like', userId: 3, notify: ['nope:1'] }),
          'UNKNOWN_FEED',
        );
        const like = await reactions.add({
          activityId: a,
          kind: 'like',
          userId: 3,
          notify: ['notification:1'],
        });
        const comment = await reactions.add({
          activityId: a,
          kind: 'comment',
          userId: 3,
          id: 'c1',
          data: { text: 'nice' },
          notify: ['mentions:1'],
          publish: true,
        });
        await comment.tasks?.done();
        const [group] = (await notification.for(1).read()).items;
        assert.equal(group?.activities[0]?.verb, 'like');
        assert.equal(group?.activities[0]?.target, a);
        assert.equal(group?.activities[0]?.object, like.reaction.id);
        const mention = (await w.mentions.for(1).read()).items[0];
        assert.deepEqual(mention?.extra, {
          reaction: { id: 'c1', activityId: a, kind: 'comment', data: { text: 'nice' } },
        });
        assert.equal(mention?.actor, '3');
        assert.deepEqual(await idsIn(w.manager.getFeeds(4).timeline), [mention?.id], 'fanned out');
        assert.deepEqual(await idsIn(w.user.for(3)), [mention?.id]);
        await rejects(
          () => reactions.remove({ activityId: a, kind: 'comment', userId: 1, id: 'c1' }),
          'NOT_OWNER',
        );
        const removed = await reactions.remove({
          activityId: a,
          kind: 'comment',
          userId: 3,
          id: 'c1',
        });
        await removed.tasks?.done();
        await reactions.remove({ activityId: a, kind: 'like', userId: 3 });
        assert.equal((await notification.for(1).read()).items.length, 0);
        assert.deepEqual(await idsIn(w.mentions.for(1)), []);
        assert.deepEqual(await idsIn(w.manager.getFeeds(4).timeline), []);
        assert.deepEqual(await idsIn(w.user.for(3)), []);
      },
    );
  });
}

/**
 * Conformance cases of foreign ids (`manager.foreign`, docs/foreign-ids.md): lookups by
 * foreignId and time or foreignId alone through the index every backend keeps as a timeline,
 * partial updates of `extra` seen by normalized feeds at once and by denormalized ones after
 * the fan-out, removal everywhere with a receipt, and a failure half-way that a retry repairs.
 * @module
 */
import assert from 'node:assert/strict';
import type { Id } from '../activity/ids.js';
import { StreamFrameworkError } from '../errors.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { createManager } from '../manager/manager.js';
import type { Storage } from '../storage/contracts.js';
import type { BackendUnderTest } from './backend.js';
import { harnessTest } from './harness.js';
import {
  act,
  dumpFeeds,
  flakyStorage,
  holdingQueue,
  idsIn,
  managerContext,
  settled,
  T0,
  testQueue,
  world,
} from './manager-world.js';
import type { KitRunner } from './runner.js';

/**
 * Registers the foreign-id conformance tests (group `'foreign-ids'`) for a backend with `runner`.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 */
export function describeForeignIds(runner: KitRunner, backend: BackendUnderTest): void {
  harnessTest(runner, backend, `foreign ids (${backend.name})`, 'foreign-ids', (harness) => {
    const test = harness.map(managerContext(backend));

    test('get finds an activity by foreignId and time in one lookup', async ({ storage }) => {
      const { manager } = world(storage);
      const a = act(1, 1, { foreignId: 'pin:1', extra: { title: 'x' } });
      await settled(manager.addUserActivity(1, a));
      const time = T0 + 1000;
      for (const t of [time, new Date(time), new Date(time).toISOString()]) {
        const found = await manager.foreign.get({ foreignId: 'pin:1', time: t });
        assert.equal(found?.id, a.id);
        assert.deepEqual(found?.extra, { title: 'x' });
      }
      assert.equal(await manager.foreign.get({ foreignId: 'pin:1', time: time + 1 }), undefined);
      assert.equal(await manager.foreign.get({ foreignId: 'pin:2', time }), undefined);
    });

    test('get and find work when every feed is denormalized', async ({ storage }) => {
      const { manager, followers } = denormalizedWorld(storage);
      followers.set('1', [2]);
      const a = act(1, 1, { foreignId: 'pin:1' });
      await settled(manager.addUserActivity(1, a));
      assert.deepEqual(await storage.activities.getMany([a.id]), [undefined]);
      const found = await manager.foreign.get({ foreignId: 'pin:1', time: a.time });
      assert.equal(found?.id, a.id);
      assert.deepEqual(
        (await manager.foreign.find('pin:1')).items.map((x) => x.id),
        [a.id],
      );
    });

    test('find lists every time of a foreignId newest first, with a limit', async ({ storage }) => {
      const { manager } = world(storage);
      const acts = [1, 2, 3].map((n) => act(1, n, { foreignId: 'post:7' }));
      for (const a of acts) await settled(manager.addUserActivity(1, a));
      await settled(manager.addUserActivity(1, act(1, 4, { foreignId: 'post:8' })));
      await settled(manager.addUserActivity(1, acts[0]!)); // re-adding indexes it once
      const all = await manager.foreign.find('post:7');
      assert.deepEqual(
        all.items.map((a) => a.id),
        acts.map((a) => a.id).reverse(),
      );
      assert.deepEqual(all.missing, []);
      assert.equal(all.more, false);
      const two = await manager.foreign.find('post:7', { limit: 2 });
      assert.equal(two.items.length, 2);
      assert.equal(two.more, true);
      assert.deepEqual((await manager.foreign.find('post:9')).items, []);
    });

    test('unicode foreignIds are distinct index keys', async ({ storage }) => {
      const { manager } = world(storage);
      const ids = ['ünï:1', 'ünï:1 ', '🎉:{1}', 'a\u0000b', 'a\u0000c', ':sf-fid:x'];
      const acts = ids.map((f, i) => act(1, i + 1, { foreignId: f }));
      for (const a of acts) await settled(manager.addUserActivity(1, a));
      for (const [i, f] of ids.entries()) {
        assert.deepEqual(
          (await manager.foreign.find(f)).items.map((a) => a.id),
          [acts[i]!.id],
          f,
        );
      }
      await assert.rejects(manager.foreign.find('\ud800'), code('INVALID_ACTIVITY'));
      await assert.rejects(manager.foreign.find(''), code('INVALID_ACTIVITY'));
      await assert.rejects(manager.foreign.find('x'.repeat(513)), code('INVALID_ACTIVITY'));
    });

    test('removeUserActivity removes the index entry with the activity', async ({ storage }) => {
      const { manager } = world(storage);
      const a = act(1, 1, { foreignId: 'pin:1' });
      await settled(manager.addUserActivity(1, a));
      await settled(manager.removeUserActivity(1, a.id));
      const found = await manager.foreign.find('pin:1');
      assert.deepEqual([found.items, found.missing], [[], []]);
    });

    test('reindex indexes activities written before the index existed', async ({ storage }) => {
      const { manager, followers } = world(storage);
      followers.set('1', [2]);
      const old = act(1, 1, { foreignId: 'pin:old' });
      // Written as version 1.0 did (no index): straight into the user and follower feeds.
      await manager.getUserFeed(1).addMany([old, act(1, 2)]);
      await manager.getFeeds(2).timeline.add(old);
      assert.equal(
        (await manager.foreign.get({ foreignId: 'pin:old', time: old.time }))?.id,
        old.id,
      );
      assert.deepEqual((await manager.foreign.find('pin:old')).items, []);
      assert.deepEqual(await manager.foreign.reindex(1), { read: 2, indexed: 1 });
      assert.deepEqual(await manager.foreign.reindex(1), { read: 2, indexed: 1 });
      assert.deepEqual(
        (await manager.foreign.find('pin:old')).items.map((a) => a.id),
        [old.id],
      );
      await settled(manager.foreign.remove(1, 'pin:old'));
      assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), []);
      assert.deepEqual(await manager.foreign.reindex(3), { read: 0, indexed: 0 });
    });

    test('update changes extra: normalized feeds at once, denormalized after the fan-out', async ({
      storage,
      another,
    }) => {
      const { queue, tasks } = holdingQueue();
      const normal = world(storage, { queue });
      const other = holdingWorld(await another());
      for (const w of [normal, other.world]) w.followers.set('1', [2]);
      const a = act(1, 1, { foreignId: 'pin:1', extra: { title: 'old', keep: 1, drop: true } });
      for (const m of [normal.manager, other.world.manager]) await m.addUserActivity(1, a);
      for (const task of tasks.splice(0)) await normal.manager.runTask(task);
      for (const task of other.tasks.splice(0)) await other.world.manager.runTask(task);
      const ref = { foreignId: 'pin:1', time: a.time };
      const done = await normal.manager.foreign.update(1, ref, {
        set: { title: 'new' },
        unset: ['drop'],
      });
      assert.equal(done.activityId, a.id);
      assert.deepEqual(done.activity.extra, { title: 'new', keep: 1 });
      const extras = async (w: typeof normal) =>
        (await w.manager.getFeeds(2).timeline.read()).items.map((x) => x.extra);
      assert.deepEqual(await extras(normal), [{ title: 'new', keep: 1 }], 'normalized: at once');
      await other.world.manager.foreign.update(1, ref, { set: { title: 'new' } });
      assert.deepEqual(await extras(other.world), [{ title: 'old', keep: 1, drop: true }]);
      for (const task of other.tasks.splice(0)) await other.world.manager.runTask(task);
      assert.deepEqual(await extras(other.world), [{ title: 'new', keep: 1, drop: true }]);
      assert.deepEqual((await other.world.manager.foreign.get(ref))?.extra, {
        title: 'new',
        keep: 1,
        drop: true,
      });
    });

    test('an update that fails half-way is finished by calling it again', async ({ storage }) => {
      const before = world(storage, { denormalized: true });
      before.followers.set('1', [2, 3]);
      const a = act(1, 1, { foreignId: 'pin:1', extra: { title: 'old', n: 1 } });
      await settled(before.manager.addUserActivity(1, a));
      // The same feeds through a storage whose first fan-out write fails.
      const flaky = flakyStorage(storage);
      const { manager, followers } = world(flaky, { denormalized: true });
      followers.set('1', [2, 3]); // two feeds: the fan-out writes them with addToMany
      const ref = { foreignId: 'pin:1', time: a.time };
      const changes = { set: { title: 'new' }, unset: ['n'] };
      const extras = async () =>
        (await manager.getFeeds(2).timeline.read()).items.map((x) => x.extra);
      const first = await manager.foreign
        .update(1, ref, changes)
        .then((h) => h.done())
        .then(
          () => 'done',
          () => 'failed',
        );
      assert.deepEqual([first, flaky.failed()], ['failed', 1]);
      // Half-way: activity storage has the new version, the denormalized follower feed the old.
      assert.deepEqual((await manager.foreign.get(ref))?.extra, { title: 'new' });
      assert.deepEqual(await extras(), [{ title: 'old', n: 1 }]);
      // set and unset are idempotent: the same call again finishes the job.
      await settled(manager.foreign.update(1, ref, changes));
      assert.deepEqual(await extras(), [{ title: 'new' }]);
      assert.deepEqual((await manager.foreign.get(ref))?.extra, { title: 'new' });
    });

    test('update refuses what is not an extra change and writes nothing', async ({ storage }) => {
      const { manager, followers } = world(storage);
      followers.set('1', [2]);
      const a = act(1, 1, { foreignId: 'pin:1', extra: { title: 'x' } });
      await settled(manager.addUserActivity(1, a));
      const before = await dumpFeeds(manager, [1, 2], [a.id]);
      const ref = { foreignId: 'pin:1', time: a.time };
      const bad: [unknown, string][] = [
        [{ actor: 2 }, 'INVALID_OPTION'],
        [{ time: 5 }, 'INVALID_OPTION'],
        [{ set: { title: 'y' }, extra: {} }, 'INVALID_OPTION'],
        [{ set: { title: 'y' }, unset: ['title'] }, 'INVALID_EXTRA'],
        [{ unset: ['__proto__'] }, 'INVALID_EXTRA'],
        [{ set: JSON.parse('{"__proto__":{"x":1}}') }, 'INVALID_EXTRA'],
        [{ set: { ['\udc00']: 1 } }, 'INVALID_EXTRA'],
        [{ set: { ['k'.repeat(257)]: 1 } }, 'INVALID_EXTRA'],
        [{ set: { n: Number.NaN } }, 'INVALID_EXTRA'],
        [{ unset: 'title' }, 'INVALID_EXTRA'],
        [
          { set: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])) },
          'LIMIT_EXCEEDED',
        ],
        [{ set: { big: 'x'.repeat(2_000_000) } }, 'LIMIT_EXCEEDED'],
        [null, 'INVALID_OPTION'],
      ];
      for (const [changes, expected] of bad) {
        await assert.rejects(
          manager.foreign.update(1, ref, changes as never),
          code(expected),
          JSON.stringify(changes)?.slice(0, 60),
        );
      }
      await assert.rejects(manager.foreign.update(2, ref, { set: { t: 1 } }), code('NOT_OWNER'));
      await assert.rejects(
        manager.foreign.update(1, { foreignId: 'pin:1', time: 7 }, { set: { t: 1 } }),
        code('NOT_FOUND'),
      );
      await assert.rejects(
        manager.foreign.update(1, { foreignId: 'pin:1', time: 'soon' }, { set: { t: 1 } }),
        code('INVALID_TIME'),
      );
      assert.deepEqual(await dumpFeeds(manager, [1, 2], [a.id]), before);
    });

    test('update cannot hand an activity to another owner through extra', async ({ storage }) => {
      const { manager } = world(storage, {
        ownerOf: (a) => (a.extra as { owner?: Id }).owner ?? a.actor,
      });
      const a = act(1, 1, { foreignId: 'pin:1' });
      await settled(manager.addUserActivity(1, a));
      const ref = { foreignId: 'pin:1', time: a.time };
      await assert.rejects(
        manager.foreign.update(1, ref, { set: { owner: 2 } }),
        code('NOT_OWNER'),
      );
      assert.deepEqual((await manager.foreign.get(ref))?.extra, {});
    });

    test('concurrent updates of one activity keep every change', async ({ storage }) => {
      const { manager } = world(storage);
      const a = act(1, 1, { foreignId: 'pin:1' });
      await settled(manager.addUserActivity(1, a));
      const ref = { foreignId: 'pin:1', time: a.time };
      const keys = Array.from({ length: 8 }, (_, i) => `k${i}`);
      const handles = await Promise.all(
        keys.map((k, i) => manager.foreign.update(1, ref, { set: { [k]: i } })),
      );
      for (const h of handles) await h.done();
      assert.deepEqual(
        (await manager.foreign.get(ref))?.extra,
        Object.fromEntries(keys.map((k, i) => [k, i])),
      );
    });

    test('an update racing a removal never brings the activity back', async ({ storage }) => {
      const { manager, followers } = world(storage);
      followers.set('1', [2]);
      for (const n of [1, 2]) {
        const a = act(1, n, { foreignId: `race:${n}` });
        await settled(manager.addUserActivity(1, a));
        const ref = { foreignId: `race:${n}`, time: a.time };
        // Called in both orders: the removal must win whatever runs first.
        const calls =
          n === 1
            ? [
                manager.foreign.update(1, ref, { set: { t: n } }),
                manager.foreign.remove(1, ref.foreignId),
              ]
            : [
                manager.foreign.remove(1, ref.foreignId),
                manager.foreign.update(1, ref, { set: { t: n } }),
              ].reverse();
        const [u, r] = await Promise.allSettled(calls);
        assert.equal(r?.status, 'fulfilled');
        if (u?.status === 'rejected') assert.ok(code('NOT_FOUND')(u.reason));
        if (r?.status === 'fulfilled') await r.value.done();
        if (u?.status === 'fulfilled') await u.value.done().catch(() => {});
        assert.equal(await manager.foreign.get(ref), undefined);
        assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), []);
        assert.deepEqual(await idsIn(manager.getUserFeed(1)), []);
      }
    });

    test('remove deletes every activity of a foreignId everywhere, with a receipt', async ({
      storage,
      another,
    }) => {
      const { manager, followers } = world(storage);
      const denormalized = denormalizedWorld(await another());
      followers.set('1', [2, 3]);
      denormalized.followers.set('1', [2]);
      const acts = [1, 2].map((n) => act(1, n, { foreignId: 'pin:1', to: ['mentions:9'] }));
      const kept = act(1, 3, { foreignId: 'pin:2' });
      for (const a of [...acts, kept]) await settled(manager.addUserActivity(1, a));
      for (const a of [...acts, kept]) await settled(denormalized.manager.addUserActivity(1, a));
      const receipt = await manager.foreign.remove(1, 'pin:1');
      await receipt.done();
      assert.equal(receipt.completed(), receipt.total);
      assert.deepEqual(receipt.activityIds, acts.map((a) => a.id).reverse());
      // Per activity: the user feed, two followers' timelines, one `to` feed.
      assert.equal(receipt.feeds, 2 * 4);
      assert.deepEqual([receipt.notOwned, receipt.stale], [0, 0]);
      assert.deepEqual(await idsIn(manager.getUserFeed(1)), [kept.id]);
      for (const f of [2, 3])
        assert.deepEqual(await idsIn(manager.getFeeds(f).timeline), [kept.id]);
      assert.deepEqual(await idsIn(manager.getFeed('mentions', 9)), []);
      assert.deepEqual(await storage.activities.getMany(acts.map((a) => a.id)), [
        undefined,
        undefined,
      ]);
      assert.deepEqual((await manager.foreign.find('pin:1')).items, []);
      assert.equal((await manager.foreign.find('pin:2')).items.length, 1);
      const d = await settled(denormalized.manager.foreign.remove(1, 'pin:1'));
      assert.equal(d.feeds, 2 * 3);
      assert.deepEqual(await idsIn(denormalized.manager.getFeeds(2).timeline), [kept.id]);
      assert.deepEqual(await idsIn(denormalized.manager.getUserFeed(1)), [kept.id]);
      assert.deepEqual(await idsIn(denormalized.manager.getFeed('mentions', 9)), []);
      const again = await settled(manager.foreign.remove(1, 'pin:1'));
      assert.deepEqual([again.activityIds, again.feeds, again.total], [[], 0, 0]);
    });

    test("remove leaves another user's activity with the same foreignId", async ({ storage }) => {
      const { manager, followers } = world(storage);
      followers.set('2', [3]);
      const mine = act(1, 1, { foreignId: 'post:1' });
      const theirs = act(2, 2, { foreignId: 'post:1' });
      await settled(manager.addUserActivity(1, mine));
      await settled(manager.addUserActivity(2, theirs));
      const receipt = await settled(manager.foreign.remove(1, 'post:1'));
      assert.deepEqual([receipt.activityIds, receipt.notOwned], [[mine.id], 1]);
      assert.deepEqual(await idsIn(manager.getFeeds(3).timeline), [theirs.id]);
      assert.deepEqual(
        (await manager.foreign.find('post:1')).items.map((a) => a.id),
        [theirs.id],
      );
      await assert.rejects(manager.foreign.remove(1, '\udfff'), code('INVALID_ACTIVITY'));
      await assert.rejects(manager.foreign.remove('', 'post:1'), code('INVALID_ID'));
    });

    test('a remove that fails half-way is finished by calling it again', async ({ another }) => {
      for (const fail of ['activities', 'index'] as const) {
        const storage = await another();
        const flaky = failOnce(storage, fail);
        const { manager, followers } = world(flaky.storage);
        followers.set('1', [2]);
        const a = act(1, fail === 'index' ? 1 : 2, { foreignId: `pin:${fail}` });
        await settled(manager.addUserActivity(1, a));
        flaky.arm();
        await assert.rejects(manager.foreign.remove(1, `pin:${fail}`), /injected/);
        const left = await manager.foreign.find(`pin:${fail}`);
        assert.equal(left.items.length + left.missing.length, 1, `${fail}: still indexed`);
        const receipt = await settled(manager.foreign.remove(1, `pin:${fail}`));
        assert.equal(receipt.activityIds.length + receipt.stale, 1, fail);
        const after = await manager.foreign.find(`pin:${fail}`);
        assert.deepEqual([after.items, after.missing], [[], []], fail);
        assert.deepEqual(await idsIn(manager.getFeeds(2).timeline), [], fail);
        assert.deepEqual(await idsIn(manager.getUserFeed(1)), [], fail);
        assert.deepEqual(await storage.activities.getMany([a.id]), [undefined], fail);
      }
    });
  });
}

/** A rejection with a StreamFrameworkError of `expected` code. */
function code(expected: string) {
  return (error: unknown) => {
    assert.ok(error instanceof StreamFrameworkError, String(error));
    assert.equal(error.code, expected, error.message);
    return true;
  };
}

/** A manager whose every feed is denormalized (no activity storage used). */
function denormalizedWorld(storage: Storage) {
  const followers = new Map<string, Id[]>();
  const user = defineFlatFeed({ name: 'user', storage, normalized: false });
  const timeline = defineFlatFeed({ name: 'timeline', storage, normalized: false });
  const mentions = defineFlatFeed({ name: 'mentions', storage, normalized: false });
  const manager = createManager({
    userFeed: user,
    feeds: { timeline },
    targetFeeds: { mentions },
    getFollowerIds: (id) => followers.get(id) ?? [],
    queue: testQueue(),
  });
  return { followers, manager };
}

/** A world with a denormalized timeline whose tasks are held until the test runs them. */
function holdingWorld(storage: Storage) {
  const { queue, tasks } = holdingQueue();
  return { world: world(storage, { queue, denormalized: true }), tasks };
}

/**
 * `storage` whose next activity removal (`'activities'`) or foreignId index removal (`'index'`)
 * throws once after `arm()`: a removal failing half-way.
 */
function failOnce(storage: Storage, what: 'activities' | 'index') {
  let armed = false;
  const trip = () => {
    if (!armed) return;
    armed = false;
    throw new Error(`injected ${what} failure`);
  };
  const activities = {
    ...bind(storage.activities),
    removeMany: async (ids: readonly string[]) => {
      if (what === 'activities') trip();
      return storage.activities.removeMany(ids);
    },
  };
  const timeline = new Proxy(storage.timeline, {
    get(target, prop) {
      if (prop === 'remove') {
        return async (key: string, ids: readonly string[]) => {
          if (what === 'index' && key.includes(':sf-fid:')) trip();
          return target.remove(key, ids);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { storage: { timeline, activities }, arm: () => (armed = true) };
}

function bind<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const key of ['name', 'getMany', 'putMany', 'removeMany']) {
    const v: unknown = Reflect.get(o, key, o);
    out[key] = typeof v === 'function' ? v.bind(o) : v;
  }
  return out as T;
}

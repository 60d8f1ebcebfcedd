/**
 * Aggregated feed conformance cases that run once: one test per defect of the Python original
 * that this library fixes, plus options (custom aggregators and ranks, limits, trimming, metrics,
 * custom extra types). Registered by `describeAggregatedFeed`.
 * @module
 */
import assert from 'node:assert/strict';
import { type Activity, createActivity } from '../activity/activity.js';
import { groupIdOf, MAX_TIME_MS } from '../activity/ids.js';
import { byVerbAndDay, createAggregator } from '../aggregation/aggregators.js';
import { MAX_GROUP_COUNT } from '../aggregation/group.js';
import { SerializationError, ValidationError } from '../errors.js';
import { type AggregatedFeedOptions, defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import type { FeedEvent } from '../metrics/metrics.js';
import type { Storage } from '../storage/contracts.js';
import {
  act,
  actOnDay,
  GROUP_BASE_TIME_MS,
  type GroupCase,
  newestFirst,
  range,
} from './group-feed-support.js';

/** Registers the run-once aggregated feed cases with `test`. */
export function registerAggregatedExtraCases(test: GroupCase): void {
  const define = (storage: Storage, options: Partial<AggregatedFeedOptions> = {}) =>
    defineAggregatedFeed({ name: 'agg', storage, ...options });
  const gid = (a: Activity) => groupIdOf(byVerbAndDay.groupKey(a));

  test('an activity merges into its existing group even when it is older than the newest 20 groups', async (storage) => {
    const feed = define(storage).for(1);
    const old = act(1);
    await feed.add(old);
    await feed.addMany(range(25).map((d) => actOnDay(d, d + 1)));
    const late = act(2);
    assert.equal(await feed.add(late), 1);
    assert.equal(await feed.count(), 26);
    const [g] = await feed.getGroups([gid(old)]);
    assert.deepEqual(g!.activityIds, [late.id, old.id]);
    assert.equal(await feed.indexOf(gid(old)), 25);
  });

  test('groups updated in the same second keep distinct identities and nothing is lost', async (storage) => {
    const feed = define(storage).for(1);
    const t = GROUP_BASE_TIME_MS + 100;
    const [a, b, c] = [
      act(1, { time: t }),
      act(2, { verb: 'comment', time: t }),
      act(3, { verb: 'add', time: t + 400 }),
    ];
    assert.equal(await feed.addMany([a, b]), 2);
    assert.equal(await feed.add(c), 1);
    const { items } = await feed.read();
    assert.equal(items.length, 3);
    assert.equal(new Set(items.map((g) => g.id)).size, 3);
    const byId = new Map(items.map((g) => [g.id, g.activityIds]));
    for (const x of [a, b, c]) assert.deepEqual(byId.get(gid(x)), [x.id]);
  });

  test('concurrent writers to one aggregated feed lose no activity and create no duplicate group', async (storage) => {
    const def = define(storage);
    const shared = range(20).map((i) => act(i, { actor: i }));
    const own = range(20).map((i) => actOnDay(100 + i, i + 1, { verb: 'comment' }));
    const added = await Promise.all(
      range(20).map((i) => def.for(1).addMany([shared[i]!, own[i]!])),
    );
    assert.equal(
      added.reduce((x, y) => x + y, 0),
      40,
    );
    const feed = def.for(1);
    assert.equal(await feed.count(), 21);
    const { items } = await feed.read({ limit: 100 });
    assert.equal(new Set(items.map((g) => g.id)).size, 21);
    assert.equal(new Set(items.map((g) => g.group)).size, 21);
    const [g] = await feed.getGroups([gid(shared[0]!)]);
    assert.equal(g!.activityCount, 20);
    assert.equal(g!.actorCount, 20);
    assert.deepEqual(g!.activityIds, newestFirst(shared).slice(0, 15));
  });

  test('concurrent writers of several definitions (each merging its own callers) lose nothing', async (storage) => {
    // Four writers, as four processes would be: each merges its waiting callers into one commit
    // (group commit), and the writers' commits still race through the atomic update.
    const defs = range(4).map(() => define(storage));
    const shared = range(24).map((i) => act(i, { actor: i }));
    const own = range(24).map((i) => actOnDay(100 + i, i + 1, { verb: 'comment' }));
    const added = await Promise.all(
      range(24).map((i) => defs[i % 4]!.for(1).addMany([shared[i]!, own[i]!])),
    );
    assert.deepEqual(
      added,
      range(24).map(() => 2),
    );
    const feed = defs[0]!.for(1);
    assert.equal(await feed.count(), 25);
    const { items } = await feed.read({ limit: 100 });
    assert.equal(new Set(items.map((g) => g.id)).size, 25);
    const [g] = await feed.getGroups([gid(shared[0]!)]);
    assert.equal(g!.activityCount, 24);
    assert.equal(g!.actorCount, 24);
    assert.deepEqual(g!.activityIds, newestFirst(shared).slice(0, 15));
    // The same activities again, concurrently: nothing is new.
    const again = await Promise.all(
      range(24).map((i) => defs[(i + 1) % 4]!.for(1).addMany([shared[i]!, own[i]!])),
    );
    assert.deepEqual(
      again,
      range(24).map(() => 0),
    );
    assert.equal((await feed.getGroups([gid(shared[0]!)]))[0]!.activityCount, 24);
  });

  test('a rejected write (bad activity in the batch) writes nothing', async (storage) => {
    const feed = define(storage).for(1);
    const first = act(1);
    await feed.add(first);
    const good = act(2);
    const bad = { ...act(3), time: 'yesterday' } as unknown as Activity;
    await assert.rejects(feed.addMany([good, bad]), ValidationError);
    await assert.rejects(feed.addMany([good, { ...act(4), id: 'x' } as Activity]), ValidationError);
    assert.deepEqual(await storage.activities.getMany([good.id]), [undefined]);
    const { items } = await feed.read();
    assert.equal(items.length, 1);
    assert.deepEqual(items[0]!.activityIds, [first.id]);
  });

  test('a group whose activity left activity storage is read without it, reported in page.missing', async (storage) => {
    const feed = define(storage).for(1);
    const [a, b, c] = [act(1), act(2), act(3, { verb: 'comment' })];
    await feed.addMany([a, b, c]);
    await storage.activities.removeMany([a.id, c.id]);
    const { items, missing } = await feed.read();
    assert.deepEqual([...missing].sort(), [a.id, c.id].sort());
    assert.equal(items.length, 1, 'a group with no activity left is skipped');
    assert.deepEqual(items[0]!.activities, [b]);
    assert.deepEqual(items[0]!.activityIds, [b.id, a.id]);
    assert.equal(await feed.count(), 2);
  });

  test('a corrupt stored group fails the read with a SerializationError naming key and id', async (storage) => {
    const feed = define(storage).for(1);
    await storage.timeline.add(feed.key, [{ id: 'corrupt-group', score: 1, payload: '{oops' }]);
    await assert.rejects(feed.read(), (error: unknown) => {
      assert.ok(error instanceof SerializationError);
      assert.match(error.message, /corrupt-group/);
      assert.ok(error.message.includes(feed.key));
      return true;
    });
  });

  test('a custom aggregator groups by its own key and a custom rank orders groups', async (storage) => {
    const byActor = createAggregator(
      'actor',
      (a) => `actor:${a.actor}`,
      (g) => g.activityCount,
    );
    const feed = define(storage, { aggregator: byActor }).for(1);
    const acts = [
      act(1, { actor: 'ann' }),
      act(2, { actor: 'bob', verb: 'comment' }),
      act(3, { actor: 'bob' }),
      act(4, { actor: 'cy' }),
    ];
    await feed.addMany(acts);
    const { items } = await feed.read();
    assert.equal(items[0]!.group, 'actor:bob');
    assert.equal(items[0]!.score, 2);
    assert.equal(items[0]!.verb, 'love', 'the newest activity gives the verb');
    assert.deepEqual(
      new Set(items.map((g) => g.group)),
      new Set(['actor:ann', 'actor:bob', 'actor:cy']),
    );
    await feed.addMany([act(5, { actor: 'ann' }), act(6, { actor: 'ann' })]);
    assert.equal((await feed.read()).items[0]!.group, 'actor:ann');
  });

  test('custom extra data types round trip through both modes', async (storage) => {
    type Pin = { itemId: number; board: string; tags: string[] };
    for (const normalized of [true, false]) {
      const def = defineAggregatedFeed<Pin>({ name: normalized ? 'n' : 'd', storage, normalized });
      const pin = createActivity<Pin>({
        actor: 1,
        verb: 'add',
        object: 'pin:1',
        time: GROUP_BASE_TIME_MS,
        extra: { itemId: 9, board: 'a;b,c|d', tags: ['x;y', 'ünï'] },
      });
      await def.for(1).add(pin);
      const [g] = (await def.for(1).read()).items;
      const extra: Pin = g!.activities[0]!.extra;
      assert.deepEqual(extra, { itemId: 9, board: 'a;b,c|d', tags: ['x;y', 'ünï'] });
      assert.equal(extra.itemId + 1, 10);
    }
  });

  test('groups.maxActivities and groups.maxTrackedActors bound what a group keeps', async (storage) => {
    const feed = define(storage, { groups: { maxActivities: 3, maxTrackedActors: 2 } }).for(1);
    const acts = [1, 2, 3, 4, 5].map((i) => act(i, { actor: i % 4 }));
    await feed.addMany(acts);
    const [g] = (await feed.read()).items;
    assert.deepEqual(g!.activityIds, newestFirst(acts).slice(0, 3));
    assert.equal(g!.activityCount, 5);
    assert.equal(g!.actors.length, 2);
    assert.ok(g!.actorCount >= 4, `actorCount ${g!.actorCount} must not undercount 4 actors`);
  });

  test('actorCount counts each actor once', async (storage) => {
    const feed = define(storage).for(1);
    await feed.addMany([act(1, { actor: 7 }), act(2, { actor: 7 }), act(3, { actor: '7' })]);
    const [g] = (await feed.read()).items;
    assert.equal(g!.activityCount, 3);
    assert.equal(g!.actorCount, 2, 'the number 7 and the string "7" are different actors');
  });

  test('writes trim to maxLength groups, unless asked not to', async (storage) => {
    const feed = define(storage, { maxLength: 5 }).for(1);
    const acts = range(8).map((d) => actOnDay(d, d));
    await feed.addMany(acts);
    assert.equal(await feed.count(), 5);
    const kept = (await feed.read()).items.map((g) => g.id);
    assert.deepEqual(kept, acts.slice(3).map(gid).reverse());
    await feed.addMany(
      range(3).map((d) => actOnDay(20 + d, 20 + d)),
      { trim: false },
    );
    assert.equal(await feed.count(), 8);
    assert.equal(await feed.trim(), 3);
    assert.equal(await feed.count(), 5);
  });

  test('trim.chance trims after a write only when the random source says so', async (storage) => {
    let r = 0.99;
    const feed = define(storage, { maxLength: 2, trim: { chance: 0.5, random: () => r } }).for(1);
    await feed.addMany(range(4).map((d) => actOnDay(d, d)));
    assert.equal(await feed.count(), 4);
    r = 0;
    const newest = actOnDay(9, 9);
    await feed.add(newest);
    assert.equal(await feed.count(), 2);
    assert.equal(await feed.indexOf(gid(newest)), 0);
  });

  test('delete empties one feed and leaves the others', async (storage) => {
    const def = define(storage);
    await def.for(1).addMany([act(1), act(2, { verb: 'comment' })]);
    await def.for(2).add(act(3));
    await def.for(1).delete();
    assert.equal(await def.for(1).count(), 0);
    assert.deepEqual((await def.for(1).read()).items, []);
    assert.equal(await def.for(2).count(), 1);
    await def.for(1).add(act(4));
    assert.equal((await def.for(1).read()).items[0]!.activityCount, 1);
  });

  test('reads reject flat-feed-only options and malformed cursors', async (storage) => {
    const feed = define(storage).for(1);
    await feed.add(act(1));
    const id = act(1).id;
    // Not GroupReadOptions (a compile error in TypeScript): refused at run time too.
    await assert.rejects(feed.read({ filter: { lt: id } } as never), ValidationError);
    await assert.rejects(feed.read({ filter: { gt: id } } as never), ValidationError);
    await assert.rejects(feed.read({ cursor: 'not a cursor' }), ValidationError);
    await assert.rejects(feed.read({ limit: 0 }), ValidationError);
  });

  test('bad options are rejected when the feed is defined', async (storage) => {
    assert.throws(() => define(storage, { groups: { maxActivities: 0 } }), ValidationError);
    assert.throws(() => define(storage, { groups: { maxTrackedActors: -1 } }), ValidationError);
    assert.throws(() => define(storage, { aggregator: {} as never }), ValidationError);
    assert.throws(() => define(storage, { normalized: 'yes' as never }), ValidationError);
    const bad = define(storage, { aggregator: createAggregator('empty', () => '') }).for(1);
    await assert.rejects(bad.add(act(1)), ValidationError);
    assert.equal(await bad.count(), 0);
  });

  test('metrics hooks report writes, removals and reads', async (storage) => {
    const seen: [string, FeedEvent][] = [];
    const metrics = {
      onFeedWrite: (e: FeedEvent) => seen.push(['write', e]),
      onFeedRemove: (e: FeedEvent) => seen.push(['remove', e]),
      onFeedRead: (e: FeedEvent) => seen.push(['read', e]),
    };
    const feed = define(storage, { metrics }).for(1);
    const acts = [act(1), act(2), act(3, { verb: 'comment' })];
    await feed.addMany(acts);
    await feed.add(acts[0]!);
    await feed.remove(acts[0]!);
    await feed.read();
    assert.deepEqual(
      seen.map(([kind, e]) => [kind, e.feed, e.count]),
      [
        ['write', 'agg', 3],
        ['write', 'agg', 0],
        ['remove', 'agg', 1],
        ['read', 'agg', 2],
      ],
    );
  });

  test('an activity pushed out of its full group and added again is not counted twice; removing it counts it down', async (storage) => {
    const feed = define(storage, { groups: { maxActivities: 3 } }).for(1);
    const acts = range(6).map((i) => act(i + 1, { actor: i + 1 }));
    assert.equal(await feed.addMany(acts), 6);
    // A redelivered fan-out task, a second follow, a retry after a timeout: the oldest again.
    assert.equal(await feed.add(acts[0]!), 0);
    assert.equal(await feed.addMany(acts.slice(0, 3)), 0);
    let [g] = await feed.getGroups([gid(acts[0]!)]);
    assert.equal(g!.activityCount, 6);
    assert.deepEqual(g!.activityIds, newestFirst(acts.slice(3)));
    // The pushed-out ones are remembered by actor too: removal by id or by actor counts down.
    assert.equal(await feed.remove(acts[0]!.id), 1);
    assert.equal(await feed.removeByActors([acts[1]!.actor]), 1);
    [g] = await feed.getGroups([gid(acts[0]!)]);
    assert.equal(g!.activityCount, 4);
    assert.equal(g!.actorCount, 4);
    assert.equal(g!.createdAt.getTime(), acts[2]!.time.getTime());
    assert.equal(await feed.contains(acts[2]!), false, 'contains sees retained activities only');
  });

  test('with groups.maxTrackedActivities, older pushed-out activities are only counted', async (storage) => {
    const feed = define(storage, { groups: { maxActivities: 2, maxTrackedActivities: 1 } }).for(1);
    const acts = range(5).map((i) => act(i + 1));
    await feed.addMany(acts);
    assert.equal(await feed.add(acts[2]!), 0, 'the newest pushed-out one is remembered');
    assert.equal(await feed.remove(acts[0]!.id), 0, 'an older one cannot be recognised');
    const [g] = await feed.getGroups([gid(acts[0]!)]);
    assert.equal(g!.activityCount, 5);
  });

  test('removing 500 of 3600 activities leaves every group consistent', async (storage) => {
    const feed = define(storage, { maxLength: 200 }).for(1);
    const verbs = ['love', 'comment', 'add'];
    const acts = range(3600).map((i) =>
      actOnDay(i, i % 40, { verb: verbs[i % 3]!, actor: i % 50, object: i }),
    );
    assert.equal(await feed.addMany(acts), 3600);
    const before = (await feed.read({ limit: 200 })).items;
    assert.equal(before.length, 120);
    const victims = acts.filter((_, i) => i % 7 === 3).slice(0, 500);
    const gone = new Set(victims.map((a) => a.id));
    // 30 activities per group: 15 retained, 15 pushed out but remembered, so all can be removed.
    const removedPerGroup = new Map<string, number>();
    for (const a of victims) removedPerGroup.set(gid(a), (removedPerGroup.get(gid(a)) ?? 0) + 1);
    const removed = await feed.removeMany(victims.map((a, k) => (k % 2 ? a.id : a)));
    assert.equal(removed, victims.length);
    const after = (await feed.read({ limit: 200 })).items;
    const afterById = new Map(after.map((g) => [g.id, g]));
    let total = 0;
    for (const g of before) {
      const left = g.activityIds.filter((id) => !gone.has(id));
      const now = afterById.get(g.id);
      if (left.length === 0) assert.equal(now, undefined, `group ${g.group} should be gone`);
      else {
        assert.deepEqual(now?.activityIds, left, `group ${g.group}`);
        assert.equal(now.activityCount, g.activityCount - (removedPerGroup.get(g.id) ?? 0));
        total += now.activityCount;
      }
    }
    assert.equal(after.length, await feed.count());
    const emptied = before.filter((g) => !afterById.has(g.id));
    const lostWithEmptied = emptied.reduce(
      (n, g) => n + g.activityCount - (removedPerGroup.get(g.id) ?? 0),
      0,
    );
    assert.equal(total, 3600 - victims.length - lostWithEmptied);
  });

  test('addGroups refuses counts past what a group holds and merges saturate, so reads never fail', async (storage) => {
    const source = define(storage, { name: 'src' }).for(1);
    await source.addMany([act(1), act(2, { actor: 1 })]);
    const [group] = (await source.read()).items;
    const feed = define(storage).for(1);
    for (const [field, value] of [
      ['activityCount', Number.MAX_SAFE_INTEGER],
      ['activityCount', MAX_GROUP_COUNT + 1],
      ['actorCount', Number.MAX_SAFE_INTEGER],
    ] as const) {
      await assert.rejects(
        feed.addGroups([{ ...group!, [field]: value }]),
        (e: unknown) => e instanceof ValidationError && e.code === 'LIMIT_EXCEEDED',
        field,
      );
    }
    for (const bad of [{ updatedAt: new Date(MAX_TIME_MS + 1) }, { createdAt: new Date(-1) }]) {
      await assert.rejects(
        feed.addGroups([{ ...group!, ...bad }]),
        (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_TIME',
      );
    }
    assert.equal(await feed.count(), 0, 'nothing was written');
    const full = { ...group!, activityCount: MAX_GROUP_COUNT, actorCount: MAX_GROUP_COUNT };
    assert.equal(await feed.addGroups([full]), 1);
    await feed.add(act(3, { actor: 3 }));
    const [merged] = (await feed.read()).items;
    assert.equal(merged?.activityCount, MAX_GROUP_COUNT);
    assert.equal(merged?.actorCount, MAX_GROUP_COUNT);
    assert.equal(merged?.activities.length, 3);
  });

  test('an aggregator rank that is not a safe integer, or a group key with a lone surrogate, is refused before anything is written', async (storage) => {
    const half = createAggregator('half', byVerbAndDay.groupKey, (g) => g.updatedAt + 0.5);
    const surrogate = createAggregator('surrogate', (a) => `${a.verb}\ud800`);
    const source = define(storage, { name: 'src' }).for(1);
    await source.add(act(9));
    const [group] = (await source.read()).items;
    for (const aggregator of [half, surrogate]) {
      const definition = define(storage, { aggregator });
      const feed = definition.for(1);
      const a = act(1);
      const refused = (e: unknown) => e instanceof ValidationError && e.code === 'INVALID_OPTION';
      assert.throws(() => definition.validate?.([a]), refused, 'the validate hook refuses it');
      await assert.rejects(feed.add(a), refused);
      await assert.rejects(definition.addToMany([1, 2], [a]), refused);
      if (aggregator === half) await assert.rejects(feed.addGroups([group!]), refused);
      assert.equal(await feed.count(), 0);
      assert.deepEqual(
        await storage.activities.getMany([a.id]),
        [undefined],
        'activity not stored',
      );
    }
  });
}

/**
 * Conformance suite of the data boundary: what every backend must do with activity ids of both
 * formats (the current 20-character ids and the 16-character ids of version 0.1, side by side in
 * one feed), with hand-built activities mutated after they were handed over, with extra data that
 * JSON would change (`-0`, holes) and with over-long `to` lists. Public API only.
 * @module
 */
import assert from 'node:assert/strict';
import { type Activity, type ActivityInput, createActivity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import { byVerbObjectAndDay } from '../aggregation/aggregators.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import { createManager } from '../manager/manager.js';
import type { BackendUnderTest } from './backend.js';
import { BASE_TIME_MS, hasCode } from './fixtures.js';
import { type HarnessTest, harnessTest } from './harness.js';
import type { KitRunner } from './runner.js';

/**
 * Registers the data boundary conformance tests (group `'boundary'`) for a backend with `runner`.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * describeBoundary({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeBoundary(runner: KitRunner, backend: BackendUnderTest): void {
  harnessTest(runner, backend, `data boundary (${backend.name})`, 'boundary', (test) => {
    registerIdFormatCases(test);
    registerSnapshotCases(test);
  });
}

const input = (n: number, time: number, extra: JsonObject = { n }): ActivityInput => ({
  actor: 1 + (n % 3),
  verb: 'add',
  object: `obj-${n}`,
  time,
  extra,
});

/**
 * Activities of both id formats: at each of three times, three current and three legacy ones
 * (equal scores), so one feed mixes the formats within a score and across scores.
 */
function mixedActivities(): Activity[] {
  const out: Activity[] = [];
  for (let t = 0; t < 3; t++) {
    for (let i = 0; i < 6; i++) {
      const n = t * 6 + i;
      const idFormat = i % 2 === 0 ? 'current' : 'legacy';
      out.push(createActivity(input(n, BASE_TIME_MS + t * 1000), { idFormat }));
    }
  }
  return out;
}

/** `ids` in feed order: newest time first, then by id, descending (lexicographic, both formats). */
function feedOrder(activities: readonly Activity[]): string[] {
  return [...activities]
    .sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1))
    .map((a) => a.id);
}

function registerIdFormatCases(test: HarnessTest): void {
  for (const normalized of [true, false]) {
    const mode = normalized ? 'normalized' : 'denormalized';
    test(`${mode} flat feed: legacy and current ids at equal times page in one total order, no skip or repeat`, async ({
      storage,
    }) => {
      const feed = defineFlatFeed({ name: 'mixed', storage, normalized, maxLength: 100 }).for(1);
      const acts = mixedActivities();
      await feed.addMany(acts);
      const expected = feedOrder(acts);
      for (const limit of [1, 2, 4, 5]) {
        for (const order of ['desc', 'asc'] as const) {
          const seen: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await feed.read({ limit, order, ...(cursor ? { cursor } : {}) });
            seen.push(...page.items.map((a) => a.id));
            cursor = page.next;
          } while (cursor !== undefined);
          const want = order === 'desc' ? expected : [...expected].reverse();
          assert.deepEqual(seen, want, `limit ${limit}, ${order}`);
        }
      }
      // Id filters across formats: strictly older than a legacy id, strictly newer than a current one.
      const legacy = acts.find(
        (a) => a.id.length === 16 && a.time.getTime() === BASE_TIME_MS + 1000,
      )!;
      const current = acts.find(
        (a) => a.id.length === 20 && a.time.getTime() === BASE_TIME_MS + 1000,
      )!;
      const older = (await feed.read({ filter: { lt: legacy.id }, limit: 100 })).items.map(
        (a) => a.id,
      );
      assert.deepEqual(older, expected.slice(expected.indexOf(legacy.id) + 1));
      const newer = (await feed.read({ filter: { gt: current.id }, limit: 100 })).items.map(
        (a) => a.id,
      );
      assert.deepEqual(newer, expected.slice(0, expected.indexOf(current.id)));
      // Every activity reads back whole, whatever its id format (the keyed form takes the id's time).
      const all = (await feed.read({ limit: 100 })).items;
      for (const a of all) {
        const original = acts.find((x) => x.id === a.id)!;
        assert.deepEqual(a, original);
      }
      await feed.removeMany(acts.filter((a) => a.id.length === 16));
      assert.deepEqual(
        (await feed.read({ limit: 100 })).items.map((a) => a.id),
        expected.filter((id) => id.length === 20),
      );
    });
  }

  test('an aggregated group orders members of both id formats by time', async ({ storage }) => {
    const feed = defineAggregatedFeed({
      name: 'mixedgroups',
      storage,
      aggregator: byVerbObjectAndDay,
    }).for(1);
    const one = { actor: 1, verb: 'add', object: 'o' };
    const older = createActivity({ ...one, actor: 2, time: BASE_TIME_MS + 1 }); // current, ms 1
    const newer = createActivity({ ...one, time: BASE_TIME_MS + 2 }, { idFormat: 'legacy' });
    await feed.addMany([older, newer]);
    const [group] = (await feed.read()).items;
    assert.deepEqual(group?.activityIds, [newer.id, older.id]);
  });
}

function registerSnapshotCases(test: HarnessTest): void {
  /** A hand-built activity: a plain object with the fields of an activity. */
  const handBuilt = (n: number): Record<string, unknown> & { extra: Record<string, unknown> } => {
    const a = createActivity({ ...input(n, BASE_TIME_MS + n, { n, list: [1] }), actor: 1 });
    return { ...a, extra: { n, list: [1] }, to: [...a.to] };
  };
  /** Mutates a hand-built activity's extra past every limit and with a key validation refuses. */
  const spoil = (a: { extra: Record<string, unknown> }): void => {
    a.extra.n = 'x'.repeat(1_000_000);
    (a.extra.list as unknown[]).push(2);
    Object.defineProperty(a.extra, '__proto__', { value: { polluted: 1 }, enumerable: true });
  };

  for (const normalized of [true, false]) {
    const mode = normalized ? 'normalized' : 'denormalized';
    test(`${mode} flat feed stores a hand-built activity as validated, however it is mutated during and after add()`, async ({
      storage,
    }) => {
      const feed = defineFlatFeed({ name: 'snap', storage, normalized }).for(1);
      const a = handBuilt(1);
      const adding = feed.add(a as unknown as Activity);
      spoil(a); // before add() awaits anything
      await adding;
      const b = handBuilt(2);
      await feed.add(b as unknown as Activity);
      spoil(b); // after
      const items = (await feed.read()).items;
      assert.deepEqual(
        items.map((x) => x.extra),
        [
          { n: 2, list: [1] },
          { n: 1, list: [1] },
        ],
      );
    });
  }

  test('the manager stores a hand-built activity as validated, however it is mutated during and after addUserActivity()', async ({
    storage,
  }) => {
    const user = defineFlatFeed({ name: 'user', storage, normalized: true });
    const timeline = defineFlatFeed({ name: 'timeline', storage, normalized: false });
    const manager = createManager({
      userFeed: user,
      feeds: { timeline },
      getFollowerIds: () => [2],
    });
    const a = handBuilt(1);
    const adding = manager.addUserActivity(a.actor as Id, a as unknown as Activity);
    spoil(a);
    await (await adding).done();
    const b = handBuilt(2);
    const handle = await manager.addUserActivity(b.actor as Id, b as unknown as Activity);
    spoil(b);
    await handle.done();
    const want = [
      { n: 2, list: [1] },
      { n: 1, list: [1] },
    ];
    assert.deepEqual(
      (await user.for(1).read()).items.map((x) => x.extra),
      want,
    );
    assert.deepEqual(
      (await timeline.for(2).read()).items.map((x) => x.extra),
      want,
    );
  });

  test('an activity with -0 in extra added again (as another process would) does not re-mark its notification', async ({
    storage,
  }) => {
    // Two definitions on one storage: two processes, each with its own caches.
    const feed = defineNotificationFeed({ name: 'notify', storage }).for(1);
    const other = defineNotificationFeed({ name: 'notify', storage }).for(1);
    const make = () => createActivity(input(1, BASE_TIME_MS, { score: -0, list: [-0] }));
    await feed.add(make());
    assert.equal(await feed.markAllSeen(), 1);
    await other.add(make());
    await other.add({ ...make(), extra: { score: -0, list: [-0] } } as Activity); // hand-built
    assert.deepEqual(await other.counts(), { unseen: 0, unread: 1 });
    const [group] = (await other.read()).items;
    assert.equal(group?.activityCount, 1);
  });

  test('extra with holes (a sparse array) is refused with INVALID_EXTRA and nothing is written', async ({
    storage,
  }) => {
    const feed = defineFlatFeed({ name: 'holes', storage }).for(1);
    const list = [1, 2, 3];
    delete list[1];
    const a = { ...createActivity(input(1, BASE_TIME_MS)), extra: { list } };
    await assert.rejects(feed.add(a as Activity), hasCode('INVALID_EXTRA'));
    assert.equal(await feed.count(), 0);
  });

  test('a hand-built activity with more to entries than maxTo is refused with LIMIT_EXCEEDED; maxTo raises the limit', async ({
    storage,
  }) => {
    const to = Array.from({ length: 101 }, (_, i) => `notification:${i}`);
    const a = { ...createActivity({ ...input(1, BASE_TIME_MS), actor: 1 }), to } as Activity;
    const strict = defineFlatFeed({ name: 'user', storage }).for(1);
    await assert.rejects(strict.add(a), hasCode('LIMIT_EXCEEDED'));
    assert.equal(await strict.count(), 0);
    const notification = defineNotificationFeed({ name: 'notification', storage });
    const manager = createManager({
      userFeed: defineFlatFeed({ name: 'user', storage }),
      feeds: {},
      targetFeeds: { notification },
      getFollowerIds: () => [],
    });
    await assert.rejects(manager.addUserActivity(a.actor, a), hasCode('LIMIT_EXCEEDED'));
    assert.equal(await manager.getUserFeed(1).count(), 0);
    const roomy = createManager({
      userFeed: defineFlatFeed({ name: 'user', storage, limits: { maxTo: 200 } }),
      feeds: {},
      targetFeeds: { notification },
      getFollowerIds: () => [],
    });
    await (await roomy.addUserActivity(a.actor, a)).done();
    assert.equal(await roomy.getUserFeed(1).count(), 1);
    assert.equal(await notification.for(100).count(), 1);
  });
}

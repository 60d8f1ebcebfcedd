/**
 * Ranked feed conformance cases: a flat feed read in an application's order
 * (`defineRankedFeed`), on the backend under test. Registered by `describeFlatFeed` (both modes).
 * @module
 */
import assert from 'node:assert/strict';
import type { Activity } from '../activity/activity.js';
import type { JsonObject } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import type { FlatFeedDefinition } from '../feeds/flat-feed.js';
import { defineRankedFeed, type RankedFeed, type RankedItem } from '../ranking/ranked-feed.js';
import {
  bad,
  type FlatCase,
  type FlatCaseContext,
  rejectsWith,
  throwsWith,
} from './flat-feed-writes.cases.js';

/** The signal of activity number n (its object is `obj-<n>`): a few ties on purpose. */
function likesOf(activity: Activity): number {
  return Number(String(activity.object).slice(4)) % 7;
}

/** Every page of `feed` through its cursors, `limit` at a time. */
async function readAll<S>(feed: RankedFeed<JsonObject, S>, limit: number) {
  const items: RankedItem<JsonObject, S>[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await feed.read({ limit, cursor });
    items.push(...page.items);
    if (page.next === undefined) return items;
    cursor = page.next;
  }
  assert.fail('more than 100 pages');
}

/** The order a reader must see: score descending, ties newest (highest id) first. */
function expectedOrder(acts: readonly Activity[], score: (a: Activity) => number): string[] {
  return [...acts]
    .sort((a, b) => score(b) - score(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((a) => a.id);
}

async function seededTimeline(ctx: FlatCaseContext, count: number) {
  const timeline: FlatFeedDefinition = ctx.define();
  const acts = ctx.activities(count);
  await timeline.for(1).addMany(acts);
  return { timeline, acts };
}

/** Registers the ranked feed cases. */
export function registerRankedFeedCases(test: FlatCase): void {
  test('ranked feed: pages follow the score, ties newest first, every activity exactly once', async (ctx) => {
    const { timeline, acts } = await seededTimeline(ctx, 30);
    const seen: { count: number; userId: string }[] = [];
    const popular = defineRankedFeed({
      name: 'popular',
      feed: timeline,
      signals: (activities, { userId }) => {
        seen.push({ count: activities.length, userId });
        return activities.map(likesOf);
      },
      score: (_activity, likes) => likes,
    });
    const items = await readAll(popular.for(1), 7);
    assert.deepEqual(
      items.map((i) => i.activity.id),
      expectedOrder(acts, likesOf),
    );
    assert.deepEqual(
      items.map((i) => i.score),
      items.map((i) => likesOf(i.activity)),
      'each item carries its score',
    );
    assert.deepEqual(
      items.map((i) => i.signal),
      items.map((i) => likesOf(i.activity)),
      'and its signal',
    );
    assert.deepEqual(seen, Array(5).fill({ count: 30, userId: '1' }), 'one signals call a page');
    assert.deepEqual((await popular.for(2).read()).items, [], "another user's feed is empty");
  });

  test('ranked feed: a reading keeps its window and its now across pages', async (ctx) => {
    const { timeline, acts } = await seededTimeline(ctx, 12);
    const nows: number[] = [];
    const recent = defineRankedFeed({
      name: 'recent',
      feed: timeline,
      score: (activity, _signal: undefined, now) => {
        nows.push(now.getTime());
        return likesOf(activity) - (now.getTime() - activity.time.getTime()) / 1e9;
      },
    });
    const feed = recent.for(1);
    const at = new Date(acts[11]!.time.getTime() + 60_000);
    const first = await feed.read({ limit: 5, now: at });
    assert.ok(first.next);
    // Newer activities with the highest signal arrive between pages: not in this reading.
    const late = ctx.activities(3, 100).filter((a) => likesOf(a) >= 1);
    await timeline.for(1).addMany(late);
    const second = await feed.read({ limit: 5, cursor: first.next });
    const third = await feed.read({ limit: 5, cursor: second.next });
    assert.equal(third.next, undefined);
    const ids = [...first.items, ...second.items, ...third.items].map((i) => i.activity.id);
    assert.deepEqual(
      ids,
      expectedOrder(acts, (a) => likesOf(a) - (at.getTime() - a.time.getTime()) / 1e9),
    );
    assert.deepEqual(new Set(nows), new Set([at.getTime()]), 'every page scored at the same now');
    const fresh = await feed.read({ limit: 3 });
    assert.ok(
      fresh.items.some((i) => late.some((a) => a.id === i.activity.id)),
      'a new reading sees them',
    );
  });

  test('ranked feed: only the newest `window` entries are candidates', async (ctx) => {
    const { timeline, acts } = await seededTimeline(ctx, 20);
    const ranked = defineRankedFeed({
      name: 'oldest-first',
      feed: timeline,
      window: 8,
      score: (activity) => -activity.time.getTime(),
    });
    const items = await readAll(ranked.for(1), 3);
    const newest8 = acts.slice(12);
    assert.deepEqual(
      items.map((i) => i.activity.id),
      newest8.map((a) => a.id),
      'the 8 newest, oldest first',
    );
    assert.equal(ranked.window, 8);
  });

  test('ranked feed: an activity missing from activity storage is reported, not ranked', async (ctx) => {
    const { timeline, acts } = await seededTimeline(ctx, 6);
    const gone = acts[2]!;
    await ctx.storage.activities.removeMany([gone.id]);
    const ranked = defineRankedFeed({ name: 'r', feed: timeline, score: likesOf });
    const page = await ranked.for(1).read();
    const ids = page.items.map((i) => i.activity.id);
    if (ctx.normalized) {
      assert.deepEqual(page.missing, [gone.id]);
      assert.deepEqual(
        ids,
        expectedOrder(
          acts.filter((a) => a !== gone),
          likesOf,
        ),
      );
    } else {
      assert.deepEqual(page.missing, [], 'denormalized entries carry their activity');
      assert.deepEqual(ids, expectedOrder(acts, likesOf));
    }
  });

  test('ranked feed: bad options, cursors and application results are typed errors', async (ctx) => {
    const { timeline } = await seededTimeline(ctx, 4);
    const define = (options: object) =>
      defineRankedFeed({ name: 'r', feed: timeline, score: () => 1, ...options });
    for (const options of [
      { window: 0 },
      { window: 2.5 },
      { score: 'likes' },
      { signals: 42 },
      { feed: { kind: 'aggregated', for: () => undefined } },
      { name: '' },
      { ordr: 'desc' },
    ]) {
      throwsWith(() => define(options), ValidationError, 'INVALID_OPTION');
    }
    throwsWith(() => define({ window: 10_001 }), ValidationError, 'LIMIT_EXCEEDED');
    const feed = define({ window: 10 }).for(1);
    await rejectsWith(() => feed.read({ limit: 11 }), ValidationError, 'LIMIT_EXCEEDED');
    const first = await feed.read({ limit: 2 });
    assert.ok(first.next);
    const hostile = [
      'x',
      '',
      'é',
      first.next.slice(1),
      `${first.next}A`,
      btoa(JSON.stringify([1, 'a', 0, 'NaN', 'b'])),
      btoa(JSON.stringify([2, 'a', 0, 1, 'b'])),
      btoa(JSON.stringify([1, 'a\u0000', 0, 1, 'b'])),
      btoa(JSON.stringify([1, 'a'.repeat(65), 0, 1, 'b'])),
      'A'.repeat(10_000),
      bad<string>(42),
    ];
    for (const cursor of hostile) {
      await rejectsWith(() => feed.read({ cursor }), ValidationError, 'INVALID_OPTION');
    }
    for (const options of [{ limit: 0 }, { now: new Date(Number.NaN) }, { x: 1 }]) {
      await rejectsWith(() => feed.read(bad(options)), ValidationError, 'INVALID_OPTION');
    }
    await rejectsWith(
      () => feed.read({ cursor: first.next, now: new Date() }),
      ValidationError,
      'INVALID_OPTION',
    );
    for (const signals of [() => [1], () => 'x', async () => undefined]) {
      const f = defineRankedFeed({
        name: 's',
        feed: timeline,
        signals: bad<(activities: readonly Activity[]) => number[]>(signals),
        score: () => 1,
      });
      await rejectsWith(() => f.for(1).read(), ValidationError, 'INVALID_OPTION');
    }
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, '1', undefined]) {
      const f = defineRankedFeed({ name: 's', feed: timeline, score: () => bad<number>(value) });
      await rejectsWith(() => f.for(1).read(), ValidationError, 'INVALID_OPTION');
    }
  });
}

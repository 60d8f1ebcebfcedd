/**
 * Flat feed conformance cases, part 2: reads (order, cursors, filters,
 * indexOf, hydration, corrupt payloads, read option validation). Registered by `describeFlatFeed`.
 * @module
 */
import assert from 'node:assert/strict';
import type { Activity } from '../activity/activity.js';
import { SerializationError, ValidationError } from '../errors.js';
import type { FlatFeed } from '../feeds/flat-feed.js';
import type { IdFilter, ReadOptions } from '../feeds/read-options.js';
import {
  bad,
  type FlatCase,
  type FlatCaseContext,
  idList,
  newestFirst,
  readEverything,
  rejectsWith,
  throwsWith,
} from './flat-feed-writes.cases.js';

/** A feed of `count` activities (numbers 0 to count-1) and their ids newest first. */
async function seeded(
  ctx: FlatCaseContext,
  count: number,
  maxLength?: number,
): Promise<{ feed: FlatFeed; acts: Activity[]; d: string[] }> {
  const feed = ctx.define(maxLength === undefined ? {} : { maxLength }).for(1);
  const acts = ctx.activities(count);
  await feed.addMany(acts);
  return { feed, acts, d: newestFirst(acts) };
}

/** Registers the read cases (run in both modes). */
export function registerFlatFeedReadCases(test: FlatCase): void {
  orderAndPagingCases(test);
  filterCases(test);
  cursorCases(test);
  hydrationCases(test);
}

function orderAndPagingCases(test: FlatCase): void {
  test('read of an empty feed returns no items, no next and no missing ids', async (ctx) => {
    const page = await ctx.define().for(1).read();
    assert.deepEqual(page.items, []);
    assert.equal(page.next, undefined);
    assert.deepEqual(page.missing, []);
  });

  test('activities come back in timestamp order across pages ([:10], [1:9], [5:])', async (ctx) => {
    const feed = ctx.define().for(1);
    const deltas = [1, 2, 9, 8, 11, 10, 5, 16, 14, 50]; // seconds before the base time
    const acts = deltas.map((s, i) => ctx.activity(-s, { object: `o${i}` }));
    await feed.addMany(acts);
    const expected = [...acts].sort((a, b) => b.time.getTime() - a.time.getTime()).map((a) => a.id);
    assert.deepEqual(expected, newestFirst(acts), 'ids sort like times');
    const afterFirst = (await feed.read({ limit: 1 })).next;
    const slices: [ReadOptions, string[]][] = [
      [{ limit: 10 }, expected.slice(0, 10)],
      [{ cursor: afterFirst, limit: 8 }, expected.slice(1, 9)],
      [{ filter: { lte: expected[5] } }, expected.slice(5)],
    ];
    for (const [options, ids] of slices) {
      const { items } = await feed.read(options);
      assert.deepEqual(idList(items), ids, JSON.stringify(options));
      for (let i = 1; i < items.length; i++) {
        assert.ok(items[i - 1]!.time.getTime() >= items[i]!.time.getTime(), 'newest first');
      }
    }
  });

  test('reading everything returns as many activities as count()', async (ctx) => {
    const { feed, d } = await seeded(ctx, 37);
    assert.equal(await feed.count(), 37);
    assert.equal((await feed.read({ limit: 100 })).items.length, 37);
    assert.deepEqual(idList(await readEverything(feed, 'desc', 10)), d);
  });

  test('the default page size is 25', async (ctx) => {
    const { feed, d } = await seeded(ctx, 30);
    const first = await feed.read();
    assert.deepEqual(idList(first.items), d.slice(0, 25));
    assert.notEqual(first.next, undefined);
    const second = await feed.read({ cursor: first.next });
    assert.deepEqual(idList(second.items), d.slice(25));
    assert.equal(second.next, undefined);
  });

  test('indexOf over 150 activities finds activity 110 at index 110', async (ctx) => {
    const feed = ctx.define({ maxLength: 200 }).for(1);
    // as in the original: activity i is i seconds older than activity 0
    const acts = Array.from({ length: 150 }, (_, i) => ctx.activity(-i));
    await feed.addMany(acts);
    const target = acts[110]!;
    const expected = newestFirst(acts).indexOf(target.id);
    assert.equal(expected, 110);
    assert.equal(await feed.indexOf(target.id), expected);
    assert.equal(await feed.indexOf(target), expected);
    assert.equal(await feed.indexOf(acts[0]!), 0);
    assert.equal(await feed.indexOf(acts[149]!), 149);
    assert.equal(await feed.indexOf(ctx.activity(5)), -1, 'not in the feed');
  });

  test('asc order differs from desc and is its exact reverse', async (ctx) => {
    const { feed, acts, d } = await seeded(ctx, 10);
    const byDefault = idList((await feed.read()).items);
    const desc = idList((await feed.read({ order: 'desc' })).items);
    const asc = idList((await feed.read({ order: 'asc' })).items);
    assert.deepEqual(desc, byDefault);
    assert.deepEqual(desc, d);
    assert.notDeepEqual(asc, desc);
    assert.deepEqual(asc, [...desc].reverse());
    assert.equal(asc[0], acts[0]!.id, 'asc starts with the oldest');
  });

  test('cursor paging past the end returns an empty page without next', async (ctx) => {
    const { feed, d } = await seeded(ctx, 10);
    const eight = await feed.read({ limit: 8 });
    const rest = await feed.read({ cursor: eight.next, limit: 5 });
    assert.deepEqual(idList(rest.items), d.slice(8));
    assert.equal(rest.next, undefined);
    const ten = await feed.read({ limit: 10 });
    for (const limit of [5, 100]) {
      const page = await feed.read({ cursor: ten.next, limit });
      assert.deepEqual(page.items, []);
      assert.equal(page.next, undefined);
    }
  });
}

function filterCases(test: FlatCase): void {
  test('filters lte, lt, gte and gt return the expected counts and equal the cursor slices', async (ctx) => {
    const { feed, d } = await seeded(ctx, 10);
    const third = d[2]!;
    const after = async (n: number) => (await feed.read({ limit: n })).next;
    const cases: [IdFilter, number, ReadOptions][] = [
      [{ lte: third }, 8, { cursor: await after(2) }],
      [{ lt: third }, 7, { cursor: await after(3) }],
      [{ gte: third }, 3, { limit: 3 }],
      [{ gt: third }, 2, { limit: 2 }],
    ];
    for (const [filter, count, slice] of cases) {
      const filtered = idList((await feed.filter(filter).read()).items);
      assert.equal(filtered.length, count, JSON.stringify(filter));
      assert.deepEqual(filtered, idList((await feed.read(slice)).items), JSON.stringify(filter));
      assert.deepEqual(idList((await feed.read({ filter })).items), filtered, 'read({ filter })');
    }
  });

  test('filters combine: several bounds, filter().filter() and a read filter intersect', async (ctx) => {
    const { feed, d } = await seeded(ctx, 10);
    const range = d.slice(2, 7); // gt d[7] and lte d[2]
    const reads: [string, Promise<{ items: Activity[] }>][] = [
      ['one filter', feed.filter({ gt: d[7], lte: d[2] }).read()],
      ['chained', feed.filter({ gt: d[7] }).filter({ lte: d[2] }).read()],
      ['handle + read', feed.filter({ gt: d[7] }).read({ filter: { lte: d[2] } })],
      ['read only', feed.read({ filter: { gt: d[7], lte: d[2] } })],
    ];
    for (const [what, read] of reads) assert.deepEqual(idList((await read).items), range, what);
    const tighter = d.slice(0, 5);
    const a = await feed.filter({ gt: d[7] }).filter({ gt: d[5] }).read();
    const b = await feed.filter({ gt: d[5] }).filter({ gt: d[7] }).read();
    const c = await feed.filter({ gte: d[5], gt: d[5] }).read();
    for (const page of [a, b, c]) assert.deepEqual(idList(page.items), tighter);
    const empty = await feed.filter({ gt: d[2], lt: d[7] }).read();
    assert.deepEqual(empty.items, [], 'an empty range');
    const asc = await readEverything(feed.filter({ gt: d[7], lte: d[2] }), 'asc', 2);
    assert.deepEqual(idList(asc), [...range].reverse(), 'cursor paging inside a filter');
  });

  test('a filtered handle never changes the original and reads the same every time (the original consumed its filter after the first read)', async (ctx) => {
    const { feed, d } = await seeded(ctx, 10);
    const bounds: { gte?: string } = { gte: d[2] };
    const filtered = feed.filter(bounds);
    const first = idList((await filtered.read()).items);
    assert.deepEqual(first, d.slice(0, 3));
    assert.deepEqual(idList((await filtered.read()).items), first, 'second read');
    assert.deepEqual(idList((await filtered.read()).items), first, 'third read');
    assert.deepEqual(filtered.idFilter, { gte: d[2] });
    assert.equal(feed.idFilter, undefined);
    assert.deepEqual(idList((await feed.read()).items), d, 'the original reads everything');
    bounds.gte = d[8]; // mutating the caller's object later does not move the handle's bounds
    assert.deepEqual(idList((await filtered.read()).items), first);
    assert.equal(await filtered.count(), 10, 'count() is the size of the whole feed');
  });

  test('reverse pagination: from element N, filter gt + asc with limit M reaches element N-M', async (ctx) => {
    const { feed, d } = await seeded(ctx, 30);
    const n = 20;
    const m = 5;
    const page = await feed.filter({ gt: d[n] }).read({ order: 'asc', limit: m });
    assert.deepEqual(idList(page.items), [d[19], d[18], d[17], d[16], d[15]]);
    assert.equal(page.items.at(-1)?.id, d[n - m]);
    const same = await feed.read({ filter: { gt: d[n] }, order: 'asc', limit: m });
    assert.deepEqual(idList(same.items), idList(page.items));
  });
}

function cursorCases(test: FlatCase): void {
  test('cursor paging in both orders returns every entry exactly once', async (ctx) => {
    const { feed, d } = await seeded(ctx, 23);
    for (const order of ['desc', 'asc'] as const) {
      const sizes: number[] = [];
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await feed.read({ order, limit: 5, cursor });
        sizes.push(page.items.length);
        seen.push(...idList(page.items));
        cursor = page.next;
      } while (cursor !== undefined && sizes.length < 20);
      assert.deepEqual(sizes, [5, 5, 5, 5, 3], order);
      assert.deepEqual(seen, order === 'desc' ? d : [...d].reverse(), order);
    }
  });

  test('cursor paging over activities of the same millisecond returns each exactly once', async (ctx) => {
    const feed = ctx.define().for(1);
    const acts = Array.from({ length: 20 }, (_, i) => ctx.activity(0, { object: `same-${i}` }));
    await feed.addMany(acts);
    const all = idList((await feed.read({ limit: 100 })).items);
    assert.deepEqual(all, newestFirst(acts), 'ties are ordered by id');
    for (const order of ['desc', 'asc'] as const) {
      const paged = idList(await readEverything(feed, order, 3));
      assert.equal(new Set(paged).size, 20, `${order}: no duplicates`);
      assert.deepEqual(paged, order === 'desc' ? all : [...all].reverse(), order);
    }
  });

  test('desc cursor paging is stable when activities are added and removed between pages', async (ctx) => {
    const feed = ctx.define().for(1);
    const acts = ctx.activities(20); // numbers 0..19, 19 is the newest
    await feed.addMany(acts);
    const first = await feed.read({ limit: 6 });
    assert.deepEqual(idList(first.items), newestFirst(acts).slice(0, 6)); // 19..14
    const newer = [ctx.activity(30), ctx.activity(31)];
    const older = ctx.activity(-5);
    await feed.addMany([...newer, older]);
    await feed.removeMany([acts[19]!, acts[10]!]); // one already read, one not yet read
    const rest: Activity[] = [];
    let cursor = first.next;
    while (cursor !== undefined) {
      const page = await feed.read({ limit: 6, cursor });
      rest.push(...page.items);
      cursor = page.next;
    }
    const expected = [13, 12, 11, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((n) => acts[n]!.id);
    assert.deepEqual(idList(rest), [...expected, older.id]);
    const all = [...idList(first.items), ...idList(rest)];
    assert.equal(new Set(all).size, all.length, 'no duplicates');
  });

  test('asc cursor paging is stable when activities are added and removed between pages', async (ctx) => {
    const feed = ctx.define().for(1);
    const acts = ctx.activities(20);
    await feed.addMany(acts);
    const first = await feed.read({ order: 'asc', limit: 6 });
    assert.deepEqual(
      idList(first.items),
      acts.slice(0, 6).map((a) => a.id),
    );
    const older = ctx.activity(-5);
    const newer = ctx.activity(30);
    await feed.addMany([older, newer]);
    await feed.removeMany([acts[0]!, acts[10]!]);
    const rest: Activity[] = [];
    let cursor = first.next;
    while (cursor !== undefined) {
      const page = await feed.read({ order: 'asc', limit: 6, cursor });
      rest.push(...page.items);
      cursor = page.next;
      if (rest.length === 6) await feed.add(ctx.activity(40)); // and again after page 2
    }
    const expected = [6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19].map((n) => acts[n]!.id);
    assert.deepEqual(idList(rest), [...expected, newer.id, ctx.activity(40).id]);
    const all = [...idList(first.items), ...idList(rest)];
    assert.equal(new Set(all).size, all.length, 'no duplicates');
  });

  test('filter lt and gt bound a read by activity id, also by ids that are not in the feed', async (ctx) => {
    const { feed, d } = await seeded(ctx, 10);
    const read = async (options: ReadOptions) => idList((await feed.read(options)).items);
    assert.deepEqual(await read({ filter: { lt: d[3] } }), d.slice(4));
    assert.deepEqual(await read({ filter: { gt: d[3] } }), d.slice(0, 3));
    assert.deepEqual(await read({ filter: { gt: d[7], lt: d[2] } }), d.slice(3, 7));
    assert.deepEqual(await read({ filter: { gt: d[3] }, order: 'asc' }), d.slice(0, 3).reverse());
    assert.deepEqual(await read({ filter: { lt: d[3] }, limit: 2 }), d.slice(4, 6));
    const ghost = ctx.activity(5.5, { object: 'ghost' }); // between activities 5 and 6
    assert.deepEqual(await read({ filter: { lt: ghost.id } }), d.slice(4)); // 5..0
    assert.deepEqual(await read({ filter: { gt: ghost.id } }), d.slice(0, 4)); // 9..6
  });

  test('a cursor continues within the filter, in both orders', async (ctx) => {
    const { feed, d } = await seeded(ctx, 20);
    const older = { lt: d[1] };
    const page = await feed.read({ filter: older, limit: 3 });
    const next = await feed.read({ filter: older, limit: 3, cursor: page.next });
    assert.deepEqual(idList(next.items), d.slice(5, 8), 'filter and cursor together');
    const asc = [...d].reverse();
    const newer = { gt: asc[4] };
    const firstAsc = await feed.read({ order: 'asc', filter: newer, limit: 5 });
    const nextAsc = await feed.read({
      order: 'asc',
      filter: newer,
      limit: 5,
      cursor: firstAsc.next,
    });
    assert.deepEqual(idList(firstAsc.items), asc.slice(5, 10));
    assert.deepEqual(idList(nextAsc.items), asc.slice(10, 15));
  });

  test('next is set on a full page and absent on the last page', async (ctx) => {
    const { feed, d } = await seeded(ctx, 10);
    const partial = await feed.read({ limit: 15 });
    assert.equal(partial.items.length, 10);
    assert.equal(partial.next, undefined);
    const first = await feed.read({ limit: 4 });
    assert.notEqual(first.next, undefined);
    const full = await feed.read({ limit: 6, cursor: first.next });
    assert.deepEqual(idList(full.items), d.slice(4));
    // a last page that happens to be full still has a cursor; the page after it is empty
    assert.notEqual(full.next, undefined);
    const after = await feed.read({ limit: 6, cursor: full.next });
    assert.deepEqual(after.items, []);
    assert.equal(after.next, undefined);
  });
}

function hydrationCases(test: FlatCase): void {
  test('an activity removed from activity storage is skipped and reported in page.missing (the original raised KeyError)', async (ctx) => {
    const { feed, acts, d } = await seeded(ctx, 5);
    const gone = acts[1]!;
    const removed = await ctx.storage.activities.removeMany([gone.id]);
    const page = await feed.read();
    assert.equal(await feed.count(), 5, 'the timeline entry stays');
    if (ctx.normalized) {
      assert.equal(removed, 1);
      assert.deepEqual(
        idList(page.items),
        d.filter((id) => id !== gone.id),
      );
      assert.deepEqual(page.missing, [gone.id]);
    } else {
      assert.equal(removed, 0, 'denormalized feeds do not use activity storage');
      assert.deepEqual(idList(page.items), d);
      assert.deepEqual(page.missing, []);
    }
  });

  test('a page whose activities are all missing still has a next cursor', async (ctx) => {
    const { feed, acts, d } = await seeded(ctx, 10);
    await ctx.storage.activities.removeMany(acts.map((a) => a.id));
    const first = await feed.read({ limit: 5 });
    const second = await feed.read({ limit: 5, cursor: first.next });
    if (ctx.normalized) {
      assert.deepEqual(first.items, []);
      assert.deepEqual(first.missing, d.slice(0, 5));
      assert.notEqual(first.next, undefined);
      assert.deepEqual(second.missing, d.slice(5));
    } else {
      assert.deepEqual(idList([...first.items, ...second.items]), d);
    }
  });

  test('a corrupt stored payload raises a SerializationError naming the id', async (ctx) => {
    const feed = ctx.define().for(1);
    const good = ctx.activity(1);
    const corrupt = ctx.activity(2);
    await feed.add(good);
    if (ctx.normalized) {
      await feed.add(corrupt);
      await ctx.storage.activities.putMany([{ id: corrupt.id, payload: 'not json' }]);
    } else {
      const score = corrupt.time.getTime();
      await ctx.storage.timeline.add(feed.key, [{ id: corrupt.id, score, payload: 'not json' }]);
    }
    const err = await rejectsWith(() => feed.read(), SerializationError, 'SERIALIZATION');
    assert.ok(err.message.includes(corrupt.id), err.message);
    assert.equal(err.details['id'], corrupt.id);
    if (!ctx.normalized) {
      assert.ok(err.message.includes(feed.key), err.message);
      assert.equal(err.details['key'], feed.key);
    }
    // the healthy part of the feed stays readable
    const older = await feed.read({ filter: { lt: corrupt.id } });
    assert.deepEqual(idList(older.items), [good.id]);
  });
}

/** Registers the mode-independent read cases (option validation); run once. */
export function registerFlatFeedReadOptionCases(test: FlatCase): void {
  test('limit must be an integer from 1 to limits.maxPageSize', async (ctx) => {
    const feed = ctx.define({ limits: { maxPageSize: 10 } }).for(1);
    await feed.addMany(ctx.activities(12));
    for (const limit of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, bad<number>('5')]) {
      await rejectsWith(() => feed.read({ limit }), ValidationError, 'INVALID_OPTION');
    }
    await rejectsWith(() => feed.read({ limit: 11 }), ValidationError, 'LIMIT_EXCEEDED');
    assert.equal((await feed.read({ limit: 10 })).items.length, 10);
    assert.equal((await feed.read({ limit: 1 })).items.length, 1);
    const byDefault = ctx.define({ name: 'defaults' }).for(1); // default maxPageSize: 1000
    await rejectsWith(() => byDefault.read({ limit: 1001 }), ValidationError, 'LIMIT_EXCEEDED');
    assert.deepEqual((await byDefault.read({ limit: 1000 })).items, []);
  });

  test('bad order, cursor, unknown and removed read options are rejected with INVALID_OPTION', async (ctx) => {
    const feed = ctx.define().for(1);
    await feed.addMany(ctx.activities(3));
    const [newest] = idList((await feed.read({ limit: 1 })).items);
    const invalid: unknown[] = [
      { offset: 1 },
      { before: newest },
      { after: newest },
      { order: 'up' },
      { order: 'ASC' },
      { cursor: 'garbage' },
      { cursor: '' },
      { cursor: 42 },
      { limt: 5 },
      { page: 2 },
      { activity_id__gt: 'x' },
      'limit=5',
    ];
    for (const options of invalid) {
      await rejectsWith(() => feed.read(bad(options)), ValidationError, 'INVALID_OPTION').catch(
        (err) => {
          throw new Error(`${JSON.stringify(options)}: ${String(err)}`, { cause: err });
        },
      );
    }
  });

  test('an unknown filter operator is rejected with UNKNOWN_FILTER', async (ctx) => {
    const feed = ctx.define().for(1);
    const a = ctx.activity(1);
    await feed.add(a);
    await rejectsWith(
      () => feed.read({ filter: bad({ eq: a.id }) }),
      ValidationError,
      'UNKNOWN_FILTER',
    );
    throwsWith(
      () => feed.filter(bad({ activity_id__gt: a.id })),
      ValidationError,
      'UNKNOWN_FILTER',
    );
    throwsWith(
      () => feed.filter(bad({ gt: a.id, between: a.id })),
      ValidationError,
      'UNKNOWN_FILTER',
    );
  });

  test('filter values that are not activity ids are rejected with INVALID_ID', async (ctx) => {
    const feed = ctx.define().for(1);
    await feed.add(ctx.activity(1));
    const notIds: unknown[] = [5, 'abc', 'ABCDEFGHIJKLMNOP', `${ctx.activity(1).id}x`, null];
    for (const value of notIds) {
      const what = JSON.stringify(value);
      throwsWith(() => feed.filter({ gt: bad(value) }), ValidationError, 'INVALID_ID');
      await rejectsWith(
        () => feed.read({ filter: { lte: bad(value) } }),
        ValidationError,
        'INVALID_ID',
      ).catch((err) => {
        throw new Error(`filter ${what}: ${String(err)}`, { cause: err });
      });
      await rejectsWith(
        () => feed.read({ filter: { lt: bad(value) } }),
        ValidationError,
        'INVALID_ID',
      );
      await rejectsWith(
        () => feed.read({ filter: { gt: bad(value) } }),
        ValidationError,
        'INVALID_ID',
      );
    }
  });
}

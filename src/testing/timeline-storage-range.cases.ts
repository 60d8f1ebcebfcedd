/**
 * TimelineStorage conformance, part 2: `(score, id)` ordering, range reads (limit and bounds),
 * `indexOf` and `trim`. Registered by {@link describeTimelineStorage}.
 * @module
 */
import assert from 'node:assert/strict';
import type {
  RangeBound,
  RangeQuery,
  TimelineEntry,
  TimelineStorage,
} from '../storage/contracts.js';
import {
  BASE_TIME_MS,
  compareByScoreAndId,
  entry,
  entryId,
  entryRange,
  idsOf,
  plainEntry,
  readAll,
  type SuiteTest,
  seededRandom,
  shuffled,
  sortEntries,
} from './fixtures.js';

const KEY = 'feed:range:1';
const PLAIN = 'feed:range:2';

/** What a correct backend returns for `query` over `entries` (a reference implementation). */
function expectedRange(entries: readonly TimelineEntry[], query: RangeQuery): TimelineEntry[] {
  const inside = entries.filter((e) => {
    if (query.min) {
      const c = compareByScoreAndId(e, query.min);
      if (c < 0 || (c === 0 && !query.min.inclusive)) return false;
    }
    if (query.max) {
      const c = compareByScoreAndId(e, query.max);
      if (c > 0 || (c === 0 && !query.max.inclusive)) return false;
    }
    return true;
  });
  return sortEntries(inside, query.order).slice(0, query.limit).map(plainEntry);
}

/**
 * The query reading `limit` entries in `order` after `from` (exclusive), the way a caller pages:
 * the bound is `max` when reading newest first, `min` when reading oldest first.
 */
function after(
  from: { readonly score: number; readonly id: string } | undefined,
  order: 'desc' | 'asc',
  limit: number,
  inclusive = false,
): RangeQuery {
  if (!from) return { limit, order };
  const bound: RangeBound = { score: from.score, id: from.id, inclusive };
  return order === 'desc' ? { limit, order, max: bound } : { limit, order, min: bound };
}

/** Entries with many equal scores, ids in scrambled insertion order: the tie-breaking fixture. */
function tiedEntries(): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (let n = 0; n < 24; n++) {
    out.push({
      id: entryId(1000 - n * 7),
      score: BASE_TIME_MS + Math.floor(n / 6),
      payload: `t${n}`,
    });
  }
  return out;
}

/** Registers the ordering, range, indexOf and trim cases. */
export function describeTimelineRangeCases(test: SuiteTest): void {
  test.describe('order', orderCases);
  test.describe('range: limit', limitCases);
  test.describe('range: bounds', boundCases);
  test.describe('indexOf', indexOfCases);
  test.describe('trim', trimCases);
}

function orderCases(test: SuiteTest): void {
  test('range desc returns the highest (score, id) first', async ({ timeline }) => {
    const all = entryRange(0, 20);
    await timeline.add(KEY, shuffled(all, seededRandom(1)));
    assert.deepEqual(await readAll(timeline, KEY, 'desc'), sortEntries(all, 'desc'));
  });

  test('range asc returns the lowest (score, id) first', async ({ timeline }) => {
    const all = entryRange(0, 20);
    await timeline.add(KEY, shuffled(all, seededRandom(2)));
    assert.deepEqual(await readAll(timeline, KEY, 'asc'), sortEntries(all, 'asc'));
  });

  test('entries with equal scores are ordered by id', async ({ timeline }) => {
    const ids = ['b', 'a', 'c', entryId(5), entryId(50), 'Z', '_', '~'];
    await timeline.add(
      KEY,
      ids.map((id) => ({ id, score: 42 })),
    );
    const asc = [...ids].sort();
    assert.deepEqual(idsOf(await readAll(timeline, KEY, 'asc')), asc);
    assert.deepEqual(idsOf(await readAll(timeline, KEY, 'desc')), [...asc].reverse());
  });

  test('score order dominates id order', async ({ timeline }) => {
    await timeline.add(KEY, [
      { id: 'zzzz', score: 1 },
      { id: '0000', score: 3 },
      { id: 'mmmm', score: 2 },
      { id: 'aaaa', score: 0 },
    ]);
    assert.deepEqual(idsOf(await readAll(timeline, KEY)), ['0000', 'mmmm', 'zzzz', 'aaaa']);
  });

  test('mixed ties are ordered by (score, id) in both orders', async ({ timeline }) => {
    const all = tiedEntries();
    await timeline.add(KEY, all.slice(0, 10));
    await timeline.add(KEY, all.slice(10));
    assert.deepEqual(await readAll(timeline, KEY, 'desc'), sortEntries(all, 'desc'));
    assert.deepEqual(await readAll(timeline, KEY, 'asc'), sortEntries(all, 'asc'));
  });

  test('an id-only timeline pages ties by bounds like a plain range, without payloads', async ({
    timeline,
  }) => {
    const all = tiedEntries().map(({ id, score }) => ({ id, score }));
    const ids = timeline.idsOnly();
    await ids.add(KEY, all);
    await timeline.add(PLAIN, all); // the same entries in a full timeline (views are not mixed)
    for (const order of ['desc', 'asc'] as const) {
      const expected = sortEntries(all, order);
      const pages: TimelineEntry[] = [];
      for (let page = 0; page <= all.length / 3; page++) {
        pages.push(...(await ids.range(KEY, after(pages.at(-1), order, 3))));
      }
      assert.deepEqual(pages, expected, order);
      for (const query of [{ order, limit: 5 }, after(expected[1], order, 5)]) {
        const plain = await timeline.range(PLAIN, query);
        assert.deepEqual(
          await ids.range(KEY, query),
          plain.map(({ id, score }) => ({ id, score })),
        );
      }
    }
    assert.deepEqual(await ids.range('missing', { order: 'desc', limit: 5 }), []);
  });

  test('an id-only view with scoreOf reads and writes the id-only timelines, same entries and scores', async ({
    timeline,
  }) => {
    const all = tiedEntries().map(({ id, score }) => ({ id, score }));
    const scores = new Map(all.map((e) => [e.id, e.score]));
    const scoreOf = (id: string): number => scores.get(id) ?? Number.NaN;
    const ids = timeline.idsOnly();
    const derived = timeline.idsOnly({ scoreOf });
    await derived.add(KEY, all.slice(0, 12));
    await ids.add(KEY, all.slice(12));
    for (const order of ['desc', 'asc'] as const) {
      const expected = sortEntries(all, order);
      for (const query of [
        { order, limit: 5 },
        { order, limit: 100 },
        after(expected[1], order, 5),
      ]) {
        assert.deepEqual(await derived.range(KEY, query), await ids.range(KEY, query));
        assert.deepEqual(await derived.range(KEY, query), expectedRange(all, query));
      }
    }
    assert.equal(await derived.count(KEY), all.length);
    assert.deepEqual(await derived.range('missing', { order: 'desc', limit: 5 }), []);
  });

  test('small scores 0 and 1 order before millisecond times', async ({ timeline }) => {
    await timeline.add(KEY, [
      { id: 'a', score: BASE_TIME_MS },
      { id: 'b', score: 0 },
      { id: 'c', score: 1 },
      { id: 'd', score: 0 },
    ]);
    assert.deepEqual(idsOf(await readAll(timeline, KEY, 'asc')), ['b', 'd', 'c', 'a']);
  });

  test('range of a missing key is empty', async ({ timeline }) => {
    assert.deepEqual(await timeline.range('missing', { limit: 10, order: 'desc' }), []);
    assert.deepEqual(
      await timeline.range('missing', {
        limit: 10,
        order: 'asc',
        min: { score: 0, id: '', inclusive: true },
      }),
      [],
    );
  });
}

function limitCases(test: SuiteTest): void {
  // The Python original's slices over 42 items: [0:21], [22:42], [22:23], [:23], [:], [1:], read
  // as a caller pages: `stop - start` entries after the entry at `start - 1`.
  const slices: readonly [string, number, number | undefined][] = [
    ['[0:21]', 0, 21],
    ['[22:42]', 22, 42],
    ['[22:23]', 22, 23],
    ['[:23]', 0, 23],
    ['[:]', 0, undefined],
    ['[1:]', 1, undefined],
    ['[40:]', 40, undefined],
    ['[41:42]', 41, 42],
  ];
  for (const order of ['desc', 'asc'] as const) {
    test(`slices of 42 entries by bound and limit (${order})`, async ({ timeline }) => {
      const all = entryRange(0, 42);
      await timeline.add(KEY, all);
      const sorted = sortEntries(all, order);
      for (const [name, start, stop] of slices) {
        const limit = stop === undefined ? 1000 : stop - start;
        const expected = sorted.slice(start, stop);
        const exclusive = await timeline.range(KEY, after(sorted[start - 1], order, limit));
        assert.deepEqual(exclusive.map(plainEntry), expected, `${name} after ${start - 1}`);
        const inclusive = await timeline.range(KEY, after(sorted[start], order, limit, true));
        assert.deepEqual(inclusive.map(plainEntry), expected, `${name} from ${start}`);
      }
    });
  }

  test('consecutive pages are disjoint and cover the timeline', async ({ timeline }) => {
    const all = entryRange(0, 42);
    await timeline.add(KEY, all);
    const first = await timeline.range(KEY, { limit: 21, order: 'desc' });
    const second = await timeline.range(KEY, after(first.at(-1), 'desc', 21));
    const a = new Set(idsOf(first));
    assert.equal(a.size, 21);
    assert.ok(second.every((e) => !a.has(e.id)));
    assert.deepEqual([...first, ...second].map(plainEntry), sortEntries(all, 'desc'));
  });

  test('a limit reads from the top; a page after the last entry is empty', async ({ timeline }) => {
    const all = entryRange(0, 5);
    await timeline.add(KEY, all);
    assert.deepEqual(idsOf(await timeline.range(KEY, { limit: 2, order: 'desc' })), [
      entryId(4),
      entryId(3),
    ]);
    assert.deepEqual(idsOf(await timeline.range(KEY, { limit: 2, order: 'asc' })), [
      entryId(0),
      entryId(1),
    ]);
    for (const order of ['desc', 'asc'] as const) {
      const last = sortEntries(all, order).at(-1);
      assert.deepEqual(await timeline.range(KEY, after(last, order, 2)), [], order);
    }
  });

  test('a limit larger than the timeline returns everything', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 7));
    for (const order of ['desc', 'asc'] as const) {
      const got = await timeline.range(KEY, { limit: 10_000, order });
      assert.deepEqual(got.map(plainEntry), sortEntries(entryRange(0, 7), order), order);
    }
  });

  test('limit 1 reads the next entry after each one, through runs of equal scores', async ({
    timeline,
  }) => {
    const all = tiedEntries();
    await timeline.add(KEY, all);
    for (const order of ['desc', 'asc'] as const) {
      const sorted = sortEntries(all, order);
      for (let i = 0; i <= sorted.length; i++) {
        const got = await timeline.range(KEY, after(sorted[i - 1], order, 1));
        assert.deepEqual(got.map(plainEntry), sorted.slice(i, i + 1), `${order} #${i}`);
      }
    }
  });
}

function boundCases(test: SuiteTest): void {
  const all = tiedEntries();
  const asc = sortEntries(all, 'asc');
  const at = (i: number, inclusive: boolean): RangeBound => ({
    score: asc[i]!.score,
    id: asc[i]!.id,
    inclusive,
  });
  const check = async (
    timeline: TimelineStorage,
    query: RangeQuery,
    label: string,
  ): Promise<void> => {
    const got = await timeline.range(KEY, query);
    assert.deepEqual(got.map(plainEntry), expectedRange(all, query), label);
  };

  test('min bound, inclusive and exclusive, at entries inside runs of equal scores', async ({
    timeline,
  }) => {
    await timeline.add(KEY, all);
    for (const i of [0, 3, 5, 6, 11, 23]) {
      for (const inclusive of [true, false]) {
        for (const order of ['desc', 'asc'] as const) {
          await check(
            timeline,
            { limit: 100, order, min: at(i, inclusive) },
            `min ${i} ${inclusive} ${order}`,
          );
        }
      }
    }
  });

  test('max bound, inclusive and exclusive, at entries inside runs of equal scores', async ({
    timeline,
  }) => {
    await timeline.add(KEY, all);
    for (const i of [0, 2, 5, 6, 17, 23]) {
      for (const inclusive of [true, false]) {
        for (const order of ['desc', 'asc'] as const) {
          await check(
            timeline,
            { limit: 100, order, max: at(i, inclusive) },
            `max ${i} ${inclusive} ${order}`,
          );
        }
      }
    }
  });

  test('inclusive and exclusive bounds differ by exactly the entry at the bound', async ({
    timeline,
  }) => {
    await timeline.add(KEY, all);
    const b = at(8, true);
    const incl = await timeline.range(KEY, { limit: 100, order: 'asc', min: b });
    const excl = await timeline.range(KEY, {
      limit: 100,
      order: 'asc',
      min: { ...b, inclusive: false },
    });
    assert.equal(incl[0]?.id, b.id);
    assert.deepEqual(incl.slice(1).map(plainEntry), excl.map(plainEntry));
  });

  test('bounds between stored positions select by (score, id)', async ({ timeline }) => {
    await timeline.add(KEY, all);
    const score = asc[6]!.score;
    const bounds: RangeBound[] = [
      { score, id: '', inclusive: false },
      { score, id: '', inclusive: true },
      { score, id: '0', inclusive: true },
      { score, id: entryId(900), inclusive: false },
      { score, id: 'zzzzzzzzzzzzzzzzz', inclusive: true },
      { score: score + 1, id: '', inclusive: true },
      { score: BASE_TIME_MS - 1, id: 'zzzz', inclusive: false },
      { score: BASE_TIME_MS + 1000, id: '', inclusive: true },
    ];
    for (const [i, bound] of bounds.entries()) {
      await check(timeline, { limit: 100, order: 'desc', min: bound }, `min #${i}`);
      await check(timeline, { limit: 100, order: 'asc', max: bound }, `max #${i}`);
    }
  });

  test('both bounds with a limit, in both orders', async ({ timeline }) => {
    await timeline.add(KEY, all);
    const windows: [number, boolean, number, boolean][] = [
      [2, true, 20, true],
      [2, false, 20, false],
      [5, true, 6, true],
      [6, false, 11, false],
      [0, true, 23, true],
    ];
    for (const [lo, loIncl, hi, hiIncl] of windows) {
      for (const order of ['desc', 'asc'] as const) {
        for (const limit of [100, 3, 4, 1]) {
          const query = { limit, order, min: at(lo, loIncl), max: at(hi, hiIncl) };
          await check(timeline, query, JSON.stringify(query));
        }
      }
    }
  });

  test('empty ranges: min above max, equal exclusive bounds, nothing inside', async ({
    timeline,
  }) => {
    await timeline.add(KEY, all);
    const empty: RangeQuery[] = [
      { limit: 10, order: 'desc', min: at(10, true), max: at(9, true) },
      { limit: 10, order: 'asc', min: at(10, false), max: at(10, true) },
      { limit: 10, order: 'asc', min: at(10, true), max: at(10, false) },
      { limit: 10, order: 'desc', min: at(10, false), max: at(11, false) },
      { limit: 10, order: 'desc', min: { score: BASE_TIME_MS + 999, id: '', inclusive: true } },
      { limit: 10, order: 'asc', max: { score: 0, id: 'z', inclusive: true } },
    ];
    for (const [i, query] of empty.entries()) {
      assert.deepEqual(await timeline.range(KEY, query), [], `query #${i}`);
    }
    const single = await timeline.range(KEY, {
      limit: 10,
      order: 'desc',
      min: at(10, true),
      max: at(10, true),
    });
    assert.deepEqual(idsOf(single), [asc[10]!.id]);
  });

  for (const order of ['desc', 'asc'] as const) {
    test(`cursor paging with exclusive bounds visits every entry once (${order})`, async ({
      timeline,
    }) => {
      await timeline.add(KEY, all);
      const seen: TimelineEntry[] = [];
      let bound: RangeBound | undefined;
      for (let page = 0; page < 20; page++) {
        const got: TimelineEntry[] = await timeline.range(KEY, {
          limit: 5,
          order,
          ...(order === 'desc' ? { max: bound } : { min: bound }),
        });
        seen.push(...got.map(plainEntry));
        const last = got[got.length - 1];
        if (got.length < 5 || !last) break;
        bound = { score: last.score, id: last.id, inclusive: false };
      }
      assert.deepEqual(seen, sortEntries(all, order));
    });
  }
}

function indexOfCases(test: SuiteTest): void {
  test('indexOf in desc and asc order, -1 when missing', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 5));
    assert.equal(await timeline.indexOf(KEY, entryId(4), 'desc'), 0);
    assert.equal(await timeline.indexOf(KEY, entryId(4), 'asc'), 4);
    assert.equal(await timeline.indexOf(KEY, entryId(1), 'desc'), 3);
    assert.equal(await timeline.indexOf(KEY, entryId(1), 'asc'), 1);
    assert.equal(await timeline.indexOf(KEY, 'missing', 'desc'), -1);
    assert.equal(await timeline.indexOf(KEY, 'missing', 'asc'), -1);
    assert.equal(await timeline.indexOf('missing', entryId(1), 'desc'), -1);
  });

  test('indexOf over 150 entries matches the position in range', async ({ timeline }) => {
    const all = entryRange(0, 150);
    await timeline.add(KEY, shuffled(all, seededRandom(3)));
    assert.equal(await timeline.indexOf(KEY, entryId(110), 'asc'), 110);
    assert.equal(await timeline.indexOf(KEY, entryId(110), 'desc'), 39);
    const desc = sortEntries(all, 'desc');
    for (let i = 0; i < 150; i += 7) {
      assert.equal(await timeline.indexOf(KEY, desc[i]!.id, 'desc'), i);
      assert.equal(await timeline.indexOf(KEY, desc[i]!.id, 'asc'), 149 - i);
    }
  });

  test('indexOf among equal scores follows id order', async ({ timeline }) => {
    const all = tiedEntries();
    await timeline.add(KEY, all);
    const desc = sortEntries(all, 'desc');
    for (const [i, e] of desc.entries()) {
      assert.equal(await timeline.indexOf(KEY, e.id, 'desc'), i, e.id);
    }
  });

  test('indexOf follows removals and score changes', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 5));
    await timeline.remove(KEY, [entryId(3)]);
    assert.equal(await timeline.indexOf(KEY, entryId(2), 'desc'), 1);
    await timeline.add(KEY, [{ ...entry(0), score: BASE_TIME_MS + 99_000 }]);
    assert.equal(await timeline.indexOf(KEY, entryId(0), 'desc'), 0);
    assert.equal(await timeline.indexOf(KEY, entryId(1), 'asc'), 0);
  });
}

function trimCases(test: SuiteTest): void {
  test('trim keeps the highest entries and returns how many it removed', async ({ timeline }) => {
    const all = entryRange(0, 10);
    await timeline.add(KEY, shuffled(all, seededRandom(4)));
    assert.equal(await timeline.trim(KEY, 4), 6);
    assert.equal(await timeline.count(KEY), 4);
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(all, 'desc').slice(0, 4));
    assert.deepEqual(await timeline.get(KEY, [entryId(5), entryId(6)]), [
      undefined,
      plainEntry(entry(6)),
    ]);
  });

  test('trim to the current size or more is a no-op returning 0', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 5));
    assert.equal(await timeline.trim(KEY, 5), 0);
    assert.equal(await timeline.trim(KEY, 100), 0);
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(entryRange(0, 5), 'desc'));
  });

  test('trim of an empty or missing timeline returns 0', async ({ timeline }) => {
    assert.equal(await timeline.trim('missing', 10), 0);
    assert.equal(await timeline.trim('missing', 0), 0);
    assert.equal(await timeline.count('missing'), 0);
  });

  test('trim to 0 empties the timeline', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 3));
    assert.equal(await timeline.trim(KEY, 0), 3);
    assert.equal(await timeline.count(KEY), 0);
    assert.deepEqual(await readAll(timeline, KEY), []);
  });

  test('trim cuts between equal scores by id', async ({ timeline }) => {
    const all = tiedEntries();
    await timeline.add(KEY, all);
    assert.equal(await timeline.trim(KEY, 9), all.length - 9);
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(all, 'desc').slice(0, 9));
  });

  test('trimming twice removes nothing the second time', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 50));
    assert.equal(await timeline.trim(KEY, 10), 40);
    assert.equal(await timeline.trim(KEY, 10), 0);
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(entryRange(40, 50), 'desc'));
  });
}

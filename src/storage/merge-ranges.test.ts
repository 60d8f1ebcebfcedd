import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createMemoryStorage } from '../backends/memory/index.js';
import { hasCode } from '../testing/fixtures.js';
import type { RangeBound, RangeQuery, TimelineEntry } from './contracts.js';
import { belowFloor, mergeRanges } from './merge-ranges.js';

type Order = 'desc' | 'asc';

/** `a` before `b` in `order` by (score, id), written apart from the module under test. */
function compare(a: TimelineEntry, b: TimelineEntry, order: Order): number {
  const c = a.score - b.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return order === 'asc' ? c : -c;
}

/** The model: concatenate (source order), stable sort, keep each id's first entry, slice. */
function model(pages: readonly TimelineEntry[][], order: Order, limit: number): TimelineEntry[] {
  const sorted = pages.flat().sort((a, b) => compare(a, b, order));
  const seen = new Set<string>();
  return sorted.filter((e) => !seen.has(e.id) && seen.add(e.id)).slice(0, limit);
}

/** Ids that tie on score often and share ids across sources; a few characters sort below digits. */
const arbId = fc.stringMatching(/^[a-e0-3_~]{1,3}$/);

/** One source: distinct ids, each with a score from `scoreOf` or its own, in `order`. */
const arbSource = (order: Order, scoreOf: ((id: string) => number) | undefined) =>
  fc
    .uniqueArray(fc.record({ id: arbId, score: fc.integer({ min: 0, max: 6 }) }), {
      selector: (e) => e.id,
      maxLength: 12,
    })
    .map((entries) =>
      entries
        .map((e, n) => ({
          id: e.id,
          score: scoreOf ? scoreOf(e.id) : e.score,
          payload: `s${n}`, // tells which copy of an id was kept
        }))
        .sort((a, b) => compare(a, b, order)),
    );

/** An id's one score everywhere, as flat feeds have it (the activity time). */
const sharedScore = (id: string): number => (id.charCodeAt(0) + id.length) % 5;

const arbCase = (scoreOf?: (id: string) => number) =>
  fc.constantFrom<Order>('desc', 'asc').chain((order) =>
    fc.record({
      order: fc.constant(order),
      // up to 20 sources: the linear merge (<= 8) and the heap both run
      pages: fc.array(arbSource(order, scoreOf), { maxLength: 20 }),
      limit: fc.integer({ min: 1, max: 40 }),
    }),
  );

describe('mergeRanges', () => {
  it('equals the model (concatenate, sort by (score, id), dedupe by id, slice)', () => {
    fc.assert(
      fc.property(arbCase(), ({ pages, order, limit }) => {
        assert.deepEqual(mergeRanges(pages, order, limit), model(pages, order, limit));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the entry of the first source that holds an id', () => {
    const a = [{ id: 'x', score: 5, payload: 'timeline' }];
    const b = [
      { id: 'y', score: 6, payload: 'producer' },
      { id: 'x', score: 5, payload: 'producer' },
    ];
    for (const pages of [[a, b], Array.from({ length: 10 }, (_, i) => (i === 0 ? a : b))]) {
      assert.deepEqual(mergeRanges(pages, 'desc', 10), [b[0], a[0]]);
    }
    assert.deepEqual(mergeRanges([[...b].reverse(), a], 'asc', 10), [b[1], b[0]]);
  });

  it('returns exactly limit entries when the sources hold more, and fewer when they do not', () => {
    const page = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ id: `e${from + i}`, score: from + i })).reverse();
    assert.equal(mergeRanges([page(0, 10), page(10, 10)], 'desc', 15).length, 15);
    assert.equal(mergeRanges([page(0, 3), page(0, 3), []], 'desc', 15).length, 3);
    assert.deepEqual(mergeRanges([], 'desc', 5), []);
    assert.deepEqual(mergeRanges([[], []], 'asc', 5), []);
  });

  it('refuses a bad order or limit with INVALID_OPTION', () => {
    assert.throws(() => mergeRanges([[]], 'up' as Order, 5), hasCode('INVALID_OPTION'));
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => mergeRanges([[]], 'desc', limit), hasCode('INVALID_OPTION'));
    }
  });
});

describe('rangeMerged (the client-side default, on memory) paging by position bounds', () => {
  /** The query after `last` (exclusive): `max` when reading newest first, `min` oldest first. */
  const pageAfter = (last: TimelineEntry | undefined, order: Order, limit: number): RangeQuery => {
    if (!last) return { order, limit };
    const bound: RangeBound = { score: last.score, id: last.id, inclusive: false };
    return order === 'desc' ? { order, limit, max: bound } : { order, limit, min: bound };
  };

  it('visits every entry of the merged view exactly once, in both orders', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase(sharedScore), fc.integer({ min: 1, max: 7 }), async (c, limit) => {
        const { timeline } = createMemoryStorage();
        const keys = c.pages.map((_, i) => `merge:${i}`);
        await Promise.all(keys.map((key, i) => timeline.add(key, c.pages[i]!)));
        const everything = model(c.pages, c.order, Number.MAX_SAFE_INTEGER);
        for (const order of ['desc', 'asc'] as const) {
          const visited: TimelineEntry[] = [];
          for (let guard = 0; guard <= everything.length; guard++) {
            const page = await timeline.rangeMerged(keys, pageAfter(visited.at(-1), order, limit));
            assert.ok(page.length <= limit);
            if (page.length === 0) break;
            visited.push(...page);
          }
          const expected = order === c.order ? everything : [...everything].reverse();
          assert.deepEqual(
            visited.map((e) => e.id),
            expected.map((e) => e.id),
            order,
          );
          assert.equal(new Set(visited.map((e) => e.id)).size, visited.length);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('with floorAt, pages the merged view above the lowest entry of a full first timeline', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbCase(sharedScore),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 14 }),
        async (c, limit, floorAt) => {
          const { timeline } = createMemoryStorage();
          const keys = c.pages.map((_, i) => `merge:${i}`);
          await Promise.all(keys.map((key, i) => timeline.add(key, c.pages[i]!)));
          const first = c.pages[0] ?? [];
          const lowest = [...first].sort((a, b) => compare(a, b, 'asc'))[0];
          const floor = first.length >= floorAt ? lowest : undefined;
          const everything = model(c.pages, 'desc', Number.MAX_SAFE_INTEGER).filter(
            (e) => floor === undefined || !belowFloor(e, floor),
          );
          for (const order of ['desc', 'asc'] as const) {
            const visited: TimelineEntry[] = [];
            for (let guard = 0; guard <= everything.length; guard++) {
              const query = pageAfter(visited.at(-1), order, limit);
              const page = await timeline.rangeMerged(keys, query, { floorAt });
              if (page.length === 0) break;
              visited.push(...page);
            }
            const expected = order === 'desc' ? everything : [...everything].reverse();
            assert.deepEqual(
              visited.map((e) => e.id),
              expected.map((e) => e.id),
              order,
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

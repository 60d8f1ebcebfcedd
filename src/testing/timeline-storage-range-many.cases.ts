/**
 * TimelineStorage conformance, part 5: `rangeMany`, the multi-timeline read of a pulled feed. Its
 * reference is the contract itself: `rangeMany(keys, query)` equals `range(key, query)` on each
 * key, positional. Registered by {@link describeTimelineStorage}.
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
  entryId,
  hasCode,
  plainEntry,
  type SuiteTest,
  seededRandom,
  shuffled,
} from './fixtures.js';

/** Twelve timelines (enough to span every node of a small cluster), one with hash-tag braces. */
const KEYS: readonly string[] = Array.from({ length: 12 }, (_, i) =>
  i === 11 ? 'feed:{many}:%' : `feed:many:${i}`,
);

/**
 * A pool of 40 entries, four per score (ties ordered by id), and a random share of it on each of
 * `keys`: the same id appears in several timelines, as an activity does in several feeds.
 */
function fill(seed: number): { pool: TimelineEntry[]; byKey: Map<string, TimelineEntry[]> } {
  const random = seededRandom(seed);
  const pool = shuffled(
    Array.from({ length: 40 }, (_, n) => ({
      id: entryId(500 - n * 3),
      score: BASE_TIME_MS + Math.floor(n / 4) * 1000,
      payload: `p${n}`,
    })),
    random,
  );
  const byKey = new Map(KEYS.map((key) => [key, pool.filter(() => random() < 0.5)]));
  return { pool, byKey };
}

/** Range queries over `pool`: both orders, small and large limits, each kind of bound. */
function queriesOver(pool: readonly TimelineEntry[]): RangeQuery[] {
  const bound = (e: TimelineEntry, inclusive: boolean): RangeBound => ({
    score: e.score,
    id: e.id,
    inclusive,
  });
  const [a, b] = [pool[7]!, pool[29]!].sort((x, y) => x.score - y.score || (x.id < y.id ? -1 : 1));
  const out: RangeQuery[] = [];
  for (const order of ['desc', 'asc'] as const) {
    out.push(
      { order, limit: 3 },
      { order, limit: 100 },
      { order, limit: 4, max: bound(b!, false) },
      { order, limit: 4, min: bound(a!, true) },
      { order, limit: 50, min: bound(a!, false), max: bound(b!, true) },
      { order, limit: 2, min: bound(b!, false), max: bound(a!, false) }, // empty: min above max
    );
  }
  return out;
}

/** `range` on each key: what `rangeMany` must equal. */
async function rangeEach(
  read: Pick<TimelineStorage, 'range'>,
  keys: readonly string[],
  query: RangeQuery,
): Promise<TimelineEntry[][]> {
  return Promise.all(keys.map(async (key) => (await read.range(key, query)).map(plainEntry)));
}

const plainRanges = (ranges: readonly TimelineEntry[][]): TimelineEntry[][] =>
  ranges.map((r) => r.map(plainEntry));

/** Registers the rangeMany cases. */
export function describeTimelineRangeManyCases(test: SuiteTest): void {
  test.describe('rangeMany', rangeManyCases);
}

function rangeManyCases(test: SuiteTest): void {
  test('rangeMany equals range on each key, in both orders, with and without bounds', async ({
    timeline,
  }) => {
    const { pool, byKey } = fill(11);
    for (const [key, entries] of byKey) await timeline.add(key, entries);
    for (const query of queriesOver(pool)) {
      const many = await timeline.rangeMany(KEYS, query);
      assert.deepEqual(plainRanges(many), await rangeEach(timeline, KEYS, query), query.order);
    }
    const top = await timeline.rangeMany(KEYS, { order: 'desc', limit: 100 });
    assert.deepEqual(
      top.map((r) => r.length),
      KEYS.map((key) => byKey.get(key)!.length),
      'every entry of every timeline was read',
    );
  });

  test('a missing timeline gives [] at its position', async ({ timeline }) => {
    const { byKey } = fill(12);
    const present = [KEYS[0]!, KEYS[3]!];
    for (const key of present) await timeline.add(key, byKey.get(key)!);
    const keys = ['feed:many:missing', KEYS[0]!, 'feed:many:gone', KEYS[3]!];
    const many = await timeline.rangeMany(keys, { order: 'asc', limit: 10 });
    assert.deepEqual(
      plainRanges(many),
      await rangeEach(timeline, keys, { order: 'asc', limit: 10 }),
    );
    assert.deepEqual([many[0], many[2]], [[], []]);
    assert.ok(many[1]!.length > 0 && many[3]!.length > 0);
  });

  test('a repeated key gets the same range at each of its positions, as its own array', async ({
    timeline,
  }) => {
    const { byKey } = fill(13);
    for (const key of KEYS.slice(0, 2)) await timeline.add(key, byKey.get(key)!);
    const keys = [KEYS[1]!, KEYS[0]!, KEYS[1]!, KEYS[1]!];
    const query: RangeQuery = { order: 'desc', limit: 5 };
    const many = await timeline.rangeMany(keys, query);
    assert.deepEqual(plainRanges(many), await rangeEach(timeline, keys, query));
    many[0]!.pop();
    assert.equal(many[2]!.length, 5, 'changing one result leaves the other positions alone');
  });

  test('no keys give [] (the query is still checked)', async ({ timeline }) => {
    assert.deepEqual(await timeline.rangeMany([], { order: 'desc', limit: 5 }), []);
    await assert.rejects(
      timeline.rangeMany([], { order: 'desc', limit: 0 }),
      hasCode('INVALID_OPTION'),
    );
  });

  test('the id-only view reads the same ranges without payloads', async ({ timeline }) => {
    const ids = timeline.idsOnly();
    const { pool, byKey } = fill(14);
    for (const [key, entries] of byKey)
      await ids.add(
        key,
        entries.map(({ id, score }) => ({ id, score })),
      );
    for (const query of queriesOver(pool)) {
      const many = await ids.rangeMany(KEYS, query);
      assert.deepEqual(many, await rangeEach(ids, KEYS, query));
      assert.ok(many.flat().every((e) => e.payload === undefined));
    }
  });

  test('bad keys and queries are refused with a typed error', async ({ timeline }) => {
    const query: RangeQuery = { order: 'desc', limit: 5 };
    const bad: [string, () => Promise<unknown>][] = [
      ['INVALID_ID', () => timeline.rangeMany('feed' as unknown as string[], query)],
      ['INVALID_ID', () => timeline.rangeMany([KEYS[0]!, ''], query)],
      ['INVALID_ID', () => timeline.rangeMany([KEYS[0]!, 7 as unknown as string], query)],
      ['INVALID_OPTION', () => timeline.rangeMany(KEYS, { order: 'up' as 'asc', limit: 5 })],
      ['INVALID_OPTION', () => timeline.rangeMany(KEYS, { ...query, offset: 5 } as RangeQuery)],
      [
        'INVALID_OPTION',
        () => timeline.rangeMany(KEYS, { ...query, min: { score: 1, id: 'x' } as RangeBound }),
      ],
    ];
    for (const [code, call] of bad) {
      await assert.rejects(call(), hasCode(code as 'INVALID_ID' | 'INVALID_OPTION'), code);
    }
  });
}

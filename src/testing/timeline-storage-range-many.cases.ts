/**
 * TimelineStorage conformance, part 5: `rangeMany` and `rangeMerged`, the multi-timeline reads of
 * a pulled feed. Their reference is the contract itself: `rangeMany(keys, query)` equals
 * `range(key, query)` on each key, positional, and `rangeMerged(keys, query)` equals
 * `mergeRanges` of those ranges (with `floorAt`, cut at the first timeline's lowest entry once it
 * is full). Registered by {@link describeTimelineStorage}.
 * @module
 */
import assert from 'node:assert/strict';
import type {
  RangeBound,
  RangeQuery,
  TimelineEntry,
  TimelineStorage,
} from '../storage/contracts.js';
import { belowFloor, mergeRanges } from '../storage/merge-ranges.js';
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

/** Registers the rangeMany and rangeMerged cases. */
export function describeTimelineRangeManyCases(test: SuiteTest): void {
  test.describe('rangeMany', rangeManyCases);
  test.describe('rangeMerged', rangeMergedCases);
}

/**
 * What `rangeMerged(keys, query, { floorAt })` must return: `range` on each key (the first
 * timeline's lowest entry is the floor once it holds `floorAt` entries), cut at the floor, merged.
 */
async function mergedModel(
  read: Pick<TimelineStorage, 'range' | 'count'>,
  keys: readonly string[],
  query: RangeQuery,
  floorAt?: number,
): Promise<TimelineEntry[]> {
  const whole = { ...query, limit: 1000 };
  const ranges = await Promise.all(keys.map((key) => read.range(key, whole)));
  const [lowest] = await read.range(keys[0]!, { order: 'asc', limit: 1 });
  const full = floorAt !== undefined && (await read.count(keys[0]!)) >= floorAt;
  const cut = ranges.map((r) => r.filter((e) => !(full && lowest && belowFloor(e, lowest))));
  return mergeRanges(cut, query.order, query.limit).map(plainEntry);
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

function rangeMergedCases(test: SuiteTest): void {
  test('rangeMerged equals the merge of range on each key, in both orders, with and without bounds', async ({
    timeline,
  }) => {
    const { pool, byKey } = fill(21);
    for (const [key, entries] of byKey) await timeline.add(key, entries);
    const keys = [KEYS[2]!, ...KEYS.filter((_, i) => i !== 2)];
    for (const query of queriesOver(pool)) {
      const merged = await timeline.rangeMerged(keys, query);
      assert.deepEqual(
        merged.map(plainEntry),
        await mergedModel(timeline, keys, query),
        query.order,
      );
      assert.equal(new Set(merged.map((e) => e.id)).size, merged.length, 'each id once');
    }
    const all = await timeline.rangeMerged(KEYS, { order: 'desc', limit: 100 });
    assert.equal(all.length, new Set([...byKey.values()].flat().map((e) => e.id)).size);
  });

  test("an id held by several timelines comes with the first key's entry", async ({ timeline }) => {
    const at = { id: entryId(1), score: BASE_TIME_MS };
    await timeline.add('feed:merged:a', [{ ...at, payload: 'a' }]);
    await timeline.add('feed:merged:b', [
      { ...at, payload: 'b' },
      { id: entryId(2), score: 1 },
    ]);
    for (const [keys, payload] of [
      [['feed:merged:a', 'feed:merged:b'], 'a'],
      [['feed:merged:b', 'feed:merged:a', 'feed:merged:b'], 'b'],
    ] as const) {
      for (const order of ['desc', 'asc'] as const) {
        const merged = await timeline.rangeMerged(keys, { order, limit: 5 });
        assert.deepEqual(
          merged.map((e) => [e.id, e.payload]),
          order === 'desc'
            ? [
                [at.id, payload],
                [entryId(2), undefined],
              ]
            : [
                [entryId(2), undefined],
                [at.id, payload],
              ],
          `${keys.join(',')} ${order}`,
        );
      }
    }
  });

  test('floorAt: a full first timeline bounds every source at its lowest entry, in both orders', async ({
    timeline,
  }) => {
    const { pool, byKey } = fill(22);
    for (const [key, entries] of byKey) await timeline.add(key, entries);
    const first = KEYS[5]!;
    const keys = [first, ...KEYS.filter((key) => key !== first), 'feed:many:missing'];
    const length = byKey.get(first)!.length;
    assert.ok(length > 3, 'the first timeline has entries to bound by');
    for (const floorAt of [1, length, length + 1]) {
      for (const query of queriesOver(pool)) {
        const merged = await timeline.rangeMerged(keys, query, { floorAt });
        assert.deepEqual(
          merged.map(plainEntry),
          await mergedModel(timeline, keys, query, floorAt),
          `floorAt ${floorAt}, ${JSON.stringify(query)}`,
        );
      }
    }
    const [lowest] = await timeline.range(first, { order: 'asc', limit: 1 });
    const oldest = await timeline.rangeMerged(
      keys,
      { order: 'asc', limit: 1 },
      { floorAt: length },
    );
    assert.deepEqual(oldest.map(plainEntry), [plainEntry(lowest!)], 'nothing below the floor');
    const unbounded = await timeline.rangeMerged(
      keys,
      { order: 'asc', limit: 1 },
      { floorAt: 1e6 },
    );
    assert.ok(belowFloor(unbounded[0]!, lowest!), 'a timeline short of floorAt does not bound');
  });

  test('the id-only view merges the same entries without payloads; one key or none read plainly', async ({
    timeline,
  }) => {
    const ids = timeline.idsOnly();
    const { pool, byKey } = fill(23);
    for (const [key, entries] of byKey)
      await ids.add(
        key,
        entries.map(({ id, score }) => ({ id, score })),
      );
    for (const query of queriesOver(pool)) {
      assert.deepEqual(
        await ids.rangeMerged(KEYS, query, { floorAt: 3 }),
        await mergedModel(ids, KEYS, query, 3),
      );
      assert.deepEqual(
        await ids.rangeMerged([KEYS[4]!, KEYS[4]!], query),
        await ids.range(KEYS[4]!, query),
      );
    }
    assert.deepEqual(await ids.rangeMerged([], { order: 'desc', limit: 5 }), []);
  });

  test('bad keys, queries and options are refused with a typed error', async ({ timeline }) => {
    const query: RangeQuery = { order: 'desc', limit: 5 };
    const bad: [string, () => Promise<unknown>][] = [
      ['INVALID_ID', () => timeline.rangeMerged('feed' as unknown as string[], query)],
      ['INVALID_ID', () => timeline.rangeMerged([KEYS[0]!, ''], query)],
      ['INVALID_OPTION', () => timeline.rangeMerged([], { order: 'desc', limit: 0 })],
      ['INVALID_OPTION', () => timeline.rangeMerged(KEYS, { ...query, offset: 5 } as RangeQuery)],
      ['INVALID_OPTION', () => timeline.rangeMerged(KEYS, query, { floorAt: 0 })],
      ['INVALID_OPTION', () => timeline.rangeMerged(KEYS, query, { floorAt: 2.5 })],
      ['INVALID_OPTION', () => timeline.rangeMerged(KEYS, query, { floor: 2 } as never)],
    ];
    for (const [code, call] of bad) {
      await assert.rejects(call(), hasCode(code as 'INVALID_ID' | 'INVALID_OPTION'), code);
    }
  });
}

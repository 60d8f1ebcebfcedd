/**
 * The conformance suite of {@link TimelineStorage}: every backend (memory, Redis, Redis Cluster,
 * Cassandra) must pass it unchanged. It only uses the contract, never a backend's internals.
 * Split over several files: writes, keys and payloads here; ranges and trimming, atomic updates
 * and markers, and a randomized model check in the sibling `timeline-storage-*.cases.ts` files.
 * @module
 */
import assert from 'node:assert/strict';
import { StreamFrameworkError } from '../errors.js';
import type { TimelineEntry, TimelineStorage } from '../storage/contracts.js';
import type { BackendUnderTest } from './backend.js';
import {
  BASE_TIME_MS,
  entry,
  entryId,
  entryRange,
  idsOf,
  markEntries,
  plainEntries,
  readAll,
  type SuiteTest,
  sortEntries,
  suiteContext,
} from './fixtures.js';
import { harnessTest } from './harness.js';
import type { KitRunner } from './runner.js';
import { describeTimelineModelCases } from './timeline-storage-model.cases.js';
import { describeTimelineRangeCases } from './timeline-storage-range.cases.js';
import { describeTimelineRangeManyCases } from './timeline-storage-range-many.cases.js';
import { describeTimelineUpdateCases } from './timeline-storage-update.cases.js';

const KEY = 'feed:normal:1';
const OTHER = 'feed:normal:2';

/**
 * Registers the TimelineStorage conformance suite (group `'timeline-storage'`) against `backend`
 * with `runner`. `backend.create()` is called once per test and `backend.destroy` after it. Parts
 * a backend may skip as groups: `'update'`, `'concurrency'` (concurrent updates), `'markers'`
 * (needs `capabilities.markers`) and `'model'` (random operations against a reference model).
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * describeTimelineStorage({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeTimelineStorage(runner: KitRunner, backend: BackendUnderTest): void {
  const title = `TimelineStorage conformance (${backend.name})`;
  harnessTest(runner, backend, title, 'timeline-storage', (harness) => {
    const test = harness.map(suiteContext);
    test.describe('add', addCases);
    test.describe('get, count and remove', readRemoveCases);
    test.describe('many keys and delete', manyKeysCases);
    test.describe('keys and payloads', keyPayloadCases);
    test.describe('bad arguments', badArgumentCases);
    describeTimelineRangeCases(test);
    describeTimelineRangeManyCases(test);
    describeTimelineUpdateCases(test);
    describeTimelineModelCases(test);
  });
}

function addCases(test: SuiteTest): void {
  test('add returns the number of new ids', async ({ timeline }) => {
    assert.equal(await timeline.add(KEY, entryRange(0, 3)), 3);
    assert.equal(await timeline.add(KEY, [entry(2), entry(3), entry(4)]), 2);
    assert.equal(await timeline.count(KEY), 5);
  });

  test('add of an empty list returns 0 and writes nothing', async ({ timeline }) => {
    assert.equal(await timeline.add(KEY, []), 0);
    assert.equal(await timeline.count(KEY), 0);
    assert.deepEqual(await readAll(timeline, KEY), []);
  });

  test('re-adding the same entries is idempotent', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 5));
    const before = await readAll(timeline, KEY);
    assert.equal(await timeline.add(KEY, entryRange(0, 5)), 0);
    assert.equal(await timeline.add(KEY, [entry(3)]), 0);
    assert.equal(await timeline.count(KEY), 5);
    assert.deepEqual(await readAll(timeline, KEY), before);
  });

  test('re-adding an id replaces its payload and score', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 3));
    const moved = { id: entryId(0), score: BASE_TIME_MS + 10_000, payload: 'new payload' };
    assert.equal(await timeline.add(KEY, [moved]), 0);
    assert.equal(await timeline.count(KEY), 3);
    assert.deepEqual(plainEntries(await timeline.get(KEY, [entryId(0)])), [moved]);
    assert.deepEqual(idsOf(await readAll(timeline, KEY)), [entryId(0), entryId(2), entryId(1)]);
  });

  test('re-adding an id without a payload drops its old payload', async ({ timeline }) => {
    await timeline.add(KEY, [entry(1, 'old')]);
    await timeline.add(KEY, [entry(1, null)]);
    const [got] = await timeline.get(KEY, [entryId(1)]);
    assert.ok(got);
    assert.equal(got.payload, undefined);
  });

  test('an id repeated in one add counts once and the last occurrence wins', async ({
    timeline,
  }) => {
    const first = { id: 'dup', score: 5, payload: 'first' };
    const last = { id: 'dup', score: 7, payload: 'last' };
    assert.equal(await timeline.add(KEY, [first, entry(1), last]), 2);
    assert.equal(await timeline.count(KEY), 2);
    assert.deepEqual(plainEntries(await timeline.get(KEY, ['dup'])), [last]);
    assert.deepEqual(idsOf(await readAll(timeline, KEY)), [entryId(1), 'dup']);
  });

  test('entries without a payload read back without one', async ({ timeline }) => {
    await timeline.add(KEY, [entry(1, null), entry(2)]);
    assert.deepEqual(await readAll(timeline, KEY), [entry(2), entry(1, null)]);
  });

  test('scores are read back exactly, from 0 to the largest safe integer', async ({ timeline }) => {
    const scores = [
      0,
      1,
      2,
      BASE_TIME_MS,
      BASE_TIME_MS + 1,
      1_999_999_999_999,
      2 ** 53 - 2,
      Number.MAX_SAFE_INTEGER,
    ];
    const input = scores.map((score, i) => ({ id: entryId(100 - i), score }));
    await timeline.add(KEY, input);
    assert.deepEqual(await readAll(timeline, KEY, 'asc'), input);
    assert.deepEqual(await readAll(timeline, KEY, 'desc'), [...input].reverse());
  });

  test('add with maxLength keeps the highest entries and returns the new-id count', async ({
    timeline,
  }) => {
    await timeline.add(KEY, entryRange(0, 5));
    assert.equal(await timeline.add(KEY, entryRange(5, 8), { maxLength: 5 }), 3);
    assert.equal(await timeline.count(KEY), 5);
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(entryRange(3, 8), 'desc'));
  });

  test('add with maxLength drops new entries older than a full timeline', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(10, 15));
    await timeline.add(KEY, entryRange(0, 3), { maxLength: 5 });
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(entryRange(10, 15), 'desc'));
  });

  test('add with maxLength at or above the size trims nothing', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 4), { maxLength: 5 });
    await timeline.add(KEY, [entry(4)], { maxLength: 5 });
    assert.equal(await timeline.count(KEY), 5);
    await timeline.add(KEY, [entry(4)], { maxLength: 5 });
    assert.equal(await timeline.count(KEY), 5);
  });

  test('add with maxLength of a large batch keeps the newest of the batch', async ({
    timeline,
  }) => {
    const batch = entryRange(0, 300);
    await timeline.add(KEY, [...batch].reverse(), { maxLength: 100 });
    assert.equal(await timeline.count(KEY), 100);
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(entryRange(200, 300), 'desc'));
  });

  test('re-adding after a trim keeps (score, id) order', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 10));
    assert.equal(await timeline.trim(KEY, 5), 5);
    assert.equal(await timeline.add(KEY, entryRange(0, 3)), 3);
    const expected = sortEntries([...entryRange(5, 10), ...entryRange(0, 3)], 'desc');
    assert.deepEqual(await readAll(timeline, KEY), expected);
  });

  test('a batch of 1,000 entries in random order reads back sorted', async ({ timeline }) => {
    const batch = entryRange(0, 1000);
    const scrambled = batch.map((_, i) => batch[(i * 389) % 1000]!);
    assert.equal(await timeline.add(KEY, scrambled), 1000);
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(batch, 'desc'));
  });
}

function readRemoveCases(test: SuiteTest): void {
  test('get is positional and returns undefined for missing ids', async ({ timeline }) => {
    await timeline.add(KEY, [entry(1), entry(2, null)]);
    const got = await timeline.get(KEY, [entryId(2), 'missing', entryId(1), entryId(2)]);
    assert.deepEqual(plainEntries(got), [entry(2, null), undefined, entry(1), entry(2, null)]);
  });

  test('get on a missing key and with no ids', async ({ timeline }) => {
    assert.deepEqual(await timeline.get('missing', [entryId(1), entryId(2)]), [
      undefined,
      undefined,
    ]);
    await timeline.add(KEY, [entry(1)]);
    assert.deepEqual(await timeline.get(KEY, []), []);
  });

  test('count of an empty timeline is 0 and follows inserts and removals', async ({ timeline }) => {
    assert.equal(await timeline.count(KEY), 0);
    await timeline.add(KEY, [entry(1)]);
    assert.equal(await timeline.count(KEY), 1);
    await timeline.add(KEY, entryRange(2, 12));
    assert.equal(await timeline.count(KEY), 11);
    await timeline.remove(KEY, [entryId(1), entryId(2)]);
    assert.equal(await timeline.count(KEY), 9);
  });

  test('remove returns how many ids existed and removes them', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 5));
    assert.equal(await timeline.remove(KEY, [entryId(1), 'missing', entryId(3)]), 2);
    assert.deepEqual(idsOf(await readAll(timeline, KEY)), [entryId(4), entryId(2), entryId(0)]);
    assert.deepEqual(await timeline.get(KEY, [entryId(1)]), [undefined]);
    assert.equal(await timeline.indexOf(KEY, entryId(3), 'desc'), -1);
  });

  test('remove of missing ids, of an empty list and on a missing key returns 0', async ({
    timeline,
  }) => {
    await timeline.add(KEY, entryRange(0, 3));
    assert.equal(await timeline.remove(KEY, ['missing']), 0);
    assert.equal(await timeline.remove(KEY, []), 0);
    assert.equal(await timeline.remove('missing', [entryId(1)]), 0);
    assert.equal(await timeline.count(KEY), 3);
  });

  test('an id repeated in one remove counts once', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 3));
    assert.equal(await timeline.remove(KEY, [entryId(1), entryId(1)]), 1);
    assert.equal(await timeline.count(KEY), 2);
  });

  test('removing every entry leaves an empty timeline that can be refilled', async ({
    timeline,
  }) => {
    await timeline.add(KEY, entryRange(0, 3));
    assert.equal(await timeline.remove(KEY, idsOf(entryRange(0, 3)) as string[]), 3);
    assert.equal(await timeline.count(KEY), 0);
    assert.deepEqual(await readAll(timeline, KEY), []);
    assert.equal(await timeline.add(KEY, [entry(1)]), 1);
    assert.deepEqual(await readAll(timeline, KEY), [entry(1)]);
  });

  test('add then remove of one entry', async ({ timeline }) => {
    await timeline.add(KEY, [entry(7)]);
    assert.deepEqual(await readAll(timeline, KEY), [entry(7)]);
    assert.equal(await timeline.remove(KEY, [entryId(7)]), 1);
    assert.deepEqual(await readAll(timeline, KEY), []);
  });
}

function manyKeysCases(test: SuiteTest): void {
  const keys = ['feed:a:1', 'feed:a:2', 'feed:a:3'];

  test('addToMany writes the entries to every key', async ({ timeline }) => {
    await timeline.addToMany(keys, entryRange(0, 4));
    for (const key of keys) {
      assert.deepEqual(await readAll(timeline, key), sortEntries(entryRange(0, 4), 'desc'));
    }
    assert.equal(await timeline.count('feed:a:4'), 0);
  });

  test('addToMany upserts into existing timelines', async ({ timeline }) => {
    await timeline.add(keys[0]!, [entry(0), entry(9, 'old')]);
    await timeline.addToMany(keys, [entry(9, 'new'), entry(10)]);
    assert.deepEqual(await readAll(timeline, keys[0]!), [entry(10), entry(9, 'new'), entry(0)]);
    assert.deepEqual(await readAll(timeline, keys[1]!), [entry(10), entry(9, 'new')]);
  });

  test('addToMany with maxLength trims each key on its own', async ({ timeline }) => {
    await timeline.add(keys[0]!, entryRange(10, 15));
    await timeline.add(keys[1]!, entryRange(0, 2));
    await timeline.addToMany(keys, entryRange(5, 8), { maxLength: 4 });
    assert.deepEqual(await readAll(timeline, keys[0]!), sortEntries(entryRange(11, 15), 'desc'));
    const second = sortEntries([...entryRange(0, 2), ...entryRange(5, 8)], 'desc').slice(0, 4);
    assert.deepEqual(await readAll(timeline, keys[1]!), second);
    assert.deepEqual(await readAll(timeline, keys[2]!), sortEntries(entryRange(5, 8), 'desc'));
  });

  test('addToMany and removeFromMany with no keys or no entries are no-ops', async ({
    timeline,
  }) => {
    await timeline.add(KEY, [entry(1)]);
    await timeline.addToMany([], entryRange(0, 3));
    await timeline.addToMany([KEY, OTHER], []);
    await timeline.removeFromMany([], [entryId(1)]);
    await timeline.removeFromMany([KEY], []);
    assert.deepEqual(await readAll(timeline, KEY), [entry(1)]);
    assert.equal(await timeline.count(OTHER), 0);
  });

  test('removeFromMany removes the ids from every key and leaves others', async ({ timeline }) => {
    await timeline.addToMany([...keys, 'feed:a:4'], entryRange(0, 4));
    await timeline.removeFromMany(keys, [entryId(1), entryId(3), 'missing']);
    for (const key of keys) {
      assert.deepEqual(idsOf(await readAll(timeline, key)), [entryId(2), entryId(0)]);
    }
    assert.equal(await timeline.count('feed:a:4'), 4);
  });

  test('removeFromMany tolerates keys that do not exist', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 3));
    await timeline.removeFromMany(['missing:1', KEY, 'missing:2'], [entryId(0)]);
    assert.equal(await timeline.count(KEY), 2);
    assert.equal(await timeline.count('missing:1'), 0);
  });

  // Id-only timelines are read and written only through the view (a backend may keep them
  // apart), so these cases never mix the two.
  test('id-only timelines add, trim, count, find and remove as full ones do', async ({
    timeline,
  }) => {
    const ids = timeline.idsOnly();
    assert.equal(timeline.idsOnly(), ids, 'one view per storage');
    assert.equal(ids.name, timeline.name);
    const bare = (from: number, to: number) =>
      entryRange(from, to).map(({ id, score }) => ({ id, score }));
    assert.equal(await ids.add(KEY, bare(0, 4), { maxLength: 3 }), 4);
    assert.deepEqual(idsOf(await readAll(ids, KEY)), [3, 2, 1].map(entryId));
    await ids.addToMany([...keys, KEY], bare(4, 6), { maxLength: 4 });
    assert.deepEqual(idsOf(await readAll(ids, KEY)), [5, 4, 3, 2].map(entryId));
    assert.equal(await ids.count(KEY), 4);
    assert.equal(await ids.indexOf(KEY, entryId(4), 'desc'), 1);
    assert.equal(await ids.indexOf(KEY, entryId(4), 'asc'), 2);
    assert.deepEqual(await ids.get(KEY, [entryId(3), 'missing', entryId(3)]), [
      { id: entryId(3), score: entry(3).score },
      undefined,
      { id: entryId(3), score: entry(3).score },
    ]);
    assert.equal(await ids.remove(KEY, [entryId(4), 'missing']), 1);
    await ids.removeFromMany([...keys, KEY, 'missing:1'], [entryId(5)]);
    assert.deepEqual(idsOf(await readAll(ids, KEY)), [3, 2].map(entryId));
    for (const key of keys) assert.deepEqual(idsOf(await readAll(ids, key)), [entryId(4)]);
    assert.equal(await ids.trim(KEY, 1), 1);
    await ids.delete(KEY);
    assert.equal(await ids.count(KEY), 0);
  });

  test('an id-only timeline refuses entries with a payload and writes nothing', async ({
    timeline,
  }) => {
    const ids = timeline.idsOnly();
    const invalid = (e: unknown) =>
      e instanceof StreamFrameworkError && e.code === 'INVALID_OPTION';
    await assert.rejects(ids.add(KEY, [entry(1)]), invalid);
    await assert.rejects(ids.addToMany([KEY, OTHER], [entry(1)]), invalid);
    assert.equal(await ids.count(KEY), 0);
    assert.equal(await ids.count(OTHER), 0);
  });

  test('delete removes the timeline, and only that one', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 5));
    await timeline.add(OTHER, entryRange(0, 5));
    await timeline.delete(KEY);
    assert.equal(await timeline.count(KEY), 0);
    assert.deepEqual(await readAll(timeline, KEY), []);
    assert.deepEqual(await timeline.get(KEY, [entryId(1)]), [undefined]);
    assert.equal(await timeline.count(OTHER), 5);
    await timeline.delete(KEY);
    await timeline.delete('never-written');
    assert.equal(await timeline.add(KEY, [entry(1)]), 1);
    assert.deepEqual(await readAll(timeline, KEY), [entry(1)]);
  });

  test('two create() calls give isolated timelines', async ({ timeline, another }) => {
    const second = (await another()).timeline;
    await timeline.add(KEY, [entry(1)]);
    await second.add(KEY, [entry(2)]);
    assert.deepEqual(await readAll(timeline, KEY), [entry(1)]);
    assert.deepEqual(await readAll(second, KEY), [entry(2)]);
    await second.delete(KEY);
    assert.equal(await timeline.count(KEY), 1);
  });

  test('keys are independent: the same ids live separately in two keys', async ({ timeline }) => {
    await timeline.add(KEY, [entry(1, 'in key'), entry(2)]);
    await timeline.add(OTHER, [{ ...entry(1), score: 5, payload: 'in other' }, entry(3)]);
    assert.deepEqual(plainEntries(await timeline.get(KEY, [entryId(1)])), [entry(1, 'in key')]);
    assert.deepEqual(plainEntries(await timeline.get(OTHER, [entryId(1)])), [
      { id: entryId(1), score: 5, payload: 'in other' },
    ]);
    assert.equal(await timeline.remove(KEY, [entryId(1)]), 1);
    assert.equal(await timeline.count(OTHER), 2);
    assert.equal(await timeline.trim(OTHER, 1), 1);
    assert.deepEqual(idsOf(await readAll(timeline, KEY)), [entryId(2)]);
    assert.equal(await timeline.indexOf(OTHER, entryId(2), 'desc'), -1);
  });
}

/** Keys a backend might derive its own keys from, or that escape badly. */
const ODD_KEYS: readonly string[] = [
  'k',
  'k:',
  ':k',
  'k:m',
  'k:markers',
  'k:unseen',
  'k:m:unseen',
  'k:payloads',
  'k:p',
  'k:h',
  'k:z',
  'k:count',
  '{k}',
  '{k}:m:unseen',
  'k{x}',
  '{',
  '}',
  '{}',
  '*',
  'k*',
  '?',
  '[a]',
  'a b',
  ' ',
  'a\nb',
  'a\tb',
  '%',
  '%41',
  'A',
  '\\',
  '"quoted"',
  "it's",
  'ключ',
  '鍵',
  'é',
  'e\u0301',
  '😀',
  'feed:user:{1}:x',
  'x'.repeat(300),
];

function keyPayloadCases(test: SuiteTest): void {
  test('keys are opaque strings: odd characters never collide', async ({ timeline }) => {
    const markers = timeline.capabilities.markers;
    for (const [i, key] of ODD_KEYS.entries()) {
      await timeline.add(key, [entry(i, `payload of ${JSON.stringify(key)}`)]);
      if (markers) await markEntries(timeline, key, 'unseen', [entryId(i)]);
    }
    for (const [i, key] of ODD_KEYS.entries()) {
      assert.deepEqual(
        await readAll(timeline, key),
        [entry(i, `payload of ${JSON.stringify(key)}`)],
        key,
      );
      assert.equal(await timeline.count(key), 1, key);
      if (markers) assert.equal(await timeline.countMarked(key, 'unseen'), 1, key);
    }
    for (const key of ODD_KEYS) await timeline.delete(key);
    for (const key of ODD_KEYS) assert.equal(await timeline.count(key), 0, key);
  });

  test('deleting a key leaves keys that extend it untouched', async ({ timeline }) => {
    for (const [i, key] of ODD_KEYS.entries()) await timeline.add(key, [entry(i)]);
    await timeline.delete('k');
    await timeline.trim('k:', 0);
    await timeline.remove('{k}', [entryId(ODD_KEYS.indexOf('{k}'))]);
    for (const [i, key] of ODD_KEYS.entries()) {
      const expected = key === 'k' || key === 'k:' || key === '{k}' ? 0 : 1;
      assert.equal(await timeline.count(key), expected, key);
      if (expected) assert.deepEqual(await readAll(timeline, key), [entry(i)], key);
    }
  });

  test('ASCII ids of any shape round-trip', async ({ timeline }) => {
    const ids = ['a', 'A', '0', '-1', '_', '~', 'a:b', '{x}', '*', 'a b', '"', 'x'.repeat(64)];
    await timeline.add(
      KEY,
      ids.map((id, i) => ({ id, score: i, payload: `p${i}` })),
    );
    const got = await timeline.get(KEY, ids);
    assert.deepEqual(
      plainEntries(got),
      ids.map((id, i) => ({ id, score: i, payload: `p${i}` })),
    );
    assert.equal(await timeline.count(KEY), ids.length);
  });

  test('payloads with unicode, separators, quotes and newlines round-trip exactly', async ({
    timeline,
  }) => {
    const payloads = [
      '{"v":1,"x":{"text":"a;b,c;;d"}}',
      ';',
      ';;',
      ',',
      '"',
      "'",
      '\\',
      '\\"',
      'line1\nline2\r\nline3',
      '\t tab and spaces  ',
      ' ',
      'ünïcödé – “quotes” — ü',
      '鍵と値',
      'مرحبا',
      'e\u0301',
      '😀👍🏽🇫🇷',
      '\u2028\u2029',
      '%s %d {0} $' + '{x} $1',
      'null',
      '0',
      '[]',
      'v3a;;b;;c',
    ];
    const input: TimelineEntry[] = payloads.map((payload, i) => ({
      id: entryId(i),
      score: BASE_TIME_MS + i,
      payload,
    }));
    await timeline.add(KEY, input);
    assert.deepEqual(await readAll(timeline, KEY, 'asc'), input);
    assert.deepEqual(plainEntries(await timeline.get(KEY, idsOf(input) as string[])), input);
  });

  test('a 100 KB payload round-trips', async ({ timeline }) => {
    const big = `${'€;,"\n'.repeat(20_000)}end`;
    assert.ok(big.length >= 100_000);
    await timeline.add(KEY, [{ id: entryId(1), score: 1, payload: big }, entry(2)]);
    const [got] = await timeline.get(KEY, [entryId(1)]);
    assert.equal(got?.payload, big);
    const all = await readAll(timeline, KEY, 'asc');
    assert.equal(all[0]?.payload, big);
  });
}

/** A rejection with a StreamFrameworkError of `code`. */
const refusedWith =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof StreamFrameworkError && e.code === code;

function badArgumentCases(test: SuiteTest): void {
  test.describe(
    'markers',
    (test) => {
      test("every marker call refuses the marker name 'a b:c' with INVALID_OPTION and writes nothing", async ({
        timeline,
      }) => {
        await timeline.add(KEY, entryRange(0, 2));
        const ids = idsOf(entryRange(0, 2)) as string[];
        const calls: (() => Promise<unknown>)[] = [
          () => timeline.countMarked(KEY, 'a b:c'),
          () => timeline.isMarked(KEY, 'a b:c', ids),
          () => timeline.clearMarker(KEY, 'a b:c', ids),
          () => timeline.clearMarker(KEY, 'a b:c'),
          () => timeline.clearMarkers(KEY, ['unseen', 'a b:c'], ids),
          () => timeline.clearMarkers(KEY, 'unseen' as unknown as string[]),
          () =>
            timeline.update(KEY, [], () => ({ changes: { mark: { 'a b:c': ids } }, result: 0 })),
          () =>
            timeline.update(KEY, [], () => ({
              changes: { put: [entry(5)], mark: { unseen: ids, 'a b:c': ids } },
              result: 0,
            })),
        ];
        for (const call of calls) await assert.rejects(call(), refusedWith('INVALID_OPTION'));
        assert.deepEqual(idsOf(await readAll(timeline, KEY)), [entryId(1), entryId(0)]);
      });

      test('bad keys, ids, scores and lengths are refused with a typed error and write nothing', async ({
        timeline,
      }) => {
        await timeline.add(KEY, entryRange(0, 2));
        const before = await readAll(timeline, KEY);
        const bad: [string, (t: TimelineStorage) => Promise<unknown>][] = [
          ['INVALID_ID', (t) => t.add('', [entry(3)])],
          ['INVALID_ID', (t) => t.add('k\ud800', [entry(3)])],
          ['INVALID_ID', (t) => t.addToMany([KEY, ''], [entry(3)])],
          ['INVALID_ID', (t) => t.add(KEY, [{ id: '', score: 1 }])],
          ['INVALID_ID', (t) => t.add(KEY, [{ id: 'x'.repeat(65), score: 1 }])],
          ['INVALID_ID', (t) => t.remove(KEY, [entryId(0), 7 as unknown as string])],
          ['INVALID_OPTION', (t) => t.add(KEY, [{ id: entryId(3), score: 1.5 }])],
          ['INVALID_OPTION', (t) => t.add(KEY, [{ id: entryId(3), score: Number.NaN }])],
          ['INVALID_OPTION', (t) => t.add(KEY, [entry(3)], { maxLength: -1 })],
          ['INVALID_OPTION', (t) => t.trim(KEY, 0.5)],
          ['INVALID_OPTION', (t) => t.range(KEY, { limit: 0, order: 'desc' })],
          ['INVALID_OPTION', (t) => t.range(KEY, { limit: 1, order: 'up' as 'asc' })],
          [
            'INVALID_OPTION',
            (t) =>
              t.update(KEY, [], () => ({
                changes: { put: [{ id: entryId(3), score: Infinity }] },
                result: 0,
              })),
          ],
        ];
        for (const [code, call] of bad) await assert.rejects(call(timeline), refusedWith(code));
        assert.deepEqual(await readAll(timeline, KEY), before);
      });
    },
    'markers',
  );
}

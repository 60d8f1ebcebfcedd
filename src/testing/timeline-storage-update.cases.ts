/**
 * TimelineStorage conformance, part 3: atomic `update` (read-modify-write, including under
 * concurrency) and markers (which never outlive their entries). Registered by
 * {@link describeTimelineStorage}.
 * @module
 */
import assert from 'node:assert/strict';
import { StreamFrameworkError } from '../errors.js';
import type { TimelineChanges, TimelineEntry, TimelineStorage } from '../storage/contracts.js';
import {
  entry,
  entryId,
  entryRange,
  idsOf,
  markEntries as mark,
  plainEntries,
  readAll,
  type SuiteTest,
  sortEntries,
} from './fixtures.js';

const KEY = 'feed:notify:1';
const OTHER = 'feed:notify:2';
const COUNTER = 'counter';

/** Registers the update and marker cases. */
export function describeTimelineUpdateCases(test: SuiteTest): void {
  test.describe('update', updateCases, 'update');
  test.describe('update under concurrency', concurrencyCases, 'concurrency');
  test.describe('markers', markerCases, 'markers');
}

function counterValue(e: TimelineEntry | undefined): number {
  return e?.payload === undefined ? 0 : (JSON.parse(e.payload) as { n: number }).n;
}

/** One increment of the counter entry, returning the new value. */
function increment(timeline: TimelineStorage, key: string, extra: TimelineEntry[] = []) {
  return timeline.update(key, [COUNTER], ([current]) => {
    const n = counterValue(current) + 1;
    return {
      changes: {
        put: [{ id: COUNTER, score: 0, payload: JSON.stringify({ n }) }, ...extra],
        mark: extra.length > 0 ? { unseen: idsOf(extra) as string[] } : undefined,
      },
      result: n,
    };
  });
}

function updateCases(test: SuiteTest): void {
  test('update reads the current entries positionally and returns the result', async ({
    timeline,
  }) => {
    await timeline.add(KEY, [entry(1), entry(2, null)]);
    let seen: readonly (TimelineEntry | undefined)[] = [];
    const result = await timeline.update(KEY, [entryId(2), 'missing', entryId(1)], (current) => {
      seen = current;
      return { changes: {}, result: { ok: true, n: current.length } };
    });
    assert.deepEqual(result, { ok: true, n: 3 });
    assert.deepEqual(plainEntries(seen), [entry(2, null), undefined, entry(1)]);
    assert.deepEqual(await readAll(timeline, KEY), [entry(2, null), entry(1)]);
  });

  test('update of a missing key sees undefined and can create the timeline', async ({
    timeline,
  }) => {
    const result = await timeline.update(KEY, [entryId(1)], (current) => ({
      changes: { put: current[0] === undefined ? [entry(1)] : [] },
      result: current[0] === undefined,
    }));
    assert.equal(result, true);
    assert.deepEqual(await readAll(timeline, KEY), [entry(1)]);
  });

  test('update with no changes writes nothing', async ({ timeline }) => {
    await timeline.update(KEY, [], () => ({ changes: {}, result: undefined }));
    await timeline.update(KEY, [], () => ({
      changes: { put: [], remove: [], mark: {} },
      result: undefined,
    }));
    assert.equal(await timeline.count(KEY), 0);
    assert.deepEqual(await readAll(timeline, KEY), []);
  });

  test('update applies puts and removes in one step', async ({ timeline }) => {
    await timeline.add(KEY, entryRange(0, 4));
    const result = await timeline.update(KEY, [entryId(1)], ([one]) => ({
      changes: {
        put: [entry(9), { ...entry(1), payload: `${one?.payload} updated` }],
        remove: [entryId(0), entryId(3), 'missing'],
      },
      result: 'done',
    }));
    assert.equal(result, 'done');
    assert.deepEqual(await readAll(timeline, KEY), [
      entry(9),
      entry(2),
      entry(1, 'payload-1 updated'),
    ]);
  });

  test('update whose compute throws rejects with that error and writes nothing', async ({
    timeline,
  }) => {
    await timeline.add(KEY, entryRange(0, 3));
    const boom = new Error('compute failed');
    await assert.rejects(
      timeline.update(KEY, [entryId(1)], () => {
        throw boom;
      }),
      (err) => err === boom, // not `boom` itself: under Jest, assert sees another realm's Error
    );
    assert.deepEqual(await readAll(timeline, KEY), sortEntries(entryRange(0, 3), 'desc'));
  });
  test.describe(
    'markers',
    (test) => {
      test('update with maxLength trims and clears the markers of trimmed entries', async (ctx) => {
        const { timeline } = ctx;
        await timeline.add(KEY, entryRange(0, 5));
        await mark(timeline, KEY, 'unseen', [entryId(0), entryId(1), entryId(4)]);
        await timeline.update(
          KEY,
          [],
          () => ({ changes: { put: entryRange(5, 8), mark: { unseen: [entryId(7)] } }, result: 0 }),
          { maxLength: 5 },
        );
        assert.deepEqual(await readAll(timeline, KEY), sortEntries(entryRange(3, 8), 'desc'));
        assert.equal(await timeline.countMarked(KEY, 'unseen'), 2);
        assert.deepEqual(
          await timeline.isMarked(KEY, 'unseen', [entryId(0), entryId(4), entryId(7)]),
          [false, true, true],
        );
        await timeline.add(KEY, [entry(0)]);
        assert.deepEqual(await timeline.isMarked(KEY, 'unseen', [entryId(0)]), [false]);
      });

      test('update can set markers, including on an entry it puts', async (ctx) => {
        const { timeline } = ctx;
        await timeline.add(KEY, entryRange(0, 3));
        await mark(timeline, KEY, 'unread', [entryId(1)]);
        await timeline.update(KEY, [], () => ({
          changes: {
            put: [entry(5)],
            mark: { unseen: [entryId(5), entryId(2)], unread: [entryId(5)] },
          },
          result: null,
        }));
        assert.deepEqual(
          await timeline.isMarked(KEY, 'unseen', idsOf(entryRange(0, 6)) as string[]),
          [false, false, true, false, false, true],
        );
        assert.deepEqual(
          await timeline.isMarked(KEY, 'unread', idsOf(entryRange(0, 6)) as string[]),
          [false, true, false, false, false, true],
        );
        assert.equal(await timeline.countMarked(KEY, 'unseen'), 2);
        assert.equal(await timeline.countMarked(KEY, 'unread'), 2);
      });

      test('update that removes a marked entry clears its markers', async (ctx) => {
        const { timeline } = ctx;
        await timeline.add(KEY, entryRange(0, 3));
        await mark(timeline, KEY, 'unseen', idsOf(entryRange(0, 3)) as string[]);
        await timeline.update(KEY, [], () => ({ changes: { remove: [entryId(1)] }, result: 0 }));
        assert.equal(await timeline.countMarked(KEY, 'unseen'), 2);
        await timeline.update(KEY, [], () => ({ changes: { put: [entry(1)] }, result: 0 }));
        assert.deepEqual(await timeline.isMarked(KEY, 'unseen', [entryId(1)]), [false]);
        assert.equal(await timeline.countMarked(KEY, 'unseen'), 2);
      });

      test('update marking an id absent after the change rejects and writes nothing', async (ctx) => {
        const { timeline } = ctx;
        await timeline.add(KEY, entryRange(0, 3));
        await mark(timeline, KEY, 'unseen', [entryId(0)]);
        const before = await readAll(timeline, KEY);
        const attempts: TimelineChanges[] = [
          { put: [entry(7)], mark: { unseen: ['never-there'] } },
          { put: [entry(7)], remove: [entryId(1)], mark: { unseen: [entryId(1)] } },
          { remove: [entryId(0)], mark: { unread: [entryId(0)] } },
        ];
        for (const changes of attempts) {
          await assert.rejects(
            timeline.update(KEY, [], () => ({ changes, result: 0 })),
            (err: unknown) => err instanceof StreamFrameworkError,
          );
          assert.deepEqual(await readAll(timeline, KEY), before);
          assert.deepEqual(await timeline.isMarked(KEY, 'unseen', [entryId(0)]), [true]);
          assert.equal(await timeline.countMarked(KEY, 'unread'), 0);
        }
        await assert.rejects(
          timeline.update('missing', [], () => ({
            changes: { mark: { unseen: ['x'] } },
            result: 0,
          })),
          (err: unknown) => err instanceof StreamFrameworkError,
        );
        assert.equal(await timeline.count('missing'), 0);
      });
    },
    'markers',
  );
}

function concurrencyCases(test: SuiteTest): void {
  test('50 concurrent increments through update lose nothing', async (ctx) => {
    const { timeline } = ctx;
    const results = await Promise.all(Array.from({ length: 50 }, () => increment(timeline, KEY)));
    assert.deepEqual(
      [...results].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const [counter] = await timeline.get(KEY, [COUNTER]);
    assert.equal(counterValue(counter), 50);
  });

  test('concurrent adds, removes and updates on one key lose nothing', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(100, 120));
    await Promise.all([
      ...entryRange(0, 25).map((e) => timeline.add(KEY, [e])),
      ...entryRange(100, 110).map((e) => timeline.remove(KEY, [e.id])),
      ...Array.from({ length: 25 }, () => increment(timeline, KEY)),
    ]);
    const expected = [...entryRange(0, 25), ...entryRange(110, 120)];
    const all = await readAll(timeline, KEY);
    assert.equal(counterValue(all.find((e) => e.id === COUNTER)), 25);
    assert.deepEqual(
      all.filter((e) => e.id !== COUNTER),
      sortEntries(expected, 'desc'),
    );
  });

  test('concurrent updates of different keys do not interfere', async (ctx) => {
    const { timeline } = ctx;
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => increment(timeline, i % 3 === 0 ? OTHER : KEY)),
    );
    assert.equal(counterValue((await timeline.get(KEY, [COUNTER]))[0]), 20);
    assert.equal(counterValue((await timeline.get(OTHER, [COUNTER]))[0]), 10);
  });
  test.describe(
    'markers',
    (test) => {
      test('concurrent updates that put and mark entries lose none of them', async (ctx) => {
        const { timeline } = ctx;
        await Promise.all(entryRange(0, 40).map((e) => increment(timeline, KEY, [e])));
        assert.equal(await timeline.count(KEY), 41);
        assert.equal(await timeline.countMarked(KEY, 'unseen'), 40);
        assert.equal(counterValue((await timeline.get(KEY, [COUNTER]))[0]), 40);
      });
    },
    'markers',
  );
}

function markerCases(test: SuiteTest): void {
  const ids = (from: number, to: number): string[] => idsOf(entryRange(from, to)) as string[];

  test('markers of a missing key are empty and clearing them creates nothing', async (ctx) => {
    const { timeline } = ctx;
    assert.equal(await timeline.countMarked('missing', 'unseen'), 0);
    assert.deepEqual(await timeline.isMarked('missing', 'unseen', ['a', 'b']), [false, false]);
    assert.equal(await timeline.clearMarker('missing', 'unseen', ['a']), 0);
    assert.equal(await timeline.clearMarker('missing', 'unseen'), 0);
    assert.equal(await timeline.count('missing'), 0);
    assert.equal(await timeline.countMarked('missing', 'unseen'), 0);
  });

  test('update marks exactly the ids given', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 5));
    await mark(timeline, KEY, 'unseen', [entryId(1), entryId(3)]);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 2);
    assert.deepEqual(
      await timeline.isMarked(KEY, 'unseen', [entryId(1), 'missing', entryId(2), entryId(3)]),
      [true, false, false, true],
    );
    assert.equal(await timeline.count(KEY), 5);
  });

  test('marking is idempotent and counts repeated ids once', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 5));
    await mark(timeline, KEY, 'unseen', [entryId(1), entryId(1)]);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 1);
    await mark(timeline, KEY, 'unseen', [entryId(1)]);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 1);
    await mark(timeline, KEY, 'unseen', [entryId(1), entryId(2)]);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 2);
    await mark(timeline, KEY, 'unseen', []);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 2);
  });

  test('clearMarker with ids clears those and returns how many carried it', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 5));
    await mark(timeline, KEY, 'unseen', ids(0, 5));
    assert.equal(await timeline.clearMarker(KEY, 'unseen', [entryId(0), entryId(0), 'missing']), 1);
    assert.equal(await timeline.clearMarker(KEY, 'unseen', [entryId(0)]), 0);
    assert.equal(await timeline.clearMarker(KEY, 'unseen', []), 0);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 4);
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', ids(0, 2)), [false, true]);
    assert.equal(await timeline.count(KEY), 5);
  });

  test('clearMarkers clears several markers in one call and returns a count per marker', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 6));
    await mark(timeline, KEY, 'unseen', ids(0, 5));
    await mark(timeline, KEY, 'unread', ids(0, 2));
    assert.deepEqual(
      await timeline.clearMarkers(KEY, ['unread', 'unseen'], [entryId(0), entryId(4), 'missing']),
      [1, 2],
    );
    assert.deepEqual(await timeline.isMarked(KEY, 'unread', ids(0, 2)), [false, true]);
    assert.deepEqual(await timeline.clearMarkers(KEY, ['unseen', 'other', 'unseen']), [3, 0, 3]);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 0);
    assert.equal(await timeline.countMarked(KEY, 'unread'), 1);
    assert.deepEqual(await timeline.clearMarkers(KEY, ['unread'], []), [0]);
    assert.deepEqual(await timeline.clearMarkers(KEY, []), []);
    assert.deepEqual(await timeline.clearMarkers('missing', ['unseen', 'unread']), [0, 0]);
    assert.equal(await timeline.countMarked(KEY, 'unread'), 1);
    assert.equal(await timeline.count(KEY), 6);
  });

  test('isMarked is positional', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 3));
    await mark(timeline, KEY, 'unseen', [entryId(2)]);
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', []), []);
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', [entryId(2), entryId(0), entryId(2)]), [
      true,
      false,
      true,
    ]);
  });

  test('clearMarker clears every entry and returns how many carried it', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 10));
    await mark(timeline, KEY, 'unseen', ids(0, 7));
    await mark(timeline, KEY, 'unread', ids(0, 2));
    assert.equal(await timeline.clearMarker(KEY, 'unseen'), 7);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 0);
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', ids(0, 2)), [false, false]);
    assert.equal(await timeline.clearMarker(KEY, 'unseen'), 0);
    assert.equal(await timeline.countMarked(KEY, 'unread'), 2);
    assert.equal(await timeline.count(KEY), 10);
  });

  test('markers are independent per marker name and per key', async (ctx) => {
    const { timeline } = ctx;
    await timeline.addToMany([KEY, OTHER], entryRange(0, 4));
    await mark(timeline, KEY, 'unseen', ids(0, 3));
    await mark(timeline, KEY, 'unread', [entryId(3)]);
    await mark(timeline, OTHER, 'unseen', [entryId(0)]);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 3);
    assert.equal(await timeline.countMarked(KEY, 'unread'), 1);
    assert.equal(await timeline.countMarked(OTHER, 'unseen'), 1);
    assert.equal(await timeline.countMarked(OTHER, 'unread'), 0);
    assert.deepEqual(await timeline.isMarked(OTHER, 'unseen', ids(0, 4)), [
      true,
      false,
      false,
      false,
    ]);
    await timeline.delete(KEY);
    assert.equal(await timeline.countMarked(OTHER, 'unseen'), 1);
  });

  test('re-adding an existing entry keeps its markers', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 3));
    await mark(timeline, KEY, 'unseen', [entryId(1)]);
    await timeline.add(KEY, [{ ...entry(1), payload: 'changed' }]);
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', [entryId(1)]), [true]);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 1);
  });

  test('removing an entry clears its markers; re-added it starts unmarked', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 5));
    await mark(timeline, KEY, 'unseen', ids(0, 5));
    await mark(timeline, KEY, 'unread', ids(0, 5));
    assert.equal(await timeline.remove(KEY, [entryId(1), entryId(2)]), 2);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 3);
    assert.equal(await timeline.countMarked(KEY, 'unread'), 3);
    await timeline.add(KEY, [entry(1)]);
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', [entryId(1), entryId(2)]), [
      false,
      false,
    ]);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 3);
  });

  test('trim clears the markers of trimmed entries', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 100));
    const even = ids(0, 100).filter((_, i) => i % 2 === 0);
    await mark(timeline, KEY, 'unseen', even);
    assert.equal(await timeline.trim(KEY, 40), 60);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 20);
    await timeline.add(KEY, entryRange(0, 10));
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 20);
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', [entryId(0), entryId(60)]), [
      false,
      true,
    ]);
  });

  test('add and addToMany with maxLength clear the markers of trimmed entries', async (ctx) => {
    const { timeline } = ctx;
    for (const key of [KEY, OTHER]) {
      await timeline.add(key, entryRange(0, 5));
      await mark(timeline, key, 'unseen', ids(0, 5));
    }
    await timeline.add(KEY, entryRange(5, 7), { maxLength: 5 });
    await timeline.addToMany([OTHER], entryRange(5, 8), { maxLength: 5 });
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 3);
    assert.equal(await timeline.countMarked(OTHER, 'unseen'), 2);
    await timeline.addToMany([KEY, OTHER], entryRange(0, 2));
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', ids(0, 3)), [false, false, true]);
    assert.deepEqual(await timeline.isMarked(OTHER, 'unseen', ids(0, 4)), [
      false,
      false,
      false,
      true,
    ]);
  });

  test('removeFromMany clears the markers of removed entries', async (ctx) => {
    const { timeline } = ctx;
    await timeline.addToMany([KEY, OTHER], entryRange(0, 4));
    for (const key of [KEY, OTHER]) await mark(timeline, key, 'unseen', ids(0, 4));
    await timeline.removeFromMany([KEY, OTHER], [entryId(0), entryId(3)]);
    await timeline.addToMany([KEY, OTHER], [entry(0)]);
    for (const key of [KEY, OTHER]) {
      assert.equal(await timeline.countMarked(key, 'unseen'), 2);
      assert.deepEqual(await timeline.isMarked(key, 'unseen', ids(0, 4)), [
        false,
        true,
        true,
        false,
      ]);
    }
  });

  test('delete clears the markers; re-added entries start unmarked', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 4));
    await mark(timeline, KEY, 'unseen', ids(0, 4));
    await timeline.delete(KEY);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 0);
    await timeline.add(KEY, entryRange(0, 4));
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 0);
    assert.deepEqual(await timeline.isMarked(KEY, 'unseen', ids(0, 4)), [
      false,
      false,
      false,
      false,
    ]);
  });

  test('marker counts equal what the timeline holds after mixed operations', async (ctx) => {
    const { timeline } = ctx;
    await timeline.add(KEY, entryRange(0, 60));
    await mark(timeline, KEY, 'unseen', ids(0, 60));
    await timeline.remove(KEY, ids(50, 55));
    await timeline.trim(KEY, 45);
    await timeline.add(KEY, entryRange(60, 70), { maxLength: 48 });
    await mark(timeline, KEY, 'unseen', ids(65, 70));
    await timeline.update(KEY, [], () => ({ changes: { remove: ids(40, 45) }, result: 0 }));
    const held = idsOf(await readAll(timeline, KEY)) as string[];
    const marked = await timeline.isMarked(KEY, 'unseen', ids(0, 70));
    const markedIds = ids(0, 70).filter((_, i) => marked[i]);
    assert.ok(markedIds.every((id) => held.includes(id)));
    assert.equal(await timeline.countMarked(KEY, 'unseen'), markedIds.length);
    assert.equal(
      markedIds.length,
      held.filter((id) => id < entryId(60) || id >= entryId(65)).length,
    );
  });
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMemoryStorage,
  MemoryActivityStorage,
  MemoryTimelineStorage,
} from '../backends/memory/index.js';
import { StreamFrameworkError } from '../errors.js';
import { coreOnlyStorage } from '../testing/core-only-storage.js';
import type { RangeQuery, TimelineChanges, TimelineDriver, TimelineEntry } from './contracts.js';
import { defineActivityStorage } from './define-activity-storage.js';
import { defineStorage, defineTimelineStorage } from './define-storage.js';

const typed = (code: string) => (e: unknown) =>
  e instanceof StreamFrameworkError && e.code === code;

/** A memory driver that records what the wrapper hands it. */
function recording(): { driver: MemoryTimelineStorage; calls: [string, unknown[]][] } {
  const driver = new MemoryTimelineStorage();
  const calls: [string, unknown[]][] = [];
  const methods = [
    'add',
    'addToMany',
    'remove',
    'range',
    'rangeMany',
    'get',
    'clearMarker',
    'update',
  ] as const;
  for (const method of methods) {
    const real = driver[method].bind(driver) as (...args: unknown[]) => Promise<unknown>;
    Object.defineProperty(driver, method, {
      configurable: true,
      value: (...args: unknown[]) => {
        calls.push([method, args]);
        return real(...args);
      },
    });
  }
  return { driver, calls };
}

describe('defineTimelineStorage (the contract wrapper)', () => {
  it("keeps the driver's own members and class, and defining twice changes nothing", async () => {
    const storage = createMemoryStorage();
    assert.ok(storage.timeline instanceof MemoryTimelineStorage);
    assert.ok(storage.activities instanceof MemoryActivityStorage);
    await storage.timeline.add('k', [{ id: 'a', score: 1 }]);
    assert.equal(storage.timeline.size, 1, 'a getter of the driver reads its private state');
    assert.equal(storage.timeline.name, 'memory');
    assert.equal(defineTimelineStorage(storage.timeline), storage.timeline);
    assert.equal(defineStorage(storage).timeline, storage.timeline);
  });

  it('rejects (never throws synchronously) and does not call the driver', async () => {
    const inner = new MemoryTimelineStorage();
    const timeline = defineTimelineStorage(inner);
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = timeline.add(1 as unknown as string, []);
    });
    await assert.rejects(promise!, typed('INVALID_ID'));
    await assert.rejects(
      timeline.add('k', [{ id: 'a', score: 1 }], { maxLength: 1, idsOnly: true } as object),
      typed('INVALID_OPTION'),
    );
    await assert.rejects(
      timeline.clearMarker('k', 'unseen', 'a' as unknown as string[]),
      typed('INVALID_ID'),
    );
    assert.equal(inner.size, 0);
  });

  it('refuses a range query with an offset (page by bounds), naming it, before the driver', async () => {
    const { driver, calls } = recording();
    const timeline = defineTimelineStorage(driver);
    await timeline.add('k', [
      { id: 'a', score: 1 },
      { id: 'b', score: 2 },
    ]);
    calls.length = 0;
    for (const offset of [0, 1]) {
      const query = { limit: 1, order: 'desc', offset } as RangeQuery;
      await assert.rejects(
        timeline.range('k', query),
        (e) =>
          typed('INVALID_OPTION')(e) && (e as StreamFrameworkError).details['option'] === 'offset',
      );
    }
    assert.equal(calls.length, 0, 'the driver saw no range call');
    const after = { score: 2, id: 'b', inclusive: false };
    assert.deepEqual(await timeline.range('k', { limit: 1, order: 'desc', max: after }), [
      { id: 'a', score: 1 },
    ]);
    assert.deepEqual(
      calls.map(([method]) => method),
      ['range'],
    );
  });

  it('rangeMany hands the driver each key once, never an empty call, and answers every position', async () => {
    const { driver, calls } = recording();
    const timeline = defineTimelineStorage(driver);
    await timeline.add('a', [{ id: 'x', score: 1 }]);
    await timeline.add('b', [{ id: 'y', score: 2 }]);
    calls.length = 0;
    const query: RangeQuery = { limit: 5, order: 'desc' };
    assert.deepEqual(await timeline.rangeMany([], query), []);
    assert.deepEqual(await timeline.rangeMany(['a', 'b', 'a', 'c'], query), [
      [{ id: 'x', score: 1 }],
      [{ id: 'y', score: 2 }],
      [{ id: 'x', score: 1 }],
      [],
    ]);
    assert.deepEqual(
      calls.map(([method, args]) => [method, args[0]]),
      [['rangeMany', ['a', 'b', 'c']]],
    );
    await assert.rejects(
      timeline.rangeMany(['a'], { ...query, offset: 1 } as RangeQuery),
      typed('INVALID_OPTION'),
    );
    assert.equal(calls.length, 1, 'a refused query never reaches the driver');
  });

  it('rangeMerged hands a fast path distinct keys in priority order, one key to range, none to nobody', async () => {
    const { driver, calls } = recording();
    const seen: [readonly string[], unknown][] = [];
    const fast = Object.assign(driver, {
      rangeMerged: async (keys: readonly string[], _query: RangeQuery, options: unknown) => {
        seen.push([keys, options]);
        return [];
      },
    });
    const timeline = defineTimelineStorage(fast);
    await timeline.add('a', [{ id: 'x', score: 1 }]);
    calls.length = 0;
    const query: RangeQuery = { limit: 5, order: 'desc' };
    assert.deepEqual(await timeline.rangeMerged([], query), []);
    assert.deepEqual(await timeline.rangeMerged(['a', 'a'], query, { floorAt: 1 }), [
      { id: 'x', score: 1 },
    ]);
    assert.deepEqual(
      calls.map(([method]) => method),
      ['range'],
      'one distinct key: a plain range',
    );
    await timeline.rangeMerged(['b', 'a', 'b', 'c'], query, { floorAt: 3 });
    await timeline.idsOnly().rangeMerged(['c', 'a'], query);
    assert.deepEqual(seen, [
      [['b', 'a', 'c'], { floorAt: 3 }],
      [['c', 'a'], {}],
    ]);
    for (const options of [{ floorAt: 0 }, { floorAt: 1.5 }, { floor: 3 }, 'x']) {
      await assert.rejects(
        timeline.rangeMerged(['a', 'b'], query, options as { floorAt: number }),
        typed('INVALID_OPTION'),
        JSON.stringify(options),
      );
    }
    await assert.rejects(timeline.rangeMerged(['a', ''], query), typed('INVALID_ID'));
    assert.equal(seen.length, 2, 'refused calls never reach the driver');
  });

  it('hands the driver one entry per id (the last), and never an empty call', async () => {
    const { driver, calls } = recording();
    const timeline = defineTimelineStorage(driver);
    const first = { id: 'a', score: 1, payload: 'first' };
    const last = { id: 'a', score: 2, payload: 'last' };
    assert.equal(await timeline.add('k', [first, { id: 'b', score: 1 }, last]), 2);
    assert.deepEqual(calls.shift(), [
      'add',
      ['k', [last, { id: 'b', score: 1 }], {}, { idsOnly: false }],
    ]);
    assert.equal(await timeline.remove('k', ['a', 'a', 'x']), 1);
    assert.deepEqual(calls.shift()?.[1].slice(0, 2), ['k', ['a', 'x']]);
    assert.deepEqual(await timeline.get('k', ['b', 'b', 'a']), [
      { id: 'b', score: 1 },
      { id: 'b', score: 1 },
      undefined,
    ]);
    assert.deepEqual(calls.shift()?.[1], ['k', ['b', 'a'], { idsOnly: false }]);
    assert.equal(await timeline.add('k', []), 0);
    await timeline.addToMany([], [first]);
    await timeline.addToMany(['k'], []);
    assert.equal(await timeline.remove('k', []), 0);
    assert.deepEqual(await timeline.get('k', []), []);
    assert.equal(await timeline.clearMarker('k', 'unseen', []), 0);
    assert.deepEqual(calls, [], 'no empty call reached the driver');
  });

  it('normalises update changes: repeats dropped, empty lists left out, unknown keys refused', async () => {
    const driver = new MemoryTimelineStorage();
    const seen: TimelineChanges[] = [];
    const realUpdate = driver.update.bind(driver);
    Object.defineProperty(driver, 'update', {
      value: <R>(
        key: string,
        ids: readonly string[],
        compute: (c: readonly (TimelineEntry | undefined)[]) => {
          changes: TimelineChanges;
          result: R;
        },
        options: object,
      ) =>
        realUpdate(
          key,
          ids,
          (current) => {
            const u = compute(current);
            seen.push(u.changes);
            return u;
          },
          options,
        ),
    });
    const timeline = defineTimelineStorage(driver);
    await timeline.update('k', [], () => ({
      changes: {
        put: [
          { id: 'a', score: 1 },
          { id: 'a', score: 5 },
        ],
        remove: [],
        mark: { unseen: ['a', 'a'], unread: [] },
      },
      result: 0,
    }));
    assert.deepEqual(seen, [{ put: [{ id: 'a', score: 5 }], mark: { unseen: ['a'] } }]);
    await assert.rejects(
      timeline.update('k', [], () => ({
        changes: { unmark: { unseen: ['a'] } } as TimelineChanges,
        result: 0,
      })),
      typed('INVALID_OPTION'),
    );
    assert.equal(await timeline.countMarked('k', 'unseen'), 1);
  });

  it('an update backend sees exactly the changes that were checked (read once)', async () => {
    const { timeline } = createMemoryStorage();
    await timeline.add('k', [{ id: 'a', score: 1 }]);
    let reads = 0;
    const changes: TimelineChanges = {
      get mark(): Record<string, string[]> {
        reads += 1;
        return reads === 1 ? { unseen: ['a'] } : { 'a b:c': ['a'] };
      },
    };
    await timeline.update('k', [], () => ({ changes, result: 0 }));
    assert.equal(reads, 1);
    assert.equal(await timeline.countMarked('k', 'unseen'), 1);
  });

  it("clearMarkers hands a driver's fast path each marker once, and answers every position", async () => {
    const driver = new MemoryTimelineStorage();
    const seen: unknown[][] = [];
    const fast = Object.assign(driver, {
      clearMarkers: async (key: string, markers: readonly string[], ids?: readonly string[]) => {
        seen.push([key, [...markers], ids]);
        return markers.map((m) => m.length);
      },
    });
    const t = defineTimelineStorage(fast);
    assert.deepEqual(
      await t.clearMarkers('k', ['unseen', 'read', 'unseen'], ['a', 'a']),
      [6, 4, 6],
    );
    assert.deepEqual(await t.clearMarkers('k', ['unseen'], []), [0]);
    assert.deepEqual(await t.clearMarkers('k', []), []);
    assert.deepEqual(seen, [['k', ['unseen', 'read'], ['a']]]);
  });

  it('accepts a frozen plain-object driver', async () => {
    const memory = new MemoryTimelineStorage();
    const plain: TimelineDriver = {
      name: 'frozen',
      add: (key, entries, options) => memory.add(key, entries, options),
      remove: (key, ids) => memory.remove(key, ids),
      range: (key, query) => memory.range(key, query),
      get: (key, ids) => memory.get(key, ids),
      count: (key) => memory.count(key),
      trim: (key, n) => memory.trim(key, n),
      delete: (key) => memory.delete(key),
      update: (key, ids, compute, options) => memory.update(key, ids, compute, options),
    };
    const timeline = defineTimelineStorage(Object.freeze(plain));
    assert.equal(timeline.name, 'frozen');
    assert.equal(await timeline.add('k', [{ id: 'a', score: 1 }]), 1);
    assert.equal(await timeline.indexOf('k', 'a', 'desc'), 0);
  });

  it('refuses a driver without a required method or with half the markers', () => {
    const complete = new MemoryTimelineStorage();
    const without = (omit: string): TimelineDriver => {
      const d: Record<string, unknown> = { name: 'partial' };
      for (const m of ['add', 'remove', 'range', 'get', 'count', 'trim', 'delete', 'update']) {
        if (m !== omit) d[m] = (complete as unknown as Record<string, unknown>)[m];
      }
      return d as unknown as TimelineDriver;
    };
    assert.throws(() => defineTimelineStorage(without('update')), typed('INVALID_OPTION'));
    assert.throws(() => defineTimelineStorage(without('range')), typed('INVALID_OPTION'));
    const halfMarkers = { ...without('none'), countMarked: async () => 0 } as TimelineDriver;
    assert.throws(() => defineTimelineStorage(halfMarkers), typed('INVALID_OPTION'));
    const clearOnly = { ...without('none'), clearMarkers: async () => [] } as TimelineDriver;
    assert.throws(() => defineTimelineStorage(clearOnly), typed('INVALID_OPTION'));
    assert.equal(defineTimelineStorage(without('none')).capabilities.markers, false);
  });

  it('without markers: marker calls and marking updates reject UNSUPPORTED, writing nothing', async () => {
    const { timeline } = coreOnlyStorage();
    assert.equal(timeline.capabilities.markers, false);
    await timeline.add('k', [{ id: 'a', score: 1 }]);
    await assert.rejects(timeline.countMarked('k', 'unseen'), typed('UNSUPPORTED'));
    await assert.rejects(timeline.isMarked('k', 'unseen', ['a']), typed('UNSUPPORTED'));
    await assert.rejects(timeline.clearMarker('k', 'unseen'), typed('UNSUPPORTED'));
    await assert.rejects(timeline.clearMarkers('k', ['unseen']), typed('UNSUPPORTED'));
    await assert.rejects(
      timeline.update('k', [], () => ({
        changes: { put: [{ id: 'b', score: 2 }], mark: { unseen: ['b'] } },
        result: 0,
      })),
      typed('UNSUPPORTED'),
    );
    assert.equal(await timeline.count('k'), 1);
  });

  it('checks activity storage ids and payloads, and keeps the last payload of a repeated id', async () => {
    const { activities } = createMemoryStorage();
    await assert.rejects(activities.putMany([{ id: '', payload: 'p' }]), typed('INVALID_ID'));
    await assert.rejects(
      activities.putMany([{ id: 'a', payload: 7 as unknown as string }]),
      typed('INVALID_OPTION'),
    );
    await assert.rejects(activities.getMany('abc' as unknown as string[]), typed('INVALID_ID'));
    await assert.rejects(activities.removeMany(['é']), typed('INVALID_ID'));
    assert.equal(activities.size, 0);
    await activities.putMany([
      { id: 'a', payload: '1' },
      { id: 'a', payload: '2' },
    ]);
    assert.deepEqual(await activities.getMany(['a', 'a', 'b']), ['2', '2', undefined]);
    assert.equal(await activities.removeMany(['a', 'a']), 1);
  });

  it('sends the activity driver each id of a getMany once, sorted or not', async () => {
    const seen: string[][] = [];
    const activities = defineActivityStorage({
      name: 'recording',
      getMany: async (ids: readonly string[]) => {
        seen.push([...ids]);
        return ids.map((id) => `p${id}`);
      },
      putMany: async () => {},
      removeMany: async () => 0,
    });
    const cases: [string[], string[]][] = [
      [
        ['c', 'b', 'a'],
        ['c', 'b', 'a'],
      ], // a page read newest first: as it is
      [
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
      ],
      [
        ['b', 'c', 'a'],
        ['b', 'c', 'a'],
      ],
      [
        ['c', 'b', 'b', 'a'],
        ['c', 'b', 'a'],
      ], // sorted but for a repeat
      [['a', 'a'], ['a']],
      [
        ['b', 'a', 'b'],
        ['b', 'a'],
      ],
    ];
    for (const [ids, sent] of cases) {
      seen.length = 0;
      assert.deepEqual(
        await activities.getMany(ids),
        ids.map((id) => `p${id}`),
      );
      assert.deepEqual(seen, [sent]);
    }
  });
});

/** A driver whose every method returns `value` (what a broken backend or script might). */
function returning(value: unknown): TimelineDriver {
  const give = async () => value as never;
  return {
    name: 'broken',
    add: give,
    remove: give,
    range: give,
    rangeMany: give,
    rangeMerged: give,
    get: give,
    count: give,
    trim: give,
    delete: async () => {},
    update: async (_key, _ids, compute) => compute(value as never).result,
    indexOf: give,
    countMarked: give,
    isMarked: give,
    clearMarker: give,
    clearMarkers: give,
  };
}

describe('defineTimelineStorage: what a driver returns is checked', () => {
  const entry = { id: 'a', score: 1 };
  const calls = (t: ReturnType<typeof defineTimelineStorage>) => ({
    add: () => t.add('k', [entry]),
    remove: () => t.remove('k', ['a']),
    range: () => t.range('k', { limit: 2, order: 'desc' }),
    rangeMany: () => t.rangeMany(['k', 'j'], { limit: 2, order: 'desc' }),
    rangeMerged: () => t.rangeMerged(['k', 'j'], { limit: 2, order: 'desc' }, { floorAt: 1 }),
    get: () => t.get('k', ['a', 'b']),
    count: () => t.count('k'),
    trim: () => t.trim('k', 5),
    indexOf: () => t.indexOf('k', 'a', 'desc'),
    update: () => t.update('k', ['a'], () => ({ changes: {}, result: 1 })),
    countMarked: () => t.countMarked('k', 'unseen'),
    isMarked: () => t.isMarked('k', 'unseen', ['a', 'b']),
    clearMarker: () => t.clearMarker('k', 'unseen'),
    clearMarkers: () => t.clearMarkers('k', ['unseen', 'unread']),
  });

  for (const [label, value] of [
    ['null', null],
    ['a string', 'x'],
    ['a negative number', -2],
    ['NaN', Number.NaN],
    ['entries of the wrong shape', [{ id: 42, score: 'x' }, null]],
    ['too many entries', [entry, entry, entry]],
  ] as const) {
    it(`${label}: every call rejects with BACKEND naming the backend and operation`, async () => {
      const t = defineTimelineStorage(returning(value));
      // without the fast paths, the defaults (range per key; a merge of rangeMany, count and
      // range) are checked the same way
      const core = defineTimelineStorage({ ...returning(value), rangeMany: undefined });
      const noMerge = defineTimelineStorage({ ...returning(value), rangeMerged: undefined });
      // clearMarkers without the driver's own: clearMarker per marker, checked as one result
      const perMarker = defineTimelineStorage({ ...returning(value), clearMarkers: undefined });
      for (const [operation, call] of [
        ...Object.entries(calls(t)),
        ['rangeMany', calls(core).rangeMany] as const,
        ['rangeMany', () => noMerge.rangeMerged(['k', 'j'], { limit: 2, order: 'desc' })] as const,
        ['clearMarkers', calls(perMarker).clearMarkers] as const,
      ]) {
        await assert.rejects(
          call(),
          (e: unknown) =>
            typed('BACKEND')(e) &&
            (e as Error).message.startsWith(`[broken] ${operation} returned`) &&
            (e as Error).message.includes('"k"'),
          operation,
        );
      }
    });
  }

  it('well-formed results pass unchanged', async () => {
    const t = defineTimelineStorage(returning(1));
    assert.equal(await t.count('k'), 1);
    assert.equal(await t.indexOf('k', 'a', 'asc'), 1);
    const ranged = defineTimelineStorage(returning([entry, { id: 'b', score: 2, payload: 'p' }]));
    assert.deepEqual(await ranged.range('k', { limit: 2, order: 'asc' }), [
      entry,
      { id: 'b', score: 2, payload: 'p' },
    ]);
    assert.deepEqual(await ranged.get('k', ['a', 'b']), [
      entry,
      { id: 'b', score: 2, payload: 'p' },
    ]);
  });

  it('an activity driver returning the wrong shape rejects with BACKEND', async () => {
    const storage = defineStorage({
      timeline: returning(0),
      activities: {
        name: 'broken-activities',
        getMany: async () => [5] as never,
        putMany: async () => {},
        removeMany: async () => -1,
      },
    });
    await assert.rejects(storage.activities.getMany(['a']), typed('BACKEND'));
    await assert.rejects(storage.activities.getMany(['a', 'b']), typed('BACKEND'));
    await assert.rejects(storage.activities.removeMany(['a']), typed('BACKEND'));
  });

  it('defineStorage of a non-object is INVALID_OPTION', () => {
    assert.throws(() => defineStorage(null as never), typed('INVALID_OPTION'));
    assert.throws(() => defineStorage('redis' as never), typed('INVALID_OPTION'));
  });
});

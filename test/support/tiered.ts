/**
 * The tiered storage's own cases (beyond the conformance kit), run on every pair of tiers:
 * memory over memory (test/conformance/memory-tiered-cases.test.ts), Redis over SQLite
 * (test/sqlite/tiered.test.ts) and Redis over Cassandra (test/cassandra/tiered.test.ts). Paging
 * across the boundary in both orders, eviction and refill, concurrent refills, a tier failing on
 * its Nth call and the retry converging, hostile keys and ids.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createTieredStorage, type TieredStorage } from '../../src/backends/tiered/index.js';
import {
  BackendError,
  createActivity,
  defineFlatFeed,
  type RangeQuery,
  type Storage,
  type TimelineEntry,
  ValidationError,
} from '../../src/index.js';

/** Fresh tiers for one test, and how to lose the hot tier behind the library's back. */
export interface TierSet {
  readonly hot: Storage;
  readonly durable: Storage;
  /**
   * Drops timelines `keys` and activities `activityIds` from the hot tier without going through
   * the tiered storage (a backend may drop more: Redis deletes every key of the hot tier).
   */
  evictHot(keys: readonly string[], activityIds?: readonly string[]): Promise<void>;
  /** Releases what the tiers hold (keys, databases). */
  close(): Promise<void>;
}

/** How a pair of backends makes fresh tiers. */
export interface TieredWorld {
  readonly name: string;
  create(): Promise<TierSet>;
}

/** A storage that throws on its `n`th call (counted over every timeline and activity method). */
export interface FailingStorage extends Storage {
  /** Fail the `n`th call from now (1 = the next one); `undefined` disarms. */
  arm(n: number | undefined): void;
  /** Whether the armed failure was thrown. */
  readonly fired: boolean;
  /**
   * Holds the result of the `nth` call of `method` (1 = the next one) until `release()`:
   * `reached` resolves when that call has returned, its result not yet handed back.
   */
  hold(method: string, nth: number): { reached: Promise<void>; release(): void };
}

/** Wraps `storage` so that a test can make its Nth call throw a plain Error (a "crash"). */
export function failing(storage: Storage): FailingStorage {
  let left: number | undefined;
  let fired = false;
  const holds = new Map<string, { left: number; reached: () => void; gate: Promise<void> }>();
  const tick = () => {
    if (left === undefined) return;
    left -= 1;
    if (left === 0) {
      left = undefined;
      fired = true;
      throw new Error('injected failure');
    }
  };
  // The target is an empty object: a frozen view's members could not be replaced otherwise.
  const wrap = <T extends object>(t: T): T =>
    new Proxy({} as T, {
      get(_, property) {
        const value: unknown = Reflect.get(t, property, t);
        if (typeof value !== 'function') return value;
        if (property === 'idsOnly') {
          return (...args: unknown[]) =>
            wrap((value as (...a: unknown[]) => object).apply(t, args));
        }
        return (...args: unknown[]) => {
          try {
            tick();
          } catch (error) {
            return Promise.reject(error);
          }
          const result = (value as (...a: unknown[]) => unknown).apply(t, args);
          const held = holds.get(String(property));
          if (held === undefined || --held.left > 0) return result;
          holds.delete(String(property));
          return (async () => {
            const value = await result;
            held.reached();
            await held.gate;
            return value;
          })();
        };
      },
    });
  return {
    timeline: wrap(storage.timeline),
    activities: wrap(storage.activities),
    arm(n) {
      left = n;
      if (n !== undefined) fired = false;
    },
    get fired() {
      return fired;
    },
    hold(method, nth) {
      let reached!: () => void;
      let release!: () => void;
      const reachedAt = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.set(method, { left: nth, reached, gate });
      return { reached: reachedAt, release };
    },
  };
}

const KEY = 'feed:tiered:1';
const HOT = 7;

/** 40 entries with tied scores (three ids per score) and awkward ids, newest first. */
function history(count = 40): TimelineEntry[] {
  const odd = ['x:y', '{t}', "'", '"', '\\', '%_*', ' sp ace', '\x01', '~', 'Z'];
  const entries = Array.from({ length: count }, (_, i) => {
    const id = `${odd[i % odd.length]}-${String(i).padStart(3, '0')}`;
    return { id, score: 1_700_000_000_000 + Math.floor(i / 3), payload: `p:${id}` };
  });
  return sortDesc(entries);
}

function sortDesc(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return [...entries].sort((a, b) =>
    a.score !== b.score ? b.score - a.score : a.id < b.id ? 1 : a.id > b.id ? -1 : 0,
  );
}

/** Every entry of `key` in one tier, newest first (straight from that tier's storage). */
async function tierEntries(storage: Storage, key: string): Promise<TimelineEntry[]> {
  return storage.timeline.range(key, { order: 'desc', limit: 100_000 });
}

/** Pages through `key` with `query`'s bounds, `size` entries a page, by position cursors. */
async function pageAll(
  storage: Storage,
  key: string,
  order: 'desc' | 'asc',
  size: number,
  bounds: Pick<RangeQuery, 'min' | 'max'> = {},
): Promise<TimelineEntry[]> {
  const out: TimelineEntry[] = [];
  let query: RangeQuery = { order, limit: size, ...bounds };
  for (let pages = 0; pages < 1000; pages++) {
    const page = await storage.timeline.range(key, query);
    assert.ok(page.length <= size, 'a page holds at most limit entries');
    out.push(...page);
    if (page.length < size) return out;
    const last = page.at(-1)!;
    const cursor = { score: last.score, id: last.id, inclusive: false };
    query = order === 'desc' ? { ...query, max: cursor } : { ...query, min: cursor };
  }
  throw new Error('paging did not end');
}

/** Runs the tiered cases on `world`. */
export function describeTieredCases(world: TieredWorld): void {
  const withTiers = (
    title: string,
    fn: (t: {
      tiers: TierSet;
      storage: TieredStorage;
      hot: FailingStorage;
      durable: FailingStorage;
    }) => Promise<void>,
  ) =>
    test(title, async () => {
      const tiers = await world.create();
      try {
        const hot = failing(tiers.hot);
        const durable = failing(tiers.durable);
        const storage = createTieredStorage({ hot, durable, hotMaxLength: HOT });
        await fn({ tiers, storage, hot, durable });
      } finally {
        await tiers.close();
      }
    });

  /** The hot tier holds exactly the newest HOT entries of the durable tier. */
  const assertHotIsNewest = async (tiers: TierSet, key = KEY) => {
    const durable = await tierEntries(tiers.durable, key);
    assert.deepEqual(await tierEntries(tiers.hot, key), durable.slice(0, HOT), 'hot = newest');
  };

  describe(`tiered storage cases (${world.name})`, () => {
    withTiers('pages past the hot tier in both orders: every entry once, in order', async (t) => {
      const all = history();
      await t.storage.timeline.add(KEY, all);
      assert.equal(await t.storage.timeline.count(KEY), all.length);
      assert.equal((await tierEntries(t.tiers.hot, KEY)).length, HOT, 'the hot tier is capped');
      await assertHotIsNewest(t.tiers);
      const asc = [...all].reverse();
      for (const size of [1, 2, 3, HOT - 1, HOT, HOT + 1, 13, 40, 41]) {
        assert.deepEqual(await pageAll(t.storage, KEY, 'desc', size), all, `desc by ${size}`);
        assert.deepEqual(await pageAll(t.storage, KEY, 'asc', size), asc, `asc by ${size}`);
      }
      // Bounds on both sides of the boundary, inclusive and exclusive.
      for (const [lo, hi] of [
        [2, 30],
        [HOT - 1, HOT],
        [HOT, 39],
        [0, HOT + 2],
        [20, 25],
      ] as const) {
        for (const inclusive of [true, false]) {
          const max = { score: all[lo]!.score, id: all[lo]!.id, inclusive };
          const min = { score: all[hi]!.score, id: all[hi]!.id, inclusive };
          const expected = all.slice(inclusive ? lo : lo + 1, inclusive ? hi + 1 : hi);
          for (const size of [1, 4, HOT + 3]) {
            const where = `[${lo}, ${hi}] ${inclusive ? 'inclusive' : 'exclusive'} by ${size}`;
            assert.deepEqual(
              await pageAll(t.storage, KEY, 'desc', size, { min, max }),
              expected,
              where,
            );
            assert.deepEqual(
              await pageAll(t.storage, KEY, 'asc', size, { min, max }),
              [...expected].reverse(),
              where,
            );
          }
        }
      }
      // Positions, lookups and rangeMany across the boundary.
      for (const i of [0, HOT - 1, HOT, 39]) {
        assert.equal(await t.storage.timeline.indexOf(KEY, all[i]!.id, 'desc'), i);
        assert.equal(await t.storage.timeline.indexOf(KEY, all[i]!.id, 'asc'), 39 - i);
      }
      assert.deepEqual(await t.storage.timeline.get(KEY, [all[39]!.id, 'absent', all[0]!.id]), [
        all[39],
        undefined,
        all[0],
      ]);
      const [many] = await t.storage.timeline.rangeMany([KEY], { order: 'desc', limit: 20 });
      assert.deepEqual(many, all.slice(0, 20));
    });

    withTiers('a flat feed pages past the hot tier by its cursors, both orders', async (t) => {
      const define = (storage: Storage) => defineFlatFeed({ name: 'tl', storage, maxLength: 100 });
      const tiered = define(t.storage).for(1);
      const reference = define(t.tiers.durable).for(2); // what one storage holding it all reads
      const activities = Array.from({ length: 30 }, (_, i) =>
        createActivity({
          actor: i % 4,
          verb: 'add',
          object: i,
          time: 1_764_000_000_000 + (i >> 1),
        }),
      );
      await tiered.addMany(activities);
      await reference.addMany(activities);
      assert.equal((await tierEntries(t.tiers.hot, 'tl:1')).length, HOT, 'the hot tier is capped');
      for (const order of ['desc', 'asc'] as const) {
        for (const limit of [1, 4, HOT, 11]) {
          const pages: string[][] = [];
          let cursor: string | undefined;
          do {
            const page = await tiered.read({ limit, order, cursor });
            pages.push(page.items.map((a) => a.id));
            assert.deepEqual(page.missing, []);
            cursor = page.next;
          } while (cursor !== undefined && pages.length < 100);
          const ids = pages.flat();
          const expected = (await reference.read({ limit: 100, order })).items.map((a) => a.id);
          assert.equal(expected.length, 30);
          assert.deepEqual(ids, expected, `${order} by ${limit}`);
        }
      }
    });

    withTiers('a read refills an evicted hot tier with the newest entries', async (t) => {
      const all = history();
      await t.storage.timeline.add(KEY, all);
      await t.tiers.evictHot([KEY]);
      assert.deepEqual(await tierEntries(t.tiers.hot, KEY), [], 'evicted');
      assert.deepEqual(
        await t.storage.timeline.range(KEY, { order: 'desc', limit: 5 }),
        all.slice(0, 5),
      );
      await assertHotIsNewest(t.tiers);
      assert.deepEqual(await pageAll(t.storage, KEY, 'desc', 6), all);
      // Oldest first after an eviction too.
      await t.tiers.evictHot([KEY]);
      assert.deepEqual(
        await t.storage.timeline.range(KEY, { order: 'asc', limit: 3 }),
        [...all].reverse().slice(0, 3),
      );
      await assertHotIsNewest(t.tiers);
    });

    withTiers(
      'an old entry written into an evicted hot tier does not hide newer ones',
      async (t) => {
        const all = history();
        await t.storage.timeline.add(KEY, all.slice(0, 30));
        await t.tiers.evictHot([KEY]);
        // A follow copy or a backfill: entries older than what the durable tier holds.
        await t.storage.timeline.add(KEY, all.slice(35));
        await assertHotIsNewest(t.tiers);
        assert.deepEqual(await pageAll(t.storage, KEY, 'desc', 4), [
          ...all.slice(0, 30),
          ...all.slice(35),
        ]);
      },
    );

    withTiers(
      'a tier failing during a read and its refill: typed error, the retry reads right',
      async (t) => {
        const all = history();
        await t.storage.timeline.add(KEY, all);
        for (const tier of ['hot', 'durable'] as const) {
          for (let n = 1; ; n++) {
            await t.tiers.evictHot([KEY]);
            const armed = tier === 'hot' ? t.hot : t.durable;
            armed.arm(n);
            const read = () => t.storage.timeline.range(KEY, { order: 'desc', limit: 10 });
            const error = await read().then(
              () => undefined,
              (e: unknown) => e,
            );
            armed.arm(undefined);
            if (!armed.fired) {
              assert.equal(error, undefined);
              assert.ok(n > 1, `a read never reached the ${tier} tier`);
              break;
            }
            assert.ok(error instanceof BackendError, `${tier} call ${n}: ${String(error)}`);
            assert.equal(error.details.tier, tier);
            assert.deepEqual(await read(), all.slice(0, 10), `${tier} call ${n}, retried`);
            await assertHotIsNewest(t.tiers);
            assert.ok(n < 20);
          }
        }
      },
    );

    withTiers('concurrent refills neither duplicate nor reorder', async (t) => {
      const all = history();
      await t.storage.timeline.add(KEY, all);
      for (let round = 0; round < 3; round++) {
        await t.tiers.evictHot([KEY]);
        const limits = [1, 3, 5, HOT, HOT + 2, 12, 3, 1, 9, 40];
        const pages = await Promise.all(
          limits.map((limit) => t.storage.timeline.range(KEY, { order: 'desc', limit })),
        );
        for (const [i, page] of pages.entries()) {
          assert.deepEqual(page, all.slice(0, limits[i]), `read ${i}`);
        }
        await assertHotIsNewest(t.tiers);
      }
      // A refill that read the durable tier before a removal and writes after it: the removed
      // entry does not come back into the hot tier.
      await t.tiers.evictHot([KEY]);
      const held = t.durable.hold('range', 2); // the read's own range, then the refill's
      const read = t.storage.timeline.range(KEY, { order: 'desc', limit: 3 });
      await held.reached;
      await t.storage.timeline.remove(KEY, [all[0]!.id]);
      held.release();
      await read;
      await assertHotIsNewest(t.tiers);
      assert.deepEqual(await pageAll(t.storage, KEY, 'desc', 5), all.slice(1));
      await t.storage.timeline.add(KEY, [all[0]!]);
      // Refills racing removals: a removed entry never comes back into the hot tier.
      await t.tiers.evictHot([KEY]);
      const removed = [all[0]!.id, all[3]!.id, all[HOT]!.id];
      await Promise.all([
        ...[1, 4, 8].map((limit) => t.storage.timeline.range(KEY, { order: 'desc', limit })),
        t.storage.timeline.remove(KEY, removed),
        t.storage.timeline.range(KEY, { order: 'desc', limit: 2 }),
      ]);
      const left = all.filter((e) => !removed.includes(e.id));
      await assertHotIsNewest(t.tiers);
      assert.deepEqual(await pageAll(t.storage, KEY, 'desc', 5), left);
    });

    withTiers('removals, updates, trims and deletes reach both tiers', async (t) => {
      const all = history();
      const tl = t.storage.timeline;
      await tl.add(KEY, all);
      assert.equal(await tl.remove(KEY, [all[1]!.id, all[30]!.id]), 2);
      let left = all.filter((_, i) => i !== 1 && i !== 30);
      await assertHotIsNewest(t.tiers);
      // An update that moves a hot entry below the boundary, and one that removes.
      const moved = { ...left[0]!, score: left[20]!.score - 1, payload: 'moved' };
      await tl.update(KEY, [moved.id], () => ({ changes: { put: [moved] }, result: 0 }));
      left = sortDesc([moved, ...left.slice(1)]);
      await assertHotIsNewest(t.tiers);
      assert.deepEqual(await pageAll(t.storage, KEY, 'desc', 4), left);
      await tl.update(KEY, [], () => ({ changes: { remove: [left[2]!.id] }, result: 0 }));
      left = left.filter((_, i) => i !== 2);
      await assertHotIsNewest(t.tiers);
      assert.equal(await tl.trim(KEY, 20), left.length - 20);
      left = left.slice(0, 20);
      assert.deepEqual(await pageAll(t.storage, KEY, 'asc', 6), [...left].reverse());
      await assertHotIsNewest(t.tiers);
      assert.equal(await tl.trim(KEY, 3), 17);
      assert.deepEqual(await tierEntries(t.tiers.hot, KEY), left.slice(0, 3));
      await tl.delete(KEY);
      assert.deepEqual(await tierEntries(t.tiers.hot, KEY), []);
      assert.deepEqual(await tierEntries(t.tiers.durable, KEY), []);
    });

    withTiers('markers live in the durable tier and cover the whole history', async (t) => {
      const tl = t.storage.timeline;
      if (!tl.capabilities.markers) return; // the durable tier has none: asserted by the kit
      const all = history(20);
      await tl.update(KEY, [], () => ({
        changes: { put: all, mark: { unseen: all.map((e) => e.id) } },
        result: 0,
      }));
      assert.equal(await tl.countMarked(KEY, 'unseen'), 20, 'past the hot tier too');
      assert.deepEqual(await tl.isMarked(KEY, 'unseen', [all[19]!.id]), [true]);
      assert.equal(await t.tiers.durable.timeline.countMarked(KEY, 'unseen'), 20);
      if (t.tiers.hot.timeline.capabilities.markers) {
        assert.equal(await t.tiers.hot.timeline.countMarked(KEY, 'unseen'), 0, 'none in hot');
      }
      // Marks alone with a trim: the hot tier is trimmed as the durable tier is.
      await tl.update(KEY, [], () => ({ changes: { mark: { read: [all[0]!.id] } }, result: 0 }), {
        maxLength: 5,
      });
      await assertHotIsNewest(t.tiers);
      assert.equal((await tierEntries(t.tiers.hot, KEY)).length, 5);
      assert.equal(await tl.countMarked(KEY, 'read'), 1);
      assert.equal(await tl.clearMarker(KEY, 'unseen'), 5);
    });

    withTiers('activities: written to both tiers, read through the hot tier', async (t) => {
      const acts = t.storage.activities;
      const items = history(10).map((e) => ({ id: e.id, payload: e.payload! }));
      await acts.putMany(items);
      const ids = items.map((e) => e.id);
      assert.deepEqual(
        await t.tiers.hot.activities.getMany(ids),
        items.map((e) => e.payload),
      );
      await t.tiers.evictHot([], ids);
      assert.deepEqual(await t.tiers.hot.activities.getMany(ids.slice(0, 1)), [undefined]);
      assert.deepEqual(await acts.getMany([...ids, 'absent']), [
        ...items.map((e) => e.payload),
        undefined,
      ]);
      assert.deepEqual(
        await t.tiers.hot.activities.getMany(ids),
        items.map((e) => e.payload),
        'refilled',
      );
      assert.equal(await acts.removeMany([ids[0]!, 'absent']), 1);
      assert.deepEqual(await t.tiers.hot.activities.getMany([ids[0]!]), [undefined]);
      assert.deepEqual(await t.tiers.durable.activities.getMany([ids[0]!]), [undefined]);
    });

    // One tier failing on its Nth call, for every N an operation reaches: the call fails with a
    // BackendError naming the tier (or succeeds when N is past its calls), and retrying the same
    // call leaves both tiers as a run without the failure does.
    const operations: readonly {
      name: string;
      run(s: TieredStorage): Promise<unknown>;
    }[] = [
      { name: 'add', run: (s) => s.timeline.add(KEY, history(50).slice(0, 12), { maxLength: 45 }) },
      {
        name: 'addToMany',
        run: (s) => s.timeline.idsOnly().addToMany([KEY, `${KEY}:b`], [{ id: 'new', score: 1 }]),
      },
      { name: 'remove', run: (s) => s.timeline.remove(KEY, [history()[2]!.id, history()[20]!.id]) },
      {
        name: 'update',
        run: (s) =>
          s.timeline.update(KEY, [history()[0]!.id], () => ({
            changes: {
              put: [{ id: history()[0]!.id, score: 1_600_000_000_000, payload: 'down' }],
              remove: [history()[1]!.id],
            },
            result: 0,
          })),
      },
      { name: 'trim', run: (s) => s.timeline.trim(KEY, 10) },
      { name: 'delete', run: (s) => s.timeline.delete(KEY) },
      {
        name: 'putMany',
        run: (s) => s.activities.putMany([{ id: 'a1', payload: 'x' }]),
      },
      { name: 'removeMany', run: (s) => s.activities.removeMany(['a0']) },
    ];
    const seed = async (s: TieredStorage, idsOnly: boolean) => {
      const entries = history();
      if (idsOnly) {
        await s.timeline.idsOnly().add(
          KEY,
          entries.map(({ id, score }) => ({ id, score })),
        );
      } else await s.timeline.add(KEY, entries);
      await s.activities.putMany([{ id: 'a0', payload: 'zero' }]);
    };
    const snapshot = async (tiers: TierSet, idsOnly: boolean) => {
      const read = (s: Storage, key: string) =>
        (idsOnly ? s.timeline.idsOnly() : s.timeline).range(key, { order: 'desc', limit: 1000 });
      return {
        hot: [await read(tiers.hot, KEY), await read(tiers.hot, `${KEY}:b`)],
        durable: [await read(tiers.durable, KEY), await read(tiers.durable, `${KEY}:b`)],
        activities: [
          await tiers.hot.activities.getMany(['a0', 'a1']),
          await tiers.durable.activities.getMany(['a0', 'a1']),
        ],
      };
    };
    for (const op of operations) {
      test(`a tier failing half-way through ${op.name}: typed error, the retry converges`, async () => {
        const idsOnly = op.name === 'addToMany';
        const reference = await world.create();
        let expected: unknown;
        try {
          const { hot, durable } = reference;
          const s = createTieredStorage({ hot, durable, hotMaxLength: HOT });
          await seed(s, idsOnly);
          await op.run(s);
          expected = await snapshot(reference, idsOnly);
        } finally {
          await reference.close();
        }
        for (const tier of ['durable', 'hot'] as const) {
          for (let n = 1; ; n++) {
            const tiers = await world.create();
            try {
              const hot = failing(tiers.hot);
              const durable = failing(tiers.durable);
              const s = createTieredStorage({ hot, durable, hotMaxLength: HOT });
              await seed(s, idsOnly);
              const armed = tier === 'hot' ? hot : durable;
              armed.arm(n);
              const error = await op.run(s).then(
                () => undefined,
                (e: unknown) => e,
              );
              armed.arm(undefined);
              const where = `${op.name}, ${tier} tier failing on call ${n}`;
              if (!armed.fired) {
                assert.equal(error, undefined, where);
                assert.deepEqual(await snapshot(tiers, idsOnly), expected, where);
                assert.ok(n > 1, `${op.name} never reached the ${tier} tier`);
                break; // n is past the calls this operation makes
              }
              assert.ok(error instanceof BackendError, `${where}: ${String(error)}`);
              assert.equal(error.details.tier, tier, where);
              assert.match(error.message, new RegExp(`\\[tiered\\] ${tier} tier`), where);
              await op.run(s);
              assert.deepEqual(await snapshot(tiers, idsOnly), expected, `${where}, retried`);
            } finally {
              await tiers.close();
            }
            assert.ok(n < 20, `${op.name} makes more than 20 calls on the ${tier} tier`);
          }
        }
      });
    }

    withTiers(
      'hostile keys and ids: stored and paged as given; bad ones write nothing',
      async (t) => {
        const keys = ['feed:ü:{tag}', 'a b\tc', '%_*?[]\\', `long:${'k'.repeat(500)}`, '😀'];
        const all = history(20);
        for (const key of keys) {
          await t.storage.timeline.add(key, all);
          assert.deepEqual(await pageAll(t.storage, key, 'desc', 3), all, key);
          assert.deepEqual(await pageAll(t.storage, key, 'asc', 4), [...all].reverse(), key);
          await assertHotIsNewest(t.tiers, key);
        }
        const edge = [
          { id: 'i'.repeat(64), score: Number.MAX_SAFE_INTEGER, payload: 'max' },
          { id: '\x7f', score: -Number.MAX_SAFE_INTEGER, payload: 'min' },
        ];
        await t.storage.timeline.add(KEY, edge);
        assert.deepEqual(await pageAll(t.storage, KEY, 'desc', 1), edge);
        for (const bad of ['', 'é', 'a\0b', 'i'.repeat(65)]) {
          await assert.rejects(
            t.storage.timeline.add(KEY, [
              { id: bad, score: 1 },
              { id: 'fine', score: 2 },
            ]),
            ValidationError,
          );
          await assert.rejects(
            t.storage.activities.putMany([{ id: bad, payload: 'x' }]),
            ValidationError,
          );
        }
        await assert.rejects(t.storage.timeline.add('', [{ id: 'a', score: 1 }]), ValidationError);
        await assert.rejects(
          t.storage.timeline.add('\uD800', [{ id: 'a', score: 1 }]),
          ValidationError,
        );
        assert.deepEqual(await tierEntries(t.tiers.hot, KEY), edge, 'nothing written to hot');
        assert.deepEqual(
          await tierEntries(t.tiers.durable, KEY),
          edge,
          'nothing written to durable',
        );
        assert.deepEqual(await t.tiers.durable.activities.getMany(['fine']), [undefined]);
      },
    );
  });
}

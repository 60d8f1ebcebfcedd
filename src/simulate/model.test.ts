import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamFrameworkError } from '../errors.js';
import { FANOUT_POLICY_DEFAULTS, resolveFanoutPolicy } from '../fanout/policy.js';
import { BYTES_PER_ENTRY } from './model.js';
import { resolveSimulationOptions } from './options.js';
import { buildWorkload, simulate, simulateWorkload } from './simulate.js';
import type { Workload } from './workload.js';

/** Two producers and two readers, small enough to check by hand (see each test). */
const tiny: Workload = {
  users: 2,
  followers: Uint32Array.from([8, 8]),
  postsPerDay: Float64Array.from([1, 3]),
  consumers: [
    { follows: 4, readsPerDay: 5, lastReadDaysAgo: 0.1 },
    { follows: 100, readsPerDay: 1, lastReadDaysAgo: 0.5 },
  ],
};
const options = resolveSimulationOptions({ users: 2, historyDays: 10 });
const hybrid = (policy: object) => resolveFanoutPolicy({ ...policy, mode: 'hybrid' });

/** Every limit off and a push bias large enough that every edge wins the cost rule. */
const pushEverything = hybrid({
  pushBias: 1e300,
  maxPushFollowers: Infinity,
  maxPushRate: Infinity,
  inactiveAfterDays: Infinity,
});

describe('simulate: model', () => {
  it('pure push inserts are sum(postRate x followers), entries and bytes by hand', () => {
    const { push } = simulateWorkload(tiny, options, hybrid({}));
    assert.equal(push.insertsPerDay, 1 * 8 + 3 * 8); // 32
    assert.equal(push.insertsPerSecond, 32 / 86_400);
    // 2 inserts a day per follow edge (32 / 16 edges): 4 follows x 2 x 10 days = 80 entries (a
    // listpack), 100 follows x 2 x 10 = 2,000, trimmed to maxLength 800 (a skiplist).
    assert.equal(push.materializedEntries, 80 + 800);
    assert.equal(push.redisBytes, 80 * BYTES_PER_ENTRY.listpack + 800 * BYTES_PER_ENTRY.skiplist);
    assert.deepEqual(push.rangeReadsPerPage, { mean: 1, p50: 1, p99: 1 });
    assert.equal(push.biggestAccount.inserts, 8);
    assert.equal(push.biggestAccount.writeMs, (8 / options.insertsPerSecond) * 1000);
  });

  it('the cost rule by hand: pushBias 0 pulls every edge, 1 follows H x rate < L x reads', () => {
    const none = simulateWorkload(tiny, options, hybrid({ pushBias: 0 })).hybrid;
    assert.equal(none.insertsPerDay, 0);
    assert.deepEqual(none.edges, { pushed: 0, pulled: { cost: 1 } });
    assert.equal(none.materializedEntries, 0);
    // 1 + every account followed, weighted by reads: the 4-follow reader reads ~5x more.
    assert.equal(none.rangeReadsPerPage.p50, 5);
    assert.equal(none.rangeReadsPerPage.p99, 101);
    // writeCost 1, readCost 1: reader 1 (~5 reads/day) gets both producers (1 and 3 posts a day),
    // reader 2 (~1 read/day, 0.95 after half a day's decay) neither: pushed share 4 / 104 edges.
    const some = simulateWorkload(tiny, options, hybrid({ readCost: 1 })).hybrid;
    assert.ok(Math.abs(some.insertsPerDay - (32 * 4) / 104) < 1e-9, `${some.insertsPerDay}`);
  });

  it('hybrid with pushBias -> infinity and no limits equals pure push', () => {
    const o = resolveSimulationOptions({ users: 20_000, samples: 300, seed: 5 });
    const report = simulateWorkload(buildWorkload(o), o, pushEverything);
    assert.equal(report.hybrid.insertsPerDay, report.push.insertsPerDay);
    assert.equal(report.hybrid.materializedEntries, report.push.materializedEntries);
    assert.equal(report.hybrid.redisBytes, report.push.redisBytes);
    assert.deepEqual(report.hybrid.rangeReadsPerPage, report.push.rangeReadsPerPage);
    assert.equal(report.insertsRatio, 1);
    assert.deepEqual(report.hybrid.edges, { pushed: 1, pulled: {} });
    // And pure push is the exact sum over the producers.
    const w = buildWorkload(o);
    let sum = 0;
    w.followers.forEach((d, i) => {
      sum += d * (w.postsPerDay[i] ?? 0);
    });
    assert.ok(Math.abs(report.push.insertsPerDay / sum - 1) < 1e-12);
  });

  it('pulls celebrities: the biggest account writes nothing, bounds hold the estimate', () => {
    const report = simulate({ users: 20_000, samples: 300 }, { sweep: [0.1, 1, 10] });
    const { hybrid: h, push } = report;
    assert.ok(report.graph.topFollowers[0]! > FANOUT_POLICY_DEFAULTS.maxPushFollowers / 10);
    const small = simulate({ users: 20_000, samples: 300, policy: { maxPushFollowers: 1000 } });
    assert.equal(small.hybrid.biggestAccount.inserts, 0);
    assert.equal(small.hybrid.biggestAccount.writeMs, 0);
    assert.ok(push.biggestAccount.inserts === report.graph.topFollowers[0]);
    const [low, high] = h.insertsPerSecondBounds;
    assert.ok(low <= h.insertsPerSecond && h.insertsPerSecond <= high, `${low} ${high}`);
    assert.ok(h.insertsPerSecond < push.insertsPerSecond);
    // Every edge is pushed or pulled by one rule; with F = 1,000 some by 'celebrity'.
    const shares = [h.edges.pushed, ...Object.values(h.edges.pulled)];
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.equal(h.edges.pulled.celebrity, undefined);
    assert.ok((small.hybrid.edges.pulled.celebrity ?? 0) > 0);
    assert.ok((h.edges.pulled['inactive-consumer'] ?? 0) > 0);
    // More push bias never pushes less.
    const ratios = report.sweep.map((s) => s.insertsRatio);
    assert.deepEqual(
      [...ratios].sort((a, b) => a - b),
      ratios,
    );
    assert.equal(report.targetMet, report.insertsRatio <= 0.2);
  });

  it('is reproducible from the seed', () => {
    const a = simulate({ users: 5000, samples: 100, seed: 9 });
    const b = simulate({ users: 5000, samples: 100, seed: 9 });
    const c = simulate({ users: 5000, samples: 100, seed: 10 });
    assert.deepEqual(a, b);
    assert.notEqual(a.hybrid.insertsPerDay, c.hybrid.insertsPerDay);
  });

  it('refuses bad options with INVALID_OPTION naming the option', () => {
    const cases: [unknown, string][] = [
      [{ users: 1 }, 'users'],
      [{ users: 1.5 }, 'users'],
      [{ zipfExponent: 0 }, 'zipfExponent'],
      [{ users: 100, meanFollows: 100 }, 'meanFollows'],
      [{ inactiveShare: 1.5 }, 'inactiveShare'],
      [{ samples: 'many' }, 'samples'],
      [{ userz: 10 }, 'userz'],
      [{ policy: { mode: 'push' } }, 'policy.mode'],
      [{ policy: { pushBias: -1 } }, 'pushBias'],
      [{ policy: { pushbias: 1 } }, 'pushbias'],
      ['big', undefined as unknown as string],
    ];
    for (const [bad, option] of cases) {
      assert.throws(
        () => simulate(bad),
        (error: unknown) =>
          error instanceof StreamFrameworkError &&
          error.code === 'INVALID_OPTION' &&
          (option === undefined || error.details.option === option),
        JSON.stringify(bad),
      );
    }
    assert.throws(
      () => simulate({ users: 100 }, { sweep: [1, -2] }),
      (error: unknown) => error instanceof StreamFrameworkError && /pushBias/.test(error.message),
    );
  });
});

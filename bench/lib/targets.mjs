// The performance targets of issue #16 ("Hot paths"), checked against the rows of a run.
// Each target names the row it reads (scenario, backend, metric, N) and compares either the
// figure itself or its ratio to the baseline measured in the same run. A target whose row the run
// did not produce (a scenario left out with --only, no cluster) is reported as "not measured".

/** @typedef {{ scenario: string, backend: string, metric: string, n?: number, median: number, baseline?: { median: number } }} Row */

/**
 * @type {{ name: string, scenario: string, backend: string, metric: string, n?: number,
 *   on: 'ratio' | 'value', atLeast?: number, atMost?: number,
 *   context?: { scenario: string, label: string } }[]}
 */
export const TARGETS = [
  {
    name: 'read newest 25 of 1,000, single Redis: p50 <= 1.1x raw',
    scenario: 'read 25 of 1,000',
    backend: 'redis',
    metric: 'p50 ms',
    on: 'ratio',
    atMost: 1.1,
  },
  {
    name: 'read 25, single Redis, 50 readers: >= 0.8x raw throughput',
    scenario: 'read 25 of 1,000, 50 readers',
    backend: 'redis',
    metric: 'reads/s',
    on: 'ratio',
    atLeast: 0.8,
  },
  {
    name: 'read 25, Redis Cluster, 50 readers: >= 0.7x raw throughput',
    scenario: 'read 25 of 1,000, 50 readers',
    backend: 'redis-cluster',
    metric: 'reads/s',
    on: 'ratio',
    atLeast: 0.7,
  },
  {
    name: 'read 25, Redis Cluster: p99 <= 2x raw',
    scenario: 'read 25 of 1,000',
    backend: 'redis-cluster',
    metric: 'p99 ms',
    on: 'ratio',
    atMost: 2,
  },
  {
    name: 'aggregated add one at a time, single Redis: >= 12,000/s',
    scenario: 'aggregated add, one at a time',
    backend: 'redis',
    metric: 'activities/s',
    on: 'value',
    atLeast: 12_000,
    // An absolute rate: what this machine allowed in the same run is one awaited round trip
    // carrying a group (the floor row), which swings 10,000-28,000/s with the load of other jobs.
    context: { scenario: 'floor: EVALSHA of an HSET of', label: 'of the floor' },
  },
  {
    name: 'notification add + count + mark all: >= 0.9x raw',
    scenario: 'notification add + count + mark all',
    backend: 'redis',
    metric: 'cycles/s',
    on: 'ratio',
    atLeast: 0.9,
  },
  {
    name: 'follow copy of 5,000, single Redis: <= 1.5x raw',
    scenario: 'follow: copy 5,000 activities',
    backend: 'redis',
    metric: 'ms',
    on: 'ratio',
    atMost: 1.5,
  },
  {
    name: 'fan-out at N = 100,000, single Redis: >= 0.7x the Lua baseline',
    scenario: 'fan-out',
    backend: 'redis',
    metric: 'feed inserts/s',
    n: 100_000,
    on: 'ratio',
    atLeast: 0.7,
  },
  {
    name: 'fan-out at N = 100,000, Redis Cluster: >= 0.7x the Lua baseline',
    scenario: 'fan-out',
    backend: 'redis-cluster',
    metric: 'feed inserts/s',
    n: 100_000,
    on: 'ratio',
    atLeast: 0.7,
  },
];

/**
 * Checks every target against a run's rows.
 * @param {Row[]} rows
 * A target with a `context` also reports its figure as a share of the run's row whose scenario
 * starts with `context.scenario` (same backend), e.g. "35% of the floor".
 * @returns {{ name: string, figure: string, status: 'met' | 'NOT MET' | 'not measured', context?: string }[]}
 */
export function checkTargets(rows) {
  return TARGETS.map((t) => {
    const row = rows.find(
      (r) =>
        r.scenario === t.scenario &&
        r.backend === t.backend &&
        r.metric === t.metric &&
        (t.n === undefined || r.n === t.n),
    );
    if (!row || (t.on === 'ratio' && !row.baseline))
      return { name: t.name, figure: '-', status: 'not measured' };
    const figure = t.on === 'ratio' ? row.median / row.baseline.median : row.median;
    const met =
      (t.atLeast === undefined || figure >= t.atLeast) &&
      (t.atMost === undefined || figure <= t.atMost);
    const shown =
      t.on === 'ratio' ? `${figure.toFixed(2)}x` : Math.round(figure).toLocaleString('en');
    const status = met ? 'met' : 'NOT MET';
    const near = t.context
      ? rows.find((r) => r.scenario.startsWith(t.context.scenario) && r.backend === t.backend)
      : undefined;
    if (!near) return { name: t.name, figure: shown, status };
    const context = `${Math.round((figure / near.median) * 100)}% ${t.context.label} (${Math.round(near.median).toLocaleString('en')}/s)`;
    return { name: t.name, figure: shown, status, context };
  });
}

/**
 * The simulator's report as a plain-text table (the `simulate` command's default output).
 * @module
 */
import type { ModeReport } from './model.js';
import { INSERTS_TARGET, type SimulationReport } from './simulate.js';

const whole = (n: number): string => Math.round(n).toLocaleString('en');
const short = (n: number): string =>
  n >= 100 ? whole(n) : n >= 10 ? n.toFixed(1) : n.toFixed(n === Math.round(n) ? 0 : 2);
const bytes = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(1)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : whole(n);
const millions = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : whole(n));
const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
const times = (a: number, b: number): string => (b === 0 ? '-' : `${(a / b).toFixed(3)}x`);

/** The report as lines of text: the setup, a pure push vs hybrid table, the target's verdict. */
export function formatReport(report: SimulationReport): string {
  const { options: o, policy: p, graph: g, push, hybrid } = report;
  const hybridInserts =
    `${short(hybrid.insertsPerSecond)} (+-${short(hybrid.insertsPerSecondStdError)}; ` +
    `${short(hybrid.insertsPerSecondBounds[0])}-${short(hybrid.insertsPerSecondBounds[1])})`;
  const post = (m: ModeReport) =>
    `${whole(m.biggestAccount.inserts)} inserts, ${short(m.biggestAccount.writeMs)} ms`;
  const rows: [string, string, string, string][] = [
    ['', 'pure push', 'hybrid', 'hybrid/push'],
    [
      'feed inserts/s',
      short(push.insertsPerSecond),
      hybridInserts,
      times(hybrid.insertsPerDay, push.insertsPerDay),
    ],
    [
      'materialized entries',
      millions(push.materializedEntries),
      millions(hybrid.materializedEntries),
      times(hybrid.materializedEntries, push.materializedEntries),
    ],
    [
      'Redis memory of the feeds',
      bytes(push.redisBytes),
      bytes(hybrid.redisBytes),
      times(hybrid.redisBytes, push.redisBytes),
    ],
    ...(['mean', 'p50', 'p99'] as const).map((k): [string, string, string, string] => [
      `range reads per page, ${k}`,
      short(push.rangeReadsPerPage[k]),
      short(hybrid.rangeReadsPerPage[k]),
      times(hybrid.rangeReadsPerPage[k], push.rangeReadsPerPage[k]),
    ]),
    [
      `entries fetched per page (<=)`,
      short(push.entriesFetchedPerPage),
      short(hybrid.entriesFetchedPerPage),
      times(hybrid.entriesFetchedPerPage, push.entriesFetchedPerPage),
    ],
    ['follow edges pushed', pct(push.edges.pushed), pct(hybrid.edges.pushed), ''],
    ...(['inactive-consumer', 'celebrity', 'hot-producer', 'cost'] as const).map(
      (reason): [string, string, string, string] => [
        `  pulled: ${reason}`,
        pct(push.edges.pulled[reason] ?? 0),
        pct(hybrid.edges.pulled[reason] ?? 0),
        '',
      ],
    ),
    ['biggest account, one post', post(push), post(hybrid), ''],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  const table = rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('   ')
      .trimEnd(),
  );
  const verdict = report.targetMet ? 'met' : 'NOT met';
  return [
    `${whole(o.users)} users, ${whole(g.edges)} follow edges (Zipf s=${o.zipfExponent}, ` +
      `mean ${o.meanFollows} follows), seed ${o.seed}, ${whole(o.samples)} sampled consumers, ` +
      `${g.strata} producer strata`,
    `most followed: ${g.topFollowers.map(whole).join(', ')}; ${whole(g.celebrities)} accounts ` +
      `over maxPushFollowers`,
    `workload: ${o.postsPerDay} posts/day (correlation ${o.postCorrelation}), ${o.readsPerDay} ` +
      `reads/day, ${o.inactiveShare * 100}% inactive > ${o.inactiveDays} days, page ` +
      `${o.pageSize}, maxLength ${o.maxLength}, ${o.historyDays} days of history`,
    `hybrid policy: writeCost ${p.writeCost}, readCost ${p.readCost}, pushBias ${p.pushBias}, ` +
      `maxPushFollowers ${p.maxPushFollowers}, maxPushRate ${p.maxPushRate}, ` +
      `inactiveAfterDays ${p.inactiveAfterDays}, halfLifeDays ${p.halfLifeDays}`,
    '',
    ...table,
    '',
    `hybrid inserts/s: +- one standard error of the consumer sample; then the bounds of the strata`,
    `target (issue #14): hybrid inserts <= ${INSERTS_TARGET}x pure push: ${verdict} ` +
      `(${times(hybrid.insertsPerDay, push.insertsPerDay)})`,
    ...report.sweep.map(
      (s) =>
        `  pushBias ${s.pushBias}: ${whole(s.insertsPerSecond)} inserts/s ` +
        `(${s.insertsRatio.toFixed(3)}x), ${short(s.rangeReadsPerPage)} range reads per page`,
    ),
  ].join('\n');
}

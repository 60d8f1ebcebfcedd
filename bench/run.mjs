// `npm run bench [-- --quick] [-- --only fan-out,reads]`: starts its own Redis (and a 3-master
// Redis Cluster unless --no-cluster) on free loopback ports, runs every scenario on the memory and
// Redis backends, prints a table with each figure's ratio to a baseline measured in the same run,
// and writes bench/results/latest.json and bench/results/fanout.svg.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Cluster, Redis } from 'ioredis';
import { lineChart } from './lib/chart.mjs';
import { startServers, stopServers } from './lib/servers.mjs';
import { checkTargets } from './lib/targets.mjs';
import { bullmq } from './scenarios/bullmq.mjs';
import { calibrate } from './scenarios/calibrate.mjs';
import { enrich } from './scenarios/enrich.mjs';
import { fanout } from './scenarios/fanout.mjs';
import { footprint } from './scenarios/footprint.mjs';
import { graph } from './scenarios/graph.mjs';
import { groups } from './scenarios/groups.mjs';
import { hybrid } from './scenarios/hybrid.mjs';
import { mergedReads } from './scenarios/merged-reads.mjs';
import { reactions } from './scenarios/reactions.mjs';
import { reads } from './scenarios/reads.mjs';
import { tiered } from './scenarios/tiered.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const withCluster = !args.includes('--no-cluster');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const SCENARIOS = {
  'fan-out': fanout,
  bullmq,
  reads,
  enrich,
  'merged-reads': mergedReads,
  groups,
  footprint,
  calibrate,
  hybrid,
  tiered,
  graph,
  reactions,
};

const rows = [];
const record = (row) => {
  rows.push(row);
  const ratio = row.baseline ? ` (${(row.median / row.baseline.median).toFixed(2)}x baseline)` : '';
  console.log(
    `  ${row.scenario} [${row.backend}${row.n ? `, N=${row.n}` : ''}]: ${fmt(row.median)} ${row.metric}${ratio}`,
  );
};
const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString('en') : v.toFixed(v >= 10 ? 1 : 3));

const started = performance.now();
const clients = {};
try {
  let env;
  try {
    env = await startServers({ cluster: withCluster });
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  clients.redis = new Redis(env.REDIS_URL);
  if (env.REDIS_CLUSTER_NODES) {
    clients['redis-cluster'] = new Cluster(
      env.REDIS_CLUSTER_NODES.split(',').map((hp) => ({
        host: hp.split(':')[0],
        port: Number(hp.split(':')[1]),
      })),
    );
  }
  const backends = ['memory', ...Object.keys(clients)];
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    if (only && !only.includes(name)) continue;
    console.log(`\n${name}`);
    const scenarioBackends =
      name === 'reads' || name === 'merged-reads' || name === 'fan-out'
        ? backends
        : backends.filter((b) => b !== 'redis-cluster');
    await scenario({ quick, backends: scenarioBackends, clients, record, env });
  }
  const redisVersion = (await clients.redis.info('server')).match(/redis_version:(\S+)/)[1];
  report(redisVersion);
} finally {
  for (const c of Object.values(clients)) c.disconnect();
  await stopServers();
}

function report(redisVersion) {
  console.log(
    '\n=== results (median of repeats; ratio = figure / baseline measured in this run) ===\n',
  );
  const header = [
    'scenario',
    'backend',
    'N',
    'metric',
    'median',
    'min',
    'max',
    'baseline',
    'ratio',
  ];
  const table = rows.map((r) => [
    r.scenario,
    r.backend,
    r.n ? r.n.toLocaleString('en') : '',
    r.metric,
    fmt(r.median),
    fmt(r.min),
    fmt(r.max),
    r.baseline ? `${fmt(r.baseline.median)} (${r.baselineName})` : '-',
    r.baseline ? `${(r.median / r.baseline.median).toFixed(2)}x` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  for (const row of [header, ...table])
    console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '));
  const targets = checkTargets(rows);
  console.log("\n=== issue #16 targets (ratios to this run's baselines) ===\n");
  const nameWidth = Math.max(...targets.map((t) => t.name.length));
  for (const t of targets)
    console.log(
      `${t.name.padEnd(nameWidth)}  ${t.figure.padStart(8)}  ${t.status}${t.context ? `  (${t.context})` : ''}`,
    );
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const result = {
    date: new Date().toISOString(),
    quick,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    node: process.version,
    redis: redisVersion,
    package: `${pkg.name}@${pkg.version}`,
    seconds: Math.round((performance.now() - started) / 1000),
    rows,
    targets,
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('latest.json', dir), `${JSON.stringify(result, null, 2)}\n`);
  const fan = rows.filter((r) => r.scenario === 'fan-out');
  const series = [...new Set(fan.map((r) => r.backend))].flatMap((backend) => {
    const mine = fan.filter((r) => r.backend === backend);
    const out = [
      {
        name: `${backend}: stream-framework`,
        points: mine.map((r) => ({ n: r.n, value: r.median })),
      },
    ];
    if (mine.some((r) => r.baseline))
      out.push({
        name: `${backend}: baseline`,
        points: mine.filter((r) => r.baseline).map((r) => ({ n: r.n, value: r.baseline.median })),
      });
    return out;
  });
  writeFileSync(
    new URL('fanout.svg', dir),
    lineChart({ title: 'Fan-out: feed inserts per second', yLabel: 'inserts/s', series }),
  );
  console.log(
    `\nwrote bench/results/latest.json and bench/results/fanout.svg in ${result.seconds}s`,
  );
}

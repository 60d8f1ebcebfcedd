import { parseArgs } from 'node:util';
import type { SimulationOptions } from '../simulate/options.js';
import { UsageError } from './args.js';

/** A parsed `stream-framework simulate` command line. */
export interface SimulateCommand {
  /** `-h`: print the usage and exit. */
  readonly help: boolean;
  /** Simulation options from the flags (unset flags are absent: defaults apply). */
  readonly options: SimulationOptions;
  /** `--json`: print the report as JSON instead of a table. */
  readonly json: boolean;
  /** `--chart <file>`: write an SVG of the pushBias sweep there. */
  readonly chart?: string | undefined;
  /** `--sweep`: pushBias values of the sweep. */
  readonly sweep: readonly number[];
}

/** The usage text of `stream-framework simulate`. */
export const SIMULATE_USAGE = `usage: stream-framework simulate [options]

Models pure push against the hybrid push/pull policy on a power-law follow graph and prints
feed inserts/s, materialized entries, Redis memory and read work per page (docs/simulator.md).

graph and workload:
  --users <n>               users (default 1000000)
  --seed <n>                seed of the random draws (default 1)
  --zipf <s>                Zipf exponent of follower counts by rank (default 1)
  --mean-follows <n>        mean accounts followed per user (default 100)
  --posts-per-day <n>       mean posts per user and day (default 2)
  --post-correlation <a>    post rate ~ (1 + followers)^a; 0 = independent (default 0.25)
  --reads-per-day <n>       mean reads per day of an active user (default 5)
  --inactive-share <p>      share of users who have not read for --inactive-days (default 0.4)
  --inactive-days <n>       days without a read of the inactive users, at least (default 30)
  --samples <n>             consumers sampled (default 2000)
  --page-size <n>           entries per page read (default 25)
  --max-length <n>          entries a feed keeps (default 800)
  --history-days <n>        days a feed has been filled for (default 30)
  --inserts-per-second <n>  inserts/s of one Redis, for the biggest post's time (default 340000)
policy of the hybrid run (defaults: docs/fanout-policy.md):
  --write-cost <H>  --read-cost <L>  --push-bias <b>  --max-push-followers <F>
  --max-push-rate <R>  --inactive-after-days <N>  --half-life-days <d>
output:
  --json                    print the report as JSON
  --chart <file.svg>        write a chart of inserts/s and read work against pushBias
  --sweep <b1,b2,...>       pushBias values of the chart (default 0.01,0.03,0.1,0.3,1,3,10,30,100)
  -h, --help                show this text`;

/** Flag -> option (a `policy.` prefix for the policy's). */
export const SIMULATE_FLAGS = {
  users: 'users',
  seed: 'seed',
  zipf: 'zipfExponent',
  'mean-follows': 'meanFollows',
  'posts-per-day': 'postsPerDay',
  'post-correlation': 'postCorrelation',
  'reads-per-day': 'readsPerDay',
  'inactive-share': 'inactiveShare',
  'inactive-days': 'inactiveDays',
  samples: 'samples',
  'page-size': 'pageSize',
  'max-length': 'maxLength',
  'history-days': 'historyDays',
  'inserts-per-second': 'insertsPerSecond',
  'write-cost': 'policy.writeCost',
  'read-cost': 'policy.readCost',
  'push-bias': 'policy.pushBias',
  'max-push-followers': 'policy.maxPushFollowers',
  'max-push-rate': 'policy.maxPushRate',
  'inactive-after-days': 'policy.inactiveAfterDays',
  'half-life-days': 'policy.halfLifeDays',
} as const;

const DEFAULT_SWEEP = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100];
const NUMBER = /^-?(?:[0-9][0-9_]*(?:\.[0-9]+)?|\.[0-9]+)(?:e[+-]?[0-9]+)?$|^Infinity$/i;

/** Parses a number flag: digits (`1_000_000` allowed), a decimal, an exponent or `Infinity`. */
export function numberFlag(flag: string, text: string): number {
  if (!NUMBER.test(text)) {
    throw new UsageError(`--${flag} must be a number, got ${JSON.stringify(text)}`, SIMULATE_USAGE);
  }
  return /^Infinity$/i.test(text) ? Infinity : Number(text.replaceAll('_', ''));
}

/** Parses the arguments after `stream-framework simulate`. Throws {@link UsageError}. */
export function parseSimulate(argv: readonly string[]): SimulateCommand {
  const strings = Object.fromEntries(
    Object.keys(SIMULATE_FLAGS).map((flag) => [flag, { type: 'string' as const }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...strings,
        json: { type: 'boolean' },
        chart: { type: 'string' },
        sweep: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message, SIMULATE_USAGE);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const options: Record<string, number> = {};
  const policy: Record<string, number> = {};
  for (const [flag, option] of Object.entries(SIMULATE_FLAGS)) {
    const text = values[flag];
    if (typeof text !== 'string') continue;
    const value = numberFlag(flag, text);
    if (option.startsWith('policy.')) policy[option.slice('policy.'.length)] = value;
    else options[option] = value;
  }
  const chart = values.chart;
  if (chart === '') throw new UsageError('--chart needs a file name', SIMULATE_USAGE);
  const sweepText = values.sweep;
  const sweep =
    typeof sweepText === 'string'
      ? sweepText.split(',').map((part) => numberFlag('sweep', part.trim()))
      : DEFAULT_SWEEP;
  return {
    help: values.help === true,
    options: { ...options, ...(Object.keys(policy).length > 0 ? { policy } : {}) },
    json: values.json === true,
    chart: typeof chart === 'string' ? chart : undefined,
    sweep,
  };
}

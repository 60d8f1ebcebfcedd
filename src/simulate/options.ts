/**
 * Options of the capacity simulator ({@link simulate}): defaults, and typed `INVALID_OPTION`
 * errors for anything out of range (nothing runs with a bad option).
 * @module
 */

import { invalidArgument } from '../fanout/checks.js';
import { type FanoutPolicyOptions, resolveFanoutPolicy } from '../fanout/policy.js';
import { checkOptions } from '../validation/options.js';
import { show } from '../validation/show.js';

/** Options of {@link simulate}; every one has a default. */
export interface SimulationOptions {
  /** Users, each a producer and a consumer. @default 1_000_000 */
  readonly users?: number;
  /** Seed of the random draws: the same seed gives the same report. @default 1 */
  readonly seed?: number;
  /** Zipf exponent of the follower counts by popularity rank. @default 1 */
  readonly zipfExponent?: number;
  /** Mean accounts followed per user (edges = users x this). @default 100 */
  readonly meanFollows?: number;
  /** Mean posts per user and day. @default 2 */
  readonly postsPerDay?: number;
  /** Exponent of the post rate's correlation with (1 + followers); 0 = independent. @default 0.25 */
  readonly postCorrelation?: number;
  /** Mean reads per day of an active user. @default 5 */
  readonly readsPerDay?: number;
  /** Share of users who have not read for more than `inactiveDays`. @default 0.4 */
  readonly inactiveShare?: number;
  /** Days without a read after which the workload counts a user as inactive. @default 30 */
  readonly inactiveDays?: number;
  /** Consumers sampled to stand for all users. @default 2000 */
  readonly samples?: number;
  /** Entries per page read. @default 25 */
  readonly pageSize?: number;
  /** Entries a materialized feed keeps (trimmed beyond). @default 800 */
  readonly maxLength?: number;
  /** Days of history a feed has been filled for (entries = min(maxLength, inflow x days)). @default 30 */
  readonly historyDays?: number;
  /** Feed inserts per second one Redis sustains, for the biggest post's write time. @default 340_000 */
  readonly insertsPerSecond?: number;
  /** The hybrid run's policy (its mode is always 'hybrid'); unset keys take the policy defaults. */
  readonly policy?: Omit<FanoutPolicyOptions, 'mode'>;
}

/** {@link SimulationOptions} with every default applied. */
export type ResolvedSimulationOptions = Required<Omit<SimulationOptions, 'policy'>> & {
  readonly policy: Omit<FanoutPolicyOptions, 'mode'>;
};

const KEYS = [
  'users',
  'seed',
  'zipfExponent',
  'meanFollows',
  'postsPerDay',
  'postCorrelation',
  'readsPerDay',
  'inactiveShare',
  'inactiveDays',
  'samples',
  'pageSize',
  'maxLength',
  'historyDays',
  'insertsPerSecond',
  'policy',
];

const WHERE = 'simulate';

/** `o[key]` or its default; a number in [min, max] (an integer when `integer`) or INVALID_OPTION. */
function numberOr(
  o: Partial<Record<string, unknown>>,
  key: string,
  fallback: number,
  [min, max]: readonly [number, number],
  integer = false,
): number {
  const value = o[key];
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !(value >= min && value <= max) ||
    (integer && !Number.isInteger(value))
  ) {
    const what = integer ? 'an integer' : 'a number';
    throw invalidArgument(WHERE, key, `must be ${what} from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

/** Applies the defaults and checks every option; throws `INVALID_OPTION` naming the option. */
export function resolveSimulationOptions(options: unknown): ResolvedSimulationOptions {
  const o = checkOptions<SimulationOptions>(options, KEYS, WHERE, true) as Partial<
    Record<string, unknown>
  >;
  const users = numberOr(o, 'users', 1_000_000, [2, 50_000_000], true);
  const policy = o.policy === undefined ? {} : checkPolicy(o.policy);
  return {
    users,
    seed: numberOr(o, 'seed', 1, [0, 2 ** 32 - 1], true),
    zipfExponent: numberOr(o, 'zipfExponent', 1, [0.1, 3]),
    meanFollows: numberOr(o, 'meanFollows', 100, [0.01, users - 1]),
    postsPerDay: numberOr(o, 'postsPerDay', 2, [1e-6, 1e6]),
    postCorrelation: numberOr(o, 'postCorrelation', 0.25, [0, 2]),
    readsPerDay: numberOr(o, 'readsPerDay', 5, [1e-6, 1e6]),
    inactiveShare: numberOr(o, 'inactiveShare', 0.4, [0, 1]),
    inactiveDays: numberOr(o, 'inactiveDays', 30, [1e-3, 36_500]),
    samples: numberOr(o, 'samples', 2000, [10, 1_000_000], true),
    pageSize: numberOr(o, 'pageSize', 25, [1, 10_000], true),
    maxLength: numberOr(o, 'maxLength', 800, [1, 10_000_000], true),
    historyDays: numberOr(o, 'historyDays', 30, [1e-3, 36_500]),
    insertsPerSecond: numberOr(o, 'insertsPerSecond', 340_000, [1, 1e12]),
    policy,
  };
}

/** The policy options minus `mode` (the hybrid run is always 'hybrid'); checked by resolveFanoutPolicy. */
function checkPolicy(policy: unknown): Omit<FanoutPolicyOptions, 'mode'> {
  if (typeof policy === 'object' && policy !== null && Object.hasOwn(policy, 'mode')) {
    throw invalidArgument(WHERE, 'policy.mode', "is always 'hybrid' in the simulator");
  }
  resolveFanoutPolicy(policy, 'simulate: policy');
  return policy as Omit<FanoutPolicyOptions, 'mode'>;
}

/**
 * The hybrid push/pull fan-out policy (Feeding Frenzy, SIGMOD 2010): for each follow edge from a
 * producer p to a consumer c, push p's events into c's feed only when pushing costs less than
 * pulling them at read time, `H·φp < pushBias·L·φc`, with hard rules first for inactive
 * consumers, celebrities and hot producers. Pure functions; see docs/fanout-policy.md.
 * @module
 */
import { checkOptions, optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import {
  checkCount,
  checkLimit,
  checkNonNegative,
  checkPositive,
  checkTime,
  invalidArgument,
} from './checks.js';

/** How follow edges are fanned out: all pushed (today's behaviour), all pulled, or per edge. */
export type FanoutMode = 'push' | 'pull' | 'hybrid';

/** Options of the fan-out policy; every key is optional (see {@link resolveFanoutPolicy}). */
export interface FanoutPolicyOptions {
  /** `'push'` or `'pull'` forces every edge; `'hybrid'` decides per edge. @default 'push' */
  readonly mode?: FanoutMode;
  /** H: cost of one feed insert (the unit of cost). A finite number > 0. @default 1 */
  readonly writeCost?: number;
  /**
   * L: cost of merging one pulled producer into one read, in the unit of `writeCost`: about one
   * extra range read of the producer's feed. A finite number > 0. @default 5
   */
  readonly readCost?: number;
  /**
   * The knob: push when `H·φp < pushBias·L·φc`. Above 1 pushes more edges than the cost optimum
   * (fewer producers to merge per read: lower read latency, more writes); below 1 pulls more.
   * A finite number >= 0. @default 1
   */
  readonly pushBias?: number;
  /**
   * F: a producer with more followers is always pulled (a celebrity). An integer >= 0, or
   * `Infinity` for no limit. @default 100_000
   */
  readonly maxPushFollowers?: number;
  /**
   * R: a producer posting more events a day (φp) is always pulled. A number >= 0, or `Infinity`
   * for no limit. @default 1_440 (one a minute)
   */
  readonly maxPushRate?: number;
  /**
   * N: a consumer that has not read for more than N days, or never read, is never pushed. A
   * number >= 0, or `Infinity` to push to idle consumers too. @default 30
   */
  readonly inactiveAfterDays?: number;
  /**
   * Half-life of the rate estimates φp and φc, in days (see rates.ts). A finite number, at least
   * 1 ms (`1 / 86_400_000`). @default 7
   */
  readonly halfLifeDays?: number;
  /**
   * How long a producer whose every edge is pulled (pull mode, a celebrity or a hot producer)
   * posts without flat fan-out after each pass that adds it to its followers' pulled sets, in
   * hours; its next post after that runs a pass again (follower count re-read, pulled sets
   * refreshed). A finite number > 0. @default 24
   */
  readonly allPullRefreshHours?: number;
}

/** A checked fan-out policy with every option set: the result of {@link resolveFanoutPolicy}. */
export interface ResolvedFanoutPolicy extends Required<FanoutPolicyOptions> {}

/** The defaults of {@link FanoutPolicyOptions}; docs/fanout-policy.md gives the reasons. */
export const FANOUT_POLICY_DEFAULTS: ResolvedFanoutPolicy = Object.freeze({
  mode: 'push',
  writeCost: 1,
  readCost: 5,
  pushBias: 1,
  maxPushFollowers: 100_000,
  maxPushRate: 1_440,
  inactiveAfterDays: 30,
  halfLifeDays: 7,
  allPullRefreshHours: 24,
});

const DAY_MS = 86_400_000;

/** The keys of {@link FanoutPolicyOptions} (for callers that check them under their own path). */
export const FANOUT_POLICY_KEYS: readonly string[] = optionKeys<FanoutPolicyOptions>({
  mode: true,
  writeCost: true,
  readCost: true,
  pushBias: true,
  maxPushFollowers: true,
  maxPushRate: true,
  inactiveAfterDays: true,
  halfLifeDays: true,
  allPullRefreshHours: true,
});

const MODES: readonly string[] = ['push', 'pull', 'hybrid'];

/**
 * Checks fan-out policy options and fills in the defaults. `undefined` is the default policy.
 * Every bad option throws `INVALID_OPTION` whose `details.option` is the key (`'maxPushRate'`),
 * and an unknown key is refused the same way; `where` prefixes the messages. Returns a frozen
 * object.
 * @example
 * const policy = resolveFanoutPolicy({ mode: 'hybrid', maxPushFollowers: 50_000 });
 */
export function resolveFanoutPolicy(
  options: unknown,
  where = 'fanout policy',
): ResolvedFanoutPolicy {
  const o = checkOptions<FanoutPolicyOptions>(options, FANOUT_POLICY_KEYS, where, true);
  const d = FANOUT_POLICY_DEFAULTS;
  const or = <T>(
    value: T | undefined,
    fallback: T,
    check: (v: unknown, w: string, n: string) => T,
    key: string,
  ): T => (value === undefined ? fallback : check(value, where, key));
  return Object.freeze({
    mode: or(o.mode, d.mode, checkMode, 'mode'),
    writeCost: or(o.writeCost, d.writeCost, checkPositive, 'writeCost'),
    readCost: or(o.readCost, d.readCost, checkPositive, 'readCost'),
    pushBias: or(o.pushBias, d.pushBias, checkNonNegative, 'pushBias'),
    maxPushFollowers: or(
      o.maxPushFollowers,
      d.maxPushFollowers,
      checkFollowerLimit,
      'maxPushFollowers',
    ),
    maxPushRate: or(o.maxPushRate, d.maxPushRate, checkLimit, 'maxPushRate'),
    inactiveAfterDays: or(
      o.inactiveAfterDays,
      d.inactiveAfterDays,
      checkLimit,
      'inactiveAfterDays',
    ),
    halfLifeDays: or(o.halfLifeDays, d.halfLifeDays, checkHalfLife, 'halfLifeDays'),
    allPullRefreshHours: or(
      o.allPullRefreshHours,
      d.allPullRefreshHours,
      checkPositive,
      'allPullRefreshHours',
    ),
  });
}

function checkMode(value: unknown, where: string, name: string): FanoutMode {
  if (!MODES.includes(value as string)) {
    throw invalidArgument(
      where,
      name,
      `must be one of ${MODES.map(show).join(', ')}, got ${show(value)}`,
    );
  }
  return value as FanoutMode;
}

function checkFollowerLimit(value: unknown, where: string, name: string): number {
  return checkCount(value, where, name, true);
}

function checkHalfLife(value: unknown, where: string, name: string): number {
  // At least 1 ms: the smallest half-life rates.ts accepts.
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value * DAY_MS >= 1)) {
    throw invalidArgument(
      where,
      name,
      `must be a finite number of days, at least 1 ms, got ${show(value)}`,
    );
  }
  return value;
}

/** What one edge decision looks at: the producer's and the consumer's current numbers. */
export interface EdgeInputs {
  /** φp: the producer's events per day (from `rateAt`). A finite number >= 0. */
  readonly producerRate: number;
  /** How many consumers follow the producer. An integer >= 0. */
  readonly followerCount: number;
  /** φc: the consumer's reads per day (from `rateAt`). A finite number >= 0. */
  readonly consumerReadRate: number;
  /**
   * When the consumer last read, ms since the epoch; `undefined` if it never read (then it is
   * inactive: pass its creation time instead to give a new feed N days of push).
   */
  readonly consumerLastRead: number | undefined;
  /** The time of the decision, ms since the epoch. */
  readonly now: number;
}

/** Which rule decided an edge, in the order they are tried. */
export type EdgeReason = 'mode' | 'inactive-consumer' | 'celebrity' | 'hot-producer' | 'cost';

/** The outcome of {@link decideEdge}, with the numbers that led to it. */
export interface EdgeDecision {
  /** Push the producer's events into the consumer's feed, or pull them when it reads. */
  readonly mode: 'push' | 'pull';
  /** The rule that decided. */
  readonly reason: EdgeReason;
  /** H·φp: cost per day of pushing the edge (always computed, whatever decided). */
  readonly pushCost: number;
  /** pushBias·L·φc: cost per day of pulling the edge, weighted by the knob. */
  readonly pullCost: number;
  /** The limit exceeded, for the reasons that have one: N (days), F (followers) or R (events/day). */
  readonly limit?: number;
  /** The inputs decided on. */
  readonly inputs: EdgeInputs;
}

/**
 * Decides one follow edge. Rules, first match wins: mode `'push'`/`'pull'` forces it (`'mode'`);
 * a consumer that never read or has not read for more than `inactiveAfterDays` is pulled
 * (`'inactive-consumer'`); a producer with more than `maxPushFollowers` followers is pulled
 * (`'celebrity'`); a producer above `maxPushRate` events a day is pulled (`'hot-producer'`);
 * else push exactly when `pushCost < pullCost` (`'cost'`; a tie pulls). Monotone: a higher
 * producer rate never turns pull into push; a higher read rate or pushBias never turns push into
 * pull. Throws `INVALID_OPTION` (naming the input) for a NaN, infinite or negative input.
 * @example
 * decideEdge(policy, { producerRate: 2, followerCount: 300, consumerReadRate: 5,
 *   consumerLastRead: Date.now() - 3_600_000, now: Date.now() }).mode; // 'push'
 */
export function decideEdge(policy: ResolvedFanoutPolicy, inputs: EdgeInputs): EdgeDecision {
  checkInputs(inputs);
  const { producerRate, followerCount, consumerReadRate, consumerLastRead, now } = inputs;
  const pushCost = policy.writeCost * producerRate;
  const pullCost = policy.pushBias * policy.readCost * consumerReadRate;
  const decision = (mode: 'push' | 'pull', reason: EdgeReason, limit?: number): EdgeDecision =>
    edgeDecision(mode, reason, pushCost, pullCost, limit, inputs);
  if (policy.mode !== 'hybrid') return decision(policy.mode, 'mode');
  if (
    consumerLastRead === undefined ||
    now - consumerLastRead > policy.inactiveAfterDays * DAY_MS
  ) {
    return decision('pull', 'inactive-consumer', policy.inactiveAfterDays);
  }
  if (followerCount > policy.maxPushFollowers) {
    return decision('pull', 'celebrity', policy.maxPushFollowers);
  }
  if (producerRate > policy.maxPushRate)
    return decision('pull', 'hot-producer', policy.maxPushRate);
  return decision(pushCost < pullCost ? 'push' : 'pull', 'cost');
}

function edgeDecision(
  mode: 'push' | 'pull',
  reason: EdgeReason,
  pushCost: number,
  pullCost: number,
  limit: number | undefined,
  inputs: EdgeInputs,
): EdgeDecision {
  const decision = { mode, reason, pushCost, pullCost, inputs };
  return Object.freeze(limit === undefined ? decision : { ...decision, limit });
}

function checkInputs(inputs: EdgeInputs): void {
  const where = 'decideEdge';
  if (typeof inputs !== 'object' || inputs === null) {
    throw invalidArgument(where, 'inputs', `must be an object, got ${show(inputs)}`);
  }
  checkNonNegative(inputs.producerRate, where, 'producerRate');
  checkCount(inputs.followerCount, where, 'followerCount');
  checkNonNegative(inputs.consumerReadRate, where, 'consumerReadRate');
  if (inputs.consumerLastRead !== undefined)
    checkTime(inputs.consumerLastRead, where, 'consumerLastRead');
  checkTime(inputs.now, where, 'now');
}

/**
 * One English sentence explaining a decision with its numbers, for logs and debugging: the
 * outcome and reason first, then what decided.
 * @example
 * explainDecision(decision);
 * // 'push (cost): pushing costs 2/day (writeCost × 2 events/day) < pulling 25/day
 * //  (pushBias × readCost × 5 reads/day)' (one line)
 */
export function explainDecision(decision: EdgeDecision): string {
  const { mode, reason, pushCost, pullCost, limit, inputs } = decision;
  const head = `${mode} (${reason}):`;
  const most = limit === undefined ? 'the limit' : num(limit);
  switch (reason) {
    case 'mode':
      return `${head} the policy's mode forces ${mode} on every edge`;
    case 'inactive-consumer': {
      const last = inputs.consumerLastRead;
      const idle =
        last === undefined
          ? 'the consumer never read'
          : `the consumer last read ${num((inputs.now - last) / DAY_MS)} days ago`;
      return `${head} ${idle}; inactive after ${most} days`;
    }
    case 'celebrity':
      return `${head} the producer has ${num(inputs.followerCount)} followers, more than ${most}`;
    case 'hot-producer':
      return `${head} the producer posts ${num(inputs.producerRate)} events/day, more than ${most}`;
    case 'cost':
      return (
        `${head} pushing costs ${num(pushCost)}/day (writeCost × ${num(inputs.producerRate)} ` +
        `events/day) ${mode === 'push' ? '<' : '>='} pulling ${num(pullCost)}/day ` +
        `(pushBias × readCost × ${num(inputs.consumerReadRate)} reads/day)`
      );
  }
}

/** A number for a sentence: integers with separators (`100,000`), others to 3 significant digits. */
function num(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

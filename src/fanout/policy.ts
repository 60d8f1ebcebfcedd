/**
 * The hybrid push/pull fan-out policy (Feeding Frenzy, SIGMOD 2010): for each follow edge from a
 * producer p to a consumer c, push p's events into c's feed only when pushing costs less than
 * pulling them at read time, `H·φp < pushBias·L·φc`, with hard rules first for inactive
 * consumers, celebrities and hot producers. Pure functions; see docs/fanout-policy.md.
 * @module
 */
import { ValidationError } from '../errors.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import { invalidOption, oneOfOption } from '../validation/values.js';

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
   * extra range read of the producer's feed. A finite number > 0. @default 10
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
  /** Half-life of the rate estimates φp and φc, in days (see rates.ts). A finite number > 0. @default 7 */
  readonly halfLifeDays?: number;
}

/** A checked fan-out policy with every option set: the result of {@link resolveFanoutPolicy}. */
export interface ResolvedFanoutPolicy extends Required<FanoutPolicyOptions> {}

/** The defaults of {@link FanoutPolicyOptions}; docs/fanout-policy.md gives the reasons. */
export const FANOUT_POLICY_DEFAULTS: ResolvedFanoutPolicy = Object.freeze({
  mode: 'push',
  writeCost: 1,
  readCost: 10,
  pushBias: 1,
  maxPushFollowers: 100_000,
  maxPushRate: 1_440,
  inactiveAfterDays: 30,
  halfLifeDays: 7,
});

const KEYS = optionKeys<FanoutPolicyOptions>({
  mode: true,
  writeCost: true,
  readCost: true,
  pushBias: true,
  maxPushFollowers: true,
  maxPushRate: true,
  inactiveAfterDays: true,
  halfLifeDays: true,
});

const MODES: readonly FanoutMode[] = ['push', 'pull', 'hybrid'];

/**
 * Checks fan-out policy options and fills in the defaults. `undefined` is the default policy.
 * Every bad option throws `INVALID_OPTION` naming it (`details.option`), and an unknown key is
 * refused; `where` prefixes the messages. Returns a frozen object.
 * @example
 * const policy = resolveFanoutPolicy({ mode: 'hybrid', maxPushFollowers: 50_000 });
 */
export function resolveFanoutPolicy(
  options: unknown,
  where = 'fanout policy',
): ResolvedFanoutPolicy {
  const o = checkOptions<FanoutPolicyOptions>(options, KEYS, where, true);
  const d = FANOUT_POLICY_DEFAULTS;
  const name = (key: string): string => `${where}: ${key}`;
  return Object.freeze({
    mode: o.mode === undefined ? d.mode : oneOfOption(o.mode, MODES, name('mode')),
    writeCost: positive(o.writeCost, d.writeCost, name('writeCost')),
    readCost: positive(o.readCost, d.readCost, name('readCost')),
    pushBias: limit(o.pushBias, d.pushBias, name('pushBias'), false),
    maxPushFollowers: followers(o.maxPushFollowers, d.maxPushFollowers, name('maxPushFollowers')),
    maxPushRate: limit(o.maxPushRate, d.maxPushRate, name('maxPushRate'), true),
    inactiveAfterDays: limit(
      o.inactiveAfterDays,
      d.inactiveAfterDays,
      name('inactiveAfterDays'),
      true,
    ),
    halfLifeDays: positive(o.halfLifeDays, d.halfLifeDays, name('halfLifeDays')),
  });
}

function positive(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
    throw invalidOption(name, `must be a finite number > 0, got ${show(value)}`);
  }
  return value;
}

function limit(value: unknown, fallback: number, name: string, infinite: boolean): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && value >= 0 && (infinite || Number.isFinite(value));
  if (!ok) {
    const what = infinite ? 'a number >= 0 or Infinity' : 'a finite number >= 0';
    throw invalidOption(name, `must be ${what}, got ${show(value)}`);
  }
  return value === 0 ? 0 : value; // -0 becomes 0
}

function followers(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(Number.isInteger(value) || value === Infinity) || value < 0) {
    throw invalidOption(name, `must be an integer >= 0 or Infinity, got ${show(value)}`);
  }
  return value === 0 ? 0 : value;
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

const DAY_MS = 86_400_000;

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
    Object.freeze({
      mode,
      reason,
      pushCost,
      pullCost,
      ...(limit === undefined ? {} : { limit }),
      inputs,
    });
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

function checkInputs(inputs: EdgeInputs): void {
  if (typeof inputs !== 'object' || inputs === null) {
    throw new ValidationError(
      'INVALID_OPTION',
      `decideEdge: inputs must be an object, got ${show(inputs)}`,
    );
  }
  rateInput(inputs.producerRate, 'producerRate');
  rateInput(inputs.consumerReadRate, 'consumerReadRate');
  const count = inputs.followerCount;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw invalidOption('decideEdge: followerCount', `must be an integer >= 0, got ${show(count)}`);
  }
  timeInput(inputs.now, 'now');
  if (inputs.consumerLastRead !== undefined) timeInput(inputs.consumerLastRead, 'consumerLastRead');
}

function rateInput(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidOption(`decideEdge: ${name}`, `must be a finite number >= 0, got ${show(value)}`);
  }
}

function timeInput(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidOption(`decideEdge: ${name}`, `must be a finite time in ms, got ${show(value)}`);
  }
}

/**
 * One English sentence explaining a decision with its numbers, for logs and debugging.
 * @example
 * explainDecision(decision);
 * // 'push (cost): pushing costs 2 a day (2 events/day) < pulling 50 (5 reads/day)'
 */
export function explainDecision(decision: EdgeDecision): string {
  const { mode, reason, pushCost, pullCost, limit, inputs } = decision;
  const head = `${mode} (${reason})`;
  switch (reason) {
    case 'mode':
      return `${head}: the policy's mode forces ${mode} for every edge`;
    case 'inactive-consumer': {
      const last = inputs.consumerLastRead;
      const idle =
        last === undefined
          ? 'the consumer never read'
          : `the consumer last read ${num((inputs.now - last) / DAY_MS)} days ago`;
      return `${head}: ${idle} (inactive after ${num(limit ?? Number.NaN)} days)`;
    }
    case 'celebrity':
      return `${head}: the producer has ${num(inputs.followerCount)} followers, more than ${num(limit ?? Number.NaN)}`;
    case 'hot-producer':
      return `${head}: the producer posts ${num(inputs.producerRate)} events/day, more than ${num(limit ?? Number.NaN)}`;
    case 'cost': {
      const sign = mode === 'push' ? '<' : '>=';
      return (
        `${head}: pushing costs ${num(pushCost)} a day (${num(inputs.producerRate)} events/day) ` +
        `${sign} pulling ${num(pullCost)} (${num(inputs.consumerReadRate)} reads/day)`
      );
    }
  }
}

function num(value: number): string {
  if (Number.isInteger(value) || !Number.isFinite(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

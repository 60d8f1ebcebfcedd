/**
 * Exponentially decaying event-rate estimates, in events per day: the φp (posts) and φc (reads)
 * of the fan-out policy. One estimate is two numbers, updated in O(1) per event without keeping
 * any history.
 *
 * Each event adds `ln 2 / halfLifeDays` to the estimate and the estimate halves every half-life,
 * so a steady stream of `r` events a day converges to an estimate of `r` (a continuous-time
 * exponential moving average of the event rate). A state is never mutated: every call returns a
 * new one.
 * @module
 */
import { show } from '../validation/show.js';
import { checkCount, checkNonNegative, checkTime, invalidArgument } from './checks.js';

/** One rate estimate: `rate` events per day, as of time `at` (ms since the epoch). */
export interface RateState {
  /** The estimated rate, events per day, as of `at`; never negative. */
  readonly rate: number;
  /** When `rate` was computed, ms since the epoch. */
  readonly at: number;
}

const DAY_MS = 86_400_000;

/**
 * The estimate at `now`: the stored rate decayed by `2^(-(now - at) / halfLifeMs)`. `undefined`
 * (no event yet) is 0. A `now` before `at` (a clock that went back) decays nothing: the stored
 * rate is returned, never a grown one. Throws `INVALID_OPTION` for a non-finite `now`, a
 * `halfLifeMs` that is not a finite number >= 1 (ms), or a state that is not a finite rate >= 0 at a
 * finite time.
 * @example
 * rateAt({ rate: 8, at: 0 }, 86_400_000, 86_400_000); // 4: one half-life later
 */
export function rateAt(state: RateState | undefined, now: number, halfLifeMs: number): number {
  checkArgs(state, now, halfLifeMs, 'rateAt');
  if (state === undefined) return 0;
  return decayed(state, now, halfLifeMs);
}

/**
 * Records `count` events (default 1) at `now`: decays the estimate to `now` (see {@link rateAt}),
 * then adds `count * ln 2 / halfLifeDays`. Recording n events at once equals recording them one
 * by one at the same time (up to float rounding). An event older than the state (`now < at`)
 * is added undecayed and the state keeps its `at`. Throws `INVALID_OPTION` for the bad inputs
 * {@link rateAt} refuses and for a `count` that is not an integer >= 0.
 * @example
 * let posts: RateState | undefined;
 * posts = recordEvents(posts, Date.now(), 7 * 86_400_000);
 */
export function recordEvents(
  state: RateState | undefined,
  now: number,
  halfLifeMs: number,
  count = 1,
): RateState {
  checkArgs(state, now, halfLifeMs, 'recordEvents');
  checkCount(count, 'recordEvents', 'count');
  const base = state === undefined ? 0 : decayed(state, now, halfLifeMs);
  const at = state === undefined ? now : Math.max(state.at, now);
  return { rate: base + (count * Math.LN2 * DAY_MS) / halfLifeMs, at };
}

function decayed(state: RateState, now: number, halfLifeMs: number): number {
  if (now <= state.at) return state.rate;
  return state.rate * 2 ** (-(now - state.at) / halfLifeMs);
}

function checkArgs(
  state: RateState | undefined,
  now: number,
  halfLifeMs: number,
  where: string,
): void {
  checkTime(now, where, 'now');
  if (typeof halfLifeMs !== 'number' || !Number.isFinite(halfLifeMs) || !(halfLifeMs >= 1)) {
    throw invalidArgument(
      where,
      'halfLifeMs',
      `must be a finite number >= 1, got ${show(halfLifeMs)}`,
    );
  }
  if (state === undefined) return;
  if (typeof state !== 'object' || state === null) {
    throw invalidArgument(where, 'state', `must be a RateState or undefined, got ${show(state)}`);
  }
  checkNonNegative(state.rate, where, 'state.rate');
  checkTime(state.at, where, 'state.at');
}

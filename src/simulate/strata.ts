/**
 * Producers grouped into strata of similar post rate, on one side of the policy's follower limit
 * F, so the simulator decides edges per stratum and sampled consumer instead of per producer
 * (10^6 x samples decisions). The policy's rules look at the follower count only through F, so
 * a stratum's decisions are those of its producers up to the width of its rate band; the
 * model's bounds (each stratum decided at its extremes) show what that costs.
 * @module
 */
import type { Workload } from './workload.js';

/** Producers whose post rates fall in the same narrow band, on one side of F and of R. */
export interface Stratum {
  /** Sum over its producers of posts/day x followers: its pushed inserts a day under pure push. */
  readonly inserts: number;
  /** Sum of its producers' follower counts (its follow edges). */
  readonly edges: number;
  /** Insert-weighted mean post rate (posts/day) and follower count: its representative. */
  readonly rate: number;
  readonly followers: number;
  /** Lowest and highest post rate and follower count of its producers (for error bounds). */
  readonly minRate: number;
  readonly maxRate: number;
  readonly minFollowers: number;
  readonly maxFollowers: number;
}

/** Bands per doubling of the post rate: bands 2^(1/8) = 1.09x wide. */
export const BANDS_PER_OCTAVE = 8;

interface Accumulator {
  inserts: number;
  edges: number;
  rates: number;
  minRate: number;
  maxRate: number;
  minFollowers: number;
  maxFollowers: number;
}

/**
 * Groups the producers with followers into strata by post rate band. `splitFollowers` and
 * `splitRate` (the policy's F and R) split them too, so the celebrity and hot-producer rules are
 * exact per stratum.
 */
export function stratify(workload: Workload, splitFollowers: number, splitRate: number): Stratum[] {
  const groups = new Map<string, Accumulator>();
  const { followers, postsPerDay } = workload;
  for (let i = 0; i < followers.length; i++) {
    const d = followers[i] ?? 0;
    const rate = postsPerDay[i] ?? 0;
    if (d === 0 || rate === 0) continue;
    const key = `${band(rate)}:${d > splitFollowers ? 1 : 0}:${rate > splitRate ? 1 : 0}`;
    const g = groups.get(key);
    if (g === undefined) {
      groups.set(key, {
        inserts: rate * d,
        edges: d,
        rates: rate,
        minRate: rate,
        maxRate: rate,
        minFollowers: d,
        maxFollowers: d,
      });
      continue;
    }
    g.inserts += rate * d;
    g.edges += d;
    g.rates += rate;
    if (rate < g.minRate) g.minRate = rate;
    if (rate > g.maxRate) g.maxRate = rate;
    if (d < g.minFollowers) g.minFollowers = d;
    if (d > g.maxFollowers) g.maxFollowers = d;
  }
  return [...groups.values()].map((g) => ({
    inserts: g.inserts,
    edges: g.edges,
    rate: g.inserts / g.edges,
    followers: Math.round(g.inserts / g.rates),
    minRate: g.minRate,
    maxRate: g.maxRate,
    minFollowers: g.minFollowers,
    maxFollowers: g.maxFollowers,
  }));
}

const band = (value: number): number => Math.floor(Math.log2(value) * BANDS_PER_OCTAVE);

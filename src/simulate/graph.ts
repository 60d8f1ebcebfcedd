/**
 * The follow graph of the capacity simulator, as degree sequences only: 10^8 edges are never
 * materialized. Follower counts follow a capped Zipf law by popularity rank; how many accounts a
 * user follows is drawn per sampled consumer (see workload.ts).
 * @module
 */
import type { Random } from './random.js';

/** Parameters of a {@link FollowGraph}. */
export interface GraphParameters {
  /** Number of users (each one both a producer and a consumer). */
  readonly users: number;
  /** Zipf exponent s: the user of popularity rank r has about c * r^-s followers. */
  readonly zipfExponent: number;
  /** Mean number of accounts a user follows, so edges = users * meanFollows. */
  readonly meanFollows: number;
}

/** A follow graph described by its follower counts. */
export interface FollowGraph extends GraphParameters {
  /** Follower count of each user, by popularity rank (index 0 is the most followed). */
  readonly followers: Uint32Array;
  /** Sum of the follower counts (the number of follow edges). */
  readonly edges: number;
  /** The Zipf scale c: expected followers of rank r are min(users - 1, c * r^-s). */
  readonly scale: number;
}

/** Expected follower count of popularity rank `rank` (1-based). */
export function expectedFollowers(params: GraphParameters, scale: number, rank: number): number {
  return Math.min(params.users - 1, scale * rank ** -params.zipfExponent);
}

/**
 * The Zipf scale c for which the expected follower counts, each capped at users - 1 (nobody
 * follows themselves), add up to users * meanFollows (bisection in log space).
 */
export function zipfScale(params: GraphParameters): number {
  const target = params.users * params.meanFollows;
  const cap = params.users - 1;
  const powers = new Float64Array(params.users);
  for (let r = 1; r <= params.users; r++) powers[r - 1] = r ** -params.zipfExponent;
  const total = (c: number) => {
    let sum = 0;
    for (const p of powers) sum += Math.min(cap, c * p);
    return sum;
  };
  // c = e^-50 gives almost no edges; at the upper bound every rank is capped (users * cap edges).
  let lo = -50;
  let hi = Math.log(cap) + params.zipfExponent * Math.log(params.users) + 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (total(Math.exp(mid)) < target) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Draws a follow graph: each rank's follower count is its expected count rounded up or down at
 * random (keeping the expectation), so the degree sequence is reproducible from the seed.
 */
export function generateGraph(params: GraphParameters, random: Random): FollowGraph {
  const scale = zipfScale(params);
  const followers = new Uint32Array(params.users);
  let edges = 0;
  for (let r = 1; r <= params.users; r++) {
    const expected = expectedFollowers(params, scale, r);
    const whole = Math.floor(expected);
    const count = whole + (random.uniform() < expected - whole ? 1 : 0);
    followers[r - 1] = count;
    edges += count;
  }
  return { ...params, followers, edges, scale };
}

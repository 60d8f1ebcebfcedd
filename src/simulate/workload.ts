/**
 * The workload of the capacity simulator: a post rate per producer and a sample of consumers
 * (accounts followed, read rate, last read). Consumers are a uniform random sample of the users,
 * drawn independently of the producers they follow (see docs/simulator.md, "Approximations").
 * @module
 */
import type { FollowGraph } from './graph.js';
import type { Random } from './random.js';

/** Parameters of a {@link Workload}. */
export interface WorkloadParameters {
  /** Mean posts per day over all users. */
  readonly postsPerDay: number;
  /**
   * Exponent a of the post rate's correlation with popularity: a user's rate is proportional to
   * (1 + followers)^a times a log-normal factor; 0 makes it independent of the follower count.
   */
  readonly postCorrelation: number;
  /** Mean reads (page views of the feed) per day of an active user. */
  readonly readsPerDay: number;
  /** Share of users in [0, 1] who have not read for more than `inactiveDays`. */
  readonly inactiveShare: number;
  /** Days without a read that make a user inactive (their last read is 1 to 12 times this). */
  readonly inactiveDays: number;
  /** Number of sampled consumers. */
  readonly samples: number;
}

/** One sampled consumer. */
export interface ConsumerSample {
  /** Accounts followed (log-normal, mean `meanFollows`, capped at users - 1). */
  readonly follows: number;
  /** Reads per day while active. */
  readonly readsPerDay: number;
  /** Days since the last read. */
  readonly lastReadDaysAgo: number;
}

/** Producers (by popularity rank, as in the graph) and sampled consumers. */
export interface Workload {
  /** Follower count of each producer. */
  readonly followers: Uint32Array;
  /** Posts per day of each producer. */
  readonly postsPerDay: Float64Array;
  /** Sampled consumers, standing for all users. */
  readonly consumers: readonly ConsumerSample[];
  /** Number of users the sample stands for. */
  readonly users: number;
}

/** Log-space deviation of the per-user rate factors and of the follow counts. */
const SIGMA = 1;

/** Draws post rates for the graph's producers and a sample of consumers. */
export function generateWorkload(
  graph: FollowGraph,
  params: WorkloadParameters,
  random: Random,
): Workload {
  const postsPerDay = new Float64Array(graph.users);
  let sum = 0;
  for (let i = 0; i < graph.users; i++) {
    const weight =
      (1 + (graph.followers[i] ?? 0)) ** params.postCorrelation * random.logNormal(1, SIGMA);
    postsPerDay[i] = weight;
    sum += weight;
  }
  const norm = (params.postsPerDay * graph.users) / sum;
  for (let i = 0; i < graph.users; i++) postsPerDay[i] = (postsPerDay[i] ?? 0) * norm;
  const consumers: ConsumerSample[] = [];
  for (let i = 0; i < params.samples; i++) {
    const follows = Math.min(graph.users - 1, random.logNormal(graph.meanFollows, SIGMA));
    const readsPerDay = random.logNormal(params.readsPerDay, SIGMA);
    const inactive = random.uniform() < params.inactiveShare;
    const lastReadDaysAgo = inactive
      ? params.inactiveDays * (1 + 11 * random.uniform())
      : Math.min(params.inactiveDays, -Math.log(1 - random.uniform()) / readsPerDay);
    consumers.push({ follows, readsPerDay, lastReadDaysAgo });
  }
  return { followers: graph.followers, postsPerDay, consumers, users: graph.users };
}

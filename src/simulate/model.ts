/**
 * The capacity model: feed inserts, materialized entries, Redis memory and read work of one
 * fan-out policy on a {@link Workload}, from per-stratum x per-sampled-consumer edge decisions
 * ({@link decideEdge}). See docs/simulator.md for the approximations and their error.
 * @module
 */
import {
  decideEdge,
  type EdgeInputs,
  type EdgeReason,
  type ResolvedFanoutPolicy,
} from '../fanout/policy.js';
import { rateAt } from '../fanout/rates.js';
import type { Stratum } from './strata.js';
import type { ConsumerSample, Workload } from './workload.js';

/** Parameters of the model that are not part of the policy or the workload. */
export interface ModelParameters {
  /** Entries per page read. */
  readonly pageSize: number;
  /** Entries a materialized feed keeps. */
  readonly maxLength: number;
  /** Days of history a feed has been filled for. */
  readonly historyDays: number;
  /** Feed inserts per second one Redis sustains. */
  readonly insertsPerSecond: number;
}

/** Percentiles of a per-read figure, weighted by how often each sampled consumer reads. */
export interface ReadWork {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
}

/** What one policy costs on the workload. */
export interface ModeReport {
  /** Feed inserts a day into followers' feeds (the producer's own feed not counted). */
  readonly insertsPerDay: number;
  /** The same per second. */
  readonly insertsPerSecond: number;
  /**
   * Bounds of `insertsPerSecond` from the strata's spread: each stratum decided at its lowest
   * and at its highest follower count and post rate (the rules are monotone in both).
   */
  readonly insertsPerSecondBounds: readonly [number, number];
  /**
   * Standard error of `insertsPerSecond` from sampling the consumers (delta method for the
   * follows-weighted share of pushed edges); 0 when every sampled edge decides alike.
   */
  readonly insertsPerSecondStdError: number;
  /**
   * Share of all follow edges pushed, and pulled by each rule (`'inactive-consumer'`,
   * `'celebrity'`, `'hot-producer'`, `'cost'`; `'mode'` for a forced mode); they add up to 1.
   */
  readonly edges: { readonly pushed: number; readonly pulled: Partial<Record<EdgeReason, number>> };
  /** Entries held by all materialized feeds (extrapolated from the sample). */
  readonly materializedEntries: number;
  /** Their Redis memory in bytes (see {@link feedBytes}). */
  readonly redisBytes: number;
  /** Range reads per page: 1 (the feed) + the producers pulled, per read. */
  readonly rangeReadsPerPage: ReadWork;
  /** Entries fetched per page at most: page size x range reads (mean over reads). */
  readonly entriesFetchedPerPage: number;
  /** The most followed account: followers, inserts of one post, write time on one Redis. */
  readonly biggestAccount: {
    readonly followers: number;
    readonly postsPerDay: number;
    readonly inserts: number;
    readonly writeMs: number;
  };
}

/** `MEMORY USAGE` bytes per timeline entry: bench/README.md, "memory" (20-character ids). */
export const BYTES_PER_ENTRY = { listpack: 36.6, skiplist: 118 } as const;
/** Redis keeps a sorted set of at most this many entries as a listpack (zset-max-listpack-entries). */
export const LISTPACK_MAX_ENTRIES = 128;

/** Bytes of one materialized feed of `entries` entries (listpack up to 128 entries, then skiplist). */
export function feedBytes(entries: number): number {
  const perEntry =
    entries <= LISTPACK_MAX_ENTRIES ? BYTES_PER_ENTRY.listpack : BYTES_PER_ENTRY.skiplist;
  return entries * perEntry;
}

const DAY_MS = 86_400_000;
/** The fixed "now" of every decision (any time works: only differences matter). */
const NOW = 1_800_000_000_000;

/** A sampled consumer as the policy sees it. */
interface Reader {
  readonly sample: ConsumerSample;
  readonly readRate: number;
  readonly lastRead: number;
}

/** Prepares the sampled consumers: read-rate estimates decayed since their last read. */
function readersOf(workload: Workload, policy: ResolvedFanoutPolicy): Reader[] {
  const halfLife = policy.halfLifeDays * DAY_MS;
  return workload.consumers.map((sample) => {
    const lastRead = NOW - sample.lastReadDaysAgo * DAY_MS;
    const readRate = rateAt({ rate: sample.readsPerDay, at: lastRead }, NOW, halfLife);
    return { sample, readRate, lastRead };
  });
}

/**
 * 1 where the edge from a producer of `rate` and `followers` to each reader is pushed, else 0;
 * with `reasons`, the rule that pulled each pulled edge is stored there.
 */
function pushes(
  policy: ResolvedFanoutPolicy,
  readers: readonly Reader[],
  rate: number,
  followers: number,
  reasons?: EdgeReason[],
): Uint8Array {
  const out = new Uint8Array(readers.length);
  readers.forEach((reader, i) => {
    const inputs: EdgeInputs = {
      producerRate: rate,
      followerCount: followers,
      consumerReadRate: reader.readRate,
      consumerLastRead: reader.lastRead,
      now: NOW,
    };
    const decision = decideEdge(policy, inputs);
    out[i] = decision.mode === 'push' ? 1 : 0;
    if (reasons) reasons[i] = decision.reason;
  });
  return out;
}

/** Share of follow edges pushed: readers weighted by how many accounts they follow. */
function pushedShare(push: Uint8Array, readers: readonly Reader[]): number {
  let pushed = 0;
  let all = 0;
  readers.forEach((reader, i) => {
    const w = reader.sample.follows;
    all += w;
    if (push[i] === 1) pushed += w;
  });
  return all === 0 ? 0 : pushed / all;
}

/** Options of {@link runModel}. */
export interface RunModelOptions {
  /** Also decide each stratum at its extremes for `insertsPerSecondBounds` (3x the work). */
  readonly bounds?: boolean;
}

/** Runs the model of one policy on a stratified workload. */
export function runModel(
  workload: Workload,
  strata: readonly Stratum[],
  policy: ResolvedFanoutPolicy,
  params: ModelParameters,
  options: RunModelOptions = {},
): ModeReport {
  const readers = readersOf(workload, policy);
  let edges = 0;
  for (const s of strata) edges += s.edges;
  let insertsPerDay = 0;
  let low = 0;
  let high = 0;
  const inflow = new Float64Array(readers.length); // pushed entries a day per followed account
  const pulled = new Float64Array(readers.length); // pulled producers per followed account
  let follows = 0;
  for (const reader of readers) follows += reader.sample.follows;
  const pulledBy: Partial<Record<EdgeReason, number>> = {};
  const reasons: EdgeReason[] = [];
  for (const s of strata) {
    const push = pushes(policy, readers, s.rate, s.followers, reasons);
    insertsPerDay += s.inserts * pushedShare(push, readers);
    readers.forEach((reader, i) => {
      if (push[i] === 1 || follows === 0) return;
      const reason = reasons[i] ?? 'cost';
      pulledBy[reason] =
        (pulledBy[reason] ?? 0) + (s.edges / edges) * (reader.sample.follows / follows);
    });
    if (options.bounds) {
      high += s.inserts * pushedShare(pushes(policy, readers, s.minRate, s.minFollowers), readers);
      low += s.inserts * pushedShare(pushes(policy, readers, s.maxRate, s.maxFollowers), readers);
    }
    for (let i = 0; i < readers.length; i++) {
      if (push[i] === 1) inflow[i] = (inflow[i] ?? 0) + s.inserts / edges;
      else pulled[i] = (pulled[i] ?? 0) + s.edges / edges;
    }
  }
  // Delta method: the estimate is sum(f y) / sum(f) over readers, y = inserts a day their kind of
  // consumer would receive from all producers (inflow x edges), f = accounts followed.
  let squares = 0;
  readers.forEach((reader, i) => {
    const deviation = (inflow[i] ?? 0) * edges - insertsPerDay;
    squares += (reader.sample.follows * deviation) ** 2;
  });
  let entries = 0;
  let bytes = 0;
  const perRead: { value: number; weight: number }[] = [];
  readers.forEach((reader, i) => {
    const follows = reader.sample.follows;
    const feed = Math.min(params.maxLength, follows * (inflow[i] ?? 0) * params.historyDays);
    entries += feed;
    bytes += feedBytes(feed);
    perRead.push({ value: 1 + follows * (pulled[i] ?? 0), weight: reader.readRate });
  });
  const scale = workload.users / readers.length;
  const ranges = weightedStats(perRead);
  const top = biggest(workload);
  const topShare = pushedShare(pushes(policy, readers, top.postsPerDay, top.followers), readers);
  const topInserts = top.followers * topShare;
  const perSecond = (perDay: number) => perDay / 86_400;
  return {
    insertsPerDay,
    insertsPerSecond: perSecond(insertsPerDay),
    insertsPerSecondBounds: options.bounds
      ? [perSecond(low), perSecond(high)]
      : [perSecond(insertsPerDay), perSecond(insertsPerDay)],
    materializedEntries: entries * scale,
    redisBytes: bytes * scale,
    rangeReadsPerPage: ranges,
    edges: {
      pushed: Math.max(0, 1 - Object.values(pulledBy).reduce((a, b) => a + b, 0)),
      pulled: pulledBy,
    },
    insertsPerSecondStdError: follows === 0 ? 0 : perSecond(Math.sqrt(squares) / follows),
    entriesFetchedPerPage: params.pageSize * ranges.mean,
    biggestAccount: {
      ...top,
      inserts: topInserts,
      writeMs: (topInserts / params.insertsPerSecond) * 1000,
    },
  };
}

/** The most followed producer. */
function biggest(workload: Workload): { followers: number; postsPerDay: number } {
  let best = 0;
  workload.followers.forEach((d, i) => {
    if (d > (workload.followers[best] ?? 0)) best = i;
  });
  return { followers: workload.followers[best] ?? 0, postsPerDay: workload.postsPerDay[best] ?? 0 };
}

/** Weighted mean, median and 99th percentile (all weights 0: unweighted). */
export function weightedStats(values: readonly { value: number; weight: number }[]): ReadWork {
  const total = values.reduce((sum, v) => sum + v.weight, 0);
  const items = total > 0 ? values : values.map((v) => ({ value: v.value, weight: 1 }));
  const sum = total > 0 ? total : values.length;
  const sorted = [...items].sort((a, b) => a.value - b.value);
  const at = (p: number) => {
    let seen = 0;
    for (const v of sorted) {
      seen += v.weight;
      if (seen >= p * sum) return v.value;
    }
    return sorted.at(-1)?.value ?? 0;
  };
  const mean = sum === 0 ? 0 : items.reduce((acc, v) => acc + v.value * v.weight, 0) / sum;
  return { mean, p50: at(0.5), p99: at(0.99) };
}

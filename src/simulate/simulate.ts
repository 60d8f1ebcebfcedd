/**
 * The capacity simulator: pure push against the hybrid policy on a power-law follow graph.
 * @module
 */
import { type ResolvedFanoutPolicy, resolveFanoutPolicy } from '../fanout/policy.js';
import { generateGraph } from './graph.js';
import { type ModeReport, runModel } from './model.js';
import { type ResolvedSimulationOptions, resolveSimulationOptions } from './options.js';
import { createRandom } from './random.js';
import { stratify } from './strata.js';
import { generateWorkload, type Workload } from './workload.js';

/** The target: hybrid inserts at most this share of pure push inserts. */
export const INSERTS_TARGET = 0.2;

/** One point of a pushBias sweep. */
export interface SweepPoint {
  readonly pushBias: number;
  /** Hybrid inserts/s at this pushBias. */
  readonly insertsPerSecond: number;
  /** Hybrid inserts as a share of pure push. */
  readonly insertsRatio: number;
  /** Mean range reads per page at this pushBias. */
  readonly rangeReadsPerPage: number;
}

/** The result of {@link simulate}. */
export interface SimulationReport {
  /** The options used, defaults applied. */
  readonly options: ResolvedSimulationOptions;
  /** The hybrid policy used. */
  readonly policy: ResolvedFanoutPolicy;
  /** Graph facts: follow edges, the top follower counts, celebrities, strata modelled. */
  readonly graph: {
    readonly edges: number;
    readonly topFollowers: readonly number[];
    /** Accounts with more followers than the policy's maxPushFollowers (always pulled). */
    readonly celebrities: number;
    readonly strata: number;
  };
  readonly push: ModeReport;
  readonly hybrid: ModeReport;
  /** Hybrid inserts / pure push inserts. */
  readonly insertsRatio: number;
  /** Whether `insertsRatio` <= {@link INSERTS_TARGET}. */
  readonly targetMet: boolean;
  /** Hybrid figures for a range of pushBias values (empty unless asked). */
  readonly sweep: readonly SweepPoint[];
}

/** Options of {@link simulate} that shape the run rather than the model. */
export interface SimulateRunOptions {
  /** pushBias values to sweep (for the chart). @default [] */
  readonly sweep?: readonly number[];
}

/** The workload of a run, reproducible from the options' seed. */
export function buildWorkload(options: ResolvedSimulationOptions): Workload {
  const random = createRandom(options.seed);
  const graph = generateGraph(options, random);
  return generateWorkload(graph, options, random);
}

/**
 * Runs the simulator: builds the graph and workload from the options, and models pure push and
 * the hybrid policy. Throws `INVALID_OPTION` for a bad option before doing any work.
 * @example
 * const report = simulate({ users: 100_000, policy: { pushBias: 2 } });
 * report.insertsRatio; // hybrid inserts / pure push inserts
 */
export function simulate(options?: unknown, run: SimulateRunOptions = {}): SimulationReport {
  const o = resolveSimulationOptions(options);
  const policy = resolveFanoutPolicy({ ...o.policy, mode: 'hybrid' }, 'simulate: policy');
  const sweep = run.sweep ?? [];
  for (const bias of sweep) resolveFanoutPolicy({ ...policy, pushBias: bias }, 'simulate: sweep');
  return simulateWorkload(buildWorkload(o), o, policy, sweep);
}

/** {@link simulate} on a given workload (for hand-made workloads in tests). */
export function simulateWorkload(
  workload: Workload,
  options: ResolvedSimulationOptions,
  policy: ResolvedFanoutPolicy,
  sweep: readonly number[] = [],
): SimulationReport {
  const strata = stratify(workload, policy.maxPushFollowers, policy.maxPushRate);
  const push = runModel(workload, strata, { ...policy, mode: 'push' }, options);
  const hybrid = runModel(workload, strata, policy, options, { bounds: true });
  const ratio = (r: ModeReport) =>
    push.insertsPerDay === 0 ? 0 : r.insertsPerDay / push.insertsPerDay;
  const sorted = [...workload.followers].sort((a, b) => b - a);
  let edges = 0;
  for (const d of workload.followers) edges += d;
  return {
    options,
    policy,
    graph: {
      edges,
      topFollowers: sorted.slice(0, 5),
      celebrities: sorted.filter((d) => d > policy.maxPushFollowers).length,
      strata: strata.length,
    },
    push,
    hybrid,
    insertsRatio: ratio(hybrid),
    targetMet: ratio(hybrid) <= INSERTS_TARGET,
    sweep: sweep.map((pushBias) => {
      const r = runModel(workload, strata, { ...policy, pushBias }, options);
      return {
        pushBias,
        insertsPerSecond: r.insertsPerSecond,
        insertsRatio: ratio(r),
        rangeReadsPerPage: r.rangeReadsPerPage.mean,
      };
    }),
  };
}

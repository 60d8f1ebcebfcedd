import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { show } from '../../validation/show.js';
import { intValue } from '../../validation/values.js';
import type { Task } from '../task.js';
import { invalid } from './connection.js';

/** The BullMQ job options a {@link createBullmqQueue} lets you change (the rest it sets itself). */
export type BullmqJobOptions = Pick<
  JobsOptions,
  'attempts' | 'backoff' | 'removeOnComplete' | 'removeOnFail' | 'stackTraceLimit'
>;

/**
 * Defaults: 5 attempts with exponential backoff from 1 s (1, 2, 4, 8 s between tries), and Redis
 * memory bounded by keeping only the last 1,000 completed and 5,000 failed jobs per queue (BullMQ
 * keeps every job forever by default, about 1.3 KB each).
 */
export const DEFAULT_JOB_OPTIONS: Readonly<BullmqJobOptions> = Object.freeze({
  attempts: 5,
  backoff: Object.freeze({ type: 'exponential', delay: 1000 }),
  removeOnComplete: Object.freeze({ count: 1000 }),
  removeOnFail: Object.freeze({ count: 5000 }),
});

const JOB_KEYS = optionKeys<BullmqJobOptions>({
  attempts: true,
  backoff: true,
  removeOnComplete: true,
  removeOnFail: true,
  stackTraceLimit: true,
});

/**
 * The defaults overridden by `options`; rejects other keys (jobId, priority, deduplication...)
 * with `INVALID_OPTION`. `attempts` and `stackTraceLimit` must be integers; `backoff` a number
 * or an object with a `type`; `removeOnComplete` / `removeOnFail` a boolean, a number or an
 * object (their inner fields are BullMQ's to check).
 */
export function resolveJobOptions(options: unknown, what: string): Readonly<BullmqJobOptions> {
  if (options === undefined) return DEFAULT_JOB_OPTIONS;
  const where = `${what} jobOptions`;
  const o = checkOptions<BullmqJobOptions>(options, JOB_KEYS, where);
  const merged = { ...DEFAULT_JOB_OPTIONS, ...o };
  intValue(merged.attempts, { name: 'attempts', where }, 1);
  if (o.stackTraceLimit !== undefined)
    intValue(o.stackTraceLimit, { name: 'stackTraceLimit', where }, 0);
  const backoff: unknown = o.backoff;
  if (
    backoff !== undefined &&
    typeof backoff !== 'number' &&
    typeof (backoff as { type?: unknown } | null)?.type !== 'string'
  ) {
    throw invalid(
      `${where}: backoff must be a number or { type, delay }, got ${show(backoff)}`,
      'backoff',
    );
  }
  for (const key of ['removeOnComplete', 'removeOnFail'] as const) {
    const value: unknown = o[key];
    const ok =
      value === undefined ||
      typeof value === 'boolean' ||
      typeof value === 'number' ||
      (typeof value === 'object' && value !== null && !Array.isArray(value));
    if (!ok) {
      throw invalid(
        `${where}: ${key} must be a boolean, a number or { age, count }, got ${show(value)}`,
        key,
      );
    }
  }
  return Object.freeze(merged);
}

/**
 * A deterministic digest of a task's content (128 bits, base64url). It is the job's BullMQ
 * deduplication id: enqueuing the same task again while the first job is still waiting, delayed
 * or running adds no second job (the batch gets the first job's id). It is deliberately not the
 * job id: BullMQ keeps a job id taken while the job is retained (completed or failed), which
 * would silently drop a legitimate later task with the same content, e.g. a second follow after
 * an unfollow.
 */
export function taskDigest(task: Task): string {
  const record = task as unknown as Record<string, unknown>;
  // The trace context is not part of the work: the same task from two traced calls is one job.
  const canonical = Object.keys(record)
    .filter((key) => key !== 'trace')
    .sort()
    .map((key) => [key, record[key]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

/** The id of a job in a TaskBatch and in {@link FailedTask}: `<queue name>:<BullMQ job id>`. */
export function batchJobId(queueName: string, jobId: string): string {
  return `${queueName}:${jobId}`;
}

/** Splits a batch job id into its queue name and BullMQ job id, or undefined. */
export function splitJobId(id: string): { queueName: string; jobId: string } | undefined {
  const at = typeof id === 'string' ? id.indexOf(':') : -1;
  if (at <= 0 || at === id.length - 1) return undefined;
  return { queueName: id.slice(0, at), jobId: id.slice(at + 1) };
}

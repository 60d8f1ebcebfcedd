import { createHash } from 'node:crypto';
import type { JobsOptions } from 'bullmq';
import type { Task } from '../task.js';
import { invalid } from './connection.js';

/** The BullMQ job options a {@link bullmqQueue} lets you change (the rest it sets itself). */
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

const ALLOWED = new Set([
  'attempts',
  'backoff',
  'removeOnComplete',
  'removeOnFail',
  'stackTraceLimit',
]);

/** The defaults overridden by `options`; rejects other keys (jobId, priority, deduplication...). */
export function resolveJobOptions(options: unknown, what: string): Readonly<BullmqJobOptions> {
  if (options === undefined) return DEFAULT_JOB_OPTIONS;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(`${what}: jobOptions must be an object`, 'jobOptions');
  }
  for (const key of Object.keys(options)) {
    if (!ALLOWED.has(key)) {
      throw invalid(
        `${what}: jobOptions.${key} is not supported; allowed: ${[...ALLOWED].join(', ')}`,
        'jobOptions',
      );
    }
  }
  const merged = { ...DEFAULT_JOB_OPTIONS, ...(options as BullmqJobOptions) };
  if (!Number.isSafeInteger(merged.attempts) || (merged.attempts as number) < 1) {
    throw invalid(
      `${what}: jobOptions.attempts must be a positive integer, got ${String(merged.attempts)}`,
      'jobOptions',
    );
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
  const canonical = Object.keys(record)
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

import type { Job, Queue } from 'bullmq';
import { checkOptions, optionKeys } from '../../validation/options.js';
import type { TaskPriority } from '../task.js';
import { invalid, positiveInt } from './connection.js';
import { batchJobId, splitJobId } from './jobs.js';

/** A job that failed for good: its retries are exhausted, or it was malformed. */
export interface FailedTask {
  /** `<queue name>:<job id>`, as in a TaskBatch's `ids`. */
  readonly id: string;
  /** Priority of the queue it was in. */
  readonly priority: TaskPriority;
  /** BullMQ queue name. */
  readonly queue: string;
  /** BullMQ job id. */
  readonly jobId: string;
  /** Job name: the task type (`fanout`, `follow`, `unfollow`) or whatever a foreign job used. */
  readonly name: string;
  /** The job's payload: a task, or what a malformed job carried. */
  readonly data: unknown;
  /** Why it failed, e.g. `INVALID_TASK: invalid task: unsupported task version 2; ...`. */
  readonly reason: string;
  /** Attempts made (1 for a malformed job: it is never retried). */
  readonly attemptsMade: number;
  /** When it failed. */
  readonly failedAt: Date | undefined;
}

/** Options of `listFailed`. */
export interface ListFailedOptions {
  /** Most jobs returned. @default 100 */
  readonly limit?: number | undefined;
  /** Only this priority's queue. @default both */
  readonly priority?: TaskPriority | undefined;
}

/** Options of `retryFailed`. */
export interface RetryFailedOptions {
  /** Only these jobs (ids from `listFailed` or a batch). @default every failed job */
  readonly ids?: readonly string[] | undefined;
  /** Only this priority's queue. @default both */
  readonly priority?: TaskPriority | undefined;
}

type Queues = Readonly<Record<TaskPriority, Queue>>;

const LIST_KEYS = optionKeys<ListFailedOptions>({ limit: true, priority: true });
const RETRY_KEYS = optionKeys<RetryFailedOptions>({ ids: true, priority: true });

function selected(queues: Queues, priority: unknown): [TaskPriority, Queue][] {
  if (priority === undefined)
    return [
      ['high', queues.high],
      ['low', queues.low],
    ];
  if (priority !== 'high' && priority !== 'low') {
    throw invalid(`priority must be 'high' or 'low', got ${String(priority)}`, 'priority');
  }
  return [[priority, queues[priority]]];
}

/** Failed jobs of the selected queues, newest first. */
export async function listFailedJobs(
  queues: Queues,
  options?: ListFailedOptions,
): Promise<FailedTask[]> {
  options = checkOptions<ListFailedOptions>(options, LIST_KEYS, 'listFailed', true);
  const limit = positiveInt(options.limit, 100, 'limit', 'listFailed');
  const out: FailedTask[] = [];
  for (const [priority, queue] of selected(queues, options.priority)) {
    for (const job of await queue.getFailed(0, limit - 1)) {
      if (job?.id !== undefined) out.push(describeFailed(priority, queue, job));
    }
  }
  out.sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0));
  return out.slice(0, limit);
}

function describeFailed(priority: TaskPriority, queue: Queue, job: Job): FailedTask {
  const jobId = job.id ?? '';
  return Object.freeze({
    id: batchJobId(queue.name, jobId),
    priority,
    queue: queue.name,
    jobId,
    name: job.name,
    data: job.data as unknown,
    reason: job.failedReason ?? '',
    attemptsMade: job.attemptsMade,
    failedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn),
  });
}

/**
 * Moves failed jobs back to their queue with their attempts reset. The failed set is read once
 * first, so a job that fails again at once is not retried twice in one call.
 */
export async function retryFailedJobs(
  queues: Queues,
  options?: RetryFailedOptions,
): Promise<number> {
  options = checkOptions<RetryFailedOptions>(options, RETRY_KEYS, 'retryFailed', true);
  const targets: [Queue, string][] = [];
  const chosen = selected(queues, options.priority);
  if (options.ids !== undefined) {
    if (!Array.isArray(options.ids)) throw invalid('retryFailed: ids must be an array', 'ids');
    for (const id of options.ids) {
      const parts = splitJobId(id);
      const queue = chosen.find(([, q]) => q.name === parts?.queueName)?.[1];
      if (!parts || !queue) {
        throw invalid(
          `retryFailed: ${JSON.stringify(id)} is not a job id of queues ${chosen.map(([, q]) => q.name).join(', ')}`,
          'ids',
        );
      }
      targets.push([queue, parts.jobId]);
    }
  } else {
    for (const [, queue] of chosen) {
      for (const jobId of await queue.getRanges(['failed'], 0, -1)) targets.push([queue, jobId]);
    }
  }
  let retried = 0;
  for (let i = 0; i < targets.length; i += 100) {
    const results = await Promise.all(
      targets.slice(i, i + 100).map(async ([queue, jobId]) => {
        const job = await queue.getJob(jobId);
        if (!job || (await queue.getJobState(jobId)) !== 'failed') return false;
        try {
          await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
          return true;
        } catch (error) {
          // Retried (or removed) by someone else in between: not ours to count.
          if ((await queue.getJobState(jobId)) !== 'failed') return false;
          throw error;
        }
      }),
    );
    retried += results.filter(Boolean).length;
  }
  return retried;
}

import { Queue } from 'bullmq';
import { BackendError, backendCall, ClosedError } from '../../errors.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import type { Task, TaskPriority } from '../task.js';
import {
  completedBatch,
  type EnqueueOptions,
  type TaskBatch,
  type TaskQueue,
} from '../task-queue.js';
import {
  type BullmqConnection,
  checkConnection,
  checkNames,
  DEFAULT_PREFIX,
  invalid,
  isCluster,
  positiveInt,
  type QueueNames,
} from './connection.js';
import {
  type FailedTask,
  type ListFailedOptions,
  listFailedJobs,
  type RetryFailedOptions,
  retryFailedJobs,
} from './failed-jobs.js';
import { JobWatcher } from './job-watcher.js';
import { type BullmqJobOptions, batchJobId, resolveJobOptions, taskDigest } from './jobs.js';

/** Options of {@link createBullmqQueue}. */
export interface BullmqQueueOptions {
  /** An ioredis client you own, single node or cluster; never closed by the queue. */
  readonly connection: BullmqConnection;
  /**
   * BullMQ key prefix. On Redis Cluster it (or each queue name) must carry a hash tag.
   * @default '{sf}'
   */
  readonly prefix?: string | undefined;
  /** Names of the high- and low-priority queues. @default { high: 'high', low: 'low' } */
  readonly queueNames?: Partial<QueueNames> | undefined;
  /** Attempts, backoff and retention of the jobs (see {@link DEFAULT_JOB_OPTIONS}). */
  readonly jobOptions?: BullmqJobOptions | undefined;
  /** How often `done()` re-reads the state of jobs still pending, in ms. @default 1000 */
  readonly pollInterval?: number | undefined;
}

/** Job counts of one queue by state (`waiting`, `active`, `completed`, `failed`, `delayed`...). */
export type JobCounts = Readonly<Record<string, number>>;

/** A {@link TaskQueue} on BullMQ: what {@link createBullmqQueue} returns. */
export interface BullmqTaskQueue extends TaskQueue {
  /** Always `'bullmq'`. */
  readonly name: 'bullmq';
  /** The connection the queue was given. */
  readonly connection: BullmqConnection;
  /** BullMQ key prefix of both queues. */
  readonly prefix: string;
  /** Queue names by priority. */
  readonly queueNames: QueueNames;
  /** The job options in force (defaults merged with yours). */
  readonly jobOptions: Readonly<BullmqJobOptions>;
  /**
   * Adds the tasks as jobs to the queue of their priority with one `addBulk` per 1,000 tasks.
   * `run` is ignored: workers ({@link createWorker}) run the tasks.
   */
  enqueue(
    tasks: readonly Task[],
    options: EnqueueOptions,
    run: (task: Task) => Promise<void>,
  ): Promise<TaskBatch>;
  /** Failed jobs (retries exhausted, or malformed), newest first, with their reasons. */
  listFailed(options?: ListFailedOptions): Promise<FailedTask[]>;
  /** Moves failed jobs back to their queue with fresh attempts; resolves to how many moved. */
  retryFailed(options?: RetryFailedOptions): Promise<number>;
  /** Job counts of each queue by state. */
  jobCounts(): Promise<Readonly<Record<TaskPriority, JobCounts>>>;
  /**
   * Refuses new tasks (`enqueue` rejects with a `ClosedError`), waits for the `enqueue` calls in
   * flight, then closes what the queue opened (not the connection you gave it); pending `done()`
   * reject. Idempotent: every call returns the same promise.
   */
  close(): Promise<void>;
}

const BULK = 1000;
const WHAT = 'createBullmqQueue';

const QUEUE_KEYS = optionKeys<BullmqQueueOptions>({
  connection: true,
  prefix: true,
  queueNames: true,
  jobOptions: true,
  pollInterval: true,
});

/**
 * A task queue on BullMQ, so that fan-out, removal, follow and unfollow run in worker processes
 * ({@link createWorker}, or `npx stream-framework worker`). High and low priority go to separate
 * BullMQ queues, so a flood of low-priority fan-out never delays high-priority work. Jobs are
 * JSON tasks, deduplicated by a digest of their content while pending, retried with exponential
 * backoff, and only the newest completed and failed jobs are kept. The batch a manager call
 * returns gives the job ids, and `await handle.done()` waits until the workers ran them.
 * @example
 * const connection = new Redis(process.env.REDIS_URL);
 * const manager = createManager({ ..., queue: createBullmqQueue({ connection }) });
 * const handle = await manager.addUserActivity(1, activity);
 * await handle.done(); // read-your-writes: every follower feed has the activity
 */
export function createBullmqQueue(options: BullmqQueueOptions): BullmqTaskQueue {
  checkOptions(options, QUEUE_KEYS, WHAT);
  if (typeof options !== 'object' || options === null) {
    throw invalid(`${WHAT}: options must be an object`, 'options');
  }
  const { connection } = options;
  checkConnection(connection, WHAT, false);
  const { prefix, queueNames } = checkNames(
    options.prefix ?? DEFAULT_PREFIX,
    options.queueNames,
    isCluster(connection),
    WHAT,
  );
  const jobOptions = resolveJobOptions(options.jobOptions, WHAT);
  const pollMs = positiveInt(options.pollInterval, 1000, 'pollInterval', WHAT);

  const open = (priority: TaskPriority) => {
    const queue = new Queue(queueNames[priority], {
      connection,
      prefix,
      defaultJobOptions: jobOptions,
    });
    // Errors of the shared connection surface as rejected enqueue / done calls.
    queue.on('error', () => {});
    return { queue, watcher: new JobWatcher(queue, connection, prefix, pollMs) };
  };
  const queues = { high: open('high'), low: open('low') };
  let closing: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();

  function enqueue(tasks: readonly Task[], options: EnqueueOptions): Promise<TaskBatch> {
    if (closing) return Promise.reject(new ClosedError(`[bullmq] ${WHAT}: the queue is closed`));
    const adding = addJobs(tasks, options);
    inFlight.add(adding);
    const forget = () => inFlight.delete(adding);
    adding.then(forget, forget);
    return adding;
  }

  async function addJobs(tasks: readonly Task[], { priority }: EnqueueOptions) {
    const target = priority === 'high' || priority === 'low' ? queues[priority] : undefined;
    if (!target) {
      throw invalid(
        `enqueue: priority must be 'high' or 'low', got ${String(priority)}`,
        'priority',
      );
    }
    if (tasks.length === 0) return completedBatch([]);
    const jobIds: string[] = [];
    for (let i = 0; i < tasks.length; i += BULK) {
      const jobs = await call(`enqueue to ${target.queue.name}`, () =>
        target.queue.addBulk(
          tasks.slice(i, i + BULK).map((task) => ({
            name: task.type,
            data: task,
            opts: { deduplication: { id: taskDigest(task) } },
          })),
        ),
      );
      for (const job of jobs) {
        if (job.id === undefined)
          throw new BackendError('[bullmq] addBulk returned a job without id');
        jobIds.push(job.id);
      }
    }
    return trackedBatch(target.queue.name, target.watcher, jobIds);
  }

  return Object.freeze({
    name: 'bullmq' as const,
    connection,
    prefix,
    queueNames,
    jobOptions,
    enqueue,
    listFailed: (opts?: ListFailedOptions) =>
      call('listFailed', () => listFailedJobs(queuesOf(queues), opts)),
    retryFailed: (opts?: RetryFailedOptions) =>
      call('retryFailed', () => retryFailedJobs(queuesOf(queues), opts)),
    jobCounts: () =>
      call('jobCounts', async () =>
        Object.freeze({
          high: Object.freeze(await queues.high.queue.getJobCounts()),
          low: Object.freeze(await queues.low.queue.getJobCounts()),
        }),
      ),
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...inFlight]); // enqueues already started add their jobs
        const all = [queues.high, queues.low];
        await Promise.all(all.map((q) => q.watcher.close()));
        await Promise.all(all.map((q) => q.queue.close()));
      })();
      return closing;
    },
  });
}

const queuesOf = (queues: Record<TaskPriority, { queue: Queue }>) => ({
  high: queues.high.queue,
  low: queues.low.queue,
});

/** A batch whose progress comes from the queue's {@link JobWatcher}. */
function trackedBatch(
  queueName: string,
  watcher: JobWatcher,
  jobIds: readonly string[],
): TaskBatch {
  const ids = Object.freeze(jobIds.map((id) => batchJobId(queueName, id)));
  const completed = new Set<string>();
  const unique = [...new Set(jobIds)];
  const wait = () => watcher.wait(unique, (id) => completed.add(id));
  let watching = false;
  return Object.freeze({
    ids,
    total: ids.length,
    completed() {
      // Starts following the jobs in the background, so later calls report progress.
      if (!watching) {
        watching = true;
        wait().catch(() => {}); // a failure is for done() to report
      }
      return jobIds.filter((id) => completed.has(id)).length;
    },
    // Each call reads the jobs afresh: after retryFailed, done() waits for the new run.
    done: wait,
  });
}

/** Runs a BullMQ call, turning unexpected failures into BackendErrors (`backendCall`). */
function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return backendCall('bullmq', operation, undefined, fn);
}

import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { errorMessage, type Logger, log, loggerOption } from '../../metrics/logger.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { show } from '../../validation/show.js';
import { fnOptionOr } from '../../validation/values.js';
import type { TaskPriority } from '../task.js';
import {
  type BullmqConnection,
  checkConnection,
  checkNames,
  DEFAULT_PREFIX,
  invalid,
  isCluster,
  PRIORITY_KEYS,
  positiveInt,
  type QueueNames,
} from './connection.js';
import { isPermanent, jobError } from './job-errors.js';
import { batchJobId } from './jobs.js';

/** What a worker needs of a manager: `runTask` (and its queue, for the defaults). */
export interface WorkerManager {
  /** Validates and runs one task (`manager.runTask`). */
  runTask(task: unknown): Promise<void>;
  /** The manager's queue: when it is a {@link createBullmqQueue}, its prefix and names are the defaults. */
  readonly queue?: unknown;
}

/** A job attempt that failed, as told to {@link CreateWorkerOptions.onFailed}. */
export interface JobFailure {
  /** `<queue name>:<job id>`. */
  readonly id: string;
  /** Priority of the job's queue. */
  readonly priority: TaskPriority;
  /** Job name (the task type). */
  readonly name: string;
  /** Attempts made so far, this one included. */
  readonly attemptsMade: number;
  /** Attempts allowed. */
  readonly attempts: number;
  /** A malformed task (ValidationError and the like): failed for good on the first attempt. */
  readonly permanent: boolean;
  /** Whether BullMQ will try the job again (after its backoff). */
  readonly willRetry: boolean;
  /** The failure reason stored with the job. */
  readonly reason: string;
}

/** Options of {@link createWorker}. */
export interface CreateWorkerOptions {
  /** The manager whose `runTask` runs each job (`createManager(...)`, built as in the web process). */
  readonly manager: WorkerManager;
  /** An ioredis client you own, created with `maxRetriesPerRequest: null`; never closed here. */
  readonly connection: BullmqConnection;
  /** Jobs run at once, per priority queue. @default 10 for each */
  readonly concurrency?: number | { readonly high?: number; readonly low?: number } | undefined;
  /** BullMQ key prefix. @default the manager's createBullmqQueue prefix, else '{sf}' */
  readonly prefix?: string | undefined;
  /** Queue names. @default the manager's createBullmqQueue names, else { high: 'high', low: 'low' } */
  readonly queueNames?: Partial<QueueNames> | undefined;
  /** Worker name, stored on each job it processes (BullMQ `processedBy`). */
  readonly name?: string | undefined;
  /** When a job whose worker died is taken over (BullMQ's stalled-job settings). @default see {@link WorkerStalls} */
  readonly stalls?: WorkerStalls | undefined;
  /** Called after each failed attempt. @default nothing */
  readonly onFailed?: ((failure: JobFailure) => void) | undefined;
  /**
   * Called on worker errors (e.g. a lost connection). @default the logger's `error` when a
   * logger is given, else console.error; once per message per 10 s either way
   */
  readonly onError?: ((error: Error) => void) | undefined;
  /**
   * Where the worker logs (pino-compatible, see {@link Logger}): started and stopped (info), a job
   * attempt that failed and will be retried (warn), a job that gave up or was malformed (error).
   * Job ids, task kinds and counts only, never task payloads. @default silent (errors: see onError)
   */
  readonly logger?: Logger | undefined;
}

/**
 * BullMQ's stalled-job settings (`stalls` of {@link CreateWorkerOptions}): a job whose worker died
 * (SIGKILL, crash) is taken over by another worker once its lock expires.
 */
export interface WorkerStalls {
  /** How long a job's lock lasts without renewal, in ms. @default 30000 */
  readonly lockDuration?: number | undefined;
  /** How often stalled jobs (of dead workers) are looked for, in ms. @default 30000 */
  readonly stalledInterval?: number | undefined;
  /** Times a job may stall and be recovered before it fails. @default 1 */
  readonly maxStalledCount?: number | undefined;
}

/** A running worker: what {@link createWorker} returns. */
export interface TaskWorker {
  /** BullMQ key prefix it consumes. */
  readonly prefix: string;
  /** Queue names it consumes. */
  readonly queueNames: QueueNames;
  /** Concurrency per priority. */
  readonly concurrency: Readonly<Record<TaskPriority, number>>;
  /** Resolves once both queues' workers are connected. */
  ready(): Promise<void>;
  /**
   * Graceful shutdown: stops taking jobs, waits for the jobs in flight to finish, then closes
   * the connections BullMQ duplicated (not the one you gave). Safe to call more than once.
   */
  close(): Promise<void>;
}

const WHAT = 'createWorker';

const STALL_KEYS = optionKeys<WorkerStalls>({
  lockDuration: true,
  stalledInterval: true,
  maxStalledCount: true,
});

/** Worker options of earlier versions, with what to use instead. */
const MOVED = {
  lockDuration: 'use stalls: { lockDuration }',
  stalledInterval: 'use stalls: { stalledInterval }',
  maxStalledCount: 'use stalls: { maxStalledCount }',
};

const WORKER_KEYS = optionKeys<CreateWorkerOptions>({
  manager: true,
  connection: true,
  concurrency: true,
  prefix: true,
  queueNames: true,
  name: true,
  stalls: true,
  onFailed: true,
  onError: true,
  logger: true,
});

/**
 * Runs the tasks of a {@link createBullmqQueue} in this process: one BullMQ worker per priority queue,
 * so high-priority jobs never wait behind low-priority ones, each calling `manager.runTask`. A
 * malformed job (wrong version, unknown feed, undecodable activity: a ValidationError) fails for
 * good at once with its reason, without retries, and the worker goes on; any other error (a
 * BackendError...) is retried with the queue's backoff. A job whose worker died (SIGKILL, crash)
 * is taken over by another worker once its lock expires. Handlers are idempotent, so a job run
 * twice leaves the feeds as one run would.
 * @example
 * const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
 * const worker = createWorker({ manager, connection, concurrency: 20 });
 * process.once('SIGTERM', () => worker.close().then(() => process.exit(0)));
 */
export function createWorker(options: CreateWorkerOptions): TaskWorker {
  checkOptions(options, WORKER_KEYS, WHAT, false, { moved: MOVED });
  if (typeof options !== 'object' || options === null) {
    throw invalid(`${WHAT}: options must be an object`, 'options');
  }
  const { manager, connection } = options;
  if (typeof manager?.runTask !== 'function') {
    throw invalid(`${WHAT}: manager must be a manager from createManager()`, 'manager');
  }
  checkConnection(connection, WHAT, true);
  const fromQueue = queueDefaults(manager.queue);
  for (const option of ['prefix', 'queueNames'] as const) {
    const given = options[option];
    if (
      given !== undefined &&
      fromQueue &&
      JSON.stringify(given) !== JSON.stringify(fromQueue[option])
    ) {
      throw invalid(
        `${WHAT}: ${option} ${JSON.stringify(given)} differs from the manager's createBullmqQueue ${option} ${JSON.stringify(fromQueue[option])}: the worker would wait on queues nobody fills`,
        option,
      );
    }
  }
  const { prefix, queueNames } = checkNames(
    options.prefix !== undefined ? options.prefix : (fromQueue?.prefix ?? DEFAULT_PREFIX),
    options.queueNames !== undefined ? options.queueNames : fromQueue?.queueNames,
    isCluster(connection),
    WHAT,
  );
  const concurrency = concurrencyOf(options.concurrency);
  const stalls = checkOptions<WorkerStalls>(options.stalls, STALL_KEYS, WHAT, true, {
    path: 'stalls',
  });
  const settings = {
    lockDuration: positiveInt(stalls.lockDuration, 30_000, 'stalls.lockDuration', WHAT),
    stalledInterval: positiveInt(stalls.stalledInterval, 30_000, 'stalls.stalledInterval', WHAT),
    maxStalledCount: positiveInt(stalls.maxStalledCount, 1, 'stalls.maxStalledCount', WHAT),
  };
  const logger = loggerOption(options.logger, WHAT);
  const onError = fnOptionOr<(error: Error) => void, (error: Error) => void>(
    options.onError,
    logOncePer(10_000, logger),
    `${WHAT} onError`,
  );
  const onFailed = fnOptionOr<(failure: JobFailure) => void, undefined>(
    options.onFailed,
    undefined,
    `${WHAT} onFailed`,
  );
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw invalid(`${WHAT}: name must be a string, got ${show(options.name)}`, 'name');
  }

  const processor = async (job: Job) => {
    try {
      await manager.runTask(job.data);
    } catch (error) {
      throw jobError(error);
    }
  };
  const start = (priority: TaskPriority): Worker => {
    const worker = new Worker(queueNames[priority], processor, {
      connection,
      prefix,
      concurrency: concurrency[priority],
      ...settings,
      ...(options.name === undefined ? {} : { name: options.name }),
    });
    worker.on('error', (error) => onError(error));
    worker.on('failed', (job, error) => {
      if (!job || (!onFailed && !logger)) return;
      const attempts = Math.max(1, job.opts.attempts ?? 1); // 0 means one attempt
      const permanent = error instanceof UnrecoverableError || isPermanent(error);
      const failure: JobFailure = Object.freeze({
        id: batchJobId(worker.name, job.id ?? ''),
        priority,
        name: job.name,
        attemptsMade: job.attemptsMade,
        attempts,
        permanent,
        willRetry: !permanent && job.attemptsMade < attempts,
        reason: error.message,
      });
      if (logger) logFailure(logger, failure);
      onFailed?.(failure);
    });
    return worker;
  };
  // The high-priority worker starts first; each has its own fetch loop and concurrency.
  const workers = [start('high'), start('low')];
  const facts = { prefix, high: queueNames.high, low: queueNames.low };
  if (logger) {
    Promise.all(workers.map((w) => w.waitUntilReady())).then(
      () =>
        log(
          logger,
          'info',
          { ...facts, concurrencyHigh: concurrency.high, concurrencyLow: concurrency.low },
          'stream-framework: worker started',
        ),
      () => {}, // connection errors go to onError
    );
  }
  let closing: Promise<void> | undefined;
  return Object.freeze({
    prefix,
    queueNames,
    concurrency,
    ready: async () => {
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },
    close() {
      closing ??= Promise.all(workers.map((w) => w.close())).then(() => {
        log(logger, 'info', facts, 'stream-framework: worker stopped');
      });
      return closing;
    },
  });
}

/** A failed attempt: warn when BullMQ retries it, error when the job failed for good. */
function logFailure(logger: Logger, f: JobFailure): void {
  const fields = {
    job: f.id,
    task: f.name,
    priority: f.priority,
    attemptsMade: f.attemptsMade,
    attempts: f.attempts,
    permanent: f.permanent,
    err: errorMessage(f.reason),
  };
  if (f.willRetry) log(logger, 'warn', fields, 'stream-framework: job failed, will retry');
  else if (f.permanent)
    log(logger, 'error', fields, 'stream-framework: malformed job failed for good');
  else log(logger, 'error', fields, 'stream-framework: job gave up after its last attempt');
}

function queueDefaults(queue: unknown): { prefix: string; queueNames: QueueNames } | undefined {
  const q = queue as { name?: unknown; prefix?: unknown; queueNames?: QueueNames } | undefined;
  if (q?.name !== 'bullmq' || typeof q.prefix !== 'string' || typeof q.queueNames !== 'object') {
    return undefined;
  }
  return { prefix: q.prefix, queueNames: q.queueNames };
}

function concurrencyOf(value: CreateWorkerOptions['concurrency']): Record<TaskPriority, number> {
  const one = (n: unknown, option: string) => positiveInt(n, 10, option, WHAT, 1000);
  if (typeof value === 'object' && value !== null) {
    const o = checkOptions<Record<TaskPriority, number>>(
      value,
      PRIORITY_KEYS,
      `${WHAT} concurrency`,
    );
    return Object.freeze({
      high: one(o.high, 'concurrency.high'),
      low: one(o.low, 'concurrency.low'),
    });
  }
  const n = one(value, 'concurrency');
  return Object.freeze({ high: n, low: n });
}

/**
 * The logger's `error` (else console.error), but each distinct message at most once per `ms`
 * (a lost connection repeats).
 */
function logOncePer(ms: number, logger: Logger | undefined): (error: Error) => void {
  const last = new Map<string, number>();
  return (error) => {
    const now = Date.now();
    const message = error?.message ?? String(error);
    if ((last.get(message) ?? -Infinity) > now - ms) return;
    last.set(message, now);
    if (last.size > 100) last.clear();
    if (logger)
      log(logger, 'error', { err: errorMessage(message) }, 'stream-framework: worker error');
    else console.error(`[stream-framework/bullmq] worker error: ${message}`);
  };
}

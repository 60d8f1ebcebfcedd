/**
 * `stream-framework/bullmq`: fan-out, removal, follow and unfollow in worker processes, on
 * BullMQ (an optional peer dependency, with ioredis). The web process gives its manager a
 * {@link createBullmqQueue}; worker processes build the same manager and run {@link createWorker}, or
 * `npx stream-framework worker --config ./feeds.js`. You create and own the ioredis connections:
 * nothing here closes them.
 * @example
 * import { Redis } from 'ioredis';
 * import { createBullmqQueue, createWorker } from 'stream-framework/bullmq';
 * // web process
 * const manager = createManager({ ..., queue: createBullmqQueue({ connection: new Redis(url) }) });
 * await (await manager.addUserActivity(1, activity)).done();
 * // worker process
 * const connection = new Redis(url, { maxRetriesPerRequest: null });
 * const worker = createWorker({ manager, connection, concurrency: 20 });
 * @module
 */
export type { BullmqQueueOptions, BullmqTaskQueue, JobCounts } from './bullmq-queue.js';
export { createBullmqQueue } from './bullmq-queue.js';
export type { BullmqConnection, QueueNames } from './connection.js';
export type { FailedTask, ListFailedOptions, RetryFailedOptions } from './failed-jobs.js';
export type { BullmqJobOptions } from './jobs.js';
export type {
  CreateWorkerOptions,
  JobFailure,
  TaskWorker,
  WorkerManager,
  WorkerStalls,
} from './worker.js';
export { createWorker } from './worker.js';

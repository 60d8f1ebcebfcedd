// The config module of the benchmark's worker processes:
//   node dist/cli/main.js worker --config bench/lib/worker-config.mjs
// REDIS_URL, SF_PREFIX (feeds) and SF_QUEUE_PREFIX (BullMQ, with a hash tag) come from the bench.
import { Redis } from 'ioredis';
import { createBullmqQueue } from 'stream-framework/bullmq';
import { fanoutManager } from './bullmq-world.mjs';

const storageClient = new Redis(process.env.REDIS_URL);
export const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = createBullmqQueue({ connection, prefix: process.env.SF_QUEUE_PREFIX });
export const manager = fanoutManager(storageClient, process.env.SF_PREFIX, queue, 0);

export async function close() {
  await queue.close();
  await storageClient.quit();
  await connection.quit();
}

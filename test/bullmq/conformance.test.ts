// The manager conformance kit with every task going through BullMQ: each manager a test builds
// gets a createBullmqQueue of its own (unique prefix) and a worker in this process that runs what the
// queue delivers. The kit awaits each handle's done() before reading, so this checks read-your-
// writes through real jobs. Worker child processes are in the other files of this folder.
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { createBullmqQueue, createWorker, type TaskWorker } from '../../src/queue/bullmq/index.js';
import { parseTask } from '../../src/queue/task.js';
import {
  describeForeignIds,
  describeManager,
  type QueueUnderTest,
} from '../../src/testing/index.js';
import { deletePrefix, redisBackend, singleClient } from '../support/redis.js';
import { bullmqConnection } from './support.js';

const client = singleClient();
const connection = bullmqConnection();
after(async () => {
  await connection.quit();
  await client.quit();
});

/**
 * A createBullmqQueue plus a worker started on the first enqueue. The worker runs each job with the
 * manager's own runner, which the TaskQueue contract hands to `enqueue` (what `manager.runTask`
 * does: parse, then run). One attempt per job, so a failing task rejects done() as the kit
 * expects; concurrency 1, so tasks of one priority run in order (the metrics test reads it).
 */
function inProcessBullmq(): QueueUnderTest {
  const prefix = `{q${randomUUID().slice(0, 8)}}`;
  const queue = createBullmqQueue({
    connection,
    prefix,
    jobOptions: { attempts: 1 },
    pollInterval: 200,
  });
  let worker: TaskWorker | undefined;
  return {
    name: queue.name,
    enqueue(tasks, options, run) {
      worker ??= createWorker({
        manager: { runTask: (task) => run(parseTask(task)) },
        connection,
        prefix,
        concurrency: 1,
      });
      return queue.enqueue(tasks, options, run);
    },
    async close() {
      await worker?.close();
      await queue.close();
      await deletePrefix(client, prefix);
    },
  };
}

describeManager(
  { describe, test },
  { ...redisBackend('redis + bullmq', client), queue: inProcessBullmq },
);
// Foreign-id updates and removals through real jobs: receipts' done() waits for every feed.
describeForeignIds(
  { describe, test },
  { ...redisBackend('redis + bullmq', client), queue: inProcessBullmq },
);

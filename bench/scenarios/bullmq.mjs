// Scenario 2: fan-out of one activity to N follower feeds through BullMQ with 1 and 2 worker
// processes (the `stream-framework worker` CLI), from enqueue until every job is done, in feed
// inserts per second; baseline: the same fan-out with the inline queue in this process.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createBullmqQueue } from 'stream-framework/bullmq';
import { fanoutManager } from '../lib/bullmq-world.mjs';
import { rate, timed } from '../lib/measure.mjs';
import { activity, cleanup, fanoutWorld, storageOn } from './world.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

function startWorkers(count, env) {
  return Array.from({ length: count }, () =>
    spawn(
      process.execPath,
      [
        'dist/cli/main.js',
        'worker',
        '--config',
        'bench/lib/worker-config.mjs',
        '--concurrency',
        '4',
      ],
      {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'ignore'],
      },
    ),
  );
}

async function stopWorkers(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
}

export async function bullmq({ quick, clients, record, env }) {
  const client = clients.redis;
  if (!client) return;
  const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
  const repeats = quick ? 2 : 3;
  for (const workers of [1, 2]) {
    for (const n of sizes) {
      const prefix = `bench${randomUUID().slice(0, 6)}`;
      const queuePrefix = `{bq${randomUUID().slice(0, 6)}}`;
      const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
      const queue = createBullmqQueue({ connection, prefix: queuePrefix });
      const manager = fanoutManager(client, prefix, queue, n);
      const children = startWorkers(workers, {
        REDIS_URL: env.REDIS_URL,
        SF_PREFIX: prefix,
        SF_QUEUE_PREFIX: queuePrefix,
      });
      try {
        await (await manager.addUserActivity(0, activity(999_999, 0))).done(); // workers up and warm
        const lib = rate(
          n,
          await timed(repeats, async (_, i) =>
            (await manager.addUserActivity(0, activity(i, 0))).done(),
          ),
        );
        const base = rate(
          n,
          await timed(
            repeats,
            ({ inline }, i) => inline.addUserActivity(0, activity(i, 0)),
            async () => ({ inline: fanoutWorld(storageOn('redis', clients), n) }),
          ),
        );
        record({
          scenario: `fan-out via BullMQ, ${workers} worker process${workers > 1 ? 'es' : ''}`,
          backend: 'redis',
          n,
          metric: 'feed inserts/s',
          ...lib,
          baseline: base,
          baselineName: 'inline queue, same Redis',
        });
      } finally {
        await stopWorkers(children);
        await queue.close();
        await connection.quit();
        await cleanup(client);
      }
    }
  }
}

import type { BullmqConnection } from '../queue/bullmq/connection.js';
import type { JobFailure } from '../queue/bullmq/worker.js';
import { ConfigError, loadConfig, type WorkerConfig } from './config.js';

/** Options of {@link runWorker}, from the command line. */
export interface WorkerCommandOptions {
  /** Path of the config module, relative to the working directory. */
  readonly config: string;
  /** `--concurrency`: jobs at once per priority queue. */
  readonly concurrency?: number | undefined;
  /** `--name`: the worker name stored on each job. */
  readonly name?: string | undefined;
}

const log = (message: string) => console.error(`stream-framework worker: ${message}`);

/**
 * `stream-framework worker`: loads the config module, runs {@link createWorker} until SIGTERM or
 * SIGINT, then closes gracefully (the jobs in flight finish; a second signal exits at once with 1).
 * Resolves to the exit code.
 */
export async function runWorker(options: WorkerCommandOptions): Promise<number> {
  const { createWorker } = await importWorker();
  const config = await loadConfig(options.config, process.cwd());
  const { connection, owned } = await connectionOf(config);
  const stopped = new Promise<string>((resolve) => {
    let signalled = false;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (signalled) {
          log(`${signal} again: exiting without waiting for the jobs in flight`);
          process.exit(1);
        }
        signalled = true;
        resolve(signal);
      });
    }
  });
  const worker = createWorker({
    ...config.worker,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.name === undefined ? {} : { name: options.name }),
    manager: config.manager,
    connection,
    onFailed: (failure) => {
      config.worker?.onFailed?.(failure);
      log(describeFailure(failure));
    },
  });
  const { high, low } = worker.queueNames;
  const queues = `queues ${worker.prefix}:${high} and ${worker.prefix}:${low}`;
  log(`connecting to Redis (pid ${process.pid}, ${queues})`);
  // A signal while Redis is still unreachable stops the worker as well.
  const ready = worker.ready().then(() => {
    log(
      `ready (pid ${process.pid}, ${queues}, concurrency ${worker.concurrency.high}/${worker.concurrency.low})`,
    );
  });
  const signal = await Promise.race([stopped, ready.then(() => stopped)]);
  log(`${signal}: finishing the jobs in flight, taking no new ones`);
  await worker.close();
  if (owned) await connection.quit();
  await config.close?.();
  log('stopped');
  return 0;
}

async function importWorker(): Promise<typeof import('../queue/bullmq/worker.js')> {
  try {
    return await import('../queue/bullmq/worker.js');
  } catch (error) {
    throw new ConfigError(
      `the worker needs the bullmq and ioredis packages (npm install bullmq ioredis): ${(error as Error)?.message ?? error}`,
      { cause: error },
    );
  }
}

/** The config's connection, or one made from `redis` / REDIS_URL (which this command closes). */
async function connectionOf(
  config: WorkerConfig,
): Promise<{ connection: BullmqConnection; owned: boolean }> {
  if (config.connection !== undefined) return { connection: config.connection, owned: false };
  const target = config.redis ?? process.env.REDIS_URL;
  if (target === undefined || target === '') {
    throw new ConfigError(
      'no Redis to connect to: export `connection` or `redis` from the config module, or set REDIS_URL',
    );
  }
  const { Redis } = await import('ioredis');
  const connection =
    typeof target === 'string'
      ? new Redis(target, { maxRetriesPerRequest: null })
      : new Redis({ ...target, maxRetriesPerRequest: null });
  return { connection, owned: true };
}

function describeFailure(f: JobFailure): string {
  const outcome = f.permanent
    ? 'failed for good (malformed task, not retried)'
    : f.willRetry
      ? 'failed, will retry'
      : 'failed for good (no attempts left)';
  return `job ${f.id} (${f.name}) ${outcome}, attempt ${f.attemptsMade}/${f.attempts}: ${f.reason}`;
}

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RedisOptions } from 'ioredis';
import type { BullmqConnection } from '../queue/bullmq/connection.js';
import type { CreateWorkerOptions, WorkerManager } from '../queue/bullmq/worker.js';

/** What a worker config module exports (named exports, or the same keys on its default export). */
export interface WorkerConfig {
  /** The manager, built exactly as in the web process (same feeds, storage and queue). */
  readonly manager: WorkerManager;
  /** An ioredis client for BullMQ, created with `maxRetriesPerRequest: null`; yours to close. */
  readonly connection?: BullmqConnection | undefined;
  /** Otherwise a Redis URL or ioredis options: the command creates the client and closes it. */
  readonly redis?: string | RedisOptions | undefined;
  /** More createWorker options (concurrency, stalls, prefix...). */
  readonly worker?: Partial<Omit<CreateWorkerOptions, 'manager' | 'connection'>> | undefined;
  /** Called once the worker stopped, to close what the module opened (storage clients...). */
  readonly close?: (() => unknown) | undefined;
}

/** A config that could not be loaded; its message says what to fix. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Imports the config module at `path` (relative to `cwd`) and checks its exports. */
export async function loadConfig(path: string, cwd: string): Promise<WorkerConfig> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) throw new ConfigError(`config module ${file} does not exist`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`loading ${file} failed: ${(error as Error)?.message ?? error}`, {
      cause: error,
    });
  }
  const fallback = module.default;
  const source = (
    module.manager === undefined && typeof fallback === 'object' && fallback !== null
      ? fallback
      : module
  ) as Record<string, unknown>;
  const manager = source.manager as WorkerManager | undefined;
  if (typeof manager?.runTask !== 'function') {
    throw new ConfigError(
      `${file} must export \`manager\`, a manager from createManager() (built as in the web process)`,
    );
  }
  const { connection, redis, worker, close } = source;
  if (redis !== undefined && typeof redis !== 'string' && (typeof redis !== 'object' || !redis)) {
    throw new ConfigError(`${file}: \`redis\` must be a Redis URL or ioredis options`);
  }
  if (worker !== undefined && (typeof worker !== 'object' || worker === null)) {
    throw new ConfigError(`${file}: \`worker\` must be an object of createWorker options`);
  }
  if (close !== undefined && typeof close !== 'function') {
    throw new ConfigError(`${file}: \`close\` must be a function`);
  }
  return {
    manager,
    connection: connection as BullmqConnection | undefined,
    redis: redis as WorkerConfig['redis'],
    worker: worker as WorkerConfig['worker'],
    close: close as WorkerConfig['close'],
  };
}

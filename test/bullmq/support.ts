// Helpers of the BullMQ tests: unique prefixes, a BullMQ-ready connection, and worker child
// processes running the real CLI (`src/cli/main.ts worker`) with fixtures/feeds.ts. Every child is
// recorded and killed by PID in stopAllWorkers() (call it in `after`).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { deletePrefix } from '../support/redis.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The group's Redis URL (scripts/backends/bullmq.mjs starts the server). */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url)
    throw new Error('REDIS_URL is not set: run through `node scripts/test.mjs --only bullmq`');
  return url;
}

/** A connection BullMQ workers accept (maxRetriesPerRequest: null). */
export const bullmqConnection = (): Redis => new Redis(redisUrl(), { maxRetriesPerRequest: null });

/** Fresh storage and queue prefixes for one test; the queue prefix is a hash tag. */
export function prefixes() {
  const id = randomUUID().slice(0, 8);
  return { storage: `t:${id}`, queue: `{q${id}}` };
}

/** Deletes a test's storage and BullMQ keys. */
export async function cleanup(client: Redis, p: { storage: string; queue: string }) {
  await deletePrefix(client, p.storage);
  await deletePrefix(client, p.queue);
}

/** A worker child process. */
export interface WorkerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Everything it printed (stdout and stderr). */
  output(): string;
  /** Resolves once it printed "ready". */
  readonly ready: Promise<void>;
  /** Resolves when it exited, with its code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

/** Options of {@link startWorker}: the fixture's env knobs. */
export interface WorkerEnv {
  readonly prefixes: { storage: string; queue: string };
  readonly concurrency?: number;
  readonly name?: string;
  readonly slowMs?: number;
  readonly failAdds?: number;
  readonly lockMs?: number;
  readonly stalledMs?: number;
  readonly maxStalled?: number;
}

/** Starts `stream-framework worker --config test/bullmq/fixtures/feeds.ts` in a child process. */
export function startWorker(options: WorkerEnv): WorkerProcess {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    REDIS_URL: redisUrl(),
    SF_STORAGE_PREFIX: options.prefixes.storage,
    SF_QUEUE_PREFIX: options.prefixes.queue,
  };
  const knobs: [string, number | undefined][] = [
    ['SF_SLOW_MS', options.slowMs],
    ['SF_FAIL_ADDS', options.failAdds],
    ['SF_LOCK_MS', options.lockMs],
    ['SF_STALLED_MS', options.stalledMs],
    ['SF_MAX_STALLED', options.maxStalled],
  ];
  for (const [name, value] of knobs) if (value !== undefined) env[name] = String(value);
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'worker'];
  args.push('--config', 'test/bullmq/fixtures/feeds.ts');
  if (options.concurrency !== undefined) args.push('--concurrency', String(options.concurrency));
  if (options.name !== undefined) args.push('--name', options.name);
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not spawn a worker process');
  children.add(child);
  let out = '';
  let onOutput = () => {};
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      out += chunk;
      onOutput();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    onOutput = () => {
      if (/: ready \(/.test(out)) resolve();
    };
    exited.then(({ code, signal }) =>
      reject(new Error(`worker exited (${signal ?? code}) before it was ready:\n${out}`)),
    );
  });
  ready.catch(() => {}); // reported when awaited
  return { pid: child.pid, child, output: () => out, ready, exited };
}

/** SIGKILLs every worker child still running (by its PID) and waits for them to exit. */
export async function stopAllWorkers(): Promise<void> {
  const running = [...children];
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(
    running.map((child) =>
      child.exitCode !== null || child.signalCode !== null
        ? undefined
        : new Promise((done) => child.once('exit', done)),
    ),
  );
}

/** Polls `check` every 20 ms until it returns true; throws after `timeoutMs` with `what`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

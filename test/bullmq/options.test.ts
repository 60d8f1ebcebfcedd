// Option checks of createBullmqQueue / createWorker (clear errors instead of BullMQ's later failures),
// the task digest used for deduplication, and the CLI's usage and config errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { Redis, type RedisOptions } from 'ioredis';
import type { Task } from '../../src/index.js';
import { createBullmqQueue, createWorker } from '../../src/queue/bullmq/index.js';
import { DEFAULT_JOB_OPTIONS, taskDigest } from '../../src/queue/bullmq/jobs.js';
import { redisUrl, root } from './support.js';

/** Clients that never connect: the checks run before any command. */
const clients: Redis[] = [];
const client = (options: RedisOptions = {}) => {
  const c = new Redis(redisUrl(), { lazyConnect: true, ...options });
  clients.push(c);
  return c;
};
after(() => {
  for (const c of clients) c.disconnect();
});
const manager = { runTask: async () => {} };

describe('bullmq options', () => {
  it('createBullmqQueue rejects what BullMQ would reject later, with the fix in the message', () => {
    const invalid = (message: RegExp) => ({ code: 'INVALID_OPTION', message });
    assert.throws(
      () => createBullmqQueue({ connection: {} as Redis }),
      invalid(/connection must be an ioredis Redis or Cluster instance/),
    );
    assert.throws(
      () => createBullmqQueue({ connection: client({ keyPrefix: 'app:' }) }),
      invalid(/keyPrefix "app:".*use the prefix option instead/),
    );
    const connection = client();
    assert.throws(
      () => createBullmqQueue({ connection, queueNames: { high: 'q', low: 'q' } }),
      invalid(/high and low queues must differ/),
    );
    assert.throws(
      () => createBullmqQueue({ connection, queueNames: { high: 'a:b' } }),
      invalid(/queueNames.high must match .* forbids ':'/),
    );
    assert.throws(
      () => createBullmqQueue({ connection, prefix: '' }),
      invalid(/prefix must match/),
    );
    assert.throws(
      () => createBullmqQueue({ connection, jobOptions: { jobId: 'x' } as object }),
      invalid(/jobOptions: unknown option .jobId./),
    );
    assert.throws(
      () => createBullmqQueue({ connection, jobOptions: { attempts: 0 } }),
      invalid(/attempts must be an integer >= 1/),
    );
  });

  it('createWorker needs maxRetriesPerRequest: null and the same queues as the manager', async () => {
    assert.throws(() => createWorker({ manager, connection: client() }), {
      code: 'INVALID_OPTION',
      message: /maxRetriesPerRequest: null.*new Redis\(url, \{ maxRetriesPerRequest: null \}\)/,
    });
    assert.throws(() => createWorker({ manager: {} as typeof manager, connection: client() }), {
      code: 'INVALID_OPTION',
      message: /manager must be a manager/,
    });
    const connection = client({ maxRetriesPerRequest: null });
    const queue = createBullmqQueue({ connection, prefix: '{web}' });
    assert.throws(
      () => createWorker({ manager: { ...manager, queue }, connection, prefix: '{x}' }),
      {
        code: 'INVALID_OPTION',
        message: /prefix "\{x\}" differs from the manager's createBullmqQueue prefix "\{web\}"/,
      },
    );
    assert.throws(() => createWorker({ manager, connection, concurrency: 0 }), {
      code: 'INVALID_OPTION',
    });
    await queue.close();
  });

  it('listFailed and retryFailed refuse unknown and wrong-typed options before any command', async () => {
    const queue = createBullmqQueue({ connection: client() });
    const refused = async (call: () => Promise<unknown>, option: string | undefined) => {
      await assert.rejects(call, (error: { code?: string; details?: { option?: string } }) => {
        assert.equal(error.code, 'INVALID_OPTION');
        assert.equal(error.details?.option, option);
        return true;
      });
    };
    await refused(() => queue.listFailed({ limt: 5 } as object), 'limt');
    await refused(() => queue.listFailed({ limit: '5' as unknown as number }), 'limit');
    await refused(() => queue.listFailed({ limit: 1.5 }), 'limit');
    await refused(() => queue.listFailed(5 as unknown as object), undefined);
    await refused(() => queue.retryFailed({ id: ['high:1'] } as object), 'id');
    await refused(() => queue.retryFailed({ priority: 'urgent' as 'high' }), 'priority');
    await refused(() => queue.retryFailed({ ids: 'high:1' as unknown as string[] }), 'ids');
    await queue.close();
  });

  it('the defaults keep Redis memory bounded and retry with exponential backoff', () => {
    const queue = createBullmqQueue({ connection: client() });
    assert.equal(queue.prefix, '{sf}', 'a hash tag: the same settings work on a cluster');
    assert.deepEqual(queue.queueNames, { high: 'high', low: 'low' });
    assert.deepEqual(queue.jobOptions, DEFAULT_JOB_OPTIONS);
    assert.deepEqual(DEFAULT_JOB_OPTIONS, {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
    const custom = createBullmqQueue({ connection: client(), jobOptions: { attempts: 2 } });
    assert.equal(custom.jobOptions.attempts, 2);
    assert.deepEqual(custom.jobOptions.removeOnFail, { count: 5000 });
    return Promise.all([queue.close(), custom.close()]).then(() => {});
  });

  it('taskDigest depends on the content of a task only', () => {
    const task: Task = { v: 1, type: 'follow', userId: '1', targetIds: ['2', '3'], limit: 10 };
    const reordered = JSON.parse(
      '{"limit":10,"targetIds":["2","3"],"userId":"1","type":"follow","v":1}',
    );
    assert.equal(taskDigest(reordered), taskDigest(task));
    assert.notEqual(taskDigest({ ...task, targetIds: ['2'] }), taskDigest(task));
    assert.notEqual(taskDigest({ ...task, limit: 11 }), taskDigest(task));
    assert.match(taskDigest(task), /^[A-Za-z0-9_-]{22}$/);
  });
});

/** Runs the CLI with `args`; resolves to its exit code and output. */
function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => done({ code, output }));
  });
}

describe('stream-framework CLI', () => {
  it('bad usage exits with 2 and prints the usage', async () => {
    for (const args of [
      [],
      ['deploy'],
      ['worker'],
      ['worker', '--config', 'x.js', '--concurrency', 'ten'],
    ]) {
      const { code, output } = await cli(args);
      assert.equal(code, 2, `${args.join(' ')}: ${output}`);
      assert.match(output, /usage: stream-framework worker --config <module>/);
    }
  });

  it('a config without a manager exits with 1 and says what to export', async () => {
    const { code, output } = await cli([
      'worker',
      '--config',
      'test/bullmq/fixtures/no-manager.ts',
    ]);
    assert.equal(code, 1, output);
    assert.match(output, /must export `manager`, a manager from createManager\(\)/);
    const missing = await cli(['worker', '--config', 'test/bullmq/fixtures/nope.js']);
    assert.equal(missing.code, 1);
    assert.match(missing.output, /config module .*nope\.js does not exist/);
  });
});

// publishChanges cost: a fan-out's changes emitted in chunks of 100 follower feeds per tick (as the
// manager's fan-out emits them), forwarded by `publishChanges` to a throwaway redis-server started
// here like the test group's (free loopback port, stopped by PID; REDIS_URL uses a running one). Reports PUBLISH commands (server-side `INFO commandstats`) and the time
// from the first change until a pattern subscriber has received every follower's change.
// Run: node --import tsx bench/publish-changes.ts
import { setImmediate as tick } from 'node:timers/promises';
import { Redis } from 'ioredis';
import redisGroup from '../scripts/backends/redis.mjs';
import { publishChanges } from '../src/backends/redis/index.js';
import { createChangeEmitter, type FeedChange } from '../src/feeds/change-events.js';

const CHUNK = 100;
const REPEATS = 5;
let url: string;
try {
  url = (await redisGroup.start()).REDIS_URL;
} catch (error) {
  await redisGroup.stop();
  console.error(`bench: could not start a redis-server: ${(error as Error).message}`);
  process.exit(1);
}
const client = new Redis(url, { lazyConnect: true });
const listener = new Redis(url, { lazyConnect: true });

async function connect(): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await client.connect();
      await listener.connect();
      return;
    } catch (error) {
      if (i > 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function publishes(): Promise<number> {
  const stats = await client.info('commandstats');
  return Number(/cmdstat_publish:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

/** Users named by one message: 1 for a per-user message (v 1), the batch's users for v 2. */
function usersIn(message: string): number {
  const m = JSON.parse(message) as { v: number; users?: unknown[] };
  return m.v === 2 ? (m.users?.length ?? 0) : 1;
}

async function run(n: number): Promise<{ ms: number; publishes: number }> {
  const emitter = createChangeEmitter<FeedChange>('flat', undefined);
  const stop = publishChanges({ name: 'timeline', events: emitter.events }, { client });
  let seen = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => {
    done = r;
  });
  const onMessage = (_p: string, _c: string, message: string): void => {
    seen += usersIn(message);
    if (seen === n) done();
  };
  listener.on('pmessage', onMessage);
  const before = await publishes();
  const ids = Object.freeze(['0000000000000001']);
  const start = performance.now();
  for (let i = 0; i < n; i += CHUNK) {
    for (let u = i; u < Math.min(n, i + CHUNK); u++) {
      emitter.emit({
        feed: 'timeline',
        userId: String(u),
        key: `timeline:${u}`,
        reason: 'add',
        ids,
      });
    }
    await tick();
  }
  await all;
  const ms = performance.now() - start;
  listener.off('pmessage', onMessage);
  stop();
  return { ms, publishes: (await publishes()) - before - 0 };
}

try {
  await connect();
  await listener.psubscribe('sf:changes:*');
  for (const n of [1_000, 10_000]) {
    const runs = [];
    for (let r = 0; r < REPEATS; r++) runs.push(await run(n));
    const ms = runs.map((x) => x.ms).sort((a, b) => a - b);
    console.log(
      `N=${n}: ${runs[0]!.publishes} PUBLISH, median ${ms[REPEATS >> 1]!.toFixed(1)} ms (min ${ms[0]!.toFixed(1)}, max ${ms.at(-1)!.toFixed(1)}) until every change was received`,
    );
  }
} finally {
  listener.disconnect();
  client.disconnect();
  await redisGroup.stop();
}

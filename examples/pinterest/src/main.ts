// Starts the Pinterest-like example: opens (and on first start seeds) the SQLite database, builds
// the feeds from it with a progress bar, and serves the app.
//
//   PORT        port to listen on (default 3000; 0 picks a free one)
//   HOST        interface to listen on (default 127.0.0.1)
//   DATA_DIR    where the SQLite file lives (default examples/pinterest/.data)
//   REDIS_URL   keep the feeds in Redis instead of in memory (e.g. redis://127.0.0.1:6379)
//   FEEDS       without REDIS_URL: 'memory' (default, rebuilt on every start) or 'sqlite' (a
//               durable feeds.sqlite beside the app's database, rebuilt only for a new database)
//   SEED_USERS  demo users generated on first start (default 300); SEED: the generator's seed

import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createMemoryStorage,
  type NotificationChange,
  type Storage,
  type TaskQueue,
} from 'stream-framework';
import { createApp } from './app.js';
import { openDb } from './db.js';
import { createFeeds, type Feeds, rebuildFeeds } from './feeds.js';
import { type ChangeSource, createLiveHub, type LiveUpdate } from './live.js';
import { progressBar } from './progress.js';
import { seedDatabase, seedSocial } from './seed.js';
import { createAppServer } from './server.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const exampleDir = join(here, '..');

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    console.error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

const config = {
  port: intEnv('PORT', 3000, 0, 65_535),
  host: process.env.HOST || '127.0.0.1',
  dataDir: process.env.DATA_DIR || join(exampleDir, '.data'),
  redisUrl: process.env.REDIS_URL || undefined,
  /** Where the feeds live without REDIS_URL: 'memory' (rebuilt on every start) or 'sqlite'. */
  feeds: process.env.FEEDS === 'sqlite' ? ('sqlite' as const) : ('memory' as const),
  seedUsers: intEnv('SEED_USERS', 300, 2, 5000),
  seed: intEnv('SEED', 42, 0, 2 ** 31 - 1),
};
const REDIS_PREFIX = 'pinstream';
const started = performance.now();
const say = (message: string) => console.log(message);

say('Pinstream: a Pinterest-like example of stream-framework');

// ---- the app's database ------------------------------------------------------------------------
const dbFile = join(config.dataDir, 'pinstream.sqlite');
let db = openDb(dbFile);
if (db.getMeta('build') !== undefined && db.getMeta('social') === undefined) {
  // A database of a version that kept follows and loves in its own tables: start over.
  db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbFile}${suffix}`, { force: true });
  say(`data: ${dbFile} was made by an older version of this example; generating it again`);
  db = openDb(dbFile);
}
let seedPlan: ReturnType<typeof seedDatabase> | undefined;
if (db.getMeta('build') === undefined) {
  const t = performance.now();
  seedPlan = seedDatabase(db, { users: config.seedUsers, seed: config.seed, now: Date.now() });
  db.setMeta('build', randomUUID());
  say(
    `data: created ${dbFile}: ${seedPlan.users} users, ${seedPlan.boards} boards, ${seedPlan.pins} pins (${Math.round(performance.now() - t)} ms)`,
  );
} else {
  const s = db.stats();
  say(`data: ${dbFile}: ${s.users} users, ${s.pins} pins`);
}
const build = db.getMeta('build')!;

// ---- feeds: in memory, or in Redis ---------------------------------------------------------------
let storage: Storage;
let queue: TaskQueue | undefined; // undefined: the manager's inline queue
let startWorker = async (_feeds: Feeds): Promise<void> => {};
let needsRebuild = true;
let changeSource: (feeds: Feeds) => ChangeSource;
const closers: (() => Promise<unknown> | unknown)[] = [];
let markBuilt = async (): Promise<void> => {};

if (config.redisUrl) {
  const { Redis } = await import('ioredis');
  const { createRedisStorage, publishChanges, subscribeToChanges, subscribeToFeedChanges } =
    await import('stream-framework/redis');
  const client = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  let connectError: Error | undefined;
  const onConnectError = (error: Error): void => {
    connectError = error;
  };
  client.on('error', onConnectError);
  try {
    await client.ping();
    client.off('error', onConnectError);
  } catch (error) {
    client.disconnect();
    console.error(
      `Pinstream: cannot reach Redis at REDIS_URL=${config.redisUrl} (${(connectError ?? (error as Error)).message}).\n` +
        'Start a redis-server there, or unset REDIS_URL to keep the feeds in memory.',
    );
    process.exit(1);
  }
  const subscriber = client.duplicate();
  closers.push(
    () => subscriber.quit(),
    () => client.quit(),
  );
  storage = createRedisStorage({ client, prefix: REDIS_PREFIX });
  // The feeds survive restarts in Redis: rebuild only when they were built from another database.
  const marker = `${REDIS_PREFIX}:app:build`;
  needsRebuild = (await client.get(marker)) !== build;
  if (needsRebuild) {
    let cursor = '0';
    let deleted = 0;
    do {
      const [nextCursor, keys] = await client.scan(
        cursor,
        'MATCH',
        `${REDIS_PREFIX}:*`,
        'COUNT',
        1000,
      );
      cursor = nextCursor;
      if (keys.length > 0) deleted += await client.del(...keys);
    } while (cursor !== '0');
    if (deleted > 0) say(`feeds: cleared ${deleted} Redis keys of an older build`);
  }
  markBuilt = async () => {
    await client.set(marker, build);
  };
  // Changes travel through Redis pub/sub, so a worker in another process would reach us too.
  changeSource = (feeds) => {
    publishChanges(feeds.notifications, { client, prefix: REDIS_PREFIX });
    publishChanges(feeds.timeline, { client, prefix: REDIS_PREFIX });
    return async (userId, onUpdate) => {
      const stops = await Promise.all([
        subscribeToChanges(
          { subscriber, feed: feeds.notifications.name, userId, prefix: REDIS_PREFIX },
          (change) =>
            onUpdate({ kind: 'badge', counts: { unseen: change.unseen, unread: change.unread } }),
        ),
        subscribeToFeedChanges(
          { subscriber, feed: feeds.timeline.name, userId, prefix: REDIS_PREFIX },
          (change) => {
            if (change.reason === 'add') onUpdate({ kind: 'pins', count: change.ids.length });
          },
        ),
      ]);
      return async () => {
        for (const stop of stops) await stop();
      };
    };
  };
  say(
    `feeds: Redis at ${config.redisUrl.replace(/\/\/[^@/]*@/, '//***@')} (key prefix ${REDIS_PREFIX}:)`,
  );
  // Fan-out runs as BullMQ jobs; an in-process worker runs them here (more can run elsewhere with
  // `npx stream-framework worker`). BullMQ wants its own connections with maxRetriesPerRequest null.
  const { createBullmqQueue, createWorker } = await import('stream-framework/bullmq');
  const queueConnection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const bullmq = createBullmqQueue({ connection: queueConnection, prefix: `{${REDIS_PREFIX}}` });
  queue = bullmq;
  startWorker = async (feeds) => {
    const worker = createWorker({
      manager: feeds.manager,
      connection: workerConnection,
      concurrency: 4,
    });
    closers.unshift(() => worker.close());
  };
  closers.push(
    () => bullmq.close(),
    () => queueConnection.quit(),
    () => workerConnection.quit(),
  );
  say('fan-out: BullMQ jobs, run by an in-process worker');
} else {
  if (config.feeds === 'sqlite') {
    // Durable feeds in their own SQLite file beside the app's database: they survive restarts
    // and are rebuilt only when they were built from another database.
    const feedsFile = join(config.dataDir, 'feeds.sqlite');
    needsRebuild = db.getMeta('feeds-build') !== build;
    if (needsRebuild) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${feedsFile}${suffix}`, { force: true });
    }
    const { default: Database } = await import('better-sqlite3');
    const { createSqliteStorage } = await import('stream-framework/sqlite');
    const database = new Database(feedsFile);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    storage = createSqliteStorage({ database });
    markBuilt = async () => db.setMeta('feeds-build', build);
    closers.push(() => database.close());
    say(`feeds: SQLite in ${feedsFile}`);
  } else {
    storage = createMemoryStorage();
    say('feeds: in memory (FEEDS=sqlite keeps them in a SQLite file, REDIS_URL in Redis)');
  }
  // One listener on the definition's change events, dispatching to the connected browsers.
  changeSource = (feeds) => {
    const byUser = new Map<string, Set<(update: LiveUpdate) => void>>();
    const tell = (userId: string, update: LiveUpdate): void => {
      for (const listener of byUser.get(userId) ?? []) listener(update);
    };
    feeds.onNotificationChange((change: NotificationChange) => {
      tell(change.userId, {
        kind: 'badge',
        counts: { unseen: change.unseen, unread: change.unread },
      });
    });
    feeds.timeline.events.on('change', (change) => {
      if (change.reason === 'add') tell(change.userId, { kind: 'pins', count: change.ids.length });
    });
    return async (userId, onUpdate) => {
      const key = String(userId);
      const set = byUser.get(key) ?? new Set();
      byUser.set(key, set);
      set.add(onUpdate);
      return () => {
        set.delete(onUpdate);
        if (set.size === 0) byUser.delete(key);
      };
    };
  };
}

const feeds = createFeeds({ storage, db, queue });
await startWorker(feeds);

if (seedPlan) {
  // Follows and loves go through the follow graph and the reactions, which keep them in the same
  // database; a love notifies the pin's author as it does in the app.
  const t = performance.now();
  const made = await seedSocial(feeds, db, seedPlan);
  db.setMeta('social', '1');
  say(
    `data: ${made.follows} follows (follow graph), ${made.loves} loves (reactions) (${Math.round(performance.now() - t)} ms)`,
  );
}

if (needsRebuild) {
  const t = performance.now();
  const bars = { pins: progressBar('pins'), notifications: progressBar('notifications') };
  let phase: keyof typeof bars = 'pins';
  const result = await rebuildFeeds(feeds, db, (p) => {
    if (p.phase !== phase) {
      bars[phase].finish();
      phase = p.phase;
    }
    bars[p.phase].update(p.done, p.total);
  });
  bars[phase].finish();
  await markBuilt();
  say(
    `feeds: rebuilt from the database with batchImport in ${((performance.now() - t) / 1000).toFixed(1)} s (${result.pins} pins fanned out, ${result.notifications} notifications)`,
  );
} else {
  say(`feeds: up to date in ${config.redisUrl ? 'Redis' : 'SQLite'}, no rebuild needed`);
}

// ---- the web server ----------------------------------------------------------------------------
const live = createLiveHub(changeSource(feeds));
const app = createApp({ db, feeds });
const server = createAppServer({ app, db, live, publicDir: join(exampleDir, 'public') });

server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') {
    console.error(
      `Port ${config.port} is in use: stop what runs there, or start with PORT=3001 npm start`,
    );
  } else console.error(error);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = ['127.0.0.1', '0.0.0.0', '::', '::1'].includes(config.host)
    ? 'localhost'
    : config.host;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(`\nReady in ${seconds} s: open http://${shownHost}:${port}  (Ctrl+C to stop)`);
  say(
    `listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
  );
});

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  say(`\n${signal}: stopping`);
  const timer = setTimeout(() => process.exit(1), 5000);
  timer.unref();
  await live.close();
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  for (const close of closers) await close();
  db.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

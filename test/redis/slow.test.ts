import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  onFreePort,
  redisCommand,
  startRedisServer,
  stopDir,
} from '../../scripts/backends/redis-process.mjs';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import {
  type Activity,
  BackendError,
  createActivity,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  type Storage,
} from '../../src/index.js';
import { LatencyProxy } from '../support/latency-proxy.js';
import { deletePrefix } from '../support/redis.js';

// A slow Redis: writes run while the server stalls (DEBUG SLEEP from a second connection) or while
// a loopback proxy delays or cuts the client's traffic. The client has a 100 ms commandTimeout, so
// stalled commands fail with typed errors, although the server may still run them later: a write
// can land and be reported failed. Every failed operation is retried; afterwards each intended
// write must be there exactly once and every read consistent.
//
// DEBUG SLEEP blocks the whole server, so this file runs its own redis-server (with the DEBUG
// command enabled for local connections), never the group's shared one.
const server = await onFreePort((port) =>
  startRedisServer({ port, args: ['--enable-debug-command', 'local'] }),
);
const proxy = await LatencyProxy.start(server.port);
const HOST = '127.0.0.1';
/** The connection that checks results: no timeout, straight to the server. */
const checker = new Redis(server.port, HOST);
const clients: Redis[] = [];
after(async () => {
  for (const c of clients) c.disconnect();
  checker.disconnect();
  await proxy.close();
  await stopDir(server.dir);
});

const COMMAND_TIMEOUT_MS = 100;
const FOLLOWERS = Array.from({ length: 20 }, (_, i) => i + 100);
const TARGETS = [7, 8, 9];
const T0 = Date.UTC(2025, 10, 27, 12, 0, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client that gives up on a command after COMMAND_TIMEOUT_MS. */
function slowClient(port: number): Redis {
  const client = new Redis(port, HOST, {
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 20,
  });
  client.on('error', () => undefined); // cuts are expected here; operations report them
  clients.push(client);
  return client;
}

function world(storage: Storage) {
  const user = defineFlatFeed({ name: 'user', storage, maxLength: 10_000 });
  const timeline = defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 });
  const aggregated = defineAggregatedFeed({ name: 'aggregated', storage });
  const notification = defineNotificationFeed({ name: 'notification', storage });
  const manager = createManager({
    userFeed: user,
    feeds: { timeline, aggregated },
    targetFeeds: { notification },
    getFollowerIds: () => FOLLOWERS,
  });
  return { manager, user, timeline, aggregated, notification };
}

const activity = (n: number): Activity =>
  createActivity({
    actor: 1,
    verb: ['pin', 'love', 'comment'][n % 3]!,
    object: n,
    time: T0 + n * 1000,
    to: [`notification:${TARGETS[n % TARGETS.length]}`],
  });

/** Counts of one run, for the figures. */
interface Tally {
  failures: unknown[];
  faults: number;
}

/** Retries an operation until it succeeds, recording each failure. */
async function untilDone(op: () => Promise<unknown>, tally: Tally): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await op();
      return;
    } catch (error) {
      tally.failures.push(error);
      if (attempt > 300) throw error;
      await sleep(20);
    }
  }
}

/**
 * Publishes activities (and then removes every fourth) one after another, each retried until it
 * succeeds, for as long as `chaos` runs and at least `minimum` times.
 */
async function writeDuring(
  manager: ReturnType<typeof world>['manager'],
  chaos: () => Promise<void>,
  tally: Tally,
  minimum: number,
) {
  const published: Activity[] = [];
  let done = false;
  const faults = chaos().finally(() => {
    done = true;
  });
  while (!done || published.length < minimum) {
    const a = activity(published.length);
    await untilDone(() => manager.addUserActivity(1, a), tally);
    published.push(a);
  }
  await faults;
  const removed = published.filter((_, i) => i % 4 === 1);
  done = false;
  const moreFaults = chaos().finally(() => {
    done = true;
  });
  for (const a of removed) await untilDone(() => manager.removeUserActivity(1, a.id), tally);
  await moreFaults;
  return { published, removed };
}

/** Every kept activity exactly once in every feed it reaches; removed ones nowhere. */
async function assertExactlyOnce(prefix: string, published: Activity[], removed: Activity[]) {
  const storage = createRedisStorage({ client: checker, prefix });
  const w = world(storage);
  const gone = new Set(removed.map((a) => a.id));
  const kept = published.filter((a) => !gone.has(a.id));
  const keptIds = kept.map((a) => a.id).sort();
  const payloads = await storage.activities.getMany(published.map((a) => a.id));
  assert.deepEqual(
    published
      .filter((_, i) => payloads[i] !== undefined)
      .map((a) => a.id)
      .sort(),
    keptIds,
    'activity storage holds exactly the kept activities',
  );
  const ids = async (feed: { read(o: { limit: number }): Promise<{ items: Activity[] }> }) =>
    (await feed.read({ limit: 1000 })).items.map((a) => a.id).sort();
  assert.deepEqual(await ids(w.user.for(1)), keptIds, 'user feed');
  for (const follower of FOLLOWERS) {
    assert.deepEqual(await ids(w.timeline.for(follower)), keptIds, `timeline of ${follower}`);
    const groups = (await w.aggregated.for(follower).read({ limit: 100 })).items;
    assert.equal(new Set(groups.map((g) => g.group)).size, groups.length, 'no duplicate group');
    assert.equal(
      groups.reduce((n, g) => n + g.activityCount, 0),
      kept.length,
      `aggregated count of ${follower}`,
    );
  }
  for (const target of TARGETS) {
    const feed = w.notification.for(target);
    const groups = (await feed.read({ limit: 100 })).items;
    const expected = kept.filter((a) => a.to.includes(`notification:${target}`));
    assert.equal(new Set(groups.map((g) => g.group)).size, groups.length, 'no duplicate group');
    assert.deepEqual(
      groups.flatMap((g) => g.activityIds).sort(),
      expected.map((a) => a.id).sort(),
      `notification groups of ${target}`,
    );
    assert.deepEqual(await feed.counts(), { unseen: groups.length, unread: groups.length });
  }
  return kept.length;
}

/** Every failure is a typed BackendError, and the command timeout produced some of them. */
function assertTyped(tally: Tally) {
  assert.ok(tally.failures.length > 0, 'the faults interrupted some operations');
  for (const e of tally.failures) {
    assert.ok(e instanceof BackendError && e.code === 'BACKEND', `typed failure: ${String(e)}`);
  }
  const timedOut = tally.failures.filter((e) =>
    /timed out/i.test(String((e as BackendError).cause)),
  );
  assert.ok(timedOut.length > 0, 'some operations failed on the command timeout');
  return timedOut.length;
}

function figures(what: string, tally: Tally, kept: number, removed: number, timedOut: number) {
  return `faults (${what}): ${tally.faults} faults injected, ${tally.failures.length} operations failed with a typed BackendError (${timedOut} on the ${COMMAND_TIMEOUT_MS} ms command timeout) and were retried; ${kept} activities kept and ${removed} removed across ${1 + FOLLOWERS.length * 2 + TARGETS.length} feeds: 0 lost, 0 duplicated`;
}

describe('Redis slow server', () => {
  it('writes during DEBUG SLEEP stalls fail with typed timeouts; after retries each write landed exactly once', async (t) => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const { manager } = world(createRedisStorage({ client: slowClient(server.port), prefix }));
    const tally: Tally = { failures: [], faults: 0 };
    // Five stalls of 300 ms from another connection, 80 ms apart.
    const stalls = async () => {
      for (let i = 0; i < 5; i++) {
        await redisCommand(server.port, ['DEBUG', 'SLEEP', '0.3'], { timeoutMs: 5000 });
        tally.faults += 1;
        await sleep(80);
      }
    };
    const { published, removed } = await writeDuring(manager, stalls, tally, 12);
    const timedOut = assertTyped(tally);
    const kept = await assertExactlyOnce(prefix, published, removed);
    const line = figures('DEBUG SLEEP', tally, kept, removed.length, timedOut);
    t.diagnostic(line);
    console.log(line);
    await deletePrefix(checker, prefix);
  });

  it('writes through a proxy that delays and cuts the traffic fail with typed errors; after retries each write landed exactly once', async (t) => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const { manager } = world(createRedisStorage({ client: slowClient(proxy.port), prefix }));
    const tally: Tally = { failures: [], faults: 0 };
    // Four windows of 300 ms in which every chunk is held back 250 ms (the server runs the
    // commands at once, the replies come after the client gave up), then a cut of every connection.
    const chaos = async () => {
      for (let i = 0; i < 4; i++) {
        proxy.setDelay(250);
        await sleep(300);
        proxy.setDelay(0);
        tally.faults += 1;
        await sleep(100);
      }
      proxy.cut();
      tally.faults += 1;
      await sleep(100);
    };
    const { published, removed } = await writeDuring(manager, chaos, tally, 12);
    const timedOut = assertTyped(tally);
    const kept = await assertExactlyOnce(prefix, published, removed);
    const line = figures('proxy delays and cuts', tally, kept, removed.length, timedOut);
    t.diagnostic(line);
    console.log(line);
    await deletePrefix(checker, prefix);
  });
});

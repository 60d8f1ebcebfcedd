import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import {
  isRunning,
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
} from '../../src/index.js';
import { deletePrefix } from '../support/redis.js';
import { untilDone } from '../support/retry.js';

// This file restarts its server, so it runs its own redis-server (never the group's shared one,
// which other test files use at the same time), started and stopped by PID here.
const server = await onFreePort((port) => startRedisServer({ port }));
// Commands fail fast while the server is down, instead of waiting in ioredis' offline queue.
const client = new Redis(server.port, '127.0.0.1', {
  maxRetriesPerRequest: 1,
  retryStrategy: () => 50,
});
client.on('error', () => undefined); // connection errors are expected here; operations report them
after(async () => {
  client.disconnect();
  await stopDir(server.dir);
});

const FOLLOWERS = Array.from({ length: 300 }, (_, i) => i + 100);

function world() {
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const storage = createRedisStorage({ client, prefix });
  const manager = createManager({
    userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 }),
      aggregated: defineAggregatedFeed({ name: 'aggregated', storage }),
    },
    getFollowerIds: () => FOLLOWERS,
  });
  return { prefix, manager };
}

const RETRY_OPTIONS = { attempts: 202, delayMs: 50 };

const pins = (n: number): Activity[] =>
  Array.from({ length: n }, (_, i) =>
    createActivity({
      actor: 1,
      verb: i % 2 ? 'add' : 'love',
      object: i,
      time: 1_764_000_000_000 + i * 1000,
    }),
  );

/** Every follower holds every activity exactly once, flat and aggregated. */
async function assertDelivered(
  manager: ReturnType<typeof world>['manager'],
  expected: Activity[],
): Promise<void> {
  const ids = expected.map((a) => a.id).sort();
  for (const follower of FOLLOWERS) {
    const feeds = manager.getFeeds(follower);
    const page = await feeds.timeline.read({ limit: 1000 });
    assert.deepEqual(page.items.map((a) => a.id).sort(), ids, `follower ${follower} timeline`);
    const groups = (await feeds.aggregated.read({ limit: 100 })).items;
    assert.equal(new Set(groups.map((g) => g.group)).size, groups.length, 'no duplicate group');
    assert.equal(
      groups.reduce((n, g) => n + g.activityCount, 0),
      expected.length,
      `follower ${follower} aggregated count`,
    );
  }
}

describe('Redis faults', () => {
  it('a connection lost in the middle of a fan-out gives a BackendError and a retry delivers exactly once', async (t) => {
    const { prefix, manager } = world();
    const activities = pins(6);
    await manager.addUserActivity(1, activities[0]!);
    const inFlight = manager.addUserActivity(1, activities[1]!);
    client.disconnect(); // drop the connection under the running fan-out
    await assert.rejects(
      inFlight,
      (e: unknown) => e instanceof BackendError && e.code === 'BACKEND',
    );
    await client.connect();
    const failures: unknown[] = [];
    for (const a of activities.slice(1))
      await untilDone(() => manager.addUserActivity(1, a), failures, RETRY_OPTIONS);
    assert.ok(
      failures.every((e) => e instanceof BackendError),
      'every failure is typed',
    );
    await assertDelivered(manager, activities);
    report(t, 'connection dropped mid fan-out', 1, failures.length + 1, activities.length);
    await deletePrefix(client, prefix);
  });

  it('the Redis server restarted during fan-outs: later operations succeed, nothing lost or duplicated', async (t) => {
    const { prefix, manager } = world();
    const activities = pins(12);
    for (const a of activities.slice(0, 4)) await manager.addUserActivity(1, a);
    const failures: unknown[] = [];
    const writes = (async () => {
      for (const a of activities.slice(4))
        await untilDone(() => manager.addUserActivity(1, a), failures, RETRY_OPTIONS);
    })();
    // Restart in the middle: SHUTDOWN SAVE persists what was acknowledged, then the server exits.
    await new Promise((r) => setTimeout(r, 30));
    await redisCommand(server.port, ['SHUTDOWN', 'SAVE'], { timeoutMs: 1000 }).catch(
      () => undefined,
    );
    for (let i = 0; i < 200 && isRunning(server.pid); i++)
      await new Promise((r) => setTimeout(r, 25));
    assert.equal(isRunning(server.pid), false, 'the server stopped');
    // Keep it down until a write has failed against it, then bring it back on the same port and dir.
    for (let i = 0; i < 400 && failures.length === 0; i++)
      await new Promise((r) => setTimeout(r, 25));
    await startRedisServer({ argv: server.argv });
    await writes;
    assert.ok(failures.length > 0, 'the restart interrupted some writes');
    assert.ok(
      failures.every((e) => e instanceof BackendError),
      'every failure is typed',
    );
    await assertDelivered(manager, activities);
    report(t, 'server restarted mid fan-out', 1, failures.length, activities.length);
    await deletePrefix(client, prefix);
  });
});

/** Prints the figures of a fault test (docs/reliability.md quotes them). */
function report(
  t: { diagnostic(message: string): void },
  what: string,
  faults: number,
  failed: number,
  activities: number,
) {
  const line = `faults (${what}): ${faults} fault injected, ${failed} operations failed with a typed BackendError and were retried; ${activities} activities delivered to ${FOLLOWERS.length} followers' flat and aggregated feeds: 0 lost, 0 duplicated`;
  t.diagnostic(line);
  console.log(line);
}

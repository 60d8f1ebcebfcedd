// Reads during a Redis Cluster failover, on settled data: every feed is written, replicated
// (`WAIT 1` on every primary) and read once as the reference; then a primary is killed with
// SIGKILL while readers keep reading timelines, aggregated feeds and the author's feed. Every
// read must be a typed error or exactly the reference page: never a partial or altered one.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it, type TestContext } from 'node:test';
import type { ClusterOptions } from 'ioredis';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { timelineZKey } from '../../src/backends/redis/keys.js';
import { createActivity } from '../../src/index.js';
import { deletePrefix } from '../support/redis.js';
import {
  failoverClient,
  killNode,
  primaries,
  primaryOf,
  restartNode,
  waitForNewPrimary,
} from './support.js';
import { isTyped, worldManager } from './world.js';

const FOLLOWERS = Array.from({ length: 90 }, (_, i) => 1000 + i);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const clients: { disconnect(): void }[] = [];
after(() => {
  for (const client of clients) client.disconnect();
});

/** The scenario with a cluster client created with `options` (and what to call them in the report). */
async function scenario(t: TestContext, options: ClusterOptions, settings: string) {
  const client = failoverClient(options);
  clients.push(client);
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const manager = worldManager(createRedisStorage({ client, prefix }), FOLLOWERS);
  for (let n = 0; n < 30; n++) {
    const activity = createActivity({
      actor: 1,
      verb: n % 3 ? 'add' : 'love',
      object: n,
      time: 1_764_000_000_000 + n * 1000,
    });
    await (await manager.addUserActivity(1, activity)).done();
  }
  for (const node of client.nodes('master')) {
    assert.equal(await node.call('WAIT', 1, 10_000), 1, 'replicated');
  }
  const reads = [
    ...FOLLOWERS.flatMap((id) => [
      () => manager.getFeeds(id).timeline.read({ limit: 50 }),
      () => manager.getFeeds(id).aggregated.read({ limit: 10 }),
    ]),
    () => manager.getUserFeed(1).read({ limit: 50 }),
  ];
  const reference = await Promise.all(reads.map(async (read) => JSON.stringify(await read())));

  // The victim: a primary owning some of the followers' timelines.
  const slots = FOLLOWERS.map((id) => slotOf(timelineZKey(prefix, `timeline:${id}`)));
  const owners = await Promise.all(slots.map((slot) => primaryOf(slot)));
  const victim = (await primaries()).find((p) => owners.includes(p.port))!;
  const affected = owners.filter((port) => port === victim.port).length;

  let ok = 0;
  const errors: unknown[] = [];
  const wrong: number[] = [];
  let lastErrorAt = 0;
  let slowest = 0;
  let reading = true;
  const reader = async (lane: number) => {
    for (let i = lane; reading; i += 3) {
      const k = i % reads.length;
      const started = performance.now();
      try {
        if (JSON.stringify(await reads[k]!()) === reference[k]) ok += 1;
        else wrong.push(k);
      } catch (error) {
        errors.push(error);
        lastErrorAt = Date.now();
      }
      slowest = Math.max(slowest, performance.now() - started);
      await sleep(2);
    }
  };
  const lanes = [reader(0), reader(1), reader(2)];
  await sleep(200);
  const killedAt = Date.now();
  t.after(async () => {
    reading = false;
    await Promise.all(lanes);
    await restartNode(victim.port); // starts it only if it was killed
  });
  await killNode(victim.port);
  const newPrimary = await waitForNewPrimary(victim.slot, victim.port);
  const recoverySeconds = (Date.now() - killedAt) / 1000;
  // Keep reading until reads have succeeded for a second after the last error.
  while (Date.now() - Math.max(lastErrorAt, killedAt + recoverySeconds * 1000) < 1000) {
    await sleep(50);
  }
  reading = false;
  await Promise.all(lanes);

  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} reads differed from the reference`);
  const untyped = errors.filter((e) => !isTyped(e));
  assert.deepEqual(untyped.map(String).slice(0, 5), [], 'every error is typed');
  const codes = [...new Set(errors.map((e) => (e as { code?: string }).code))].join(', ');
  const failed =
    errors.length === 0
      ? '0 typed errors'
      : `${errors.length} typed errors (${codes}; the last ${((lastErrorAt - killedAt) / 1000).toFixed(2)} s after the kill)`;
  const line = `failover (cluster reads, ${settings}): primary ${victim.port} (${affected} of ${FOLLOWERS.length} followers' timelines) killed (SIGKILL) under 3 readers of ${reads.length} replicated pages; replica ${newPrimary} primary, cluster ok after ${recoverySeconds.toFixed(2)} s; ${ok} reads exactly the reference, ${failed}, 0 untyped, 0 wrong; slowest read ${(slowest / 1000).toFixed(2)} s`;
  t.diagnostic(line);
  console.log(line);

  await deletePrefix(client, prefix);
}

describe('reads during a Redis Cluster failover', () => {
  it(
    'every read is exactly the replicated page or a typed error (ioredis defaults)',
    { timeout: 240_000 },
    (t) => scenario(t, {}, 'ioredis defaults: retryDelayOnFailover 100 ms, maxRedirections 16'),
  );

  it(
    'with retries spanning the failover, reads wait instead of failing: exact pages or typed errors',
    { timeout: 240_000 },
    (t) =>
      scenario(
        t,
        { retryDelayOnFailover: 300, maxRedirections: 30 },
        'retryDelayOnFailover 300 ms, maxRedirections 30',
      ),
  );
});

// A single Redis with one replica, the primary killed with SIGKILL during fan-outs (the inline
// queue: fan-out runs in the publishing process) and reads, and the replica promoted by hand
// (`REPLICAOF NO ONE`) with the clients pointed at it, as an operator without Sentinel does.
// The replica follows the primary through a loopback proxy that delays the replication stream by
// LAG_MS, as a busy network would: the writes acknowledged in that window are in flight when the
// primary dies and are lost (the proxy drops them, as the dead host's link would). The test
// measures that loss, checks typed errors and correct reads, and that publishing again the
// activities of the last seconds restores every feed exactly once.
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
import { LatencyProxy } from '../support/latency-proxy.js';
import {
  assertTyped,
  lossSummary,
  measureLosses,
  republishAndVerify,
  stalledSummary,
  Traffic,
  type World,
  worldManager,
} from './world.js';

const FOLLOWERS = Array.from({ length: 120 }, (_, i) => 1000 + i);
const LAG_MS = 150;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Its own two servers (the group's cluster is for the other files), stopped by PID in after().
const primary = await onFreePort((port) => startRedisServer({ port }));
const replica = await onFreePort((port) => startRedisServer({ port }));
const proxy = await LatencyProxy.start(primary.port);
const clients: Redis[] = [];
/** Fails fast while the server is down, instead of waiting in ioredis' offline queue. */
function clientOf(port: number): Redis {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  client.on('error', () => undefined); // connection errors are expected; operations report them
  clients.push(client);
  return client;
}
after(async () => {
  for (const client of clients) client.disconnect();
  await proxy.close();
  await stopDir(primary.dir);
  await stopDir(replica.dir);
});

async function waitForLink(port: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = String(await redisCommand(port, ['INFO', 'replication']));
    if (info.includes('master_link_status:up')) return;
    await sleep(20);
  }
  throw new Error(`replica ${port}: replication link not up`);
}

describe('single Redis failover, replica promoted by hand', () => {
  it('the primary killed during fan-outs: the lagging replica promoted, losses measured, republishing restores every feed exactly once', {
    timeout: 240_000,
  }, async (t) => {
    await redisCommand(replica.port, ['REPLICAOF', '127.0.0.1', proxy.port]);
    await waitForLink(replica.port);
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const on = (port: number) =>
      worldManager(createRedisStorage({ client: clientOf(port), prefix }), FOLLOWERS);
    let current: World = on(primary.port);

    const traffic = new Traffic(() => current, FOLLOWERS);
    t.after(() => traffic.stop(30_000)); // also when the test fails
    traffic.start({ publishers: 2, readers: 2 });
    await traffic.acknowledged(10);
    proxy.setDelay(LAG_MS);
    await traffic.acknowledged(10);
    // The primary's host dies: the process, and with it what its link still carried.
    const killedAt = Date.now();
    process.kill(primary.pid, 'SIGKILL');
    proxy.cut();
    while (isRunning(primary.pid)) await sleep(5);
    // The operator promotes the replica and points the clients at it.
    await redisCommand(replica.port, ['REPLICAOF', 'NO', 'ONE']);
    current = on(replica.port);
    const acked = traffic.acked.length;
    await traffic.acknowledged(1);
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    await traffic.acknowledged(9);
    await traffic.stop();

    const lost = await measureLosses(current, FOLLOWERS, traffic, killedAt);
    const republished = await republishAndVerify(current, FOLLOWERS, traffic, killedAt);
    const errors = assertTyped(traffic);
    assert.ok(proxy.delayedChunks > 0, 'the replication stream was delayed');
    assert.ok(acked >= 20);
    const line = `failover (single Redis, replica promoted by hand): primary killed (SIGKILL) during ${traffic.acked.length} fan-outs to ${FOLLOWERS.length} followers (timeline + aggregated, inline queue), replication delayed ${LAG_MS} ms; REPLICAOF NO ONE and first write acknowledged on the promoted replica ${recoverySeconds.toFixed(2)} s after the kill; ${lossSummary(lost)}; ${errors} typed errors (${traffic.publishErrors.length} publish calls, ${traffic.reads.errors.length} reads), 0 untyped; reads: ${traffic.reads.ok} correct pages, 0 wrong; ${stalledSummary(traffic)}; ${republished} activities republished: every feed exact, 0 lost, 0 duplicated`;
    t.diagnostic(line);
    console.log(line);
  });
});

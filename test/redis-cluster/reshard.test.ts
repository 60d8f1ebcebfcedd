import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { slotOf } from '../../src/backends/redis/cluster-pipeline.js';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { timelineKeys } from '../../src/backends/redis/keys.js';
import { BackendError } from '../../src/index.js';
import { clusterClient, deletePrefix } from '../support/redis.js';
import { untilDone } from '../support/retry.js';

// A live reshard under fan-out: one slot moves from one master to another (IMPORTING/MIGRATING,
// MIGRATE of its keys, SETSLOT NODE) while fan-outs and removals to feeds in that slot run. The
// per-master cross-slot scripts hit non-local keys, ASK and MOVED and fall back to one script per
// feed through the cluster client. While the slot is half moved, a feed's multi-key script can
// also get TRYAGAIN until ioredis gives up ("Too many Cluster redirections"): such calls must fail
// with a typed BackendError and, retried like a queue retries a task, land exactly once.
// The slot is moved back at the end.
const client = clusterClient();
after(() => client.quit());
const RETRY = { attempts: 50, delayMs: 50 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Master {
  readonly node: Redis;
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

async function masters(): Promise<Master[]> {
  return Promise.all(
    client.nodes('master').map(async (node) => ({
      node,
      id: String(await node.call('CLUSTER', 'MYID')),
      host: node.options.host!,
      port: node.options.port!,
    })),
  );
}

/** Moves `slot` from `from` to `to` key by key, pausing between batches so writes interleave. */
async function moveSlot(slot: number, from: Master, to: Master, all: Master[]): Promise<number> {
  await to.node.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', from.id);
  await from.node.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
  let moved = 0;
  for (;;) {
    const keys = (await from.node.call('CLUSTER', 'GETKEYSINSLOT', slot, 1)) as string[];
    if (keys.length === 0) break;
    await from.node.call('MIGRATE', to.host, to.port, '', 0, 5000, 'KEYS', ...keys);
    moved += keys.length;
    await sleep(30);
  }
  for (const m of [to, from, ...all.filter((x) => x !== to && x !== from)]) {
    await m.node.call('CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
  }
  return moved;
}

describe('redis-cluster live reshard', () => {
  it('fan-outs and removals during a slot migration land exactly once in every feed', async (t) => {
    await client.ping();
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    // Id-only feeds (normalized flat feeds: timeline.idsOnly()) and feeds with payloads
    // (denormalized), 30 of each in one slot (found by search) and 30 of each elsewhere.
    const slot = slotOf(timelineKeys(prefix, 'ids:0').z);
    const feedsOf = (kind: string): string[] => {
      const inSlot: string[] = [];
      for (let i = 0; inSlot.length < 30; i++) {
        if (slotOf(timelineKeys(prefix, `${kind}:${i}`).z) === slot) inSlot.push(`${kind}:${i}`);
      }
      return [...inSlot, ...Array.from({ length: 30 }, (_, i) => `${kind}:other${i}`)];
    };
    const idFeeds = feedsOf('ids');
    const payloadFeeds = feedsOf('payloads');
    const all = await masters();
    const owner = client.slots[slot]![0]!;
    const from = all.find((m) => `${m.host}:${m.port}` === owner)!;
    const to = all.find((m) => m !== from)!;

    const id = (k: number) => `0lvnrm2o${k.toString(36).padStart(2, '0')}xtauvj`;
    const score = (k: number) => 1_700_000_000_000 + k;
    const failures = { ids: [] as unknown[], payloads: [] as unknown[] };
    let writing = true;
    const writer = (async () => {
      let k = 0;
      while (writing || k < 10) {
        const ids = storage.timeline.idsOnly();
        await Promise.all([
          untilDone(
            () => ids.addToMany(idFeeds, [{ id: id(k), score: score(k) }], { maxLength: 1000 }),
            failures.ids,
            RETRY,
          ),
          untilDone(
            () =>
              storage.timeline.addToMany(
                payloadFeeds,
                [{ id: id(k), score: score(k), payload: `p${k}` }],
                { maxLength: 1000 },
              ),
            failures.payloads,
            RETRY,
          ),
        ]);
        if (k % 4 === 3) {
          await Promise.all([
            untilDone(() => ids.removeFromMany(idFeeds, [id(k)]), failures.ids, RETRY),
            untilDone(
              () => storage.timeline.removeFromMany(payloadFeeds, [id(k)]),
              failures.payloads,
              RETRY,
            ),
          ]);
        }
        k += 1;
      }
      return k;
    })();
    await sleep(20);
    let moved = 0;
    try {
      moved = await moveSlot(slot, from, to, all);
    } finally {
      writing = false;
    }
    const written = await writer;
    const kept = Array.from({ length: written }, (_, k) => k).filter((k) => k % 4 !== 3);
    for (const key of idFeeds) {
      const entries = await storage.timeline.range(key, { limit: 1000, order: 'asc' });
      assert.deepEqual(
        entries.map((e) => e.id),
        kept.map(id),
        `feed ${key}`,
      );
    }
    for (const key of payloadFeeds) {
      const entries = await storage.timeline.range(key, { limit: 1000, order: 'asc' });
      assert.deepEqual(
        entries.map((e) => [e.id, e.payload]),
        kept.map((k) => [id(k), `p${k}`]),
        `feed ${key}`,
      );
    }
    assert.ok(moved > 0, 'the slot held keys to migrate');
    // Id-only writes declare one key and are redirected cleanly; writes declaring a feed's four
    // keys may get TRYAGAIN while they are split between the masters: typed, then retried.
    assert.deepEqual(failures.ids, []);
    for (const error of failures.payloads) assert.ok(error instanceof BackendError, String(error));
    const line = `reshard: slot ${slot} (${moved} keys) moved during ${written} fan-outs to ${idFeeds.length} id-only and ${payloadFeeds.length} payload feeds; ${failures.payloads.length} payload-feed operations (and ${failures.ids.length} id-only ones) failed with a typed BackendError and were retried: 0 lost, 0 duplicated`;
    t.diagnostic(line);
    console.log(line);
    await moveSlot(slot, to, from, all);
    await deletePrefix(client, prefix);
  });
});

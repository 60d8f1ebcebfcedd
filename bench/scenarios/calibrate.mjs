// Calibration of the capacity simulator (`stream-framework simulate --write-cost H --read-cost L`,
// docs/simulator.md) on the Redis the bench starts, as Redis work per operation (the inverse of a
// throughput, in µs):
//   H: one feed insert inside a fan-out (the manager fanning one activity out to N feeds);
//   L: one more producer merged into a page read, as (1) one more library read of 25 entries
//      issued alongside the timeline's (an upper bound: each is hydrated; the merge hydrates only
//      the page) and (2) one more ZREVRANGE of 25 in the same pipeline (the merge's floor).
// Both reads run with 50 concurrent readers, like the `reads` scenario. Prints L/H for --read-cost.
import { defineFlatFeed } from 'stream-framework';
import { rate, stats, timed } from '../lib/measure.mjs';
import { concurrentRate } from './reads.mjs';
import { activity, cleanup, fanoutWorld, feeds, storageOn } from './world.mjs';

/** Producers merged into the "pulled" read. */
const PULLED = 5;
const READERS = 50;

/** µs of work per operation from operations per second. */
const perOp = (opsPerSecond) => 1e6 / opsPerSecond;

/** Median reads/s over `repeats` runs of `total` reads by READERS concurrent readers. */
async function readRate(repeats, total, read) {
  const rates = [];
  for (let i = 0; i < repeats; i++) rates.push(await concurrentRate(total, READERS, read));
  return stats(rates).median;
}

export async function calibrate({ quick, clients, record }) {
  const client = clients.redis;
  if (!client) return;
  const n = quick ? 2000 : 10_000;
  const repeats = quick ? 3 : 5;
  const total = quick ? 2000 : 5000;

  await cleanup(client);
  const inserts = rate(
    n,
    await timed(
      repeats,
      ({ manager }, i) => manager.addUserActivity(0, activity(i, 0)),
      async () => {
        await cleanup(client);
        return { manager: fanoutWorld(storageOn('redis', clients), n) };
      },
    ),
  );
  const h = perOp(inserts.median);

  await cleanup(client);
  const storage = storageOn('redis', clients);
  const timeline = feeds.flat(storage).for(1);
  const userFeed = defineFlatFeed({ name: 'user', storage, maxLength: 1000 });
  const producers = Array.from({ length: PULLED }, (_, p) => userFeed.for(100 + p));
  const activities = Array.from({ length: 1000 }, (_, i) => activity(i));
  for (let i = 0; i < 1000; i += 100) await timeline.addMany(activities.slice(i, i + 100));
  for (const [p, feed] of producers.entries()) {
    await feed.addMany(activities.filter((a) => a.actor === p).slice(0, 100));
  }
  const plain = () => timeline.read({ limit: 25 });
  const merged = () => Promise.all([plain(), ...producers.map((f) => f.read({ limit: 25 }))]);
  await readRate(1, 500, plain); // warm-up
  const lib0 = await readRate(repeats, total, plain);
  const libK = await readRate(repeats, total, merged);
  const lLib = (perOp(libK) - perOp(lib0)) / PULLED;

  const keys = Array.from({ length: PULLED + 1 }, (_, k) => `bench:{cal}:${k}`);
  for (const key of keys) {
    await client.zadd(key, ...activities.slice(0, 100).flatMap((a) => [a.time.getTime(), a.id]));
  }
  const ranges = (count) => () => {
    const pipeline = client.pipeline();
    for (const key of keys.slice(0, count)) pipeline.zrevrange(key, 0, 24, 'WITHSCORES');
    return pipeline.exec();
  };
  await readRate(1, 500, ranges(PULLED + 1)); // warm-up
  const raw1 = await readRate(repeats, total, ranges(1));
  const rawK = await readRate(repeats, total, ranges(PULLED + 1));
  const lRaw = (perOp(rawK) - perOp(raw1)) / PULLED;

  const row = (scenario, metric, median, n) =>
    record({ scenario, backend: 'redis', n, metric, median, min: median, max: median });
  row('calibrate: H, one insert in a fan-out', 'µs', h, n);
  row(`calibrate: L, one more library read (${PULLED} pulled)`, 'µs', lLib);
  row(`calibrate: L, one more pipelined ZREVRANGE (${PULLED} pulled)`, 'µs', lRaw);
  row('calibrate: --read-cost (L/H, library reads)', 'x H', lLib / h);
  row('calibrate: --read-cost (L/H, pipelined ranges)', 'x H', lRaw / h);
  console.log(
    `  simulate with: --write-cost 1 --read-cost ${(lRaw / h).toFixed(1)} (merge floor) ` +
      `.. ${(lLib / h).toFixed(1)} (separate hydrated reads)`,
  );
}

// Scenario 3: read the newest 25 activities of a normalized feed of 1,000 entries, hydrated and
// decoded: latency percentiles from one client and reads/s with 50 concurrent readers.
import { latencies, percentile, stats } from '../lib/measure.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

export async function concurrentRate(total, readers, read) {
  let left = total;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: readers }, async () => {
      while (left-- > 0) await read();
    }),
  );
  return (total / (performance.now() - t)) * 1000;
}

export async function reads({ quick, backends, clients, record }) {
  const count = quick ? 1000 : 5000;
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    const storage = storageOn(backend, clients);
    const feed = feeds.flat(storage).for(1);
    const activities = Array.from({ length: 1000 }, (_, i) => activity(i));
    for (let i = 0; i < 1000; i += 100) await feed.addMany(activities.slice(i, i + 100));
    const read = () => feed.read({ limit: 25 });
    await latencies(200, read); // warm-up
    const lib = await latencies(count, read);
    let base;
    let raw;
    if (client) {
      // Baseline: the same data read with the minimal commands, then JSON.parse.
      const z = `bench:{base}:z`;
      const h = `bench:{base}:h`;
      await client.zadd(z, ...activities.flatMap((a) => [a.time.getTime(), a.id]));
      await client.hset(h, ...activities.flatMap((a) => [a.id, JSON.stringify(a)]));
      raw = async () => {
        const ids = await client.zrevrange(z, 0, 24);
        const payloads = await client.hmget(h, ...ids);
        return payloads.map((p) => JSON.parse(p));
      };
      await latencies(200, raw);
      base = await latencies(count, raw);
    }
    const baselineName = 'ZREVRANGE + HMGET + JSON.parse';
    for (const [metric, p, low] of [
      ['p50 ms', 50, 0],
      ['p99 ms', 99, 90],
    ]) {
      record({
        scenario: 'read 25 of 1,000',
        backend,
        metric,
        median: percentile(lib, p),
        min: low === 0 ? Math.min(...lib) : percentile(lib, low),
        max: percentile(lib, 99.9),
        ...(base ? { baseline: { median: percentile(base, p) }, baselineName } : {}),
        lowerIsBetter: true,
      });
    }
    if (client) {
      const libRate = await concurrentRate(count, 50, read);
      const baseRate = await concurrentRate(count, 50, raw);
      record({
        scenario: 'read 25 of 1,000, 50 readers',
        backend,
        metric: 'reads/s',
        ...stats([libRate]),
        baseline: { median: baseRate },
        baselineName,
      });
    }
  }
}

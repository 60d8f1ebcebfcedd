// Scenario 3: read the newest 25 activities of a normalized feed of 1,000 entries, hydrated and
// decoded: latency percentiles from one client and reads/s with 50 concurrent readers. The
// library and the raw baseline take turns, round by round (the order alternating), so a burst of
// load from other jobs on the shared machine hits both sides alike; percentiles are over every
// read of a side, reads/s the median of a side's rounds.
import { latencies, percentile, stats } from '../lib/measure.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

const READERS = 50;

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

/** Runs `a` and `b` in turns (`rounds` each, the first mover alternating); returns both results. */
async function turns(rounds, a, b) {
  const out = { a: [], b: [] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      out.a.push(await a());
      if (b) out.b.push(await b());
    } else {
      if (b) out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

export async function reads({ quick, backends, clients, record }) {
  const rounds = quick ? 10 : 25;
  const perRound = 200; // single reads per side and round
  const rateRounds = quick ? 5 : 9;
  const perRate = quick ? 1000 : 2000; // reads per side and round with 50 readers
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    const storage = storageOn(backend, clients);
    const feed = feeds.flat(storage).for(1);
    const activities = Array.from({ length: 1000 }, (_, i) => activity(i));
    for (let i = 0; i < 1000; i += 100) await feed.addMany(activities.slice(i, i + 100));
    const read = () => feed.read({ limit: 25 });
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
      await latencies(200, raw); // warm-up
    }
    await latencies(200, read); // warm-up
    const single = await turns(
      rounds,
      () => latencies(perRound, read),
      raw && (() => latencies(perRound, raw)),
    );
    const lib = single.a.flat();
    const base = raw ? single.b.flat() : undefined;
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
    if (raw) {
      const rates = await turns(
        rateRounds,
        () => concurrentRate(perRate, READERS, read),
        () => concurrentRate(perRate, READERS, raw),
      );
      record({
        scenario: `read 25 of 1,000, ${READERS} readers`,
        backend,
        metric: 'reads/s',
        ...stats(rates.a),
        baseline: { median: stats(rates.b).median },
        baselineName,
      });
    }
  }
}

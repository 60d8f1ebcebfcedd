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

/**
 * Runs the `sides` in turns (`rounds` each, the first mover rotating, the order reversed every
 * other round); returns each side's results, in the order of `sides`.
 */
export async function turns(rounds, sides) {
  const out = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = sides.map((_, i) => (i + round) % sides.length);
    if (round % 2 === 1) order.reverse();
    for (const i of order) out[i].push(await sides[i]());
  }
  return out;
}

/**
 * The other cluster layouts, read alongside the default (colocated one-minute buckets of one
 * hash: the bench's activities are a second apart, so a page of 25 is one HMGET, two when it
 * spans two buckets): the layout of 0.1 (`'shard'`: 16 hashes over every master, one request
 * per master), and colocated buckets of 4 shards (one hmget_on_node call a bucket), as for a
 * higher write rate.
 */
const CLUSTER_LAYOUTS = [
  [' (16 hashes, activityColocation shard)', { activityColocation: 'shard' }],
  [' (colocated buckets, 4 shards)', { activityShards: 4 }],
];

export async function reads({ quick, backends, clients, record }) {
  const rounds = quick ? 10 : 25;
  const perRound = 200; // single reads per side and round
  const rateRounds = quick ? 5 : 9;
  const perRate = quick ? 1000 : 2000; // reads per side and round with 50 readers
  const activities = Array.from({ length: 1000 }, (_, i) => activity(i));
  /** A flat feed of the 1,000 activities on `storage`, and a read of its newest 25. */
  const readerOn = async (storage) => {
    const feed = feeds.flat(storage).for(1);
    for (let i = 0; i < 1000; i += 100) await feed.addMany(activities.slice(i, i + 100));
    const read = () => feed.read({ limit: 25 });
    await latencies(200, read); // warm-up
    return read;
  };
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    // The library sides: the default layout, and on a cluster the other layouts too.
    const libraries = [{ label: '', read: await readerOn(storageOn(backend, clients)) }];
    for (const [label, options] of backend === 'redis-cluster' ? CLUSTER_LAYOUTS : []) {
      libraries.push({ label, read: await readerOn(storageOn(backend, clients, options)) });
    }
    let raw;
    const z = `bench:{base}:z`;
    const h = `bench:{base}:h`;
    if (client) {
      // Baseline: the same data read with the minimal commands, then JSON.parse.
      await client.zadd(z, ...activities.flatMap((a) => [a.time.getTime(), a.id]));
      await client.hset(h, ...activities.flatMap((a) => [a.id, JSON.stringify(a)]));
      raw = async () => {
        const ids = await client.zrevrange(z, 0, 24);
        const payloads = await client.hmget(h, ...ids);
        return payloads.map((p) => JSON.parse(p));
      };
      await latencies(200, raw); // warm-up
    }
    const sides = [...libraries.map((l) => l.read), ...(raw ? [raw] : [])];
    const single = await turns(
      rounds,
      sides.map((read) => () => latencies(perRound, read)),
    );
    const base = raw ? single.at(-1).flat() : undefined;
    const baselineName = 'ZREVRANGE + HMGET + JSON.parse';
    for (const [l, { label }] of libraries.entries()) {
      const lib = single[l].flat();
      for (const [metric, p, low] of [
        ['p50 ms', 50, 0],
        ['p99 ms', 99, 90],
      ]) {
        record({
          scenario: `read 25 of 1,000${label}`,
          backend,
          metric,
          median: percentile(lib, p),
          min: low === 0 ? Math.min(...lib) : percentile(lib, low),
          max: percentile(lib, 99.9),
          ...(base ? { baseline: { median: percentile(base, p) }, baselineName } : {}),
          lowerIsBetter: true,
        });
      }
    }
    if (raw) {
      // The same raw read on a client with ioredis' enableAutoPipelining, which batches the
      // commands of one tick into one socket write as the library does since issue #16: shown
      // as its own row against the plain raw read, so the library's ratio can be read against
      // either.
      const pipelined =
        backend === 'redis-cluster'
          ? client.duplicate(undefined, { enableAutoPipelining: true })
          : client.duplicate({ enableAutoPipelining: true });
      const rawPipelined = async () => {
        const ids = await pipelined.zrevrange(z, 0, 24);
        const payloads = await pipelined.hmget(h, ...ids);
        return payloads.map((p) => JSON.parse(p));
      };
      await latencies(200, rawPipelined); // warm-up
      const rates = await turns(
        rateRounds,
        [...sides, rawPipelined].map((read) => () => concurrentRate(perRate, READERS, read)),
      );
      pipelined.disconnect();
      const plain = rates.at(-2);
      record({
        scenario: `read 25 of 1,000, ${READERS} readers, raw with enableAutoPipelining`,
        backend,
        metric: 'reads/s',
        ...stats(rates.at(-1)),
        baseline: { median: stats(plain).median },
        baselineName,
      });
      for (const [l, { label }] of libraries.entries()) {
        record({
          scenario: `read 25 of 1,000, ${READERS} readers${label}`,
          backend,
          metric: 'reads/s',
          ...stats(rates[l]),
          baseline: { median: stats(plain).median },
          baselineName,
        });
      }
    }
  }
}

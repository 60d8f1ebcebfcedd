// Cassandra benchmarks (issue "Cassandra at scale"), from the sources: `npm run bench:cassandra`
// (`node --import tsx bench/cassandra.ts [--quick]`). Starts one throwaway Cassandra 5.0 node the
// way `npm test` does (scripts/backends/cassandra.mjs; CASSANDRA_CONTACT_POINTS points at a
// running cluster instead), and measures, each against a baseline of the same work done with
// raw prepared statements in the same run on the same node:
//   fan-out   one activity to N = 1,000 / 10,000 follower feeds through createManager (normalized
//             flat timeline: the blind id-only path; exact trim on every write, and trim by
//             chance 0.1), and the conditional path (a denormalized timeline: one lightweight
//             transaction per feed) for comparison; baseline: single-row INSERTs of
//             (feed, score, id) into a plain table, as many in flight as the fan-out has.
//   read      the newest 25 of a normalized feed of 1,000, hydrated: p50/p99; baseline: the
//             same SELECT on the plain table + 25 activity reads in parallel.
//   follow    followUser copying 1,000 activities; baseline: reading 1,000 ids from a plain
//             table and inserting them into another one.
import { Client } from 'cassandra-driver';
import cassandraGroup from '../scripts/backends/cassandra.mjs';
import { createCassandraStorage, createSchema } from '../src/backends/cassandra/index.js';
import {
  createActivity,
  createInlineQueue,
  createManager,
  defineFlatFeed,
  type FlatFeedOptions,
} from '../src/index.js';
import { forEachLimited } from '../src/util/for-each-limited.js';

const quick = process.argv.includes('--quick');
const REPEATS = quick ? 1 : 5;
const KEYSPACE = 'sf_bench';
const QUEUE_CONCURRENCY = 2;
const FANOUT_CONCURRENCY = 32;
/** Writes in flight during a fan-out: tasks at once x feeds at once per task. */
const IN_FLIGHT = QUEUE_CONCURRENCY * FANOUT_CONCURRENCY;
const T0 = 1_764_000_000_000;
const FANOUT_CHUNK = 1000;

const activity = (i: number, actor: number) =>
  createActivity({ actor, verb: 'add', object: 100_000 + i, time: T0 + i * 1000, extra: { i } });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(2);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
let namespaces = 0;
const ns = () => `b${process.pid}_${++namespaces}`;

const env = await cassandraGroup.start();
const [host, port] = env.CASSANDRA_CONTACT_POINTS.split(',')[0].split(':');
const client = new Client({
  contactPoints: [`${host}:${port}`],
  localDataCenter: env.CASSANDRA_LOCAL_DC,
  socketOptions: { readTimeout: 60_000 },
});
const rows: string[][] = [];
const row = (...cells: string[]) => {
  rows.push(cells);
  console.log(cells.join('  '));
};
try {
  await createSchema(client, {
    keyspace: KEYSPACE,
    replication: { class: 'SimpleStrategy', replication_factor: 1 },
  });
  const raw = `"${KEYSPACE}"."bench_raw"`;
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${raw} (ns text, feed text, score bigint, id text, PRIMARY KEY ((ns, feed), score, id)) WITH CLUSTERING ORDER BY (score DESC, id DESC)`,
  );
  const insertRaw = `INSERT INTO ${raw} (ns, feed, score, id) VALUES (?, ?, ?, ?)`;
  const rawInserts = async (space: string, feeds: string[], score: number, id: string) =>
    forEachLimited(feeds, IN_FLIGHT, (feed) =>
      client.execute(insertRaw, [space, feed, String(score), id], {
        prepare: true,
        isIdempotent: true,
      }),
    );
  const storage = (space: string) =>
    createCassandraStorage({
      client,
      keyspace: KEYSPACE,
      namespace: space,
      consistency: 1, // ONE: replication factor 1
      fanoutConcurrency: FANOUT_CONCURRENCY,
    });
  const manager = (space: string, n: number, timeline: Partial<FlatFeedOptions>) => {
    const s = storage(space);
    const followers = Array.from({ length: n }, (_, i) => i + 1);
    return createManager({
      userFeed: defineFlatFeed({ name: 'user', storage: s, maxLength: 10_000 }),
      feeds: { timeline: defineFlatFeed({ ...timeline, name: 'timeline', storage: s }) },
      getFollowerIds: () => followers,
      queue: createInlineQueue({ concurrency: QUEUE_CONCURRENCY }),
      // Larger chunks than the default 100: fewer pauses while a chunk's last writes finish.
      limits: { followActivityLimit: 1000, fanoutChunkSize: FANOUT_CHUNK },
    });
  };

  // Fan-out.
  const variants = [
    { name: 'blind, trim on every write', timeline: { maxLength: 100 }, sizes: [1_000, 10_000] },
    {
      name: 'blind, trim by chance 0.1',
      timeline: { maxLength: 100, trim: { chance: 0.1 } },
      sizes: [1_000, 10_000],
    },
    {
      name: 'conditional (denormalized, LWT per feed)',
      timeline: { maxLength: 100, normalized: false },
      sizes: [1_000],
    },
  ];
  for (const n of [1_000, 10_000]) {
    const base: number[] = [];
    const lib = new Map<string, number[]>();
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      // Interleaved: each repeat measures the baseline and every variant once.
      const space = ns();
      const feeds = Array.from({ length: n }, (_, i) => `timeline:${i + 1}`);
      await rawInserts(space, feeds, T0, 'warm-up');
      let started = performance.now();
      await rawInserts(space, feeds, T0 + 1000, 'a');
      base.push(n / ((performance.now() - started) / 1000));
      for (const v of variants) {
        if (!v.sizes.includes(n)) continue;
        const m = manager(ns(), n, v.timeline);
        await (await m.addUserActivity(0, activity(0, 0))).done(); // warm-up, prepares
        started = performance.now();
        await (await m.addUserActivity(0, activity(1, 0))).done();
        const rate = n / ((performance.now() - started) / 1000);
        lib.set(v.name, [...(lib.get(v.name) ?? []), rate]);
      }
    }
    const b = median(base);
    row('fan-out', `N=${int(n)}`, 'baseline: raw INSERT', `${int(b)} inserts/s`);
    for (const [name, rates] of lib) {
      // Each repeat's rate against the same repeat's baseline (interleaved), then the median.
      const ratios = rates.map((r, i) => r / base[i]!).sort((x, y) => x - y);
      const range = `(${ratios[0]!.toFixed(2)}-${ratios.at(-1)!.toFixed(2)})`;
      row(
        'fan-out',
        `N=${int(n)}`,
        name,
        `${int(median(rates))} feed inserts/s`,
        `${median(ratios).toFixed(2)}x ${range}`,
      );
    }
  }

  // Read the newest 25 of 1,000, hydrated.
  {
    const space = ns();
    const m = manager(space, 1, { maxLength: 1000 });
    const acts = Array.from({ length: 1000 }, (_, i) => activity(i, 7));
    await (await m.batchImport(7, acts)).done();
    const feed = m.getFeeds(1).timeline;
    const s = storage(space);
    for (const a of acts) {
      await client.execute(insertRaw, [space, 'raw:1', String(a.time.getTime()), a.id], {
        prepare: true,
      });
    }
    const selectRaw = `SELECT id FROM ${raw} WHERE ns = ? AND feed = ? LIMIT 25`;
    const rawRead = async () => {
      const rs = await client.execute(selectRaw, [space, 'raw:1'], { prepare: true });
      const payloads = await s.activities.getMany(rs.rows.map((r) => String(r['id'])));
      return payloads.map((p) => JSON.parse(p!));
    };
    const libRead = async () => (await feed.read({ limit: 25 })).items;
    if ((await libRead()).length !== 25 || (await rawRead()).length !== 25) {
      throw new Error('read: expected 25 activities');
    }
    const times = { lib: [] as number[], raw: [] as number[] };
    const count = quick ? 200 : 1000;
    for (let i = 0; i < count; i++) {
      for (const [side, read] of [
        ['lib', libRead],
        ['raw', rawRead],
      ] as const) {
        const started = performance.now();
        await read();
        times[side].push(performance.now() - started);
      }
    }
    for (const [p, label] of [
      [50, 'p50'],
      [99, 'p99'],
    ] as const) {
      const l = pct(times.lib, p);
      const r = pct(times.raw, p);
      row('read 25 of 1,000', label, `${ms(l)} ms`, `baseline ${ms(r)} ms`, ratio(l, r));
    }
  }

  // Follow: copy 1,000 activities.
  {
    const lib: number[] = [];
    const base: number[] = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const space = ns();
      const m = manager(space, 0, { maxLength: 1000 });
      const acts = Array.from({ length: 1000 }, (_, i) => activity(i, 5));
      await (await m.batchImport(5, acts)).done();
      let started = performance.now();
      await (await m.followUser(100 + repeat, 5)).done();
      lib.push(performance.now() - started);
      const copied = await m.getFeeds(100 + repeat).timeline.count();
      if (copied !== 1000) throw new Error(`follow copied ${copied} activities, not 1,000`);
      for (const a of acts) {
        await client.execute(insertRaw, [space, 'src', String(a.time.getTime()), a.id], {
          prepare: true,
        });
      }
      started = performance.now();
      const rs = await client.execute(
        `SELECT score, id FROM ${raw} WHERE ns = ? AND feed = ? LIMIT 1000`,
        [space, 'src'],
        { prepare: true, fetchSize: 1000 },
      );
      await forEachLimited(rs.rows, IN_FLIGHT, (r) =>
        client.execute(insertRaw, [space, 'dst', String(r['score']), String(r['id'])], {
          prepare: true,
          isIdempotent: true,
        }),
      );
      base.push(performance.now() - started);
    }
    const l = median(lib);
    const b = median(base);
    row('follow copy of 1,000', 'ms', ms(l), `baseline ${ms(b)} ms`, ratio(l, b));
  }
  console.log(
    `\nin flight: ${IN_FLIGHT} writes (queue ${QUEUE_CONCURRENCY} x fanoutConcurrency ${FANOUT_CONCURRENCY}), fanoutChunkSize ${FANOUT_CHUNK}; medians of ${REPEATS}`,
  );
} finally {
  await client.shutdown();
  await cassandraGroup.stop();
}

// Quick measurements of the SQLite backend on database files (WAL, synchronous NORMAL) in a temp
// dir, from the sources (no build): `node --import tsx bench/sqlite.ts`. The scenarios follow
// bench/README.md (fan-out through createManager with the inline queue, reads of a normalized
// flat feed, aggregated adds one call at a time), plus the file size per id-only entry.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStorage } from '../src/backends/sqlite/index.js';
import {
  createActivity,
  createInlineQueue,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
} from '../src/index.js';

const T0 = 1_764_000_000_000;
const VERBS = ['love', 'add', 'comment'];
const activity = (i: number, actor = i % 50) =>
  createActivity({
    actor,
    verb: VERBS[i % 3]!,
    object: 100_000 + i,
    target: 7,
    time: T0 + i * 1000,
    extra: { itemId: i },
  });
const dir = mkdtempSync(join(tmpdir(), 'sf-sqlite-bench-'));
let files = 0;
const open = () => {
  const db = new Database(join(dir, `${++files}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

try {
  for (const n of [1_000, 10_000, 100_000]) {
    const rates: number[] = [];
    for (let repeat = 0; repeat < 3; repeat++) {
      const db = open();
      const storage = createSqliteStorage({ database: db });
      const followers = Array.from({ length: n }, (_, i) => i + 1);
      const manager = createManager({
        userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
        feeds: { timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 1000 }) },
        getFollowerIds: () => followers,
        queue: createInlineQueue({ concurrency: 8 }),
      });
      await manager.addUserActivity(0, activity(0, 0)); // warm-up
      const started = performance.now();
      await manager.addUserActivity(0, activity(1, 0));
      rates.push(n / ((performance.now() - started) / 1000));
      db.close();
    }
    console.log(`fan-out, N = ${int(n)}: ${int(median(rates))} feed inserts/s (median of 3)`);
  }

  const reads = open();
  const feed = defineFlatFeed({
    name: 'timeline',
    storage: createSqliteStorage({ database: reads }),
  });
  const handle = feed.for(1);
  const all = Array.from({ length: 1000 }, (_, i) => activity(i));
  for (let i = 0; i < 1000; i += 100) await handle.addMany(all.slice(i, i + 100));
  for (let i = 0; i < 200; i++) await handle.read({ limit: 25 }); // warm-up
  const latencies: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const started = performance.now();
    await handle.read({ limit: 25 });
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const total = latencies.reduce((a, b) => a + b, 0);
  console.log(
    `read newest 25 of 1,000 (normalized flat, hydrated): p50 ${latencies[2500]!.toFixed(3)} ms, ` +
      `p99 ${latencies[4950]!.toFixed(3)} ms, ${int(5000 / (total / 1000))} reads/s one at a time`,
  );
  reads.close();

  const groups = open();
  const aggregated = defineAggregatedFeed({
    name: 'aggregated',
    storage: createSqliteStorage({ database: groups }),
    maxLength: 100,
  }).for(1);
  const started = performance.now();
  for (let i = 0; i < 2000; i++) await aggregated.add(activity(i));
  console.log(
    `aggregated add, one call at a time: ${int(2000 / ((performance.now() - started) / 1000))} adds/s`,
  );
  groups.close();

  const sized = open();
  const storage = createSqliteStorage({ database: sized });
  const keys = Array.from({ length: 1000 }, (_, i) => `feed:timeline:${i}`);
  const entries = all.slice(0, 100).map((a) => ({ id: a.id, score: a.time.getTime() }));
  await storage.timeline.addToMany(keys, entries);
  sized.pragma('wal_checkpoint(TRUNCATE)');
  sized.exec('VACUUM');
  const bytes = statSync(join(dir, `${files}.db`)).size / 100_000;
  console.log(`file size: ${bytes.toFixed(1)} B per id-only entry (1,000 feeds of 100, vacuumed)`);
  sized.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Scenario "tiered": a normalized flat feed of 1,000 activities (maxLength 10,000) on a tiered
// storage, Redis hot (hotMaxLength 300) over SQLite durable (a WAL database file in a temp dir):
// one page of 25, hydrated and decoded, read at four places of the same feed, taking turns round
// by round: inside the hot tier (entries 100-124), across the boundary (285-309: 15 hot, 10
// durable), wholly in the durable tier (600-624), and, as the reference, the same hot page on a
// plain Redis storage holding the same activities (what the tiered hot read adds). Latency
// percentiles over every read of a side.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createTieredStorage } from 'stream-framework';
import { createSqliteStorage } from 'stream-framework/sqlite';
import { latencies, percentile } from '../lib/measure.mjs';
import { turns } from './reads.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

const HOT = 300;
const PAGE = 25;

/** The cursor after the first `position` entries of `feed`, read in pages of at most 25. */
async function cursorAt(feed, position) {
  let cursor;
  for (let left = position; left > 0; left -= PAGE) {
    const page = await feed.read({ limit: Math.min(PAGE, left), cursor });
    cursor = page.next;
  }
  return cursor;
}

export async function tiered({ quick, backends, clients, record }) {
  if (!backends.includes('redis')) return;
  const client = clients.redis;
  await cleanup(client);
  const rounds = quick ? 8 : 20;
  const perRound = 100;
  const dir = mkdtempSync(join(tmpdir(), 'sf-bench-tiered-'));
  const db = new Database(join(dir, 'durable.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  try {
    const storage = createTieredStorage({
      hot: storageOn('redis', clients),
      durable: createSqliteStorage({ database: db }),
      hotMaxLength: HOT,
    });
    const plain = storageOn('redis', clients);
    const activities = Array.from({ length: 1000 }, (_, i) => activity(i));
    const readers = {};
    for (const [name, s] of [
      ['tiered', storage],
      ['plain', plain],
    ]) {
      const feed = feeds.flat(s, { maxLength: 10_000 }).for(1);
      for (let i = 0; i < 1000; i += 100) await feed.addMany(activities.slice(i, i + 100));
      readers[name] = feed;
    }
    const at = async (feed, position) => {
      const cursor = await cursorAt(feed, position);
      const read = () => feed.read({ limit: PAGE, cursor });
      await latencies(100, read); // warm-up
      return read;
    };
    const sides = [
      ['hot page (100-124)', await at(readers.tiered, 100)],
      ['boundary page (285-309)', await at(readers.tiered, 285)],
      ['durable page (600-624)', await at(readers.tiered, 600)],
      ['plain Redis page (100-124)', await at(readers.plain, 100)],
    ];
    const results = await turns(
      rounds,
      sides.map(
        ([, read]) =>
          () =>
            latencies(perRound, read),
      ),
    );
    const base = results[0].flat();
    for (const [i, [label]] of sides.entries()) {
      const lib = results[i].flat();
      for (const [metric, p, low] of [
        ['p50 ms', 50, 0],
        ['p99 ms', 99, 90],
      ]) {
        record({
          scenario: `tiered read 25: ${label}`,
          backend: 'redis+sqlite',
          metric,
          median: percentile(lib, p),
          min: low === 0 ? Math.min(...lib) : percentile(lib, low),
          max: percentile(lib, 99.9),
          ...(i === 0 ? {} : { baseline: { median: percentile(base, p) } }),
          baselineName: 'the tiered hot page',
          lowerIsBetter: true,
        });
      }
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await cleanup(client);
  }
}

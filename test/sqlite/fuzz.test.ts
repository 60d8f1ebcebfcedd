import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStorage } from '../../src/backends/sqlite/index.js';
import { fuzzPublicCalls, fuzzWorld, guardAgainstCrashes } from '../support/bad-input.js';
import { checkCorruption, checkLimits, corruptionCases } from '../support/bad-storage.js';
import { dumpTables } from '../support/sqlite.js';

// Bad input at the public boundary on SQLite: fuzzed public calls compared with a dump of every
// table (nothing written on a rejection), payloads corrupted with raw INSERTs, and the
// configurable limits. Every rejection must be a typed StreamFrameworkError.
const soak = process.env.SF_SOAK === '1';
const SEED = Number(process.env.SF_SEED ?? 20_261_128);
guardAgainstCrashes();

/** A fresh in-memory database, its storage and fuzz world. */
async function fresh() {
  const db = new Database(':memory:');
  const storage = createSqliteStorage({ database: db });
  const world = await fuzzWorld(storage);
  return { db, world, raw: async () => dumpTables(db) };
}

describe('bad input (sqlite)', () => {
  it('fuzzed arguments to every public call: typed rejections that write no row', async (t) => {
    const figures = await fuzzPublicCalls(
      {
        async create() {
          const { db, world, raw } = await fresh();
          return { world, raw, destroy: async () => void db.close() };
        },
      },
      { runs: soak ? 4000 : 300, seed: SEED },
    );
    const line = `fuzz (sqlite): ${figures.calls} public calls with fuzzed arguments, ${figures.rejected} rejected with a typed error and no row written or changed, ${figures.accepted} accepted, 0 crashes`;
    t.diagnostic(line);
    console.log(line);
    assert.ok(figures.rejected > figures.calls / 2);
  });

  it('payloads corrupted with raw INSERTs: typed errors, nothing else touched', async (t) => {
    const open: Database.Database[] = [];
    const figures = await checkCorruption(async () => {
      const { db, world, raw } = await fresh();
      open.push(db);
      const entry = db.prepare(
        `INSERT INTO sf_timeline (feed, id, score, payload) VALUES (?, ?, ?, ?)
         ON CONFLICT (feed, id) DO UPDATE SET score = excluded.score, payload = excluded.payload`,
      );
      const activity = db.prepare(
        `INSERT INTO sf_activity (id, payload) VALUES (?, ?)
         ON CONFLICT (id) DO UPDATE SET payload = excluded.payload`,
      );
      return {
        world,
        raw,
        plantActivity: async (id, payload) => activity.run(id, payload),
        plantEntry: async (key, id, score, payload) => entry.run(key, id, score, payload ?? null),
      };
    });
    for (const db of open) db.close();
    const line = `fuzz (sqlite): ${corruptionCases.length} kinds of corrupted payload planted with raw INSERTs, ${figures.operations} operations on them, ${figures.typed} failed with a typed error, ${figures.unaffected} reads of other feeds unaffected, 0 crashes`;
    t.diagnostic(line);
    console.log(line);
  });

  it('configurable limits: clear typed errors, nothing written', async (t) => {
    const db = new Database(':memory:');
    const checked = await checkLimits(() =>
      createSqliteStorage({ database: db, prefix: 'limits' }),
    );
    db.close();
    const line = `limits (sqlite): ${checked} limits checked, each rejected with a typed error naming it and nothing written`;
    t.diagnostic(line);
    console.log(line);
  });
});

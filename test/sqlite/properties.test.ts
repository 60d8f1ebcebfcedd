import { it } from 'node:test';
import Database from 'better-sqlite3';
import { createSqliteStorage, type SqliteStorage } from '../../src/backends/sqlite/index.js';
import type { Storage } from '../../src/storage/contracts.js';
import { checkFeedModel, describeFigures, propertySize } from '../support/feed-properties.js';

// The model-based property of test/support/feed-properties.ts on SQLite: every sequence gets a
// fresh in-memory database, closed after it. SF_SOAK=1 runs many more sequences; SF_SEED replays one.
const size = propertySize({ runs: 150, steps: 30, soakRuns: 5000 });
const open = new Map<Storage, Database.Database>();

it(`sqlite: ${size.runs} random sequences of up to ${size.steps} public-API calls match the reference model after every call`, async (t) => {
  const figures = await checkFeedModel(
    {
      create() {
        const db = new Database(':memory:');
        const storage: SqliteStorage = createSqliteStorage({ database: db });
        open.set(storage, db);
        return storage;
      },
      async destroy(storage) {
        open.get(storage)?.close();
        open.delete(storage);
      },
    },
    size,
  );
  const line = describeFigures('sqlite', figures, size.seed);
  t.diagnostic(line);
  console.log(line);
});

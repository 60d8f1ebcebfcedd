import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStorage, type SqliteStorage } from '../../src/backends/sqlite/index.js';
import type { Storage } from '../../src/storage/contracts.js';
import type { BackendUnderTest } from '../../src/testing/index.js';

/** A temp dir for database files, removed by `remove()` (call it from `after`). */
export function tempDir(): { readonly path: string; file(name: string): string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'sf-sqlite-'));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Opens a database with the pragmas docs/backends/sqlite.md recommends. */
export function openDatabase(filename: string): Database.Database {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

/**
 * The conformance-kit backend: each create() opens a fresh database (`:memory:`, or a new file in
 * `dir` when given) and destroy() closes it.
 */
export function sqliteBackend(
  name: string,
  dir?: { file(name: string): string },
): BackendUnderTest {
  const open = new Map<Storage, Database.Database>();
  let files = 0;
  return {
    name,
    create() {
      const db =
        dir === undefined ? new Database(':memory:') : openDatabase(dir.file(`${++files}.db`));
      const storage: SqliteStorage = createSqliteStorage({ database: db });
      open.set(storage, db);
      return storage;
    },
    destroy(storage) {
      open.get(storage)?.close();
      open.delete(storage);
    },
  };
}

/** Every table of the database (name and rows as sorted JSON): a dump to compare around failures. */
export function dumpTables(db: Database.Database): {
  tables: { name: string; rows: string[] }[];
} {
  const names = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  return {
    tables: names.map((name) => ({
      name,
      rows: db
        .prepare(`SELECT * FROM "${name}"`)
        .all()
        .map((row) => JSON.stringify(row))
        .sort(),
    })),
  };
}

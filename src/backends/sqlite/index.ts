/**
 * `stream-framework/sqlite`: a durable embedded backend on better-sqlite3 (an optional peer
 * dependency). You open, configure and close the `Database`; the backend never does. It creates
 * its tables when absent (`<prefix>_timeline`, `<prefix>_marker`, `<prefix>_activity`). Use WAL
 * mode (`db.pragma('journal_mode = WAL')`); see docs/backends/sqlite.md.
 * @example
 * import Database from 'better-sqlite3';
 * import { createSqliteStorage } from 'stream-framework/sqlite';
 * const db = new Database('feeds.db');
 * db.pragma('journal_mode = WAL');
 * const storage = createSqliteStorage({ database: db });
 * const timeline = defineFlatFeed({ name: 'timeline', storage });
 * @module
 */
import type { Storage } from '../../storage/contracts.js';
import type { DefinedActivityStorage } from '../../storage/define-activity-storage.js';
import { type DefinedTimelineStorage, defineStorage } from '../../storage/define-storage.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import type { SqliteDatabase } from './database.js';
import { checkDatabase } from './options.js';
import { checkPrefix, createTables, type SqliteTableNames, tableNames } from './schema.js';
import { SqliteActivityStorage } from './sqlite-activity-storage.js';
import { SqliteTimelineStorage } from './sqlite-timeline-storage.js';

export type { SqliteDatabase } from './database.js';
export type { SqliteTableNames } from './schema.js';

/** Options of {@link createSqliteStorage}. */
export interface SqliteStorageOptions {
  /** A better-sqlite3 `Database` you own (open, configured, closed by you). */
  readonly database: SqliteDatabase;
  /**
   * Prefix of the table names: a letter, then up to 31 letters, digits or `_` (not `sqlite`).
   * Several applications or tenants can share one database with different prefixes. @default 'sf'
   */
  readonly prefix?: string | undefined;
}

const SQLITE_STORAGE_KEYS = optionKeys<SqliteStorageOptions>({ database: true, prefix: true });

/** The SQLite backend: timeline and activity storage on one database. */
export interface SqliteStorage extends Storage {
  readonly timeline: DefinedTimelineStorage<SqliteTimelineStorage>;
  readonly activities: DefinedActivityStorage<SqliteActivityStorage>;
  readonly prefix: string;
  readonly tables: SqliteTableNames;
}

/**
 * Creates the SQLite backend on `database`, creating its tables when absent, and prepares its
 * statements once. Throws `INVALID_OPTION` for a missing database or a bad prefix, and a
 * BackendError when the tables cannot be created (e.g. a read-only database without them).
 */
export function createSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  const o = checkOptions<SqliteStorageOptions>(options, SQLITE_STORAGE_KEYS, 'createSqliteStorage');
  const database = checkDatabase(o.database, 'createSqliteStorage');
  const prefix = checkPrefix(options.prefix ?? 'sf');
  const tables = tableNames(prefix);
  createTables(database, tables);
  return defineStorage({
    prefix,
    tables,
    timeline: new SqliteTimelineStorage({ database, tables }),
    activities: new SqliteActivityStorage({ database, tables }),
  });
}

import { show } from '../../activity/ids.js';
import { ValidationError } from '../../errors.js';
import { type SqliteDatabase, sqliteCall } from './database.js';
import { checkDatabase, checkTables, type SqliteTableNames } from './options.js';

export type { SqliteTableNames } from './options.js';

const PREFIX = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

/** Checks a table-name prefix: a letter, then up to 31 letters, digits or `_`; not `sqlite...`. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix) || /^sqlite(_|$)/i.test(prefix)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `sqlite prefix must match ${PREFIX} and not name an sqlite_ table, got ${show(prefix)}`,
      { details: { option: 'prefix' } },
    );
  }
  return prefix;
}

/** The table names for a checked prefix. */
export function tableNames(prefix: string): SqliteTableNames {
  return Object.freeze({
    timeline: `${prefix}_timeline`,
    marker: `${prefix}_marker`,
    activity: `${prefix}_activity`,
  });
}

/** The statements that create the tables, indexes and trigger when absent (idempotent). */
export function schemaStatements(tables: SqliteTableNames): string[] {
  const { timeline: t, marker: m, activity: a } = tables;
  return [
    `CREATE TABLE IF NOT EXISTS "${t}" (
      feed TEXT NOT NULL COLLATE BINARY,
      id TEXT NOT NULL COLLATE BINARY,
      score INTEGER NOT NULL,
      payload TEXT,
      PRIMARY KEY (feed, id)
    ) WITHOUT ROWID`,
    `CREATE INDEX IF NOT EXISTS "${t}_order" ON "${t}" (feed, score, id)`,
    `CREATE TABLE IF NOT EXISTS "${m}" (
      feed TEXT NOT NULL COLLATE BINARY,
      marker TEXT NOT NULL COLLATE BINARY,
      id TEXT NOT NULL COLLATE BINARY,
      PRIMARY KEY (feed, marker, id)
    ) WITHOUT ROWID`,
    `CREATE INDEX IF NOT EXISTS "${m}_entry" ON "${m}" (feed, id)`,
    `CREATE TRIGGER IF NOT EXISTS "${t}_unmark" AFTER DELETE ON "${t}" BEGIN
      DELETE FROM "${m}" WHERE feed = OLD.feed AND id = OLD.id;
    END`,
    `CREATE TABLE IF NOT EXISTS "${a}" (
      id TEXT NOT NULL PRIMARY KEY COLLATE BINARY,
      payload TEXT NOT NULL
    ) WITHOUT ROWID`,
  ];
}

/**
 * Creates the tables when absent, in one transaction. Throws `INVALID_OPTION` for a value that is
 * not a better-sqlite3 Database or for table names that are not plain identifiers.
 */
export function createTables(db: SqliteDatabase, tables: SqliteTableNames): void {
  checkDatabase(db, 'createTables');
  checkTables(tables, 'createTables');
  sqliteCall('createTables', tables.timeline, () => {
    db.transaction(() => {
      for (const sql of schemaStatements(tables)) db.exec(sql);
    }).immediate();
  });
}

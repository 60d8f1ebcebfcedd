/**
 * Checks of the SQLite backend's options: the database handle and the table names, which are
 * quoted into every statement, so a name that is not a plain identifier is refused before any
 * statement is prepared.
 * @module
 */
import { ValidationError } from '../../errors.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { show } from '../../validation/show.js';
import type { SqliteDatabase } from './database.js';

/**
 * The tables of the SQLite backend, all named `<prefix>_...` (quoted in every statement):
 *
 * | table | key | holds |
 * |---|---|---|
 * | `<prefix>_timeline` | `(feed, id)` | `score` and `payload` (NULL for id-only entries); index `(feed, score, id)` gives the order |
 * | `<prefix>_marker` | `(feed, marker, id)` | one row per marked entry; index `(feed, id)` |
 * | `<prefix>_activity` | `id` | activity storage: `payload` |
 *
 * The tables are `WITHOUT ROWID` (clustered on their key) and ids are `TEXT COLLATE BINARY`, so
 * equal scores order by id byte by byte. A trigger deletes an entry's markers with the entry,
 * whichever statement removes it (remove, trim, delete, update).
 */
export interface SqliteTableNames {
  readonly timeline: string;
  readonly marker: string;
  readonly activity: string;
}

const TABLE_KEYS = optionKeys<SqliteTableNames>({ timeline: true, marker: true, activity: true });

/** A table name: a letter, then up to 63 letters, digits or `_`; not `sqlite_...` (reserved). */
const TABLE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** Checks `database`: a better-sqlite3 `Database` (prepare, transaction, exec); `INVALID_OPTION`. */
export function checkDatabase(value: unknown, where: string): SqliteDatabase {
  const db = value as Record<string, unknown> | null;
  if (
    typeof db !== 'object' ||
    db === null ||
    typeof db.prepare !== 'function' ||
    typeof db.transaction !== 'function' ||
    typeof db.exec !== 'function'
  ) {
    throw new ValidationError(
      'INVALID_OPTION',
      `${where}: sqlite database must be a better-sqlite3 Database, got ${show(value)}`,
      { details: { option: 'database' } },
    );
  }
  return value as SqliteDatabase;
}

/**
 * Checks table names (`timeline`, `marker`, `activity`, e.g. from `tableNames(prefix)`): exactly
 * those keys, each a plain identifier not starting with `sqlite_`; `INVALID_OPTION`.
 */
export function checkTables(value: unknown, where: string): SqliteTableNames {
  const tables = checkOptions<SqliteTableNames>(value, TABLE_KEYS, `${where} tables`);
  for (const key of TABLE_KEYS) {
    const name: unknown = tables[key as keyof SqliteTableNames];
    if (typeof name !== 'string' || !TABLE.test(name) || /^sqlite_/i.test(name)) {
      throw new ValidationError(
        'INVALID_OPTION',
        `${where}: tables.${key} must match ${TABLE} and not start with sqlite_, got ${show(name)}`,
        { details: { option: `tables.${key}` } },
      );
    }
  }
  return tables as SqliteTableNames;
}

/** What the per-table storage classes take: `SqliteTimelineStorageOptions`, `SqliteActivityStorageOptions`. */
interface TableStorageOptions {
  readonly database: SqliteDatabase;
  readonly tables: SqliteTableNames;
}

const STORAGE_KEYS = optionKeys<TableStorageOptions>({ database: true, tables: true });

/** Checks the options of a per-table storage class: exactly `database` and `tables`, both valid. */
export function checkStorageOptions(options: unknown, where: string): TableStorageOptions {
  const o = checkOptions<TableStorageOptions>(options, STORAGE_KEYS, where);
  return { database: checkDatabase(o.database, where), tables: checkTables(o.tables, where) };
}

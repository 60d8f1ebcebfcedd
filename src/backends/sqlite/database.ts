import type BetterSqlite3 from 'better-sqlite3';
import { asBackendError } from '../../errors.js';

/**
 * What the backend needs of a better-sqlite3 `Database`: `prepare`, `transaction` and `exec`.
 * You open, configure and close the database; the backend never does.
 */
export type SqliteDatabase = Pick<BetterSqlite3.Database, 'prepare' | 'transaction' | 'exec'>;

/** A prepared statement of better-sqlite3, with positional parameters. */
export type SqliteStatement<Params extends unknown[], Row = unknown> = BetterSqlite3.Statement<
  Params,
  Row
>;

/**
 * Turns a failure that is not already one of ours (an `SqliteError` such as `SQLITE_BUSY` or
 * `SQLITE_FULL`, a closed database, a corrupt row) into a BackendError naming the operation and
 * key. Every write runs in one transaction, so such a failure left the storage unchanged: the
 * operation can be retried.
 */
export function backendError(error: unknown, operation: string, key: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const details = typeof code === 'string' ? { sqliteCode: code } : undefined;
  return asBackendError(error, { backend: 'sqlite', operation, key, details });
}

/** Runs a synchronous SQLite operation; any failure is reported by {@link backendError}. */
export function sqliteCall<T>(operation: string, key: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw backendError(error, operation, key);
  }
}

/**
 * Prepares a statement that returns plain numbers even when the database has
 * `defaultSafeIntegers(true)`: scores are safe integers and counts are small.
 */
export function prepare<Params extends unknown[], Row = unknown>(
  db: SqliteDatabase,
  sql: string,
): SqliteStatement<Params, Row> {
  return db.prepare<Params, Row>(sql).safeIntegers(false);
}

/** Runs a function in a transaction and returns its result. */
export type Transaction = <T>(fn: () => T) => T;

/**
 * The two transactions of the backend on `db`: `write` is `BEGIN IMMEDIATE` (takes the write lock
 * first, so what it reads cannot go stale), `read` is `BEGIN DEFERRED` (a snapshot). Inside a
 * transaction of the caller's, both are savepoints.
 */
export function transactions(db: SqliteDatabase): { write: Transaction; read: Transaction } {
  const transaction = db.transaction((fn: () => unknown) => fn());
  return {
    write: (fn) => transaction.immediate(fn) as ReturnType<typeof fn>,
    read: (fn) => transaction.deferred(fn) as ReturnType<typeof fn>,
  };
}

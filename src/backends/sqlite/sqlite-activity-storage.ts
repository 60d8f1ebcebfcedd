import type { ActivityDriver } from '../../storage/contracts.js';
import {
  backendError,
  prepare,
  type SqliteDatabase,
  type SqliteStatement,
  sqliteCall,
  type Transaction,
  transactions,
} from './database.js';
import { checkStorageOptions } from './options.js';
import { toPayload } from './rows.js';
import type { SqliteTableNames } from './schema.js';

/** Options of {@link SqliteActivityStorage}; {@link createSqliteStorage} fills them in. */
export interface SqliteActivityStorageOptions {
  readonly database: SqliteDatabase;
  /** The tables, which must exist (see {@link createTables}). */
  readonly tables: SqliteTableNames;
}

/**
 * The SQLite activity storage: one row per activity in `<prefix>_activity`. Each batch is one
 * transaction with statements prepared once.
 */
export class SqliteActivityStorage implements ActivityDriver {
  readonly name = 'sqlite';
  readonly #get: SqliteStatement<[id: string], unknown>;
  readonly #put: SqliteStatement<[id: string, payload: string]>;
  readonly #remove: SqliteStatement<[id: string]>;
  readonly #write: Transaction;
  readonly #read: Transaction;

  constructor(options: SqliteActivityStorageOptions) {
    const { database: db, tables } = checkStorageOptions(options, 'SqliteActivityStorage');
    const a = `"${tables.activity}"`;
    this.#get = prepare<[string], unknown>(db, `SELECT payload FROM ${a} WHERE id = ?`).pluck();
    this.#put = prepare(
      db,
      `INSERT INTO ${a} (id, payload) VALUES (?, ?)
       ON CONFLICT (id) DO UPDATE SET payload = excluded.payload`,
    );
    this.#remove = prepare(db, `DELETE FROM ${a} WHERE id = ?`);
    ({ write: this.#write, read: this.#read } = transactions(db));
  }

  async getMany(ids: readonly string[]): Promise<(string | undefined)[]> {
    return sqliteCall('getMany', ids[0]!, () =>
      this.#read(() => ids.map((id) => toPayload(this.#get.get(id), id))),
    );
  }

  async putMany(
    entries: readonly { readonly id: string; readonly payload: string }[],
  ): Promise<void> {
    let current = entries[0]!.id;
    try {
      this.#write(() => {
        for (const e of entries) {
          current = e.id;
          this.#put.run(e.id, e.payload);
        }
      });
    } catch (error) {
      throw backendError(error, 'putMany', current);
    }
  }

  async removeMany(ids: readonly string[]): Promise<number> {
    return sqliteCall('removeMany', ids[0]!, () =>
      this.#write(() => {
        let removed = 0;
        for (const id of ids) removed += this.#remove.run(id).changes;
        return removed;
      }),
    );
  }
}

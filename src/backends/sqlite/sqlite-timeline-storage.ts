import type {
  RangeQuery,
  TimelineCompute,
  TimelineDriver,
  TimelineEntry,
  TimelineHints,
  TimelineUpdate,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import {
  backendError,
  type SqliteDatabase,
  sqliteCall,
  type Transaction,
  transactions,
} from './database.js';
import { checkStorageOptions } from './options.js';
import { toEntry } from './rows.js';
import type { SqliteTableNames } from './schema.js';
import { TimelineStatements } from './timeline-statements.js';
import { applyChanges, removeIds, trimTo, upsertEntries } from './timeline-writes.js';

/** Options of {@link SqliteTimelineStorage}; {@link createSqliteStorage} fills them in. */
export interface SqliteTimelineStorageOptions {
  readonly database: SqliteDatabase;
  /** The tables, which must exist (see {@link createTables}). */
  readonly tables: SqliteTableNames;
}

/**
 * The SQLite timeline storage. Every write is one `BEGIN IMMEDIATE` transaction (a fan-out call
 * included: one per chunk of feeds), so it is atomic against other connections and processes;
 * reads of several rows run in one read transaction (a snapshot). better-sqlite3 is synchronous,
 * so each call completes before its promise is returned.
 */
export class SqliteTimelineStorage implements TimelineDriver {
  readonly name = 'sqlite';
  readonly #st: TimelineStatements;
  readonly #write: Transaction;
  readonly #read: Transaction;

  constructor(options: SqliteTimelineStorageOptions) {
    const { database, tables } = checkStorageOptions(options, 'SqliteTimelineStorage');
    this.#st = new TimelineStatements(database, tables);
    ({ write: this.#write, read: this.#read } = transactions(database));
  }

  async add(
    key: string,
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
  ): Promise<number> {
    return this.#inWrite('add', key, () => {
      const added = upsertEntries(this.#st, key, entries, true);
      if (options.maxLength !== undefined) trimTo(this.#st, key, options.maxLength);
      return added;
    });
  }

  async addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
  ): Promise<void> {
    let current = keys[0]!;
    this.#inWrite(
      'addToMany',
      () => current,
      () => {
        for (const key of keys) {
          current = key;
          upsertEntries(this.#st, key, entries, false);
          if (options.maxLength !== undefined) trimTo(this.#st, key, options.maxLength);
        }
      },
    );
  }

  async remove(key: string, ids: readonly string[]): Promise<number> {
    return this.#inWrite('remove', key, () => removeIds(this.#st, key, ids));
  }

  async removeFromMany(keys: readonly string[], ids: readonly string[]): Promise<void> {
    let current = keys[0]!;
    this.#inWrite(
      'removeFromMany',
      () => current,
      () => {
        for (const key of keys) {
          current = key;
          removeIds(this.#st, key, ids);
        }
      },
    );
  }

  async range(key: string, query: RangeQuery, hints: TimelineHints): Promise<TimelineEntry[]> {
    return sqliteCall('range', key, () => this.#range(key, query, hints));
  }

  /** `range` on each key in one read transaction (one snapshot of every timeline). */
  async rangeMany(
    keys: readonly string[],
    query: RangeQuery,
    hints: TimelineHints,
  ): Promise<TimelineEntry[][]> {
    return this.#inRead('rangeMany', keys[0]!, () =>
      keys.map((key) => this.#range(key, query, hints)),
    );
  }

  #range(key: string, query: RangeQuery, hints: TimelineHints): TimelineEntry[] {
    const params: unknown[] = [key];
    if (query.min) params.push(query.min.score, query.min.id);
    if (query.max) params.push(query.max.score, query.max.id);
    params.push(query.limit);
    return this.#st
      .range(query, hints.idsOnly)
      .all(...params)
      .map((row) => toEntry(row, key));
  }

  async get(key: string, ids: readonly string[]): Promise<(TimelineEntry | undefined)[]> {
    return this.#inRead('get', key, () => this.#getEntries(key, ids));
  }

  async count(key: string): Promise<number> {
    return sqliteCall('count', key, () => this.#st.count.get(key) ?? 0);
  }

  async indexOf(key: string, id: string, order: 'desc' | 'asc'): Promise<number> {
    return this.#inRead('indexOf', key, () => {
      const row = this.#st.get.get(key, id);
      if (row === undefined) return -1;
      const { score } = toEntry(row, key);
      return (order === 'desc' ? this.#st.above : this.#st.below).get(key, score, id) ?? 0;
    });
  }

  async trim(key: string, maxLength: number): Promise<number> {
    return this.#inWrite('trim', key, () => trimTo(this.#st, key, maxLength));
  }

  async delete(key: string): Promise<void> {
    this.#inWrite('delete', key, () => {
      this.#st.deleteMarkers.run(key);
      this.#st.deleteFeed.run(key);
    });
  }

  async update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options: TimelineWriteOptions,
  ): Promise<R> {
    let failed: { error: unknown } | undefined;
    try {
      // The result is boxed: better-sqlite3 refuses a transaction that returns a thenable.
      return this.#write((): { result: R } => {
        const current = this.#getEntries(key, ids);
        let update: TimelineUpdate<R>;
        try {
          update = compute(current);
        } catch (error) {
          failed = { error };
          throw error;
        }
        applyChanges(this.#st, key, update.changes, options.maxLength);
        return { result: update.result };
      }).result;
    } catch (error) {
      if (failed !== undefined && error === failed.error) throw error; // compute's own error
      throw backendError(error, 'update', key);
    }
  }

  async countMarked(key: string, marker: string): Promise<number> {
    return sqliteCall('countMarked', key, () => this.#st.countMarked.get(key, marker) ?? 0);
  }

  async isMarked(key: string, marker: string, ids: readonly string[]): Promise<boolean[]> {
    return this.#inRead('isMarked', key, () =>
      ids.map((id) => this.#st.isMarked.get(key, marker, id) !== undefined),
    );
  }

  async clearMarker(
    key: string,
    marker: string,
    ids: readonly string[] | undefined,
  ): Promise<number> {
    return this.#inWrite('clearMarker', key, () => {
      if (ids === undefined) return this.#st.clearMarker.run(key, marker).changes;
      let cleared = 0;
      for (const id of ids) cleared += this.#st.unmark.run(key, marker, id).changes;
      return cleared;
    });
  }

  #getEntries(key: string, ids: readonly string[]): (TimelineEntry | undefined)[] {
    return ids.map((id) => {
      const row = this.#st.get.get(key, id);
      return row === undefined ? undefined : toEntry(row, key);
    });
  }

  #inWrite<T>(operation: string, key: string | (() => string), fn: () => T): T {
    try {
      return this.#write(fn);
    } catch (error) {
      throw backendError(error, operation, typeof key === 'string' ? key : key());
    }
  }

  #inRead<T>(operation: string, key: string, fn: () => T): T {
    return sqliteCall(operation, key, () => this.#read(fn));
  }
}

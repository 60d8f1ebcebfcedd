import type { RangeQuery } from '../../storage/contracts.js';
import { prepare, type SqliteDatabase, type SqliteStatement } from './database.js';
import type { SqliteTableNames } from './schema.js';

/** A timeline row as read: `payload` is NULL for an id-only entry (or absent when not selected). */
export interface TimelineRow {
  readonly id: unknown;
  readonly score: unknown;
  readonly payload?: unknown;
}

type Feed = [feed: string];
type FeedId = [feed: string, id: string];
type FeedMarker = [feed: string, marker: string];
type FeedMarkerId = [feed: string, marker: string, id: string];
type Position = [feed: string, score: number, id: string];

/**
 * Every statement of the timeline storage, prepared once per storage. Range reads have one
 * statement per shape (bounds, order, payloads or not), prepared the first time it is used.
 */
export class TimelineStatements {
  readonly exists: SqliteStatement<FeedId>;
  readonly upsert: SqliteStatement<
    [feed: string, id: string, score: number, payload: string | null]
  >;
  readonly get: SqliteStatement<FeedId, TimelineRow>;
  readonly remove: SqliteStatement<FeedId>;
  readonly count: SqliteStatement<Feed, number>;
  readonly above: SqliteStatement<Position, number>;
  readonly below: SqliteStatement<Position, number>;
  /** The entry at `offset` from the top: the highest entry a trim to `offset` would remove. */
  readonly nth: SqliteStatement<[feed: string, offset: number], TimelineRow>;
  readonly removeUpTo: SqliteStatement<Position>;
  readonly deleteFeed: SqliteStatement<Feed>;
  readonly deleteMarkers: SqliteStatement<Feed>;
  readonly countMarked: SqliteStatement<FeedMarker, number>;
  readonly isMarked: SqliteStatement<FeedMarkerId>;
  readonly mark: SqliteStatement<[...FeedMarkerId, ...FeedId]>;
  readonly unmark: SqliteStatement<FeedMarkerId>;
  readonly clearMarker: SqliteStatement<FeedMarker>;
  readonly #db: SqliteDatabase;
  readonly #table: string;
  readonly #ranges = new Map<string, SqliteStatement<unknown[], TimelineRow>>();

  constructor(db: SqliteDatabase, tables: SqliteTableNames) {
    this.#db = db;
    const t = `"${tables.timeline}"`;
    const m = `"${tables.marker}"`;
    this.#table = t;
    const one = <P extends unknown[]>(sql: string) => prepare<P>(db, sql);
    const number = <P extends unknown[]>(sql: string) => prepare<P, number>(db, sql).pluck();
    this.exists = one(`SELECT 1 FROM ${t} WHERE feed = ? AND id = ?`);
    this.upsert = one(
      `INSERT INTO ${t} (feed, id, score, payload) VALUES (?, ?, ?, ?)
       ON CONFLICT (feed, id) DO UPDATE SET score = excluded.score, payload = excluded.payload`,
    );
    this.get = prepare(db, `SELECT id, score, payload FROM ${t} WHERE feed = ? AND id = ?`);
    this.remove = one(`DELETE FROM ${t} WHERE feed = ? AND id = ?`);
    this.count = number(`SELECT count(*) FROM ${t} WHERE feed = ?`);
    this.above = number(`SELECT count(*) FROM ${t} WHERE feed = ? AND (score, id) > (?, ?)`);
    this.below = number(`SELECT count(*) FROM ${t} WHERE feed = ? AND (score, id) < (?, ?)`);
    this.nth = prepare(
      db,
      `SELECT id, score FROM ${t} WHERE feed = ? ORDER BY score DESC, id DESC LIMIT 1 OFFSET ?`,
    );
    this.removeUpTo = one(`DELETE FROM ${t} WHERE feed = ? AND (score, id) <= (?, ?)`);
    this.deleteFeed = one(`DELETE FROM ${t} WHERE feed = ?`);
    this.deleteMarkers = one(`DELETE FROM ${m} WHERE feed = ?`);
    this.countMarked = number(`SELECT count(*) FROM ${m} WHERE feed = ? AND marker = ?`);
    this.isMarked = one(`SELECT 1 FROM ${m} WHERE feed = ? AND marker = ? AND id = ?`);
    this.mark = one(
      `INSERT INTO ${m} (feed, marker, id) SELECT ?, ?, ?
       WHERE EXISTS (SELECT 1 FROM ${t} WHERE feed = ? AND id = ?) ON CONFLICT DO NOTHING`,
    );
    this.unmark = one(`DELETE FROM ${m} WHERE feed = ? AND marker = ? AND id = ?`);
    this.clearMarker = one(`DELETE FROM ${m} WHERE feed = ? AND marker = ?`);
  }

  /**
   * The range statement for the shape of `query`. Its parameters are the feed, then the bounds
   * given (score and id of `min`, then of `max`), then the limit.
   */
  range(query: RangeQuery, idsOnly: boolean): SqliteStatement<unknown[], TimelineRow> {
    const min = query.min === undefined ? '' : query.min.inclusive ? '>=' : '>';
    const max = query.max === undefined ? '' : query.max.inclusive ? '<=' : '<';
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const columns = idsOnly ? 'id, score' : 'id, score, payload';
    const shape = `${min}|${max}|${direction}|${columns}`;
    let statement = this.#ranges.get(shape);
    if (statement === undefined) {
      const where = ['feed = ?'];
      if (min) where.push(`(score, id) ${min} (?, ?)`);
      if (max) where.push(`(score, id) ${max} (?, ?)`);
      statement = prepare<unknown[], TimelineRow>(
        this.#db,
        `SELECT ${columns} FROM ${this.#table} WHERE ${where.join(' AND ')}
         ORDER BY score ${direction}, id ${direction} LIMIT ?`,
      );
      this.#ranges.set(shape, statement);
    }
    return statement;
  }
}

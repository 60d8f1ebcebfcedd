import { ValidationError } from '../../errors.js';
import type { RangeBound } from '../../storage/contracts.js';

/**
 * The CQL of the Cassandra backend, as pure functions of the table names (unit-tested without a
 * server). Every statement names its table with the keyspace (`"ks"."table"`), so the client
 * needs no default keyspace, and every one is run as a prepared statement.
 *
 * The timeline table holds three kinds of rows in each feed's partition `(ns, feed)`, told apart
 * by the first clustering column:
 *
 * | kind | tag | score | id | columns | what |
 * |---|---|---|---|---|---|
 * | 0 | `''` | entry score | entry id | `payload` | an entry, in `(score, id)` order |
 * | 1 | `''` | 0 | entry id | `ref` = the entry's score | the id index: finds an entry by id |
 * | 2 | marker name | 0 | entry id | | a marker (e.g. `unseen`) carried by an entry |
 *
 * plus static columns: `version` (bumped by every write, the optimistic check), `entry_count`
 * (exact number of entries) and `marked` (exact number of entries carrying each marker).
 * @module
 */

/** Names of the tables of the backend (unquoted; they are quoted in every statement). */
export interface CassandraTableNames {
  /** Timelines: entries, id index, markers and per-feed counters. @default 'sf_timeline' */
  readonly timelines: string;
  /** Activity storage: activity id -> payload. @default 'sf_activity' */
  readonly activities: string;
  /** Id-only timelines (normalized flat feeds), written blind. @default 'sf_id_timeline' */
  readonly idTimelines: string;
}

/** The default table names. */
export const DEFAULT_TABLES: CassandraTableNames = Object.freeze({
  timelines: 'sf_timeline',
  activities: 'sf_activity',
  idTimelines: 'sf_id_timeline',
});

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

/** Checks a keyspace or table name: a letter, then letters, digits or `_`, at most 48 in all. */
export function checkIdentifier(name: unknown, option: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `cassandra ${option} must match ${IDENTIFIER}, got ${JSON.stringify(name)}`,
      { details: { option } },
    );
  }
  return name;
}

/** `"keyspace"."table"`, both checked. */
export function qualified(keyspace: string, table: string): string {
  return `"${checkIdentifier(keyspace, 'keyspace')}"."${checkIdentifier(table, 'table name')}"`;
}

/** Row kinds of the timeline table (the first clustering column). */
export const KIND = Object.freeze({ entry: 0, index: 1, marker: 2 });

/** `CREATE TABLE` of the timeline table. */
export function createTimelineTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  ns text, feed text, kind tinyint, tag text, score bigint, id text,
  payload text, ref bigint,
  version bigint static, entry_count int static, marked map<text, int> static,
  PRIMARY KEY ((ns, feed), kind, tag, score, id)
) WITH CLUSTERING ORDER BY (kind ASC, tag ASC, score DESC, id DESC)`;
}

/** `CREATE TABLE` of the activity table. */
export function createActivityTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  ns text, id text, payload text,
  PRIMARY KEY ((ns, id))
)`;
}

/** Every statement of the timeline storage on one table (bind `ns, feed` first, then the rest). */
export function timelineStatements(table: string) {
  const feed = `${table} WHERE ns = ? AND feed = ?`;
  const entries = `${feed} AND kind = ${KIND.entry} AND tag = ''`;
  const index = `${feed} AND kind = ${KIND.index} AND tag = '' AND score = 0`;
  const marks = `${feed} AND kind = ${KIND.marker} AND tag = ?`;
  return Object.freeze({
    /** Static columns of a feed (DISTINCT: the partition's static row only, no clustering row scanned). */
    head: `SELECT DISTINCT ns, feed, version, entry_count, marked FROM ${feed}`,
    /** Index rows of some ids: bind ids (list). */
    refs: `SELECT id, ref FROM ${index} AND id IN ?`,
    /** One entry: bind score, id. */
    entry: `SELECT score, id, payload FROM ${entries} AND score = ? AND id = ?`,
    /** Which of some ids carry a marker: bind marker, ids (list). */
    marked: `SELECT id FROM ${marks} AND score = 0 AND id IN ?`,
    /** The lowest entries, ascending: bind limit. */
    lowest: `SELECT score, id FROM ${entries} ORDER BY score ASC, id ASC LIMIT ?`,
    /** Conditional head update, first statement of every write batch: bind version, entry_count, marked changes, ns, feed, expected version (null for none). */
    bump: `UPDATE ${table} SET version = ?, entry_count = ?, marked = marked + ? WHERE ns = ? AND feed = ? IF version = ?`,
    /** Conditional head reset of delete(): bind version, ns, feed, expected version. */
    reset: `UPDATE ${table} SET version = ?, entry_count = 0, marked = null WHERE ns = ? AND feed = ? IF version = ?`,
    /** Bind score, id, payload (null clears a previous payload). */
    putEntry: `INSERT INTO ${table} (ns, feed, kind, tag, score, id, payload) VALUES (?, ?, ${KIND.entry}, '', ?, ?, ?)`,
    /** An entry without payload, for ids that had no row before (no null cell written): bind score, id. */
    putBareEntry: `INSERT INTO ${table} (ns, feed, kind, tag, score, id) VALUES (?, ?, ${KIND.entry}, '', ?, ?)`,
    /** Bind score, id. */
    deleteEntry: `DELETE FROM ${entries} AND score = ? AND id = ?`,
    /** One range tombstone for every entry at or below a position (trimming): bind score, id. */
    deleteEntriesTo: `DELETE FROM ${entries} AND (score, id) <= (?, ?)`,
    /** Bind id, score. */
    putRef: `INSERT INTO ${table} (ns, feed, kind, tag, score, id, ref) VALUES (?, ?, ${KIND.index}, '', 0, ?, ?)`,
    /** Bind id (no `IN`: conditional batches refuse it). */
    deleteRef: `DELETE FROM ${index} AND id = ?`,
    /** Bind marker, id. */
    putMark: `INSERT INTO ${table} (ns, feed, kind, tag, score, id) VALUES (?, ?, ${KIND.marker}, ?, 0, ?)`,
    /** Bind marker, id (no `IN`: conditional batches refuse it). */
    deleteMark: `DELETE FROM ${marks} AND score = 0 AND id = ?`,
    /** Every row of one marker: bind marker. */
    deleteMarker: `DELETE FROM ${marks}`,
    /** Every row of one kind (delete()): no extra bind. */
    deleteKind: (kind: number) => `DELETE FROM ${feed} AND kind = ${kind}`,
  });
}

/** The statements of {@link timelineStatements}. */
export type TimelineStatements = ReturnType<typeof timelineStatements>;

/** Every statement of the activity storage on one table. */
export function activityStatements(table: string) {
  return Object.freeze({
    /** Bind ns, id. */
    get: `SELECT payload FROM ${table} WHERE ns = ? AND id = ?`,
    /** Bind ns, id, payload. */
    put: `INSERT INTO ${table} (ns, id, payload) VALUES (?, ?, ?)`,
    /** Bind ns, id. */
    remove: `DELETE FROM ${table} WHERE ns = ? AND id = ?`,
  });
}

/**
 * A range read of entries in `(score, id)` order with optional bounds, as CQL plus the values to
 * bind after `ns, feed`.
 * Bounds use multi-column slices, `(score, id) >= (?, ?)`, so a cursor inside a run of equal
 * scores is exact.
 */
export function rangeStatement(
  table: string,
  query: {
    readonly order: 'asc' | 'desc';
    readonly min?: RangeBound | undefined;
    readonly max?: RangeBound | undefined;
  },
): { cql: string; params: unknown[] } {
  const where = [`ns = ? AND feed = ? AND kind = ${KIND.entry} AND tag = ''`];
  const params: unknown[] = [];
  if (query.min) {
    where.push(`(score, id) ${query.min.inclusive ? '>=' : '>'} (?, ?)`);
    params.push(String(query.min.score), query.min.id);
  }
  if (query.max) {
    where.push(`(score, id) ${query.max.inclusive ? '<=' : '<'} (?, ?)`);
    params.push(String(query.max.score), query.max.id);
  }
  const dir = query.order === 'asc' ? 'ASC' : 'DESC';
  return {
    cql: `SELECT score, id, payload FROM ${table} WHERE ${where.join(' AND ')} ORDER BY score ${dir}, id ${dir} LIMIT ?`,
    params,
  };
}

/** `SELECT COUNT(*)` of the entries strictly above (`'desc'`) or below (`'asc'`) a position. */
export function countBeyondStatement(table: string, order: 'asc' | 'desc'): string {
  return `SELECT COUNT(*) AS n FROM ${table} WHERE ns = ? AND feed = ? AND kind = ${KIND.entry} AND tag = '' AND (score, id) ${order === 'desc' ? '>' : '<'} (?, ?)`;
}

/** Whether a `(score, id)` range between two bounds can hold anything at all. */
export function boundsOverlap(min: RangeBound | undefined, max: RangeBound | undefined): boolean {
  if (!min || !max) return true;
  if (min.score !== max.score) return min.score < max.score;
  if (min.id !== max.id) return min.id < max.id;
  return min.inclusive && max.inclusive;
}

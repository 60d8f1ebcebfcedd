/**
 * The CQL of the id-only timeline table (pure functions of its qualified name). Id-only
 * timelines (normalized flat feeds, declared with `timeline.idsOnly()`) are written with plain,
 * idempotent statements and no lightweight transaction, so they live in a table of their own:
 * Paxos writes and plain writes never share a partition (see docs/backends/cassandra.md, "Two
 * tables, two write paths").
 *
 * | kind | score | id | `ref` | what |
 * |---|---|---|---|---|
 * | 0 | entry score | entry id | | an entry, in `(score, id)` order |
 * | 1 | 0 | entry id | the entry's score | the id index: finds an entry by id |
 *
 * No static column, no counter: an entry's row is keyed by `(score, id)` and an id always comes
 * with the same score (the id-only contract), so writing it twice writes the same rows.
 * @module
 */
import { KIND } from './statements.js';

/** `CREATE TABLE` of the id-only timeline table. */
export function createIdTimelineTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  ns text, feed text, kind tinyint, score bigint, id text, ref bigint,
  PRIMARY KEY ((ns, feed), kind, score, id)
) WITH CLUSTERING ORDER BY (kind ASC, score DESC, id DESC)`;
}

/** Every statement of the id-only timelines on one table (bind `ns, feed` first). */
export function idTimelineStatements(table: string) {
  const feed = `${table} WHERE ns = ? AND feed = ?`;
  const entries = `${feed} AND kind = ${KIND.entry}`;
  const index = `${feed} AND kind = ${KIND.index} AND score = 0`;
  const bound = (op: string) => `(score, id) ${op} (?, ?)`;
  const range = (order: 'ASC' | 'DESC', min?: string, max?: string) =>
    `SELECT score, id FROM ${entries}${min ? ` AND ${bound(min)}` : ''}${max ? ` AND ${bound(max)}` : ''} ORDER BY score ${order}, id ${order} LIMIT ?`;
  return Object.freeze({
    /** Bind score, id. */
    putEntry: `INSERT INTO ${table} (ns, feed, kind, score, id) VALUES (?, ?, ${KIND.entry}, ?, ?)`,
    /** Bind id, score. */
    putRef: `INSERT INTO ${table} (ns, feed, kind, score, id, ref) VALUES (?, ?, ${KIND.index}, 0, ?, ?)`,
    /** Bind score, id. */
    deleteEntry: `DELETE FROM ${entries} AND score = ? AND id = ?`,
    /** One range tombstone over every entry at or below a position: bind score, id. */
    deleteEntriesTo: `DELETE FROM ${entries} AND ${bound('<=')}`,
    /** Bind id. */
    deleteRef: `DELETE FROM ${index} AND id = ?`,
    /** The whole partition. */
    deleteFeed: `DELETE FROM ${feed}`,
    /** Index rows of some ids: bind ids (list). */
    refs: `SELECT id, ref FROM ${index} AND id IN ?`,
    /** Number of entries. */
    count: `SELECT COUNT(*) AS n FROM ${entries}`,
    /** Entries strictly above (`desc`) or below (`asc`) a position: bind score, id. */
    countBeyond: (order: 'asc' | 'desc') =>
      `SELECT COUNT(*) AS n FROM ${entries} AND ${bound(order === 'desc' ? '>' : '<')}`,
    /**
     * A range in `(score, id)` order; `min` and `max` are the comparison operators of the bounds
     * (bind their score, id pairs in that order, then the limit).
     */
    range,
  });
}

/** The statements of {@link idTimelineStatements}. */
export type IdTimelineStatements = ReturnType<typeof idTimelineStatements>;

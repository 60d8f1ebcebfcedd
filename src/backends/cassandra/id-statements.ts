/**
 * The CQL of the id-only timeline table (pure functions of its qualified name). Id-only
 * timelines (normalized flat feeds, declared with `timeline.idsOnly()`) are written with plain,
 * idempotent statements and no lightweight transaction, so they live in a table of their own:
 * Paxos writes and plain writes never share a partition (see docs/backends/cassandra.md, "Two
 * tables, two write paths").
 *
 * One row per entry, clustered by `(score, id)` descending, and nothing else: no id index, no
 * static column, no counter. An id always comes with the same score (the id-only contract), so
 * writing an entry twice writes the same row, and a fan-out write is one single-row `INSERT`.
 * Finding an entry by id alone (removal, `get`, `indexOf`) filters the feed's partition on the
 * server (`ALLOW FILTERING` within one partition: O(length), bounded by `maxLength`).
 * @module
 */
/** `CREATE TABLE` of the id-only timeline table. */
export function createIdTimelineTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  ns text, feed text, score bigint, id text,
  PRIMARY KEY ((ns, feed), score, id)
) WITH CLUSTERING ORDER BY (score DESC, id DESC)`;
}

/** Every statement of the id-only timelines on one table (bind `ns, feed` first). */
export function idTimelineStatements(table: string) {
  const feed = `${table} WHERE ns = ? AND feed = ?`;
  const bound = (op: string) => `(score, id) ${op} (?, ?)`;
  const range = (order: 'ASC' | 'DESC', min?: string, max?: string) =>
    `SELECT score, id FROM ${feed}${min ? ` AND ${bound(min)}` : ''}${max ? ` AND ${bound(max)}` : ''} ORDER BY score ${order}, id ${order} LIMIT ?`;
  return Object.freeze({
    /** Bind score, id. */
    put: `INSERT INTO ${table} (ns, feed, score, id) VALUES (?, ?, ?, ?)`,
    /** Whether an entry is there: bind score, id. */
    exists: `SELECT id FROM ${feed} AND score = ? AND id = ?`,
    /** An entry's score by its id, filtered within the partition: bind id. */
    find: `SELECT score, id FROM ${feed} AND id = ? ALLOW FILTERING`,
    /** Bind score, id. */
    delete: `DELETE FROM ${feed} AND score = ? AND id = ?`,
    /** One range tombstone over every entry at or below a position: bind score, id. */
    deleteTo: `DELETE FROM ${feed} AND ${bound('<=')}`,
    /** The whole partition. */
    deleteFeed: `DELETE FROM ${feed}`,
    /** Number of entries. */
    count: `SELECT COUNT(*) AS n FROM ${feed}`,
    /** Entries strictly above (`desc`) or below (`asc`) a position: bind score, id. */
    countBeyond: (order: 'asc' | 'desc') =>
      `SELECT COUNT(*) AS n FROM ${feed} AND ${bound(order === 'desc' ? '>' : '<')}`,
    /**
     * A range in `(score, id)` order; `min` and `max` are the comparison operators of the bounds
     * (bind their score, id pairs in that order, then the limit).
     */
    range,
  });
}

/** The statements of {@link idTimelineStatements}. */
export type IdTimelineStatements = ReturnType<typeof idTimelineStatements>;

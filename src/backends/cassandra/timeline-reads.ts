import type { RangeQuery, TimelineEntry } from '../../storage/contracts.js';
import { type Consistency, chunks, type Executor, readRows, toNumber } from './driver.js';
import { rangeStatement, type TimelineStatements } from './statements.js';

/** Ids per `IN (...)` read; larger lists are split and read in parallel. */
const IN_CHUNK = 100;

/** Where one feed lives: the executor, the statements and the partition key. */
export interface FeedRef {
  readonly exec: Executor;
  /** The timeline table, qualified and quoted. */
  readonly table: string;
  readonly cql: TimelineStatements;
  readonly ns: string;
  readonly key: string;
}

/** The static columns of a feed's partition. */
export interface Head {
  /** The feed's version as a decimal string, or null before its first write. */
  readonly version: string | null;
  /** Exact number of entries. */
  readonly count: number;
  /** Exact number of entries carrying each marker. */
  readonly marked: Readonly<Record<string, number>>;
}

/** A position in `(score, id)` order. */
export interface Position {
  readonly score: number;
  readonly id: string;
}

/** Reads the static columns of a feed (version, entry count, marker counts). */
export async function readHead(feed: FeedRef, consistency: Consistency): Promise<Head> {
  const [row] = await readRows(feed.exec, feed.cql.head, [feed.ns, feed.key], {
    consistency,
    max: 1,
  });
  if (!row) return { version: null, count: 0, marked: {} };
  const version = row['version'];
  const marked: Record<string, number> = {};
  for (const [name, n] of Object.entries((row['marked'] ?? {}) as Record<string, unknown>)) {
    marked[name] = toNumber(n);
  }
  return {
    version: version === null || version === undefined ? null : String(version),
    count: toNumber(row['entry_count']),
    marked,
  };
}

/** Scores of the ids that are in the feed (from the id index); absent ids are left out. */
export async function readRefs(
  feed: FeedRef,
  ids: readonly string[],
  consistency: Consistency,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const unique = [...new Set(ids)];
  const results = await Promise.all(
    chunks(unique, IN_CHUNK).map((part) =>
      readRows(feed.exec, feed.cql.refs, [feed.ns, feed.key, part], { consistency }),
    ),
  );
  for (const rows of results) {
    for (const row of rows) out.set(String(row['id']), toNumber(row['ref']));
  }
  return out;
}

/** The entries at known positions (one point read each, in parallel), by id. */
export async function readEntriesAt(
  feed: FeedRef,
  positions: ReadonlyMap<string, number>,
  consistency: Consistency,
): Promise<Map<string, TimelineEntry>> {
  const out = new Map<string, TimelineEntry>();
  await Promise.all(
    [...positions].map(async ([id, score]) => {
      const [row] = await readRows(
        feed.exec,
        feed.cql.entry,
        [feed.ns, feed.key, String(score), id],
        { consistency, max: 1 },
      );
      if (row) out.set(id, entryOf(row));
    }),
  );
  return out;
}

/** Which of `ids` carry `marker`. */
export async function readMarked(
  feed: FeedRef,
  marker: string,
  ids: readonly string[],
  consistency: Consistency,
): Promise<Set<string>> {
  const out = new Set<string>();
  const results = await Promise.all(
    chunks([...new Set(ids)], IN_CHUNK).map((part) =>
      readRows(feed.exec, feed.cql.marked, [feed.ns, feed.key, marker, part], { consistency }),
    ),
  );
  for (const rows of results) for (const row of rows) out.add(String(row['id']));
  return out;
}

/**
 * A range of entries: bounds as multi-column slices, `LIMIT` and driver paging (`fetchSize` rows
 * per page), so only the requested entries are read.
 */
export async function readRange(
  feed: FeedRef,
  query: RangeQuery,
  consistency: Consistency,
): Promise<TimelineEntry[]> {
  const read = rangeStatement(feed.table, query);
  const params = [feed.ns, feed.key, ...read.params, query.limit];
  const rows = await readRows(feed.exec, read.cql, params, { consistency, max: query.limit });
  return rows.map(entryOf);
}

/** A result row of the entry table as a TimelineEntry (no `payload` key when it has none). */
export function entryOf(row: Readonly<Record<string, unknown>>): TimelineEntry {
  const id = String(row['id']);
  const score = toNumber(row['score']);
  const payload = row['payload'];
  return payload === null || payload === undefined
    ? { id, score }
    : { id, score, payload: String(payload) };
}

/**
 * One attempt's view of a feed for a write: the head it read first, plus whatever the write
 * needs to know (id positions, markers, the lowest entries), read lazily and cached. Everything
 * is read after the head, so if anything changed since, the feed's version has changed too and
 * the conditional commit of this attempt fails.
 */
export class Snapshot {
  readonly #feed: FeedRef;
  readonly #refs = new Map<string, number | undefined>();

  constructor(
    feed: FeedRef,
    readonly head: Head,
  ) {
    this.#feed = feed;
  }

  #consistency(): Consistency {
    return this.#feed.exec.consistency;
  }

  /** Scores of those of `ids` that are in the feed. */
  async refs(ids: readonly string[]): Promise<Map<string, number>> {
    const missing = ids.filter((id) => !this.#refs.has(id));
    if (missing.length > 0 && this.head.count > 0) {
      const found = await readRefs(this.#feed, missing, this.#consistency());
      for (const id of missing) this.#refs.set(id, found.get(id));
    }
    const out = new Map<string, number>();
    for (const id of ids) {
      const score = this.#refs.get(id);
      if (score !== undefined) out.set(id, score);
    }
    return out;
  }

  /** The current entries of `ids`, positional, `undefined` when absent. */
  async entries(ids: readonly string[]): Promise<(TimelineEntry | undefined)[]> {
    const refs = await this.refs(ids);
    const found = await readEntriesAt(this.#feed, refs, this.#consistency());
    return ids.map((id) => found.get(id));
  }

  /** Which of `ids` carry `marker` (none when the head counts no entry with it). */
  async marked(marker: string, ids: readonly string[]): Promise<Set<string>> {
    if ((this.head.marked[marker] ?? 0) <= 0 || ids.length === 0) return new Set();
    return readMarked(this.#feed, marker, ids, this.#consistency());
  }

  /** The `n` lowest entries in ascending `(score, id)` order, paged. */
  async lowest(n: number): Promise<Position[]> {
    if (n <= 0) return [];
    const rows = await readRows(
      this.#feed.exec,
      this.#feed.cql.lowest,
      [this.#feed.ns, this.#feed.key, n],
      { consistency: this.#consistency(), max: n },
    );
    return rows.map((row) => ({ score: toNumber(row['score']), id: String(row['id']) }));
  }
}

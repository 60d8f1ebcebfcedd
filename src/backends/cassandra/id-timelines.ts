/**
 * Id-only timelines on Cassandra: the blind write path of normalized flat feeds (fan-out).
 * @module
 */
import type { RangeQuery, TimelineEntry, TimelineWriteOptions } from '../../storage/contracts.js';
import { forEachLimited } from '../../util/for-each-limited.js';
import {
  cassandraCall,
  chunks,
  type Executor,
  readRows,
  type Statement,
  toNumber,
} from './driver.js';
import { type IdTimelineStatements, idTimelineStatements } from './id-statements.js';
import { boundsOverlap } from './statements.js';

/** Ids per `IN (...)` read; larger lists are split and read in parallel. */
const IN_CHUNK = 100;

/** Statements per batch (each one partition; a row here is a few dozen bytes). */
const BATCH = 200;

/** Rows read past `maxLength` by the read of a trim, beyond the entries just written. */
const TRIM_SLACK = 16;

/**
 * The id-only timelines of a Cassandra storage, in their own table (see `id-statements.ts`).
 * Every write is a plain, idempotent single-partition batch: no read before a fan-out write, no
 * lightweight transaction, no version. What changes against the conditional path of the other
 * timelines (docs/backends/cassandra.md, "Two tables, two write paths"):
 * - a write with `maxLength` inserts, then trims: it reads the newest `maxLength` entries plus a
 *   few, and deletes what lies below them (one range tombstone and the index rows). A reader in
 *   between can see the feed a few entries longer, never shorter; two concurrent trims agree.
 * - `count` counts the rows (O(length), bounded by `maxLength` when every write trims).
 * - `add` reads the id index first, only to return how many ids were new; `addToMany` reads
 *   nothing unless it trims.
 * - writes are ordered by their client timestamps (the driver's monotonic generator): keep the
 *   writers' clocks in sync, or a removal stamped ahead of a later re-add can hide it.
 */
export class CassandraIdTimelines {
  readonly #exec: Executor;
  readonly #cql: IdTimelineStatements;
  readonly #ns: string;
  readonly #fanout: number;

  constructor(exec: Executor, table: string, namespace: string, fanoutConcurrency: number) {
    this.#exec = exec;
    this.#cql = idTimelineStatements(table);
    this.#ns = namespace;
    this.#fanout = fanoutConcurrency;
  }

  /** Runs plain single-partition batches of `statements`, `BATCH` at a time. */
  async #run(statements: readonly Statement[]): Promise<void> {
    for (const part of chunks(statements, BATCH)) {
      await this.#exec.client.batch(part, {
        prepare: true,
        logged: false,
        isIdempotent: true,
        consistency: this.#exec.consistency,
      });
    }
  }

  /** Scores of the ids that are in the timeline (from the id index). */
  async #refs(key: string, ids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const results = await Promise.all(
      chunks(ids, IN_CHUNK).map((part) =>
        readRows(this.#exec, this.#cql.refs, [this.#ns, key, part], {
          consistency: this.#exec.consistency,
        }),
      ),
    );
    for (const rows of results) {
      for (const row of rows) out.set(String(row['id']), toNumber(row['ref']));
    }
    return out;
  }

  /** The entry rows and index rows of `entries`, as blind inserts. */
  #insert(key: string, entries: readonly TimelineEntry[]): Promise<void> {
    const statements: Statement[] = [];
    for (const { id, score } of entries) {
      statements.push({ query: this.#cql.putEntry, params: [this.#ns, key, String(score), id] });
      statements.push({ query: this.#cql.putRef, params: [this.#ns, key, id, String(score)] });
    }
    return this.#run(statements);
  }

  /**
   * Keeps the `maxLength` highest entries: reads the newest `maxLength + slack` entries (paging
   * on only when all of them came back) and deletes everything below the `maxLength`-th.
   */
  async #trim(key: string, maxLength: number, slack: number): Promise<number> {
    const want = maxLength + slack;
    const base = [this.#ns, key];
    const consistency = this.#exec.consistency;
    const rows = await readRows(this.#exec, this.#cql.range('DESC'), [...base, want], {
      consistency,
      max: want,
    });
    if (rows.length <= maxLength) return 0;
    const excess = rows.slice(maxLength).map((r) => ({ id: String(r['id']), score: r['score'] }));
    if (rows.length === want) {
      const last = excess.at(-1)!;
      const rest = await readRows(
        this.#exec,
        this.#cql.range('DESC', undefined, '<'),
        [...base, String(last.score), last.id, 1_000_000_000],
        { consistency },
      );
      excess.push(...rest.map((r) => ({ id: String(r['id']), score: r['score'] })));
    }
    const top = excess[0]!;
    await this.#run([
      { query: this.#cql.deleteEntriesTo, params: [...base, String(top.score), top.id] },
      ...excess.map(({ id }) => ({ query: this.#cql.deleteRef, params: [...base, id] })),
    ]);
    return excess.length;
  }

  add(key: string, entries: readonly TimelineEntry[], options: TimelineWriteOptions) {
    return cassandraCall('add', key, async () => {
      const known = await this.#refs(
        key,
        entries.map((e) => e.id),
      );
      await this.#insert(key, entries);
      if (options.maxLength !== undefined) {
        await this.#trim(key, options.maxLength, entries.length + TRIM_SLACK);
      }
      return entries.filter((e) => !known.has(e.id)).length;
    });
  }

  /** The fan-out: blind inserts, `fanoutConcurrency` feeds at a time (each its own partition). */
  addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
  ) {
    return forEachLimited(keys, this.#fanout, (key) =>
      cassandraCall('addToMany', key, async () => {
        await this.#insert(key, entries);
        if (options.maxLength !== undefined) {
          await this.#trim(key, options.maxLength, entries.length + TRIM_SLACK);
        }
      }),
    );
  }

  remove(key: string, ids: readonly string[]): Promise<number> {
    return cassandraCall('remove', key, async () => {
      const found = await this.#refs(key, ids);
      const base = [this.#ns, key];
      await this.#run(
        [...found].flatMap(([id, score]) => [
          { query: this.#cql.deleteEntry, params: [...base, String(score), id] },
          { query: this.#cql.deleteRef, params: [...base, id] },
        ]),
      );
      return found.size;
    });
  }

  async removeFromMany(keys: readonly string[], ids: readonly string[]): Promise<void> {
    await forEachLimited(keys, this.#fanout, (key) => this.remove(key, ids));
  }

  async range(key: string, query: RangeQuery): Promise<TimelineEntry[]> {
    if (query.limit <= 0 || !boundsOverlap(query.min, query.max)) return [];
    const { min, max } = query;
    const cql = this.#cql.range(
      query.order === 'asc' ? 'ASC' : 'DESC',
      min ? (min.inclusive ? '>=' : '>') : undefined,
      max ? (max.inclusive ? '<=' : '<') : undefined,
    );
    const params: unknown[] = [this.#ns, key];
    if (min) params.push(String(min.score), min.id);
    if (max) params.push(String(max.score), max.id);
    params.push(query.limit);
    return cassandraCall('range', key, async () => {
      const rows = await readRows(this.#exec, cql, params, {
        consistency: this.#exec.readConsistency,
        max: query.limit,
      });
      return rows.map((r) => ({ id: String(r['id']), score: toNumber(r['score']) }));
    });
  }

  get(key: string, ids: readonly string[]): Promise<(TimelineEntry | undefined)[]> {
    return cassandraCall('get', key, async () => {
      const found = await this.#refs(key, ids);
      return ids.map((id) => {
        const score = found.get(id);
        return score === undefined ? undefined : { id, score };
      });
    });
  }

  count(key: string): Promise<number> {
    return cassandraCall('count', key, async () => {
      const [row] = await readRows(this.#exec, this.#cql.count, [this.#ns, key], {
        consistency: this.#exec.readConsistency,
        max: 1,
      });
      return toNumber(row?.['n']);
    });
  }

  indexOf(key: string, id: string, order: 'desc' | 'asc'): Promise<number> {
    return cassandraCall('indexOf', key, async () => {
      const score = (await this.#refs(key, [id])).get(id);
      if (score === undefined) return -1;
      const [row] = await readRows(
        this.#exec,
        this.#cql.countBeyond(order),
        [this.#ns, key, String(score), id],
        { consistency: this.#exec.readConsistency, max: 1 },
      );
      return toNumber(row?.['n']);
    });
  }

  trim(key: string, maxLength: number): Promise<number> {
    return cassandraCall('trim', key, () => this.#trim(key, maxLength, TRIM_SLACK));
  }

  delete(key: string): Promise<void> {
    return cassandraCall('delete', key, async () => {
      await this.#exec.client.execute(this.#cql.deleteFeed, [this.#ns, key], {
        prepare: true,
        isIdempotent: true,
        consistency: this.#exec.consistency,
      });
    });
  }
}

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

/** Point reads (or filtered reads) in flight for one call. */
const LOOKUPS = 16;

/** Rows read past `maxLength` by the read of a trim, beyond the entries just written. */
const TRIM_SLACK = 16;

/** Statements per batch of a trim or removal (one partition; each statement a small row). */
const BATCH = 200;

/**
 * The id-only timelines of a Cassandra storage, in their own table (see `id-statements.ts`).
 * Every write is plain and idempotent: a fan-out write is one single-row `INSERT` per feed and
 * entry, with no read before it, no lightweight transaction and no version. What changes
 * against the conditional path of the other timelines (docs/backends/cassandra.md, "Two tables,
 * two write paths"):
 * - a write with `maxLength` inserts, then trims: it reads the newest `maxLength` entries plus a
 *   few, and deletes what lies below them with one range tombstone. A reader in between can see
 *   the feed a few entries longer; concurrent trims agree. A feed defined with
 *   `trim: { chance }` writes without that read.
 * - `count` counts the rows; removal, `get` and `indexOf` find an id by filtering the feed's
 *   partition on the server: O(length), bounded by `maxLength`.
 * - `add` reads each new entry's row first (a point read), only to return how many ids were new;
 *   `addToMany` reads nothing unless it trims.
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

  #write(query: string, params: unknown[]) {
    return this.#exec.client.execute(query, params, {
      prepare: true,
      isIdempotent: true,
      consistency: this.#exec.consistency,
    });
  }

  /** Runs plain single-partition batches of `statements`, `BATCH` at a time. */
  async #run(statements: readonly Statement[]): Promise<void> {
    for (const part of chunks(statements, BATCH)) {
      if (part.length === 1) await this.#write(part[0]!.query, part[0]!.params);
      else {
        await this.#exec.client.batch(part, {
          prepare: true,
          logged: false,
          isIdempotent: true,
          consistency: this.#exec.consistency,
        });
      }
    }
  }

  /** The entries of the ids that are in the timeline, found by id (filtered in the partition). */
  async #find(key: string, ids: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    await forEachLimited(ids, LOOKUPS, async (id) => {
      const [row] = await readRows(this.#exec, this.#cql.find, [this.#ns, key, id], {
        consistency: this.#exec.consistency,
        max: 1,
      });
      if (row) out.set(id, toNumber(row['score']));
    });
    return out;
  }

  /** The entries, one single-row insert each (a batch when there are several). */
  #insert(key: string, entries: readonly TimelineEntry[]): Promise<void> {
    return this.#run(
      entries.map(({ id, score }) => ({
        query: this.#cql.put,
        params: [this.#ns, key, String(score), id],
      })),
    );
  }

  /**
   * Keeps the `maxLength` highest entries: reads the newest `maxLength + slack` entries (paging
   * on only when all of them came back) and deletes everything below the `maxLength`-th with one
   * range tombstone. The boundary is counted from the top, where entries only ever come in, so
   * concurrent trims can only agree (a boundary counted from the bottom after a count would
   * move when another trim deletes first, and delete kept entries: found by the concurrent
   * fan-out test).
   */
  async #trim(key: string, maxLength: number, slack = TRIM_SLACK): Promise<number> {
    const want = maxLength + slack;
    const base = [this.#ns, key];
    const consistency = this.#exec.consistency;
    const rows = await readRows(this.#exec, this.#cql.range('DESC'), [...base, want], {
      consistency,
      max: want,
    });
    if (rows.length <= maxLength) return 0;
    let excess = rows.length - maxLength;
    const top = rows[maxLength]!;
    if (rows.length === want) {
      const last = rows.at(-1)!;
      const rest = await readRows(
        this.#exec,
        this.#cql.range('DESC', undefined, '<'),
        [...base, String(last['score']), String(last['id']), 2_000_000_000],
        { consistency },
      );
      excess += rest.length;
    }
    await this.#write(this.#cql.deleteTo, [...base, String(top['score']), String(top['id'])]);
    return excess;
  }

  add(key: string, entries: readonly TimelineEntry[], options: TimelineWriteOptions) {
    return cassandraCall('add', key, async () => {
      const known = await this.#present(key, entries);
      await this.#insert(key, entries);
      if (options.maxLength !== undefined) {
        await this.#trim(key, options.maxLength, entries.length + TRIM_SLACK);
      }
      return entries.filter((e) => !known.has(e.id)).length;
    });
  }

  /**
   * Which of `entries` are in the timeline already: a point read each for a few, else one read
   * of the `(score, id)` span they cover (ids keep their score, so a row there is the entry).
   */
  async #present(key: string, entries: readonly TimelineEntry[]): Promise<Set<string>> {
    const out = new Set<string>();
    const consistency = this.#exec.consistency;
    if (entries.length <= 4) {
      await forEachLimited(entries, LOOKUPS, async ({ id, score }) => {
        const at = [this.#ns, key, String(score), id];
        const rows = await readRows(this.#exec, this.#cql.exists, at, { consistency, max: 1 });
        if (rows.length > 0) out.add(id);
      });
      return out;
    }
    const sorted = [...entries].sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1));
    const [low, high] = [sorted[0]!, sorted.at(-1)!];
    const rows = await readRows(
      this.#exec,
      this.#cql.range('ASC', '>=', '<='),
      [this.#ns, key, String(low.score), low.id, String(high.score), high.id, 2_000_000_000],
      { consistency },
    );
    const wanted = new Set(entries.map((e) => e.id));
    for (const row of rows) {
      const id = String(row['id']);
      if (wanted.has(id)) out.add(id);
    }
    return out;
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
      const found = await this.#find(key, ids);
      await this.#run(
        [...found].map(([id, score]) => ({
          query: this.#cql.delete,
          params: [this.#ns, key, String(score), id],
        })),
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
      const found = await this.#find(key, ids);
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
      const score = (await this.#find(key, [id])).get(id);
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
    return cassandraCall('trim', key, () => this.#trim(key, maxLength));
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

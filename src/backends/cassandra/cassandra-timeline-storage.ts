import { ConflictError } from '../../errors.js';
import type {
  RangeQuery,
  TimelineChanges,
  TimelineCompute,
  TimelineDriver,
  TimelineEntry,
  TimelineHints,
  TimelineUpdate,
  TimelineWriteOptions,
} from '../../storage/contracts.js';
import { forEachLimited } from '../../util/for-each-limited.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import {
  cassandraCall,
  type Executor,
  PassThrough,
  readRows,
  runConditionalBatch,
  toNumber,
} from './driver.js';
import { CassandraIdTimelines } from './id-timelines.js';
import { KeyQueue } from './key-queue.js';
import { checkExecutor, checkQualifiedTable, namespaceOption, positiveInteger } from './options.js';
import {
  boundsOverlap,
  countBeyondStatement,
  type TimelineStatements,
  timelineStatements,
} from './statements.js';
import {
  type Plan,
  type PlannedChanges,
  planChanges,
  planClearMarker,
  planDelete,
} from './timeline-plan.js';
import {
  type FeedRef,
  readEntriesAt,
  readHead,
  readMarked,
  readRange,
  readRefs,
  Snapshot,
} from './timeline-reads.js';

/** Options of {@link CassandraTimelineStorage}. */
export interface CassandraTimelineStorageOptions {
  /** Client, consistency levels and page size. */
  readonly exec: Executor;
  /** The timeline table, qualified and quoted: `"keyspace"."table"`. */
  readonly table: string;
  /** The id-only timeline table (normalized flat feeds), qualified and quoted. */
  readonly idTable: string;
  /** Namespace of every partition key (isolates tenants or tests sharing tables). */
  readonly namespace: string;
  /** Attempts of a write whose conditional commit lost to another writer. @default 50 */
  readonly maxUpdateAttempts?: number | undefined;
  /** Feeds written at once by addToMany / removeFromMany. @default 32 */
  readonly fanoutConcurrency?: number | undefined;
  /** Entries per conditional commit of a large add (each chunk is atomic). @default 500 */
  readonly maxEntriesPerCommit?: number | undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const KEYS = optionKeys<CassandraTimelineStorageOptions>({
  exec: true,
  table: true,
  idTable: true,
  namespace: true,
  maxUpdateAttempts: true,
  fanoutConcurrency: true,
  maxEntriesPerCommit: true,
});

/**
 * Timeline storage on Apache Cassandra. Id-only timelines (calls with `hints.idsOnly`: normalized
 * flat feeds) go to their own table and are written blind ({@link CassandraIdTimelines}); the
 * rest is described here: one partition per feed holding its entries clustered by
 * `(score, id)` descending, an id index and marker rows, plus static columns with the feed's
 * version and exact counts (see `statements.ts` and docs/backends/cassandra.md).
 *
 * Every write of a feed (add, remove, trim, delete, markers, update) is one conditional batch on
 * that partition: it reads what it needs, plans the changes, and commits them only if the feed's
 * version is still the one it read (`UPDATE ... IF version = ?`, a Paxos lightweight
 * transaction), retrying on conflict. So writes are atomic and isolated per feed, counts are
 * exact, trimming keeps exactly `maxLength`, and markers never outlive their entries. Writes of
 * one feed from this instance are queued locally, so they do not contend with each other.
 */
export class CassandraTimelineStorage implements TimelineDriver {
  readonly name = 'cassandra';
  readonly #exec: Executor;
  readonly #table: string;
  readonly #cql: TimelineStatements;
  readonly #ns: string;
  readonly #maxAttempts: number;
  readonly #fanout: number;
  readonly #perCommit: number;
  readonly #queue = new KeyQueue();
  readonly #ids: CassandraIdTimelines;

  constructor(options: CassandraTimelineStorageOptions) {
    const where = 'CassandraTimelineStorage';
    const o = checkOptions<CassandraTimelineStorageOptions>(options, KEYS, where);
    this.#exec = checkExecutor(o.exec, where);
    this.#table = checkQualifiedTable(o.table, where);
    this.#cql = timelineStatements(this.#table);
    this.#ns = namespaceOption(o.namespace);
    this.#maxAttempts = positiveInteger(o.maxUpdateAttempts, 50, 'maxUpdateAttempts');
    this.#fanout = positiveInteger(o.fanoutConcurrency, 32, 'fanoutConcurrency');
    this.#perCommit = positiveInteger(o.maxEntriesPerCommit, 500, 'maxEntriesPerCommit');
    const idTable = checkQualifiedTable(o.idTable, where);
    this.#ids = new CassandraIdTimelines(this.#exec, idTable, this.#ns, this.#fanout);
  }

  #feed(key: string): FeedRef {
    return { exec: this.#exec, table: this.#table, cql: this.#cql, ns: this.#ns, key };
  }

  /**
   * The optimistic write loop: read the head, plan against it, commit if the version is
   * unchanged, else retry. Queued per key so this instance never races itself.
   */
  #write<R>(
    operation: string,
    key: string,
    plan: (snap: Snapshot, base: readonly unknown[]) => Promise<{ plan?: Plan; result: R }>,
  ): Promise<R> {
    return this.#queue.run(key, () =>
      cassandraCall(operation, key, async () => {
        const feed = this.#feed(key);
        for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
          const snap = new Snapshot(feed, await readHead(feed, this.#exec.consistency));
          const planned = await plan(snap, [this.#ns, key]);
          if (!planned.plan || planned.plan.statements.length === 0) return planned.result;
          if (await runConditionalBatch(this.#exec, planned.plan.statements)) return planned.result;
          // Another writer committed first: back off (with jitter after two quick retries).
          await sleep(attempt < 3 ? 0 : Math.random() * Math.min(100, 2 ** attempt));
        }
        throw new ConflictError(
          `${operation} of timeline ${key} kept conflicting with concurrent writers; nothing was written`,
          { details: { key, attempts: this.#maxAttempts } },
        );
      }),
    );
  }

  /**
   * Applies `changes`, trimming at most `maxEntriesPerCommit` entries per commit: a feed far over
   * `maxLength` (say, after maxLength was lowered) is trimmed in several atomic commits before
   * this returns, so no batch grows unbounded. Returns the summed stats.
   */
  async #apply(operation: string, key: string, changes: TimelineChanges, maxLength?: number) {
    const commit = (c: TimelineChanges) =>
      this.#write(operation, key, async (snap, base) => {
        const plan = await planChanges(snap, this.#cql, base, c, maxLength, this.#perCommit);
        return { plan, result: plan.stats };
      });
    let stats = await commit(changes);
    while (maxLength !== undefined && stats.count > maxLength) {
      const more = await commit({});
      stats = { ...stats, trimmed: stats.trimmed + more.trimmed, count: more.count };
      if (more.trimmed === 0) break;
    }
    return stats;
  }

  async add(
    key: string,
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<number> {
    if (hints.idsOnly) return this.#ids.add(key, entries, options);
    let added = 0;
    for (let i = 0; i < entries.length; i += this.#perCommit) {
      const put = entries.slice(i, i + this.#perCommit);
      added += (await this.#apply('add', key, { put }, options.maxLength)).added;
    }
    return added;
  }

  /** The fan-out, `fanoutConcurrency` feeds at a time (each feed is its own partition). */
  async addToMany(
    keys: readonly string[],
    entries: readonly TimelineEntry[],
    options: TimelineWriteOptions,
    hints: TimelineHints,
  ): Promise<void> {
    if (hints.idsOnly) return this.#ids.addToMany(keys, entries, options);
    await forEachLimited(keys, this.#fanout, (key) => this.add(key, entries, options, hints));
  }

  async remove(key: string, ids: readonly string[], hints: TimelineHints): Promise<number> {
    if (hints.idsOnly) return this.#ids.remove(key, ids);
    return (await this.#apply('remove', key, { remove: ids })).removed;
  }

  async removeFromMany(
    keys: readonly string[],
    ids: readonly string[],
    hints: TimelineHints,
  ): Promise<void> {
    await forEachLimited(keys, this.#fanout, (key) => this.remove(key, ids, hints));
  }

  async range(key: string, query: RangeQuery, hints: TimelineHints): Promise<TimelineEntry[]> {
    if (hints.idsOnly) return this.#ids.range(key, query);
    if (query.limit <= 0 || !boundsOverlap(query.min, query.max)) return [];
    return cassandraCall('range', key, () =>
      readRange(this.#feed(key), query, this.#exec.readConsistency),
    );
  }

  async get(
    key: string,
    ids: readonly string[],
    hints: TimelineHints,
  ): Promise<(TimelineEntry | undefined)[]> {
    if (hints.idsOnly) return this.#ids.get(key, ids);
    return cassandraCall('get', key, async () => {
      const feed = this.#feed(key);
      const refs = await readRefs(feed, ids, this.#exec.readConsistency);
      const found = await readEntriesAt(feed, refs, this.#exec.readConsistency);
      return ids.map((id) => found.get(id));
    });
  }

  async count(key: string, hints: TimelineHints): Promise<number> {
    if (hints.idsOnly) return this.#ids.count(key);
    return cassandraCall('count', key, async () => {
      return (await readHead(this.#feed(key), this.#exec.readConsistency)).count;
    });
  }

  async indexOf(
    key: string,
    id: string,
    order: 'desc' | 'asc',
    hints: TimelineHints,
  ): Promise<number> {
    if (hints.idsOnly) return this.#ids.indexOf(key, id, order);
    return cassandraCall('indexOf', key, async () => {
      const score = (await readRefs(this.#feed(key), [id], this.#exec.readConsistency)).get(id);
      if (score === undefined) return -1;
      const [row] = await readRows(
        this.#exec,
        countBeyondStatement(this.#table, order),
        [this.#ns, key, String(score), id],
        { consistency: this.#exec.readConsistency, max: 1 },
      );
      return toNumber(row?.['n']);
    });
  }

  async trim(key: string, maxLength: number, hints: TimelineHints): Promise<number> {
    if (hints.idsOnly) return this.#ids.trim(key, maxLength);
    return (await this.#apply('trim', key, {}, maxLength)).trimmed;
  }

  async delete(key: string, hints: TimelineHints): Promise<void> {
    if (hints.idsOnly) return this.#ids.delete(key);
    await this.#write('delete', key, async (snap, base) => ({
      plan: planDelete(snap, this.#cql, base),
      result: undefined,
    }));
  }

  async update<R>(
    key: string,
    ids: readonly string[],
    compute: TimelineCompute<R>,
    options: TimelineWriteOptions,
  ): Promise<R> {
    return this.#write('update', key, async (snap, base) => {
      const current = await snap.entries(ids);
      let computed: TimelineUpdate<R>;
      try {
        computed = compute(current);
      } catch (error) {
        throw new PassThrough(error); // the caller gets its own error, not a BackendError
      }
      const { changes, result } = computed;
      const plan = await planChanges(snap, this.#cql, base, changes, options.maxLength);
      return { plan, result };
    });
  }

  async countMarked(key: string, marker: string): Promise<number> {
    return cassandraCall('countMarked', key, async () => {
      const head = await readHead(this.#feed(key), this.#exec.readConsistency);
      return head.marked[marker] ?? 0;
    });
  }

  async isMarked(key: string, marker: string, ids: readonly string[]): Promise<boolean[]> {
    return cassandraCall('isMarked', key, async () => {
      const marked = await readMarked(this.#feed(key), marker, ids, this.#exec.readConsistency);
      return ids.map((id) => marked.has(id));
    });
  }

  async clearMarker(
    key: string,
    marker: string,
    ids: readonly string[] | undefined,
  ): Promise<number> {
    return this.#write('clearMarker', key, async (snap, base) => {
      const changes: PlannedChanges = { unmark: { [marker]: ids ?? [] } };
      const plan =
        ids === undefined
          ? planClearMarker(snap, this.#cql, base, marker)
          : await planChanges(snap, this.#cql, base, changes, undefined);
      return { plan, result: plan.stats.markChanges };
    });
  }
}

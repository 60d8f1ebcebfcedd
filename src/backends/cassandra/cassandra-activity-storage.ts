import type { ActivityDriver } from '../../storage/contracts.js';
import { forEachLimited } from '../../util/for-each-limited.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { cassandraCall, type Executor, readRows } from './driver.js';
import { checkExecutor, checkQualifiedTable, namespaceOption, positiveInteger } from './options.js';
import { activityStatements } from './statements.js';

/** Options of {@link CassandraActivityStorage}. */
export interface CassandraActivityStorageOptions {
  /** Client, consistency levels and page size. */
  readonly exec: Executor;
  /** The activity table, qualified and quoted: `"keyspace"."table"`. */
  readonly table: string;
  /** Namespace of every partition key (isolates tenants or tests sharing the table). */
  readonly namespace: string;
  /** Statements in flight at once for one batch call. @default 64 */
  readonly concurrency?: number | undefined;
}

const KEYS = optionKeys<CassandraActivityStorageOptions>({
  exec: true,
  table: true,
  namespace: true,
  concurrency: true,
});

/**
 * Activity storage on Apache Cassandra: one partition per activity, `(ns, id) -> payload`. A
 * batch of ids is one prepared single-partition statement per id, run concurrently (the driver
 * routes each to a replica of its partition), rather than a multi-partition `IN` or a
 * multi-partition batch. Writes are plain upserts and deletes (no lightweight transactions):
 * activities are written once and replaced whole.
 */
export class CassandraActivityStorage implements ActivityDriver {
  readonly name = 'cassandra';
  readonly #exec: Executor;
  readonly #cql: ReturnType<typeof activityStatements>;
  readonly #ns: string;
  readonly #concurrency: number;

  constructor(options: CassandraActivityStorageOptions) {
    const where = 'CassandraActivityStorage';
    const o = checkOptions<CassandraActivityStorageOptions>(options, KEYS, where);
    this.#exec = checkExecutor(o.exec, where);
    this.#cql = activityStatements(checkQualifiedTable(o.table, where));
    this.#ns = namespaceOption(o.namespace);
    this.#concurrency = positiveInteger(o.concurrency, 64, 'concurrency');
  }

  async #payloads(ids: readonly string[], consistency: number): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    await forEachLimited([...new Set(ids)], this.#concurrency, async (id) => {
      const [row] = await readRows(this.#exec, this.#cql.get, [this.#ns, id], {
        consistency,
        max: 1,
      });
      const payload = row?.['payload'];
      if (payload !== null && payload !== undefined) found.set(id, String(payload));
    });
    return found;
  }

  async getMany(ids: readonly string[]): Promise<(string | undefined)[]> {
    const found = await cassandraCall('getMany', 'activities', () =>
      this.#payloads(ids, this.#exec.readConsistency),
    );
    return ids.map((id) => found.get(id));
  }

  async putMany(
    entries: readonly { readonly id: string; readonly payload: string }[],
  ): Promise<void> {
    await cassandraCall('putMany', 'activities', () =>
      forEachLimited(entries, this.#concurrency, ({ id, payload }) =>
        this.#exec.client.execute(this.#cql.put, [this.#ns, id, payload], {
          prepare: true,
          isIdempotent: true,
          consistency: this.#exec.consistency,
        }),
      ),
    );
  }

  async removeMany(ids: readonly string[]): Promise<number> {
    return cassandraCall('removeMany', 'activities', async () => {
      const existing = await this.#payloads(ids, this.#exec.consistency);
      await forEachLimited([...existing.keys()], this.#concurrency, (id) =>
        this.#exec.client.execute(this.#cql.remove, [this.#ns, id], {
          prepare: true,
          isIdempotent: true,
          consistency: this.#exec.consistency,
        }),
      );
      return existing.size;
    });
  }
}

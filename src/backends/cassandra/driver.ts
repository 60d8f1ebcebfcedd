import type { Client, types } from 'cassandra-driver';
import { asBackendError } from '../../errors.js';

/**
 * What the backend needs of a cassandra-driver `Client`: `execute` and `batch`. You create the
 * client, connect it and shut it down; the backend never does.
 */
export type CassandraClient = Pick<Client, 'execute' | 'batch'>;

/** A consistency level: a `types.consistencies` value of cassandra-driver (e.g. `localQuorum`). */
export type Consistency = types.consistencies | number;

/** `types.consistencies.localQuorum`, the default for reads and writes (no runtime import of the driver). */
export const LOCAL_QUORUM = 0x06;
/** `types.consistencies.localSerial`, the default serial consistency of lightweight transactions. */
export const LOCAL_SERIAL = 0x09;

/** How statements are run: client, consistency levels and page size. */
export interface Executor {
  readonly client: CassandraClient;
  /** Consistency of writes and of the reads a write is computed from. */
  readonly consistency: Consistency;
  /** Consistency of plain reads (range, get, count, markers, activities). */
  readonly readConsistency: Consistency;
  /** Serial consistency of the Paxos phase of lightweight transactions. */
  readonly serialConsistency: Consistency;
  /** Rows per page when a read is paged. */
  readonly fetchSize: number;
}

/** One statement of a batch. */
export interface Statement {
  readonly query: string;
  readonly params: unknown[];
}

/** A result row: column name -> decoded value. */
export type Row = Readonly<Record<string, unknown>>;

/**
 * Runs a prepared read and returns at most `max` rows, fetching them `fetchSize` at a time with
 * the driver's paging state, so a read never materializes more of a partition than it returns.
 */
export async function readRows(
  exec: Executor,
  cql: string,
  params: unknown[],
  options: { readonly consistency: Consistency; readonly max?: number | undefined },
): Promise<Row[]> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const out: Row[] = [];
  let pageState: string | undefined;
  do {
    const rs = await exec.client.execute(cql, params, {
      prepare: true,
      isIdempotent: true,
      consistency: options.consistency,
      fetchSize: Math.max(1, Math.min(exec.fetchSize, max - out.length)),
      ...(pageState === undefined ? {} : { pageState }),
    });
    for (const row of rs.rows) {
      if (out.length >= max) break;
      out.push(row as unknown as Row);
    }
    pageState = rs.pageState ?? undefined;
  } while (pageState !== undefined && out.length < max);
  return out;
}

/** Runs a prepared single-partition conditional batch; resolves to whether it was applied. */
export async function runConditionalBatch(
  exec: Executor,
  statements: readonly Statement[],
): Promise<boolean> {
  const rs = await exec.client.batch(
    statements.map((s) => ({ query: s.query, params: s.params })),
    {
      prepare: true,
      logged: false, // one partition: atomic and isolated without the batch log
      consistency: exec.consistency,
      serialConsistency: exec.serialConsistency,
    },
  );
  return rs.wasApplied();
}

/** A bigint/counter column value (a driver `Long`, a `BigInt`, a number or null) as a number. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(String(value));
}

/** Splits `items` into chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Wraps an error thrown by user code (an update's compute) so it reaches the caller unchanged. */
export class PassThrough {
  constructor(readonly error: unknown) {}
}

/**
 * Runs a Cassandra operation and turns any failure that is not already one of ours (no host
 * available, timeout, server error) into a BackendError naming the operation and key. A write
 * that timed out in its Paxos phase (a `WriteTimeout` of type CAS) may or may not have been
 * applied; the message says so. Every write of the backend is an idempotent upsert or delete
 * computed from a fresh read, so retrying is safe.
 */
export async function cassandraCall<T>(
  operation: string,
  key: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof PassThrough) throw error.error;
    const writeType = (error as { writeType?: unknown } | null)?.writeType;
    const note = writeType === 'CAS' ? ' (the write may or may not have been applied)' : '';
    throw asBackendError(error, { backend: 'cassandra', operation, key, note });
  }
}

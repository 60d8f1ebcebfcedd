import { randomUUID } from 'node:crypto';
import cassandra from 'cassandra-driver';
import {
  type CassandraClient,
  type CassandraStorage,
  type CassandraStorageOptions,
  createCassandraStorage,
  createSchema,
} from '../../src/backends/cassandra/index.js';
import type { BackendUnderTest } from '../../src/testing/index.js';

/**
 * Stops every driver Host object a client has had, for a test that restarts a node.
 * cassandra-driver 4.10 replaces its Host object when a node comes back, without stopping the old
 * one's timers (a health-check interval and a reconnection attempt); Client.shutdown() only stops
 * the current hosts', and the leftover timers would keep the test file from exiting. Call
 * `remember()` before a node goes down, and `shutdown()` (which shuts the client down too) at the
 * end. Host.shutdown is driver-internal.
 */
export function hostTracker(client: cassandra.Client): {
  remember(): void;
  shutdown(): Promise<void>;
} {
  const seen = new Set<ReturnType<typeof client.hosts.values>[number]>();
  const remember = () => {
    for (const host of client.hosts.values()) seen.add(host);
  };
  return {
    remember,
    async shutdown() {
      remember();
      await client.shutdown().catch(() => undefined);
      for (const host of seen) {
        await (host as unknown as { shutdown(wait: boolean): Promise<void> })
          .shutdown(false)
          .catch(() => undefined);
      }
    },
  };
}

/** Keyspace the Cassandra tests share (each test isolates itself with a namespace). */
export const TEST_KEYSPACE = process.env.CASSANDRA_TEST_KEYSPACE ?? 'sf_test';

/** The contact points of the node started by the test runner (CASSANDRA_CONTACT_POINTS). */
export function contactPoints(): string[] {
  const points = process.env.CASSANDRA_CONTACT_POINTS;
  if (!points) {
    throw new Error(
      'CASSANDRA_CONTACT_POINTS is not set: run through `npm test` (scripts/test.mjs starts Cassandra)',
    );
  }
  return points.split(',').map((p) => p.trim());
}

/**
 * A new driver client on the test node (or ring); the caller shuts it down. The driver reaches
 * the peers it discovers on `protocolOptions.port` (9042 unless told), not on the contact
 * points' port: the ring's nodes share one port, given here.
 */
export function testClient(options: Partial<cassandra.ClientOptions> = {}): cassandra.Client {
  const points = contactPoints();
  const port = Number(points[0]?.split(':')[1] ?? 9042);
  return new cassandra.Client({
    contactPoints: points,
    localDataCenter: process.env.CASSANDRA_LOCAL_DC ?? 'datacenter1',
    socketOptions: { connectTimeout: 10_000, readTimeout: 30_000 },
    ...options,
    protocolOptions: { port, ...options.protocolOptions },
  });
}

/** A fresh namespace: every test's feeds and activities live under their own partition keys. */
export function uniqueNamespace(): string {
  return `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** Creates the test keyspace (replication factor 1) and the backend's tables, if missing. */
export async function ensureSchema(client: cassandra.Client): Promise<void> {
  await createSchema(client, {
    keyspace: TEST_KEYSPACE,
    replication: { class: 'SimpleStrategy', replication_factor: 1 },
  });
}

/**
 * The conformance-kit backend on a client: every test gets storage under a fresh namespace (a
 * partition-key prefix) in the shared tables: schema changes are slow in Cassandra, partitions
 * are free. Nothing is deleted afterwards: the node is thrown away at the end of the run.
 */
export function cassandraBackend(
  name: string,
  client: cassandra.Client,
  options: Partial<CassandraStorageOptions> = {},
): BackendUnderTest {
  return {
    name,
    create: () =>
      createCassandraStorage({
        client,
        keyspace: TEST_KEYSPACE,
        namespace: uniqueNamespace(),
        ...options,
      }),
  };
}

/** A CassandraStorage on the test keyspace under a fresh namespace. */
export function testStorage(
  client: CassandraClient,
  options: Partial<CassandraStorageOptions> = {},
): CassandraStorage {
  return createCassandraStorage({
    client,
    keyspace: TEST_KEYSPACE,
    namespace: uniqueNamespace(),
    ...options,
  });
}

/** One call the {@link recordingClient} saw. */
export interface RecordedCall {
  readonly kind: 'execute' | 'batch';
  readonly query: string;
  readonly options: cassandra.QueryOptions;
  readonly rows: number;
  /** Statements in a batch (1 for execute). */
  readonly statements: number;
}

/**
 * A client that forwards to a real one and records every call (query, options, rows returned),
 * with an optional hook run before each batch. It is not a stand-in for the server: every call
 * still goes to Cassandra.
 */
export function recordingClient(
  client: cassandra.Client,
  beforeBatch?: () => Promise<void>,
): { client: CassandraClient; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const recorder = {
    async execute(
      query: string,
      params?: cassandra.ArrayOrObject,
      options: cassandra.QueryOptions = {},
    ) {
      const rs = await client.execute(query, params, options);
      calls.push({ kind: 'execute', query, options, rows: rs.rowLength, statements: 1 });
      return rs;
    },
    async batch(
      queries: Array<string | { query: string; params?: cassandra.ArrayOrObject }>,
      options: cassandra.QueryOptions = {},
    ) {
      await beforeBatch?.();
      const rs = await client.batch(queries, options);
      const first = queries[0];
      const query = typeof first === 'string' ? first : (first?.query ?? '');
      calls.push({
        kind: 'batch',
        query,
        options,
        rows: rs.rowLength,
        statements: queries.length,
      });
      return rs;
    },
  };
  return { client: recorder as unknown as CassandraClient, calls };
}

/** Rows of each kind in one feed's partition, read straight from the table. */
export async function partitionRows(
  client: cassandra.Client,
  storage: CassandraStorage,
  key: string,
): Promise<{ entries: number; index: number; markers: Record<string, number> }> {
  const rs = await client.execute(
    `SELECT kind, tag FROM "${TEST_KEYSPACE}"."${storage.tables.timelines}" WHERE ns = ? AND feed = ?`,
    [storage.namespace, key],
    { prepare: true, fetchSize: 100_000 },
  );
  const out = { entries: 0, index: 0, markers: {} as Record<string, number> };
  for (const row of rs.rows) {
    const kind = row['kind'] as number | null;
    if (kind === 0) out.entries += 1;
    else if (kind === 1) out.index += 1;
    else if (kind === 2) out.markers[row['tag']] = (out.markers[row['tag']] ?? 0) + 1;
  }
  return out;
}

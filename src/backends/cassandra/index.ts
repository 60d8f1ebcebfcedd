/**
 * `stream-framework/cassandra`: the Apache Cassandra backend, on the DataStax `cassandra-driver`
 * (an optional peer dependency). You create, connect and shut down the client; the backend never
 * does. Create the tables once with {@link createSchema}.
 * @example
 * import { Client } from 'cassandra-driver';
 * import { createCassandraStorage, createSchema } from 'stream-framework/cassandra';
 * const client = new Client({ contactPoints: ['10.0.0.1'], localDataCenter: 'dc1' });
 * await createSchema(client, { keyspace: 'feeds', replication: { class: 'NetworkTopologyStrategy', dc1: 3 } });
 * const storage = createCassandraStorage({ client, keyspace: 'feeds' });
 * const timeline = defineFlatFeed({ name: 'timeline', storage });
 * @module
 */

import type { Storage } from '../../storage/contracts.js';
import type { DefinedActivityStorage } from '../../storage/define-activity-storage.js';
import { type DefinedTimelineStorage, defineStorage } from '../../storage/define-storage.js';
import { objectOption } from '../../validation/objects.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { CassandraActivityStorage } from './cassandra-activity-storage.js';
import { CassandraTimelineStorage } from './cassandra-timeline-storage.js';
import {
  type CassandraClient,
  type Consistency,
  type Executor,
  LOCAL_QUORUM,
  LOCAL_SERIAL,
} from './driver.js';
import { consistencyOption, namespaceOption, positiveInteger } from './options.js';
import { tableNames } from './schema.js';
import { type CassandraTableNames, checkIdentifier, qualified } from './statements.js';

export type { CassandraClient, Consistency } from './driver.js';
export type { CassandraSchema, CreateSchemaOptions, Replication } from './schema.js';
export { createSchema, schemaStatements } from './schema.js';
export type { CassandraTableNames } from './statements.js';

/** Options of {@link createCassandraStorage}. */
export interface CassandraStorageOptions {
  /** A cassandra-driver `Client` you own (connected or not; the driver connects on first use). */
  readonly client: CassandraClient;
  /** Keyspace holding the tables (see {@link createSchema}). */
  readonly keyspace: string;
  /** Table names, as given to createSchema. @default { timelines: 'sf_timeline', activities: 'sf_activity', idTimelines: 'sf_id_timeline' } */
  readonly tables?: Partial<CassandraTableNames> | undefined;
  /**
   * Namespace prepended to every partition key (its own partition-key column, so nothing is
   * escaped): several applications, tenants or test runs can share the tables. @default ''
   */
  readonly namespace?: string | undefined;
  /**
   * Consistency of writes, and of the reads a write is computed from: it must make a read see
   * every committed write (LOCAL_QUORUM or QUORUM with a replication factor above 1; ONE only
   * with a replication factor of 1). A `types.consistencies` value. @default localQuorum
   */
  readonly consistency?: Consistency | undefined;
  /** Consistency of plain reads (range, get, count, markers, activities). @default consistency */
  readonly readConsistency?: Consistency | undefined;
  /** Serial consistency of the lightweight transactions (Paxos phase). @default localSerial */
  readonly serialConsistency?: Consistency | undefined;
  /** Rows per page when a read is paged (large ranges, trimming). @default 500 */
  readonly fetchSize?: number | undefined;
  /** Attempts of a write that lost its conditional commit to another writer. @default 50 */
  readonly maxUpdateAttempts?: number | undefined;
  /** Feeds written at once by addToMany / removeFromMany (fan-out). @default 32 */
  readonly fanoutConcurrency?: number | undefined;
  /** Entries per conditional commit of a large add (each chunk is atomic). @default 500 */
  readonly maxEntriesPerCommit?: number | undefined;
}

/** The Cassandra backend: timeline and activity storage on one client. */
export interface CassandraStorage extends Storage {
  readonly timeline: DefinedTimelineStorage<CassandraTimelineStorage>;
  readonly activities: DefinedActivityStorage<CassandraActivityStorage>;
  readonly keyspace: string;
  readonly tables: CassandraTableNames;
  readonly namespace: string;
}

/** The keys of {@link CassandraStorageOptions}: any other is refused (`INVALID_OPTION`). */
const CASSANDRA_STORAGE_KEYS = optionKeys<CassandraStorageOptions>({
  client: true,
  keyspace: true,
  tables: true,
  namespace: true,
  consistency: true,
  readConsistency: true,
  serialConsistency: true,
  fetchSize: true,
  maxUpdateAttempts: true,
  fanoutConcurrency: true,
  maxEntriesPerCommit: true,
});

/**
 * Creates the Cassandra backend on `client`; the tables must exist (see {@link createSchema}).
 * Throws `INVALID_OPTION` for an unknown or wrong-typed option.
 */
export function createCassandraStorage(options: CassandraStorageOptions): CassandraStorage {
  checkOptions(options, CASSANDRA_STORAGE_KEYS, 'createCassandraStorage');
  objectOption(options.client, 'client', ['execute', 'batch'], 'a cassandra-driver Client');
  const keyspace = checkIdentifier(options.keyspace, 'keyspace');
  const tables = tableNames(options.tables);
  const namespace = namespaceOption(options.namespace);
  const consistency = consistencyOption(options.consistency, LOCAL_QUORUM, 'consistency');
  const exec: Executor = Object.freeze({
    client: options.client,
    consistency,
    readConsistency: consistencyOption(options.readConsistency, consistency, 'readConsistency'),
    serialConsistency: consistencyOption(
      options.serialConsistency,
      LOCAL_SERIAL,
      'serialConsistency',
    ),
    fetchSize: positiveInteger(options.fetchSize, 500, 'fetchSize'),
  });
  return defineStorage({
    keyspace,
    tables,
    namespace,
    timeline: new CassandraTimelineStorage({
      exec,
      table: qualified(keyspace, tables.timelines),
      idTable: qualified(keyspace, tables.idTimelines),
      namespace,
      maxUpdateAttempts: positiveInteger(options.maxUpdateAttempts, 50, 'maxUpdateAttempts'),
      fanoutConcurrency: positiveInteger(options.fanoutConcurrency, 32, 'fanoutConcurrency'),
      maxEntriesPerCommit: positiveInteger(options.maxEntriesPerCommit, 500, 'maxEntriesPerCommit'),
    }),
    activities: new CassandraActivityStorage({
      exec,
      table: qualified(keyspace, tables.activities),
      namespace,
    }),
  });
}

import { ValidationError } from '../../errors.js';
import { objectOption } from '../../validation/objects.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { boolOptionOr } from '../../validation/values.js';
import { type CassandraClient, cassandraCall } from './driver.js';
import { createIdTimelineTable } from './id-statements.js';
import {
  type CassandraTableNames,
  checkIdentifier,
  createActivityTable,
  createTimelineTable,
  DEFAULT_TABLES,
  qualified,
} from './statements.js';

/** Replication of a keyspace, e.g. `{ class: 'NetworkTopologyStrategy', dc1: 3 }`. */
export type Replication = Readonly<Record<string, string | number>>;

/** Options of {@link createSchema}. */
export interface CreateSchemaOptions {
  /** Keyspace to create (if missing) and to create the tables in. */
  readonly keyspace: string;
  /**
   * Replication of the keyspace when it is created (an existing keyspace is left as it is):
   * `{ class: 'SimpleStrategy', replication_factor: 1 }` for a single development node,
   * `{ class: 'NetworkTopologyStrategy', <data center>: 3 }` in production.
   */
  readonly replication: Replication;
  /** Table names; must match the ones given to `createCassandraStorage`. @default { timelines: 'sf_timeline', activities: 'sf_activity', idTimelines: 'sf_id_timeline' } */
  readonly tables?: Partial<CassandraTableNames> | undefined;
  /** `durable_writes` of a created keyspace. @default true */
  readonly durableWrites?: boolean | undefined;
}

/** What {@link createSchema} created (or found). */
export interface CassandraSchema {
  readonly keyspace: string;
  readonly tables: CassandraTableNames;
}

/** The CQL literal of a replication map; keys and values are checked (no quotes can sneak in). */
export function replicationLiteral(replication: Replication): string {
  const entries = Object.entries(replication ?? {});
  const ok = /^[A-Za-z0-9_.-]{1,128}$/;
  if (entries.length === 0 || !entries.some(([k]) => k === 'class')) {
    throw new ValidationError('INVALID_OPTION', 'cassandra replication needs a class', {
      details: { option: 'replication' },
    });
  }
  const parts = entries.map(([k, v]) => {
    if (!ok.test(k) || !ok.test(String(v))) {
      throw new ValidationError(
        'INVALID_OPTION',
        `invalid cassandra replication entry ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
        { details: { option: 'replication' } },
      );
    }
    return `'${k}': '${String(v)}'`;
  });
  return `{${parts.join(', ')}}`;
}

const TABLE_KEYS = optionKeys<CassandraTableNames>({
  timelines: true,
  activities: true,
  idTimelines: true,
});

const SCHEMA_KEYS = optionKeys<CreateSchemaOptions>({
  keyspace: true,
  replication: true,
  tables: true,
  durableWrites: true,
});

/** The table names with defaults filled in and checked (an unknown key is `INVALID_OPTION`). */
export function tableNames(tables?: Partial<CassandraTableNames>): CassandraTableNames {
  if (tables !== undefined) checkOptions(tables, TABLE_KEYS, 'cassandra tables');
  return Object.freeze({
    timelines: checkIdentifier(tables?.timelines ?? DEFAULT_TABLES.timelines, 'tables.timelines'),
    activities: checkIdentifier(
      tables?.activities ?? DEFAULT_TABLES.activities,
      'tables.activities',
    ),
    idTimelines: checkIdentifier(
      tables?.idTimelines ?? DEFAULT_TABLES.idTimelines,
      'tables.idTimelines',
    ),
  });
}

/** The statements {@link createSchema} runs, in order. */
export function schemaStatements(options: CreateSchemaOptions): string[] {
  checkOptions<CreateSchemaOptions>(options, SCHEMA_KEYS, 'createSchema');
  const keyspace = checkIdentifier(options.keyspace, 'keyspace');
  const tables = tableNames(options.tables);
  const durable = boolOptionOr(options.durableWrites, true, 'cassandra durableWrites');
  return [
    `CREATE KEYSPACE IF NOT EXISTS "${keyspace}" WITH replication = ${replicationLiteral(options.replication)} AND durable_writes = ${durable}`,
    createTimelineTable(qualified(keyspace, tables.timelines)),
    createActivityTable(qualified(keyspace, tables.activities)),
    createIdTimelineTable(qualified(keyspace, tables.idTimelines)),
  ];
}

/**
 * Creates the keyspace (if missing) and the backend's three tables (if missing). Safe to run on
 * every start. Schema changes are slow in Cassandra (the driver waits for every node to agree),
 * so run it once at deploy or start-up, not per request.
 * @example
 * await createSchema(client, { keyspace: 'feeds', replication: { class: 'NetworkTopologyStrategy', dc1: 3 } });
 */
export async function createSchema(
  client: CassandraClient,
  options: CreateSchemaOptions,
): Promise<CassandraSchema> {
  objectOption(client, 'client', ['execute'], 'a cassandra-driver Client');
  const statements = schemaStatements(options);
  for (const cql of statements) {
    await cassandraCall('createSchema', options.keyspace, () => client.execute(cql));
  }
  return Object.freeze({ keyspace: options.keyspace, tables: tableNames(options.tables) });
}

import assert from 'node:assert/strict';
import cassandra from 'cassandra-driver';
import { TEST_KEYSPACE } from './cassandra.js';

/** Quorum of the ring's data center: every read and write of the ring's tests. */
export const QUORUM = cassandra.types.consistencies.localQuorum;

/** Storage options of the ring's tests: quorum writes, quorum reads, Paxos within the DC. */
export const RING_STORAGE = {
  consistency: QUORUM,
  readConsistency: QUORUM,
  serialConsistency: cassandra.types.consistencies.localSerial,
} as const;

/** Driver options of the ring's tests: schema changes wait for all three nodes to agree. */
export const RING_CLIENT = { protocolOptions: { maxSchemaAgreementWaitSeconds: 60 } } as const;

/** The ring's state dir (CASSANDRA_RING_DIR, set by scripts/backends/cassandra-ring.mjs). */
export function ringDir(): string {
  const dir = process.env.CASSANDRA_RING_DIR;
  if (!dir) {
    throw new Error(
      'CASSANDRA_RING_DIR is not set: run `node scripts/test.mjs --only cassandra-ring`',
    );
  }
  return dir;
}

/**
 * Checks that `client` talks to the three-node ring and the test keyspace replicates to all three,
 * so the ring's tests never pass against a single node by mistake.
 */
export async function assertRing(client: cassandra.Client): Promise<void> {
  await client.connect();
  const hosts = client.hosts.values();
  assert.equal(hosts.length, 3, `three nodes, got ${hosts.map((h) => h.address).join(', ')}`);
  assert.ok(
    hosts.every((h) => h.isUp()),
    'every node is up',
  );
  const rs = await client.execute(
    'SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?',
    [TEST_KEYSPACE],
  );
  const replication = rs.first()?.['replication'] as Record<string, string> | undefined;
  assert.equal(replication?.['replication_factor'], '3', `${TEST_KEYSPACE}: replication factor 3`);
}

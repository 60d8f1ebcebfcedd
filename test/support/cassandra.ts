import { randomUUID } from 'node:crypto';
import cassandra from 'cassandra-driver';

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

/** A new driver client on the test node; the caller shuts it down. */
export function testClient(options: Partial<cassandra.ClientOptions> = {}): cassandra.Client {
  return new cassandra.Client({
    contactPoints: contactPoints(),
    localDataCenter: process.env.CASSANDRA_LOCAL_DC ?? 'datacenter1',
    socketOptions: { connectTimeout: 10_000, readTimeout: 30_000 },
    ...options,
  });
}

/** A fresh namespace: every test's feeds and activities live under their own partition keys. */
export function uniqueNamespace(): string {
  return `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

// The conformance kit's timeline storage, flat, aggregated and notification feed suites on the
// three-node ring (scripts/backends/cassandra-ring.mjs): replication factor 3, every read and
// write at LOCAL_QUORUM, Paxos at LOCAL_SERIAL, the driver's token-aware routing over all nodes.
import { after, before, describe, test } from 'node:test';
import {
  describeAggregatedFeed,
  describeFlatFeed,
  describeNotificationFeed,
  describeTimelineStorage,
} from '../../src/testing/index.js';
import { cassandraBackend, ensureSchema, testClient } from '../support/cassandra.js';
import { assertRing, RING_CLIENT, RING_STORAGE } from '../support/cassandra-ring.js';

const client = testClient(RING_CLIENT);
before(async () => {
  await assertRing(client);
  await ensureSchema(client);
});
after(() => client.shutdown());

const backend = cassandraBackend('cassandra ring (RF 3, quorum)', client, RING_STORAGE);
const runner = { describe, test };
describeTimelineStorage(runner, backend);
describeFlatFeed(runner, backend);
describeAggregatedFeed(runner, backend);
describeNotificationFeed(runner, backend);

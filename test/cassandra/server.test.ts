import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { testClient } from '../support/cassandra.js';

const client = testClient();
after(() => client.shutdown());
// CASSANDRA_PID is set when the test runner started the node itself (not with CASSANDRA_CONTACT_POINTS).
const ours = process.env.CASSANDRA_PID !== undefined;

test('the test node is reachable with the driver (the one the runner starts: a single 5.0 node)', async (t) => {
  const local = (
    await client.execute('SELECT release_version, data_center FROM system.local')
  ).first();
  t.diagnostic(`Cassandra ${local?.release_version}, data center ${local?.data_center}`);
  if (!ours) return;
  assert.match(String(local?.release_version), /^5\.0\./);
  assert.equal((await client.execute('SELECT peer FROM system.peers')).rowLength, 0);
});

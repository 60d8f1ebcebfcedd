import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { testClient } from '../support/cassandra.js';

const client = testClient();
after(() => client.shutdown());

test('the test node is a single Apache Cassandra 5.0 node reachable with the driver', async (t) => {
  const local = (
    await client.execute('SELECT release_version, data_center FROM system.local')
  ).first();
  assert.match(String(local?.release_version), /^5\.0\./);
  assert.equal((await client.execute('SELECT peer FROM system.peers')).rowLength, 0);
  t.diagnostic(`Cassandra ${local?.release_version}, data center ${local?.data_center}`);
});

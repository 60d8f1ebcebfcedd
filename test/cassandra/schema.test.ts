import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createCassandraStorage, createSchema } from '../../src/backends/cassandra/index.js';
import { StreamFrameworkError } from '../../src/errors.js';
import { entryRange } from '../../src/testing/fixtures.js';
import { testClient, uniqueNamespace } from '../support/cassandra.js';

const client = testClient();
after(() => client.shutdown());

const KEYSPACE = 'sf_test_schema';
const tables = {
  timelines: 'custom_timelines',
  activities: 'custom_activities',
  idTimelines: 'custom_ids',
};

describe('cassandra createSchema', () => {
  it('creates the keyspace and the three tables under the names given, and can run again', async () => {
    const replication = { class: 'SimpleStrategy', replication_factor: 1 };
    const schema = await createSchema(client, { keyspace: KEYSPACE, replication, tables });
    assert.deepEqual(schema, { keyspace: KEYSPACE, tables });
    await createSchema(client, { keyspace: KEYSPACE, replication, tables }); // idempotent

    const ks = await client.execute(
      'SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?',
      [KEYSPACE],
      { prepare: true },
    );
    assert.equal(ks.first()?.['replication']?.replication_factor, '1');
    const columns = await client.execute(
      'SELECT table_name, column_name, kind, clustering_order, type FROM system_schema.columns WHERE keyspace_name = ?',
      [KEYSPACE],
      { prepare: true },
    );
    const of = (table: string) =>
      Object.fromEntries(
        columns.rows
          .filter((r) => r['table_name'] === table)
          .map((r) => [r['column_name'], `${r['kind']} ${r['clustering_order']} ${r['type']}`]),
      );
    assert.deepEqual(of(tables.timelines), {
      ns: 'partition_key none text',
      feed: 'partition_key none text',
      kind: 'clustering asc tinyint',
      tag: 'clustering asc text',
      score: 'clustering desc bigint',
      id: 'clustering desc text',
      payload: 'regular none text',
      ref: 'regular none bigint',
      version: 'static none bigint',
      entry_count: 'static none int',
      marked: 'static none map<text, int>',
    });
    assert.deepEqual(of(tables.activities), {
      ns: 'partition_key none text',
      id: 'partition_key none text',
      payload: 'regular none text',
    });
    assert.deepEqual(of(tables.idTimelines), {
      ns: 'partition_key none text',
      feed: 'partition_key none text',
      score: 'clustering desc bigint',
      id: 'clustering desc text',
    });
  });

  it('a storage on those tables reads back what it wrote', async () => {
    const storage = createCassandraStorage({
      client,
      keyspace: KEYSPACE,
      tables,
      namespace: uniqueNamespace(),
    });
    assert.deepEqual(storage.tables, tables);
    await storage.timeline.add('feed:1', entryRange(0, 3));
    await storage.activities.putMany([{ id: 'a', payload: 'payload-a' }]);
    assert.equal(await storage.timeline.count('feed:1'), 3);
    const bare = entryRange(0, 2).map(({ id, score }) => ({ id, score }));
    await storage.timeline.idsOnly().add('feed:2', bare);
    assert.equal(await storage.timeline.idsOnly().count('feed:2'), 2);
    assert.deepEqual(await storage.activities.getMany(['a', 'b']), ['payload-a', undefined]);
  });

  it('rejects unsafe names and options before talking to the server', async () => {
    const invalid = (err: unknown) =>
      err instanceof StreamFrameworkError && err.code === 'INVALID_OPTION';
    await assert.rejects(
      createSchema(client, { keyspace: 'x"; DROP', replication: { class: 'SimpleStrategy' } }),
      invalid,
    );
    assert.throws(
      () => createCassandraStorage({ client, keyspace: 'ok', tables: { timelines: 'a b' } }),
      invalid,
    );
    assert.throws(() => createCassandraStorage({ client, keyspace: 'ok', fetchSize: 0 }), invalid);
  });
});

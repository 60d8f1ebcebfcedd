// The blind write path of id-only timelines (normalized flat feeds): its own table, plain
// idempotent writes without lightweight transactions, trims that read and delete, and what
// readers see. The conformance kit covers the contract; these check the Cassandra side.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createActivity, defineFlatFeed } from '../../src/index.js';
import type { TimelineEntry } from '../../src/storage/contracts.js';
import { entryRange, sortEntries } from '../../src/testing/fixtures.js';
import {
  ensureSchema,
  partitionRows,
  recordingClient,
  TEST_KEYSPACE,
  testClient,
  testStorage,
} from '../support/cassandra.js';

const client = testClient();
before(() => ensureSchema(client));
after(() => client.shutdown());

const bare = (entries: readonly TimelineEntry[]) => entries.map(({ id, score }) => ({ id, score }));

/** Rows of one id-only timeline, read straight from its table. */
async function idRows(namespace: string, key: string): Promise<number> {
  const rs = await client.execute(
    `SELECT id FROM "${TEST_KEYSPACE}"."sf_id_timeline" WHERE ns = ? AND feed = ?`,
    [namespace, key],
    { prepare: true, fetchSize: 100_000 },
  );
  return rs.rowLength;
}

describe('cassandra id-only timelines: the blind path', () => {
  it('a normalized fan-out writes only the id table: one plain INSERT per feed, no read, no LWT', async () => {
    const { client: recorder, calls } = recordingClient(client);
    const storage = testStorage(recorder);
    const feed = defineFlatFeed({ name: 'timeline', storage, trim: { chance: 0 } });
    const a = createActivity({ actor: 1, verb: 'add', object: 1, time: Date.UTC(2024, 0, 1) });
    await feed.for(9).add(a); // stores the activity
    calls.length = 0;
    await feed.addToMany([1, 2, 3], [a], { storeActivities: false });
    assert.ok(calls.length > 0);
    for (const call of calls) {
      assert.ok(call.query.startsWith('INSERT'), `no read: ${call.query}`);
      assert.equal(call.statements, 1);
      assert.equal(call.options.serialConsistency, undefined, 'no lightweight transaction');
      assert.ok(call.query.includes('sf_id_timeline'), call.query);
      assert.ok(!/\bIF\b/.test(call.query), call.query);
    }
    for (const user of [1, 2, 3]) {
      assert.equal(await idRows(storage.namespace, feed.keyFor(user)), 1);
      assert.deepEqual(await partitionRows(client, storage, feed.keyFor(user)), {
        entries: 0,
        index: 0,
        markers: {},
      });
    }
    assert.deepEqual(
      (await feed.for(2).read()).items.map((x) => x.id),
      [a.id],
    );
  });

  it('a retried fan-out (the same task twice) leaves every entry once', async () => {
    const storage = testStorage(client);
    const ids = storage.timeline.idsOnly();
    const keys = ['f:1', 'f:2', 'f:3'];
    const entries = bare(entryRange(0, 5));
    await ids.addToMany(keys, entries, { maxLength: 10 });
    await ids.addToMany(keys, entries, { maxLength: 10 });
    for (const key of keys) {
      assert.equal(await ids.count(key), 5, key);
      assert.equal(await idRows(storage.namespace, key), 5);
      assert.deepEqual(
        await ids.range(key, { order: 'desc', limit: 100 }),
        sortEntries(entries, 'desc'),
      );
    }
  });

  it('a trim far over maxLength removes every excess entry; removal and lookups find ids', async () => {
    const storage = testStorage(client);
    const ids = storage.timeline.idsOnly();
    const all = bare(entryRange(0, 300));
    await ids.add('f', all);
    assert.equal(await ids.trim('f', 10), 290);
    assert.equal(await idRows(storage.namespace, 'f'), 10);
    assert.deepEqual(
      await ids.range('f', { order: 'asc', limit: 100 }),
      sortEntries(all, 'asc').slice(290),
    );
    assert.deepEqual(await ids.get('f', [all[0]!.id, all[299]!.id]), [undefined, all[299]]);
    assert.equal(await ids.indexOf('f', all[290]!.id, 'desc'), 9);
    assert.equal(await ids.remove('f', [all[295]!.id, all[3]!.id]), 1);
    assert.equal(await ids.count('f'), 9);
    assert.equal(await ids.add('f', all.slice(290, 300)), 1, 'only the removed id is new');
  });

  it('concurrent fan-outs from two storages with maxLength end at maxLength after the next trim', async () => {
    const first = testStorage(client);
    const second = testStorage(client, { namespace: first.namespace });
    const keys = Array.from({ length: 20 }, (_, i) => `c:${i}`);
    const all = bare(entryRange(0, 40));
    await Promise.all(
      all.map((e, i) =>
        (i % 2 === 0 ? first : second).timeline.idsOnly().addToMany(keys, [e], { maxLength: 15 }),
      ),
    );
    const ids = first.timeline.idsOnly();
    for (const key of keys) {
      const length = await ids.count(key);
      assert.ok(length >= 15, `${key}: never shorter than maxLength (${length})`);
      const top = await ids.range(key, { order: 'desc', limit: 15 });
      assert.deepEqual(
        top,
        sortEntries(all, 'desc').slice(0, 15),
        `${key}: the newest 15 are all there`,
      );
      await ids.trim(key, 15);
      assert.equal(await ids.count(key), 15, key);
    }
  });

  it('delete, then a re-add: the partition tombstone does not hide later writes', async () => {
    const storage = testStorage(client);
    const ids = storage.timeline.idsOnly();
    const entries = bare(entryRange(0, 3));
    await ids.add('d', entries);
    await ids.delete('d');
    assert.equal(await ids.count('d'), 0);
    await ids.add('d', entries.slice(0, 1));
    assert.deepEqual(await ids.range('d', { order: 'desc', limit: 10 }), entries.slice(0, 1));
  });
});

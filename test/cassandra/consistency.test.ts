// The consistency options reach Cassandra: the node is a single replica, so a level that needs
// three replicas must be refused by the server for exactly the statements it applies to.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import cassandra from 'cassandra-driver';
import { StreamFrameworkError } from '../../src/errors.js';
import { entryRange, markEntries } from '../../src/testing/fixtures.js';
import { ensureSchema, recordingClient, testClient, testStorage } from '../support/cassandra.js';

const { consistencies } = cassandra.types;
const client = testClient();
before(() => ensureSchema(client));
after(() => client.shutdown());

const KEY = 'feed:1';
const unavailable = (err: unknown) =>
  err instanceof StreamFrameworkError &&
  err.code === 'BACKEND' &&
  /consistency THREE/.test(err.message);

describe('cassandra consistency levels', () => {
  it('defaults to LOCAL_QUORUM for reads and writes and LOCAL_SERIAL for the Paxos phase', async () => {
    const { client: recorder, calls } = recordingClient(client);
    const { timeline, activities } = testStorage(recorder);
    await timeline.add(KEY, entryRange(0, 3));
    await timeline.range(KEY, { limit: 10, order: 'desc' });
    await activities.putMany([{ id: 'a', payload: 'x' }]);
    await activities.getMany(['a']);
    assert.ok(calls.length > 0);
    for (const call of calls) assert.equal(call.options.consistency, consistencies.localQuorum);
    const batches = calls.filter((c) => c.kind === 'batch');
    assert.ok(batches.length > 0);
    for (const b of batches) assert.equal(b.options.serialConsistency, consistencies.localSerial);
  });

  it('a write consistency the node cannot meet is refused by the server; nothing is written', async () => {
    const name = `n${Date.now()}`;
    const strict = testStorage(client, { namespace: name, consistency: consistencies.three });
    await assert.rejects(strict.timeline.add(KEY, entryRange(0, 3)), unavailable);
    await assert.rejects(strict.activities.putMany([{ id: 'a', payload: 'x' }]), unavailable);
    const relaxed = testStorage(client, { namespace: name, consistency: consistencies.one });
    assert.equal(await relaxed.timeline.count(KEY), 0);
    assert.deepEqual(await relaxed.activities.getMany(['a']), [undefined]);
  });

  it('readConsistency applies to plain reads only', async () => {
    const storage = testStorage(client, {
      consistency: consistencies.one,
      readConsistency: consistencies.three,
    });
    const { timeline, activities } = storage;
    assert.equal(await timeline.add(KEY, entryRange(0, 3)), 3); // writes at ONE
    await markEntries(timeline, KEY, 'unseen', [entryRange(0, 1)[0]!.id]);
    await activities.putMany([{ id: 'a', payload: 'x' }]);
    await assert.rejects(timeline.range(KEY, { limit: 10, order: 'desc' }), unavailable);
    await assert.rejects(timeline.count(KEY), unavailable);
    await assert.rejects(timeline.get(KEY, ['x']), unavailable);
    await assert.rejects(timeline.countMarked(KEY, 'unseen'), unavailable);
    await assert.rejects(activities.getMany(['a']), unavailable);
    const reader = testStorage(client, {
      namespace: storage.namespace,
      consistency: consistencies.one,
    });
    assert.equal(await reader.timeline.count(KEY), 3);
  });

  it('every write batch commits at consistency and runs Paxos at serialConsistency', async () => {
    const { client: recorder, calls } = recordingClient(client);
    const { timeline } = testStorage(recorder, {
      consistency: consistencies.one,
      serialConsistency: consistencies.serial,
    });
    await timeline.add(KEY, entryRange(0, 2));
    await timeline.update(KEY, [], () => ({
      changes: { remove: [entryRange(0, 1)[0]!.id] },
      result: 0,
    }));
    const batches = calls.filter((c) => c.kind === 'batch');
    assert.equal(batches.length, 2);
    for (const b of batches) {
      assert.equal(b.options.serialConsistency, consistencies.serial);
      assert.equal(b.options.consistency, consistencies.one); // the commit (learn) phase
    }
    // A level that is not a serial one is refused by the server for a conditional batch.
    const wrong = testStorage(client, { serialConsistency: consistencies.one });
    await assert.rejects(
      wrong.timeline.add(KEY, entryRange(0, 1)),
      (err: unknown) => err instanceof StreamFrameworkError && err.code === 'BACKEND',
    );
  });
});

// Writers on separate clients (separate connections, as separate processes would be) share one
// feed: only the conditional commit on the feed's version keeps them from losing each other's
// writes (each storage instance's local queue serializes its own writes only).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type cassandra from 'cassandra-driver';
import { ConflictError } from '../../src/errors.js';
import type { TimelineEntry, TimelineStorage } from '../../src/storage/contracts.js';
import { entry, entryRange, markEntries, sortEntries } from '../../src/testing/fixtures.js';
import {
  ensureSchema,
  partitionRows,
  recordingClient,
  testClient,
  testStorage,
  uniqueNamespace,
} from '../support/cassandra.js';

const WRITERS = 4;
const clients: cassandra.Client[] = Array.from({ length: WRITERS }, () => testClient());
before(() => ensureSchema(clients[0]!));
after(() => Promise.all(clients.map((c) => c.shutdown())));

const KEY = 'feed:1';
const COUNTER = 'counter';
const value = (e: TimelineEntry | undefined) =>
  e?.payload === undefined ? 0 : (JSON.parse(e.payload) as { n: number }).n;

function increment(timeline: TimelineStorage, extra: TimelineEntry[] = []) {
  return timeline.update(KEY, [COUNTER], ([current]) => {
    const n = value(current) + 1;
    return {
      changes: {
        put: [{ id: COUNTER, score: 0, payload: JSON.stringify({ n }) }, ...extra],
        mark: extra.length > 0 ? { unseen: extra.map((e) => e.id) } : undefined,
      },
      result: n,
    };
  });
}

/** One storage per client, all on the same namespace: one feed, several independent writers. */
function writers(options = {}) {
  const namespace = uniqueNamespace();
  return clients.map((client) => testStorage(client, { namespace, ...options }));
}

describe('cassandra concurrent writers on separate clients', () => {
  it('concurrent update() writers lose no increment and no marked entry', async () => {
    const storages = writers();
    const results = await Promise.all(
      storages.flatMap((s, w) =>
        Array.from({ length: 10 }, (_, i) => increment(s.timeline, [entry(w * 100 + i)])),
      ),
    );
    const total = WRITERS * 10;
    assert.deepEqual(
      results.sort((a, b) => a - b),
      Array.from({ length: total }, (_, i) => i + 1),
    );
    const { timeline } = storages[0]!;
    assert.equal(value((await timeline.get(KEY, [COUNTER]))[0]), total);
    assert.equal(await timeline.count(KEY), total + 1);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), total);
    assert.deepEqual(await partitionRows(clients[0]!, storages[0]!, KEY), {
      entries: total + 1,
      index: total + 1,
      markers: { unseen: total },
    });
  });

  it('concurrent adds with maxLength from every client keep exactly the top maxLength', async () => {
    const storages = writers();
    const all = entryRange(0, 100);
    await Promise.all(
      all.map((e, i) => storages[i % WRITERS]!.timeline.add(KEY, [e], { maxLength: 30 })),
    );
    const { timeline } = storages[0]!;
    const kept = await timeline.range(KEY, { limit: 1000, order: 'desc' });
    assert.deepEqual(
      kept.map((e) => e.id),
      sortEntries(all, 'desc')
        .slice(0, 30)
        .map((e) => e.id),
    );
    assert.equal(await timeline.count(KEY), 30);
    assert.deepEqual(await partitionRows(clients[0]!, storages[0]!, KEY), {
      entries: 30,
      index: 30,
      markers: {},
    });
  });

  it('concurrent adds, removes, marks and updates from every client lose nothing', async () => {
    const storages = writers();
    const [first] = storages;
    await first!.timeline.add(KEY, entryRange(100, 120));
    await Promise.all([
      ...entryRange(0, 24).map((e, i) => storages[i % WRITERS]!.timeline.add(KEY, [e])),
      ...entryRange(100, 110).map((e, i) => storages[i % WRITERS]!.timeline.remove(KEY, [e.id])),
      ...entryRange(110, 120).map((e, i) =>
        markEntries(storages[i % WRITERS]!.timeline, KEY, 'unread', [e.id]),
      ),
      ...Array.from({ length: 12 }, (_, i) => increment(storages[i % WRITERS]!.timeline)),
    ]);
    const { timeline } = first!;
    const held = (await timeline.range(KEY, { limit: 1000, order: 'desc' })).filter(
      (e) => e.id !== COUNTER,
    );
    assert.deepEqual(
      held.map((e) => e.id),
      sortEntries([...entryRange(0, 24), ...entryRange(110, 120)], 'desc').map((e) => e.id),
    );
    assert.equal(value((await timeline.get(KEY, [COUNTER]))[0]), 12);
    assert.equal(await timeline.countMarked(KEY, 'unread'), 10);
    assert.equal(await timeline.count(KEY), 24 + 10 + 1);
  });

  it('writes from one storage instance are queued per feed and never conflict with each other', async () => {
    const { client: recorder, calls } = recordingClient(clients[0]!);
    const { timeline } = testStorage(recorder);
    const results = await Promise.all(Array.from({ length: 50 }, () => increment(timeline)));
    assert.deepEqual(
      results.sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.equal(calls.filter((c) => c.kind === 'batch').length, 50); // no commit lost, none retried
  });

  it('a writer that loses its commit retries on fresh data; with no retries left it writes nothing', async () => {
    const namespace = uniqueNamespace();
    const other = testStorage(clients[1]!, { namespace });
    let interfere = true;
    // Before this writer's next commit, another client commits first (once per `interfere`).
    const sneak = async () => {
      if (!interfere) return;
      interfere = false;
      await increment(other.timeline);
    };
    const { client: racing } = recordingClient(clients[0]!, sneak);
    const patient = testStorage(racing, { namespace });
    assert.equal(await increment(patient.timeline), 2); // lost to the sneak (1), retried on 1
    interfere = true;
    const hasty = testStorage(racing, { namespace, maxUpdateAttempts: 1 });
    await assert.rejects(increment(hasty.timeline, [entry(7)]), ConflictError);
    const [counter, seven] = await other.timeline.get(KEY, [COUNTER, entry(7).id]);
    assert.equal(value(counter), 3); // sneak, patient, sneak: nothing of hasty's
    assert.equal(seven, undefined);
  });
});

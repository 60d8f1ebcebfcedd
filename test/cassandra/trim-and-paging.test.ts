// Cassandra-specific checks of trimming and paging, the two places where the Python original's
// Cassandra backend was wrong: its trim was off by one and deleted by write time, and its
// ascending pagination compared the wrong way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defineFlatFeed } from '../../src/index.js';
import type { TimelineEntry } from '../../src/storage/contracts.js';
import {
  entry,
  entryRange,
  makeActivity,
  markEntries,
  sortEntries,
} from '../../src/testing/fixtures.js';
import {
  ensureSchema,
  partitionRows,
  recordingClient,
  testClient,
  testStorage,
} from '../support/cassandra.js';

const client = testClient();
before(() => ensureSchema(client));
after(() => client.shutdown());

const KEY = 'feed:1';
const plain = (entries: readonly TimelineEntry[]) =>
  entries.map((e) => ({
    id: e.id,
    score: e.score,
    ...(e.payload === undefined ? {} : { payload: e.payload }),
  }));

/** `n` entries where every 3 consecutive ones share a score (ties broken by id). */
function tiedEntries(n: number): TimelineEntry[] {
  return Array.from({ length: n }, (_, i) => ({ ...entry(i), score: 1_000 + Math.floor(i / 3) }));
}

describe('cassandra trim keeps exactly maxLength', () => {
  it('trims nothing when the feed holds exactly maxLength, one entry when it holds one more', async () => {
    const { timeline } = testStorage(client);
    await timeline.add(KEY, entryRange(0, 10));
    assert.equal(await timeline.trim(KEY, 10), 0); // the original deleted the 10th entry here
    assert.equal(await timeline.count(KEY), 10);
    assert.equal(await timeline.trim(KEY, 9), 1);
    assert.deepEqual(
      plain(await timeline.range(KEY, { limit: 100, order: 'desc' })),
      sortEntries(entryRange(1, 10), 'desc'),
    );
  });

  it('keeps the top maxLength of entries written in one batch (one write time), ties by id', async () => {
    const storage = testStorage(client);
    const all = tiedEntries(50);
    await storage.timeline.add(KEY, all);
    assert.equal(await storage.timeline.trim(KEY, 20), 30);
    const kept = await storage.timeline.range(KEY, { limit: 100, order: 'desc' });
    assert.deepEqual(plain(kept), sortEntries(all, 'desc').slice(0, 20));
    assert.equal(await storage.timeline.count(KEY), 20);
    assert.deepEqual(await partitionRows(client, storage, KEY), {
      entries: 20,
      index: 20,
      markers: {},
    });
  });

  it('add with maxLength over several conditional commits keeps exactly the top maxLength', async () => {
    const storage = testStorage(client, { maxEntriesPerCommit: 100 });
    const all = tiedEntries(450);
    assert.equal(await storage.timeline.add(KEY, all, { maxLength: 120 }), 450);
    const kept = await storage.timeline.range(KEY, { limit: 1000, order: 'asc' });
    assert.deepEqual(plain(kept), sortEntries(all, 'asc').slice(-120));
    assert.equal(await storage.timeline.count(KEY), 120);
    assert.deepEqual(await partitionRows(client, storage, KEY), {
      entries: 120,
      index: 120,
      markers: {},
    });
  });

  it('a feed far over maxLength is trimmed exactly, in commits of bounded size', async () => {
    const { client: recorder, calls } = recordingClient(client);
    const storage = testStorage(recorder, { maxEntriesPerCommit: 200 });
    const all = tiedEntries(1000);
    await storage.timeline.add(KEY, all);
    calls.length = 0;
    assert.equal(await storage.timeline.trim(KEY, 100), 900);
    const batches = calls.filter((c) => c.kind === 'batch');
    assert.equal(batches.length, 5); // 900 entries, at most 200 per commit
    // Each commit: the version check, one range tombstone and one index delete per entry.
    assert.ok(batches.every((b) => b.statements <= 202));
    const kept = await storage.timeline.range(KEY, { limit: 1000, order: 'desc' });
    assert.deepEqual(plain(kept), sortEntries(all, 'desc').slice(0, 100));
    assert.deepEqual(await partitionRows(client, storage, KEY), {
      entries: 100,
      index: 100,
      markers: {},
    });
    await storage.timeline.add(KEY, all.slice(0, 600)); // back to 700 entries
    assert.equal(await storage.timeline.add(KEY, [entry(5000)], { maxLength: 50 }), 1);
    assert.equal(await storage.timeline.count(KEY), 50);
  });

  it('trimming, removing and deleting leave no index or marker row behind', async () => {
    const storage = testStorage(client);
    const { timeline } = storage;
    await timeline.add(KEY, entryRange(0, 40));
    await markEntries(
      timeline,
      KEY,
      'unseen',
      entryRange(0, 40).map((e) => e.id),
    );
    await markEntries(
      timeline,
      KEY,
      'unread',
      entryRange(0, 10).map((e) => e.id),
    );
    await timeline.add(KEY, entryRange(40, 45), { maxLength: 35 }); // trims 0-9
    await timeline.remove(KEY, [entry(20).id, entry(44).id]);
    assert.equal(await timeline.count(KEY), 33);
    assert.equal(await timeline.countMarked(KEY, 'unseen'), 29);
    assert.equal(await timeline.countMarked(KEY, 'unread'), 0);
    assert.deepEqual(await partitionRows(client, storage, KEY), {
      entries: 33,
      index: 33,
      markers: { unseen: 29 },
    });
    await timeline.delete(KEY);
    assert.deepEqual(await partitionRows(client, storage, KEY), {
      entries: 0,
      index: 0,
      markers: {},
    });
    assert.equal(await timeline.count(KEY), 0);
  });
});

describe('cassandra paging over a partition larger than the fetch size', () => {
  const N = 120;
  const all = tiedEntries(N);

  it('cursor pages in both orders cover every entry once, each read fetching only its page', async () => {
    const { client: recorder, calls } = recordingClient(client);
    const { timeline } = testStorage(recorder, { fetchSize: 7 });
    await timeline.add(KEY, all);
    for (const order of ['desc', 'asc'] as const) {
      const seen: TimelineEntry[] = [];
      let last: TimelineEntry | undefined;
      for (;;) {
        calls.length = 0;
        const bound = last && { score: last.score, id: last.id, inclusive: false };
        const page = await timeline.range(KEY, {
          limit: 10,
          order,
          ...(order === 'desc' ? { max: bound } : { min: bound }),
        });
        const fetched = calls.reduce((n, c) => n + c.rows, 0);
        assert.ok(fetched <= 10, `a page of 10 fetched ${fetched} rows`);
        assert.ok(
          calls.every((c) => c.options.fetchSize !== undefined && c.options.fetchSize <= 7),
        );
        if (page.length === 0) break;
        seen.push(...page);
        last = page.at(-1);
      }
      assert.deepEqual(plain(seen), sortEntries(all, order), order);
    }
  });

  it('a read of the whole partition goes page by page, fetchSize rows at a time', async () => {
    const { client: recorder, calls } = recordingClient(client);
    const { timeline } = testStorage(recorder, { fetchSize: 7 });
    await timeline.add(KEY, all);
    calls.length = 0;
    const everything = await timeline.range(KEY, { limit: 10_000, order: 'asc' });
    assert.deepEqual(plain(everything), sortEntries(all, 'asc'));
    const reads = calls.filter((c) => c.kind === 'execute');
    assert.equal(reads.length, Math.ceil(N / 7));
    assert.ok(reads.every((c) => c.rows <= 7));
    assert.equal(reads.filter((c) => c.options.pageState !== undefined).length, reads.length - 1);
  });

  it('a flat feed pages forward and backward with cursors (the original paged ascending wrongly)', async () => {
    const storage = testStorage(client, { fetchSize: 5 });
    const feed = defineFlatFeed({ name: 'flat', storage }).for(1);
    const acts = Array.from({ length: 40 }, (_, i) =>
      makeActivity({ object: i }, Math.floor(i / 4) * 1000),
    );
    await feed.addMany(acts);
    for (const order of ['desc', 'asc'] as const) {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await feed.read({ limit: 6, order, ...(cursor ? { cursor } : {}) });
        ids.push(...page.items.map((a) => a.id));
        cursor = page.next;
      } while (cursor);
      const expected = acts.map((a) => a.id).sort();
      assert.deepEqual(ids, order === 'asc' ? expected : expected.reverse(), order);
    }
  });
});

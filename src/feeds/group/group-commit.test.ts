import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../../activity/activity.js';
import { createAggregator } from '../../aggregation/aggregators.js';
import { createMemoryStorage } from '../../backends/memory/index.js';
import { ValidationError } from '../../errors.js';
import type { Storage, TimelineStorage } from '../../storage/contracts.js';
import { defineAggregatedFeed } from '../aggregated-feed.js';
import type { FeedChange } from '../change-events.js';
import { defineNotificationFeed } from '../notification-feed.js';
import { GROUP_COMMIT_ACTIVITIES } from './writes.js';

/** A memory storage whose timeline counts `update` calls. */
function countingUpdates(): { storage: Storage; updates: () => number } {
  const inner = createMemoryStorage();
  let updates = 0;
  const timeline = new Proxy(inner.timeline, {
    get(target, name) {
      if (name === 'update') {
        return (...args: Parameters<TimelineStorage['update']>) => {
          updates += 1;
          return target.update(...args);
        };
      }
      const value: unknown = Reflect.get(target, name);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { storage: { ...inner, timeline }, updates: () => updates };
}

const T0 = 1_764_000_000_000;
const like = (i: number, object = 7) =>
  createActivity({ actor: i % 5, verb: 'love', object, time: T0 + i * 1000 });

describe('group commit: concurrent adds to one feed from one definition', () => {
  it('commits the adds waiting behind an update in one update, each caller getting its own count', async () => {
    const { storage, updates } = countingUpdates();
    const def = defineAggregatedFeed({ name: 'agg', storage });
    const changes: FeedChange[] = [];
    def.events.on('change', (c) => {
      changes.push(c);
    });
    const feed = def.for(1);
    const acts = Array.from({ length: 8 }, (_, i) => like(i));
    // The first add goes at once; the 7 others wait for it and then commit together. The last
    // repeats the first activity: not new to the feed.
    const added = await Promise.all([...acts, acts[0]!].map((a) => feed.add(a)));
    assert.deepEqual(added, [1, 1, 1, 1, 1, 1, 1, 1, 0]);
    assert.equal(updates(), 2);
    const [group] = (await feed.read()).items;
    assert.equal(group?.activityCount, 8);
    assert.deepEqual([...(group?.activityIds ?? [])].sort(), acts.map((a) => a.id).sort());
    // One change per add that changed the feed, as when each committed alone.
    assert.equal(changes.length, 8);
    // Adds to another user's feed do not join this feed's commit.
    const other = def.for(2);
    await Promise.all([feed.add(like(20)), other.add(like(21)), other.add(like(22))]);
    assert.equal((await other.read()).items[0]?.activityCount, 2);
    assert.equal((await feed.read()).items[0]?.activityCount, 9);
  });

  it('a commit holds at most GROUP_COMMIT_ACTIVITIES activities of waiting adds', async () => {
    const { storage, updates } = countingUpdates();
    const feed = defineAggregatedFeed({ name: 'agg', storage }).for(1);
    const size = Math.ceil(GROUP_COMMIT_ACTIVITIES * 0.6);
    const batches = [0, 1, 2].map((b) =>
      Array.from({ length: size }, (_, i) => like(1 + b * size + i, b)),
    );
    // One add in flight, then three waiting: no two of them fit in one commit.
    const added = await Promise.all([feed.add(like(0, 9)), ...batches.map((b) => feed.addMany(b))]);
    assert.deepEqual(added, [1, size, size, size]);
    assert.equal(updates(), 4);
    const small = await Promise.all([
      feed.add(like(5000, 9)),
      ...batches.map(() => feed.add(like(5001, 9))),
    ]);
    assert.deepEqual(small, [1, 1, 0, 0]);
    assert.equal(updates(), 6);
  });

  it('one add the update refuses fails alone; the adds committed with it land', async () => {
    // A rank refused once a group holds 3 activities: prepare cannot see it (the batch alone
    // makes a group of 1), the update of the merged group can.
    const aggregator = createAggregator(
      'by object, at most 2',
      (a) => String(a.object),
      (g) => (g.activityCount >= 3 ? Number.NaN : g.updatedAt),
    );
    const { storage } = countingUpdates();
    const feed = defineAggregatedFeed({ name: 'agg', storage, aggregator }).for(1);
    const [first, a, b, c] = [like(1, 1), like(2, 7), like(3, 8), like(4, 7)];
    const results = await Promise.allSettled([first, a, b, c].map((x) => feed.add(x)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
    );
    // Now a and c's group holds 2: one more in a commit with two good adds.
    const [d, e, f, g] = [like(5, 1), like(6, 9), like(7, 7), like(8, 10)];
    const second = await Promise.allSettled([d, e, f, g].map((x) => feed.add(x)));
    assert.deepEqual(
      second.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    const refused = second[2] as PromiseRejectedResult;
    assert.ok(refused.reason instanceof ValidationError);
    assert.equal(refused.reason.code, 'INVALID_OPTION');
    const { items } = await feed.read({ limit: 10 });
    const byGroup = new Map(items.map((i) => [i.group, i.activityCount]));
    assert.deepEqual(Object.fromEntries(byGroup), { '1': 2, '7': 2, '8': 1, '9': 1, '10': 1 });
  });

  it('a notification feed marks every group of a shared commit unseen and unread', async () => {
    const { storage, updates } = countingUpdates();
    const feed = defineNotificationFeed({ name: 'n', storage }).for(1);
    const acts = Array.from({ length: 6 }, (_, i) => like(i, 100 + (i % 3)));
    const added = await Promise.all(acts.map((a) => feed.add(a)));
    assert.deepEqual(added, [1, 1, 1, 1, 1, 1]);
    assert.equal(updates(), 2);
    assert.deepEqual(await feed.counts(), { unseen: 3, unread: 3 });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import { createVerbRegistry } from '../activity/verbs.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import type { ValidationError } from '../errors.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import { createJsonSerializer } from '../serialization/json-serializer.js';
import type { Serializer } from '../serialization/serializer.js';
import { type FollowerIds, normalizeFollowerIds } from './follower-ids.js';
import { createManager } from './manager.js';

const storage = createMemoryStorage();
const user = defineFlatFeed({ name: 'user', storage });
const timeline = defineFlatFeed({ name: 'timeline', storage });
const base = { userFeed: user, feeds: { timeline }, getFollowerIds: () => [2] };
const activity = (verb = 'add', actor = 1) =>
  createActivity({ actor, verb, object: 1, time: Date.UTC(2024, 0, 1) });

function rejectsOptions(options: unknown, code: string, message?: RegExp): void {
  assert.throws(
    () => createManager(options as never),
    (error: { code?: string; message?: string }) => {
      assert.equal(error.code, code, error.message);
      if (message) assert.match(error.message ?? '', message);
      return true;
    },
  );
}

describe('createManager options', () => {
  it('defaults to an inline queue and registers names in order', () => {
    const manager = createManager(base);
    assert.equal(manager.queue.name, 'inline');
    assert.deepEqual(manager.feedNames, ['user', 'timeline']);
  });

  it('rejects malformed options and unknown keys', () => {
    rejectsOptions(null, 'INVALID_OPTION');
    rejectsOptions({ ...base, fanout_chunk_size: 10 }, 'INVALID_OPTION', /unknown option/);
    rejectsOptions({ ...base, userFeed: {} }, 'INVALID_OPTION', /userFeed must be a feed/);
    rejectsOptions({ ...base, feeds: [timeline] }, 'INVALID_OPTION', /feeds must be an object/);
    rejectsOptions({ ...base, getFollowerIds: [2] }, 'INVALID_OPTION', /getFollowerIds/);
    rejectsOptions({ ...base, queue: {} }, 'INVALID_OPTION', /queue/);
    rejectsOptions({ ...base, limits: 100 }, 'INVALID_OPTION', /option limits must be an object/);
    rejectsOptions(
      { ...base, limits: { fanoutChunk: 10 } },
      'INVALID_OPTION',
      /limits\.fanoutChunk/,
    );
  });

  it('refuses the options moved or removed in 1.0, saying what to use instead', () => {
    const moved: [string, unknown, RegExp][] = [
      ['fanoutChunkSize', 10, /limits: \{ fanoutChunkSize \}/],
      ['followActivityLimit', 10, /limits: \{ followActivityLimit \}/],
      ['batchImportChunkSize', 10, /limits: \{ batchImportChunkSize \}/],
      ['serializer', createJsonSerializer(), /set it on userFeed/],
      ['metrics', {}, /set them on userFeed/],
      ['verbs', createVerbRegistry([{ id: 5, name: 'pin' }]), /set verbs on the feeds/],
    ];
    for (const [key, value, hint] of moved) {
      rejectsOptions({ ...base, [key]: value }, 'INVALID_OPTION', hint);
    }
  });

  it('requires a flat user feed', () => {
    const aggregated = defineAggregatedFeed({ name: 'user', storage });
    rejectsOptions({ ...base, userFeed: aggregated }, 'INVALID_OPTION', /flat feed/);
  });

  it('requires unique feed names equal to their keys', () => {
    rejectsOptions({ ...base, feeds: { other: timeline } }, 'INVALID_OPTION', /use its name/);
    rejectsOptions({ ...base, feeds: { user } }, 'INVALID_OPTION', /two registered feeds/);
    rejectsOptions({ ...base, targetFeeds: { timeline } }, 'INVALID_OPTION', /two registered/);
  });

  it('checks chunk sizes and limits', () => {
    for (const fanoutChunkSize of [0, -1, 1.5, '100']) {
      rejectsOptions({ ...base, limits: { fanoutChunkSize } }, 'INVALID_OPTION');
    }
    rejectsOptions({ ...base, limits: { fanoutChunkSize: 10_001 } }, 'LIMIT_EXCEEDED');
    rejectsOptions({ ...base, limits: { followActivityLimit: -1 } }, 'INVALID_OPTION');
    rejectsOptions({ ...base, limits: { batchImportChunkSize: 0 } }, 'INVALID_OPTION');
    const small = defineFlatFeed({ name: 'timeline', storage, limits: { maxBatchSize: 50 } });
    rejectsOptions(
      { ...base, feeds: { timeline: small }, limits: { batchImportChunkSize: 51 } },
      'LIMIT_EXCEEDED',
    );
    assert.doesNotThrow(() => createManager({ ...base, feeds: { timeline: small } }));
  });

  it('rejects feeds sharing an activity storage with different serializers', () => {
    const other: Serializer = { ...createJsonSerializer(), name: 'other-v1' };
    const odd = defineFlatFeed({ name: 'timeline', storage, serializer: other });
    rejectsOptions(
      { ...base, feeds: { timeline: odd } },
      'INVALID_OPTION',
      /different serializers/,
    );
    const elsewhere = defineFlatFeed({
      name: 'timeline',
      storage: createMemoryStorage(),
      serializer: other,
    });
    assert.doesNotThrow(() => createManager({ ...base, feeds: { timeline: elsewhere } }));
  });
});

describe('manager input validation (nothing is written)', () => {
  const fresh = (getFollowerIds: () => FollowerIds = () => [2], verbs = false) => {
    const s = createMemoryStorage();
    const registry = createVerbRegistry([{ id: 5, name: 'pin' }]);
    const manager = createManager({
      userFeed: defineFlatFeed({ name: 'user', storage: s }),
      feeds: {
        timeline: defineFlatFeed({
          name: 'timeline',
          storage: s,
          verbs: verbs ? registry : undefined,
        }),
      },
      getFollowerIds,
    });
    const written = async () =>
      (await manager.getUserFeed(1).count()) +
      s.activities.size +
      (await manager.getFeeds(2).timeline.count());
    return { manager, written };
  };

  it('rejects a malformed activity or a verb a feed does not register', async () => {
    const { manager, written } = fresh(undefined, true);
    await assert.rejects(manager.addUserActivity(1, { id: 'x' } as never), {
      code: 'INVALID_ACTIVITY',
    });
    await assert.rejects(manager.addUserActivity(1, activity('share')), { code: 'UNKNOWN_VERB' });
    await assert.rejects(manager.addUserActivity('', activity()), { code: 'INVALID_ID' });
    assert.equal(await written(), 0);
    await manager.addUserActivity(1, activity('pin'));
    assert.equal(await written(), 3);
  });

  it('rejects what getFollowerIds returns when malformed, before writing', async () => {
    for (const [bad, code] of [
      ['1,2', 'INVALID_OPTION'],
      [{ HIGH: [2] }, 'INVALID_OPTION'],
      [{ high: 2 }, 'INVALID_OPTION'],
      [[2, -1], 'INVALID_ID'],
      [{ low: [''] }, 'INVALID_ID'],
    ] as const) {
      const { manager, written } = fresh(() => bad as unknown as FollowerIds);
      await assert.rejects(manager.addUserActivity(1, activity()), { code }, JSON.stringify(bad));
      assert.equal(await written(), 0);
    }
  });

  it('rejects bad per-call options and ids', async () => {
    const { manager } = fresh();
    await assert.rejects(manager.removeUserActivity(1, 'nope'), { code: 'INVALID_ID' });
    await assert.rejects(manager.followUser(1, 2, { limit: -1 }), { code: 'INVALID_OPTION' });
    await assert.rejects(manager.followUser(1, 2, { lmit: 1 } as never), {
      code: 'INVALID_OPTION',
    });
    await assert.rejects(manager.followManyUsers(1, [2, null] as never), { code: 'INVALID_ID' });
    await assert.rejects(manager.unfollowUser(1, 2, { keepHistory: 'yes' } as never), {
      code: 'INVALID_OPTION',
    });
    await assert.rejects(manager.batchImport(1, [], { chunkSize: 0 }), { code: 'INVALID_OPTION' });
    await assert.rejects(manager.batchImport(1, [], { fanOut: false } as never), {
      code: 'INVALID_OPTION',
    });
    await assert.rejects(manager.updateUserActivities([activity(), { id: 1 }] as never), {
      code: 'INVALID_ACTIVITY',
    });
    assert.equal(
      await manager.getUserFeed(1).count(),
      0,
      'the valid first activity was not written',
    );
  });
});

describe('manager: every feed checks a publish before the first write', () => {
  const world = (notificationLimit = 65_536) => {
    const s = createMemoryStorage();
    const manager = createManager({
      userFeed: defineFlatFeed({ name: 'user', storage: s }),
      feeds: {
        timeline: defineFlatFeed({ name: 'timeline', storage: s }),
        aggregated: defineAggregatedFeed({ name: 'aggregated', storage: s }),
      },
      targetFeeds: {
        notification: defineNotificationFeed({
          name: 'notification',
          storage: s,
          serializer: createJsonSerializer({ maxActivityLength: notificationLimit }),
        }),
      },
      getFollowerIds: () => [2],
    });
    const written = async () =>
      (await manager.getUserFeed(1).count()) +
      s.activities.size +
      (await manager.getFeeds(2).timeline.count()) +
      (await manager.getFeeds(2).aggregated.count()) +
      (await manager.getFeed('notification', 3).count());
    return { s, manager, written };
  };
  const big = (size: number, n = 1) =>
    createActivity({
      actor: 1,
      verb: 'add',
      object: n,
      time: Date.UTC(2024, 0, 1),
      extra: { blob: 'x'.repeat(size) },
      to: ['notification:3'],
    });

  it('a verb making a group key longer than the aggregator allows is rejected before any write', async () => {
    const { manager, written } = world();
    const long = createActivity({ actor: 1, verb: 'v'.repeat(1100), object: 1 });
    for (const run of [
      () => manager.addUserActivity(1, long),
      () => manager.batchImport(1, [activity(), long]),
      () => manager.updateUserActivities([activity(), long]),
    ]) {
      await assert.rejects(run(), { code: 'INVALID_OPTION' });
      assert.equal(await written(), 0);
    }
  });

  it("an activity over a target feed's maxActivityLength is rejected before any write", async () => {
    const { manager, written } = world(1000);
    await assert.rejects(manager.addUserActivity(1, big(2000)), (e: ValidationError) => {
      assert.equal(e.code, 'LIMIT_EXCEEDED');
      assert.equal(e.details.limit, 1000);
      return true;
    });
    await assert.rejects(manager.batchImport(1, [big(10, 2), big(2000)]), {
      code: 'LIMIT_EXCEEDED',
    });
    assert.equal(await written(), 0);
    await manager.addUserActivity(1, big(500));
    assert.equal(await written(), 5);
  });

  it('an activity stored before the size limit was lowered can still be removed everywhere', async () => {
    const { s, manager, written } = world();
    const a = big(1000);
    await manager.addUserActivity(1, a);
    assert.equal(await written(), 5);
    const strict = createManager({
      userFeed: defineFlatFeed({
        name: 'user',
        storage: s,
        serializer: createJsonSerializer({ maxActivityLength: 500 }),
      }),
      feeds: {
        timeline: defineFlatFeed({ name: 'timeline', storage: s }),
        aggregated: defineAggregatedFeed({ name: 'aggregated', storage: s }),
      },
      targetFeeds: { notification: defineNotificationFeed({ name: 'notification', storage: s }) },
      getFollowerIds: () => [2],
    });
    await strict.removeUserActivity(1, a.id);
    assert.equal(await written(), 0);
  });

  it('an activity whose stored payload is corrupt can still be removed everywhere', async () => {
    const { s, manager, written } = world();
    const a = big(10);
    await manager.addUserActivity(1, a);
    await s.activities.putMany([{ id: a.id, payload: '{"v":1,' }]);
    await manager.removeUserActivity(1, a.id);
    // The notification group cannot be found without the activity's `to`: it stays.
    assert.equal(await written(), 1);
    assert.equal(await manager.getFeed('notification', 3).count(), 1);
  });

  it('sparse arrays are rejected like arrays holding undefined', async () => {
    const { manager, written } = world();
    // biome-ignore lint/suspicious/noSparseArray: the point of the test
    const sparse = [, activity()] as never;
    await assert.rejects(manager.updateUserActivities(sparse), { code: 'INVALID_ACTIVITY' });
    await assert.rejects(manager.batchImport(1, sparse), { code: 'INVALID_ACTIVITY' });
    // biome-ignore lint/suspicious/noSparseArray: the point of the test
    await assert.rejects(manager.followManyUsers(1, [, 2] as never), { code: 'INVALID_ID' });
    assert.equal(await written(), 0);
  });
});

describe('normalizeFollowerIds', () => {
  it('treats an iterable as high priority, dedupes, and keeps an id in both groups only in high', () => {
    assert.deepEqual(normalizeFollowerIds(new Set([1, '1', 2])), { high: ['1', '2'], low: [] });
    assert.deepEqual(normalizeFollowerIds({ high: [3], low: [3, 4] }), { high: ['3'], low: ['4'] });
    assert.deepEqual(normalizeFollowerIds({}), { high: [], low: [] });
  });
});

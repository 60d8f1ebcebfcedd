/**
 * The conformance suite of flat feeds (`defineFlatFeed`): the Python Stream Framework's feed tests
 * (TestRedisFeed, TestCustomRedisFeed, InMemoryBaseFeed, TestBaseFeed) plus tests for the defects
 * this library fixes. It uses only the public API and the storage contracts, never a backend's
 * internals, so it runs unchanged on memory, Redis, Redis Cluster and Cassandra. Every case runs
 * twice: on normalized feeds and on denormalized ones. Keys, isolation, fan-out and metrics cases
 * are here; writes (with the shared helpers) and reads are in the sibling
 * `flat-feed-writes.cases.ts` and `flat-feed-reads.cases.ts`.
 * @module
 */
import assert from 'node:assert/strict';
import { type Activity, type ActivityInput, createActivity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import { defineFlatFeed, type FlatFeedOptions } from '../feeds/flat-feed.js';
import type { FeedEvent, Metrics } from '../metrics/metrics.js';
import type { Storage } from '../storage/contracts.js';
import type { BackendUnderTest } from './backend.js';
import {
  registerFlatFeedReadCases,
  registerFlatFeedReadOptionCases,
} from './flat-feed-reads.cases.js';
import {
  bad,
  FLAT_BASE_TIME_MS,
  type FlatCase,
  type FlatCaseContext,
  idList,
  registerFlatFeedWriteCases,
  rejectsWith,
  throwsWith,
} from './flat-feed-writes.cases.js';
import { harnessTest } from './harness.js';
import { registerRankedFeedCases } from './ranked-feed.cases.js';
import type { KitRunner } from './runner.js';

/**
 * Registers the flat feed conformance suite (group `'flat-feed'`) against `backend` with
 * `runner`, once on normalized feeds (group `'normalized'`) and once on denormalized ones (group
 * `'denormalized'`).
 *
 * - `backend.create()` is called once per test for fresh, isolated storage, and
 *   `backend.destroy(storage)` after the test, even when it fails.
 * - Checks that do not depend on the mode (keys, read option validation) run once, under
 *   `either mode`.
 * - `backend.skip` skips whole groups, e.g. `{ denormalized: '<reason>' }`; the reason is
 *   reported.
 *
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * import { createMemoryStorage } from 'stream-framework';
 * describeFlatFeed({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeFlatFeed(runner: KitRunner, backend: BackendUnderTest): void {
  const title = `flat feed conformance (${backend.name})`;
  harnessTest(runner, backend, title, 'flat-feed', (harness) => {
    const modes = [
      { mode: 'normalized', normalized: true },
      { mode: 'denormalized', normalized: false },
      // checks that do not depend on the mode (keys, option validation) run once
      { mode: 'either mode', normalized: true },
    ] as const;
    for (const { mode, normalized } of modes) {
      const cases = (test: FlatCase): void => {
        if (mode === 'either mode') {
          keyCases(test);
          registerFlatFeedReadOptionCases(test);
        } else {
          registerFlatFeedWriteCases(test);
          registerFlatFeedReadCases(test);
          registerRankedFeedCases(test);
          isolationCases(test);
          fanoutAndMetricsCases(test);
        }
      };
      const test = harness.map(({ storage }) => caseContext(storage, normalized));
      test.describe(mode, cases, mode === 'either mode' ? undefined : mode);
    }
  });
}

function caseContext(storage: Storage, normalized: boolean): FlatCaseContext {
  const activity = <E extends ExtraData = JsonObject>(
    n: number,
    overrides: Partial<ActivityInput<E>> = {},
  ): Activity<E> =>
    createActivity<E>({
      actor: 1,
      verb: 'add',
      object: `obj-${n}`,
      time: FLAT_BASE_TIME_MS + n * 1000,
      ...overrides,
    } as ActivityInput<E>);
  return {
    storage,
    normalized,
    define: <E extends ExtraData = JsonObject>(options: Partial<FlatFeedOptions> = {}) =>
      defineFlatFeed<E>({ name: 'timeline', storage, normalized, ...options }),
    activity,
    activities: (count, from = 0) => Array.from({ length: count }, (_, i) => activity(from + i)),
  };
}

// ---- cases run in both modes: isolation, fan-out, metrics -------------------------------------

function isolationCases(test: FlatCase): void {
  test('feeds of two users and of two definitions on the same storage are independent', async (ctx) => {
    const timeline = ctx.define();
    const profile = ctx.define({ name: 'profile' });
    const [a, b, c] = ctx.activities(3);
    await timeline.for(1).add(a!);
    assert.equal(await timeline.for(2).count(), 0);
    assert.equal(await profile.for(1).count(), 0);
    await profile.for(1).addMany([b!, c!]);
    await timeline.for(2).add(c!);
    assert.notEqual(timeline.for(1).key, profile.for(1).key);
    await timeline.for(1).delete();
    await profile.for(1).remove(c!);
    assert.deepEqual(idList((await timeline.for(1).read()).items), []);
    assert.deepEqual(idList((await timeline.for(2).read()).items), [c!.id]);
    assert.deepEqual(idList((await profile.for(1).read()).items), [b!.id]);
    assert.deepEqual(idList((await profile.for(2).read()).items), []);
  });
}

function fanoutAndMetricsCases(test: FlatCase): void {
  test('definition.addToMany writes one entry to each of 250 feeds, and removeFromMany removes it', async (ctx) => {
    const def = ctx.define();
    const users: Id[] = Array.from({ length: 250 }, (_, i) => (i % 2 === 0 ? i : `user-${i}`));
    const [a, b] = ctx.activities(2);
    await def.addToMany(users, [a!]);
    await def.addToMany(users, [a!]); // a retried fan-out never duplicates
    const afterAdd = await Promise.all(users.map((u) => def.for(u).read()));
    for (const [i, page] of afterAdd.entries()) {
      assert.deepEqual(idList(page.items), [a!.id], `feed of user ${String(users[i])}`);
    }
    await def.addToMany(users, [b!]);
    await def.removeFromMany(users, [a!]);
    const counts = await Promise.all(users.map((u) => def.for(u).count()));
    assert.deepEqual(
      counts,
      users.map(() => 1),
    );
    const afterRemove = await Promise.all(users.map((u) => def.for(u).read()));
    for (const page of afterRemove) assert.deepEqual(idList(page.items), [b!.id]);
    assert.equal(await def.for('not-a-follower').count(), 0);
  });

  test('addToMany trims every feed to maxLength', async (ctx) => {
    const def = ctx.define({ maxLength: 3 });
    const old = ctx.activities(3);
    await def.for(1).addMany(old);
    const fresh = ctx.activity(10);
    await def.addToMany([1, 2], [fresh]);
    assert.deepEqual(idList((await def.for(1).read()).items), [fresh.id, old[2]!.id, old[1]!.id]);
    assert.deepEqual(idList((await def.for(2).read()).items), [fresh.id]);
  });

  test('storeActivities: false leaves activity storage to the caller', async (ctx) => {
    const feed = ctx.define().for(1);
    const a = ctx.activity(1);
    await feed.add(a, { storeActivities: false });
    assert.equal(await feed.count(), 1);
    const page = await feed.read();
    if (ctx.normalized) {
      assert.deepEqual(page.items, []);
      assert.deepEqual(page.missing, [a.id]);
    } else {
      assert.deepEqual(idList(page.items), [a.id], 'denormalized entries carry the activity');
      assert.deepEqual(page.missing, []);
    }
  });

  test('metrics hooks receive the feed name and counts', async (ctx) => {
    const events: { hook: string; event: FeedEvent }[] = [];
    const record =
      (hook: string) =>
      (event: FeedEvent): void => {
        events.push({ hook, event });
      };
    const metrics: Metrics = {
      onFeedRead: record('read'),
      onFeedWrite: record('write'),
      onFeedRemove: record('remove'),
      onMissingActivities: record('missing'),
    };
    const def = ctx.define({ name: 'measured', metrics });
    const feed = def.for(1);
    const acts = ctx.activities(3);
    const last = () => {
      const e = events.at(-1);
      assert.ok(e, 'a hook was called');
      const { durationMs, ...rest } = e.event;
      return { hook: e.hook, ...rest };
    };
    await feed.addMany(acts);
    assert.deepEqual(last(), { hook: 'write', feed: 'measured', count: 3 });
    await feed.read({ limit: 2 });
    assert.deepEqual(last(), { hook: 'read', feed: 'measured', count: 2 });
    const duration = events.at(-1)?.event.durationMs;
    assert.ok(typeof duration === 'number' && duration >= 0, 'reads report a duration');
    await feed.remove(acts[0]!);
    assert.deepEqual(last(), { hook: 'remove', feed: 'measured', count: 1 });
    await def.addToMany(['u1', 'u2'], acts.slice(1));
    assert.deepEqual(last(), { hook: 'write', feed: 'measured', count: 4 });
    await def.removeFromMany(['u1', 'u2'], [acts[1]!]);
    assert.deepEqual(last(), { hook: 'remove', feed: 'measured', count: 2 });
    const before = events.length;
    await ctx.storage.activities.removeMany([acts[2]!.id]);
    await feed.read();
    const hooks = events.slice(before).map((e) => e.hook);
    if (ctx.normalized) {
      assert.deepEqual(hooks, ['missing', 'read']);
      assert.deepEqual(events[before]?.event, { feed: 'measured', count: 1 });
    } else {
      assert.deepEqual(hooks, ['read']);
    }
  });

  test('a throwing metrics hook never breaks a write or a read', async (ctx) => {
    const boom = (): never => {
      throw new Error('metrics backend down');
    };
    const metrics: Metrics = {
      onFeedRead: boom,
      onFeedWrite: boom,
      onFeedRemove: boom,
      onMissingActivities: boom,
    };
    const def = ctx.define({ metrics });
    const feed = def.for(1);
    const acts = ctx.activities(3);
    assert.equal(await feed.addMany(acts), 3);
    assert.equal((await feed.read()).items.length, 3);
    assert.equal(await feed.remove(acts[0]!), 1);
    await def.addToMany([2, 3], acts);
    await def.removeFromMany([2, 3], [acts[1]!]);
    assert.equal(await def.for(3).count(), 2);
    await ctx.storage.activities.removeMany([acts[2]!.id]);
    const page = await feed.read();
    assert.equal(page.items.length, ctx.normalized ? 1 : 2);
  });
}

// ---- cases run once (the same in both modes) ---------------------------------------------------

function keyCases(test: FlatCase): void {
  test('user ids with ":", "{", "}", "*", "%", spaces, newlines and unicode get distinct feeds', async (ctx) => {
    const def = ctx.define();
    const users = ['a:b', 'a%3Ab', 'a', 'b', 'a b', 'a\nb', 'a\tb', '{a}', '{', '}', '*', 'a*'];
    users.push('%', '%25', 'a%253Ab', '日本', 'ü', 'u\u0308', '1', '01', 'a:b:c', 'a::b');
    const keys = new Set(users.map((u) => def.for(u).key));
    assert.equal(keys.size, users.length, 'every user id has its own key');
    const acts = users.map((_, i) => ctx.activity(i));
    await Promise.all(users.map((u, i) => def.for(u).add(acts[i]!)));
    for (const [i, u] of users.entries()) {
      const feed = def.for(u);
      assert.equal(feed.userId, u);
      assert.deepEqual(
        idList((await feed.read()).items),
        [acts[i]!.id],
        `feed of ${JSON.stringify(u)}`,
      );
    }
  });

  test('for(1) and for("1") are the same feed', async (ctx) => {
    const def = ctx.define();
    const a = ctx.activity(1);
    await def.for(1).add(a);
    assert.equal(def.for(1).key, def.for('1').key);
    assert.equal(def.for(1).userId, '1');
    assert.deepEqual(idList((await def.for('1').read()).items), [a.id]);
    assert.equal(await def.for('1').remove(a), 1);
    assert.equal(await def.for(1).count(), 0);
  });

  test('the default key is "<name>:<escaped user id>" and holds the entries', async (ctx) => {
    const def = ctx.define();
    assert.equal(def.for(42).key, 'timeline:42');
    assert.equal(def.keyFor(42), 'timeline:42');
    assert.equal(def.for('a:b').key, 'timeline:a%3Ab');
    assert.equal(def.for('a%3Ab').key, 'timeline:a%253Ab');
    const a = ctx.activity(1);
    await def.for(42).add(a);
    const view = ctx.normalized ? ctx.storage.timeline.idsOnly() : ctx.storage.timeline;
    assert.equal(await view.count('timeline:42'), 1);
    assert.equal(await view.indexOf('timeline:42', a.id, 'desc'), 0);
  });

  test('a custom key function is used for every user', async (ctx) => {
    const seen: string[] = [];
    const def = ctx.define({
      key: (userId) => {
        seen.push(userId);
        return `custom/${userId}/flat`;
      },
    });
    assert.equal(def.for(7).key, 'custom/7/flat');
    assert.equal(def.for('a:b').key, 'custom/a:b/flat', 'the key function gets the raw user id');
    assert.deepEqual(seen, ['7', 'a:b']);
    const a = ctx.activity(1);
    await def.for(7).add(a);
    await def.addToMany([8, 9], [a]);
    const view = ctx.normalized ? ctx.storage.timeline.idsOnly() : ctx.storage.timeline;
    for (const key of ['custom/7/flat', 'custom/8/flat', 'custom/9/flat']) {
      assert.equal(await view.count(key), 1, key);
    }
    assert.equal(await view.count('timeline:7'), 0);
    const empty = ctx.define({ name: 'broken', key: () => '' });
    throwsWith(() => empty.for(1), ValidationError, 'INVALID_OPTION');
  });

  test('remove, indexOf and removeFromMany reject values that are not activity ids with INVALID_ID', async (ctx) => {
    const def = ctx.define();
    const feed = def.for(1);
    const a = ctx.activity(1);
    await feed.add(a);
    await def.addToMany([2], [a]);
    await rejectsWith(() => feed.remove('nope'), ValidationError, 'INVALID_ID');
    await rejectsWith(() => feed.remove(bad(42)), ValidationError, 'INVALID_ID');
    await rejectsWith(() => feed.removeMany([a.id, 'nope']), ValidationError, 'INVALID_ID');
    await rejectsWith(() => feed.indexOf('NOPE'), ValidationError, 'INVALID_ID');
    await rejectsWith(() => def.removeFromMany([1, 2], [a, 'x']), ValidationError, 'INVALID_ID');
    assert.equal(await feed.count(), 1, 'nothing was removed');
    assert.equal(await def.for(2).count(), 1, 'nothing was removed');
    throwsWith(() => def.for(bad(-1)), ValidationError, 'INVALID_ID');
    throwsWith(() => def.for(''), ValidationError, 'INVALID_ID');
  });
}

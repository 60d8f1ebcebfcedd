/**
 * Conformance suite of the follow graph (`createFollowGraph`) on a backend's timeline storage:
 * edges, pages by cursor, counts, bulk `isFollowing`, idempotence, hostile ids, concurrency, a
 * follow or unfollow stopped half-way, and the manager following and fanning out through it.
 * @module
 */
import assert from 'node:assert/strict';
import type { ErrorCode } from '../errors.js';
import { createFollowGraph } from '../graph/follow-graph.js';
import type { Follower, FollowGraph, GraphPage } from '../graph/types.js';
import type { TimelineStorage } from '../storage/contracts.js';
import { forEachLimited } from '../util/for-each-limited.js';
import type { BackendUnderTest } from './backend.js';
import { hasCode, seededRandom } from './fixtures.js';
import { registerGraphManagerCases } from './follow-graph-manager.cases.js';
import { type HarnessTest, harnessTest } from './harness.js';
import type { KitRunner } from './runner.js';

/**
 * Registers the follow graph conformance tests (group `'follow-graph'`) for a backend.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 * @example
 * describeFollowGraph({ describe, test }, { name: 'memory', create: () => createMemoryStorage() });
 */
export function describeFollowGraph(runner: KitRunner, backend: BackendUnderTest): void {
  harnessTest(runner, backend, `follow graph (${backend.name})`, 'follow-graph', (test) => {
    registerEdgeCases(test);
    registerPagingCases(test);
    registerBoundaryCases(test);
    registerHalfDoneCases(test);
    registerGraphManagerCases(test);
  });
}

/** Every page of `read`, followed by cursor until a page has no `next`. */
export async function allPages<T>(
  read: (cursor: string | undefined) => Promise<GraphPage<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await read(cursor);
    pages++;
    items.push(...page.items);
    cursor = page.next;
  } while (cursor !== undefined);
  return { items, pages };
}

/** The ids of a user's followers, all pages. */
export async function followerIds(graph: FollowGraph, userId: string): Promise<string[]> {
  const { items } = await allPages((cursor) => graph.followers(userId, { limit: 100, cursor }));
  return items.map((f) => f.userId).sort();
}

/** Both sides of the edge `user -> target`, and both users' counts. */
async function edgeState(graph: FollowGraph, user: string, target: string) {
  const [following] = await graph.isFollowing(user, [target]);
  const followers = (await followerIds(graph, target)).includes(user);
  const counts = {
    userFollowing: (await graph.counts(user)).following,
    targetFollowers: (await graph.counts(target)).followers,
  };
  return { following, followers, counts };
}

function registerEdgeCases(test: HarnessTest): void {
  test('follow records both sides; counts, isFollowing, followers and following agree', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    assert.equal(await graph.follow('ann', ['bob', 'cy']), 2);
    assert.equal(await graph.follow(7, 'bob', { priority: 'low' }), 1);
    assert.deepEqual(await graph.counts('ann'), { followers: 0, following: 2 });
    assert.deepEqual(await graph.counts('bob'), { followers: 2, following: 0 });
    assert.deepEqual(await graph.isFollowing('ann', ['bob', 'cy', 'dee', 'ann']), [
      true,
      true,
      false,
      false,
    ]);
    const bob = await graph.followers('bob');
    assert.deepEqual(bob.items.map((f) => [f.userId, f.priority]).sort(), [
      ['7', 'low'],
      ['ann', 'high'],
    ]);
    assert.equal(bob.next, undefined, 'a page that is not full has no next');
    const ann = await graph.following('ann');
    assert.deepEqual(ann.items.map((f) => f.userId).sort(), ['bob', 'cy']);
    for (const f of [...bob.items, ...ann.items]) {
      assert.ok(
        f.since instanceof Date && Number.isSafeInteger(f.since.getTime()),
        'since is a Date',
      );
    }
  });

  test('follow twice is one edge: same since, count 1; a new priority replaces the old', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    assert.equal(await graph.follow('u', 't'), 1);
    const [first] = (await graph.followers('t')).items;
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(await graph.follow('u', ['t', 't']), 0, 'no new edge');
    assert.equal(await graph.follow('u', 't', { priority: 'low' }), 0);
    const { items } = await graph.followers('t');
    assert.equal(items.length, 1);
    assert.equal(
      items[0]!.since.getTime(),
      first!.since.getTime(),
      'the first follow time is kept',
    );
    assert.equal(items[0]!.priority, 'low');
    assert.equal((await graph.following('u')).items[0]!.since.getTime(), first!.since.getTime());
    assert.deepEqual(await graph.counts('t'), { followers: 1, following: 0 });
  });

  test('unfollow of a non-edge is a no-op; unfollow removes both sides once', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    await graph.follow('u', ['a', 'b']);
    await graph.follow('v', 'a');
    assert.equal(await graph.unfollow('u', ['zed', 'v']), 0);
    assert.equal(await graph.unfollow('v', 'b'), 0, 'v never followed b');
    assert.deepEqual(await followerIds(graph, 'a'), ['u', 'v']);
    assert.equal(await graph.unfollow('u', ['a', 'a']), 1);
    assert.equal(await graph.unfollow('u', 'a'), 0, 'the second unfollow finds nothing');
    assert.deepEqual(await followerIds(graph, 'a'), ['v']);
    assert.deepEqual(await graph.isFollowing('u', ['a', 'b']), [false, true]);
    assert.deepEqual(await graph.counts('u'), { followers: 0, following: 1 });
  });

  test('1 and "1" are one user; graphs with different prefixes share nothing', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    const other = createFollowGraph({ storage, prefix: 'other-graph' });
    await graph.follow(1, [2]);
    assert.equal(await graph.follow('1', '2'), 0);
    assert.deepEqual(await graph.isFollowing('1', [2, '2', 3]), [true, true, false]);
    assert.deepEqual(await other.counts(1), { followers: 0, following: 0 });
    assert.deepEqual(await other.isFollowing(1, [2]), [false]);
  });

  test('concurrent follows of the same pair leave one edge on both sides', async ({ storage }) => {
    const graph = createFollowGraph({ storage });
    const priorities = ['high', 'low', 'high', 'low', 'high', 'high', 'low', 'high'] as const;
    const created = await Promise.all(
      priorities.map((priority) => graph.follow('u', 't', { priority })),
    );
    assert.ok(created.reduce((a, b) => a + b, 0) >= 1, 'at least one call saw the edge as new');
    assert.deepEqual(await graph.counts('t'), { followers: 1, following: 0 });
    assert.deepEqual(await graph.counts('u'), { followers: 0, following: 1 });
    const { items } = await graph.followers('t');
    assert.equal(items.length, 1);
    assert.ok(items[0]!.priority === 'high' || items[0]!.priority === 'low');
    // Many users following one target at once: every edge lands, counted once.
    const users = Array.from({ length: 40 }, (_, i) => `c${i}`);
    await Promise.all(users.map((u) => graph.follow(u, ['t', 'hub'])));
    assert.equal((await graph.counts('hub')).followers, 40);
    assert.equal((await graph.counts('t')).followers, 41);
  });
}

function registerPagingCases(test: HarnessTest): void {
  test('followers of 1,050 users page by cursor: each once, newest edge first', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    const users = Array.from({ length: 1050 }, (_, i) => `f${String(i).padStart(4, '0')}`);
    await forEachLimited(users, 16, (u) => graph.follow(u, 'star'));
    assert.deepEqual(await graph.counts('star'), { followers: 1050, following: 0 });
    const { items, pages } = await allPages((cursor) =>
      graph.followers('star', { limit: 100, cursor }),
    );
    assert.equal(pages, 11, '10 full pages and one of 50 (no next after it)');
    assert.deepEqual(items.map((f) => f.userId).sort(), users);
    for (let i = 1; i < items.length; i++) {
      assert.ok(items[i - 1]!.since.getTime() >= items[i]!.since.getTime(), 'newest edge first');
    }
    // An exact multiple: the last full page has a next, and the page after it is empty.
    const exact = await allPages((cursor) => graph.followers('star', { limit: 350, cursor }));
    assert.equal(exact.pages, 4);
    assert.equal(exact.items.length, 1050);
  });

  test('following of 1,200 targets in batches of the limit, paged by cursor', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage, limits: { maxBatchSize: 600, maxPageSize: 500 } });
    const targets = Array.from({ length: 1200 }, (_, i) => i);
    assert.equal(await graph.follow('fan', targets.slice(0, 600)), 600);
    assert.equal(await graph.follow('fan', targets.slice(600)), 600);
    const { items } = await allPages((cursor) => graph.following('fan', { limit: 500, cursor }));
    assert.deepEqual(
      items.map((f) => Number(f.userId)).sort((a, b) => a - b),
      targets,
    );
    const probe = [0, 599, 600, 1199, 1200, 5000, 17];
    assert.deepEqual(
      await graph.isFollowing('fan', probe),
      probe.map((t) => t < 1200),
    );
    assert.deepEqual(await graph.counts(599), { followers: 1, following: 0 });
  });

  test('a page read while edges are added neither repeats nor skips older edges', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    for (let i = 0; i < 30; i++) await graph.follow(`old${i}`, 'x');
    const first = await graph.followers('x', { limit: 10 });
    for (let i = 0; i < 5; i++) await graph.follow(`new${i}`, 'x'); // newer than the cursor
    await graph.unfollow(first.items[0]!.userId, 'x'); // already read
    const rest = await allPages((cursor) =>
      graph.followers('x', { limit: 10, cursor: cursor ?? first.next }),
    );
    const seen = [...first.items, ...rest.items].map((f: Follower) => f.userId);
    assert.equal(new Set(seen).size, seen.length, 'no edge twice');
    assert.deepEqual(
      seen.filter((u) => u.startsWith('old')).sort(),
      Array.from({ length: 30 }, (_, i) => `old${i}`).sort(),
    );
  });
}

const HOSTILE = [
  'a:b',
  'a%3Ab',
  '{tag}',
  'x}y{z',
  '*?[]\\',
  'with space\tand\nnewline',
  '~starts-with-tilde',
  'émoji 🎉 ünïcødé',
  'שלום עולם',
  '\u0000nul',
  'z'.repeat(64),
  'z'.repeat(65),
  'long'.repeat(128),
  '-1',
  '0',
];

function registerBoundaryCases(test: HarnessTest): void {
  test('follow time: new edges take the given time (imports), existing ones keep theirs', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    const old = new Date('2019-05-01T10:00:00Z');
    assert.equal(await graph.follow('u', ['a', 'b'], { time: old }), 2);
    assert.equal(await graph.follow('u', ['b', 'c'], { time: old.getTime() + 1000 }), 1);
    const following = (await graph.following('u')).items;
    assert.deepEqual(
      following.map((f) => [f.userId, f.since.toISOString()]),
      [
        ['c', '2019-05-01T10:00:01.000Z'],
        ['b', '2019-05-01T10:00:00.000Z'],
        ['a', '2019-05-01T10:00:00.000Z'],
      ],
      'newest first; b kept its first time',
    );
    const [follower] = (await graph.followers('b')).items;
    assert.equal(follower?.since.getTime(), old.getTime(), 'both sides carry the time');
  });

  test('hostile and unicode ids are kept apart and read back exactly', async ({ storage }) => {
    const graph = createFollowGraph({ storage });
    assert.equal(await graph.follow('hub', HOSTILE), HOSTILE.length);
    for (const id of HOSTILE) await graph.follow(id, 'hub', { priority: 'low' });
    const following = await allPages((cursor) => graph.following('hub', { limit: 4, cursor }));
    assert.deepEqual(following.items.map((f) => f.userId).sort(), [...HOSTILE].sort());
    const followers = await allPages((cursor) => graph.followers('hub', { limit: 4, cursor }));
    assert.deepEqual(followers.items.map((f) => f.userId).sort(), [...HOSTILE].sort());
    assert.ok(followers.items.every((f) => f.priority === 'low'));
    assert.deepEqual(
      await graph.isFollowing('hub', HOSTILE),
      HOSTILE.map(() => true),
    );
    for (const id of HOSTILE) {
      assert.deepEqual(await graph.counts(id), { followers: 1, following: 1 }, JSON.stringify(id));
      assert.deepEqual(await graph.isFollowing(id, ['hub']), [true]);
    }
    // 'a:b' and 'a%3Ab' escape to different keys: unfollowing one leaves the other.
    await graph.unfollow('a:b', 'hub');
    assert.deepEqual(await graph.counts('a%3Ab'), { followers: 1, following: 1 });
    assert.deepEqual(await graph.counts('a:b'), { followers: 1, following: 0 });
  });

  test('bad ids, options, limits and cursors throw typed errors and write nothing', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage, limits: { maxBatchSize: 3, maxPageSize: 10 } });
    const bad: [() => Promise<unknown>, ErrorCode][] = [
      [() => graph.follow('u', ['ok', 'a\ud800']), 'INVALID_ID'],
      [() => graph.follow('u', ['ok', -1]), 'INVALID_ID'],
      [() => graph.follow('u', ['ok', 1.5]), 'INVALID_ID'],
      [() => graph.follow('u', ['ok', '']), 'INVALID_ID'],
      [() => graph.follow('u', ['ok', null as never]), 'INVALID_ID'],
      [() => graph.follow('u', ['ok', 'x'.repeat(513)]), 'INVALID_ID'],
      [() => graph.follow({} as never, 'ok'), 'INVALID_ID'],
      [() => graph.follow('u', ['a', 'b', 'c', 'd']), 'LIMIT_EXCEEDED'],
      [() => graph.follow('u', 'ok', { priority: 'urgent' as never }), 'INVALID_OPTION'],
      [() => graph.follow('u', 'ok', { limit: 1 } as never), 'INVALID_OPTION'],
      [() => graph.follow('u', 'ok', { time: -1 }), 'INVALID_OPTION'],
      [() => graph.follow('u', 'ok', { time: new Date(Number.NaN) }), 'INVALID_OPTION'],
      [() => graph.follow('u', 'ok', { time: '2020-01-01' as never }), 'INVALID_OPTION'],
      [() => graph.follow('u', 'ok', { time: 1.5 }), 'INVALID_OPTION'],
      [() => graph.unfollow('u', ['ok', '\udc00']), 'INVALID_ID'],
      [() => graph.isFollowing('u', 'ok' as never), 'INVALID_ID'],
      [() => graph.isFollowing('u', ['a', 'b', 'c', 'd']), 'LIMIT_EXCEEDED'],
      [() => graph.followers('u', { limit: 0 }), 'INVALID_OPTION'],
      [() => graph.followers('u', { limit: 11 }), 'LIMIT_EXCEEDED'],
      [() => graph.followers('u', { cursor: 'not a cursor' }), 'INVALID_OPTION'],
      [() => graph.following('u', { offset: 5 } as never), 'INVALID_OPTION'],
    ];
    for (const [call, code] of bad) await assert.rejects(call(), hasCode(code));
    assert.deepEqual(await graph.counts('u'), { followers: 0, following: 0 });
    assert.deepEqual(await graph.counts('ok'), { followers: 0, following: 0 });
    assert.throws(() => createFollowGraph({ storage, prefix: 'a b' }), hasCode('INVALID_OPTION'));
    assert.throws(() => createFollowGraph({ storage: {} as never }), hasCode('INVALID_OPTION'));
    assert.throws(
      () => createFollowGraph({ storage, limits: { maxPageSize: 0 } }),
      hasCode('INVALID_OPTION'),
    );
  });
}

/** `timeline` whose method `method` throws once, on its first call. */
function failingOnce(timeline: TimelineStorage, method: 'add' | 'removeFromMany'): TimelineStorage {
  let failed = false;
  return new Proxy(timeline, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === method && !failed) {
        return () => {
          failed = true;
          return Promise.reject(new Error(`injected ${method} failure`));
        };
      }
      return value.bind(target);
    },
  });
}

/** `timeline` whose writes and reads each start after a random delay of 0-3 ms (seeded). */
function jittered(timeline: TimelineStorage, seed: number): TimelineStorage {
  const random = seededRandom(seed);
  const jitter = new Set(['get', 'add', 'addToMany', 'remove', 'removeFromMany']);
  return new Proxy(timeline, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (typeof prop !== 'string' || !jitter.has(prop)) return value.bind(target);
      return async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function registerHalfDoneCases(test: HarnessTest): void {
  test('concurrent follows and unfollows of one pair never leave the edge recorded without fan-out', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    const racers = [1, 2, 3, 4].map((seed) =>
      createFollowGraph({ storage: jittered(storage.timeline, seed) }),
    );
    const random = seededRandom(99);
    for (let round = 0; round < 25; round++) {
      const calls = racers.map((g) =>
        random() < 0.5
          ? g.follow('u', 't', { priority: random() < 0.5 ? 'low' : 'high' })
          : g.unfollow('u', 't'),
      );
      await Promise.all(calls);
      const state = await edgeState(graph, 'u', 't');
      assert.ok(!(state.following && !state.followers), `round ${round}: recorded without fan-out`);
      // Whatever the race left, one more call of either kind settles both sides.
      if (random() < 0.5) {
        await graph.follow('u', 't');
        assert.deepEqual(await edgeState(graph, 'u', 't'), {
          following: true,
          followers: true,
          counts: { userFollowing: 1, targetFollowers: 1 },
        });
      } else {
        await graph.unfollow('u', 't');
        assert.deepEqual(await edgeState(graph, 'u', 't'), {
          following: false,
          followers: false,
          counts: { userFollowing: 0, targetFollowers: 0 },
        });
      }
    }
  });

  test('a follow stopped between its writes has the followers side only; a retry completes it', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    const dying = createFollowGraph({ storage: failingOnce(storage.timeline, 'add') });
    await assert.rejects(dying.follow('u', 't'), /injected add failure/);
    // Half-done: fan-out (the followers side) already reaches u; the record does not say so.
    assert.deepEqual(await edgeState(graph, 'u', 't'), {
      following: false,
      followers: true,
      counts: { userFollowing: 0, targetFollowers: 1 },
    });
    assert.equal(await graph.follow('u', 't'), 1, 'the retry records the edge');
    assert.deepEqual(await edgeState(graph, 'u', 't'), {
      following: true,
      followers: true,
      counts: { userFollowing: 1, targetFollowers: 1 },
    });
  });

  test('an unfollow of a half-done follow, or a half-done unfollow retried, removes both sides', async ({
    storage,
  }) => {
    const graph = createFollowGraph({ storage });
    const dyingFollow = createFollowGraph({ storage: failingOnce(storage.timeline, 'add') });
    await assert.rejects(dyingFollow.follow('u', 't'));
    assert.equal(await graph.unfollow('u', 't'), 0, 'no recorded edge');
    const none = {
      following: false,
      followers: false,
      counts: { userFollowing: 0, targetFollowers: 0 },
    };
    assert.deepEqual(await edgeState(graph, 'u', 't'), none);
    await graph.follow('u', 't');
    const dyingUnfollow = createFollowGraph({
      storage: failingOnce(storage.timeline, 'removeFromMany'),
    });
    await assert.rejects(dyingUnfollow.unfollow('u', 't'), /injected removeFromMany failure/);
    assert.deepEqual(await edgeState(graph, 'u', 't'), {
      following: false,
      followers: true,
      counts: { userFollowing: 0, targetFollowers: 1 },
    });
    assert.equal(await graph.unfollow('u', 't'), 0);
    assert.deepEqual(await edgeState(graph, 'u', 't'), none);
  });
}

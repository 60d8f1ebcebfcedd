/**
 * Corrupted payloads planted in storage, and the configurable limits, for the bad-input tests
 * (test/conformance/memory-fuzz.test.ts, test/redis/fuzz.test.ts). The backend plants the payload
 * its own way (memory: through the storage contracts; Redis: raw HSET/ZADD); the checks are the
 * same: every operation touching the corruption resolves or fails with a typed error that writes
 * nothing, and feeds that do not hold the corruption read as before.
 * @module
 */
import assert from 'node:assert/strict';
import { groupIdOf } from '../../src/activity/ids.js';
import {
  type Activity,
  createActivity,
  createJsonSerializer,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  type Id,
  type Storage,
  utcDay,
  ValidationError,
} from '../../src/index.js';
import { TASK_LIMITS } from '../../src/queue/task.js';
import {
  assertTyped,
  FUZZ_USERS,
  type FuzzWorld,
  nested,
  settle,
  validActivity,
} from './bad-input.js';

/** How a backend plants corruption into a fresh fuzz world. */
export interface Planting {
  readonly world: FuzzWorld;
  plantActivity(id: string, payload: string): Promise<unknown>;
  plantEntry(key: string, id: string, score: number, payload: string | undefined): Promise<unknown>;
  /** A backend-level dump (Redis: every key under the prefix), compared around failed operations. */
  raw(): Promise<unknown>;
}

/** Activity 0 of the fuzz world: by user 1, in followers' feeds, addressed to notification:2. */
const victim = validActivity(0);
const wire = JSON.parse(createJsonSerializer().encodeActivity(victim)) as Record<string, unknown>;
const withExtra = (extra: string) =>
  `${JSON.stringify({ ...wire, x: undefined }).slice(0, -1)},"x":${extra}}`;
const deepExtra = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
/** The victim in the keyed form feeds store (no id: it comes from the key it is stored under). */
const keyed = JSON.parse(createJsonSerializer().encodeActivity(victim, 'keyed')) as unknown[];
const keyedWith = (i: number, value: unknown) => JSON.stringify(keyed.with(i, value));

/** Notification group of the victim in notification:2 (verb + object + day). */
const victimGroupKey = `${victim.verb}|${utcDay(victim.time)}|n${String(victim.object)}`;
const victimGroupId = groupIdOf(victimGroupKey);
const goodGroup = {
  v: 1,
  g: victimGroupKey,
  i: victimGroupId,
  m: [wire],
  n: 1,
  ac: [victim.actor],
  ao: 0,
  c: victim.time.getTime(),
  u: victim.time.getTime(),
};
const group = (changes: Record<string, unknown>) => JSON.stringify({ ...goodGroup, ...changes });

/** Where a corrupted payload goes: the victim's stored activity, or its notification group. */
type Target = 'activity' | 'group' | 'timeline-entry';

/** The corruptions: where, what, and whether reads must notice (`detected`). */
export const corruptionCases: readonly {
  readonly name: string;
  readonly target: Target;
  readonly payload: string | undefined;
  readonly detected: boolean;
}[] = [
  { name: 'not JSON', target: 'activity', payload: 'not json', detected: true },
  { name: 'an empty string', target: 'activity', payload: '', detected: true },
  { name: 'truncated JSON', target: 'activity', payload: '{"v":1,"i":', detected: true },
  { name: 'JSON null', target: 'activity', payload: 'null', detected: true },
  { name: 'a JSON array', target: 'activity', payload: '[1,2]', detected: true },
  {
    name: 'an unknown version',
    target: 'activity',
    payload: JSON.stringify({ ...wire, v: 9 }),
    detected: true,
  },
  {
    name: 'a wrong field type',
    target: 'activity',
    payload: JSON.stringify({ ...wire, m: 'x' }),
    detected: true,
  },
  {
    name: 'binary garbage',
    target: 'activity',
    payload: '\u0000\u00ff\ud800garbage',
    detected: true,
  },
  {
    name: 'another activity',
    target: 'activity',
    payload: createJsonSerializer().encodeActivity(validActivity(1)),
    detected: true,
  },
  {
    name: '__proto__ in extra',
    target: 'activity',
    payload: withExtra('{"__proto__":{"polluted":true}}'),
    detected: true,
  },
  {
    name: 'constructor.prototype in extra',
    target: 'activity',
    payload: withExtra('{"constructor":{"prototype":{"polluted":true}}}'),
    detected: true,
  },
  {
    name: 'extra nested 100,000 deep',
    target: 'activity',
    payload: withExtra(deepExtra),
    detected: true,
  },
  {
    name: 'a 2 MB payload',
    target: 'activity',
    payload: withExtra(`{"blob":"${'x'.repeat(2_000_000)}"}`),
    detected: false,
  },
  { name: 'keyed: unknown version', target: 'activity', payload: keyedWith(0, 9), detected: true },
  {
    name: 'keyed: a wrong field type',
    target: 'activity',
    payload: keyedWith(3, true),
    detected: true,
  },
  {
    name: 'keyed: too many elements',
    target: 'activity',
    payload: JSON.stringify([...keyed, null, null, null, null, null, null]),
    detected: true,
  },
  {
    name: 'keyed: __proto__ in extra',
    target: 'activity',
    payload: keyedWith(5, JSON.parse('{"__proto__":{"polluted":true}}')),
    detected: true,
  },
  {
    // Keyed payloads carry no id to check against the key: this one reads as the victim with
    // another activity's fields. Reads cannot tell; the manager's removal by id can: the stored
    // copy names another owner, so it refuses (NOT_OWNER) and writes nothing.
    name: 'keyed: another activity',
    target: 'activity',
    payload: createJsonSerializer().encodeActivity(validActivity(1), 'keyed'),
    detected: true,
  },
  {
    name: 'malformed to',
    target: 'activity',
    payload: JSON.stringify({ ...wire, to: ['no feed', ''] }),
    detected: false,
  },
  { name: 'group: not JSON', target: 'group', payload: '{', detected: true },
  { name: 'group: no members', target: 'group', payload: group({ m: [], n: 0 }), detected: true },
  { name: 'group: count below members', target: 'group', payload: group({ n: 0 }), detected: true },
  {
    name: 'group: malformed minimized list',
    target: 'group',
    payload: group({ mz: [['x', 1]], n: 2 }),
    detected: true,
  },
  {
    name: 'group: another group',
    target: 'group',
    payload: group({ i: groupIdOf('other') }),
    detected: true,
  },
  {
    name: 'group: member with __proto__ extra',
    target: 'group',
    payload: group({ m: [{ ...wire, x: JSON.parse('{"__proto__":{"polluted":true}}') }] }),
    detected: true,
  },
  {
    name: 'group: member nested 100,000 deep',
    target: 'group',
    payload: group({ m: [JSON.parse(withExtra('{"a":1}'))] }).replace('{"a":1}', deepExtra),
    detected: true,
  },
  { name: 'group: entry without payload', target: 'group', payload: undefined, detected: true },
  {
    name: 'timeline entry: not an activity id',
    target: 'timeline-entry',
    payload: undefined,
    detected: false,
  },
];

/** Every feed handle of the fuzz world, with what reading it fully means. */
function feedsOf(w: FuzzWorld) {
  return FUZZ_USERS.flatMap((u) => [
    { key: w.user.keyFor(u), read: () => w.user.for(u).read({ limit: 1000 }) },
    { key: w.timeline.keyFor(u), read: () => w.timeline.for(u).read({ limit: 50 }) },
    { key: w.aggregated.keyFor(u), read: () => w.aggregated.for(u).read({ limit: 100 }) },
    { key: w.notification.keyFor(u), read: () => w.notification.for(u).read({ limit: 100 }) },
  ]);
}

/** What the storage contracts hold for every feed of the world, without decoding anything. */
async function contractDump(w: FuzzWorld) {
  const { timeline, activities } = w.storage;
  const ids = Array.from({ length: 40 }, (_, n) => validActivity(n).id);
  return {
    feeds: await Promise.all(
      feedsOf(w).map(async ({ key }) => ({
        key,
        entries: await timeline.range(key, { limit: 1000, order: 'desc' }),
        unseen: await timeline.countMarked(key, 'unseen'),
        unread: await timeline.countMarked(key, 'unread'),
      })),
    ),
    activities: await activities.getMany(ids),
  };
}

/**
 * The operations tried on a world holding a corrupted payload. `'feed'`: one feed call, which
 * must write nothing at all when it fails. `'manager'`: a fan-out over several feeds, each written
 * by its own task (as a queue would run them); when the corrupted feed's task fails, that feed and
 * the corrupted payload are left as they were, while the other feeds may have been written.
 */
function operations(w: FuzzWorld): [string, 'feed' | 'manager', () => unknown][] {
  const sameGroups = createActivity({
    actor: victim.actor,
    verb: victim.verb,
    object: victim.object,
    target: 'again',
    time: victim.time.getTime() + 1,
    to: ['notification:2'],
  });
  const n2 = w.notification.for(2);
  return [
    ['add to the corrupted notification group', 'feed', () => n2.add(sameGroups)],
    ["add to the victim's groups elsewhere", 'feed', () => w.aggregated.for(3).add(sameGroups)],
    ["read the victim's user feed", 'feed', () => w.user.for(victim.actor).read()],
    ['mark every notification seen', 'feed', () => n2.markAllSeen()],
    ['mark the group read', 'feed', () => n2.markRead([victimGroupId])],
    ['remove the victim from the notifications', 'feed', () => n2.remove(victim)],
    [
      "remove the victim's actor from a timeline",
      'feed',
      () => w.timeline.for(2).removeByActors([1]),
    ],
    [
      'publish into the same groups',
      'manager',
      () => w.manager.addUserActivity(victim.actor, sameGroups),
    ],
    [
      'batch import into the same groups',
      'manager',
      () => w.manager.batchImport(victim.actor, [sameGroups]),
    ],
    ['follow the victim', 'manager', () => w.manager.followUser(FUZZ_USERS[3]!, victim.actor)],
    ['unfollow the victim', 'manager', () => w.manager.unfollowUser(2, victim.actor)],
    [
      'remove the victim by id',
      'manager',
      () => w.manager.removeUserActivity(victim.actor, victim.id),
    ],
  ];
}

/** Figures of {@link checkCorruption}. */
export interface CorruptionFigures {
  operations: number;
  typed: number;
  unaffected: number;
}

/**
 * For each corruption case, on a fresh world: plants it, reads every feed (feeds that do not hold
 * the corrupted payload must read fine; the others fine or typed), then runs each operation
 * (resolves, or fails typed with nothing written).
 */
export async function checkCorruption(fresh: () => Promise<Planting>): Promise<CorruptionFigures> {
  const figures: CorruptionFigures = { operations: 0, typed: 0, unaffected: 0 };
  for (const c of corruptionCases) {
    const p = await fresh();
    const w = p.world;
    const notificationKey = w.notification.keyFor(2);
    if (c.target === 'activity') await p.plantActivity(victim.id, c.payload!);
    else if (c.target === 'group') {
      const [entry] = await w.storage.timeline.get(notificationKey, [victimGroupId]);
      assert.ok(entry, 'the victim has a notification group');
      await p.plantEntry(notificationKey, victimGroupId, entry.score, c.payload);
    } else await p.plantEntry(w.timeline.keyFor(2), 'bogus:{x}*\n', 1, undefined);

    const holds = (key: string, entries: readonly { id: string; payload?: string }[]) =>
      c.target === 'group'
        ? key === notificationKey
        : c.target === 'activity'
          ? entries.some((e) => e.id === victim.id || e.payload?.includes(victim.id))
          : false;
    let detected = false;
    const dump = await contractDump(w);
    for (const [i, feed] of feedsOf(w).entries()) {
      const outcome = await settle(feed.read);
      figures.operations += 1;
      const holding = holds(feed.key, dump.feeds[i]!.entries);
      if (outcome.ok) {
        if (!holding) figures.unaffected += 1;
        continue;
      }
      assert.ok(
        holding,
        `${c.name}: reading ${feed.key}, which does not hold it, failed: ${String(outcome.error)}`,
      );
      assertTyped(outcome.error, `${c.name}: reading ${feed.key}`);
      assert.equal(outcome.error.code, 'SERIALIZATION', `${c.name}: reading ${feed.key}`);
      figures.typed += 1;
      detected = true;
    }
    if (c.target === 'timeline-entry') {
      const page = await w.timeline.for(2).read({ limit: 50 });
      assert.deepEqual(
        page.missing,
        ['bogus:{x}*\n'],
        'an entry without activity is reported missing',
      );
    }
    /** What must be left alone: everything after a failed feed call, else the corruption. */
    const corrupted = async (whole: boolean) => {
      const contracts = await contractDump(w);
      if (whole) return { contracts, raw: await p.raw() };
      if (c.target !== 'group') return contracts.activities[0];
      return contracts.feeds.find((f) => f.key === notificationKey);
    };
    for (const [name, kind, run] of operations(w)) {
      const before = await corrupted(kind === 'feed');
      const outcome = await settle(run);
      figures.operations += 1;
      if (outcome.ok) continue;
      assertTyped(outcome.error, `${c.name}: ${name}`);
      figures.typed += 1;
      detected = true;
      const after = await corrupted(kind === 'feed');
      assert.deepStrictEqual(after, before, `${c.name}: ${name} failed but wrote something`);
    }
    assert.equal(
      detected,
      c.detected,
      `${c.name}: the corruption is ${c.detected ? '' : 'not '}an error`,
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  }
  return figures;
}

// ---- limits ------------------------------------------------------------------------------------

/**
 * Checks each configurable limit: over it, a typed error with the documented code (and the limit
 * in `details` where there is one) and nothing written; at it, accepted. Returns how many limits.
 */
export async function checkLimits(create: () => Storage | Promise<Storage>): Promise<number> {
  let checked = 0;
  const storage = await create();
  const user = defineFlatFeed({ name: 'user', storage, maxLength: 1000 });
  const timeline = defineFlatFeed({
    name: 'timeline',
    storage,
    limits: { maxPageSize: 50, maxBatchSize: 5 },
    normalized: false,
  });
  const aggregated = defineAggregatedFeed({ name: 'aggregated', storage });
  const notification = defineNotificationFeed({
    name: 'notification',
    storage,
    serializer: createJsonSerializer({ maxActivityLength: 2000 }),
  });
  const manager = createManager({
    userFeed: user,
    feeds: { timeline, aggregated },
    targetFeeds: { notification },
    getFollowerIds: () => [2, 3],
  });
  await manager.addUserActivity(1, validActivity(0));
  const dump = async () =>
    Promise.all(
      [
        user.keyFor(1),
        ...[1, 2, 3, 5].flatMap((u) =>
          [timeline, aggregated, notification].map((d) => d.keyFor(u)),
        ),
      ].map((key) => storage.timeline.range(key, { limit: 1000, order: 'desc' })),
    );

  async function over(what: string, code: string, run: () => unknown, limit?: number) {
    const before = await dump();
    const outcome = await settle(run);
    assert.equal(outcome.ok, false, `${what}: accepted`);
    if (outcome.ok) return;
    assertTyped(outcome.error, what);
    assert.equal(outcome.error.code, code, `${what}: ${outcome.error.message}`);
    if (limit !== undefined)
      assert.equal(outcome.error.details.limit, limit, `${what}: details.limit`);
    assert.deepStrictEqual(await dump(), before, `${what}: nothing written`);
    checked += 1;
  }

  const big = (n: number, length: number, to: string[] = []) =>
    createActivity({ actor: 1, verb: 'add', object: n, extra: { blob: 'x'.repeat(length) }, to });
  // Max activity size: the serializer's maxActivityLength (default 65,536 characters).
  const huge = big(100, 1_100_000);
  await over(
    'publishing an activity with 1.1 MB of extra data',
    'LIMIT_EXCEEDED',
    () => manager.addUserActivity(1, huge),
    65_536,
  );
  await over(
    'adding it to a denormalized flat feed',
    'LIMIT_EXCEEDED',
    () => timeline.for(5).add(huge),
    65_536,
  );
  await over(
    'adding it to a normalized aggregated feed',
    'LIMIT_EXCEEDED',
    () => aggregated.for(5).add(huge),
    65_536,
  );
  await over(
    'adding it to a denormalized notification feed',
    'LIMIT_EXCEEDED',
    () => notification.for(5).add(huge),
    2000,
  );
  await over(
    'batch-importing it',
    'LIMIT_EXCEEDED',
    () => manager.batchImport(1, [validActivity(3, 1), huge]),
    65_536,
  );
  await over(
    "publishing to a target feed whose serializer allows less than the manager's",
    'LIMIT_EXCEEDED',
    () => manager.addUserActivity(1, big(101, 2500, ['notification:5'])),
    2000,
  );
  await manager.addUserActivity(1, big(102, 1500, ['notification:5'])); // under both limits
  // Max batch size (maxBatchSize 5 on the timeline).
  const six = Array.from({ length: 6 }, (_, i) => validActivity(10 + i, 1));
  await over(
    'adding 6 activities at once to a feed with maxBatchSize 5',
    'LIMIT_EXCEEDED',
    () => timeline.for(5).addMany(six),
    5,
  );
  await over(
    'a batch import chunk over the smallest maxBatchSize',
    'LIMIT_EXCEEDED',
    () => manager.batchImport(1, six, { chunkSize: 6 }),
    5,
  );
  await timeline.for(5).addMany(six.slice(0, 5));
  // Max page size (maxPageSize 50 on the timeline, default 1000 elsewhere).
  await over(
    'reading 51 entries from a feed with maxPageSize 50',
    'LIMIT_EXCEEDED',
    () => timeline.for(5).read({ limit: 51 }),
    50,
  );
  await over(
    'reading 1001 groups (default maxPageSize 1000)',
    'LIMIT_EXCEEDED',
    () => aggregated.for(5).read({ limit: 1001 }),
    1000,
  );
  await timeline.for(5).read({ limit: 50 });
  // Ids and nesting.
  await over('a user id of 10 KB', 'INVALID_ID', () => timeline.for('x'.repeat(10_000)).count());
  await over('an empty user id', 'INVALID_ID', () => manager.getFeeds(''));
  await over(
    'extra data nested 65 levels deep',
    'INVALID_EXTRA',
    () => manager.addUserActivity(1, { ...validActivity(20), extra: nested(65) } as Activity),
    64,
  );
  // Task limits (TASK_LIMITS).
  const many = Array.from({ length: TASK_LIMITS.targetIds + 1 }, (_, i) => i + 10);
  await over('following 10,001 users in one call', 'LIMIT_EXCEEDED', () =>
    manager.followManyUsers(1, many),
  );
  await over(
    'a follow limit over TASK_LIMITS.followLimit',
    'LIMIT_EXCEEDED',
    () => manager.followUser(2, 1, { limit: TASK_LIMITS.followLimit + 1 }),
    TASK_LIMITS.followLimit,
  );
  const task = (changes: Record<string, unknown>) => ({
    v: 1,
    type: 'fanout',
    op: 'add',
    feed: 'timeline',
    userIds: ['5'],
    activities: [createJsonSerializer().encodeActivity(validActivity(30))],
    trim: true,
    ...changes,
  });
  await over('a task for 10,001 users', 'INVALID_TASK', () =>
    manager.runTask(task({ userIds: many.map(String) })),
  );
  await over('a task carrying 10,001 activities', 'INVALID_TASK', () =>
    manager.runTask(
      task({ activities: Array.from({ length: TASK_LIMITS.activities + 1 }, () => 'x') }),
    ),
  );
  await over('a task payload over 1 MB', 'INVALID_TASK', () =>
    manager.runTask(task({ activities: ['x'.repeat(TASK_LIMITS.payloadLength + 1)] })),
  );
  // Limits are options with bounds themselves.
  const bad: [string, () => unknown, string][] = [
    [
      'maxPageSize above 100,000',
      () => defineFlatFeed({ name: 'f', storage, limits: { maxPageSize: 100_001 } }),
      'LIMIT_EXCEEDED',
    ],
    [
      'maxBatchSize 0',
      () => defineFlatFeed({ name: 'f', storage, limits: { maxBatchSize: 0 } }),
      'INVALID_OPTION',
    ],
    ['maxActivityLength 0', () => createJsonSerializer({ maxActivityLength: 0 }), 'INVALID_OPTION'],
    [
      'maxTrackedActivities -1',
      () => defineAggregatedFeed({ name: 'f', storage, groups: { maxTrackedActivities: -1 } }),
      'INVALID_OPTION',
    ],
    [
      'maxActivitiesPerGroup 1001',
      () => defineAggregatedFeed({ name: 'f', storage, groups: { maxActivities: 1001 } }),
      'LIMIT_EXCEEDED',
    ],
  ];
  for (const [what, run, code] of bad) {
    assert.throws(run, (e: unknown) => e instanceof ValidationError && e.code === code, what);
    checked += 1;
  }
  return checked;
}

export type { Id };

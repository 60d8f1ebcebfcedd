/**
 * Bad input at the public boundary, for test/conformance/memory-fuzz.test.ts and
 * test/redis/fuzz.test.ts: fast-check arbitraries of wrong types, hostile strings and hostile
 * objects, a catalogue of every public call that takes input, and the rule each call must follow:
 * it resolves, or it fails with a typed StreamFrameworkError and writes nothing (the backend's
 * whole observable state is unchanged). Nothing may crash the process or pollute a prototype.
 * @module
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import fc from 'fast-check';
import {
  type Activity,
  createActivity,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  type Id,
  type Storage,
  StreamFrameworkError,
} from '../../src/index.js';

// ---- hostile values --------------------------------------------------------------------------

const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;
const circularArray: unknown[] = [1];
circularArray.push(circularArray);

/** Extra data that is valid JSON but holds a prototype-pollution key (as JSON.parse builds it). */
export const POLLUTING_EXTRAS: readonly unknown[] = [
  JSON.parse('{"__proto__":{"polluted":true}}'),
  JSON.parse('{"a":{"__proto__":{"polluted":true}}}'),
  JSON.parse('{"list":[{"constructor":{"prototype":{"polluted":true}}}]}'),
  { constructor: { prototype: { polluted: true } } },
  { prototype: 1 },
];

/** Nested `depth` levels deep: `{ a: { a: ... } }`. */
export function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

/** Strings aimed at storage keys: key separators, hash tags, glob characters, control characters. */
export const KEY_INJECTIONS: readonly string[] = [
  ':',
  '{',
  '}',
  '*',
  '?',
  '[a]',
  '\\',
  '\n',
  '\r\n',
  '\u0000',
  ' ',
  'a:b',
  '{x}',
  '}{',
  'user:*',
  'x}:{y',
  '%7B',
  'a\nb',
  '\u{1f600}',
  'notification:1',
  '__proto__',
  'constructor',
];

/**
 * Strings that are not well-formed UTF-16 (a lone surrogate): UTF-8 storage would turn each into
 * U+FFFD, so two of them would share a key. Every id, verb and foreignId refuses them.
 */
export const LONE_SURROGATES: readonly string[] = [
  '\ud800',
  'alice\udbff',
  'alice\ud800',
  '\udc00x',
];

/** Arrays with holes: JSON would store each hole as `null`, so extra data refuses them. */
export const SPARSE_ARRAYS: readonly unknown[] = [
  new Array(3),
  Object.assign(new Array(2), { 1: 1 }),
];

/** `to` lists longer than the default `maxTo` (100): 101 distinct refs, 30,000 equal ones. */
export const LONG_TO_LISTS: readonly string[][] = [
  Array.from({ length: 101 }, (_, i) => `notification:${i}`),
  Array.from({ length: 30_000 }, () => 'notification:2'),
];

/** Hand-picked wrong values for any parameter. */
export const HOSTILE_VALUES: readonly unknown[] = [
  undefined,
  null,
  true,
  0,
  -1,
  1.5,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  10n,
  Symbol('s'),
  '',
  ' ',
  'x'.repeat(10_000),
  ...KEY_INJECTIONS,
  ...LONE_SURROGATES,
  () => 1,
  new Date(Number.NaN),
  new Date(0),
  [],
  [undefined],
  ...SPARSE_ARRAYS,
  {},
  Object.create(null),
  circular,
  circularArray,
  { constructor: { name: Symbol('x') } },
  { constructor: null },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  new Map([['a', 1]]),
  new Set([1]),
  new Uint8Array(4),
  new Error('boom'),
  Promise.resolve(1),
  /re/,
];

/** Any value: fast-check's anything (with BigInt, Dates, Maps, null prototypes...) or a hostile one. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
  }),
  fc.constantFrom(...HOSTILE_VALUES),
);

/** Ids of users, actors, objects: valid ones with hostile characters, and invalid ones. */
export const anyId: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...KEY_INJECTIONS, '', 'x'.repeat(513), 'x'.repeat(10_000), -1, 1.5),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.integer({ min: 0, max: 5 }),
  anyValue,
);

// ---- activities --------------------------------------------------------------------------------

const T0 = Date.UTC(2025, 10, 27, 12, 0, 0);
/** A valid activity of the fuzz world (actor 1..3, addressed to a notification of user 2). */
export const validActivity = (n: number, actor: Id = 1 + (n % 3)): Activity =>
  createActivity({
    actor,
    verb: ['add', 'love'][n % 2]!,
    object: n,
    time: T0 + n * 1000,
    extra: { n },
    to: ['notification:2'],
  });

const FIELDS = ['id', 'actor', 'verb', 'object', 'target', 'time', 'foreignId', 'extra', 'to'];

/**
 * Activity-like values that must be rejected: anything, a real activity copied into a plain
 * object with one field replaced or removed, or with extra data that createActivity refuses.
 */
export const badActivity: fc.Arbitrary<unknown> = fc.oneof(
  anyValue,
  fc
    .tuple(fc.nat(20), fc.constantFrom(...FIELDS), anyValue, fc.boolean())
    .map(([n, field, value, remove]) => {
      const copy: Record<string, unknown> = { ...validActivity(n) };
      if (remove) delete copy[field];
      else copy[field] = value;
      return copy;
    }),
  fc
    .tuple(fc.nat(20), fc.constantFrom(...POLLUTING_EXTRAS, nested(65), nested(2000), circular))
    .map(([n, extra]) => ({ ...validActivity(n), extra })),
  fc.nat(20).map((n) => ({ ...validActivity(n), to: ['nowhere:1'] })),
  fc
    .tuple(fc.nat(20), fc.constantFrom(...LONG_TO_LISTS))
    .map(([n, to]) => ({ ...validActivity(n), to })),
  fc
    .tuple(fc.nat(20), fc.constantFrom(...SPARSE_ARRAYS))
    .map(([n, list]) => ({ ...validActivity(n), extra: { n, list } })),
  // a legacy-length id with an uppercase digest, and a current-length one with a character outside base 62
  fc.nat(20).map((n) => ({ ...validActivity(n), id: `${validActivity(n).id.slice(0, 15)}Z` })),
  fc.nat(20).map((n) => ({ ...validActivity(n), id: `${validActivity(n).id.slice(0, 19)}-` })),
  fc.nat(20).map((n) => ({ ...validActivity(n), to: [`notification:${'x'.repeat(700)}`] })),
  fc.nat(20).map((n) => ({ ...validActivity(n), id: `${validActivity(n).id.slice(0, 15)}:` })),
);

/** Arrays that mix valid activities with one bad value (the whole call must be rejected). */
export const badActivities: fc.Arbitrary<unknown> = fc.oneof(
  anyValue,
  fc.tuple(fc.array(fc.nat(20), { maxLength: 3 }), badActivity, fc.nat(3)).map(([ns, bad, at]) => {
    const list: unknown[] = ns.map((n) => validActivity(n));
    list.splice(at, 0, bad);
    return list;
  }),
);

// ---- the fuzz world ------------------------------------------------------------------------------

/** Users whose feeds the world holds: plain ones and one made of key metacharacters. */
export const FUZZ_USERS: readonly Id[] = [1, 2, 3, 'a:{b}*\n?'];

/** A manager with flat, aggregated and notification feeds on `storage`, and some content. */
export async function fuzzWorld(storage: Storage) {
  const user = defineFlatFeed({ name: 'user', storage, maxLength: 1000 });
  const timeline = defineFlatFeed({
    name: 'timeline',
    storage,
    limits: { maxPageSize: 50, maxBatchSize: 5 },
  });
  const aggregated = defineAggregatedFeed({ name: 'aggregated', storage });
  const notification = defineNotificationFeed({ name: 'notification', storage });
  const manager = createManager({
    userFeed: user,
    feeds: { timeline, aggregated },
    targetFeeds: { notification },
    getFollowerIds: (u) => FUZZ_USERS.filter((f) => String(f) !== u),
  });
  for (let n = 0; n < 6; n++) await manager.addUserActivity(1 + (n % 3), validActivity(n));
  await manager.addUserActivity(FUZZ_USERS[3]!, validActivity(6, FUZZ_USERS[3]!));
  const [first] = (await notification.for(2).read()).items;
  if (first) await notification.for(2).markSeen([first.id]);
  return { storage, manager, user, timeline, aggregated, notification };
}

export type FuzzWorld = Awaited<ReturnType<typeof fuzzWorld>>;

const render = (a: Activity) => `${a.id} ${String(a.actor)} ${a.verb} ${JSON.stringify(a.extra)}`;

/** Everything the public API shows about the fuzz world's users, and its activity storage. */
export async function observe(w: FuzzWorld): Promise<unknown> {
  const ids = Array.from({ length: 40 }, (_, n) => validActivity(n).id);
  const users = await Promise.all(
    FUZZ_USERS.map(async (u) => ({
      user: (await w.user.for(u).read({ limit: 1000 })).items.map(render),
      timeline: (await w.timeline.for(u).read({ limit: 50 })).items.map(render),
      timelineCount: await w.timeline.for(u).count(),
      aggregated: (await w.aggregated.for(u).read({ limit: 100 })).items.map((g) => [
        g.id,
        g.activityCount,
        g.activityIds,
      ]),
      notification: (await w.notification.for(u).read({ limit: 100 })).items.map((g) => [
        g.id,
        g.activityCount,
        g.activityIds,
        g.seen,
        g.read,
      ]),
      counts: await w.notification.for(u).counts(),
    })),
  );
  return { users, stored: await w.storage.activities.getMany(ids) };
}

// ---- the calls -------------------------------------------------------------------------------

/** One public call with fuzzed arguments (printed with them when a counterexample is shown). */
export interface FuzzCall {
  readonly name: string;
  readonly run: (w: FuzzWorld) => unknown;
}

const call = (name: string, run: (w: FuzzWorld) => unknown, ...args: unknown[]): FuzzCall =>
  Object.assign(
    { name, run },
    { [fc.toStringMethod]: () => `${name}(${args.map((a) => fc.stringify(a)).join(', ')})` },
  );
const feedNames = ['timeline', 'aggregated', 'notification'] as const;
const feedOf = (w: FuzzWorld, name: (typeof feedNames)[number], u: unknown) => w[name].for(u as Id);
const anyFeed = fc.constantFrom(...feedNames);
const userOf = fc.oneof(fc.constantFrom<unknown>(...FUZZ_USERS), anyId);

/** Every public call that takes input, with arbitrary arguments (mostly wrong ones). */
export const fuzzCalls: fc.Arbitrary<FuzzCall> = fc.oneof(
  // the manager
  fc
    .tuple(userOf, badActivity)
    .map(([u, a]) =>
      call('addUserActivity', (w) => w.manager.addUserActivity(u as Id, a as Activity), u, a),
    ),
  fc
    .tuple(userOf, fc.oneof(badActivity, anyId))
    .map(([u, a]) =>
      call('removeUserActivity', (w) => w.manager.removeUserActivity(u as Id, a as string), u, a),
    ),
  badActivity.map((a) =>
    call('updateUserActivity', (w) => w.manager.updateUserActivity(a as Activity), a),
  ),
  badActivities.map((a) =>
    call('updateUserActivities', (w) => w.manager.updateUserActivities(a as Activity[]), a),
  ),
  fc
    .tuple(userOf, userOf, anyValue)
    .map(([u, t, o]) =>
      call(
        'followUser',
        (w) => w.manager.followUser(u as Id, t as Id, o as { limit: number }),
        u,
        t,
        o,
      ),
    ),
  fc
    .tuple(userOf, fc.oneof(anyValue, fc.array(anyId, { maxLength: 3 })), anyValue)
    .map(([u, t, o]) =>
      call(
        'followManyUsers',
        (w) => w.manager.followManyUsers(u as Id, t as Id[], o as { limit: number }),
        u,
        t,
        o,
      ),
    ),
  fc
    .tuple(userOf, userOf, anyValue)
    .map(([u, t, o]) =>
      call(
        'unfollowUser',
        (w) => w.manager.unfollowUser(u as Id, t as Id, o as { keepHistory: boolean }),
        u,
        t,
        o,
      ),
    ),
  fc
    .tuple(userOf, badActivities, anyValue)
    .map(([u, a, o]) =>
      call(
        'batchImport',
        (w) => w.manager.batchImport(u as Id, a as Activity[], o as { fanout: boolean }),
        u,
        a,
        o,
      ),
    ),
  fc.tuple(userOf, fc.array(fc.nat(20), { maxLength: 3 }), anyValue).map(([u, ns, o]) =>
    call(
      'batchImport (options)',
      (w) =>
        w.manager.batchImport(
          u as Id,
          ns.map((n) => validActivity(n, u as Id)),
          o as { fanout: boolean },
        ),
      u,
      ns,
      o,
    ),
  ),
  anyValue.map((task) => call('runTask', (w) => w.manager.runTask(task), task)),
  fc
    .record({ v: fc.constant(1), type: fc.constant('fanout'), op: anyValue, feed: anyValue })
    .chain((t) =>
      fc
        .record({ userIds: anyValue, activities: anyValue, trim: anyValue, ids: anyValue })
        .map((rest) => ({ ...t, ...rest })),
    )
    .map((task) => call('runTask (fanout-shaped)', (w) => w.manager.runTask(task), task)),
  userOf.map((u) => call('getFeeds', (w) => w.manager.getFeeds(u as Id), u)),
  userOf.map((u) => call('getUserFeed', (w) => w.manager.getUserFeed(u as Id), u)),
  fc
    .tuple(anyValue, userOf)
    .map(([name, u]) => call('getFeed', (w) => w.manager.getFeed(name as never, u as Id), name, u)),
  // feed handles
  fc
    .tuple(anyFeed, userOf, badActivity, anyValue)
    .map(([f, u, a, o]) =>
      call(
        `${f}.add`,
        (w) => feedOf(w, f, u).add(a as Activity, o as { trim: boolean }),
        f,
        u,
        a,
        o,
      ),
    ),
  fc
    .tuple(anyFeed, userOf, badActivities)
    .map(([f, u, a]) =>
      call(`${f}.addMany`, (w) => feedOf(w, f, u).addMany(a as Activity[]), f, u, a),
    ),
  fc
    .tuple(anyFeed, userOf, fc.oneof(badActivity, anyId))
    .map(([f, u, a]) => call(`${f}.remove`, (w) => feedOf(w, f, u).remove(a as string), f, u, a)),
  fc
    .tuple(anyFeed, userOf, fc.oneof(anyValue, fc.array(fc.oneof(badActivity, anyId))))
    .map(([f, u, a]) =>
      call(`${f}.removeMany`, (w) => feedOf(w, f, u).removeMany(a as string[]), f, u, a),
    ),
  fc
    .tuple(anyFeed, userOf, anyValue)
    .map(([f, u, a]) =>
      call(`${f}.removeByActors`, (w) => feedOf(w, f, u).removeByActors(a as Id[]), f, u, a),
    ),
  fc
    .tuple(anyFeed, userOf, fc.oneof(anyValue, fc.dictionary(fc.string(), anyValue)))
    .map(([f, u, o]) =>
      call(`${f}.read`, (w) => feedOf(w, f, u).read(o as { limit: number }), f, u, o),
    ),
  fc
    .tuple(
      anyFeed,
      userOf,
      fc.record(
        {
          limit: anyValue,
          order: anyValue,
          cursor: anyValue,
          filter: fc.oneof(
            anyValue,
            fc.record(
              { gt: anyValue, gte: anyValue, lt: anyValue, lte: anyValue },
              { requiredKeys: [] },
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    )
    .map(([f, u, o]) =>
      call(`${f}.read (options)`, (w) => feedOf(w, f, u).read(o as { limit: number }), f, u, o),
    ),
  fc
    .tuple(anyFeed, userOf, anyValue)
    .map(([f, u, n]) => call(`${f}.trim`, (w) => feedOf(w, f, u).trim(n as number), f, u, n)),
  fc
    .tuple(userOf, anyValue)
    .map(([u, a]) =>
      call('timeline.indexOf', (w) => w.timeline.for(u as Id).indexOf(a as string), u, a),
    ),
  fc
    .tuple(userOf, anyValue)
    .map(([u, f]) =>
      call('timeline.filter', (w) => w.timeline.for(u as Id).filter(f as object), u, f),
    ),
  fc
    .tuple(fc.constantFrom('aggregated', 'notification' as const), userOf, anyValue)
    .map(([f, u, ids]) =>
      call(
        `${f}.getGroups`,
        (w) =>
          f === 'aggregated'
            ? w.aggregated.for(u as Id).getGroups(ids as string[])
            : w.notification.for(u as Id).getGroups(ids as string[]),
        f,
        u,
        ids,
      ),
    ),
  fc
    .tuple(userOf, fc.oneof(badActivity, anyId))
    .map(([u, a]) =>
      call('aggregated.contains', (w) => w.aggregated.for(u as Id).contains(a as string), u, a),
    ),
  fc
    .tuple(userOf, fc.oneof(anyValue, fc.array(anyValue, { maxLength: 3 })), anyValue)
    .map(([u, ids, o]) =>
      call(
        'notification.markRead',
        (w) => w.notification.for(u as Id).markRead(ids as string[], o as { seen: boolean }),
        u,
        ids,
        o,
      ),
    ),
  fc
    .tuple(userOf, fc.oneof(anyValue, fc.array(anyValue, { maxLength: 3 })))
    .map(([u, ids]) =>
      call(
        'notification.markSeen',
        (w) => w.notification.for(u as Id).markSeen(ids as string[]),
        u,
        ids,
      ),
    ),
  fc
    .tuple(userOf, anyValue)
    .map(([u, o]) =>
      call('notification.markAll', (w) => w.notification.for(u as Id).markAll(o as object), u, o),
    ),
  // definitions: many users at once
  fc
    .tuple(anyFeed, fc.oneof(anyValue, fc.array(anyId, { maxLength: 3 })), badActivities)
    .map(([f, us, a]) =>
      call(`${f}.addToMany`, (w) => w[f].addToMany(us as Id[], a as Activity[]), f, us, a),
    ),
  fc
    .tuple(anyFeed, fc.oneof(anyValue, fc.array(anyId, { maxLength: 3 })), anyValue)
    .map(([f, us, a]) =>
      call(`${f}.removeFromMany`, (w) => w[f].removeFromMany(us as Id[], a as string[]), f, us, a),
    ),
);

// ---- the rule --------------------------------------------------------------------------------

/** Figures of a fuzz run. */
export interface FuzzFigures {
  calls: number;
  rejected: number;
  accepted: number;
  byCode: Record<string, number>;
}

/** Runs `run` and returns its outcome; a synchronous throw counts as a rejection. */
export async function settle(
  run: () => unknown,
): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Fails unless `error` is one of the library's typed errors. */
export function assertTyped(error: unknown, what: string): asserts error is StreamFrameworkError {
  if (!(error instanceof StreamFrameworkError)) {
    const name = (error as Error)?.constructor?.name ?? typeof error;
    assert.fail(`${what} threw an untyped ${name}: ${String((error as Error)?.message ?? error)}`);
  }
}

/** A fresh fuzz world on fresh storage, with a backend-level dump of it and a cleanup. */
export interface FuzzBackend {
  create(): Promise<{
    world: FuzzWorld;
    raw: () => Promise<unknown>;
    destroy?: () => Promise<void>;
  }>;
}

/**
 * Runs short sequences of fuzzed calls, each sequence on a fresh world (so that a failure shrinks
 * to the calls that cause it). Each call must resolve, or reject with a typed error after which
 * everything `observe` and `raw` (a backend-level dump) show is as it was; later calls also see
 * whether a rejected call went on writing after it returned.
 */
export async function fuzzPublicCalls(
  backend: FuzzBackend,
  size: { runs: number; seed: number },
): Promise<FuzzFigures> {
  const figures: FuzzFigures = { calls: 0, rejected: 0, accepted: 0, byCode: {} };
  await fc.assert(
    fc.asyncProperty(fc.array(fuzzCalls, { minLength: 1, maxLength: 4 }), async (calls) => {
      const { world, raw, destroy } = await backend.create();
      try {
        const snapshot = async () => ({ observed: await observe(world), raw: await raw() });
        let before = await snapshot();
        for (const c of calls) {
          figures.calls += 1;
          const outcome = await settle(() => c.run(world));
          const after = await snapshot();
          if (outcome.ok) {
            figures.accepted += 1;
            before = after; // a valid call may write; the next one is compared with this state
            continue;
          }
          assertTyped(outcome.error, c.name);
          figures.rejected += 1;
          figures.byCode[outcome.error.code] = (figures.byCode[outcome.error.code] ?? 0) + 1;
          assert.deepStrictEqual(after, before, `${c.name} was rejected but changed the state`);
        }
      } finally {
        await destroy?.();
      }
    }),
    { numRuns: size.runs, seed: size.seed, includeErrorInReport: true },
  );
  return figures;
}

/** Own property names of Object.prototype and friends, to check nothing was polluted. */
export function prototypeFingerprint(): string {
  return [Object.prototype, Array.prototype, Function.prototype]
    .map((p) => Object.getOwnPropertyNames(p).sort().join(','))
    .join('|');
}

/**
 * Registers node:test hooks for a fuzz file: uncaught exceptions and unhandled rejections during
 * its tests are collected, and after them the file fails if there was any, or if a prototype
 * gained or lost a property (prototype pollution).
 */
export function guardAgainstCrashes(): void {
  const fingerprint = prototypeFingerprint();
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  before(() => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  });
  after(() => {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    assert.deepEqual(crashes, [], 'no uncaught exception or unhandled rejection');
    assert.equal(prototypeFingerprint(), fingerprint, 'no prototype gained or lost a property');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
}

/**
 * Flat feed conformance cases, part 1: writes (add, remove, trim, validation, activity shapes),
 * plus the harness types and helpers every flat feed case file shares. Registered by
 * `describeFlatFeed`.
 * @module
 */
import assert from 'node:assert/strict';
import type { Activity, ActivityInput } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { createVerbRegistry } from '../activity/verbs.js';
import { type ErrorCode, StreamFrameworkError, ValidationError } from '../errors.js';
import type { FlatFeed, FlatFeedDefinition, FlatFeedOptions } from '../feeds/flat-feed.js';
import type { Storage } from '../storage/contracts.js';
import { newestFirst } from './fixtures.js';
import type { HarnessTest } from './harness.js';

// ---- shared harness types and helpers ----------------------------------------------------------

/** Fixed base time of the fixture activities: 2024-01-15T12:00:00.000Z, in ms. */
export const FLAT_BASE_TIME_MS: number = Date.UTC(2024, 0, 15, 12, 0, 0);

/** What one flat feed conformance test receives. */
export interface FlatCaseContext {
  /** Fresh storage from the backend under test, isolated from every other test. */
  readonly storage: Storage;
  /** Whether the feeds of this run are normalized. */
  readonly normalized: boolean;
  /** Defines a flat feed on this test's storage (name `'timeline'` and this run's mode by default). */
  define<E extends ExtraData = JsonObject>(
    options?: Partial<FlatFeedOptions>,
  ): FlatFeedDefinition<E>;
  /**
   * Activity number `n`: actor 1, verb `'add'`, object `obj-<n>`, time base + `n` seconds, so a
   * higher `n` is newer. `overrides` replace any field.
   */
  activity<E extends ExtraData = JsonObject>(
    n: number,
    overrides?: Partial<ActivityInput<E>>,
  ): Activity<E>;
  /** Activities number `from` to `from + count - 1` (see {@link FlatCaseContext.activity}). */
  activities(count: number, from?: number): Activity[];
}

/** Registers tests of the suite in the current mode. */
export type FlatCase = HarnessTest<FlatCaseContext>;

export { newestFirst };

/** The ids of `items`, in order. */
export function idList(items: readonly { readonly id: string }[]): string[] {
  return items.map((a) => a.id);
}

/** An activity's public fields as plain data, so activities compare across representations. */
export function plainActivity(a: Activity): Record<string, unknown> {
  return {
    id: a.id,
    actor: a.actor,
    verb: a.verb,
    object: a.object,
    target: a.target,
    time: a.time.getTime(),
    foreignId: a.foreignId,
    extra: a.extra,
    to: [...a.to],
  };
}

/** Every activity of a feed in `order`, following `next` cursors with pages of `limit`. */
export async function readEverything<E extends ExtraData>(
  feed: FlatFeed<E>,
  order: 'desc' | 'asc' = 'desc',
  limit = 100,
): Promise<Activity<E>[]> {
  const out: Activity<E>[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await feed.read({ order, limit, cursor });
    out.push(...page.items);
    if (page.next === undefined) return out;
    cursor = page.next;
  }
  throw new Error('readEverything: the feed never ran out of pages');
}

type ErrorClass = abstract new (...args: never[]) => StreamFrameworkError;

function checkError(
  caught: unknown,
  errorClass: ErrorClass,
  code: ErrorCode,
): StreamFrameworkError {
  assert.ok(caught instanceof errorClass, `expected a ${errorClass.name}, got ${String(caught)}`);
  assert.ok(caught instanceof StreamFrameworkError);
  assert.equal(caught.code, code, `wrong error code; message: ${caught.message}`);
  return caught;
}

/**
 * Asserts that calling `fn` returns a promise that rejects with a library error of this class and
 * `code` (a synchronous throw from a promise-returning method fails the assertion); returns it.
 */
export async function rejectsWith(
  fn: () => Promise<unknown>,
  errorClass: ErrorClass,
  code: ErrorCode,
): Promise<StreamFrameworkError> {
  let promise: Promise<unknown>;
  try {
    promise = fn();
  } catch (err) {
    assert.fail(`expected a rejected promise, but the call threw synchronously: ${String(err)}`);
  }
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return true;
  });
  return checkError(caught, errorClass, code);
}

/** Asserts that `fn` throws (synchronously) a library error of this class and `code`. */
export function throwsWith(fn: () => unknown, errorClass: ErrorClass, code: ErrorCode): void {
  let caught: unknown;
  assert.throws(fn, (err: unknown) => {
    caught = err;
    return true;
  });
  checkError(caught, errorClass, code);
}

/** Casts deliberately malformed input to the parameter type, for validation tests. */
export function bad<T>(value: unknown): T {
  return value as T;
}

// ---- cases run in both modes -------------------------------------------------------------------

/** Registers the write cases (run in both modes). */
export function registerFlatFeedWriteCases(test: FlatCase): void {
  addAndRemoveCases(test);
  trimCases(test);
  validationCases(test);
  activityShapeCases(test);
}

function addAndRemoveCases(test: FlatCase): void {
  test('add then read returns the activity', async (ctx) => {
    const feed = ctx.define().for(1);
    const a = ctx.activity(1);
    await feed.add(a);
    const page = await feed.read();
    assert.deepEqual(page.items.map(plainActivity), [plainActivity(a)]);
    assert.deepEqual(page.missing, []);
    assert.equal(await feed.count(), 1);
  });

  test('addMany then read returns every activity, newest first', async (ctx) => {
    const feed = ctx.define().for(1);
    const acts = [ctx.activity(3), ctx.activity(1), ctx.activity(2)];
    assert.equal(await feed.addMany(acts), 3);
    const page = await feed.read();
    assert.deepEqual(idList(page.items), newestFirst(acts));
    assert.deepEqual(
      page.items.map(plainActivity),
      [acts[0], acts[2], acts[1]].map((a) => plainActivity(a!)),
    );
  });

  test('normalized feeds store the activity in activity storage, denormalized ones in the timeline', async (ctx) => {
    const feed = ctx.define().for(1);
    const a = ctx.activity(1);
    await feed.add(a);
    const view = ctx.normalized ? ctx.storage.timeline.idsOnly() : ctx.storage.timeline;
    const [entry] = await view.get(feed.key, [a.id]);
    assert.ok(entry, 'the timeline holds an entry for the activity');
    assert.equal(entry.id, a.id);
    assert.equal(entry.score, a.time.getTime());
    const [stored] = await ctx.storage.activities.getMany([a.id]);
    if (ctx.normalized) {
      assert.equal(entry.payload, undefined);
      assert.equal(typeof stored, 'string');
    } else {
      assert.equal(typeof entry.payload, 'string');
      assert.equal(stored, undefined);
    }
  });

  test('add returns 1 then 0, and addMany returns how many activities were new', async (ctx) => {
    const feed = ctx.define().for(1);
    const [a, b, c] = ctx.activities(3);
    assert.equal(await feed.add(a!), 1);
    assert.equal(await feed.add(a!), 0);
    assert.equal(await feed.addMany([a!, b!, c!]), 2);
    assert.equal(await feed.addMany([a!, b!, c!]), 0);
    assert.equal(await feed.count(), 3);
  });

  test('addMany of an empty list returns 0 and writes nothing', async (ctx) => {
    const feed = ctx.define().for(1);
    assert.equal(await feed.addMany([]), 0);
    assert.equal(await feed.count(), 0);
    assert.deepEqual((await feed.read()).items, []);
  });

  test('the same activity added twice is one entry', async (ctx) => {
    const feed = ctx.define().for(1);
    const a = ctx.activity(1);
    const b = ctx.activity(2);
    await feed.add(a);
    await feed.add(a);
    assert.equal(await feed.addMany([b, b, ctx.activity(2)]), 1, 'duplicates in one batch');
    // createActivity is deterministic: the same input gives the same id
    assert.equal(await feed.add(ctx.activity(1)), 0);
    assert.equal(await feed.count(), 2);
    assert.deepEqual(idList((await feed.read()).items), [b.id, a.id]);
  });

  test('re-adding an activity with the same foreignId and time updates it in place', async (ctx) => {
    const feed = ctx.define().for(1);
    const v1 = ctx.activity(1, { foreignId: 'pin:1', extra: { version: 1 } });
    const v2 = ctx.activity(1, { foreignId: 'pin:1', extra: { version: 2 } });
    assert.equal(v1.id, v2.id);
    assert.equal(await feed.add(v1), 1);
    assert.equal(await feed.add(v2), 0);
    assert.equal(await feed.count(), 1);
    const { items } = await feed.read();
    assert.deepEqual(items.map(plainActivity), [plainActivity(v2)]);
  });

  test('removing an activity that is not in the feed is fine', async (ctx) => {
    const feed = ctx.define().for(1);
    const [a, b] = ctx.activities(2);
    assert.equal(await feed.remove(a!), 0, 'remove from an empty feed');
    await feed.add(a!);
    assert.equal(await feed.remove(b!), 0);
    assert.equal(await feed.remove(b!.id), 0);
    assert.equal(await feed.count(), 1);
    assert.deepEqual(idList((await feed.read()).items), [a!.id]);
  });

  test('remove by activity and by id', async (ctx) => {
    const feed = ctx.define().for(1);
    const [a, b, c] = ctx.activities(3);
    await feed.addMany([a!, b!, c!]);
    assert.equal(await feed.remove(a!), 1);
    assert.equal(await feed.remove(b!.id), 1);
    assert.equal(await feed.remove(b!.id), 0, 'already removed');
    assert.equal(await feed.count(), 1);
    assert.deepEqual(idList((await feed.read()).items), [c!.id]);
  });

  test('removeMany returns how many activities were removed', async (ctx) => {
    const feed = ctx.define().for(1);
    const [a, b, c, d, missing] = ctx.activities(5);
    await feed.addMany([a!, b!, c!, d!]);
    assert.equal(await feed.removeMany([a!, b!.id, missing!]), 2);
    assert.equal(await feed.removeMany([a!, b!.id]), 0);
    assert.equal(await feed.removeMany([]), 0);
    assert.equal(await feed.count(), 2);
    assert.deepEqual(idList((await feed.read()).items), [d!.id, c!.id]);
  });

  test('delete empties the feed, can be repeated, and the feed can be written again', async (ctx) => {
    const feed = ctx.define().for(1);
    await feed.addMany(ctx.activities(3));
    await feed.delete();
    assert.equal(await feed.count(), 0);
    assert.deepEqual((await feed.read()).items, []);
    await feed.delete();
    const a = ctx.activity(7);
    assert.equal(await feed.add(a), 1);
    assert.deepEqual(idList((await feed.read()).items), [a.id]);
  });

  test('removeByActors removes exactly the activities of those actors', async (ctx) => {
    const feed = ctx.define().for(1);
    const byActor = (actor: Id, from: number, count: number): Activity[] =>
      Array.from({ length: count }, (_, i) => ctx.activity(from + i, { actor }));
    const one = byActor(1, 0, 3);
    const two = byActor(2, 10, 3);
    const three = byActor('u3', 20, 2);
    const oneAsString = byActor('1', 30, 1); // ids 1 and '1' are different actors
    await feed.addMany([...one, ...two, ...three, ...oneAsString]);
    assert.equal(await feed.removeByActors([]), 0);
    assert.equal(await feed.removeByActors([99]), 0);
    assert.equal(await feed.removeByActors([1]), 3);
    assert.deepEqual(
      idList(await readEverything(feed)),
      newestFirst([...two, ...three, ...oneAsString]),
    );
    assert.equal(await feed.removeByActors([2, 'u3']), 5);
    assert.deepEqual(idList(await readEverything(feed)), newestFirst(oneAsString));
  });
}

function trimCases(test: FlatCase): void {
  test('add 50 then trim(10) keeps the 10 newest', async (ctx) => {
    const feed = ctx.define().for(1);
    const acts = ctx.activities(50);
    await feed.addMany(acts);
    assert.equal(await feed.count(), 50);
    assert.equal(await feed.trim(10), 40);
    assert.equal(await feed.count(), 10);
    assert.deepEqual(
      idList((await feed.read({ limit: 50 })).items),
      newestFirst(acts).slice(0, 10),
    );
    assert.equal(await feed.trim(10), 0, 'nothing left to trim');
  });

  test('trim() without a length trims to maxLength; a bad length is rejected', async (ctx) => {
    const feed = ctx.define({ maxLength: 5 }).for(1);
    const acts = ctx.activities(8);
    assert.equal(await feed.addMany(acts, { trim: false }), 8);
    await rejectsWith(() => feed.trim(-1), ValidationError, 'INVALID_OPTION');
    await rejectsWith(() => feed.trim(1.5), ValidationError, 'INVALID_OPTION');
    assert.equal(await feed.count(), 8, 'a rejected trim removes nothing');
    assert.equal(await feed.trim(), 3);
    assert.deepEqual(idList((await feed.read()).items), newestFirst(acts).slice(0, 5));
  });

  test('maxLength is enforced deterministically on every add by default', async (ctx) => {
    const feed = ctx.define({ maxLength: 5 }).for(1);
    const acts = ctx.activities(8);
    for (const [i, a] of acts.entries()) {
      await feed.add(a);
      assert.equal(await feed.count(), Math.min(i + 1, 5), `after add #${i + 1}`);
    }
    assert.deepEqual(idList((await feed.read()).items), newestFirst(acts).slice(0, 5));
    await feed.add(ctx.activity(-10)); // older than everything kept: trimmed at once
    assert.equal(await feed.count(), 5);
    assert.deepEqual(idList((await feed.read()).items), newestFirst(acts).slice(0, 5));
    const big = ctx.activities(12, 100);
    await feed.addMany(big);
    assert.deepEqual(idList((await feed.read()).items), newestFirst(big).slice(0, 5));
    const byDefault = ctx.define({ name: 'defaults' }).for(1); // default maxLength: 100
    await byDefault.addMany(ctx.activities(120));
    assert.equal(await byDefault.count(), 100);
  });

  test('trim: random 0.5 with chance 0.4 does not trim, so the feed exceeds maxLength', async (ctx) => {
    const feed = ctx.define({ maxLength: 5, trim: { chance: 0.4, random: () => 0.5 } }).for(1);
    await feed.addMany(ctx.activities(8));
    assert.equal(await feed.count(), 8);
    await feed.add(ctx.activity(8));
    assert.equal(await feed.count(), 9);
  });

  test('trim: random 0.1 with chance 0.4 trims to maxLength after the write', async (ctx) => {
    const feed = ctx.define({ maxLength: 5, trim: { chance: 0.4, random: () => 0.1 } }).for(1);
    const acts = ctx.activities(8);
    await feed.addMany(acts);
    assert.equal(await feed.count(), 5);
    assert.deepEqual(idList((await feed.read()).items), newestFirst(acts).slice(0, 5));
  });

  test('trim by chance draws for each feed of a fan-out on its own', async (ctx) => {
    const draws = [0.1, 0.9, 0.1, 0.9];
    let next = 0;
    const def = ctx.define({
      maxLength: 5,
      trim: { chance: 0.4, random: () => draws[next++ % draws.length]! },
    });
    await def.addToMany([1, 2, 3, 4], ctx.activities(8));
    const counts = await Promise.all([1, 2, 3, 4].map((u) => def.for(u).count()));
    assert.deepEqual(counts, [5, 8, 5, 8], 'feeds 1 and 3 drew a trim, 2 and 4 did not');
    assert.equal(next, 4, 'one draw per feed');
  });

  test('addMany with trim: false does not trim', async (ctx) => {
    const feed = ctx.define({ maxLength: 5 }).for(1);
    await feed.addMany(ctx.activities(8), { trim: false });
    assert.equal(await feed.count(), 8);
    const chance = ctx.define({
      name: 'chance',
      maxLength: 5,
      trim: { chance: 1, random: () => 0 },
    });
    await chance.for(1).addMany(ctx.activities(8), { trim: false });
    assert.equal(await chance.for(1).count(), 8);
    // the next trimming write brings the feed back to maxLength
    const newest = ctx.activity(50);
    await feed.add(newest);
    assert.equal(await feed.count(), 5);
    assert.equal((await feed.read()).items[0]?.id, newest.id);
  });
}

function validationCases(test: FlatCase): void {
  test('an object missing activity fields is rejected with INVALID_ACTIVITY and nothing is written', async (ctx) => {
    const feed = ctx.define().for(1);
    await rejectsWith(
      () => feed.add(bad({ actor: 1, verb: 'add' })),
      ValidationError,
      'INVALID_ACTIVITY',
    );
    await rejectsWith(() => feed.add(bad(null)), ValidationError, 'INVALID_ACTIVITY');
    await rejectsWith(() => feed.addMany(bad('nope')), ValidationError, 'INVALID_ACTIVITY');
    const good = ctx.activity(1);
    const { id: _id, ...withoutId } = ctx.activity(2);
    await rejectsWith(
      () => feed.addMany([good, bad(withoutId)]),
      ValidationError,
      'INVALID_ACTIVITY',
    );
    assert.equal(await feed.count(), 0);
    assert.deepEqual(await ctx.storage.activities.getMany([good.id]), [undefined]);
  });

  test('wrong-typed activity fields are rejected with the right code and no activity of the batch is written', async (ctx) => {
    const feed = ctx.define().for(1);
    const good = ctx.activity(1);
    const base = ctx.activity(2);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const cases: readonly [string, Record<string, unknown>, ErrorCode][] = [
      ['actor {}', { actor: {} }, 'INVALID_ID'],
      ['actor -1', { actor: -1 }, 'INVALID_ID'],
      ['object empty', { object: '' }, 'INVALID_ID'],
      ['target null', { target: null }, 'INVALID_ID'],
      ['verb 5', { verb: 5 }, 'INVALID_ACTIVITY'],
      ['time string', { time: '2024-01-01' }, 'INVALID_TIME'],
      ['time invalid date', { time: new Date(Number.NaN) }, 'INVALID_TIME'],
      ['time before 1970', { time: new Date(-1000) }, 'INVALID_TIME'],
      ['extra array', { extra: [] }, 'INVALID_EXTRA'],
      ['extra null', { extra: null }, 'INVALID_EXTRA'],
      ['extra with a Date', { extra: { at: new Date(0) } }, 'INVALID_EXTRA'],
      ['extra with a BigInt', { extra: { n: 1n } }, 'INVALID_EXTRA'],
      ['extra with a cycle', { extra: cyclic }, 'INVALID_EXTRA'],
      ['to string', { to: 'timeline:2' }, 'INVALID_ACTIVITY'],
      ['to with a number', { to: [5] }, 'INVALID_ACTIVITY'],
      ['foreignId number', { foreignId: 5 }, 'INVALID_ACTIVITY'],
      ['id short', { id: 'short' }, 'INVALID_ACTIVITY'],
    ];
    const failures: string[] = [];
    for (const [what, change, code] of cases) {
      const broken = bad<Activity>({ ...base, ...change });
      await rejectsWith(() => feed.addMany([good, broken]), ValidationError, code).catch(
        (err: unknown) => failures.push(`${what}: ${err instanceof Error ? err.message : err}`),
      );
    }
    assert.deepEqual(failures, []);
    assert.equal(await feed.count(), 0);
    assert.deepEqual(await ctx.storage.activities.getMany([good.id, base.id]), [
      undefined,
      undefined,
    ]);
    assert.deepEqual((await feed.read()).items, [], 'nothing unreadable was stored');
  });

  test('an unknown verb is rejected with UNKNOWN_VERB when the feed has verbs, and nothing is written', async (ctx) => {
    const verbs = createVerbRegistry([{ id: 5, name: 'pin', pastTense: 'pinned' }]);
    const feed = ctx.define({ verbs }).for(1);
    const pin = ctx.activity(1, { verb: 'pin' });
    assert.equal(await feed.add(pin), 1);
    const pin2 = ctx.activity(2, { verb: 'pin' });
    const tweet = ctx.activity(3, { verb: 'tweet' });
    await rejectsWith(() => feed.addMany([pin2, tweet]), ValidationError, 'UNKNOWN_VERB');
    await rejectsWith(
      () => ctx.define({ verbs }).addToMany([2, 3], [pin2, tweet]),
      ValidationError,
      'UNKNOWN_VERB',
    );
    assert.equal(await feed.count(), 1);
    assert.equal(await ctx.define({ verbs }).for(2).count(), 0);
    assert.deepEqual(await ctx.storage.activities.getMany([pin2.id, tweet.id]), [
      undefined,
      undefined,
    ]);
  });

  test('a batch larger than limits.maxBatchSize is rejected with LIMIT_EXCEEDED and nothing is written', async (ctx) => {
    const def = ctx.define({ limits: { maxBatchSize: 3 } });
    const acts = ctx.activities(4);
    await rejectsWith(() => def.for(1).addMany(acts), ValidationError, 'LIMIT_EXCEEDED');
    await rejectsWith(() => def.addToMany([1, 2], acts), ValidationError, 'LIMIT_EXCEEDED');
    assert.equal(await def.for(1).count(), 0);
    assert.equal(await def.for(2).count(), 0);
    assert.deepEqual(
      await ctx.storage.activities.getMany(acts.map((a) => a.id)),
      acts.map(() => undefined),
    );
    assert.equal(await def.for(1).addMany(acts.slice(0, 3)), 3, 'a batch of maxBatchSize is fine');
  });
}

/** A "subclass" of Activity: a class instance with the fields plus its own behaviour. */
class PinActivity implements Activity {
  readonly id: string;
  readonly actor: Id;
  readonly verb: string;
  readonly object: Id;
  readonly target: Id | undefined;
  readonly time: Date;
  readonly foreignId: string | undefined;
  readonly extra: JsonObject;
  readonly to: readonly string[];
  constructor(a: Activity) {
    this.id = a.id;
    this.actor = a.actor;
    this.verb = a.verb;
    this.object = a.object;
    this.target = a.target;
    this.time = a.time;
    this.foreignId = a.foreignId;
    this.extra = a.extra;
    this.to = a.to;
  }
  summary(): string {
    return `${this.actor} ${this.verb} ${this.object}`;
  }
}

/** Extra data of the custom activity type (nested, typed). */
type PinExtra = {
  pinId: number;
  title: string;
  board: { name: string; tags: string[]; owner: { id: number; handle: string } };
  notes: { [key: string]: string };
  flags: (string | number | boolean | null)[];
};

function activityShapeCases(test: FlatCase): void {
  test('subclass-like activities are accepted (the original exact-type check rejected subclasses)', async (ctx) => {
    const feed = ctx.define().for(1);
    const [a, b, c] = ctx.activities(3);
    const spread = { ...a!, describe: () => 'a spread copy with a method', rank: 3 };
    const inherited = Object.create(b!) as Activity; // fields on the prototype, none of its own
    const instance = new PinActivity(c!);
    assert.equal(instance.summary(), `1 add obj-2`);
    assert.equal(await feed.addMany([spread, inherited, instance]), 3);
    const { items } = await feed.read();
    assert.deepEqual(items.map(plainActivity), [c!, b!, a!].map(plainActivity));
    assert.equal(await feed.remove(instance), 1);
    assert.equal(await feed.remove(inherited), 1);
    assert.deepEqual(idList((await feed.read()).items), [a!.id]);
  });

  test('a custom activity type with typed extra round trips (nested, unicode, ";", ",", ";;")', async (ctx) => {
    const feed = ctx.define<PinExtra>().for(1);
    const extra: PinExtra = {
      pinId: 42,
      title: 'semicolons; commas, ;; double;; and ,, — ünïcødé 日本語 🎉',
      board: {
        name: 'a;b,c;;d',
        tags: [';', ';;', ',', 'quote " backslash \\ newline \n tab \t', "S'pickle'\np0\n."],
        owner: { id: 7, handle: 'ñandú' },
      },
      notes: { 'semi;colon': ';', 'comma,key': ',', ';;': ';;', '': 'empty key' },
      flags: [true, false, null, 0, -1.5, 'x'],
    };
    const pin = ctx.activity<PinExtra>(1, {
      actor: 'user;1',
      verb: 'pin',
      object: 'pin,42',
      target: '板;;board',
      foreignId: 'pin;42,v1',
      extra,
      to: ['notifications:a;b'],
    });
    await feed.add(pin);
    const [item] = (await feed.read()).items;
    assert.ok(item);
    const title: string = item.extra.title; // typed: no cast needed
    const handle: string = item.extra.board.owner.handle;
    assert.equal(title, extra.title);
    assert.equal(handle, 'ñandú');
    assert.deepEqual(item.extra, extra);
    assert.deepEqual(plainActivity(item), plainActivity(pin));
    assert.ok(item.time instanceof Date);
  });
}

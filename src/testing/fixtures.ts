/**
 * Small helpers shared by the conformance suites and the unit tests: sortable entry ids, fixed
 * times, fixture activities, a seeded random source and the per-test storage wrapper. Only code
 * under `src/testing` and test files import this module.
 * @module
 */
import { type Activity, type ActivityInput, createActivity } from '../activity/activity.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { type ErrorCode, StreamFrameworkError } from '../errors.js';
import type {
  ActivityStorage,
  Storage,
  TimelineEntry,
  TimelineStorage,
} from '../storage/contracts.js';
import type { HarnessContext, HarnessTest } from './harness.js';

/** Fixed base time of the fixtures: 2024-05-01T12:00:00.000Z, in ms. */
export const BASE_TIME_MS: number = Date.UTC(2024, 4, 1, 12, 0, 0);

/**
 * A 16-character lowercase base-36 id whose lexicographic order is the numeric order of `n`,
 * shaped like a legacy (version 0.1) activity id, which every backend keeps accepting; the data
 * boundary suite mixes it with the current 20-character ids.
 * @param n - a non-negative safe integer
 */
export function entryId(n: number): string {
  return n.toString(36).padStart(16, '0');
}

/**
 * Timeline entry number `n`: id {@link entryId}(n) and score `BASE_TIME_MS + n * 1000`, so a
 * higher `n` is newer. The payload is `'payload-<n>'` unless one is given; `null` means none.
 */
export function entry(n: number, payload: string | null = `payload-${n}`): TimelineEntry {
  const e = { id: entryId(n), score: BASE_TIME_MS + n * 1000 };
  return payload === null ? e : { ...e, payload };
}

/** Entries number `from` to `to - 1` (see {@link entry}), in ascending order. */
export function entryRange(from: number, to: number): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (let n = from; n < to; n++) out.push(entry(n));
  return out;
}

/** Compares two positions in `(score, id)` order, ids compared by UTF-16 code unit (= bytes for ASCII). */
export function compareByScoreAndId(
  a: { readonly score: number; readonly id: string },
  b: { readonly score: number; readonly id: string },
): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A sorted copy of `entries`: `'desc'` is highest `(score, id)` first. */
export function sortEntries<T extends { readonly score: number; readonly id: string }>(
  entries: readonly T[],
  order: 'desc' | 'asc',
): T[] {
  const sorted = [...entries].sort(compareByScoreAndId);
  return order === 'desc' ? sorted.reverse() : sorted;
}

/** The ids of `entries`, in order. */
export function idsOf(
  entries: readonly ({ readonly id: string } | undefined)[],
): (string | undefined)[] {
  return entries.map((e) => e?.id);
}

/**
 * A normalized copy of an entry (`{ id, score }` plus `payload` only when present), so entries
 * from different backends compare with `deepStrictEqual`.
 */
export function plainEntry(e: TimelineEntry): TimelineEntry {
  return e.payload === undefined
    ? { id: e.id, score: e.score }
    : { id: e.id, score: e.score, payload: e.payload };
}

/** {@link plainEntry} over a list (`undefined` kept). */
export function plainEntries(
  entries: readonly (TimelineEntry | undefined)[],
): (TimelineEntry | undefined)[] {
  return entries.map((e) => (e === undefined ? undefined : plainEntry(e)));
}

/**
 * An activity built with `createActivity`, at `BASE_TIME_MS + offsetMs` unless `time` is given.
 * Defaults: actor 1, verb `'add'`, object 1.
 */
export function makeActivity<E extends ExtraData = JsonObject>(
  overrides: Partial<ActivityInput<E>> = {},
  offsetMs = 0,
): Activity<E> {
  return createActivity<E>({
    actor: 1,
    verb: 'add',
    object: 1,
    time: BASE_TIME_MS + offsetMs,
    ...overrides,
  } as ActivityInput<E>);
}

/** A deterministic random source in [0, 1) (mulberry32), for reproducible randomized tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy of `items` using `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** What a conformance test receives: fresh storage from the backend under test. */
export interface SuiteContext {
  readonly storage: Storage;
  readonly timeline: TimelineStorage;
  readonly activities: ActivityStorage;
  /** Another isolated storage from the same backend; destroyed after the test. */
  another(): Promise<Storage>;
}

/** Registers storage conformance tests (see {@link HarnessTest}). */
export type SuiteTest = HarnessTest<SuiteContext>;

/** The storage suites' context: the harness context with the two storages spelled out. */
export function suiteContext({ storage, another }: HarnessContext): SuiteContext {
  return { storage, timeline: storage.timeline, activities: storage.activities, another };
}

/** Sets `marker` on `ids` (each in the timeline) the one way markers are set: an update's `mark`. */
export async function markEntries(
  timeline: TimelineStorage,
  key: string,
  marker: string,
  ids: readonly string[],
): Promise<void> {
  await timeline.update(key, [], () => ({ changes: { mark: { [marker]: ids } }, result: 0 }));
}

/** Every entry of a timeline in `order`, normalized with {@link plainEntry}. */
export async function readAll(
  timeline: Pick<TimelineStorage, 'range'>,
  key: string,
  order: 'desc' | 'asc' = 'desc',
): Promise<TimelineEntry[]> {
  return (await timeline.range(key, { limit: 100_000, order })).map(plainEntry);
}

/**
 * A validator for `assert.throws` / `assert.rejects`: the error is a {@link StreamFrameworkError}
 * with this `code` (and, when given, of this class).
 */
export function hasCode(
  code: ErrorCode,
  type: abstract new (...args: never[]) => StreamFrameworkError = StreamFrameworkError,
): (err: unknown) => boolean {
  return (err) => {
    if (!(err instanceof type) || err.code !== code) {
      throw new Error(`expected a ${type.name} with code ${code}, got: ${String(err)}`, {
        cause: err,
      });
    }
    return true;
  };
}

/** The ids of `activities`, newest first (the order of a default read: ids sort by time). */
export function newestFirst(activities: readonly { readonly id: string }[]): string[] {
  return activities.map((a) => a.id).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

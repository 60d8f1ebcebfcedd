/**
 * Ranked feeds: a flat feed read in an order the application computes (e.g. reactions with a
 * time decay) rather than newest first. A view, not a storage: writes go to the flat feed.
 * @module
 */
import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import type { FlatFeed, FlatFeedDefinition } from '../feeds/flat-feed.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import { fnOption, fnOptionOr, intOptionOr, invalidOption } from '../validation/values.js';
import { decodeRankedCursor, encodeRankedCursor, type RankedPosition } from './ranked-cursor.js';

/** Largest `window` a ranked feed accepts: every page reads and ranks the whole window. */
export const MAX_RANKING_WINDOW = 10_000;

/** What {@link RankedFeedOptions.signals} is told besides the activities. */
export interface RankingContext {
  /** The reader: the user whose feed is ranked (e.g. for their own reactions). */
  readonly userId: string;
}

/** Options of {@link defineRankedFeed}. `S` is what `signals` loads per activity. */
export interface RankedFeedOptions<E extends ExtraData = JsonObject, S = undefined> {
  /** Name, for error messages. */
  readonly name: string;
  /** The flat feed whose entries are ranked (its filter, maxLength and storage apply). */
  readonly feed: FlatFeedDefinition<E>;
  /** How many of the newest entries are candidates (1 to 10,000). @default 300 */
  readonly window?: number | undefined;
  /**
   * Loads what `score` needs beyond the activity (reaction counts, follows...): called once per
   * page read with the whole window, it returns one value per activity, in order. An error it
   * throws fails the read as is.
   */
  readonly signals?:
    | ((
        activities: readonly Activity<E>[],
        context: RankingContext,
      ) => readonly S[] | Promise<readonly S[]>)
    | undefined;
  /**
   * The rank of one activity, higher first (ties: newest first). Must return a finite number.
   * `now` is fixed for a reading: every page after the first gets the first page's `now`, so a
   * time decay does not reshuffle the order between pages.
   */
  readonly score: (activity: Activity<E>, signal: S, now: Date) => number;
}

/** Options of {@link RankedFeed.read}. */
export interface RankedReadOptions {
  /** Page size (1 to the window). @default 25 */
  readonly limit?: number | undefined;
  /** The previous page's `next`. */
  readonly cursor?: string | undefined;
  /** The time `score` is given on a first page. @default the current time */
  readonly now?: Date | undefined;
}

/** One ranked activity. */
export interface RankedItem<E extends ExtraData = JsonObject, S = undefined> {
  readonly activity: Activity<E>;
  readonly score: number;
  /** What `signals` loaded for it (undefined without `signals`). */
  readonly signal: S;
}

/** One page of a ranked feed. */
export interface RankedPage<E extends ExtraData = JsonObject, S = undefined> {
  readonly items: RankedItem<E, S>[];
  /** Pass as `cursor` for the next page; absent on the last page of the window. */
  readonly next?: string | undefined;
  /** Ids in the window whose activity could not be found (skipped, as flat reads do). */
  readonly missing: readonly string[];
}

/** One user's ranked feed. */
export interface RankedFeed<E extends ExtraData = JsonObject, S = undefined> {
  readonly name: string;
  readonly userId: string;
  /** Reads one page in ranked order. */
  read(options?: RankedReadOptions): Promise<RankedPage<E, S>>;
}

/** A ranked feed definition: `for(userId)` gives a user's ranked feed. */
export interface RankedFeedDefinition<E extends ExtraData = JsonObject, S = undefined> {
  readonly name: string;
  /** The flat feed it ranks. */
  readonly feed: FlatFeedDefinition<E>;
  /** Candidates per read. */
  readonly window: number;
  for(userId: Id): RankedFeed<E, S>;
}

const OPTION_KEYS = optionKeys<RankedFeedOptions>({
  name: true,
  feed: true,
  window: true,
  signals: true,
  score: true,
});
const READ_KEYS = optionKeys<RankedReadOptions>({ limit: true, cursor: true, now: true });

/**
 * Defines a ranked view of a flat feed. Each page read takes the newest `window` entries of the
 * user's flat feed (the same window for every page of a reading: later ones are bounded by the
 * first page's newest id), loads their `signals` in one call, scores them with the reading's
 * `now` and returns the next `limit` after the cursor's position in that order. Costs per page:
 * reading and hydrating the whole window, one `signals` call and a sort, whatever `limit` is.
 * Signals are loaded afresh for every page: an activity whose score crossed the previous page's
 * last score in between can be skipped or shown twice (dedupe by id when it matters).
 * @example
 * const popular = defineRankedFeed({
 *   name: 'popular',
 *   feed: timeline,
 *   signals: (activities) => loadLikeCounts(activities.map((a) => a.id)),
 *   score: (activity, likes, now) =>
 *     (likes + 1) / (1 + (now.getTime() - activity.time.getTime()) / 3_600_000) ** 1.5,
 * });
 * const page = await popular.for(42).read({ limit: 25 });
 */
export function defineRankedFeed<E extends ExtraData = JsonObject, S = undefined>(
  options: RankedFeedOptions<E, S>,
): RankedFeedDefinition<E, S> {
  const o = checkOptions<RankedFeedOptions<E, S>>(options, OPTION_KEYS, 'defineRankedFeed');
  if (typeof o.name !== 'string' || o.name.length === 0 || o.name.length > 64) {
    throw invalidOption('name', `of a ranked feed must be 1 to 64 characters, got ${show(o.name)}`);
  }
  const name = o.name;
  const given: unknown = o.feed;
  if (!isFlatDefinition<E>(given)) {
    throw invalidOption('feed', `of ranked feed '${name}' must be a flat feed definition`);
  }
  const feed = given;
  const window = intOptionOr(o.window, 300, 'window', 1, MAX_RANKING_WINDOW);
  const score = fnOption<RankedFeedOptions<E, S>['score']>(o.score, 'score');
  const signals = fnOptionOr<NonNullable<RankedFeedOptions<E, S>['signals']>, undefined>(
    o.signals,
    undefined,
    'signals',
  );
  const pageSize = Math.min(window, feed.config.maxPageSize);

  /** The window's activities (up to `window` entries, at most `top` when given). */
  async function readWindow(handle: FlatFeed<E>, top: string | undefined) {
    const activities: Activity<E>[] = [];
    const missing: string[] = [];
    let cursor: string | undefined;
    let entries = 0;
    while (entries < window) {
      const page = await handle.read({
        limit: Math.min(pageSize, window - entries),
        cursor,
        filter: top === undefined ? undefined : { lte: top },
      });
      activities.push(...page.items);
      missing.push(...page.missing);
      entries += page.items.length + page.missing.length;
      if (page.next === undefined) break;
      cursor = page.next;
    }
    return { activities, missing };
  }

  /** Scores and sorts the window; checks what the application's functions return. */
  async function rank(activities: readonly Activity<E>[], userId: string, now: number) {
    const loaded = signals === undefined ? undefined : await signals(activities, { userId });
    if (signals !== undefined && (!Array.isArray(loaded) || loaded.length !== activities.length)) {
      throw invalidOption(
        'signals',
        `of ranked feed '${name}' must return one value per activity (${activities.length}), got ${show(loaded)}`,
      );
    }
    const at = new Date(now);
    const ranked = activities.map((activity, i): RankedItem<E, S> => {
      const signal = loaded?.[i] as S;
      const value = score(activity, signal, at);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw invalidOption(
          'score',
          `of ranked feed '${name}' must return a finite number, got ${show(value)} for ${activity.id}`,
        );
      }
      return { activity, score: value, signal };
    });
    return ranked.sort((a, b) => b.score - a.score || compareDesc(a.activity.id, b.activity.id));
  }

  return Object.freeze({
    name,
    feed,
    window,
    for(userId: Id): RankedFeed<E, S> {
      const handle = feed.for(userId); // validates the user id now, not on the first read
      return Object.freeze({
        name,
        userId: handle.userId,
        async read(readOptions?: RankedReadOptions): Promise<RankedPage<E, S>> {
          const r = checkOptions<RankedReadOptions>(readOptions, READ_KEYS, `${name}.read`, true);
          const limit = intOptionOr(r.limit, 25, 'limit', 1, window);
          const position = r.cursor === undefined ? undefined : decodeRankedCursor(r.cursor);
          if (position !== undefined && r.now !== undefined) {
            throw invalidOption(
              'now',
              'and cursor cannot both be given (the cursor keeps its now)',
            );
          }
          const now = position?.now ?? (r.now === undefined ? Date.now() : timeOf(r.now));
          const { activities, missing } = await readWindow(handle, position?.top);
          const ranked = await rank(activities, handle.userId, now);
          const start = position === undefined ? 0 : firstAfter(ranked, position);
          const items = ranked.slice(start, start + limit);
          const last = items.at(-1);
          const top = position?.top ?? activities.reduce<string | undefined>(newestId, undefined);
          const next =
            last !== undefined && top !== undefined && start + limit < ranked.length
              ? encodeRankedCursor({ top, now, score: last.score, id: last.activity.id })
              : undefined;
          return { items, next, missing };
        },
      });
    },
  });
}

/** Index of the first item ranked after `position` (lower score, or same score and older id). */
function firstAfter<E extends ExtraData, S>(
  ranked: readonly RankedItem<E, S>[],
  position: RankedPosition,
): number {
  const at = ranked.findIndex(
    (r) => r.score < position.score || (r.score === position.score && r.activity.id < position.id),
  );
  return at === -1 ? ranked.length : at;
}

function isFlatDefinition<E extends ExtraData>(value: unknown): value is FlatFeedDefinition<E> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'flat' &&
    typeof (value as { for?: unknown }).for === 'function'
  );
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function newestId<E extends ExtraData>(top: string | undefined, activity: Activity<E>) {
  return top === undefined || activity.id > top ? activity.id : top;
}

function timeOf(value: unknown): number {
  if (!(value instanceof Date) || !Number.isSafeInteger(value.getTime())) {
    throw invalidOption('now', `must be a valid Date, got ${show(value)}`);
  }
  return value.getTime();
}

import { assertActivityId, show, timeOfActivityId } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import type { RangeBound, RangeQuery, TimelineEntry } from '../storage/contracts.js';
import { toBase36 } from '../util/base36.js';
import { intOption } from '../util/int-option.js';
import { checkOptions, type OptionsPlace, optionKeys } from '../validation/options.js';
import { oneOfOption } from '../validation/values.js';

/** Id-range filter of a flat feed: bounds on activity ids (which sort by time). */
export interface IdFilter {
  /** Only ids greater than this one (newer). */
  readonly gt?: string | undefined;
  /** Only ids greater than or equal to this one. */
  readonly gte?: string | undefined;
  /** Only ids less than this one (older). */
  readonly lt?: string | undefined;
  /** Only ids less than or equal to this one. */
  readonly lte?: string | undefined;
}

/**
 * How to read a page of a feed: `limit` entries in `order`, continuing after `cursor`, within the
 * id range `filter`. One way to page: pass the previous page's `next` as `cursor` (stable while the
 * feed changes, cheap on every backend); ids bound the range (`filter: { lt: id }` reads older
 * entries than `id`, `{ gt: id }` newer ones).
 */
export interface ReadOptions {
  /** Page size. @default 25 */
  readonly limit?: number | undefined;
  /** `'desc'`: newest first (default); `'asc'`: oldest first. */
  readonly order?: 'desc' | 'asc' | undefined;
  /** Continue after the page that returned this `next` cursor (read it in the same order). */
  readonly cursor?: string | undefined;
  /** Flat feeds: id-range filter, combined with the handle's own (`feed.filter(...)`). */
  readonly filter?: IdFilter | undefined;
}

/**
 * Read options of aggregated and notification feeds: {@link ReadOptions} without the activity-id
 * bounds, which only flat feeds have (a group feed refuses them with `INVALID_OPTION`).
 */
export type GroupReadOptions = Omit<ReadOptions, 'filter'>;

/** One page of a feed. */
export interface FeedPage<T> {
  readonly items: T[];
  /** Pass as `cursor` to read the next page; absent when this page was not full. */
  readonly next?: string | undefined;
  /** Ids whose activity could not be found in activity storage (skipped, not thrown). */
  readonly missing: readonly string[];
}

const READ_KEYS = optionKeys<ReadOptions>({
  limit: true,
  order: true,
  cursor: true,
  filter: true,
});
/** Paging options of earlier versions, refused with what to use instead (one object: no allocation per read). */
const READ_PLACE: OptionsPlace = {
  moved: {
    offset: "page with cursor: pass the previous page's next",
    before: 'use filter: { lt: id }',
    after: 'use filter: { gt: id }',
  },
};
const FILTER_KEYS: ReadonlySet<string> = new Set(
  optionKeys<IdFilter>({ gt: true, gte: true, lt: true, lte: true }),
);

/** Encodes a position as an opaque page cursor. */
export function encodeCursor(entry: { score: number; id: string }): string {
  return `${toBase36(entry.score)}.${entry.id}`;
}

/** Decodes a page cursor; throws `INVALID_OPTION` for a malformed one. */
export function decodeCursor(cursor: unknown): { score: number; id: string } {
  if (typeof cursor === 'string') {
    const dot = cursor.indexOf('.');
    const score = Number.parseInt(cursor.slice(0, dot), 36);
    const id = cursor.slice(dot + 1);
    if (
      dot > 0 &&
      /^-?[0-9a-z]+$/.test(cursor.slice(0, dot)) &&
      Number.isSafeInteger(score) &&
      id.length > 0 &&
      id.length <= 64
    ) {
      return { score, id };
    }
  }
  throw new ValidationError('INVALID_OPTION', `cursor is malformed: ${show(cursor)}`, {
    details: { option: 'cursor' },
  });
}

/** Validates an id filter (unknown operators throw `UNKNOWN_FILTER`). */
export function checkFilter(filter: unknown): IdFilter {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw new ValidationError(
      'INVALID_OPTION',
      'filter must be an object like { gt, gte, lt, lte }',
      { details: { option: 'filter' } },
    );
  }
  for (const [op, value] of Object.entries(filter)) {
    if (!FILTER_KEYS.has(op)) {
      throw new ValidationError(
        'UNKNOWN_FILTER',
        `unknown filter operator ${JSON.stringify(op)}; use gt, gte, lt or lte`,
        { details: { operator: op } },
      );
    }
    if (value !== undefined) assertActivityId(value, `filter.${op}`);
  }
  return filter as IdFilter;
}

function idBound(id: string, inclusive: boolean): RangeBound {
  return { score: timeOfActivityId(id), id, inclusive };
}

function cmp(a: RangeBound, b: RangeBound): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The tighter of two lower bounds (either may be absent). */
export function tighterMin(
  a: RangeBound | undefined,
  b: RangeBound | undefined,
): RangeBound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = cmp(a, b);
  if (c !== 0) return c > 0 ? a : b;
  return a.inclusive ? b : a;
}

function tighterMax(a: RangeBound | undefined, b: RangeBound | undefined): RangeBound | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = cmp(a, b);
  if (c !== 0) return c < 0 ? a : b;
  return a.inclusive ? b : a;
}

/** Limits that {@link toRangeQuery} enforces. */
export interface ReadLimits {
  readonly defaultLimit: number;
  readonly maxPageSize: number;
  /** Whether `filter` (activity-id bounds) is allowed: flat feeds only. */
  readonly idBounds: boolean;
  /** A filter fixed on the feed handle, combined with the read's own. */
  readonly baseFilter?: IdFilter | undefined;
}

/** Validates read options and turns them into a storage range query. */
export function toRangeQuery(options: ReadOptions | undefined, limits: ReadLimits): RangeQuery {
  const o = checkOptions<ReadOptions>(options, READ_KEYS, 'read options', true, READ_PLACE);
  const limit =
    o.limit === undefined
      ? limits.defaultLimit
      : intOption(o.limit, 'limit', 1, limits.maxPageSize);
  const order = o.order === undefined ? 'desc' : oneOfOption(o.order, ['desc', 'asc'], 'order');
  let min: RangeBound | undefined;
  let max: RangeBound | undefined;
  if (!limits.idBounds && (o.filter !== undefined || limits.baseFilter)) {
    throw new ValidationError(
      'INVALID_OPTION',
      'filter is only supported by flat feeds; page with cursor',
      { details: { option: 'filter' } },
    );
  }
  for (const f of [limits.baseFilter, o.filter === undefined ? undefined : checkFilter(o.filter)]) {
    if (!f) continue;
    if (f.gt !== undefined) min = tighterMin(min, idBound(f.gt, false));
    if (f.gte !== undefined) min = tighterMin(min, idBound(f.gte, true));
    if (f.lt !== undefined) max = tighterMax(max, idBound(f.lt, false));
    if (f.lte !== undefined) max = tighterMax(max, idBound(f.lte, true));
  }
  if (o.cursor !== undefined) {
    const c = { ...decodeCursor(o.cursor), inclusive: false };
    if (order === 'desc') max = tighterMax(max, c);
    else min = tighterMin(min, c);
  }
  return { limit, order, min, max };
}

/** The `next` cursor of a page: set when the page came back full. */
export function nextCursor(entries: readonly TimelineEntry[], limit: number): string | undefined {
  const last = entries[entries.length - 1];
  return entries.length === limit && last ? encodeCursor(last) : undefined;
}

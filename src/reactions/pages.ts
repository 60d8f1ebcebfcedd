/**
 * `list`: a page of one (activity, kind) timeline by time, with an opaque cursor (the last
 * reaction's time and id), skipping the count entry. Internal to reactions.
 * @module
 */
import { ValidationError } from '../errors.js';
import type { RangeQuery } from '../storage/contracts.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import { intOptionOr, oneOfOption } from '../validation/values.js';
import { decodeReaction } from './codec.js';
import { COUNT_ID } from './layout.js';
import type { ReactionSettings } from './settings.js';
import type { ReactionListOptions, ReactionPage } from './types.js';

const LIST_KEYS = optionKeys<ReactionListOptions>({ limit: true, cursor: true, order: true });
const CURSOR = /^(\d{1,16})\.([A-Za-z0-9_-]{1,48})$/;
const ORDERS = ['desc', 'asc'] as const;

function parseCursor(cursor: unknown): { score: number; id: string } {
  const match = typeof cursor === 'string' ? CURSOR.exec(cursor) : null;
  const score = match === null ? Number.NaN : Number(match[1]);
  if (match === null || !Number.isSafeInteger(score)) {
    throw new ValidationError(
      'INVALID_OPTION',
      `cursor is not one of list's cursors: ${show(cursor)}`,
      {
        details: { option: 'cursor' },
      },
    );
  }
  return { score, id: match[2]! };
}

/** Reads one page of `key`. */
export async function readPage(
  s: ReactionSettings,
  key: string,
  activityId: string,
  kind: string,
  options: ReactionListOptions | undefined,
): Promise<ReactionPage> {
  const o = checkOptions<ReactionListOptions>(options, LIST_KEYS, 'reactions.list', true);
  const limit = intOptionOr(o.limit, Math.min(25, s.maxPageSize), 'limit', 1, s.maxPageSize);
  const order = o.order === undefined ? 'desc' : oneOfOption(o.order, ORDERS, 'order');
  const after = o.cursor === undefined ? undefined : { ...parseCursor(o.cursor), inclusive: false };
  // One more than the page tells whether a next page exists; one more may be the count entry.
  const query: RangeQuery = {
    limit: limit + 2,
    order,
    ...(after === undefined ? {} : order === 'desc' ? { max: after } : { min: after }),
  };
  const entries = (await s.timeline.range(key, query)).filter((e) => e.id !== COUNT_ID);
  const items = entries.slice(0, limit).map((e) => decodeReaction(e, key, activityId, kind));
  const last = items.at(-1);
  return entries.length > limit && last !== undefined
    ? { items, next: `${last.time.getTime()}.${last.id}` }
    : { items };
}

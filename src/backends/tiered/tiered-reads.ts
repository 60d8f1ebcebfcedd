/**
 * Range reads of a tiered timeline. The hot tier holds the newest entries (see {@link TierPair}),
 * so a position bound splits every read in two: entries at or above the hot tier's lowest entry
 * come from the hot tier, entries below it from the durable tier, with the same query and the
 * same `(score, id)` cursor. Newest first: the hot tier's page, then, when it is short, the
 * durable tier's range strictly after its last entry. Oldest first: the durable tier's range
 * strictly below the hot tier's lowest entry, then the hot tier's. A read that had to go to the
 * durable tier refills a hot tier that holds fewer than `hotMaxLength` entries.
 * @module
 */
import type { RangeBound, RangeQuery, TimelineEntry } from '../../storage/contracts.js';
import { belowFloor } from '../../storage/merge-ranges.js';
import type { TierPair } from './tier-pair.js';

/** An exclusive bound at `entry`. */
function after(entry: TimelineEntry): RangeBound {
  return { score: entry.score, id: entry.id, inclusive: false };
}

/** `first`, then the entries of `rest` whose id it does not hold (defensive: tiers agree). */
function join(first: TimelineEntry[], rest: readonly TimelineEntry[]): TimelineEntry[] {
  if (rest.length === 0) return first;
  if (first.length === 0) return [...rest];
  const seen = new Set(first.map((e) => e.id));
  for (const entry of rest) if (!seen.has(entry.id)) first.push(entry);
  return first;
}

/**
 * The rest of a newest-first read whose hot page `top` came back short: the durable tier's
 * entries after the page's last one (or within the query's bounds when the page is empty).
 */
async function durableAfter(
  pair: TierPair,
  key: string,
  query: RangeQuery,
  top: TimelineEntry[],
): Promise<TimelineEntry[]> {
  const last = top.at(-1);
  const rest = await pair.on('durable', 'range', key, (d) =>
    d.range(key, {
      ...query,
      limit: query.limit - top.length,
      ...(last === undefined ? {} : { max: after(last) }),
    }),
  );
  if (rest.length > 0) await pair.refill(key);
  return join(top, rest);
}

/** A newest-first read from the hot tier, continued in the durable tier when short. */
async function rangeDesc(pair: TierPair, key: string, query: RangeQuery): Promise<TimelineEntry[]> {
  const top = await pair.on('hot', 'range', key, (hot) => hot.range(key, query));
  return top.length >= query.limit ? top : durableAfter(pair, key, query, top);
}

/** An oldest-first read: the durable tier below the hot tier's lowest entry, then the hot tier. */
async function rangeAsc(pair: TierPair, key: string, query: RangeQuery): Promise<TimelineEntry[]> {
  const [floor] = await pair.on('hot', 'range', key, (hot) =>
    hot.range(key, { order: 'asc', limit: 1 }),
  );
  if (floor === undefined) {
    // A cold hot tier: the durable tier has the whole range.
    const all = await pair.on('durable', 'range', key, (d) => d.range(key, query));
    if (all.length > 0) await pair.refill(key);
    return all;
  }
  const { min, max } = query;
  const hotOnly = min !== undefined && !belowFloor(min, floor);
  const low = hotOnly
    ? []
    : await pair.on('durable', 'range', key, (d) =>
        d.range(key, {
          ...query,
          max: max !== undefined && belowFloor(max, floor) ? max : after(floor),
        }),
      );
  if (low.length >= query.limit || (max !== undefined && belowFloor(max, floor))) return low;
  const high = await pair.on('hot', 'range', key, (hot) =>
    hot.range(key, { ...query, limit: query.limit - low.length }),
  );
  return join(low, high);
}

/** `range` of a tiered timeline. */
export function rangeTiered(
  pair: TierPair,
  key: string,
  query: RangeQuery,
): Promise<TimelineEntry[]> {
  return query.order === 'desc' ? rangeDesc(pair, key, query) : rangeAsc(pair, key, query);
}

/**
 * `rangeMany` of a tiered timeline: newest first, one `rangeMany` on the hot tier, then the
 * durable tier for the pages that came back short; oldest first, `range` per key.
 */
export async function rangeManyTiered(
  pair: TierPair,
  keys: readonly string[],
  query: RangeQuery,
): Promise<TimelineEntry[][]> {
  if (query.order === 'asc') return Promise.all(keys.map((key) => rangeAsc(pair, key, query)));
  const tops = await pair.on('hot', 'rangeMany', undefined, (hot) => hot.rangeMany(keys, query));
  return Promise.all(
    tops.map((top, i) =>
      top.length >= query.limit ? top : durableAfter(pair, keys[i]!, query, top),
    ),
  );
}

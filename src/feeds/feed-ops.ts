/**
 * Operations on one user's feed that flat and group feeds do the same way: trimming, and
 * finding what to remove by actor. Internal to the feeds layer.
 * @module
 */
import { assertId, type Id } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import type { IdOnlyTimeline, TimelineEntry } from '../storage/contracts.js';
import { intOption } from '../util/int-option.js';
import type { FeedConfig } from './feed-config.js';

/**
 * Trims a feed to `maxLength` entries (default: the feed's `maxLength`; `INVALID_OPTION` for a
 * bad number); returns how many entries were removed.
 */
export function trimFeed(
  config: FeedConfig,
  key: string,
  maxLength: number | undefined,
  timeline: FeedView = config.storage.timeline,
): Promise<number> {
  const length = maxLength === undefined ? config.maxLength : intOption(maxLength, 'maxLength', 0);
  return timeline.trim(key, length);
}

/**
 * The view of its storage a feed reads and writes through: the id-only view for a normalized
 * flat feed (which a backend may keep apart), the full one otherwise.
 */
export type FeedView = Pick<IdOnlyTimeline, 'trim' | 'count' | 'range'>;

/** Every entry of a feed, newest first. */
export async function scanFeed(
  config: FeedConfig,
  key: string,
  timeline: FeedView = config.storage.timeline,
): Promise<TimelineEntry[]> {
  const count = await timeline.count(key);
  if (count === 0) return [];
  return timeline.range(key, { limit: count, order: 'desc' });
}

/**
 * Removes from one feed what `remove` picks among its entries for a set of actors (the checked
 * `actors`); returns how many activities it removed. Throws `INVALID_ID` for a bad list before
 * anything is read; reads nothing for an empty one.
 */
export async function removeByActors(
  config: FeedConfig,
  key: string,
  actors: readonly Id[],
  what: string,
  remove: (entries: TimelineEntry[], actors: ReadonlySet<Id>) => Promise<number>,
  timeline: FeedView = config.storage.timeline,
): Promise<number> {
  if (!Array.isArray(actors))
    throw new ValidationError('INVALID_ID', `${what}: actors must be an array`);
  const wanted = new Set(Array.from(actors, (a) => assertId(a, 'actor')));
  if (wanted.size === 0) return 0;
  return remove(await scanFeed(config, key, timeline), wanted);
}

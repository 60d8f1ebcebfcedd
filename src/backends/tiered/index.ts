/**
 * Tiered storage: a hot tier (e.g. Redis) holding the newest entries of every timeline and a
 * durable tier (e.g. SQLite or Cassandra) holding the whole history, composed through the
 * storage contracts into one {@link Storage}. See docs/tiered.md.
 * @module
 */
import type { ActivityStorage, Storage, TimelineStorage } from '../../storage/contracts.js';
import { defineStorage } from '../../storage/define-storage.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { intOption, invalidOption } from '../../validation/values.js';
import { TieredActivityStorage } from './tiered-activities.js';
import { TieredMarkedTimelineStorage, TieredTimelineStorage } from './tiered-timeline.js';

/** Options of {@link createTieredStorage}. */
export interface TieredStorageOptions {
  /** The fast tier: holds the newest `hotMaxLength` entries of each timeline (e.g. Redis). */
  readonly hot: Storage;
  /**
   * The durable tier: holds every entry, up to the feed's own `maxLength` (e.g. SQLite or
   * Cassandra). It is the source of truth: written first, and the only tier with markers.
   */
  readonly durable: Storage;
  /**
   * How many of each timeline's newest entries the hot tier keeps (an integer, 1 to 10,000,000).
   * Reads past them continue in the durable tier. A feed's `maxLength` bounds the whole history
   * (the durable tier); set it above this to let users scroll past the hot tier.
   */
  readonly hotMaxLength: number;
}

const TIERED_KEYS = optionKeys<TieredStorageOptions>({
  hot: true,
  durable: true,
  hotMaxLength: true,
});

/** A tiered storage: one storage over two, with the tiers kept for inspection. */
export interface TieredStorage extends Storage {
  readonly timeline: TimelineStorage;
  readonly activities: ActivityStorage;
  /** The hot tier, as given. */
  readonly hot: Storage;
  /** The durable tier, as given. */
  readonly durable: Storage;
  /** How many newest entries per timeline the hot tier keeps. */
  readonly hotMaxLength: number;
}

/** Checks that `value` is a storage `{ timeline, activities }` (what every factory returns). */
function checkTier(value: unknown, name: 'hot' | 'durable'): Storage {
  const s = value as Partial<Storage> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    typeof s.timeline?.range !== 'function' ||
    typeof s.activities?.getMany !== 'function'
  ) {
    throw invalidOption(
      name,
      'must be a storage { timeline, activities } (e.g. createRedisStorage())',
    );
  }
  return s as Storage;
}

/**
 * Composes a hot and a durable storage into one: writes go to the durable tier, then to the hot
 * tier (which keeps each timeline's newest `hotMaxLength` entries); reads are served by the hot
 * tier and continue seamlessly into the durable tier with the same cursor; a cold or evicted
 * hot timeline is refilled from the durable tier on read. A failure of one tier is a
 * BackendError naming it (`details.tier`); retrying the same call converges. Markers live in
 * the durable tier only. Throws `INVALID_OPTION` for a missing tier, the same storage twice or a
 * bad `hotMaxLength`.
 * @example
 * const storage = createTieredStorage({
 *   hot: createRedisStorage({ client: redis }),
 *   durable: createSqliteStorage({ database: db }),
 *   hotMaxLength: 300,
 * });
 * const timeline = defineFlatFeed({ name: 'timeline', storage, maxLength: 10_000 });
 */
export function createTieredStorage(options: TieredStorageOptions): TieredStorage {
  const o = checkOptions<TieredStorageOptions>(options, TIERED_KEYS, 'createTieredStorage');
  const hot = checkTier(o.hot, 'hot');
  const durable = checkTier(o.durable, 'durable');
  if (hot === durable || hot.timeline === durable.timeline) {
    throw invalidOption('durable', 'must be another storage than hot');
  }
  const hotMaxLength = intOption(o.hotMaxLength, 'hotMaxLength', 1, 10_000_000);
  const parts = { hot: hot.timeline, durable: durable.timeline, hotMaxLength };
  const timeline = durable.timeline.capabilities.markers
    ? new TieredMarkedTimelineStorage(parts)
    : new TieredTimelineStorage(parts);
  return defineStorage({
    hot,
    durable,
    hotMaxLength,
    timeline,
    activities: new TieredActivityStorage(hot.activities, durable.activities),
  });
}

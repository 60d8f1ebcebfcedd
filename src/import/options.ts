/**
 * The options and result of `importPythonRedis`: which Python feeds go to which feed
 * definitions, and what an import did.
 * @module
 */
import type { Redis } from 'ioredis';
import type { Id } from '../activity/ids.js';
import type { JsonObject } from '../activity/json.js';
import type { VerbRegistry } from '../activity/verbs.js';
import type { FeedDefinition, FeedHandle } from '../feeds/feed.js';

/** One Python feed class and the feed definition its data goes to. */
export interface PythonFeedMapping {
  /**
   * The Python feed class's `key_format`, with one `%(user_id)s`, e.g. `'feed:normal:%(user_id)s'`
   * (Python's defaults: `'feed_%(user_id)s'` for BaseFeed and AggregatedFeed,
   * `'user_feed:%(user_id)s'` for UserBaseFeed, `'notification_feed:%(user_id)s'`).
   */
  readonly keyFormat: string;
  /**
   * Where the data goes; its kind says what the Python feed is: `flat` (RedisFeed: ids plus the
   * activity storage), `aggregated` (RedisAggregatedFeed) or `notification` (RedisNotificationFeed,
   * or the deprecated NotificationFeed with `state: 'dates'`).
   */
  readonly feed: FeedDefinition<JsonObject, FeedHandle<JsonObject, unknown>>;
  /**
   * Notification feeds: where seen/read state comes from. `'markers'` (the current
   * RedisNotificationFeed): a group is seen/read unless its id is in
   * `list:<markersKeyFormat>:unseen|unread`; `'dates'` (the deprecated NotificationFeed): seen/read
   * when `seen_at`/`read_at` is at or after `updated_at`. @default 'markers'
   */
  readonly state?: 'markers' | 'dates' | undefined;
  /** `markers_key_format` of the notification feed class. @default keyFormat */
  readonly markersKeyFormat?: string | undefined;
}

/** Progress of an import, reported after each feed. */
export interface PythonImportProgress {
  /** The mapping being imported (its keyFormat). */
  readonly keyFormat: string;
  /** Python feeds done so far, over every mapping, and the total found. */
  readonly feedsDone: number;
  readonly feedsTotal: number;
  /** Entries (activities or groups) read so far. */
  readonly entries: number;
}

/** Options of `importPythonRedis`. */
export interface PythonImportOptions {
  /** An ioredis client on the Python database (its `db`); only read. */
  readonly source: Redis;
  readonly feeds: readonly PythonFeedMapping[];
  /**
   * Python verb ids to verb names (Python's verbs must be registered with the same ids).
   * @default each target feed's `verbs`, else the built-in verbs (follow 1, comment 2, love 3, add 4)
   */
  readonly verbs?: VerbRegistry | undefined;
  /** Key of the activity storage (`RedisActivityStorage`'s `key` option). @default 'global' */
  readonly activityKey?: string | undefined;
  /**
   * The user id of a Python feed from the text in its key; `undefined` skips the key (counted in
   * `skippedKeys`). @default decimal integers become numbers, anything else is skipped
   */
  readonly userId?: ((text: string) => Id | undefined) | undefined;
  /** Read and check everything, write nothing; `written` counts what would be written. */
  readonly dryRun?: boolean | undefined;
  /**
   * Report malformed data in `malformed` and go on, instead of throwing
   * a `SerializationError` naming the key before writing the feed that holds it.
   */
  readonly skipMalformed?: boolean | undefined;
  readonly onProgress?: ((progress: PythonImportProgress) => void) | undefined;
}

/** A malformed entry reported with `skipMalformed`. */
export interface MalformedEntry {
  readonly key: string;
  readonly member?: string | undefined;
  readonly reason: string;
}

/** What an import did, per mapping and in total. */
export interface PythonImportResult {
  readonly dryRun: boolean;
  /** Python feeds read. */
  readonly feeds: number;
  /** Entries read: activities of flat feeds, groups of aggregated and notification feeds. */
  readonly entries: number;
  /**
   * Entries written: activities new to their feed, groups stored or re-marked (0 on a re-run of
   * an import that completed); in a dry run, what would be written.
   */
  readonly written: number;
  /** Keys that matched a key format but whose user id part was rejected by `userId`. */
  readonly skippedKeys: number;
  /** Malformed entries skipped (only with `skipMalformed`; the first 100 are listed). */
  readonly malformedCount: number;
  readonly malformed: readonly MalformedEntry[];
  readonly byFeed: readonly {
    readonly keyFormat: string;
    readonly feed: string;
    readonly feeds: number;
    readonly entries: number;
    readonly written: number;
  }[];
}

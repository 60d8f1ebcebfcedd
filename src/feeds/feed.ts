import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import type { FeedConfig, WriteOptions } from './feed-config.js';
import type { FeedPage, ReadOptions } from './read-options.js';

/** The kinds of feed the library defines. */
export type FeedKind = 'flat' | 'aggregated' | 'notification';

/**
 * What every feed handle (one user's feed) offers, whatever its kind. `T` is what a read returns:
 * activities for flat feeds, groups for aggregated and notification feeds.
 */
export interface FeedHandle<E extends ExtraData = JsonObject, T = unknown> {
  readonly kind: FeedKind;
  /** Registry name of the feed definition. */
  readonly name: string;
  /** The user id, in string form. */
  readonly userId: string;
  /** Storage key of this feed. */
  readonly key: string;
  /** Adds one activity; returns how many activities were new to the feed (0 or 1). */
  add(activity: Activity<E>, options?: WriteOptions): Promise<number>;
  /** Adds activities; returns how many were new to the feed. */
  addMany(activities: readonly Activity<E>[], options?: WriteOptions): Promise<number>;
  /** Removes one activity (or activity id); returns how many activities were removed. */
  remove(activity: Activity<E> | string): Promise<number>;
  /** Removes activities (or ids); returns how many were removed. */
  removeMany(activities: readonly (Activity<E> | string)[]): Promise<number>;
  /** Removes every activity whose actor is one of `actors` (used by unfollow); returns how many. */
  removeByActors(actors: readonly Id[]): Promise<number>;
  /** Reads one page. */
  read(options?: ReadOptions): Promise<FeedPage<T>>;
  /** Number of entries (activities for flat feeds, groups for aggregated ones). */
  count(): Promise<number>;
  /** Trims to `maxLength` entries (default: the feed's); returns how many were removed. */
  trim(maxLength?: number): Promise<number>;
  /** Deletes the feed (and, for notification feeds, its seen/read state). */
  delete(): Promise<void>;
}

/**
 * What every feed definition offers: the value a manager, a task and a worker refer to by `name`.
 */
export interface FeedDefinition<
  E extends ExtraData = JsonObject,
  H extends FeedHandle<E> = FeedHandle<E>,
> {
  readonly kind: FeedKind;
  readonly name: string;
  /** Whether timelines hold ids (activities live once in activity storage) or full payloads. */
  readonly normalized: boolean;
  /** Resolved options. */
  readonly config: FeedConfig;
  /** Storage key of a user's feed. */
  keyFor(userId: Id): string;
  /** The feed of one user. */
  for(userId: Id): H;
  /**
   * Checks activities as a write of them would (shape, verbs, batch size, the serializer's size
   * limit, group keys) and throws what that write would, without writing anything. The manager
   * calls it for every feed a publish will reach, before its first write.
   */
  validate?(activities: readonly Activity<E>[]): void;
  /** Adds the same activities to many users' feeds, batching storage calls where the kind allows. */
  addToMany(
    userIds: readonly Id[],
    activities: readonly Activity<E>[],
    options?: WriteOptions,
  ): Promise<void>;
  /** Removes activities (or ids) from many users' feeds. */
  removeFromMany(
    userIds: readonly Id[],
    activities: readonly (Activity<E> | string)[],
  ): Promise<void>;
}

/**
 * The follow graph's public types: who follows whom, stored on the timeline storage contract so
 * that every backend (memory, SQLite, Redis, Redis Cluster, Cassandra, tiered) holds it without
 * code of its own. See `createFollowGraph` and docs/follow-graph.md.
 * @module
 */
import type { Id } from '../activity/ids.js';
import type { Storage, TimelineStorage } from '../storage/contracts.js';

/** Fan-out priority of an edge: the manager enqueues every high edge's tasks before the low ones. */
export type FollowPriority = 'high' | 'low';

/** Options of `createFollowGraph`. */
export interface FollowGraphOptions {
  /** Where the edges live: a backend's storage (its timeline storage holds two timelines per user). */
  readonly storage: Storage | TimelineStorage;
  /**
   * First part of every timeline key of the graph: `<prefix>:following:<user>` and
   * `<prefix>:followers:<user>`. 1-64 letters, digits, `_`, `.`, `-`; keep it apart from feed
   * names on a shared storage. @default 'graph'
   */
  readonly prefix?: string | undefined;
  /** Size limits of one call. @default see {@link FollowGraphLimits} */
  readonly limits?: FollowGraphLimits | undefined;
}

/** Size limits of the graph's calls: more is refused with `LIMIT_EXCEEDED`, before any write. */
export interface FollowGraphLimits {
  /** Targets of one `follow`, `unfollow` or `isFollowing` call. @default 1000 */
  readonly maxBatchSize?: number | undefined;
  /** The largest `limit` of a `followers` / `following` page. @default 1000 */
  readonly maxPageSize?: number | undefined;
}

/** Options of {@link FollowGraph.follow}. */
export interface GraphFollowOptions {
  /**
   * Fan-out priority of the new edges; following again with another priority changes it (the
   * follow time is kept). @default 'high'
   */
  readonly priority?: FollowPriority | undefined;
  /**
   * When new edges were made (an import of an existing graph, a seed): a Date or ms since the
   * epoch, 0 to year 9999. An edge that exists already keeps its time. @default now
   */
  readonly time?: Date | number | undefined;
}

/** Options of a {@link FollowGraph.followers} / {@link FollowGraph.following} page. */
export interface GraphPageOptions {
  /** Edges per page, 1 to `limits.maxPageSize`. @default 25 */
  readonly limit?: number | undefined;
  /** The `next` of the previous page: the page after it (newest edges first). */
  readonly cursor?: string | undefined;
}

/** A follower of a user, as a `followers` page lists it. */
export interface Follower {
  /** The follower's user id (string form: `1` and `'1'` are one user). */
  readonly userId: string;
  /** When the edge was first recorded (a later follow of the same pair keeps it). */
  readonly since: Date;
  /** The edge's fan-out priority. */
  readonly priority: FollowPriority;
}

/** A user someone follows, as a `following` page lists it. */
export interface Followed {
  /** The followed user's id (string form). */
  readonly userId: string;
  /** When the edge was first recorded (a later follow of the same pair keeps it). */
  readonly since: Date;
}

/** A page of edges, newest first. */
export interface GraphPage<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` to read the next page; absent when this page was not full. */
  readonly next?: string | undefined;
}

/** How many edges a user has on each side. */
export interface FollowCounts {
  /** Users following this user. */
  readonly followers: number;
  /** Users this user follows. */
  readonly following: number;
}

/**
 * A follow graph on a timeline storage (`createFollowGraph`). Every user id is checked at the
 * boundary (`INVALID_ID`), every option too (`INVALID_OPTION`, `LIMIT_EXCEEDED`); a rejected call
 * writes nothing. Pass it to `createManager({ graph })` so that `followUser` / `unfollowUser`
 * record the edges and fan-out reads followers from it in pages.
 */
export interface FollowGraph {
  /** Backend name of the storage, for errors and logs. */
  readonly name: string;
  /** The graph's key prefix. */
  readonly prefix: string;
  /** The largest page `followers` and `following` return (`limits.maxPageSize`). */
  readonly maxPageSize: number;
  /** The most targets of one `follow`, `unfollow` or `isFollowing` call (`limits.maxBatchSize`). */
  readonly maxBatchSize: number;
  /**
   * Records that `userId` follows `targetIds` (one id or an array). Idempotent: an existing
   * edge keeps its follow time (its priority is set to `options.priority`). Writes the followers
   * side first, then the following side (see docs/follow-graph.md for a call that stops half-way).
   * Returns how many edges are new.
   */
  follow(userId: Id, targetIds: Id | readonly Id[], options?: GraphFollowOptions): Promise<number>;
  /**
   * Removes the edges from `userId` to `targetIds`: the following side first, then the followers
   * side. An absent edge is a no-op. Returns how many edges existed.
   */
  unfollow(userId: Id, targetIds: Id | readonly Id[]): Promise<number>;
  /** A page of `userId`'s followers, newest edge first. */
  followers(userId: Id, options?: GraphPageOptions): Promise<GraphPage<Follower>>;
  /** A page of the users `userId` follows, newest edge first. */
  following(userId: Id, options?: GraphPageOptions): Promise<GraphPage<Followed>>;
  /** Follower and following counts of `userId` (two counts, read at once). */
  counts(userId: Id): Promise<FollowCounts>;
  /** Whether `userId` follows each of `targetIds`, positional: one storage read per call. */
  isFollowing(userId: Id, targetIds: readonly Id[]): Promise<boolean[]>;
}

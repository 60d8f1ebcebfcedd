import type { Activity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import type { VerbRegistry } from '../activity/verbs.js';
import { ValidationError } from '../errors.js';
import {
  FANOUT_POLICY_KEYS,
  type FanoutPolicyOptions,
  type ResolvedFanoutPolicy,
  resolveFanoutPolicy,
} from '../fanout/policy.js';
import type { FeedDefinition, FeedHandle } from '../feeds/feed.js';
import type { FollowGraph } from '../graph/types.js';
import { type Logger, loggerOption } from '../metrics/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { type Tracing, tracingOption } from '../metrics/tracing.js';
import { createInlineQueue } from '../queue/inline-queue.js';
import { TASK_LIMITS } from '../queue/task.js';
import type { TaskQueue } from '../queue/task-queue.js';
import type { Serializer } from '../serialization/serializer.js';
import type { ActivityStorage } from '../storage/contracts.js';
import { intOptionOr } from '../util/int-option.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { fnOptionOr } from '../validation/values.js';
import type { FollowerIds } from './follower-ids.js';
import { type FollowerSource, functionSource, graphSource } from './follower-source.js';

/** Any feed definition (flat, aggregated, notification) over activities with extra data `E`. */
export type AnyFeedDefinition<E extends ExtraData = JsonObject> = FeedDefinition<
  E,
  FeedHandle<E, unknown>
>;

/** A definition whose reads return activities: what a user feed must be (normally a flat feed). */
export type UserFeedDefinition<E extends ExtraData = JsonObject> = FeedDefinition<
  E,
  FeedHandle<E, Activity<E>>
>;

/** Feed definitions by name. */
export type FeedMap<E extends ExtraData = JsonObject> = Readonly<
  Record<string, AnyFeedDefinition<E>>
>;

/** Options of `createManager`. The Python original's class attributes map to these options. */
export interface ManagerOptions<
  E extends ExtraData,
  U extends UserFeedDefinition<ExtraData>,
  F extends FeedMap<E>,
  T extends FeedMap<E>,
> {
  /** A user's own activities (the original's `user_feed_class`); a flat feed with a large maxLength. */
  readonly userFeed: U & UserFeedDefinition<E>;
  /**
   * Fan-out targets: the feeds of a user's followers (the original's `feed_classes`), flat,
   * aggregated or notification. Each key must equal its definition's `name`.
   */
  readonly feeds: F;
  /**
   * Feeds reached only through an activity's `to` list, e.g. a notification feed with
   * `to: ['notification:42']`. Each key must equal its definition's `name`.
   */
  readonly targetFeeds?: T | undefined;
  /**
   * Follower ids of a user (the original's `get_user_follower_ids`): an iterable (all high
   * priority) or `{ high, low }`. Give this or `graph`, not both.
   */
  readonly getFollowerIds?: ((userId: string) => FollowerIds | Promise<FollowerIds>) | undefined;
  /**
   * A follow graph (`createFollowGraph`) instead of `getFollowerIds`: `followUser` /
   * `unfollowUser` record and remove the edges (with `priority` per follow), and fan-out reads
   * followers from it in pages of `fanoutChunkSize`, never the whole list at once.
   */
  readonly graph?: FollowGraph | undefined;
  /** Where fan-out, follow and unfollow tasks run. @default createInlineQueue() */
  readonly queue?: TaskQueue | undefined;
  /** Chunk sizes and copy limits of tasks. @default see {@link ManagerLimits} */
  readonly limits?: ManagerLimits | undefined;
  /**
   * The user an activity belongs to: the only user who may publish, update, import or remove it
   * (see {@link Manager}). Return an id (compared in string form with the calling user id).
   * Give it when an app publishes on behalf of another user, e.g. a page whose activities have
   * the page as `actor` but are written by its owner: `ownerOf: (a) => a.extra.ownerId`.
   * @default (activity) => activity.actor
   */
  readonly ownerOf?: ((activity: Activity<E>) => Id) | undefined;
  /**
   * The fan-out policy (docs/fanout-policy.md). Omitted or `mode: 'push'`: every follower's feed
   * is written on publish, as always. `'hybrid'` decides push or pull per edge from counters the
   * manager keeps; `'pull'` pulls every edge. Pulled producers are merged into the reads of
   * `getFeeds(userId)`'s flat feeds. Hybrid and pull need the user feed and every flat fan-out
   * feed normalized and on the same storage. @default { mode: 'push' }
   */
  readonly fanout?: FanoutPolicyOptions | undefined;
  /**
   * Where the manager logs (pino-compatible, see {@link Logger}): a task that failed (warn), ran
   * slow (warn) or ran (debug), the close. Ids and counts only, never activity payloads.
   * @default silent
   */
  readonly logger?: Logger | undefined;
  /**
   * Spans of every call, task and feed read of this manager (see {@link Tracing}), e.g.
   * `createOpenTelemetryTracing({ trace, context })`. @default nothing is traced
   */
  readonly tracing?: Tracing | undefined;
}

/**
 * Sizes of the manager's tasks (`limits` of {@link ManagerOptions}). Tasks encode activities with
 * the user feed's serializer, report to its metrics and check verbs with its registry.
 */
export interface ManagerLimits {
  /**
   * Follower ids per fan-out task (the original's `fanout_chunk_size`, 100 there). Each task is at
   * least one storage round trip (on Redis Cluster one per master), so larger chunks cost less per
   * follower: 1,000 measured about 2x cheaper in Node and 10-20% in Redis than 100 (bench/README.md,
   * fan-out). @default 1000
   */
  readonly fanoutChunkSize?: number | undefined;
  /** Activities of each followed user copied on follow (`follow_activity_limit`). @default 5000 */
  readonly followActivityLimit?: number | undefined;
  /** Activities per chunk of `batchImport`. @default 500 (at most the feeds' `limits.maxBatchSize`) */
  readonly batchImportChunkSize?: number | undefined;
}

/** One distinct activity storage used by normalized feeds, with the serializer its feeds read with. */
export interface ActivityStore {
  readonly storage: ActivityStorage;
  readonly serializer: Serializer;
  /** Names of the normalized feeds reading from it. */
  readonly feeds: readonly string[];
}

/** Validated manager options with defaults applied. */
export interface ManagerConfig<E extends ExtraData> {
  readonly userFeed: UserFeedDefinition<E>;
  /** Fan-out feeds, in option order. */
  readonly fanoutFeeds: readonly AnyFeedDefinition<E>[];
  /** Every registered feed by name (user, fan-out, target). */
  readonly byName: ReadonlyMap<string, AnyFeedDefinition<E>>;
  /** Feeds an activity's `to` list may name, and fan-out tasks may write: fan-out and target feeds. */
  readonly taskFeeds: ReadonlyMap<string, AnyFeedDefinition<E>>;
  /** Where fan-out reads followers: `getFollowerIds` or the graph. */
  readonly followers: FollowerSource;
  /** The follow graph, when given: follow and unfollow record the edges there. */
  readonly graph: FollowGraph | undefined;
  readonly queue: TaskQueue;
  readonly fanoutChunkSize: number;
  readonly followActivityLimit: number;
  readonly batchImportChunkSize: number;
  readonly serializer: Serializer;
  readonly metrics: Metrics;
  readonly verbs: VerbRegistry | undefined;
  readonly ownerOf: (activity: Activity<E>) => Id;
  readonly fanout: ResolvedFanoutPolicy;
  readonly logger: Logger | undefined;
  readonly tracing: Tracing | undefined;
  /** The queue was created here (the default inline queue): `close()` closes it. */
  readonly ownsQueue: boolean;
}

const OPTION_KEYS = optionKeys<ManagerOptions<JsonObject, UserFeedDefinition, FeedMap, FeedMap>>({
  userFeed: true,
  feeds: true,
  targetFeeds: true,
  getFollowerIds: true,
  graph: true,
  queue: true,
  limits: true,
  ownerOf: true,
  fanout: true,
  logger: true,
  tracing: true,
});

const LIMIT_KEYS = optionKeys<ManagerLimits>({
  fanoutChunkSize: true,
  followActivityLimit: true,
  batchImportChunkSize: true,
});

/** Options the manager no longer takes, with what to use instead. */
const MOVED = {
  fanoutChunkSize: 'use limits: { fanoutChunkSize }',
  followActivityLimit: 'use limits: { followActivityLimit }',
  batchImportChunkSize: 'use limits: { batchImportChunkSize }',
  serializer: "tasks use the user feed's serializer: set it on userFeed",
  metrics: "manager events go to the user feed's metrics: set them on userFeed",
  verbs: 'each feed checks its own verbs: set verbs on the feeds',
};

/** Validates manager options (throws `INVALID_OPTION`) and fills defaults. */
export function resolveManagerOptions<E extends ExtraData>(
  options: ManagerOptions<E, UserFeedDefinition<ExtraData>, FeedMap<E>, FeedMap<E>>,
): ManagerConfig<E> {
  checkOptions(options, OPTION_KEYS, 'manager', false, { moved: MOVED });
  const limits = checkOptions<ManagerLimits>(options.limits, LIMIT_KEYS, 'manager', true, {
    path: 'limits',
  });
  const userFeed = checkDefinition(options.userFeed, 'userFeed') as UserFeedDefinition<E>;
  if (userFeed.kind !== 'flat') {
    throw invalid(
      `userFeed must be a flat feed (follow copies activities from it), got a ${userFeed.kind} feed`,
    );
  }
  const byName = new Map<string, AnyFeedDefinition<E>>([[userFeed.name, userFeed]]);
  const register = (map: unknown, option: string): AnyFeedDefinition<E>[] => {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      throw invalid(`${option} must be an object of feed definitions by name`);
    }
    return Object.entries(map).map(([key, value]) => {
      const def = checkDefinition(value, `${option}.${key}`) as AnyFeedDefinition<E>;
      if (def.name !== key) {
        throw invalid(
          `${option}.${key} is the feed named ${JSON.stringify(def.name)}; use its name as the key`,
        );
      }
      if (byName.has(def.name))
        throw invalid(`two registered feeds are named ${JSON.stringify(def.name)}`);
      byName.set(def.name, def);
      return def;
    });
  };
  const fanoutFeeds = register(options.feeds, 'feeds');
  const targets =
    options.targetFeeds === undefined ? [] : register(options.targetFeeds, 'targetFeeds');
  const graph = checkGraph(options);
  const queue = options.queue ?? createInlineQueue();
  if (typeof queue !== 'object' || queue === null || typeof queue.enqueue !== 'function') {
    throw invalid('queue must be a TaskQueue, e.g. createInlineQueue()');
  }
  const all = [...byName.values()];
  const maxBatch = Math.min(...all.map((d) => d.config.maxBatchSize));
  const fanoutChunkSize = intOptionOr(
    limits.fanoutChunkSize,
    1000,
    'limits.fanoutChunkSize',
    1,
    TASK_LIMITS.userIds,
  );
  const importChunk = intOptionOr(
    limits.batchImportChunkSize,
    Math.min(500, maxBatch),
    'limits.batchImportChunkSize',
    1,
    Math.min(maxBatch, TASK_LIMITS.activities),
  );
  activityStores(all); // rejects feeds sharing an activity storage with different serializers
  checkOptions(options.fanout, FANOUT_POLICY_KEYS, 'manager', true, { path: 'fanout' });
  const fanout = resolveFanoutPolicy(options.fanout, 'manager: fanout');
  if (fanout.mode !== 'push') checkHybridFeeds(userFeed, fanoutFeeds, fanout.mode);
  return Object.freeze({
    userFeed,
    fanoutFeeds: Object.freeze(fanoutFeeds),
    byName,
    taskFeeds: new Map([...fanoutFeeds, ...targets].map((d) => [d.name, d] as const)),
    followers: graph
      ? graphSource(graph, fanoutChunkSize)
      : functionSource(options.getFollowerIds as NonNullable<typeof options.getFollowerIds>),
    graph,
    queue,
    fanoutChunkSize,
    followActivityLimit: intOptionOr(
      limits.followActivityLimit,
      5000,
      'limits.followActivityLimit',
      0,
      TASK_LIMITS.followLimit,
    ),
    batchImportChunkSize: importChunk,
    serializer: userFeed.config.serializer,
    metrics: userFeed.config.metrics,
    verbs: userFeed.config.verbs,
    ownerOf: fnOptionOr<(activity: Activity<E>) => Id, (activity: Activity<E>) => Id>(
      options.ownerOf,
      actorOf,
      'manager: ownerOf',
    ),
    fanout,
    logger: loggerOption(options.logger, 'manager'),
    tracing: tracingOption(options.tracing, 'manager'),
    ownsQueue: options.queue === undefined,
  });
}

/**
 * Hybrid and pull reads merge the user feeds into the flat fan-out feeds' timelines with one
 * range read and hydrate from one activity storage: both must be normalized and share storage.
 */
function checkHybridFeeds<E extends ExtraData>(
  userFeed: UserFeedDefinition<E>,
  fanoutFeeds: readonly AnyFeedDefinition<E>[],
  mode: string,
): void {
  const storage = userFeed.config.storage;
  for (const def of [userFeed, ...fanoutFeeds]) {
    if (def.kind !== 'flat') continue;
    if (!def.normalized || def.config.storage !== storage) {
      throw new ValidationError(
        'INVALID_OPTION',
        `manager: fanout mode ${JSON.stringify(mode)} needs the user feed and every flat fan-out feed normalized and on the same storage; ${def.name} is not`,
        { details: { option: 'fanout' } },
      );
    }
  }
}

/** Checks that exactly one of `getFollowerIds` and `graph` is given; returns the graph. */
function checkGraph(options: {
  getFollowerIds?: unknown;
  graph?: unknown;
}): FollowGraph | undefined {
  const { getFollowerIds, graph } = options;
  if (graph !== undefined) {
    const g = graph as Partial<FollowGraph> | null;
    if (
      typeof g !== 'object' ||
      g === null ||
      typeof g.followers !== 'function' ||
      typeof g.counts !== 'function' ||
      typeof g.follow !== 'function'
    ) {
      throw invalid('graph must be a follow graph, e.g. createFollowGraph({ storage })');
    }
    if (getFollowerIds !== undefined) {
      throw invalid('give getFollowerIds or graph, not both: the graph answers who follows whom');
    }
    return graph as FollowGraph;
  }
  if (typeof getFollowerIds !== 'function') {
    throw invalid(
      'getFollowerIds must be a function (userId) => ids or { high, low }, or give graph: createFollowGraph({ storage })',
    );
  }
  return undefined;
}

/** The default owner of an activity: its actor. */
const actorOf = (activity: Activity<ExtraData>): Id => activity.actor;

/**
 * The distinct activity storages (by identity) behind the normalized feeds among `feeds`.
 * Throws `INVALID_OPTION` when feeds sharing one storage read it with different serializers.
 */
export function activityStores<E extends ExtraData>(
  feeds: readonly AnyFeedDefinition<E>[],
): ActivityStore[] {
  const stores = new Map<ActivityStorage, { serializer: Serializer; feeds: string[] }>();
  for (const def of feeds) {
    if (!def.normalized) continue;
    const storage = def.config.storage.activities;
    const found = stores.get(storage);
    if (!found) stores.set(storage, { serializer: def.config.serializer, feeds: [def.name] });
    else if (found.serializer.name !== def.config.serializer.name) {
      throw invalid(
        `feeds ${found.feeds[0]} and ${def.name} share an activity storage but use different serializers (${found.serializer.name}, ${def.config.serializer.name})`,
      );
    } else found.feeds.push(def.name);
  }
  return [...stores].map(([storage, s]) => ({ storage, serializer: s.serializer, feeds: s.feeds }));
}

function checkDefinition(value: unknown, option: string): AnyFeedDefinition {
  const d = value as Partial<AnyFeedDefinition> | null | undefined;
  const ok =
    typeof d === 'object' &&
    d !== null &&
    typeof d.name === 'string' &&
    (d.kind === 'flat' || d.kind === 'aggregated' || d.kind === 'notification') &&
    typeof d.normalized === 'boolean' &&
    typeof d.config === 'object' &&
    d.config !== null &&
    typeof d.for === 'function' &&
    typeof d.addToMany === 'function' &&
    typeof d.removeFromMany === 'function';
  if (!ok) throw invalid(`${option} must be a feed definition, e.g. defineFlatFeed({ ... })`);
  return d as AnyFeedDefinition;
}

/** Rejects a per-call options object that is not an object or has an unknown key. */
export function checkCallOptions(options: unknown, keys: readonly string[], what: string): void {
  checkOptions(options, keys, what, true);
}

/** An `INVALID_OPTION` error of the manager. */
export function invalid(message: string): ValidationError {
  return new ValidationError('INVALID_OPTION', `manager: ${message}`);
}

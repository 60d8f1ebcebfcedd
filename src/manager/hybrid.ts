/**
 * The manager's side of hybrid push/pull fan-out (docs/fanout-policy.md): per-user rate counters,
 * the consumers' sets of pulled producers, and merged reads. Used only when the manager's
 * `fanout.mode` is `'hybrid'` or `'pull'`; in the default `'push'` mode nothing here runs.
 * @module
 */
import type { Activity } from '../activity/activity.js';
import type { ExtraData } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import { decideEdge, type EdgeDecision } from '../fanout/policy.js';
import { type RateState, rateAt, recordEvents } from '../fanout/rates.js';
import type { FlatFeed } from '../feeds/flat-feed.js';
import { hydrate } from '../feeds/hydrate.js';
import { escapeKeyPart } from '../feeds/keys.js';
import {
  type FeedPage,
  nextCursor,
  type ReadOptions,
  toRangeQuery,
} from '../feeds/read-options.js';
import { emitMetric } from '../metrics/metrics.js';
import { isEntryId } from '../storage/argument-checks.js';
import type { RangeQuery, TimelineEntry } from '../storage/contracts.js';
import type { AnyFeedDefinition, ManagerConfig } from './options.js';
import { pulledCacheOf, sameProducers } from './pulled-cache.js';

const DAY_MS = 86_400_000;

/** At most this many pulled producers are kept per consumer and feed (the most recent ones). */
export const MAX_PULLED_PRODUCERS = 1_000;

/**
 * Written when a publish of an all-pull producer (mode `'pull'`, a celebrity or a hot producer)
 * enqueues the pass that adds it to every follower's pulled sets.
 */
export interface PulledAll {
  /** When the pass was enqueued, ms. */
  readonly at: number;
  /** The follower count it saw (the celebrity rule's input for later decisions). */
  readonly followers: number;
}

/** The counters kept for one user. */
export interface UserStats {
  /** Posts (addUserActivity) as a producer. */
  readonly post: RateState | undefined;
  /** Reads of a fan-out feed through the manager, as a consumer. */
  readonly read: RateState | undefined;
  /** The last all-pull pass of this producer, if its last full publish was all-pull. */
  readonly pulledAll: PulledAll | undefined;
}

/**
 * Whether `marker` still lets a post skip flat fan-out at `now` (for the policy's
 * `allPullRefreshHours` after its pass).
 */
export function isFresh<E extends ExtraData>(
  config: ManagerConfig<E>,
  marker: PulledAll | undefined,
  now: number,
): boolean {
  const fresh = config.fanout.allPullRefreshHours * 3_600_000;
  return marker !== undefined && marker.at <= now && now - marker.at < fresh;
}

/**
 * Checks that a producer id can name an entry of a pulled set (throws `INVALID_ID` before any
 * write): in hybrid and pull mode, user ids who publish or are followed must be 1-64 ASCII
 * characters.
 */
export function assertPullableId(userId: string, where: string): void {
  if (!isEntryId(userId)) {
    throw new ValidationError(
      'INVALID_ID',
      `${where}: in hybrid fan-out a producer's user id must be 1-64 ASCII characters (it names an entry of its followers' pulled sets), got ${JSON.stringify(userId.slice(0, 80))}`,
      { details: { userId } },
    );
  }
}

/** Whether the manager runs hybrid fan-out (`'hybrid'` or `'pull'` mode). */
export function isHybrid<E extends ExtraData>(config: ManagerConfig<E>): boolean {
  return config.fanout.mode !== 'push';
}

/** The key of a user's counters, in the user feed's timeline storage. */
export function statsKey(userFeedName: string, userId: string): string {
  return `${userFeedName}:sf-stats:${escapeKeyPart(userId)}`;
}

/** The key of a consumer's pulled producers for one flat fan-out feed. */
export function pulledKey(feedName: string, userId: string): string {
  return `${feedName}:sf-pulled:${escapeKeyPart(userId)}`;
}

const halfLifeMs = <E extends ExtraData>(config: ManagerConfig<E>): number =>
  config.fanout.halfLifeDays * DAY_MS;

/** A stored rate, or `undefined` for an absent or unreadable entry (counted from zero again). */
function parseRate(entry: TimelineEntry | undefined): RateState | undefined {
  if (entry?.payload === undefined) return undefined;
  try {
    const value = JSON.parse(entry.payload) as Partial<RateState> | null;
    const { rate, at } = value ?? {};
    if (typeof rate === 'number' && rate >= 0 && Number.isFinite(rate) && Number.isFinite(at)) {
      return { rate, at: at as number };
    }
  } catch {
    // a corrupt counter restarts from zero
  }
  return undefined;
}

/** A stored all-pull marker, or `undefined` for an absent or unreadable entry. */
function parsePulledAll(entry: TimelineEntry | undefined): PulledAll | undefined {
  if (entry?.payload === undefined) return undefined;
  try {
    const { followers } = (JSON.parse(entry.payload) ?? {}) as { followers?: unknown };
    if (typeof followers === 'number' && Number.isSafeInteger(followers) && followers >= 0) {
      return { at: entry.score, followers };
    }
  } catch {
    // a corrupt marker is no marker: the next post runs a full pass
  }
  return undefined;
}

/** Records one post or read of `userId` at `now` (atomic read-modify-write); returns the new rate. */
export async function recordEvent<E extends ExtraData>(
  config: ManagerConfig<E>,
  userId: string,
  kind: 'post' | 'read',
  now: number,
): Promise<RateState> {
  const key = statsKey(config.userFeed.name, userId);
  const half = halfLifeMs(config);
  return config.userFeed.config.storage.timeline.update(key, [kind], ([current]) => {
    const next = recordEvents(parseRate(current), now, half);
    const entry = { id: kind, score: Math.floor(next.at), payload: JSON.stringify(next) };
    return { changes: { put: [entry] }, result: next };
  });
}

/** The id of the all-pull marker in a user's counters. */
const PULLED_ALL = 'pulled-all';

/** The counters of `userIds`, in one `rangeMany` (one round trip per backend node). */
export async function readStats<E extends ExtraData>(
  config: ManagerConfig<E>,
  userIds: readonly string[],
): Promise<UserStats[]> {
  const keys = userIds.map((id) => statsKey(config.userFeed.name, id));
  const pages = await config.userFeed.config.storage.timeline.rangeMany(keys, {
    order: 'desc',
    limit: 3,
  });
  return pages.map((page) => ({
    post: parseRate(page.find((e) => e.id === 'post')),
    read: parseRate(page.find((e) => e.id === 'read')),
    pulledAll: parsePulledAll(page.find((e) => e.id === PULLED_ALL)),
  }));
}

/** The producer-level part of a fan-out decision, carried by its tasks. */
export interface ProducerFacts {
  readonly producer: string;
  /** φp at publish time, events per day. */
  readonly rate: number;
  /** Every edge is pulled (mode `'pull'`, a celebrity or a hot producer): no stats are read. */
  readonly all: boolean;
}

/** What a publish by `producer` with `followerCount` followers decides for all of its edges. */
export function producerFacts<E extends ExtraData>(
  config: ManagerConfig<E>,
  producer: string,
  rate: RateState | undefined,
  followerCount: number,
  now: number,
): ProducerFacts {
  const p = config.fanout;
  const value = rateAt(rate, now, halfLifeMs(config));
  const all = p.mode === 'pull' || followerCount > p.maxPushFollowers || value > p.maxPushRate;
  return { producer, rate: value, all };
}

/**
 * The producer side of a publish, in one atomic update of its counters: records the post (when
 * `post`; an update or an import only reads the rate) and decides what holds for every edge.
 * With `followers` undefined the caller skipped the follower read because the all-pull marker
 * was fresh: every edge is pulled. When not every edge is pulled, the marker is removed; when
 * every edge is, the caller writes it with {@link markPulledAll} once the pass is enqueued.
 */
export async function recordPublish<E extends ExtraData>(
  config: ManagerConfig<E>,
  producer: string,
  post: boolean,
  followers: number | undefined,
  now: number,
): Promise<ProducerFacts> {
  const key = statsKey(config.userFeed.name, producer);
  const half = halfLifeMs(config);
  return config.userFeed.config.storage.timeline.update(
    key,
    ['post', PULLED_ALL],
    ([current, marker]) => {
      const state = post ? recordEvents(parseRate(current), now, half) : parseRate(current);
      const put: TimelineEntry[] = [];
      if (post && state) {
        put.push({ id: 'post', score: Math.floor(state.at), payload: JSON.stringify(state) });
      }
      if (followers === undefined) {
        const rate = rateAt(state, now, half);
        return { changes: { put }, result: { producer, rate, all: true } };
      }
      const facts = producerFacts(config, producer, state, followers, now);
      const remove = !facts.all && marker !== undefined ? [PULLED_ALL] : [];
      return { changes: { put, remove }, result: facts };
    },
  );
}

/**
 * Writes the all-pull marker of `producer` (see {@link PulledAll}): called after the tasks that
 * add it to every follower's pulled sets are enqueued, so a failed enqueue leaves no marker and a
 * retry of the call runs the pass again.
 */
export async function markPulledAll<E extends ExtraData>(
  config: ManagerConfig<E>,
  producer: string,
  followers: number,
  now: number,
): Promise<void> {
  const entry = { id: PULLED_ALL, score: Math.floor(now), payload: JSON.stringify({ followers }) };
  await config.userFeed.config.storage.timeline.update(
    statsKey(config.userFeed.name, producer),
    [],
    () => ({ changes: { put: [entry] }, result: undefined }),
  );
}

/** The decision for one edge from stored counters (see `Manager.explain`). */
export function decide<E extends ExtraData>(
  config: ManagerConfig<E>,
  producerRate: number,
  followerCount: number,
  consumer: UserStats,
  now: number,
): EdgeDecision {
  return decideEdge(config.fanout, {
    producerRate,
    followerCount,
    consumerReadRate: rateAt(consumer.read, now, halfLifeMs(config)),
    consumerLastRead: consumer.read === undefined ? undefined : Math.min(consumer.read.at, now),
    now,
  });
}

/**
 * Splits a fan-out chunk into pushed and pulled consumers: all pulled when the producer facts
 * say so (no read), else one `rangeMany` over the consumers' counters and a decision per edge.
 */
export async function splitEdges<E extends ExtraData>(
  config: ManagerConfig<E>,
  facts: ProducerFacts,
  userIds: readonly string[],
): Promise<{ push: string[]; pull: string[] }> {
  if (facts.all) return { push: [], pull: [...userIds] };
  const stats = await readStats(config, userIds);
  const now = Date.now();
  const push: string[] = [];
  const pull: string[] = [];
  userIds.forEach((id, i) => {
    const decision = decide(config, facts.rate, 0, stats[i]!, now);
    (decision.mode === 'push' ? push : pull).push(id);
  });
  return { push, pull };
}

/** Adds `producers` to the pulled sets of `consumers` in feed `def` (kept to the newest 1,000). */
export async function addPulled<E extends ExtraData>(
  def: AnyFeedDefinition<E>,
  consumers: readonly string[],
  producers: readonly string[],
  score: number,
): Promise<void> {
  if (consumers.length === 0 || producers.length === 0) return;
  // Pulled sets go through the full view: a producer's score moves with its posts, which an
  // id-only timeline must not do (a backend may write those blind).
  const timeline = def.config.storage.timeline;
  const entries = producers.map((id) => ({ id, score: Math.floor(score) }));
  const keys = consumers.map((c) => pulledKey(def.name, c));
  const options = { maxLength: MAX_PULLED_PRODUCERS };
  if (keys.length === 1) await timeline.add(keys[0]!, entries, options);
  else await timeline.addToMany(keys, entries, options);
}

/** Removes `producers` from the pulled set of `consumer` in feed `def`. */
export async function removePulled<E extends ExtraData>(
  def: AnyFeedDefinition<E>,
  consumer: string,
  producers: readonly string[],
): Promise<void> {
  await def.config.storage.timeline.remove(pulledKey(def.name, consumer), producers);
}

/**
 * A flat fan-out feed handle whose reads merge the consumer's timeline with the user feeds of
 * the producers it pulls, under the same `(score, id)` cursor and id-range filters. Writes,
 * `count`, `indexOf` and `trim` act on the materialized timeline only.
 */
export function mergedFeed<E extends ExtraData>(
  config: ManagerConfig<E>,
  def: AnyFeedDefinition<E>,
  handle: FlatFeed<E>,
  onRead: (userId: string) => Promise<void>,
): FlatFeed<E> {
  const feedConfig = def.config;
  const timeline = feedConfig.storage.timeline.idsOnly();
  const known = pulledCacheOf(config);
  const setKey = pulledKey(def.name, handle.userId);
  // maxLength: a full timeline serves nothing older than its oldest entry, pulled or not.
  const merge = (producers: readonly string[], query: RangeQuery) =>
    timeline.rangeMerged(
      [handle.key, ...producers.map((id) => config.userFeed.keyFor(id))],
      query,
      { floorAt: feedConfig.maxLength },
    );
  /**
   * The page's entries: the pulled set read, and merged with the timeline. With the producers
   * this process last read from the set, both at once (the merge is kept when the set still
   * holds exactly them); otherwise one after the other.
   */
  async function mergedEntries(query: RangeQuery): Promise<TimelineEntry[]> {
    const guess = known.get(setKey);
    const pulledRead = feedConfig.storage.timeline.range(setKey, {
      order: 'desc',
      limit: MAX_PULLED_PRODUCERS,
    });
    const [pulled, early] = await Promise.all([
      pulledRead,
      guess === undefined ? undefined : merge(guess, query),
    ]);
    const producers = pulled.map((e) => e.id);
    known.set(setKey, producers);
    return early !== undefined && sameProducers(guess!, producers)
      ? early
      : merge(producers, query);
  }
  async function read(options?: ReadOptions): Promise<FeedPage<Activity<E>>> {
    const started = performance.now();
    const query = toRangeQuery(options, {
      defaultLimit: 25,
      maxPageSize: feedConfig.maxPageSize,
      idBounds: true,
      baseFilter: handle.idFilter,
    });
    const [, entries] = await Promise.all([onRead(handle.userId), mergedEntries(query)]);
    const { found, missing } = await hydrate<E>(
      feedConfig,
      entries.map((e) => e.id),
    );
    const items = entries.flatMap((e) => found.get(e.id) ?? []);
    emitMetric(feedConfig.metrics, 'onFeedRead', {
      feed: def.name,
      count: items.length,
      durationMs: performance.now() - started,
    });
    return { items, next: nextCursor(entries, query.limit), missing };
  }
  return Object.freeze({
    ...handle,
    read,
    filter: (filter: Parameters<FlatFeed<E>['filter']>[0]) =>
      mergedFeed(config, def, handle.filter(filter), onRead),
  });
}

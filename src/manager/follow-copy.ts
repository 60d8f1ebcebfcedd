/**
 * The copy a follow makes: the newest entries of the followed users' feeds into the follower's
 * fan-out feeds. Normalized flat feeds take the ids alone (no activity read, decoded or
 * re-encoded); activities are read and decoded only when some fan-out feed needs them
 * (aggregated, notification or denormalized flat feeds).
 * @module
 */
import type { Activity } from '../activity/activity.js';
import { timeOfActivityId } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import { decodeStored } from '../feeds/hydrate.js';
import { idWriterOf } from '../feeds/id-writes.js';
import { emitMetric } from '../metrics/metrics.js';
import type { FollowTask } from '../queue/task.js';
import type { ActivityStorage, RangeBound, TimelineEntry } from '../storage/contracts.js';
import { chunks } from './fanout-plan.js';
import type { ManagerConfig } from './options.js';

/** An entry of a followed user's feed: its id, and its payload when activities are needed. */
interface Source {
  readonly id: string;
  readonly payload?: string | undefined;
  /** Where the payload was read (named by a decoding error). */
  readonly from: string;
}

/**
 * Copies the newest `task.limit` entries of each target's user feed into `task.userId`'s fan-out
 * feeds, oldest first (feeds that merge see activities in the order they happened), in chunks of
 * each feed's `maxBatchSize`. Targets in `pulled` are copied to no flat feed (hybrid).
 *
 * When every fan-out feed is a normalized flat feed, only ids and scores are read and written:
 * an entry whose activity is gone from activity storage (lost outside the library: the manager
 * stores an activity before its user-feed entry and removes the entry first) is copied as it is,
 * and the follower's reads skip it and report it in `missing`, as for any entry of a normalized
 * feed. Checking would read every payload (measured: about as long as the raw copy itself).
 * When a feed needs activities, they are read anyway: missing ones are skipped for every feed.
 */
export async function copyForFollow<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: FollowTask,
  pulled: ReadonlySet<string>,
): Promise<void> {
  const writers = config.fanoutFeeds.map((def) => idWriterOf(def));
  const needed = writers.some((w) => w === undefined);
  const all = new Map<string, Source>();
  const pushed = new Set<string>();
  for (const target of task.targetIds) {
    for (const source of await newestSources(config, target, task.limit, needed)) {
      all.set(source.id, source);
      if (!pulled.has(target)) pushed.add(source.id);
    }
  }
  // Ids sort by time: oldest first.
  const allIds = [...all.keys()].sort();
  const pushedIds = pushed.size === all.size ? allIds : [...pushed].sort();
  // Decoded before any write (a corrupt payload fails the task first).
  const activities = needed ? decodeAll<E>(config, all) : new Map<string, Activity<E>>();
  for (const [i, def] of config.fanoutFeeds.entries()) {
    const ids = def.kind === 'flat' ? pushedIds : allIds;
    if (ids.length === 0) continue;
    const started = performance.now();
    const writeIds = writers[i];
    const feed = def.for(task.userId);
    for (const chunk of chunks(ids, def.config.maxBatchSize)) {
      if (writeIds) {
        await writeIds(
          task.userId,
          chunk.map((id) => ({ id, score: timeOfActivityId(id) })),
        );
      } else {
        await feed.addMany(
          chunk.map((id) => activities.get(id)!),
          { storeActivities: false },
        );
      }
    }
    emitMetric(config.metrics, 'onFanout', {
      feed: def.name,
      operation: 'follow',
      feeds: 1,
      activities: ids.length,
      durationMs: performance.now() - started,
    });
  }
}

/**
 * The newest `limit` entries of `target`'s user feed, paged by `(score, id)` bounds; with
 * `payloads`, only those whose activity exists, with their payloads. A normalized user feed is
 * read through its id-only view, `limit` entries at once (ids and scores: on Redis one plain
 * ZREVRANGE, where a bounded page runs a script), payloads from activity storage in `getMany`
 * calls of the feed's `maxPageSize` ids, all at once; further pages only replace missing
 * activities. A denormalized one holds its payloads in its entries: pages of `maxPageSize`.
 */
async function newestSources<E extends ExtraData>(
  config: ManagerConfig<E>,
  target: string,
  limit: number,
  payloads: boolean,
): Promise<Source[]> {
  const def = config.userFeed;
  const { storage, maxPageSize } = def.config;
  const key = def.keyFor(target);
  if (def.normalized && !payloads) {
    // A normalized flat feed's scores are the times its ids encode: ids alone are read (on Redis a
    // bare ZREVRANGE of `limit`, no WITHSCORES).
    const entries = await storage.timeline
      .idsOnly({ scoreOf: timeOfActivityId })
      .range(key, { order: 'desc', limit });
    return entries.map((e) => ({ id: e.id, from: key }));
  }
  const view = def.normalized ? storage.timeline.idsOnly() : storage.timeline;
  const from = def.normalized ? `${storage.activities.name} activity storage` : key;
  const pageSize = def.normalized ? limit : maxPageSize;
  const out: Source[] = [];
  let missing = 0;
  let max: RangeBound | undefined;
  while (out.length < limit) {
    const want = Math.min(pageSize, limit - out.length);
    const page = await view.range(key, { order: 'desc', limit: want, max });
    const found = def.normalized
      ? await payloadsOf(storage.activities, page, maxPageSize)
      : page.map((e) => e.payload);
    page.forEach((e, i) => {
      const payload = found[i];
      if (payload === undefined) missing++;
      else out.push({ id: e.id, payload, from });
    });
    if (page.length < want) break;
    const last = page[page.length - 1]!;
    max = { score: last.score, id: last.id, inclusive: false };
  }
  if (missing > 0)
    emitMetric(def.config.metrics, 'onMissingActivities', { feed: def.name, count: missing });
  return out;
}

/** The stored payloads of entries, positional: `getMany` calls of `size` ids, all at once. */
async function payloadsOf(
  activities: ActivityStorage,
  entries: readonly TimelineEntry[],
  size: number,
): Promise<(string | undefined)[]> {
  const ids = entries.map((e) => e.id);
  const parts = await Promise.all(chunks(ids, size).map((chunk) => activities.getMany(chunk)));
  return parts.flat();
}

/** Decodes the copied activities with the user feed's serializer (a corrupt payload throws). */
function decodeAll<E extends ExtraData>(
  config: ManagerConfig<E>,
  sources: ReadonlyMap<string, Source>,
): Map<string, Activity<E>> {
  const { serializer } = config.userFeed.config;
  const out = new Map<string, Activity<E>>();
  for (const { id, payload, from } of sources.values()) {
    if (payload !== undefined) out.set(id, decodeStored<E>(serializer, payload, from, id));
  }
  return out;
}

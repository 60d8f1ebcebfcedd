/**
 * The copy a follow makes: the newest entries of the followed users' feeds into the follower's
 * fan-out feeds. Normalized flat feeds take the ids alone (no activity decoded or re-encoded);
 * activities are decoded only when some fan-out feed needs them (aggregated, notification or
 * denormalized flat feeds).
 * @module
 */
import type { Activity } from '../activity/activity.js';
import { timeOfActivityId } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import { decodeStored } from '../feeds/hydrate.js';
import { idWriterOf } from '../feeds/id-writes.js';
import { emitMetric } from '../metrics/metrics.js';
import type { FollowTask } from '../queue/task.js';
import type { RangeBound } from '../storage/contracts.js';
import { chunks } from './fanout-plan.js';
import type { ManagerConfig } from './options.js';

/** An entry of a followed user's feed whose activity exists: its id, payload and where it was. */
interface Source {
  readonly id: string;
  readonly payload: string;
  /** Where the payload was read (named by a decoding error). */
  readonly from: string;
}

/**
 * Copies the newest `task.limit` activities of each target's user feed into `task.userId`'s
 * fan-out feeds, oldest first (feeds that merge see activities in the order they happened), in
 * chunks of each feed's `maxBatchSize`. Targets in `pulled` are copied to no flat feed (hybrid).
 * Entries whose activity is gone from activity storage are skipped, as a read skips them.
 */
export async function copyForFollow<E extends ExtraData>(
  config: ManagerConfig<E>,
  task: FollowTask,
  pulled: ReadonlySet<string>,
): Promise<void> {
  const all = new Map<string, Source>();
  const pushed = new Set<string>();
  for (const target of task.targetIds) {
    for (const source of await newestSources(config, target, task.limit)) {
      all.set(source.id, source);
      if (!pulled.has(target)) pushed.add(source.id);
    }
  }
  // Ids sort by time: oldest first.
  const allIds = [...all.keys()].sort();
  const pushedIds = pushed.size === all.size ? allIds : [...pushed].sort();
  // Decoded before any write (a corrupt payload fails the task first), and only when needed.
  const activities = config.fanoutFeeds.every((def) => idWriterOf(def) !== undefined)
    ? undefined
    : decodeAll<E>(config, all);
  for (const def of config.fanoutFeeds) {
    const ids = def.kind === 'flat' ? pushedIds : allIds;
    if (ids.length === 0) continue;
    const started = performance.now();
    const writeIds = idWriterOf(def);
    const feed = def.for(task.userId);
    for (const chunk of chunks(ids, def.config.maxBatchSize)) {
      if (writeIds) {
        await writeIds(
          task.userId,
          chunk.map((id) => ({ id, score: timeOfActivityId(id) })),
        );
      } else {
        // Set whenever a feed has no id writer.
        const decoded = activities!;
        await feed.addMany(
          chunk.map((id) => decoded.get(id)!),
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
 * The newest `limit` entries of `target`'s user feed whose activity exists, with payloads, paged
 * by `(score, id)` bounds in pages of the user feed's `maxPageSize`. A normalized user feed is
 * read through its id-only view, its payloads from activity storage (one `getMany` per page);
 * a denormalized one holds them in its entries.
 */
async function newestSources<E extends ExtraData>(
  config: ManagerConfig<E>,
  target: string,
  limit: number,
): Promise<Source[]> {
  const def = config.userFeed;
  const { storage, maxPageSize } = def.config;
  const key = def.keyFor(target);
  const view = def.normalized ? storage.timeline.idsOnly() : storage.timeline;
  const from = def.normalized ? `${storage.activities.name} activity storage` : key;
  const out: Source[] = [];
  let missing = 0;
  let max: RangeBound | undefined;
  while (out.length < limit) {
    const want = Math.min(maxPageSize, limit - out.length);
    const page = await view.range(key, { order: 'desc', limit: want, max });
    const payloads = def.normalized
      ? await storage.activities.getMany(page.map((e) => e.id))
      : page.map((e) => e.payload);
    page.forEach((e, i) => {
      const payload = payloads[i];
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

/** Decodes the copied activities with the user feed's serializer (a corrupt payload throws). */
function decodeAll<E extends ExtraData>(
  config: ManagerConfig<E>,
  sources: ReadonlyMap<string, Source>,
): Map<string, Activity<E>> {
  const { serializer } = config.userFeed.config;
  const out = new Map<string, Activity<E>>();
  for (const { id, payload, from } of sources.values()) {
    out.set(id, decodeStored<E>(serializer, payload, from, id));
  }
  return out;
}

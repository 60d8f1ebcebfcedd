/**
 * The consumer side of hybrid fan-out at read time (docs/fanout-policy.md): recording reads, and
 * the rebuild that follows a recorded read, which re-decides the consumer's pulled edges and
 * materializes the ones the policy now pushes.
 * @module
 */
import type { Activity } from '../activity/activity.js';
import type { ExtraData } from '../activity/json.js';
import type { RateState } from '../fanout/rates.js';
import type { FlatFeed } from '../feeds/flat-feed.js';
import { hydrate } from '../feeds/hydrate.js';
import { errorMessage, log } from '../metrics/logger.js';
import type { TimelineEntry } from '../storage/contracts.js';
import { chunks } from './fanout-plan.js';
import {
  decide,
  isFresh,
  MAX_PULLED_PRODUCERS,
  producerFacts,
  pulledKey,
  readStats,
  recordEvent,
  removePulled,
} from './hybrid.js';
import type { AnyFeedDefinition, ManagerConfig } from './options.js';

/** A consumer's read is recorded (and its pulled edges re-decided) at most once per this interval per process. */
export const READ_RECORD_INTERVAL_MS = 600_000;

/** Users whose last recorded read a process remembers (least recently recorded dropped first). */
const READ_RECORDER_SIZE = 10_000;

/** At most this many pulled producers are turned into pushed ones by one rebuild. */
export const REBUILD_MAX_PRODUCERS = 100;

/**
 * Records reads, at most once per {@link READ_RECORD_INTERVAL_MS} per user and process (a
 * bounded map of the last recorded time), and rebuilds the reader's pulled edges after each
 * recorded read ({@link rebuildPulled}). A failure never fails the read (the merged read is
 * correct whatever the state of the rebuild): it is logged as a warning and the next read of
 * that user tries both again.
 */
export function createReadRecorder<E extends ExtraData>(
  config: ManagerConfig<E>,
): (userId: string) => Promise<void> {
  const last = new Map<string, number>();
  return async (userId) => {
    const now = Date.now();
    const at = last.get(userId);
    if (at !== undefined && now - at < READ_RECORD_INTERVAL_MS && now >= at) return;
    last.delete(userId);
    last.set(userId, now);
    if (last.size > READ_RECORDER_SIZE) last.delete(last.keys().next().value!);
    try {
      const read = await recordEvent(config, userId, 'read', now);
      await rebuildPulled(config, userId, read, now);
    } catch (error) {
      last.delete(userId);
      log(
        config.logger,
        'warn',
        { userId, err: errorMessage(error) },
        'stream-framework: recording a read or rebuilding pulled edges failed (the read is served; retried on the next read)',
      );
    }
  };
}

/**
 * Re-decides the pulled edges of `consumer` (who just read: `read` is its new read counter) in
 * every flat fan-out feed, and turns the ones the policy now pushes (at most
 * {@link REBUILD_MAX_PRODUCERS}, the most recently pulled first) into pushed edges: their newest
 * entries are copied into the consumer's timeline, then they leave its pulled set. This is how
 * a consumer that was inactive (every edge pulled) gets a materialized feed back.
 *
 * Bounded: one `rangeMany` over the pulled sets, one over the producers' counters, and per feed
 * two merged ranges of at most `maxLength` entries with one hydration each. Idempotent (copies
 * are upserts; removal of an absent producer is a no-op) and safe under concurrent reads (a
 * merged read deduplicates what is both copied and still pulled, and the copy comes before the
 * removal). A post whose fan-out pulled the consumer between the copy and the removal is caught
 * by a second copy after the removal; one whose fan-out runs after it pushes or pulls again.
 * Producers whose all-pull marker is fresh stay pulled: their posts skip flat fan-out.
 * @returns the number of activities copied.
 */
export async function rebuildPulled<E extends ExtraData>(
  config: ManagerConfig<E>,
  consumer: string,
  read: RateState,
  now: number,
): Promise<number> {
  const flat = config.fanoutFeeds.filter((d) => d.kind === 'flat');
  if (flat.length === 0) return 0;
  const sets = await config.userFeed.config.storage.timeline.rangeMany(
    flat.map((d) => pulledKey(d.name, consumer)),
    { order: 'desc', limit: MAX_PULLED_PRODUCERS },
  );
  const producers = [...new Set(sets.flat().map((e) => e.id))];
  if (producers.length === 0) return 0;
  const stats = await readStats(config, producers);
  const reader = { post: undefined, read, pulledAll: undefined };
  const pushed = producers
    .filter((producer, i) => {
      const s = stats[i]!;
      if (isFresh(config, s.pulledAll, now)) return false;
      const followers = s.pulledAll?.followers ?? 0;
      const rate = producerFacts(config, producer, s.post, followers, now).rate;
      return decide(config, rate, followers, reader, now).mode === 'push';
    })
    .slice(0, REBUILD_MAX_PRODUCERS);
  if (pushed.length === 0) return 0;
  const flips = new Set(pushed);
  let copied = 0;
  for (const [i, def] of flat.entries()) {
    const mine = sets[i]!.filter((e) => flips.has(e.id)).map((e) => e.id);
    if (mine.length > 0) copied += await materialize(config, def, consumer, mine);
  }
  return copied;
}

/** Copies the newest entries of `producers` into `consumer`'s feed `def`, then unpulls them. */
async function materialize<E extends ExtraData>(
  config: ManagerConfig<E>,
  def: AnyFeedDefinition<E>,
  consumer: string,
  producers: readonly string[],
): Promise<number> {
  const timeline = def.config.storage.timeline.idsOnly();
  const keys = producers.map((p) => config.userFeed.keyFor(p));
  const query = { order: 'desc', limit: def.config.maxLength } as const;
  const feed = def.for(consumer) as FlatFeed<E>;
  const done = new Set<string>();
  const copy = async (entries: readonly TimelineEntry[]): Promise<number> => {
    const fresh = entries.filter((e) => !done.has(e.id)).map((e) => e.id);
    for (const id of fresh) done.add(id);
    if (fresh.length === 0) return 0;
    const { found } = await hydrate<E>(def.config, fresh);
    const activities = fresh.flatMap((id) => found.get(id) ?? []) as Activity<E>[];
    // Oldest first, as a follow copies.
    activities.reverse();
    for (const chunk of chunks(activities, def.config.maxBatchSize)) {
      await feed.addMany(chunk, { storeActivities: false });
    }
    return activities.length;
  };
  let copied = await copy(await timeline.rangeMerged(keys, query));
  await removePulled(def, consumer, producers);
  copied += await copy(await timeline.rangeMerged(keys, query));
  return copied;
}

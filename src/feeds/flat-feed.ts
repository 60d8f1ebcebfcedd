import type { Activity } from '../activity/activity.js';
import { type Id, timeOfActivityId } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { emitMetric } from '../metrics/metrics.js';
import type { IdOnlyTimeline, TimelineEntry } from '../storage/contracts.js';
import { forEachLimited } from '../util/for-each-limited.js';
import { optionKeys } from '../validation/options.js';
import { boolOptionOr } from '../validation/values.js';
import {
  type ChangeEvents,
  checkListenerErrorHandler,
  createChangeEmitter,
  type FeedChange,
  type FeedChangeReason,
} from './change-events.js';
import type { FeedDefinition, FeedHandle } from './feed.js';
import {
  checkActivities,
  checkWriteOptions,
  FEED_KEYS,
  type FeedOptions,
  idsOf,
  resolveFeedConfig,
  trimPlan,
  type WriteOptions,
} from './feed-config.js';
import { removeByActors, trimFeed } from './feed-ops.js';
import { type FeedTarget, targetOf, targetsOf } from './feed-targets.js';
import { decodeStored, hydrateInOrder, storeActivities } from './hydrate.js';
import { registerIdWriter } from './id-writes.js';
import {
  checkFilter,
  type FeedPage,
  type IdFilter,
  nextCursor,
  type ReadOptions,
  toRangeQuery,
} from './read-options.js';

/** Options of {@link defineFlatFeed}. */
export interface FlatFeedOptions extends FeedOptions {
  /**
   * Normalized feeds keep only ids in the timeline and each activity once in activity storage;
   * denormalized feeds keep the full activity in every timeline entry. @default true
   */
  readonly normalized?: boolean | undefined;
  /** Receives errors thrown by change listeners (see `events`). @default ignore */
  readonly onListenerError?: ((error: unknown, change?: FeedChange) => void) | undefined;
}

/** Feeds trimmed at once after a write that trims by chance. */
const TRIM_CONCURRENCY = 16;

/** Option keys of `defineFlatFeed` (the compiler checks them against `FlatFeedOptions`). */
const FLAT_KEYS: readonly string[] = optionKeys<FlatFeedOptions>({
  ...FEED_KEYS,
  normalized: true,
  onListenerError: true,
});

/** A flat feed definition: a value describing a feed kind; `for(userId)` gives a user's feed. */
export interface FlatFeedDefinition<E extends ExtraData = JsonObject>
  extends FeedDefinition<E, FlatFeed<E>> {
  readonly kind: 'flat';
  /**
   * Change events of every user's feed of this kind: after each write, removal, trim and delete,
   * one {@link FeedChange} per feed (a fan-out to 1,000 followers: 1,000 changes). Built only
   * while someone listens. Forward them to other processes with `publishChanges` from
   * `stream-framework/redis`.
   */
  readonly events: ChangeEvents<FeedChange>;
}

/** One user's flat feed: a timeline of activities, newest first. */
export interface FlatFeed<E extends ExtraData = JsonObject> extends FeedHandle<E, Activity<E>> {
  readonly kind: 'flat';
  /** The id filter fixed on this handle by {@link FlatFeed.filter}, if any. */
  readonly idFilter: IdFilter | undefined;
  /** Position of an activity (newest first, 0-based), or -1. */
  indexOf(activity: Activity<E> | string): Promise<number>;
  /** A new handle reading through an id-range filter; this handle is unchanged. */
  filter(filter: IdFilter): FlatFeed<E>;
}

/**
 * Defines a flat feed (Twitter-style timeline). Throws `INVALID_OPTION` for bad options.
 * @example
 * const timeline = defineFlatFeed({ name: 'timeline', storage: createMemoryStorage(), maxLength: 1000 });
 * await timeline.for(42).add(activity);
 * const page = await timeline.for(42).read({ limit: 25 });
 */
export function defineFlatFeed<E extends ExtraData = JsonObject>(
  options: FlatFeedOptions,
): FlatFeedDefinition<E> {
  const config = resolveFeedConfig(options, { maxLength: 100 }, FLAT_KEYS, 'defineFlatFeed');
  const normalized = boolOptionOr(options.normalized, true, 'normalized');
  // A normalized feed's timelines hold ids only: declared once, so the backend may take shortcuts.
  // Their scores are the times the ids encode (toEntries): a backend may read ids alone.
  const timeline: IdOnlyTimeline = normalized
    ? config.storage.timeline.idsOnly({ scoreOf: timeOfActivityId })
    : config.storage.timeline;
  const what = `feed ${config.name}`;
  const emitter = createChangeEmitter<FeedChange>(
    'flat',
    checkListenerErrorHandler<FeedChange>(options.onListenerError, what),
  );
  /** Emits one change per feed, only while someone listens. */
  const changed = (
    targets: readonly FeedTarget[],
    reason: FeedChangeReason,
    ids: readonly string[],
  ): void => {
    if (!emitter.listening()) return;
    const frozen = Object.freeze([...ids]);
    for (const { userId, key } of targets) {
      emitter.emit(Object.freeze({ feed: config.name, userId, key, reason, ids: frozen }));
    }
  };

  // Denormalized entries hold the keyed form: an entry's id gives the activity id back.
  const toEntries = (activities: readonly Activity<E>[]): TimelineEntry[] =>
    activities.map((a) =>
      normalized
        ? { id: a.id, score: timeOfActivityId(a.id) }
        : {
            id: a.id,
            score: timeOfActivityId(a.id),
            payload: config.serializer.encodeActivity(a, 'keyed'),
          },
    );

  async function write(
    targets: readonly FeedTarget[],
    input: readonly Activity<E>[],
    options: WriteOptions | undefined,
  ): Promise<number> {
    checkWriteOptions(options, what);
    const activities = checkActivities<E>(config, input);
    if (activities.length === 0 || targets.length === 0) return 0;
    const entries = toEntries(activities);
    if (normalized && options?.storeActivities !== false) await storeActivities(config, activities);
    return writeEntries(targets, entries, options?.trim);
  }

  /** Writes entries to the feeds of `targets`: trim, metrics and the `'add'` change. */
  async function writeEntries(
    targets: readonly FeedTarget[],
    entries: readonly TimelineEntry[],
    trim: boolean | undefined,
  ): Promise<number> {
    const keys = targets.map((t) => t.key);
    const plan = trimPlan(config, trim, keys.length);
    const writeOptions = { maxLength: plan.maxLength };
    let added = 0;
    if (keys.length === 1) added = await timeline.add(keys[0]!, entries, writeOptions);
    else await timeline.addToMany(keys, entries, writeOptions);
    if (plan.trimAfter.length > 0) {
      const picked = keys.filter((_, i) => plan.trimAfter[i]);
      await forEachLimited(picked, TRIM_CONCURRENCY, (key) => timeline.trim(key, config.maxLength));
    }
    emitMetric(config.metrics, 'onFeedWrite', {
      feed: config.name,
      count: entries.length * keys.length,
    });
    changed(
      targets,
      'add',
      entries.map((e) => e.id),
    );
    return added;
  }

  async function removeIds(
    targets: readonly FeedTarget[],
    ids: readonly string[],
  ): Promise<number> {
    if (ids.length === 0 || targets.length === 0) return 0;
    const keys = targets.map((t) => t.key);
    if (keys.length > 1) {
      await timeline.removeFromMany(keys, ids);
      emitMetric(config.metrics, 'onFeedRemove', {
        feed: config.name,
        count: ids.length * keys.length,
      });
      changed(targets, 'remove', ids);
      return 0;
    }
    const removed = await timeline.remove(keys[0]!, ids);
    emitMetric(config.metrics, 'onFeedRemove', { feed: config.name, count: removed });
    if (removed > 0) changed(targets, 'remove', ids);
    return removed;
  }

  async function decode(
    key: string,
    entries: readonly TimelineEntry[],
  ): Promise<{ items: Activity<E>[]; missing: string[] }> {
    if (!normalized) {
      const items: Activity<E>[] = [];
      const missing: string[] = [];
      for (const e of entries) {
        if (e.payload === undefined) missing.push(e.id);
        else items.push(decodeStored<E>(config.serializer, e.payload, key, e.id));
      }
      return { items, missing };
    }
    return hydrateInOrder<E>(
      config,
      entries.map((e) => e.id),
    );
  }

  function handle(userId: Id, idFilter: IdFilter | undefined): FlatFeed<E> {
    const target = targetOf(config, userId);
    const { userId: uid, key } = target;
    const self: readonly FeedTarget[] = [target];
    const feed: FlatFeed<E> = {
      kind: 'flat',
      name: config.name,
      userId: uid,
      key,
      idFilter,
      add: (activity, options) => write(self, [activity], options),
      addMany: (activities, options) => write(self, activities, options),
      remove: async (activity) => removeIds(self, idsOf([activity], what)),
      removeMany: async (activities) => removeIds(self, idsOf(activities, what)),
      removeByActors: (actors: readonly Id[]) =>
        removeByActors(
          config,
          key,
          actors,
          what,
          async (entries, wanted) => {
            const { items } = await decode(key, entries);
            return removeIds(
              self,
              items.filter((a) => wanted.has(a.actor)).map((a) => a.id),
            );
          },
          timeline,
        ),
      async read(options?: ReadOptions): Promise<FeedPage<Activity<E>>> {
        const started = performance.now();
        const query = toRangeQuery(options, {
          defaultLimit: 25,
          maxPageSize: config.maxPageSize,
          idBounds: true,
          baseFilter: idFilter,
        });
        const entries = await timeline.range(key, query);
        const { items, missing } = await decode(key, entries);
        emitMetric(config.metrics, 'onFeedRead', {
          feed: config.name,
          count: items.length,
          durationMs: performance.now() - started,
        });
        return { items, next: nextCursor(entries, query.limit), missing };
      },
      count: () => timeline.count(key),
      indexOf: async (activity) => timeline.indexOf(key, idsOf([activity], what)[0]!, 'desc'),
      async trim(maxLength) {
        const trimmed = await trimFeed(config, key, maxLength, timeline);
        if (trimmed > 0) changed(self, 'trim', []);
        return trimmed;
      },
      async delete() {
        await timeline.delete(key);
        changed(self, 'delete', []);
      },
      filter: (filter: IdFilter) => handle(uid, mergeFilters(idFilter, checkFilter(filter))),
    };
    return Object.freeze(feed);
  }

  const definition: FlatFeedDefinition<E> = Object.freeze({
    kind: 'flat' as const,
    name: config.name,
    events: emitter.events,
    normalized,
    config,
    keyFor: (userId: Id) => config.keyFor(userId),
    for: (userId: Id) => handle(userId, undefined),
    validate(activities: readonly Activity<E>[]): void {
      toEntries(checkActivities<E>(config, activities)); // denormalized: encodes each activity
    },
    async addToMany(
      userIds: readonly Id[],
      activities: readonly Activity<E>[],
      options?: WriteOptions,
    ): Promise<void> {
      await write(targetsOf(config, userIds, what), activities, options);
    },
    async removeFromMany(
      userIds: readonly Id[],
      activities: readonly (Activity<E> | string)[],
    ): Promise<void> {
      await removeIds(targetsOf(config, userIds, what), idsOf(activities, what));
    },
  });
  // The follow copy writes ids to normalized feeds (their entries hold nothing else).
  if (normalized) {
    registerIdWriter(definition, (userId, entries) =>
      entries.length === 0
        ? Promise.resolve(0)
        : writeEntries([targetOf(config, userId)], entries, undefined),
    );
  }
  return definition;
}

function mergeFilters(a: IdFilter | undefined, b: IdFilter): IdFilter {
  if (!a) return { ...b };
  // Both filters apply: keep every bound; read-options picks the tighter of each side.
  const merged: { gt?: string; gte?: string; lt?: string; lte?: string } = { ...a };
  if (b.gt !== undefined) merged.gt = a.gt === undefined || b.gt > a.gt ? b.gt : a.gt;
  if (b.gte !== undefined) merged.gte = a.gte === undefined || b.gte > a.gte ? b.gte : a.gte;
  if (b.lt !== undefined) merged.lt = a.lt === undefined || b.lt < a.lt ? b.lt : a.lt;
  if (b.lte !== undefined) merged.lte = a.lte === undefined || b.lte < a.lte ? b.lte : a.lte;
  return merged;
}

/**
 * The machinery shared by aggregated and notification feeds. A feed kind plugs in through
 * {@link GroupFeedHooks} (markers to set on changed groups, how read items are decorated, what to
 * do after a change), so notification feeds are a composition over this code, not a copy.
 * Internal to the feeds layer; the write side lives in `writes.ts`, the types in `types.ts`.
 * @module
 */
import type { Activity } from '../../activity/activity.js';
import { type Id, show } from '../../activity/ids.js';
import type { ExtraData } from '../../activity/json.js';
import type { GroupRecord } from '../../aggregation/group.js';
import { ValidationError } from '../../errors.js';
import { emitMetric } from '../../metrics/metrics.js';
import type { TimelineEntry } from '../../storage/contracts.js';
import { forEachLimited } from '../../util/for-each-limited.js';
import { settleAll } from '../../util/settle-all.js';
import { checkWriteOptions, type WriteOptions } from '../feed-config.js';
import { removeByActors, trimFeed } from '../feed-ops.js';
import { type FeedTarget, targetOf, targetsOf } from '../feed-targets.js';
import { encodeActivities } from '../hydrate.js';
import { type FeedPage, nextCursor, type ReadOptions, toRangeQuery } from '../read-options.js';
import { checkBatchGroups, checkRanks } from './aggregator-checks.js';
import { prepareGroupCopies, storedForm } from './copy.js';
import { decodeGroupEntry, loadGroups } from './decode.js';
import { heldOf } from './locate.js';
import type {
  AggregatedFeedBase,
  AggregatedGroup,
  GroupFeedCore,
  GroupFeedHooks,
  GroupFeedKind,
  GroupFeedSettings,
} from './types.js';
import { createGroupWriter } from './writes.js';

/** Feeds written at a time by `addToMany`/`removeFromMany` (aggregation cannot batch across feeds). */
export const FEED_CONCURRENCY = 16;

/** Builds the shared implementation of a group feed kind from its settings and hooks. */
export function createGroupFeedCore<
  E extends ExtraData,
  G extends AggregatedGroup<E>,
  K extends GroupFeedKind,
>(settings: GroupFeedSettings<E>, hooks: GroupFeedHooks<E, G, K>): GroupFeedCore<E, G, K> {
  const { config } = settings;
  const { timeline } = config.storage;
  const what = `feed ${config.name}`;
  const writer = createGroupWriter(settings, hooks);
  // What the aggregator returns is checked before anything is written (see aggregator-checks.ts).
  const prepare = (input: readonly Activity<E>[]) => {
    const batch = writer.prepare(input);
    checkBatchGroups(settings.aggregator, settings.limits, batch.groups, what);
    return batch;
  };
  const prepareGroups = (groups: readonly AggregatedGroup<E>[]) => {
    const records = prepareGroupCopies(settings, groups, what);
    const stored = records.map((r) => storedForm(r, settings.normalized));
    checkRanks(settings.aggregator, stored, what);
    return records;
  };

  async function write(
    target: FeedTarget,
    input: readonly Activity<E>[],
    options?: WriteOptions,
  ): Promise<number> {
    checkWriteOptions(options, what);
    const batch = prepare(input);
    if (!settings.normalized || options?.storeActivities === false || batch.groups.length === 0) {
      return writer.addBatch(target, batch, options);
    }
    // Encode first (a payload over the size limit throws before anything is written), then store
    // the activities and update the groups concurrently: one round trip instead of two. If only
    // the group update lands, reads skip the missing activity until the retry stores it.
    const encoded = encodeActivities(config, batch.activities);
    const [, added] = await settleAll<number | undefined>([
      config.storage.activities.putMany(encoded).then(() => undefined),
      writer.addBatch(target, batch, options),
    ]);
    return added ?? 0;
  }

  const removeActors = (target: FeedTarget, actors: readonly Id[]): Promise<number> =>
    removeByActors(config, target.key, actors, what, (entries, wanted) => {
      const select = (r: GroupRecord<E>): ReadonlySet<string> =>
        new Set(
          heldOf(r)
            .filter((m) => wanted.has(m.actor))
            .map((m) => m.id),
        );
      const groupIds = entries
        .map((e) => decodeGroupEntry<E>(config, target.key, e))
        .filter((r) => select(r).size > 0)
        .map((r) => r.id);
      return writer.removeWhere(target, groupIds, select);
    });

  async function read(key: string, options: ReadOptions | undefined): Promise<FeedPage<G>> {
    const started = performance.now();
    const query = toRangeQuery(options, {
      defaultLimit: 25,
      maxPageSize: config.maxPageSize,
      idBounds: false,
    });
    const entries = await timeline.range(key, query);
    const { groups, missing } = await loadGroups<E>(config, key, entries);
    const items = await hooks.decorate(key, groups);
    emitMetric(config.metrics, 'onFeedRead', {
      feed: config.name,
      count: items.length,
      durationMs: performance.now() - started,
    });
    return { items, next: nextCursor(entries, query.limit), missing };
  }

  async function getGroups(key: string, groupIds: readonly string[]): Promise<(G | undefined)[]> {
    const ids = checkGroupIds(groupIds, what);
    if (ids.length === 0) return [];
    const entries = await timeline.get(key, ids);
    const present = entries.filter((e): e is TimelineEntry => e !== undefined);
    const { groups } = await loadGroups<E>(config, key, present);
    const byId = new Map((await hooks.decorate(key, groups)).map((g) => [g.id, g] as const));
    return ids.map((id) => byId.get(id));
  }

  async function contains(key: string, item: Activity<E> | string): Promise<boolean> {
    const targets = await writer.targetsIn(key, await writer.locate([item]));
    const groupIds = [...targets.keys()];
    if (groupIds.length === 0) return false;
    const entries = await timeline.get(key, groupIds);
    return entries.some((entry, i) => {
      const wanted = targets.get(groupIds[i]!);
      if (entry === undefined || wanted === undefined) return false;
      return decodeGroupEntry<E>(config, key, entry).members.some((m) => wanted.has(m.id));
    });
  }

  async function trim(target: FeedTarget, maxLength: number | undefined): Promise<number> {
    const trimmed = await trimFeed(config, target.key, maxLength);
    if (trimmed > 0) await writer.notify(target, 'trim', []);
    return trimmed;
  }

  function handle(userId: Id): AggregatedFeedBase<E, G, K> {
    const target = targetOf(config, userId);
    const { userId: uid, key } = target;
    return Object.freeze({
      kind: hooks.kind,
      name: config.name,
      userId: uid,
      key,
      add: (activity: Activity<E>, options?: WriteOptions) => write(target, [activity], options),
      addMany: (activities: readonly Activity<E>[], options?: WriteOptions) =>
        write(target, activities, options),
      remove: async (activity: Activity<E> | string) =>
        writer.removeLocated(target, await writer.locate([activity])),
      removeMany: async (items: readonly (Activity<E> | string)[]) =>
        writer.removeLocated(target, await writer.locate(items)),
      removeByActors: (actors: readonly Id[]) => removeActors(target, actors),
      read: (options?: ReadOptions) => read(key, options),
      count: () => timeline.count(key),
      trim: (maxLength?: number) => trim(target, maxLength),
      async delete(): Promise<void> {
        await timeline.delete(key);
        await writer.notify(target, 'delete', []);
      },
      getGroups: (groupIds: readonly string[]) => getGroups(key, groupIds),
      indexOf: async (groupId: string) =>
        timeline.indexOf(key, checkGroupIds([groupId], what)[0]!, 'desc'),
      contains: (activity: Activity<E> | string) => contains(key, activity),
      addGroups: async (groups: readonly AggregatedGroup<E>[], options?: WriteOptions) =>
        writer.putGroups(target, prepareGroups(groups), checkWriteOptions(options, what)),
      removeGroups: async (groupIds: readonly string[]) =>
        writer.removeGroups(target, checkGroupIds(groupIds, what)),
    });
  }

  return Object.freeze({
    handle,
    validate(activities: readonly Activity<E>[]): void {
      prepare(activities);
    },
    async addToMany(
      userIds: readonly Id[],
      activities: readonly Activity<E>[],
      options?: WriteOptions,
    ): Promise<void> {
      checkWriteOptions(options, what);
      const targets = targetsOf(config, userIds, what);
      const batch = prepare(activities);
      if (targets.length === 0 || batch.groups.length === 0) return;
      await writer.storeOnce(batch, options);
      await forEachLimited(targets, FEED_CONCURRENCY, (t) => writer.addBatch(t, batch, options));
    },
    async removeFromMany(
      userIds: readonly Id[],
      activities: readonly (Activity<E> | string)[],
    ): Promise<void> {
      const targets = targetsOf(config, userIds, what);
      const located = await writer.locate(activities);
      if (targets.length === 0) return;
      await forEachLimited(targets, FEED_CONCURRENCY, (t) => writer.removeLocated(t, located));
    },
  });
}

/** Validates group ids (non-empty strings of at most 64 characters); throws `INVALID_ID`. */
export function checkGroupIds(groupIds: readonly string[], what: string): string[] {
  if (!Array.isArray(groupIds))
    throw new ValidationError('INVALID_ID', `${what}: expected an array of group ids`);
  return Array.from(groupIds, (id: unknown) => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) {
      throw new ValidationError(
        'INVALID_ID',
        `${what}: a group id must be a string of 1 to 64 characters, got ${show(id)}`,
      );
    }
    return id;
  });
}

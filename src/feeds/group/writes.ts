/**
 * The write side of aggregated and notification feeds: merging a batch into one feed and removing
 * activities from it, each as one atomic `TimelineStorage.update`. Internal to the feeds layer.
 * @module
 */
import type { Activity } from '../../activity/activity.js';
import { groupIdOf } from '../../activity/ids.js';
import type { ExtraData } from '../../activity/json.js';
import { type GroupRecord, mergeIntoGroup, removeFromGroup } from '../../aggregation/group.js';
import { SerializationError, ValidationError } from '../../errors.js';
import { emitMetric } from '../../metrics/metrics.js';
import type { TimelineChanges, TimelineEntry } from '../../storage/contracts.js';
import { checkActivities, trimPlan, type WriteOptions } from '../feed-config.js';
import { scanFeed } from '../feed-ops.js';
import type { FeedTarget } from '../feed-targets.js';
import { storeActivities } from '../hydrate.js';
import { groupKeyOf } from './aggregator-checks.js';
import { copiedActivities, storedForm } from './copy.js';
import { decodeGroupEntry } from './decode.js';
import { heldOf, type Located, locateActivities, targetsAmong } from './locate.js';
import { RecentGroups } from './recent-groups.js';
import type {
  AggregatedGroup,
  GroupFeedChangeReason,
  GroupFeedHooks,
  GroupFeedKind,
  GroupFeedSettings,
} from './types.js';

/** Validated activities of one write, grouped by group id. */
export interface GroupBatch<E extends ExtraData> {
  readonly activities: readonly Activity<E>[];
  readonly groups: readonly {
    readonly id: string;
    readonly group: string;
    readonly activities: readonly Activity<E>[];
  }[];
}

/** Most activities the adds merged into one group commit hold together (see `pending`). */
export const GROUP_COMMIT_ACTIVITIES = 1000;

/** An add waiting for its feed's next group commit (see `pending` in {@link createGroupWriter}). */
interface PendingAdd<E extends ExtraData> {
  readonly batch: GroupBatch<E>;
  readonly plan: { readonly maxLength?: number; readonly trimAfter: readonly boolean[] };
  /** Old group id -> ids to take out of it (see movesOf). */
  readonly moves: ReadonlyMap<string, ReadonlySet<string>>;
  readonly resolve: (added: number) => void;
  readonly reject: (error: unknown) => void;
}

/** The write operations of a group feed kind (see {@link createGroupWriter}). */
export interface GroupWriter<E extends ExtraData> {
  /** Validates activities and groups them; throws before anything is written. */
  prepare(input: readonly Activity<E>[]): GroupBatch<E>;
  /** Stores the batch's activities in activity storage when the feed is normalized. */
  storeOnce(batch: GroupBatch<E>, options: WriteOptions | undefined): Promise<void>;
  /**
   * Merges a batch into one feed atomically; returns how many activities were new to it. Batches
   * for a feed whose update from this writer is in flight wait and go into its next update
   * together (group commit).
   */
  addBatch(
    target: FeedTarget,
    batch: GroupBatch<E>,
    options: WriteOptions | undefined,
  ): Promise<number>;
  /** Every group of a feed. */
  scanGroups(key: string): Promise<GroupRecord<E>[]>;
  /** Finds the group of each activity: from the activity itself, else from activity storage. */
  locate(items: readonly (Activity<E> | string)[]): Promise<Located>;
  /** `located` plus the groups of one feed retaining its unresolved ids (found by a scan). */
  targetsIn(key: string, located: Located): Promise<Map<string, ReadonlySet<string>>>;
  /** Removes, atomically, the ids `select` picks in each listed group; returns how many. */
  removeWhere(
    target: FeedTarget,
    groupIds: readonly string[],
    select: (record: GroupRecord<E>) => ReadonlySet<string>,
  ): Promise<number>;
  /** Removes located activities from one feed; returns how many. */
  removeLocated(target: FeedTarget, located: Located): Promise<number>;
  /** Stores whole groups (replacing those with the same ids) atomically; returns how many. */
  putGroups(
    target: FeedTarget,
    records: readonly GroupRecord<E>[],
    options: WriteOptions | undefined,
  ): Promise<number>;
  /** Removes whole groups by id atomically (with their markers); returns how many existed. */
  removeGroups(target: FeedTarget, groupIds: readonly string[]): Promise<number>;
  /** Runs the kind's after-change hook. */
  notify(target: FeedTarget, reason: GroupFeedChangeReason, ids: readonly string[]): Promise<void>;
  /** Characters of the payloads of recently encoded groups this writer holds (its cache). */
  cachedCharacters(): number;
}

/** Builds the write operations of a group feed kind. */
export function createGroupWriter<
  E extends ExtraData,
  G extends AggregatedGroup<E>,
  K extends GroupFeedKind,
>(settings: GroupFeedSettings<E>, hooks: GroupFeedHooks<E, G, K>): GroupWriter<E> {
  const { config, normalized, aggregator, limits } = settings;
  const { timeline } = config.storage;
  const what = `feed ${config.name}`;

  const keyOf = (activity: Activity<E>): string => groupKeyOf(aggregator, activity, what);

  /** The cache slot of a group of a feed (feed keys hold no NUL in practice; a clash only misses). */
  const slotOf = (key: string, id: string): string => `${key}\u0000${id}`;

  const toEntry = (key: string, record: GroupRecord<E>): TimelineEntry => {
    const score = aggregator.rank ? aggregator.rank(record) : record.updatedAt;
    if (!Number.isSafeInteger(score)) {
      throw new ValidationError(
        'INVALID_OPTION',
        `${what}: aggregator ${aggregator.name} must rank groups with safe integers, got ${score}`,
        { details: { option: 'aggregator' } },
      );
    }
    const payload = config.serializer.encodeGroup(record);
    recent.set(slotOf(key, record.id), payload, record);
    return { id: record.id, score, payload };
  };

  // The groups this writer encoded last, by payload, within `groupCacheCharacters`.
  const recent = new RecentGroups<E>(settings.groupCacheCharacters);
  const decode = (key: string, entry: TimelineEntry): GroupRecord<E> =>
    (entry.payload !== undefined && recent.get(slotOf(key, entry.id), entry.payload)) ||
    decodeGroupEntry<E>(config, key, entry);

  /**
   * Old group id -> ids to take out of it: the previous versions (an update) of activities of
   * `batch` whose group key changed. A previous version of an activity not in the batch is ignored.
   */
  const movesOf = (
    batch: GroupBatch<E>,
    previous: readonly Activity<ExtraData>[] | undefined,
  ): Map<string, Set<string>> => {
    const moves = new Map<string, Set<string>>();
    if (!previous || previous.length === 0) return moves;
    const groupOf = new Map<string, string>();
    for (const g of batch.groups) for (const a of g.activities) groupOf.set(a.id, g.id);
    for (const old of previous) {
      const now = groupOf.get(old.id);
      if (now === undefined) continue;
      let was: string;
      try {
        was = groupIdOf(keyOf(old as Activity<E>));
      } catch (error) {
        // An old version this aggregator now refuses cannot be located: add the new one anyway.
        if (error instanceof ValidationError) continue;
        throw error;
      }
      if (was === now) continue;
      const ids = moves.get(was) ?? new Set<string>();
      moves.set(was, ids.add(old.id));
    }
    return moves;
  };

  /**
   * Group commit: the adds to one feed waiting while an update of it is in flight from this
   * writer, committed together in the next update (one round trip for all of them instead of one
   * each, and no version conflicts between callers of the same process). The first add of an
   * idle feed is committed at once. Present while a commit of the feed is running.
   */
  const pending = new Map<string, PendingAdd<E>[]>();

  /** Commits the waiting adds of a feed, in turns, until none is left. Never throws. */
  const commitInTurns = async (target: FeedTarget): Promise<void> => {
    for (;;) {
      const adds = pending.get(target.key) ?? [];
      if (adds.length === 0) {
        pending.delete(target.key);
        return;
      }
      pending.set(target.key, []);
      // One update per run of adds trimming alike (the atomic trim is an option of the update)
      // and holding at most GROUP_COMMIT_ACTIVITIES activities (an add alone may hold more).
      for (let from = 0; from < adds.length; ) {
        let to = from + 1;
        let size = adds[from]!.batch.activities.length;
        while (
          to < adds.length &&
          adds[to]!.plan.maxLength === adds[from]!.plan.maxLength &&
          size + adds[to]!.batch.activities.length <= GROUP_COMMIT_ACTIVITIES
        ) {
          size += adds[to]!.batch.activities.length;
          to++;
        }
        await commitTogether(target, adds.slice(from, to));
        from = to;
      }
    }
  };

  /**
   * Merges adds into one feed in one atomic update, each after the ones before it, and settles
   * each with its own count. If the update refuses the data of several adds (nothing was
   * written), each is tried again alone, so an add whose merged group is refused (e.g. a rank
   * that is not a safe integer) fails alone and the others land.
   */
  const commitTogether = async (target: FeedTarget, adds: readonly PendingAdd<E>[]) => {
    let outcome: { added: number[]; changed: string[][] };
    try {
      outcome = await updateWith(target, adds);
    } catch (error) {
      // Data the update refused (a rank, a payload): each add alone, to find whose. Other errors
      // (the backend's, conflicts) would meet each add alike: they reject all of them.
      const refused = error instanceof ValidationError || error instanceof SerializationError;
      if (adds.length > 1 && refused) for (const add of adds) await commitTogether(target, [add]);
      else for (const add of adds) add.reject(error);
      return;
    }
    // A trim by chance runs once for the adds that drew it (the others did not trim).
    const trimmed = adds.some((a) => a.plan.trimAfter[0])
      ? await timeline.trim(target.key, config.maxLength).catch((error: unknown) => error)
      : 0;
    for (const [i, add] of adds.entries()) {
      try {
        const trimmedHere = add.plan.trimAfter[0] ? trimmed : 0;
        if (typeof trimmedHere !== 'number') throw trimmedHere;
        emitMetric(config.metrics, 'onFeedWrite', { feed: config.name, count: outcome.added[i]! });
        const changed = outcome.changed[i]!;
        if (changed.length > 0) await writer.notify(target, 'add', changed);
        else if (trimmedHere > 0) await writer.notify(target, 'trim', []);
        add.resolve(outcome.added[i]!);
      } catch (error) {
        add.reject(error);
      }
    }
  };

  /** The markers of a change: each of the kind's markers on the ids `marked`. */
  const markSpec = (marked: readonly string[]): Record<string, readonly string[]> => {
    const mark: Record<string, readonly string[]> = {};
    for (const m of hooks.markOnChange) mark[m] = marked;
    return mark;
  };

  /** The atomic update of {@link commitTogether}: each add's count and changed group ids. */
  const updateWith = (target: FeedTarget, adds: readonly PendingAdd<E>[]) => {
    const ids = new Set<string>();
    for (const add of adds) {
      for (const g of add.batch.groups) ids.add(g.id);
      for (const id of add.moves.keys()) ids.add(id);
    }
    const groupIds = [...ids];
    const { maxLength } = adds[0]!.plan;
    return timeline.update(
      target.key,
      groupIds,
      (current) => {
        // Runs once per commit (and again after a conflict): no closure or spread per group.
        const before = new Map<string, GroupRecord<E> | undefined>();
        for (let i = 0; i < groupIds.length; i++) {
          const entry = current[i];
          before.set(groupIds[i]!, entry === undefined ? undefined : decode(target.key, entry));
        }
        // null: emptied by a move (removed from the feed).
        const after = new Map<string, GroupRecord<E> | null>();
        const merged = new Set<string>();
        const added: number[] = [];
        const changed: string[][] = [];
        for (const add of adds) {
          let count = 0;
          const touched = new Set<string>();
          for (const [id, ids] of add.moves) {
            const record = (after.has(id) ? after.get(id) : before.get(id)) ?? undefined;
            const moved = record === undefined ? undefined : removeFromGroup(record, ids);
            if (record === undefined || moved === undefined) continue;
            count -= heldOf(record).filter((m) => ids.has(m.id)).length;
            after.set(id, moved);
            touched.add(id);
          }
          for (const g of add.batch.groups) {
            const base = (after.has(g.id) ? after.get(g.id) : before.get(g.id)) ?? undefined;
            const next = mergeIntoGroup(base, g.id, g.group, g.activities, limits);
            if (!next) continue;
            count += next.activityCount - (base?.activityCount ?? 0);
            after.set(g.id, next);
            merged.add(g.id);
            touched.add(g.id);
          }
          added.push(Math.max(0, count));
          changed.push([...touched]);
        }
        const put: TimelineEntry[] = [];
        const remove: string[] = [];
        const marked: string[] = [];
        for (const [id, record] of after) {
          if (!record) {
            remove.push(id);
            continue;
          }
          put.push(toEntry(target.key, record));
          if (merged.has(id)) marked.push(id);
        }
        const changes: { put: TimelineEntry[]; remove?: string[]; mark?: TimelineChanges['mark'] } =
          { put };
        if (remove.length > 0) changes.remove = remove;
        if (marked.length > 0 && hooks.markOnChange.length > 0) changes.mark = markSpec(marked);
        return { changes, result: { added, changed } };
      },
      maxLength === undefined ? undefined : { maxLength },
    );
  };

  const writer: GroupWriter<E> = {
    prepare(input) {
      const activities = checkActivities<E>(config, input);
      // Denormalized groups hold whole activities: each must pass the serializer (its size limit)
      // as it would in activity storage, before anything is written.
      if (!normalized) for (const a of activities) config.serializer.encodeActivity(a);
      const groups = new Map<string, { id: string; group: string; activities: Activity<E>[] }>();
      for (const activity of activities) {
        const group = keyOf(activity);
        const id = groupIdOf(group);
        const entry = groups.get(id);
        if (entry) entry.activities.push(activity);
        else groups.set(id, { id, group, activities: [activity] });
      }
      return { activities, groups: [...groups.values()] };
    },

    async storeOnce(batch, options) {
      if (normalized && options?.storeActivities !== false)
        await storeActivities(config, batch.activities);
    },

    addBatch(target, batch, options) {
      if (batch.groups.length === 0) return Promise.resolve(0);
      return new Promise<number>((resolve, reject) => {
        const add: PendingAdd<E> = {
          batch,
          plan: trimPlan(config, options?.trim),
          moves: movesOf(batch, options?.previous),
          resolve,
          reject,
        };
        const waiting = pending.get(target.key);
        if (waiting) waiting.push(add);
        else {
          pending.set(target.key, [add]);
          void commitInTurns(target);
        }
      });
    },

    async scanGroups(key) {
      return (await scanFeed(config, key)).map((e) => decodeGroupEntry<E>(config, key, e));
    },

    locate: (items) => locateActivities(config, items, keyOf, what),

    async targetsIn(key, located) {
      if (located.unresolved.length === 0) return new Map(located.byGroup);
      return targetsAmong(await writer.scanGroups(key), located);
    },

    async removeWhere(target, groupIds, select) {
      if (groupIds.length === 0) return 0;
      const { removed, changed } = await timeline.update(target.key, groupIds, (current) => {
        const put: TimelineEntry[] = [];
        const remove: string[] = [];
        let removed = 0;
        for (const entry of current) {
          if (entry === undefined) continue;
          const before = decode(target.key, entry);
          const ids = select(before);
          const after = removeFromGroup(before, ids);
          if (after === undefined) continue;
          removed += heldOf(before).filter((m) => ids.has(m.id)).length;
          if (after === null) remove.push(before.id);
          else put.push(toEntry(target.key, after));
        }
        const changed = [...remove, ...put.map((e) => e.id)];
        return { changes: { put, remove }, result: { removed, changed } };
      });
      emitMetric(config.metrics, 'onFeedRemove', { feed: config.name, count: removed });
      if (removed > 0) await writer.notify(target, 'remove', changed);
      return removed;
    },

    async removeLocated(target, located) {
      const targets = await writer.targetsIn(target.key, located);
      return writer.removeWhere(target, [...targets.keys()], (r) => targets.get(r.id) ?? new Set());
    },

    async putGroups(target, records, options) {
      if (records.length === 0) return 0;
      const unique = [...new Map(records.map((r) => [r.id, r])).values()];
      if (normalized && options?.storeActivities !== false) {
        await storeActivities(
          config,
          unique.flatMap((r) => copiedActivities(r)),
        );
      }
      // Stored without their activities when normalized (members keep ids and actors).
      const stored = unique.map((r) => storedForm(r, normalized));
      const plan = trimPlan(config, options?.trim);
      const put = stored.map((r) => toEntry(target.key, r));
      const ids = put.map((e) => e.id);
      await timeline.update(
        target.key,
        ids,
        () => ({
          changes: hooks.markOnChange.length > 0 ? { put, mark: markSpec(ids) } : { put },
          result: undefined,
        }),
        plan.maxLength === undefined ? undefined : { maxLength: plan.maxLength },
      );
      if (plan.trimAfter[0]) await timeline.trim(target.key, config.maxLength);
      emitMetric(config.metrics, 'onFeedWrite', {
        feed: config.name,
        count: stored.reduce((n, r) => n + r.members.length, 0),
      });
      await writer.notify(target, 'add', ids);
      return stored.length;
    },

    async removeGroups(target, groupIds) {
      const ids = [...new Set(groupIds)];
      if (ids.length === 0) return 0;
      const removed = await timeline.remove(target.key, ids);
      emitMetric(config.metrics, 'onFeedRemove', { feed: config.name, count: removed });
      if (removed > 0) await writer.notify(target, 'remove', ids);
      return removed;
    },

    notify(target, reason, ids) {
      return hooks.afterChange ? hooks.afterChange(target, reason, ids) : Promise.resolve();
    },

    cachedCharacters: () => recent.characters,
  };
  return Object.freeze(writer);
}

/**
 * The write side of aggregated and notification feeds: merging a batch into one feed and removing
 * activities from it, each as one atomic `TimelineStorage.update`. Internal to the feeds layer.
 * @module
 */
import { type Activity, assertActivity } from '../../activity/activity.js';
import { assertId, groupIdOf, type Id, show } from '../../activity/ids.js';
import type { ExtraData } from '../../activity/json.js';
import { type GroupRecord, mergeIntoGroup, removeFromGroup } from '../../aggregation/group.js';
import { SerializationError, ValidationError } from '../../errors.js';
import { emitMetric } from '../../metrics/metrics.js';
import type { TimelineChanges, TimelineEntry } from '../../storage/contracts.js';
import { checkActivities, idsOf, trimPlan, type WriteOptions } from '../feed-config.js';
import { decodeStored, storeActivities } from '../hydrate.js';
import { checkGroupNumbers } from './bounds.js';
import { decodeGroupEntry } from './decode.js';
import { RecentGroups } from './recent-groups.js';
import type {
  AggregatedGroup,
  FeedTarget,
  GroupFeedChangeReason,
  GroupFeedHooks,
  GroupFeedSettings,
} from './types.js';

const MAX_GROUP_KEY_LENGTH = 1024;

/** The activities a record made by `prepareGroups` carries. */
function copiedActivities<E extends ExtraData>(record: GroupRecord<E>): Activity<E>[] {
  return record.members.flatMap((m) => (m.activity ? [m.activity] : []));
}

/** Every activity a group holds: retained members, then the minimized ones it remembers. */
export function heldOf(record: GroupRecord<ExtraData>): readonly { id: string; actor: Id }[] {
  return record.minimized ? [...record.members, ...record.minimized] : record.members;
}

/** Validated activities of one write, grouped by group id. */
export interface GroupBatch<E extends ExtraData> {
  readonly activities: readonly Activity<E>[];
  readonly groups: readonly {
    readonly id: string;
    readonly group: string;
    readonly activities: readonly Activity<E>[];
  }[];
}

/** Activities to remove, by group id; `unresolved` ids must be looked for in each feed. */
export interface Located {
  readonly byGroup: ReadonlyMap<string, ReadonlySet<string>>;
  readonly unresolved: readonly string[];
}

/** The write operations of a group feed kind (see {@link createGroupWriter}). */
export interface GroupWriter<E extends ExtraData> {
  /** Validates activities and groups them; throws before anything is written. */
  prepare(input: readonly Activity<E>[]): GroupBatch<E>;
  /** Stores the batch's activities in activity storage when the feed is normalized. */
  storeOnce(batch: GroupBatch<E>, options: WriteOptions | undefined): Promise<void>;
  /** Merges a batch into one feed atomically; returns how many activities were new to it. */
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
  /** Checks groups read from a feed and turns them into records; throws before anything is written. */
  prepareGroups(groups: readonly AggregatedGroup<E>[]): GroupRecord<E>[];
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
  K extends 'aggregated' | 'notification',
>(settings: GroupFeedSettings<E>, hooks: GroupFeedHooks<E, G, K>): GroupWriter<E> {
  const { config, normalized, aggregator, limits } = settings;
  const { timeline } = config.storage;
  const what = `feed ${config.name}`;

  const groupKeyOf = (activity: Activity<E>): string => {
    const key = aggregator.groupKey(activity);
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_GROUP_KEY_LENGTH) {
      throw new ValidationError(
        'INVALID_OPTION',
        `${what}: aggregator ${aggregator.name} must return a group key of 1 to ${MAX_GROUP_KEY_LENGTH} characters, got ${show(key)}`,
        { details: { option: 'aggregator' } },
      );
    }
    return key;
  };

  const toEntry = (record: GroupRecord<E>): TimelineEntry => {
    const score = aggregator.rank ? aggregator.rank(record) : record.updatedAt;
    if (!Number.isSafeInteger(score)) {
      throw new ValidationError(
        'INVALID_OPTION',
        `${what}: aggregator ${aggregator.name} must rank groups with safe integers, got ${score}`,
        { details: { option: 'aggregator' } },
      );
    }
    const payload = config.serializer.encodeGroup(record);
    recent.set(payload, record);
    return { id: record.id, score, payload };
  };

  // The groups this writer encoded last, by payload, within `groupCacheCharacters`.
  const recent = new RecentGroups<E>(settings.groupCacheCharacters);
  const decode = (key: string, entry: TimelineEntry): GroupRecord<E> =>
    (entry.payload !== undefined && recent.get(entry.payload)) ||
    decodeGroupEntry<E>(config, key, entry);

  /**
   * A group read from a feed (`AggregatedGroup`) as a record of this feed: its retained
   * activities (those that could be loaded), its counts, actors and times. The group key must be
   * the one this feed's aggregator gives each activity, and the id must be derived from it.
   */
  const groupToRecord = (g: AggregatedGroup<E>): GroupRecord<E> => {
    const bad = (reason: string): ValidationError =>
      new ValidationError(
        'INVALID_ACTIVITY',
        `${what}: cannot add group ${show(g?.id)}: ${reason}`,
        {
          details: { field: 'group' },
        },
      );
    if (typeof g !== 'object' || g === null) throw bad('not a group object');
    if (typeof g.group !== 'string' || g.id !== groupIdOf(g.group))
      throw bad('its id is not the id of its group key');
    if (!Array.isArray(g.activities) || g.activities.length === 0)
      throw bad('it holds no activities');
    const activities = g.activities.map((a) => assertActivity<E>(a, config.verbs));
    for (const a of activities) {
      if (groupKeyOf(a) !== g.group) {
        throw bad(`activity ${a.id} belongs to group ${show(groupKeyOf(a))} in this feed`);
      }
    }
    const actors = Array.isArray(g.actors) ? g.actors.map((a) => assertId(a, 'actor')) : [];
    const members = [...new Map(activities.map((a) => [a.id, a])).values()]
      .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, limits.maxActivities);
    const n = checkGroupNumbers(g, members.length, `${what}: cannot add group ${show(g.id)}`);
    const tracked = [...new Set(actors)].slice(0, limits.maxTrackedActors);
    return {
      id: g.id,
      group: g.group,
      members: members.map((a) => ({ id: a.id, actor: a.actor, activity: a })),
      activityCount: n.activityCount,
      actors: tracked,
      actorOverflow: Math.max(0, n.actorCount - tracked.length),
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
    };
  };

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
        was = groupIdOf(groupKeyOf(old as Activity<E>));
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

  const writer: GroupWriter<E> = {
    prepare(input) {
      const activities = checkActivities<E>(config, input);
      // Denormalized groups hold whole activities: each must pass the serializer (its size limit)
      // as it would in activity storage, before anything is written.
      if (!normalized) for (const a of activities) config.serializer.encodeActivity(a);
      const groups = new Map<string, { id: string; group: string; activities: Activity<E>[] }>();
      for (const activity of activities) {
        const group = groupKeyOf(activity);
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

    async addBatch(target, batch, options) {
      if (batch.groups.length === 0) return 0;
      const plan = trimPlan(config, options?.trim);
      const moves = movesOf(batch, options?.previous);
      const groupIds = [...new Set([...batch.groups.map((g) => g.id), ...moves.keys()])];
      const { added, changed } = await timeline.update(
        target.key,
        groupIds,
        (current) => {
          const before = new Map<string, GroupRecord<E> | undefined>();
          groupIds.forEach((id, i) => {
            const entry = current[i];
            before.set(id, entry === undefined ? undefined : decode(target.key, entry));
          });
          // null: emptied by a move (removed from the feed).
          const after = new Map<string, GroupRecord<E> | null>();
          const latest = (id: string) => (after.has(id) ? after.get(id) : before.get(id));
          let added = 0;
          for (const [id, ids] of moves) {
            const record = before.get(id);
            const moved = record === undefined ? undefined : removeFromGroup(record, ids);
            if (record === undefined || moved === undefined) continue;
            added -= heldOf(record).filter((m) => ids.has(m.id)).length;
            after.set(id, moved);
          }
          const merged: string[] = [];
          for (const g of batch.groups) {
            const base = latest(g.id) ?? undefined;
            const next = mergeIntoGroup(base, g.id, g.group, g.activities, limits);
            if (!next) continue;
            added += next.activityCount - (base?.activityCount ?? 0);
            after.set(g.id, next);
            merged.push(g.id);
          }
          const put: TimelineEntry[] = [];
          const remove: string[] = [];
          for (const [id, record] of after) {
            if (record) put.push(toEntry(record));
            else remove.push(id);
          }
          const changes: TimelineChanges = {
            put,
            ...(remove.length > 0 ? { remove } : {}),
            ...(merged.length > 0 && hooks.markOnChange.length > 0
              ? { mark: Object.fromEntries(hooks.markOnChange.map((m) => [m, merged])) }
              : {}),
          };
          return { changes, result: { added: Math.max(0, added), changed: [...after.keys()] } };
        },
        plan.maxLength === undefined ? undefined : { maxLength: plan.maxLength },
      );
      const trimmed = plan.trimAfter ? await timeline.trim(target.key, config.maxLength) : 0;
      emitMetric(config.metrics, 'onFeedWrite', { feed: config.name, count: added });
      if (changed.length > 0) await writer.notify(target, 'add', changed);
      else if (trimmed > 0) await writer.notify(target, 'trim', []);
      return added;
    },

    async scanGroups(key) {
      const count = await timeline.count(key);
      if (count === 0) return [];
      const entries = await timeline.range(key, { limit: count, order: 'desc' });
      return entries.map((e) => decodeGroupEntry<E>(config, key, e));
    },

    async locate(items) {
      if (!Array.isArray(items)) {
        throw new ValidationError('INVALID_ID', `${what}: expected an array of activities or ids`);
      }
      const byGroup = new Map<string, Set<string>>();
      const add = (groupId: string, id: string): void => {
        const set = byGroup.get(groupId);
        if (set) set.add(id);
        else byGroup.set(groupId, new Set([id]));
      };
      const bare: string[] = [];
      for (const item of items) {
        if (typeof item === 'object' && item !== null) {
          const activity = assertActivity<E>(item);
          add(groupIdOf(groupKeyOf(activity)), activity.id);
        } else bare.push(idsOf([item], what)[0]!);
      }
      const unique = [...new Set(bare)];
      const unresolved: string[] = [];
      const payloads = unique.length > 0 ? await config.storage.activities.getMany(unique) : [];
      unique.forEach((id, i) => {
        const payload = payloads[i];
        if (payload === undefined) {
          unresolved.push(id);
          return;
        }
        const key = `${config.storage.activities.name} activity storage`;
        let activity: Activity<E>;
        try {
          activity = decodeStored<E>(config.serializer, payload, key, id);
        } catch (error) {
          // A corrupt stored copy must not make the activity impossible to remove: look for it.
          if (!(error instanceof SerializationError)) throw error;
          unresolved.push(id);
          return;
        }
        add(groupIdOf(groupKeyOf(activity)), id);
      });
      return { byGroup, unresolved };
    },

    async targetsIn(key, located) {
      const targets = new Map<string, ReadonlySet<string>>(located.byGroup);
      if (located.unresolved.length === 0) return targets;
      const wanted = new Set(located.unresolved);
      for (const record of await writer.scanGroups(key)) {
        const hits = heldOf(record)
          .filter((m) => wanted.has(m.id))
          .map((m) => m.id);
        if (hits.length === 0) continue;
        targets.set(record.id, new Set([...(targets.get(record.id) ?? []), ...hits]));
      }
      return targets;
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
          else put.push(toEntry(after));
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

    prepareGroups(groups) {
      if (!Array.isArray(groups)) {
        throw new ValidationError('INVALID_ACTIVITY', `${what}: expected an array of groups`);
      }
      const records = groups.map((g) => groupToRecord(g));
      const activities = records.flatMap((r) =>
        r.members.flatMap((m) => (m.activity ? [m.activity] : [])),
      );
      if (!normalized) for (const a of activities) config.serializer.encodeActivity(a);
      return records;
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
      const stored = unique.map((r) =>
        normalized ? { ...r, members: r.members.map((m) => ({ id: m.id, actor: m.actor })) } : r,
      );
      const plan = trimPlan(config, options?.trim);
      const put = stored.map((r) => toEntry(r));
      const ids = put.map((e) => e.id);
      await timeline.update(
        target.key,
        ids,
        () => ({
          changes:
            hooks.markOnChange.length > 0
              ? { put, mark: Object.fromEntries(hooks.markOnChange.map((m) => [m, ids])) }
              : { put },
          result: undefined,
        }),
        plan.maxLength === undefined ? undefined : { maxLength: plan.maxLength },
      );
      if (plan.trimAfter) await timeline.trim(target.key, config.maxLength);
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

    async notify(target, reason, ids) {
      if (hooks.afterChange) await hooks.afterChange(target, reason, ids);
    },

    cachedCharacters: () => recent.characters,
  };
  return Object.freeze(writer);
}

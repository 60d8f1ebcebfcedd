/**
 * `manager.foreign` (see {@link ForeignIds}): lookups by foreignId (and time), partial updates of
 * `extra` and removal everywhere, on the manager's own publish and removal paths. Built by
 * `createManager`, which hands in those paths.
 * @module
 */
import { type Activity, assertActivity, foreignActivityId } from '../activity/activity.js';
import { foreignIdField, toTimeMs } from '../activity/fields.js';
import type { Id } from '../activity/ids.js';
import type { ExtraData } from '../activity/json.js';
import { ValidationError } from '../errors.js';
import { userIdString } from '../feeds/keys.js';
import type { ActivityStores } from '../manager/activity-stores.js';
import type { ManagerConfig } from '../manager/options.js';
import { ownerOf } from '../manager/ownership.js';
import { combineBatches, type TaskBatch } from '../queue/task-queue.js';
import type { TimelineEntry } from '../storage/contracts.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { show } from '../validation/show.js';
import { intOptionOr } from '../validation/values.js';
import { applyExtraChanges, checkExtraChanges } from './extra-changes.js';
import { type ForeignIndex, writeIndex } from './foreign-index.js';
import type {
  ForeignFindOptions,
  ForeignIds,
  ForeignMatches,
  ForeignRef,
  ForeignRemoval,
  ForeignUpdate,
} from './types.js';

/** Largest `limit` of `find`, and the page size `remove` walks the index with. */
export const MAX_FIND_LIMIT = 1000;
const FIND_KEYS = optionKeys<ForeignFindOptions>({ limit: true });
const REF_KEYS = optionKeys<ForeignRef>({ foreignId: true, time: true });

/** What the manager hands to {@link createForeignIds}: its configuration and its own paths. */
export interface ForeignDeps<E extends ExtraData> {
  readonly config: ManagerConfig<E>;
  readonly stores: ActivityStores<E>;
  readonly index: ForeignIndex;
  /** Runs one call as the manager does (refused once closed, counted, traced). */
  run<R>(where: string, span: string, body: (trace: string | undefined) => Promise<R>): Promise<R>;
  /** The manager's update path for an activity `userId` owns (checks, stores, fans out). */
  publish(userId: string, activity: Activity<E>, trace: string | undefined): Promise<TaskBatch>;
  /** The manager's removal path; `reach` is told how many feeds the removal addresses. */
  remove(
    userId: string,
    id: string,
    trace: string | undefined,
    reach: (feeds: number) => void,
  ): Promise<TaskBatch>;
}

/** Builds a manager's {@link ForeignIds}. */
export function createForeignIds<E extends ExtraData>(deps: ForeignDeps<E>): ForeignIds<E> {
  const { config, stores, index } = deps;
  const { userFeed } = config;
  /** Updates and removals in flight per activity: the next one on the same activity waits. */
  const busy = new Map<string, Promise<unknown>>();

  /**
   * Runs `fn` once every earlier call on the same activity (foreignId and time) settled: in this
   * manager, an update reads the previous update's result, and an update never resurrects an
   * activity a removal took away (it finds nothing: `NOT_FOUND`).
   */
  async function exclusive<R>(foreignId: string, timeMs: number, fn: () => Promise<R>): Promise<R> {
    const key = `${timeMs}\u0000${foreignId}`;
    const mine = (busy.get(key) ?? Promise.resolve()).catch(() => {}).then(fn);
    busy.set(key, mine);
    try {
      return await mine;
    } finally {
      if (busy.get(key) === mine) busy.delete(key);
    }
  }

  /** The stored activities among `entries` (index entries: payload = owner), by id. */
  async function resolve(
    foreignId: string,
    entries: readonly TimelineEntry[],
  ): Promise<Map<string, Activity<E>>> {
    const ids = entries.map((e) => e.id);
    const found = await stores.lookup(undefined, ids);
    if (!userFeed.normalized) {
      // Denormalized user feeds: the rest is read from each owner's user feed.
      const byOwner = new Map<string, string[]>();
      for (const e of entries) {
        if (found.has(e.id) || e.payload === undefined) continue;
        byOwner.set(e.payload, [...(byOwner.get(e.payload) ?? []), e.id]);
      }
      for (const [owner, owned] of byOwner) {
        for (const [id, a] of await stores.lookup(owner, owned)) found.set(id, a);
      }
    }
    for (const [id, a] of found) if (a.foreignId !== foreignId) found.delete(id);
    return found;
  }

  async function get(ref: ForeignRef): Promise<Activity<E> | undefined> {
    const { foreignId, timeMs } = checkRef(ref);
    const ids = [
      foreignActivityId(foreignId, timeMs),
      foreignActivityId(foreignId, timeMs, 'legacy'),
    ];
    const matches = (found: Map<string, Activity<E>>) =>
      ids
        .map((id) => found.get(id))
        .find((a) => a?.foreignId === foreignId && a.time.getTime() === timeMs);
    const direct = matches(await stores.lookup(undefined, ids));
    if (direct !== undefined || userFeed.normalized) return direct;
    const entries = await index.timeline.get(index.keyOf(foreignId), ids);
    return matches(
      await resolve(
        foreignId,
        entries.filter((e) => e !== undefined),
      ),
    );
  }

  async function find(
    foreignId: unknown,
    options: ForeignFindOptions | undefined,
  ): Promise<ForeignMatches<E>> {
    const fid = checkForeignId(foreignId);
    const o = checkOptions<ForeignFindOptions>(options, FIND_KEYS, 'manager.foreign.find', true);
    const limit = intOptionOr(o.limit, 100, 'limit', 1, MAX_FIND_LIMIT);
    const entries = await index.timeline.range(index.keyOf(fid), {
      limit: limit + 1,
      order: 'desc',
    });
    const page = entries.slice(0, limit);
    const found = await resolve(fid, page);
    const items: Activity<E>[] = [];
    const missing: string[] = [];
    for (const e of page) {
      const a = found.get(e.id);
      if (a) items.push(a);
      else missing.push(e.id);
    }
    return { items, missing, more: entries.length > limit };
  }

  async function update(
    userId: Id,
    ref: ForeignRef,
    changes: unknown,
    trace: string | undefined,
  ): Promise<ForeignUpdate<E>> {
    const where = 'manager.foreign.update';
    const uid = userIdString(userId);
    const patch = checkExtraChanges(changes, where);
    const { foreignId, timeMs } = checkRef(ref);
    return exclusive(foreignId, timeMs, async () => {
      const stored = await get({ foreignId, time: timeMs });
      if (stored === undefined) {
        throw new ValidationError(
          'NOT_FOUND',
          `${where}: no activity with foreignId ${show(foreignId)} at ${new Date(timeMs).toISOString()}; nothing was written`,
          { details: { foreignId, time: timeMs } },
        );
      }
      checkOwner(uid, stored, where);
      const next = assertActivity<E>(
        { ...stored, extra: applyExtraChanges(stored.extra, patch) },
        undefined,
        { maxTo: userFeed.config.maxTo },
      );
      checkOwner(uid, next, where); // an ownerOf that reads extra cannot be moved to another user
      const batch = await deps.publish(uid, next, trace);
      return Object.freeze({
        activityId: next.id,
        activity: next,
        ids: batch.ids,
        total: batch.total,
        completed: () => batch.completed(),
        done: () => batch.done(),
      });
    });
  }

  function checkOwner(uid: string, activity: Activity<E>, where: string): void {
    const owner = ownerOf(config, activity);
    if (owner === uid) return;
    throw new ValidationError(
      'NOT_OWNER',
      `${where}: activity ${activity.id} belongs to user ${show(owner)}, not to user ${show(uid)}; nothing was written`,
      { details: { activityId: activity.id, owner, userId: uid } },
    );
  }

  async function remove(
    userId: Id,
    foreignId: unknown,
    trace: string | undefined,
  ): Promise<ForeignRemoval> {
    const uid = userIdString(userId);
    const fid = checkForeignId(foreignId);
    const key = index.keyOf(fid);
    const batches: TaskBatch[] = [];
    const activityIds: string[] = [];
    let feeds = 0;
    let notOwned = 0;
    let stale = 0;
    let max: TimelineEntry | undefined;
    for (;;) {
      const page = await index.timeline.range(key, {
        limit: MAX_FIND_LIMIT,
        order: 'desc',
        max: max && { score: max.score, id: max.id, inclusive: false },
      });
      if (page.length === 0) break;
      max = page[page.length - 1];
      const found = await resolve(fid, page);
      for (const e of page) {
        const activity = found.get(e.id);
        const owner = activity ? ownerOf(config, activity) : e.payload;
        if (owner !== uid) {
          notOwned++;
          continue;
        }
        // The feeds and activity storage first (the manager's order), the index entry last:
        // until it is gone, a retry finds the activity again.
        const removal = await exclusive(fid, e.score, async () => {
          const batch = await deps.remove(uid, e.id, trace, (n) => (feeds += activity ? n : 0));
          await index.timeline.remove(key, [e.id]);
          return batch;
        });
        batches.push(removal);
        if (activity) activityIds.push(e.id);
        else stale++;
      }
      if (page.length < MAX_FIND_LIMIT) break;
    }
    const batch = combineBatches(batches);
    return Object.freeze({
      foreignId: fid,
      activityIds: Object.freeze(activityIds),
      feeds,
      notOwned,
      stale,
      ids: batch.ids,
      total: batch.total,
      completed: () => batch.completed(),
      done: () => batch.done(),
    });
  }

  async function reindex(userId: Id): Promise<{ read: number; indexed: number }> {
    const uid = userIdString(userId);
    const feed = userFeed.for(uid);
    const limit = userFeed.config.maxPageSize;
    let read = 0;
    let indexed = 0;
    let cursor: string | undefined;
    do {
      const page = await feed.read({ limit, cursor });
      const owned = page.items.filter(
        (a) => a.foreignId !== undefined && ownerOf(config, a) === uid,
      );
      await writeIndex(index, owned, (a) => ownerOf(config, a));
      read += page.items.length;
      indexed += owned.length;
      cursor = page.next;
    } while (cursor !== undefined);
    return { read, indexed };
  }

  return Object.freeze({
    get: (ref: ForeignRef) => deps.run('foreign.get', 'foreign.get', () => get(ref)),
    find: (foreignId: string, options?: ForeignFindOptions) =>
      deps.run('foreign.find', 'foreign.find', () => find(foreignId, options)),
    update: (userId: Id, ref: ForeignRef, changes: unknown) =>
      deps.run('foreign.update', 'foreign.update', (trace) => update(userId, ref, changes, trace)),
    reindex: (userId: Id) => deps.run('foreign.reindex', 'foreign.reindex', () => reindex(userId)),
    remove: (userId: Id, foreignId: string) =>
      deps.run('foreign.remove', 'foreign.remove', (trace) => remove(userId, foreignId, trace)),
  });
}

function checkForeignId(value: unknown): string {
  const fid = foreignIdField(value, false);
  if (fid === undefined) {
    throw new ValidationError('INVALID_ACTIVITY', 'a foreignId is required', {
      details: { field: 'foreignId' },
    });
  }
  return fid;
}

/** Checks a {@link ForeignRef}: each field read once. */
function checkRef(ref: unknown): { foreignId: string; timeMs: number } {
  const o = checkOptions<ForeignRef>(ref, REF_KEYS, 'foreign reference');
  const { foreignId, time } = o;
  return { foreignId: checkForeignId(foreignId), timeMs: toTimeMs(time) };
}

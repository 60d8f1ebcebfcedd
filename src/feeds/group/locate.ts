/**
 * Finding the groups that hold activities to remove: from the activity itself, else from its
 * stored copy in activity storage, else by scanning the feed. Internal to the feeds layer.
 * @module
 */
import { type Activity, assertActivity } from '../../activity/activity.js';
import { groupIdOf, type Id } from '../../activity/ids.js';
import type { ExtraData } from '../../activity/json.js';
import type { GroupRecord } from '../../aggregation/group.js';
import { SerializationError, ValidationError } from '../../errors.js';
import { type FeedConfig, idsOf } from '../feed-config.js';
import { decodeStored } from '../hydrate.js';

/** Activities to remove, by group id; `unresolved` ids must be looked for in each feed. */
export interface Located {
  readonly byGroup: ReadonlyMap<string, ReadonlySet<string>>;
  readonly unresolved: readonly string[];
}

/** Every activity a group holds: retained members, then the minimized ones it remembers. */
export function heldOf(record: GroupRecord<ExtraData>): readonly { id: string; actor: Id }[] {
  return record.minimized ? [...record.members, ...record.minimized] : record.members;
}

/**
 * Finds the group of each activity or id: an activity gives its group key; an id is looked up in
 * activity storage (one batch), and is left `unresolved` when missing or stored corrupt (so that
 * it can still be removed). Throws `INVALID_ID`/`INVALID_ACTIVITY` for bad input.
 */
export async function locateActivities<E extends ExtraData>(
  config: FeedConfig,
  items: readonly (Activity<E> | string)[],
  groupKeyOf: (activity: Activity<E>) => string,
  what: string,
): Promise<Located> {
  if (!Array.isArray(items)) {
    throw new ValidationError('INVALID_ID', `${what}: expected an array of activities or ids`);
  }
  const byGroup = new Map<string, Set<string>>();
  const add = (activity: Activity<E>, id: string): void => {
    const groupId = groupIdOf(groupKeyOf(activity));
    const set = byGroup.get(groupId);
    if (set) set.add(id);
    else byGroup.set(groupId, new Set([id]));
  };
  const bare: string[] = [];
  for (const item of items) {
    if (typeof item === 'object' && item !== null) {
      const activity = assertActivity<E>(item);
      add(activity, activity.id);
    } else bare.push(idsOf([item], what)[0]!);
  }
  const unique = [...new Set(bare)];
  const unresolved: string[] = [];
  const payloads = unique.length > 0 ? await config.storage.activities.getMany(unique) : [];
  const where = `${config.storage.activities.name} activity storage`;
  unique.forEach((id, i) => {
    const payload = payloads[i];
    if (payload === undefined) {
      unresolved.push(id);
      return;
    }
    let activity: Activity<E>;
    try {
      activity = decodeStored<E>(config.serializer, payload, where, id);
    } catch (error) {
      // A corrupt stored copy must not make the activity impossible to remove: look for it.
      if (!(error instanceof SerializationError)) throw error;
      unresolved.push(id);
      return;
    }
    add(activity, id);
  });
  return { byGroup, unresolved };
}

/** `located` plus, for its unresolved ids, the groups among `records` (a feed's) that hold them. */
export function targetsAmong(
  records: readonly GroupRecord<ExtraData>[],
  located: Located,
): Map<string, ReadonlySet<string>> {
  const targets = new Map<string, ReadonlySet<string>>(located.byGroup);
  const wanted = new Set(located.unresolved);
  for (const record of records) {
    const hits = heldOf(record)
      .filter((m) => wanted.has(m.id))
      .map((m) => m.id);
    if (hits.length === 0) continue;
    targets.set(record.id, new Set([...(targets.get(record.id) ?? []), ...hits]));
  }
  return targets;
}

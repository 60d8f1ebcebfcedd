/**
 * Decoding stored groups and turning them into what group feed reads return. Internal to the
 * feeds layer.
 * @module
 */
import type { Activity } from '../../activity/activity.js';
import type { ExtraData } from '../../activity/json.js';
import { actorCountOf, type GroupRecord } from '../../aggregation/group.js';
import { SerializationError } from '../../errors.js';
import type { TimelineEntry } from '../../storage/contracts.js';
import type { FeedConfig } from '../feed-config.js';
import { hydrate } from '../hydrate.js';
import type { AggregatedGroup } from './types.js';

/** Decodes the group held by a timeline entry; a {@link SerializationError} names key and id. */
export function decodeGroupEntry<E extends ExtraData>(
  config: FeedConfig,
  key: string,
  entry: TimelineEntry,
): GroupRecord<E> {
  if (entry.payload === undefined) {
    throw new SerializationError(
      `cannot decode payload at key ${JSON.stringify(key)}, id ${JSON.stringify(entry.id)}: an aggregated group entry has no payload`,
      { details: { key, id: entry.id } },
    );
  }
  const record = config.serializer.decodeGroup<E>(entry.payload, { key, id: entry.id });
  if (record.id !== entry.id) {
    throw new SerializationError(
      `cannot decode payload at key ${JSON.stringify(key)}, id ${JSON.stringify(entry.id)}: it holds group ${JSON.stringify(record.id)}`,
      { details: { key, id: entry.id } },
    );
  }
  return record;
}

/**
 * Decodes entries and hydrates the members that carry no activity (normalized groups) in one
 * activity-storage batch. Missing activities are skipped and reported; a group none of whose
 * activities could be loaded is left out of `groups`.
 */
export async function loadGroups<E extends ExtraData>(
  config: FeedConfig,
  key: string,
  entries: readonly TimelineEntry[],
): Promise<{ groups: AggregatedGroup<E>[]; missing: string[] }> {
  const records = entries.map((e) => decodeGroupEntry<E>(config, key, e));
  const wanted = records.flatMap((r) =>
    r.members.filter((m) => m.activity === undefined).map((m) => m.id),
  );
  const { found, missing } = await hydrate<E>(config, wanted);
  const groups: AggregatedGroup<E>[] = [];
  records.forEach((record, i) => {
    const group = viewOf(record, entries[i]!.score, found);
    if (group) groups.push(group);
  });
  return { groups, missing };
}

function viewOf<E extends ExtraData>(
  record: GroupRecord<E>,
  score: number,
  found: ReadonlyMap<string, Activity<E>>,
): AggregatedGroup<E> | undefined {
  const activities: Activity<E>[] = [];
  for (const m of record.members) {
    const activity = m.activity ?? found.get(m.id);
    if (activity) activities.push(activity);
  }
  const newest = activities[0];
  if (!newest) return undefined;
  return Object.freeze({
    id: record.id,
    group: record.group,
    activities: Object.freeze(activities),
    activityIds: Object.freeze(record.members.map((m) => m.id)),
    activityCount: record.activityCount,
    actorCount: actorCountOf(record),
    actors: Object.freeze([...record.actors]),
    verb: newest.verb,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
    score,
  });
}

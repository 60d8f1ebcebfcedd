/**
 * Copies of groups read from a feed (`addGroups`, the original's `add_many_aggregated`): checking
 * each group against this feed's aggregator and turning it into a record. Internal to the feeds
 * layer.
 * @module
 */
import { type Activity, assertActivity } from '../../activity/activity.js';
import { assertId, groupIdOf, show } from '../../activity/ids.js';
import type { ExtraData } from '../../activity/json.js';
import type { GroupRecord } from '../../aggregation/group.js';
import { ValidationError } from '../../errors.js';
import { groupKeyOf } from './aggregator-checks.js';
import { checkGroupNumbers } from './bounds.js';
import type { AggregatedGroup, GroupFeedSettings } from './types.js';

/**
 * Checks groups read from a feed and turns them into records of this feed (their retained
 * activities ride along in the members); throws before anything is written: `INVALID_ACTIVITY`
 * for a group that is not one of this feed's aggregator, a serializer error for an activity a
 * denormalized feed could not store.
 */
export function prepareGroupCopies<E extends ExtraData>(
  settings: GroupFeedSettings<E>,
  groups: readonly AggregatedGroup<E>[],
  what: string,
): GroupRecord<E>[] {
  if (!Array.isArray(groups)) {
    throw new ValidationError('INVALID_ACTIVITY', `${what}: expected an array of groups`);
  }
  const records = groups.map((g) => recordOf(settings, g, what));
  if (!settings.normalized) {
    for (const r of records)
      for (const a of copiedActivities(r)) settings.config.serializer.encodeActivity(a);
  }
  return records;
}

/** The activities a record made by {@link prepareGroupCopies} carries. */
export function copiedActivities<E extends ExtraData>(record: GroupRecord<E>): Activity<E>[] {
  return record.members.flatMap((m) => (m.activity ? [m.activity] : []));
}

/** A record as a feed stores it: members without their activities when the feed is normalized. */
export function storedForm<E extends ExtraData>(
  record: GroupRecord<E>,
  normalized: boolean,
): GroupRecord<E> {
  return normalized
    ? { ...record, members: record.members.map((m) => ({ id: m.id, actor: m.actor })) }
    : record;
}

/**
 * A group read from a feed (`AggregatedGroup`) as a record of this feed: its retained
 * activities (those that could be loaded), its counts, actors and times. The group key must be
 * the one this feed's aggregator gives each activity, and the id must be derived from it.
 */
function recordOf<E extends ExtraData>(
  settings: GroupFeedSettings<E>,
  g: AggregatedGroup<E>,
  what: string,
): GroupRecord<E> {
  const { config, aggregator, limits } = settings;
  const bad = (reason: string): ValidationError =>
    new ValidationError('INVALID_ACTIVITY', `${what}: cannot add group ${show(g?.id)}: ${reason}`, {
      details: { field: 'group' },
    });
  if (typeof g !== 'object' || g === null) throw bad('not a group object');
  if (typeof g.group !== 'string' || g.id !== groupIdOf(g.group))
    throw bad('its id is not the id of its group key');
  if (!Array.isArray(g.activities) || g.activities.length === 0)
    throw bad('it holds no activities');
  const activities = g.activities.map((a) => assertActivity<E>(a, config.verbs));
  for (const a of activities) {
    const key = groupKeyOf(aggregator, a, what);
    if (key !== g.group) throw bad(`activity ${a.id} belongs to group ${show(key)} in this feed`);
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
}

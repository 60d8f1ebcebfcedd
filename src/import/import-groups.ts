/**
 * The import of a Python aggregated or notification feed. Internal to the importer.
 * @module
 */
import { groupIdOf, type Id } from '../activity/ids.js';
import { ValidationError } from '../errors.js';
import type { AggregatedFeedDefinition } from '../feeds/aggregated-feed.js';
import type { AggregatedGroup } from '../feeds/group/types.js';
import type { NotificationFeedDefinition, NotificationGroup } from '../feeds/notification-feed.js';
import type { PythonFeedMapping } from './options.js';
import { type PythonGroup, parseGroup, pythonGroupId } from './python-format.js';
import {
  acceptedActivity,
  type Context,
  loadActivities,
  members,
  PLACEHOLDER,
  verbsOf,
} from './python-source.js';

type GroupDefinition = AggregatedFeedDefinition | NotificationFeedDefinition;

interface ImportedGroup {
  readonly group: AggregatedGroup;
  readonly seen: boolean;
  readonly read: boolean;
}

/**
 * Imports one Python aggregated or notification feed (`v3` groups; ids hydrated from the activity
 * storage, or full activities) into a feed of the same kind, with seen/read state for
 * notification feeds; returns groups read and written (stored or re-marked).
 */
export async function importGroups(
  ctx: Context,
  mapping: PythonFeedMapping,
  key: string,
  userId: Id,
): Promise<{ entries: number; written: number }> {
  const feed = mapping.feed as GroupDefinition;
  const notification = feed.kind === 'notification';
  const verbs = verbsOf(ctx, feed);
  const raw = await members(ctx.source, key);
  const parsed: { member: string; group: PythonGroup }[] = [];
  for (const member of raw) {
    try {
      parsed.push({ member, group: parseGroup(member) });
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      ctx.onMalformed(key, member, error.message);
    }
  }
  // Hydrate groups that hold ids (RedisAggregatedFeed) from the activity storage.
  const idsToLoad = [
    ...new Set(
      parsed.flatMap((p) => p.group.activities.filter((a): a is string => typeof a === 'string')),
    ),
  ];
  const loaded = await loadActivities(ctx, key, idsToLoad);
  const markers =
    notification && mapping.state !== 'dates' ? await markerLists(ctx, mapping, userId) : undefined;

  const groups: ImportedGroup[] = [];
  const seenIds = new Set<string>();
  for (const { member, group: p } of parsed) {
    const activities = p.activities.flatMap((a) => {
      const found = typeof a === 'string' ? loaded.get(a) : a;
      const activity =
        found === undefined ? undefined : acceptedActivity(ctx, feed, key, found, verbs);
      return activity === undefined ? [] : [activity];
    });
    if (activities.length === 0) {
      ctx.onMalformed(key, member, 'the group has no readable activity');
      continue;
    }
    if (p.createdAtMs === undefined || p.updatedAtMs === undefined) {
      ctx.onMalformed(key, member, 'created_at or updated_at is -1');
      continue;
    }
    const groupKeys = new Set(activities.map((a) => feed.aggregator.groupKey(a)));
    if (groupKeys.size !== 1) {
      throw new ValidationError(
        'INVALID_ACTIVITY',
        `Python group ${JSON.stringify(p.group)} of ${key} splits into ${groupKeys.size} groups under the aggregator ${JSON.stringify(feed.aggregator.name)} of feed ${feed.name}: use an aggregator that groups as the Python feed did (byVerbAndDay for RecentVerbAggregator, byVerbObjectAndDay for NotificationAggregator)`,
        { details: { key, group: p.group } },
      );
    }
    const groupKey = [...groupKeys][0]!;
    // Python's 20-group merge window can leave two groups with one key: the newest one wins.
    if (seenIds.has(groupKey)) continue;
    seenIds.add(groupKey);
    const newestFirst = [...activities].reverse();
    const actors = [...new Set(activities.map((a) => a.actor))];
    const pythonId = pythonGroupId(p.updatedAtMs);
    groups.push({
      group: {
        id: groupIdOf(groupKey),
        group: groupKey,
        activities: newestFirst,
        activityIds: newestFirst.map((a) => a.id),
        activityCount: p.minimized + activities.length,
        actorCount: p.minimized + actors.length,
        actors,
        verb: newestFirst[0]!.verb,
        createdAt: new Date(p.createdAtMs),
        updatedAt: new Date(p.updatedAtMs),
        score: p.updatedAtMs,
      },
      seen: markers ? !markers.unseen.has(pythonId) : p.seenByDate,
      read: markers ? !markers.unread.has(pythonId) : p.readByDate,
    });
  }
  return { entries: groups.length, written: await writeGroups(ctx, feed, userId, groups) };
}

/** The unseen and unread marker lists of a `RedisNotificationFeed` (Python group ids). */
async function markerLists(ctx: Context, mapping: PythonFeedMapping, userId: Id) {
  const base = (mapping.markersKeyFormat ?? mapping.keyFormat).replace(PLACEHOLDER, String(userId));
  const [unseen, unread] = await Promise.all([
    ctx.source.lrange(`list:${base}:unseen`, 0, -1),
    ctx.source.lrange(`list:${base}:unread`, 0, -1),
  ]);
  return { unseen: new Set(unseen), unread: new Set(unread) };
}

/** Whether two groups hold the same activities, counts and times. */
function sameGroup(a: AggregatedGroup, b: AggregatedGroup): boolean {
  return (
    a.activityCount === b.activityCount &&
    a.actorCount === b.actorCount &&
    a.createdAt.getTime() === b.createdAt.getTime() &&
    a.updatedAt.getTime() === b.updatedAt.getTime() &&
    a.activityIds.length === b.activityIds.length &&
    a.activityIds.every((id, i) => id === b.activityIds[i])
  );
}

/**
 * Stores the groups that differ from what the target holds (all of them in a dry run), then
 * marks seen/read state; returns how many groups were stored or re-marked.
 */
async function writeGroups(
  ctx: Context,
  feed: GroupDefinition,
  userId: Id,
  groups: readonly ImportedGroup[],
): Promise<number> {
  const handle = feed.for(userId);
  const existing = (await handle.getGroups(groups.map((g) => g.group.id))) as (
    | NotificationGroup
    | AggregatedGroup
    | undefined
  )[];
  const notification = feed.kind === 'notification';
  const tracks = notification
    ? { unseen: feed.trackUnseen, unread: feed.trackUnread }
    : { unseen: false, unread: false };
  const stateOf = (g: NotificationGroup | AggregatedGroup | undefined) =>
    g !== undefined && 'seen' in g ? { seen: g.seen, read: g.read } : undefined;
  const toStore: AggregatedGroup[] = [];
  const changed = new Set<string>();
  groups.forEach((g, i) => {
    const current = existing[i];
    const state = stateOf(current);
    // A group marked here but not in Python can only be unmarked by storing it again.
    const unmark =
      state !== undefined &&
      ((state.seen && !g.seen && tracks.unseen) || (state.read && !g.read && tracks.unread));
    if (current === undefined || !sameGroup(current, g.group) || unmark) {
      toStore.push(g.group);
      changed.add(g.group.id);
    }
  });
  if (!notification) {
    if (toStore.length > 0 && !ctx.dryRun) await handle.addGroups(toStore);
    return toStore.length;
  }
  const notifications = feed as NotificationFeedDefinition;
  const seen: string[] = [];
  const read: string[] = [];
  groups.forEach((g, i) => {
    // Stored groups start unseen and unread.
    const state = changed.has(g.group.id) ? { seen: false, read: false } : stateOf(existing[i]);
    if (g.seen && notifications.trackUnseen && state?.seen !== true) seen.push(g.group.id);
    if (g.read && notifications.trackUnread && state?.read !== true) read.push(g.group.id);
  });
  if (!ctx.dryRun) {
    const nHandle = notifications.for(userId);
    if (toStore.length > 0) await nHandle.addGroups(toStore);
    if (seen.length > 0) await nHandle.markSeen(seen);
    if (read.length > 0) await nHandle.markRead(read);
  }
  return new Set([...changed, ...seen, ...read]).size;
}

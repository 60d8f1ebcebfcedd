/**
 * The system under test of the model-based property tests: the world of feed-model.ts built on
 * real storage through the public API only, and snapshots of what its reads return, next to the
 * snapshots the model predicts.
 * @module
 */
import {
  type Activity,
  type AggregatedGroup,
  byVerbAndDay,
  byVerbObjectAndDay,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  type Id,
  type NotificationGroup,
  type Storage,
} from '../../src/index.js';
import {
  byId,
  type FeedModel,
  groupFigures,
  LIMITS,
  type ModelGroup,
  POOL,
  render,
  USERS,
} from './feed-model.js';

/** The manager and feeds of the modelled world on `storage`, with the follow graph it reads. */
export function createWorld(storage: Storage) {
  const followers = new Map<string, Set<string>>();
  const user = defineFlatFeed({ name: 'user', storage, maxLength: LIMITS.userLength });
  const timeline = defineFlatFeed({ name: 'timeline', storage, maxLength: LIMITS.timelineLength });
  const aggregated = defineAggregatedFeed({
    name: 'aggregated',
    storage,
    aggregator: byVerbAndDay,
    maxLength: LIMITS.aggregatedLength,
    groups: { maxActivities: LIMITS.aggregatedPerGroup },
  });
  const notification = defineNotificationFeed({
    name: 'notification',
    storage,
    aggregator: byVerbObjectAndDay,
    maxLength: LIMITS.notificationLength,
    groups: { maxActivities: LIMITS.notificationPerGroup },
  });
  const manager = createManager({
    userFeed: user,
    feeds: { timeline, aggregated },
    targetFeeds: { notification },
    getFollowerIds: (u) => [...(followers.get(u) ?? [])],
    limits: {
      fanoutChunkSize: 2,
      batchImportChunkSize: 2,
      followActivityLimit: LIMITS.followActivityLimit,
    },
  });
  return { storage, manager, followers, user, timeline, aggregated, notification };
}

export type World = ReturnType<typeof createWorld>;

// ---- snapshots -------------------------------------------------------------------------------

interface FlatSnapshot {
  readonly items: string[];
  readonly missing: string[];
  readonly count: number;
}

interface GroupSnapshot {
  readonly id: string;
  readonly group: string;
  readonly activityIds: readonly string[];
  readonly activities: string[];
  readonly activityCount: number;
  readonly actorCount: number;
  readonly actors: string[];
  readonly verb: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly score: number;
  readonly seen?: boolean;
  readonly read?: boolean;
}

interface UserSnapshot {
  readonly user: FlatSnapshot;
  readonly timeline: FlatSnapshot & { readonly paged: string[] };
  readonly aggregated: { groups: GroupSnapshot[]; missing: string[]; count: number };
  readonly notification: {
    groups: GroupSnapshot[];
    count: number;
    unseen: number;
    unread: number;
  };
}

/** Everything observable: each user's feeds, and which pool activities are in storage. */
export interface Snapshot {
  readonly stored: string[];
  readonly users: Record<string, UserSnapshot>;
}

const sortedStrings = (values: Iterable<string>) => [...values].sort();
const iso = (ms: number) => new Date(ms).toISOString();

function groupView(g: AggregatedGroup | NotificationGroup): GroupSnapshot {
  const view: GroupSnapshot = {
    id: g.id,
    group: g.group,
    activityIds: [...g.activityIds],
    activities: g.activities.map(render),
    activityCount: g.activityCount,
    actorCount: g.actorCount,
    actors: sortedStrings(g.actors.map((a) => `${typeof a}:${a}`)),
    verb: g.verb,
    createdAt: g.createdAt.toISOString(),
    updatedAt: g.updatedAt.toISOString(),
    score: g.score,
  };
  return 'seen' in g ? { ...view, seen: g.seen, read: g.read } : view;
}

/** Reads every page of a flat feed with cursors, `size` at a time. */
async function paged(feed: ReturnType<World['timeline']['for']>, size: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await feed.read({ limit: size, cursor });
    out.push(...page.items.map(render));
    cursor = page.next;
    if (cursor === undefined) return out;
  }
  throw new Error('paging did not end after 100 pages');
}

async function userSnapshot(world: World, u: Id): Promise<UserSnapshot> {
  const user = world.user.for(u);
  const timeline = world.timeline.for(u);
  const aggregated = world.aggregated.for(u);
  const notification = world.notification.for(u);
  const [
    userPage,
    userCount,
    timelinePage,
    timelineCount,
    timelinePaged,
    aggregatedPage,
    aggregatedCount,
    notificationPage,
    notificationCount,
    counts,
  ] = await Promise.all([
    user.read({ limit: 1000 }),
    user.count(),
    timeline.read({ limit: 1000 }),
    timeline.count(),
    paged(timeline, 4),
    aggregated.read({ limit: 1000 }),
    aggregated.count(),
    notification.read({ limit: 1000 }),
    notification.count(),
    notification.counts(),
  ]);
  return {
    user: { items: userPage.items.map(render), missing: [...userPage.missing], count: userCount },
    timeline: {
      items: timelinePage.items.map(render),
      missing: [...timelinePage.missing],
      count: timelineCount,
      paged: timelinePaged,
    },
    aggregated: {
      groups: aggregatedPage.items.map(groupView),
      missing: sortedStrings(aggregatedPage.missing),
      count: aggregatedCount,
    },
    notification: {
      groups: notificationPage.items.map(groupView),
      count: notificationCount,
      unseen: counts.unseen,
      unread: counts.unread,
    },
  };
}

/** What the world's reads return now. */
export async function actualSnapshot(world: World): Promise<Snapshot> {
  const [payloads, ...users] = await Promise.all([
    world.storage.activities.getMany(POOL.map((a) => a.id)),
    ...USERS.map((u) => userSnapshot(world, u)),
  ]);
  return {
    stored: sortedStrings(POOL.filter((_, i) => payloads[i] !== undefined).map((a) => a.id)),
    users: Object.fromEntries(USERS.map((u, i) => [String(u), users[i]!])),
  };
}

// ---- what the model predicts --------------------------------------------------------------------

function expectedFlat(model: FeedModel, ids: readonly string[]): FlatSnapshot {
  return {
    items: ids.filter((id) => model.stored.has(id)).map((id) => render(byId.get(id)!)),
    missing: ids.filter((id) => !model.stored.has(id)),
    count: ids.length,
  };
}

/** A group as a read shows it; `undefined` when none of its retained activities can be loaded. */
function expectedGroup(
  model: FeedModel,
  g: ModelGroup,
  normalized: boolean,
): GroupSnapshot | undefined {
  const loaded = g.retained.filter((id) => !normalized || model.stored.has(id));
  const newest = loaded[0];
  if (newest === undefined) return undefined;
  const figures = groupFigures(g);
  return {
    id: g.id,
    group: g.key,
    activityIds: [...g.retained],
    activities: loaded.map((id) => render(byId.get(id)!)),
    activityCount: figures.activityCount,
    actorCount: figures.actors.length,
    actors: figures.actors,
    verb: byId.get(newest)!.verb,
    createdAt: iso(figures.createdAt),
    updatedAt: iso(figures.updatedAt),
    score: figures.updatedAt,
  };
}

/** What the model says the reads return. */
export function expectedSnapshot(model: FeedModel): Snapshot {
  const users: Record<string, UserSnapshot> = {};
  for (const u of USERS) {
    const timelineIds = model.timelineIds(u);
    const timeline = expectedFlat(model, timelineIds);
    const aggregated = model.aggregatedGroups(u);
    const notification = model.notificationGroups(u);
    users[String(u)] = {
      user: expectedFlat(model, model.userIds(u)),
      timeline: { ...timeline, paged: timeline.items },
      aggregated: {
        groups: aggregated.flatMap((g) => expectedGroup(model, g, true) ?? []),
        missing: sortedStrings(
          new Set(aggregated.flatMap((g) => g.retained.filter((id) => !model.stored.has(id)))),
        ),
        count: aggregated.length,
      },
      notification: {
        groups: notification.map((g) => ({
          ...expectedGroup(model, g, false)!,
          seen: !g.unseen,
          read: !g.unread,
        })),
        count: notification.length,
        unseen: notification.filter((g) => g.unseen).length,
        unread: notification.filter((g) => g.unread).length,
      },
    };
  }
  return { stored: sortedStrings(model.stored), users };
}

/** Pool activities of one user (the actor of each is that user). */
export function poolOf(userIndex: number): readonly Activity[] {
  const per = POOL.length / USERS.length;
  return POOL.slice(userIndex * per, (userIndex + 1) * per);
}

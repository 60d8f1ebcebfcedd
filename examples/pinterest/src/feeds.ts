// Everything this app asks of stream-framework: the feed definitions, the manager that fans pins
// out to followers, the notification feed, and rebuilding all of them from the app's database.
import {
  type Activity,
  createActivity,
  createAggregator,
  createFollowGraph,
  createManager,
  createReactions,
  createVerbRegistry,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  defineRankedFeed,
  type NotificationChange,
  type Reaction,
  reactionActivity,
  type Storage,
  type TaskQueue,
  utcDay,
} from 'stream-framework';
import { createSqliteStorage } from 'stream-framework/sqlite';
import type { AppDb, Follow, Pin } from './db.js';
import { POPULAR_SHOWN } from './views.js';

/** Extra data of a pin activity: the board's name, which the aggregated feed groups by. */
export type PinExtra = { board: string };

export const verbs = createVerbRegistry([{ id: 5, name: 'pin', pastTense: 'pinned' }]);

/** A pin as an activity: Ana (actor) pinned pin 42 (object) to board 7 (target). */
export function pinActivity(pin: Pin): Activity<PinExtra> {
  return createActivity<PinExtra>(
    {
      actor: pin.userId,
      verb: 'pin',
      object: pin.id,
      target: pin.boardId,
      time: pin.createdAt,
      foreignId: `pin:${pin.id}`,
      extra: { board: pin.boardName },
    },
    { verbs },
  );
}

/** The notification feed a love of `pin` goes to: its author's. */
export const authorFeed = (pin: Pin): string => `notification:${pin.userId}`;

/** "Ben started following you": goes to the notification feed of the followed user. */
export function followActivity(follow: Follow): Activity {
  return createActivity(
    {
      actor: follow.followerId,
      verb: 'follow',
      object: follow.followeeId,
      time: follow.createdAt,
      foreignId: `follow:${follow.followerId}:${follow.followeeId}`,
    },
    { verbs },
  );
}

export interface FeedsOptions {
  readonly storage: Storage;
  readonly db: AppDb;
  /** Where fan-out runs. @default the manager's inline queue */
  readonly queue?: TaskQueue | undefined;
}

export type Feeds = ReturnType<typeof createFeeds>;

/** How many of the newest pins of a feed the "Popular" page ranks. */
const POPULAR_WINDOW = POPULAR_SHOWN;

export function createFeeds({ storage, db, queue }: FeedsOptions) {
  // A user's own pins: the profile page, and what is copied into a new follower's feeds.
  const pins = defineFlatFeed<PinExtra>({ name: 'pins', storage, verbs, maxLength: 10_000 });
  // "Your feed": the pins of everyone you follow, newest first.
  const timeline = defineFlatFeed<PinExtra>({
    name: 'timeline',
    storage,
    verbs,
    maxLength: 1000,
  });
  // "Ana and 3 others pinned 5 items to Kitchens": one group per verb, board name and day.
  const aggregated = defineAggregatedFeed<PinExtra>({
    name: 'aggregated',
    storage,
    verbs,
    maxLength: 200,
    aggregator: createAggregator<PinExtra>(
      'verb+board+day',
      (a) => `${a.verb}|${a.extra.board}|${utcDay(a.time)}`,
    ),
  });
  // "Ben and 2 others loved your pin", "Cleo started following you": grouped by verb, what was
  // loved or followed and day, with unseen/unread state and change events for the live badge. A
  // love's activity names the pin as its target (its object is the reaction).
  const notifications = defineNotificationFeed({
    name: 'notification',
    storage,
    verbs,
    aggregator: createAggregator(
      'verb+subject+day',
      (a) => `${a.verb}|${a.target ?? a.object}|${utcDay(a.time)}`,
    ),
    onListenerError: (error) => console.error('notification listener failed:', error),
  });

  // Who follows whom, and loves: the app's own data, kept by stream-framework in the app's
  // SQLite database (tables social_*), so they survive restarts whatever holds the feeds.
  const social = createSqliteStorage({ database: db.database, prefix: 'social' });
  const graph = createFollowGraph({ storage: social });
  const manager = createManager({
    userFeed: pins,
    feeds: { timeline, aggregated },
    targetFeeds: { notification: notifications },
    graph,
    limits: { followActivityLimit: 300 },
    queue,
  });
  // A love is unique per user, a comment is not; both notify the pin's author (`notify`).
  const reactions = createReactions({
    storage: social,
    kinds: { love: { unique: true }, comment: {} },
    manager,
    limits: { maxSummaryActivities: POPULAR_WINDOW },
  });
  // "Popular": the newest pins of your feed, ranked by loves with a time decay (Hacker News
  // style: a pin needs more loves to stay up as it ages). Ranked when read: one reactions
  // summary of the window per page.
  const popular = defineRankedFeed<PinExtra, number>({
    name: 'popular',
    feed: timeline,
    window: POPULAR_WINDOW,
    signals: async (activities) => {
      const ids = activities.map((a) => a.id);
      const summaries = await reactions.summary(ids, { kinds: ['love'], latest: 0, own: 0 });
      return summaries.map((summary) => summary.counts.love ?? 0);
    },
    score: (activity, loves, now) => {
      const hours = Math.max(0, now.getTime() - activity.time.getTime()) / 3_600_000;
      return (loves + 1) / (hours + 2) ** 1.5;
    },
  });

  return {
    manager,
    graph,
    reactions,
    notifications,
    popular,
    /** Adds and fans out a new pin. */
    publishPin: (pin: Pin) => manager.addUserActivity(pin.userId, pinActivity(pin)),
    follow: async (follow: Follow) => {
      await manager.followUser(follow.followerId, follow.followeeId);
      await notifications.for(follow.followeeId).add(followActivity(follow));
    },
    unfollow: (followerId: number, followeeId: number) =>
      manager.unfollowUser(followerId, followeeId),
    /** Loves a pin (once per user) and notifies its author; `created` is false for a repeat. */
    love: async (userId: number, pin: Pin, time?: number) => {
      const activityId = pinActivity(pin).id;
      const notify = [authorFeed(pin)];
      const data = { pin: pin.id }; // the notification's link back to the pin
      const added = await reactions.add({ activityId, kind: 'love', userId, notify, data, time });
      return added.created;
    },
    /**
     * Comments on a pin, notifying its author (not when commenting one's own pin). The id is given
     * by the caller, so a repeated post of the same comment is one comment.
     */
    comment: async (userId: number, pin: Pin, id: string, text: string, time?: number) => {
      const activityId = pinActivity(pin).id;
      const notify = pin.userId === userId ? [] : [authorFeed(pin)];
      const data = { pin: pin.id, text };
      return reactions.add({ activityId, kind: 'comment', userId, id, notify, data, time });
    },
    /** A page of a pin's comments, newest first. */
    comments: (pin: Pin, options: { limit: number; cursor?: string }) =>
      reactions.list(pinActivity(pin).id, 'comment', options),
    /** Takes a love back, with its notification. */
    unlove: (userId: number, pin: Pin) =>
      reactions.remove({ activityId: pinActivity(pin).id, kind: 'love', userId }),
    onNotificationChange: (listener: (change: NotificationChange) => void) =>
      notifications.events.on('change', listener),
    /** The "your feed" definition, whose change events say when pins arrive in someone's feed. */
    timeline,
  };
}

export interface RebuildProgress {
  readonly phase: 'pins' | 'notifications';
  readonly done: number;
  readonly total: number;
}

/**
 * Rebuilds every feed from the database: each user's pins through `batchImport` (which fans them
 * out to their followers' timeline and aggregated feeds), then each user's notifications (loves
 * received, new followers), keeping those older than `notificationsSeenAt` seen.
 */
export async function rebuildFeeds(
  feeds: Feeds,
  db: AppDb,
  onProgress: (progress: RebuildProgress) => void,
): Promise<{ pins: number; notifications: number }> {
  const users = db.users();
  const pinsByUser = users.map((u) => db.pinsOf(u.id));
  const totalPins = pinsByUser.reduce((n, list) => n + list.length, 0);
  let donePins = 0;
  const pending = [];
  for (const [i, user] of users.entries()) {
    const activities = (pinsByUser[i] ?? []).map(pinActivity);
    const before = donePins;
    const result = await feeds.manager.batchImport(user.id, activities, {
      onProgress: ({ done }) => {
        donePins = before + done;
        onProgress({ phase: 'pins', done: donePins, total: totalPins });
      },
    });
    donePins = before + activities.length;
    pending.push(result.done()); // a background queue is still working on it
  }
  onProgress({ phase: 'pins', done: totalPins, total: totalPins });
  await Promise.all(pending);

  let notifications = 0;
  for (const [i, user] of users.entries()) {
    const activities = [
      ...(await reactionsOnPinsOf(feeds, pinsByUser[i] ?? [])).map(reactionActivity),
      ...(await followsOf(feeds, user.id)).map(followActivity),
    ];
    const feed = feeds.notifications.for(user.id);
    if (activities.length > 0) {
      await feed.addMany(activities);
      const seen: string[] = [];
      for (let page = await feed.read({ limit: 100 }); ; ) {
        for (const g of page.items) {
          if (g.updatedAt.getTime() <= user.notificationsSeenAt) seen.push(g.id);
        }
        if (!page.next) break;
        page = await feed.read({ limit: 100, cursor: page.next });
      }
      if (seen.length > 0) await feed.markRead(seen, { seen: true });
    }
    notifications += activities.length;
    onProgress({ phase: 'notifications', done: i + 1, total: users.length });
  }
  return { pins: totalPins, notifications };
}

/** Every reaction of these pins that notified their author, from the reactions. */
async function reactionsOnPinsOf(feeds: Feeds, pins: readonly Pin[]): Promise<Reaction[]> {
  const found: Reaction[] = [];
  for (const pin of pins) {
    const activityId = pinActivity(pin).id;
    for (const kind of ['love', 'comment']) {
      for (let page = await feeds.reactions.list(activityId, kind, { limit: 100 }); ; ) {
        found.push(...page.items.filter((r) => r.notify.length > 0));
        if (!page.next) break;
        page = await feeds.reactions.list(activityId, kind, { limit: 100, cursor: page.next });
      }
    }
  }
  return found;
}

/** Every follow of `userId` (their followers), from the follow graph. */
async function followsOf(feeds: Feeds, userId: number): Promise<Follow[]> {
  const follows: Follow[] = [];
  for (let page = await feeds.graph.followers(userId, { limit: 1000 }); ; ) {
    for (const f of page.items) {
      follows.push({
        followerId: Number(f.userId),
        followeeId: userId,
        createdAt: f.since.getTime(),
      });
    }
    if (!page.next) break;
    page = await feeds.graph.followers(userId, { limit: 1000, cursor: page.next });
  }
  return follows;
}

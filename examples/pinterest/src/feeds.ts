// Everything this app asks of stream-framework: the feed definitions, the manager that fans pins
// out to followers, the notification feed, and rebuilding all of them from the app's database.
import {
  type Activity,
  createActivity,
  createAggregator,
  createManager,
  createVerbRegistry,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  type NotificationChange,
  type Storage,
  type TaskQueue,
  utcDay,
} from 'stream-framework';
import type { AppDb, Follow, Love, Pin } from './db.js';

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

/** "Ben loved your pin": goes to the notification feed of the pin's author. */
export function loveActivity(love: Love): Activity {
  return createActivity(
    {
      actor: love.userId,
      verb: 'love',
      object: love.pinId,
      time: love.createdAt,
      foreignId: `love:${love.userId}:${love.pinId}`,
    },
    { verbs },
  );
}

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
  // "Ben and 2 others loved your pin", "Cleo started following you": grouped by verb, object
  // and day (the default), with unseen/unread state and change events for the live badge.
  const notifications = defineNotificationFeed({
    name: 'notification',
    storage,
    verbs,
    onListenerError: (error) => console.error('notification listener failed:', error),
  });

  const manager = createManager({
    userFeed: pins,
    feeds: { timeline, aggregated },
    getFollowerIds: (userId) => db.followerIds(Number(userId)),
    limits: { followActivityLimit: 300 },
    queue,
  });

  return {
    manager,
    notifications,
    /** Adds and fans out a new pin. */
    publishPin: (pin: Pin) => manager.addUserActivity(pin.userId, pinActivity(pin)),
    follow: async (follow: Follow) => {
      await manager.followUser(follow.followerId, follow.followeeId);
      await notifications.for(follow.followeeId).add(followActivity(follow));
    },
    unfollow: (followerId: number, followeeId: number) =>
      manager.unfollowUser(followerId, followeeId),
    love: (love: Love, pinAuthor: number) => notifications.for(pinAuthor).add(loveActivity(love)),
    unlove: (love: Love, pinAuthor: number) =>
      notifications.for(pinAuthor).remove(loveActivity(love)),
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
      ...db.lovesOnPinsOf(user.id).map(loveActivity),
      ...db.followsOf(user.id).map(followActivity),
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

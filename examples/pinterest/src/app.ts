// What the pages and actions do: reads go to the feeds and are hydrated from the database, writes
// go to the database first and then to the feeds. Bad input becomes an AppError with a 4xx status
// and a message for the page.
import { type Activity, StreamFrameworkError } from 'stream-framework';
import type { AppDb, Pin, User } from './db.js';
import type { Feeds } from './feeds.js';
import type { BadgeCounts } from './live.js';
import type { GroupView, NotificationView, PinCard } from './views.js';
import { TITLE_MAX } from './views.js';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export const PAGE_SIZE = { pins: 24, groups: 12, notifications: 20 } as const;

/** Runs `fn` after every earlier call with the same key has settled (one user's writes in order). */
function createLocks() {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const before = tails.get(key) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

/** Checks a pin title: trimmed, 1 to TITLE_MAX characters, no control characters. */
export function checkTitle(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new AppError(422, 'Missing title', 'Give your pin a title.');
  }
  const title = input.trim().replace(/\s+/g, ' ');
  const length = [...title].length;
  if (length > TITLE_MAX) {
    throw new AppError(
      422,
      'Title too long',
      `Titles can be at most ${TITLE_MAX} characters; this one has ${length}.`,
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters
  if (/[\u0000-\u001f\u007f]/.test(title)) {
    throw new AppError(422, 'Invalid title', 'Titles cannot contain control characters.');
  }
  return title;
}

/** Reads a feed page; a malformed cursor is the visitor's mistake (400), not ours. */
async function readPage<T>(
  read: (options: { limit: number; cursor?: string }) => Promise<{ items: T[]; next?: string }>,
  limit: number,
  cursor: string | undefined,
): Promise<{ items: T[]; next?: string | undefined }> {
  if (cursor !== undefined && (cursor === '' || cursor.length > 200)) throw badCursor();
  try {
    return await read(cursor === undefined ? { limit } : { limit, cursor });
  } catch (error) {
    if (error instanceof StreamFrameworkError && error.code === 'INVALID_OPTION') throw badCursor();
    throw error;
  }
}

const badCursor = (): AppError =>
  new AppError(
    400,
    'Invalid page link',
    'This “load more” link is not valid. Start again from the top of the page.',
  );

const nextUrl = (path: string, next: string | undefined): string | undefined =>
  next === undefined ? undefined : `${path}?cursor=${encodeURIComponent(next)}`;

export type App = ReturnType<typeof createApp>;

export function createApp({
  db,
  feeds,
  now = Date.now,
}: {
  db: AppDb;
  feeds: Feeds;
  now?: () => number;
}) {
  const lock = createLocks();

  const userOrThrow = (handle: string): User => {
    const user = db.userByHandle(handle);
    if (!user) throw new AppError(404, 'No such person', `There is no user @${handle}.`);
    return user;
  };
  const pinOrThrow = (id: string | number): Pin => {
    const n = /^[1-9]\d{0,14}$/.test(String(id)) ? Number(id) : 0;
    const pin = n > 0 ? db.pinById(n) : undefined;
    if (!pin) throw new AppError(404, 'No such pin', `There is no pin ${String(id)}.`);
    return pin;
  };

  /** Pin cards for pin ids (in order; pins that no longer exist are skipped). */
  function cards(pinIds: readonly number[], viewer: User): PinCard[] {
    const pins = db.pinsByIds(pinIds);
    const authors = db.usersByIds([...new Set([...pins.values()].map((p) => p.userId))]);
    const loves = db.loveInfo([...pins.keys()], viewer.id);
    return pinIds.flatMap((id) => {
      const pin = pins.get(id);
      const author = pin && authors.get(pin.userId);
      if (!pin || !author) return [];
      const info = loves.get(id) ?? { count: 0, mine: false };
      return [{ pin, author, loves: info.count, loved: info.mine }];
    });
  }

  const objects = (activities: readonly Activity[]): number[] =>
    activities.map((a) => Number(a.object));

  /** Distinct actors, newest activity's first, then the rest the group tracked. */
  function actorsOf(
    activities: readonly Activity[],
    tracked: readonly (string | number)[],
  ): User[] {
    const ids = [...new Set([...activities.map((a) => Number(a.actor)), ...tracked.map(Number)])];
    const users = db.usersByIds(ids.slice(0, 8));
    return ids.flatMap((id) => users.get(id) ?? []);
  }

  const counts = (viewer: User): Promise<BadgeCounts> =>
    feeds.notifications.for(viewer.id).counts();

  return {
    counts,
    userOrThrow,
    pinOrThrow,
    cards,

    async feed(viewer: User, cursor: string | undefined) {
      const handle = feeds.manager.getFeeds(viewer.id).timeline;
      const page = await readPage((o) => handle.read(o), PAGE_SIZE.pins, cursor);
      return {
        cards: cards(objects(page.items), viewer),
        next: nextUrl('/feed', page.next),
      };
    },

    async activity(viewer: User, cursor: string | undefined) {
      const handle = feeds.manager.getFeeds(viewer.id).aggregated;
      const page = await readPage((o) => handle.read(o), PAGE_SIZE.groups, cursor);
      const pins = db.pinsByIds(page.items.flatMap((g) => objects(g.activities.slice(0, 6))));
      const groups: GroupView[] = page.items.map((g) => ({
        id: g.id,
        actors: actorsOf(g.activities, g.actors),
        actorCount: g.actorCount,
        activityCount: g.activityCount,
        verb: g.verb,
        board: g.activities[0]?.extra.board ?? '',
        updatedAt: g.updatedAt.getTime(),
        pins: objects(g.activities.slice(0, 6)).flatMap((id) => pins.get(id) ?? []),
      }));
      return { groups, next: nextUrl('/activity', page.next) };
    },

    async profile(viewer: User, handle: string, cursor: string | undefined) {
      const user = userOrThrow(handle);
      const feed = feeds.manager.getUserFeed(user.id);
      const page = await readPage((o) => feed.read(o), PAGE_SIZE.pins, cursor);
      return {
        user,
        following: db.isFollowing(viewer.id, user.id),
        counts: db.userCounts(user.id),
        boards: db.boardsOf(user.id),
        cards: cards(objects(page.items), viewer),
        next: nextUrl(`/u/${encodeURIComponent(user.handle)}`, page.next),
      };
    },

    /** Reads notifications, then (on the first page) marks them all seen and read. */
    async notifications(viewer: User, cursor: string | undefined) {
      const feed = feeds.notifications.for(viewer.id);
      const page = await readPage((o) => feed.read(o), PAGE_SIZE.notifications, cursor);
      const pins = db.pinsByIds(
        page.items.filter((n) => n.verb === 'love').map((n) => Number(n.activities[0]?.object)),
      );
      const items: NotificationView[] = page.items.map((n) => ({
        id: n.id,
        verb: n.verb,
        seen: n.seen,
        actors: actorsOf(n.activities, n.actors),
        actorCount: n.actorCount,
        updatedAt: n.updatedAt.getTime(),
        pin: n.verb === 'love' ? pins.get(Number(n.activities[0]?.object)) : undefined,
      }));
      if (cursor === undefined) {
        db.setNotificationsSeenAt(viewer.id, now());
        await feed.markAll({ seen: true, read: true });
      }
      return { items, next: nextUrl('/notifications', page.next) };
    },

    async createPin(viewer: User, input: { title: unknown; board: unknown }): Promise<Pin> {
      const title = checkTitle(input.title);
      const boardId = Number(input.board);
      const board = Number.isSafeInteger(boardId) ? db.boardById(boardId) : undefined;
      if (!board || board.userId !== viewer.id) {
        throw new AppError(422, 'Unknown board', 'Pick one of your boards.');
      }
      const pin = db.addPin(viewer.id, board.id, title, Math.floor(Math.random() * 2 ** 31), now());
      await feeds.publishPin(pin);
      return pin;
    },

    /** Follows `handle`; following someone already followed changes nothing. */
    follow: (viewer: User, handle: string) =>
      lock(`follow:${viewer.id}`, async () => {
        const target = userOrThrow(handle);
        if (target.id === viewer.id) {
          throw new AppError(422, 'That is you', 'You cannot follow yourself.');
        }
        const follow = { followerId: viewer.id, followeeId: target.id, createdAt: now() };
        if (db.follow(follow)) await feeds.follow(follow);
        return { target, following: true };
      }),

    unfollow: (viewer: User, handle: string) =>
      lock(`follow:${viewer.id}`, async () => {
        const target = userOrThrow(handle);
        if (db.unfollow(viewer.id, target.id)) await feeds.unfollow(viewer.id, target.id);
        return { target, following: false };
      }),

    /** Loves a pin; loving it again changes nothing. */
    love: (viewer: User, pinId: string) =>
      lock(`love:${viewer.id}`, async () => {
        const pin = pinOrThrow(pinId);
        if (pin.userId === viewer.id) {
          throw new AppError(422, 'Your own pin', 'You cannot love your own pin.');
        }
        const love = { userId: viewer.id, pinId: pin.id, createdAt: now() };
        if (db.love(love)) await feeds.love(love, pin.userId);
        return pin;
      }),

    unlove: (viewer: User, pinId: string) =>
      lock(`love:${viewer.id}`, async () => {
        const pin = pinOrThrow(pinId);
        const love = db.loveOf(viewer.id, pin.id);
        if (love && db.unlove(viewer.id, pin.id)) await feeds.unlove(love, pin.userId);
        return pin;
      }),
  };
}

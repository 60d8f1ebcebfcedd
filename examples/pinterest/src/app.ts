// What the pages and actions do: reads go to the feeds and are hydrated from the database, writes
// go to the database first and then to the feeds. Bad input becomes an AppError with a 4xx status
// and a message for the page.
import { createHash } from 'node:crypto';
import { type Activity, createEnricher, type Id, StreamFrameworkError } from 'stream-framework';
import type { AppDb, Pin, User } from './db.js';
import { type Feeds, pinActivity } from './feeds.js';
import type { BadgeCounts } from './live.js';
import type { CommentView, GroupView, NotificationView, PinCard } from './views.js';
import { COMMENT_MAX, TITLE_MAX } from './views.js';

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export const PAGE_SIZE = { pins: 24, groups: 12, notifications: 20, comments: 20 } as const;

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

/**
 * Checks a comment: trimmed, 1 to COMMENT_MAX characters, line breaks kept (at most two in a
 * row), no other control characters. Its text is escaped where it is shown (html.ts).
 */
export function checkComment(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new AppError(422, 'Empty comment', 'Write something before you post.');
  }
  const text = input
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const length = [...text].length;
  if (length > COMMENT_MAX) {
    throw new AppError(
      422,
      'Comment too long',
      `Comments can be at most ${COMMENT_MAX} characters; this one has ${length}.`,
    );
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(text)) {
    throw new AppError(422, 'Invalid comment', 'Comments cannot contain control characters.');
  }
  if (/[\uD800-\uDFFF]/u.test(text)) {
    // A lone surrogate (only JSON can send one): not text.
    throw new AppError(422, 'Invalid comment', 'Comments must be valid Unicode text.');
  }
  return text;
}

/** Reads a feed page; a malformed cursor is the visitor's mistake (400), not ours. */
async function readPage<P>(
  read: (options: { limit: number; cursor?: string }) => Promise<P>,
  limit: number,
  cursor: string | undefined,
): Promise<P> {
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

  /** Values of `ids` from a loader by number, positionally (unknown ids stay undefined). */
  const byNumber =
    <V>(load: (ids: readonly number[]) => Map<number, V>) =>
    async (ids: readonly Id[]): Promise<(V | undefined)[]> => {
      const found = load(ids.map(Number).filter(Number.isSafeInteger));
      return ids.map((id) => found.get(Number(id)));
    };
  // Activities hold references (actor: a user id, object: a pin id); pages are resolved through
  // these loaders, one call per kind per page.
  const enricher = createEnricher({
    actor: byNumber((ids) => db.usersByIds(ids)),
    object: byNumber((ids) => db.pinsByIds(ids)),
  });
  // Notifications: the object of a love or comment is the reaction, of a follow the person
  // followed, so only actors are resolved there.
  const actorEnricher = createEnricher({ actor: byNumber((ids) => db.usersByIds(ids)) });

  /** The pins of a page of pin activities, with their authors (the activity's actor). */
  function pinsOf(
    activities: readonly Activity[],
    page: { refs: (a: Activity) => { actor: User | undefined; object: Pin | undefined } },
  ): { pin: Pin; author: User }[] {
    return activities.flatMap((a) => {
      const { actor, object } = page.refs(a);
      return actor && object ? [{ pin: object, author: actor }] : [];
    });
  }

  /** Pin cards with love counts and the viewer's own love, from one reactions summary. */
  async function withLoves(
    shown: readonly { pin: Pin; author: User }[],
    viewer: User,
  ): Promise<PinCard[]> {
    const summaries = await feeds.reactions.summary(
      shown.map(({ pin }) => pinActivity(pin).id),
      { kinds: ['love'], latest: 0, userId: viewer.id, own: 1 },
    );
    return shown.map(({ pin, author }, i) => {
      const summary = summaries[i];
      const loves = summary?.counts.love ?? 0;
      return { pin, author, loves, loved: (summary?.own.love?.length ?? 0) > 0 };
    });
  }

  /** The card of one pin (the pin page, a love button's answer). */
  async function cardOf(pin: Pin, viewer: User): Promise<PinCard | undefined> {
    const author = db.userById(pin.userId);
    return author ? (await withLoves([{ pin, author }], viewer))[0] : undefined;
  }

  /** The pin a love or comment notification is about (the reaction's data names it). */
  const reactionPinId = (activity: Activity | undefined): number => {
    const reaction = activity?.extra.reaction;
    const data =
      reaction && typeof reaction === 'object' && !Array.isArray(reaction)
        ? reaction.data
        : undefined;
    const pin = data && typeof data === 'object' && !Array.isArray(data) ? data.pin : undefined;
    return typeof pin === 'number' ? pin : 0;
  };

  /** Whether `viewer` follows `target`, from the follow graph. */
  const follows = async (viewer: User, target: User): Promise<boolean> =>
    (await feeds.graph.isFollowing(viewer.id, [target.id]))[0] === true;

  // The most followed people, for "People to follow": follower counts of everyone, kept a minute.
  let popular: { at: number; ids: number[] } | undefined;
  async function suggestions(viewer: User, limit: number): Promise<User[]> {
    if (!popular || now() - popular.at > 60_000) {
      const users = db.users();
      const counts = await Promise.all(users.map((u) => feeds.graph.counts(u.id)));
      const ranked = users.map((u, i) => ({ id: u.id, followers: counts[i]?.followers ?? 0 }));
      ranked.sort((a, b) => b.followers - a.followers || a.id - b.id);
      popular = { at: now(), ids: ranked.slice(0, 100).map((u) => u.id) };
    }
    const candidates = popular.ids.filter((id) => id !== viewer.id);
    const followed = await feeds.graph.isFollowing(viewer.id, candidates);
    const picked = candidates.filter((_, i) => !followed[i]).slice(0, limit);
    const users = db.usersByIds(picked);
    return picked.flatMap((id) => users.get(id) ?? []);
  }

  /**
   * The people of each group of a page: distinct actors, newest activity's first (resolved by the
   * enricher), then the others the group tracked beyond its activities (one query for the page).
   */
  function actorsOfGroups(
    groups: readonly { activities: readonly Activity[]; actors: readonly Id[] }[],
    page: { refs: (a: Activity) => { actor: User | undefined } },
  ): User[][] {
    const known = new Map<number, User>();
    for (const g of groups) {
      for (const a of g.activities) {
        const actor = page.refs(a).actor;
        if (actor) known.set(actor.id, actor);
      }
    }
    const idsOf = groups.map((g) =>
      [...new Set([...g.activities.map((a) => Number(a.actor)), ...g.actors.map(Number)])].slice(
        0,
        8,
      ),
    );
    const more = db.usersByIds([...new Set(idsOf.flat())].filter((id) => !known.has(id)));
    return idsOf.map((ids) => ids.flatMap((id) => known.get(id) ?? more.get(id) ?? []));
  }

  const counts = (viewer: User): Promise<BadgeCounts> =>
    feeds.notifications.for(viewer.id).counts();

  return {
    counts,
    userOrThrow,
    pinOrThrow,
    cardOf,
    suggestions,
    followerCount: async (user: User) => (await feeds.graph.counts(user.id)).followers,

    async feed(viewer: User, cursor: string | undefined) {
      const handle = feeds.manager.getFeeds(viewer.id).timeline;
      const page = await enricher.enrich(
        await readPage((o) => handle.read(o), PAGE_SIZE.pins, cursor),
      );
      return {
        cards: await withLoves(pinsOf(page.items, page), viewer),
        next: nextUrl('/feed', page.next),
      };
    },

    /** The newest pins of the viewer's feed, the most loved first (with a time decay). */
    async popular(viewer: User, cursor: string | undefined) {
      const ranked = feeds.popular.for(viewer.id);
      const read = await readPage((o) => ranked.read(o), PAGE_SIZE.pins, cursor);
      const activities = read.items.map((item) => item.activity);
      const page = await enricher.enrich({ items: activities, missing: read.missing });
      return {
        cards: await withLoves(pinsOf(activities, page), viewer),
        next: nextUrl('/popular', read.next),
      };
    },

    async activity(viewer: User, cursor: string | undefined) {
      const handle = feeds.manager.getFeeds(viewer.id).aggregated;
      const page = await enricher.enrich(
        await readPage((o) => handle.read(o), PAGE_SIZE.groups, cursor),
      );
      const actors = actorsOfGroups(page.items, page);
      const groups: GroupView[] = page.items.map((g, i) => ({
        id: g.id,
        actors: actors[i] ?? [],
        actorCount: g.actorCount,
        activityCount: g.activityCount,
        verb: g.verb,
        board: g.activities[0]?.extra.board ?? '',
        updatedAt: g.updatedAt.getTime(),
        pins: g.activities.slice(0, 6).flatMap((a) => page.refs(a).object ?? []),
      }));
      return { groups, next: nextUrl('/activity', page.next) };
    },

    async profile(viewer: User, handle: string, cursor: string | undefined) {
      const user = userOrThrow(handle);
      const feed = feeds.manager.getUserFeed(user.id);
      const page = await enricher.enrich(
        await readPage((o) => feed.read(o), PAGE_SIZE.pins, cursor),
      );
      return {
        user,
        following: await follows(viewer, user),
        counts: { pins: db.pinCount(user.id), ...(await feeds.graph.counts(user.id)) },
        boards: db.boardsOf(user.id),
        cards: await withLoves(pinsOf(page.items, page), viewer),
        next: nextUrl(`/u/${encodeURIComponent(user.handle)}`, page.next),
      };
    },

    /** Reads notifications, then (on the first page) marks them all seen and read. */
    async notifications(viewer: User, cursor: string | undefined) {
      const feed = feeds.notifications.for(viewer.id);
      // Actors through the enricher; a love's or comment's object is the reaction, and its pin is
      // named by the reaction's data (one query for the page).
      const page = await actorEnricher.enrich(
        await readPage((o) => feed.read(o), PAGE_SIZE.notifications, cursor),
      );
      const actors = actorsOfGroups(page.items, page);
      const pins = db.pinsByIds(
        page.items.filter((n) => n.verb !== 'follow').map((n) => reactionPinId(n.activities[0])),
      );
      const items: NotificationView[] = page.items.map((n, i) => ({
        id: n.id,
        verb: n.verb,
        seen: n.seen,
        actors: actors[i] ?? [],
        actorCount: n.actorCount,
        updatedAt: n.updatedAt.getTime(),
        pin: n.verb === 'follow' ? undefined : pins.get(reactionPinId(n.activities[0])),
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
        if (!(await follows(viewer, target))) await feeds.follow(follow);
        return { target, following: true };
      }),

    unfollow: (viewer: User, handle: string) =>
      lock(`follow:${viewer.id}`, async () => {
        const target = userOrThrow(handle);
        if (await follows(viewer, target)) await feeds.unfollow(viewer.id, target.id);
        return { target, following: false };
      }),

    /** Loves a pin; loving it again changes nothing. */
    love: (viewer: User, pinId: string) =>
      lock(`love:${viewer.id}`, async () => {
        const pin = pinOrThrow(pinId);
        if (pin.userId === viewer.id) {
          throw new AppError(422, 'Your own pin', 'You cannot love your own pin.');
        }
        await feeds.love(viewer.id, pin, now());
        return pin;
      }),

    /** A pin's comments, newest first, with their authors. */
    async comments(pin: Pin, cursor: string | undefined) {
      const page = await readPage((o) => feeds.comments(pin, o), PAGE_SIZE.comments, cursor);
      const authors = db.usersByIds([...new Set(page.items.map((r) => Number(r.userId)))]);
      const items: CommentView[] = page.items.flatMap((r) => {
        const author = authors.get(Number(r.userId));
        const text = r.data.text;
        if (!author || typeof text !== 'string') return [];
        return [{ id: r.id, author, text, time: r.time.getTime() }];
      });
      return { items, next: nextUrl(`/pins/${pin.id}`, page.next) };
    },

    /**
     * Comments on a pin. The comment's id is derived from who wrote what where, so posting the
     * same text twice (a double click, a resent form) makes one comment.
     */
    comment: (viewer: User, pinId: string, input: unknown) =>
      lock(`comment:${viewer.id}`, async () => {
        const pin = pinOrThrow(pinId);
        const text = checkComment(input);
        const id = createHash('sha256')
          .update(JSON.stringify([viewer.id, pin.id, text]))
          .digest('base64url')
          .slice(0, 24);
        await feeds.comment(viewer.id, pin, id, text, now());
        return pin;
      }),

    unlove: (viewer: User, pinId: string) =>
      lock(`love:${viewer.id}`, async () => {
        const pin = pinOrThrow(pinId);
        await feeds.unlove(viewer.id, pin);
        return pin;
      }),
  };
}

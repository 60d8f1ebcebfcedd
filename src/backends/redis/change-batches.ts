/**
 * The wire format of published changes (version 2): the changes of one tick (a fan-out chunk) of
 * one feed definition with one reason go out as ONE message on the feed's channel, naming every
 * user whose feed changed. Internal to the Redis backend.
 *
 * `{ v: 2, feed, reason, ids?, users: [[userId, key, ...rest], ...] }`: for a notification change
 * `rest` is `[unseen, unread]`; for a flat or aggregated feed change it is empty (the user's ids
 * are the message's `ids`) or `[ids]` (a user whose ids differ, e.g. aggregated group ids).
 * @module
 */
import type { FeedChange, FeedChangeReason } from '../../feeds/change-events.js';
import type {
  NotificationChange,
  NotificationChangeReason,
} from '../../feeds/notification-events.js';

/** Most users one message names: a bigger tick is split, so that a message stays small. */
export const MAX_USERS_PER_MESSAGE = 1000;

/** Which change type a subscription expects. */
export type ChangeKind = 'notification' | 'feed';

type Entry = (string | number | readonly string[])[];

/** Whether two id lists hold the same ids in the same order. */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((id, i) => id === b[i]));
}

/**
 * Encodes the changes of one tick as messages, in order: a new message starts where the feed,
 * the reason or the kind changes (so a user's changes keep their order) and after
 * {@link MAX_USERS_PER_MESSAGE} users.
 */
export function encodeChanges(changes: readonly (NotificationChange | FeedChange)[]): string[] {
  const messages: string[] = [];
  let head: NotificationChange | FeedChange | undefined;
  let users: Entry[] = [];
  const close = (): void => {
    if (head === undefined) return;
    const ids = 'ids' in head ? { ids: head.ids } : {};
    messages.push(JSON.stringify({ v: 2, feed: head.feed, reason: head.reason, ...ids, users }));
    [head, users] = [undefined, []];
  };
  for (const change of changes) {
    if (
      head === undefined ||
      head.feed !== change.feed ||
      head.reason !== change.reason ||
      'ids' in head !== 'ids' in change ||
      users.length === MAX_USERS_PER_MESSAGE
    ) {
      close();
      head = change;
    }
    const entry: Entry = [change.userId, change.key];
    if ('ids' in change) {
      if (!sameIds(change.ids, (head as FeedChange).ids)) entry.push(change.ids);
    } else {
      entry.push(change.unseen, change.unread);
    }
    users.push(entry);
  }
  close();
  return messages;
}

/** A notification change as delivered to subscribers: the {@link NotificationChange} fields, versioned. */
export interface PublishedChange extends NotificationChange {
  readonly v: 2;
}

/** A flat or aggregated feed change as delivered to subscribers: the {@link FeedChange} fields, versioned. */
export interface PublishedFeedChange extends FeedChange {
  readonly v: 2;
}

const REASONS: Record<ChangeKind, ReadonlySet<string>> = {
  notification: new Set<NotificationChangeReason>([
    'add',
    'remove',
    'seen',
    'read',
    'delete',
    'trim',
  ]),
  feed: new Set<FeedChangeReason>(['add', 'remove', 'delete', 'trim']),
};

const isIds = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((id) => typeof id === 'string');

/**
 * Decodes a message into the changes of the users `wanted` accepts (all by default), in message
 * order; undefined if anything in the message is malformed (then nothing is delivered).
 */
export function decodeChanges(
  message: string,
  kind: 'notification',
  wanted?: (userId: string) => boolean,
): PublishedChange[] | undefined;
export function decodeChanges(
  message: string,
  kind: 'feed',
  wanted?: (userId: string) => boolean,
): PublishedFeedChange[] | undefined;
export function decodeChanges(
  message: string,
  kind: ChangeKind,
  wanted: (userId: string) => boolean = () => true,
): (PublishedChange | PublishedFeedChange)[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  const m = value as Record<string, unknown> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    m.v !== 2 ||
    typeof m.feed !== 'string' ||
    !REASONS[kind].has(m.reason as string) ||
    !Array.isArray(m.users) ||
    (kind === 'feed' && !isIds(m.ids))
  ) {
    return undefined;
  }
  const { feed, reason } = m as { feed: string; reason: string };
  const shared = kind === 'feed' ? Object.freeze(m.ids as string[]) : undefined;
  const changes: (PublishedChange | PublishedFeedChange)[] = [];
  for (const entry of m.users as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') {
      return undefined;
    }
    const [userId, key, a, b] = entry as [string, string, unknown, unknown];
    if (kind === 'notification') {
      if (entry.length !== 4 || !Number.isSafeInteger(a) || !Number.isSafeInteger(b))
        return undefined;
      if (wanted(userId)) {
        const change = { v: 2, feed, userId, key, reason, unseen: a, unread: b };
        changes.push(Object.freeze(change) as PublishedChange);
      }
    } else {
      if (entry.length > 3 || (entry.length === 3 && !isIds(a))) return undefined;
      if (wanted(userId)) {
        const ids = entry.length === 3 ? Object.freeze(a as string[]) : shared;
        changes.push(
          Object.freeze({ v: 2, feed, userId, key, reason, ids }) as PublishedFeedChange,
        );
      }
    }
  }
  return changes;
}

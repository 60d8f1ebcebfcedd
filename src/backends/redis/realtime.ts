import type { Redis } from 'ioredis';
import { ValidationError } from '../../errors.js';
import type { ChangeEvents, FeedChange, FeedChangeReason } from '../../feeds/change-events.js';
import { escapeKeyPart } from '../../feeds/keys.js';
import type {
  NotificationChange,
  NotificationChangeReason,
} from '../../feeds/notification-events.js';
import { assertFeedName, assertId } from '../../validation/names.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import { addChannelListener } from './channel-subscriptions.js';
import { redisCall } from './errors.js';
import { checkPrefix } from './keys.js';
import type { RedisClient } from './scripts.js';

/** A notification change as published on Redis: the {@link NotificationChange} fields, versioned. */
export interface PublishedChange extends NotificationChange {
  readonly v: 1;
}

/** A flat or aggregated feed change as published on Redis: the {@link FeedChange} fields, versioned. */
export interface PublishedFeedChange extends FeedChange {
  readonly v: 1;
}

/**
 * The pub/sub channel of one user's feed: `<prefix>:changes:<feed>:<escaped userId>`. Throws
 * `INVALID_OPTION` for a bad prefix or feed name and `INVALID_ID` for a user id that no feed
 * accepts (e.g. one with a lone surrogate, which UTF-8 would turn into the channel of another id).
 */
export function changeChannel(prefix: string, feed: string, userId: string | number): string {
  const name = assertFeedName(feed, 'feed');
  return `${checkPrefix(prefix)}:changes:${name}:${escapeKeyPart(String(assertId(userId, 'userId')))}`;
}

/** Options of {@link publishChanges}. */
export interface PublishChangesOptions {
  /** The client to PUBLISH with (any client; on a cluster, PUBLISH reaches every node). */
  readonly client: RedisClient;
  /** Channel prefix. @default 'sf' */
  readonly prefix?: string | undefined;
  /** Called when a PUBLISH fails (the feed write itself has already succeeded). */
  readonly onError?: ((error: unknown) => void) | undefined;
}

const PUBLISH_KEYS = optionKeys<PublishChangesOptions>({
  client: true,
  prefix: true,
  onError: true,
});

/**
 * Forwards a feed definition's change events (notification, flat or aggregated) to Redis pub/sub,
 * one channel per user's feed, so that a web server in another process (or on another machine)
 * can push live badges or "new activities" banners. Returns a function that stops forwarding.
 * @example
 * publishChanges(notifications, { client: redis });
 * publishChanges(timeline, { client: redis }); // subscribeToFeedChanges on the other side
 */
export function publishChanges<C extends NotificationChange | FeedChange>(
  definition: { readonly name: string; readonly events: ChangeEvents<C> },
  options: PublishChangesOptions,
): () => void {
  checkOptions(options, PUBLISH_KEYS, 'publishChanges');
  const prefix = checkPrefix(options.prefix ?? 'sf');
  const { client } = options;
  // Changes emitted in the same tick (a fan-out chunk: one per follower feed) go out together:
  // one pipeline on a single node; on a cluster, concurrent PUBLISHes (they carry no key).
  let pending: [channel: string, message: string][] = [];
  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    try {
      if (client.isCluster || batch.length === 1) {
        const results = await Promise.allSettled(batch.map(([c, m]) => client.publish(c, m)));
        for (const r of results) if (r.status === 'rejected') options.onError?.(r.reason);
        return;
      }
      const pipeline = client.pipeline();
      for (const [channel, message] of batch) pipeline.publish(channel, message);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) options.onError?.(error);
    } catch (error) {
      options.onError?.(error);
    }
  };
  return definition.events.on('change', (change) => {
    pending.push([
      changeChannel(prefix, change.feed, change.userId),
      JSON.stringify({ v: 1, ...change }),
    ]);
    if (pending.length === 1) queueMicrotask(() => void flush());
  });
}

const REASONS = new Set<NotificationChangeReason>([
  'add',
  'remove',
  'seen',
  'read',
  'delete',
  'trim',
]);

const FEED_REASONS = new Set<FeedChangeReason>(['add', 'remove', 'delete', 'trim']);

/** The fields every published change has, from a message; undefined if they are malformed. */
function parseBase(message: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  const c = value as Record<string, unknown> | null;
  const ok =
    typeof c === 'object' &&
    c !== null &&
    c.v === 1 &&
    typeof c.feed === 'string' &&
    typeof c.userId === 'string' &&
    typeof c.key === 'string';
  return ok ? c : undefined;
}

/** Parses a published notification change; returns undefined for anything malformed. */
export function parseChange(message: string): PublishedChange | undefined {
  const c = parseBase(message);
  const ok =
    c !== undefined &&
    REASONS.has(c.reason as NotificationChangeReason) &&
    Number.isSafeInteger(c.unseen) &&
    Number.isSafeInteger(c.unread);
  return ok ? (c as unknown as PublishedChange) : undefined;
}

/** Parses a published flat or aggregated feed change; returns undefined for anything malformed. */
export function parseFeedChange(message: string): PublishedFeedChange | undefined {
  const c = parseBase(message);
  const ok =
    c !== undefined &&
    FEED_REASONS.has(c.reason as FeedChangeReason) &&
    Array.isArray(c.ids) &&
    c.ids.every((id) => typeof id === 'string');
  return ok ? (c as unknown as PublishedFeedChange) : undefined;
}

/** Options of {@link subscribeToChanges}. */
export interface SubscribeOptions {
  /**
   * A connection dedicated to subscriptions (a subscribed ioredis connection cannot run other
   * commands): e.g. `redis.duplicate()`. You own it and close it. Any number of subscriptions,
   * to the same or to different feeds, may share it: stopping one leaves the others listening.
   */
  readonly subscriber: Redis;
  readonly feed: string;
  readonly userId: string | number;
  /** Channel prefix. @default 'sf' */
  readonly prefix?: string | undefined;
  /** Called for a message on the channel that is not a valid change (it is otherwise ignored). */
  readonly onInvalid?: ((message: string) => void) | undefined;
}

const SUBSCRIBE_KEYS = optionKeys<SubscribeOptions>({
  subscriber: true,
  feed: true,
  userId: true,
  prefix: true,
  onInvalid: true,
});

/**
 * Subscribes to the changes of one user's notification feed, e.g. to forward them to a browser
 * over SSE. Resolves once subscribed, with a function that unsubscribes.
 * @example
 * const stop = await subscribeToChanges({ subscriber, feed: 'notification', userId: 42 },
 *   (c) => res.write(`data: ${JSON.stringify({ unseen: c.unseen })}\n\n`));
 */
export function subscribeToChanges(
  options: SubscribeOptions,
  onChange: (change: PublishedChange) => void,
): Promise<() => Promise<void>> {
  return subscribe(options, parseChange, onChange);
}

/**
 * Subscribes to the changes of one user's flat or aggregated feed (published by
 * {@link publishChanges}), e.g. to show a "new activities" banner. Resolves once subscribed, with
 * a function that unsubscribes.
 * @example
 * const stop = await subscribeToFeedChanges({ subscriber, feed: 'timeline', userId: 42 },
 *   (c) => { if (c.reason === 'add') res.write(`data: ${c.ids.length}\n\n`); });
 */
export function subscribeToFeedChanges(
  options: SubscribeOptions,
  onChange: (change: PublishedFeedChange) => void,
): Promise<() => Promise<void>> {
  return subscribe(options, parseFeedChange, onChange);
}

async function subscribe<C>(
  options: SubscribeOptions,
  parse: (message: string) => C | undefined,
  onChange: (change: C) => void,
): Promise<() => Promise<void>> {
  checkOptions(options, SUBSCRIBE_KEYS, 'subscribe');
  if (typeof onChange !== 'function') {
    throw new ValidationError('INVALID_OPTION', 'subscribing to changes needs a listener function');
  }
  const channel = changeChannel(options.prefix ?? 'sf', options.feed, options.userId);
  const { subscriber, onInvalid } = options;
  const stop = await redisCall('subscribe', channel, () =>
    addChannelListener(subscriber, channel, (message) => {
      const change = parse(message);
      if (change) onChange(change);
      else onInvalid?.(message);
    }),
  );
  return () => redisCall('unsubscribe', channel, stop);
}

import type { Redis } from 'ioredis';
import { ValidationError } from '../../errors.js';
import type { ChangeEvents, FeedChange } from '../../feeds/change-events.js';
import type { NotificationChange } from '../../feeds/notification-events.js';
import { assertFeedName, assertId } from '../../validation/names.js';
import { checkOptions, optionKeys } from '../../validation/options.js';
import {
  type ChangeKind,
  decodeChanges,
  encodeChanges,
  type PublishedChange,
  type PublishedFeedChange,
} from './change-batches.js';
import { addUserListener } from './change-router.js';
import { redisCall } from './errors.js';
import { checkPrefix } from './keys.js';
import type { RedisClient } from './scripts.js';

export type { PublishedChange, PublishedFeedChange } from './change-batches.js';

/**
 * The pub/sub channel of a feed definition, shared by every user's feed of it:
 * `<prefix>:changes:<feed>`. Each message on it names the users whose feeds changed. Throws
 * `INVALID_OPTION` for a bad prefix or feed name.
 */
export function changeChannel(prefix: string, feed: string): string {
  return `${checkPrefix(prefix)}:changes:${assertFeedName(feed, 'feed')}`;
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
 * Forwards a feed definition's change events (notification, flat or aggregated) to Redis pub/sub
 * on the feed's channel ({@link changeChannel}), so that a web server in another process (or on
 * another machine) can push live badges or "new activities" banners. The changes of one tick (a
 * fan-out chunk: one per follower feed) go out as one message naming every user whose feed changed
 * (split past 1,000 users, or where the reason changes), not one message per user: a fan-out to
 * 10,000 followers in chunks of 100 is 100 PUBLISHes instead of 10,000. Messages leave in the
 * order of the changes. Returns a function that stops forwarding.
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
  const report = (error: unknown): void => options.onError?.(error);
  /** Publishes messages in order: one pipeline on a single node, one after the other on a cluster. */
  const send = async (messages: readonly [channel: string, message: string][]): Promise<void> => {
    try {
      if (client.isCluster || messages.length === 1) {
        // A cluster sends a keyless PUBLISH to any node: waiting for each one keeps the order.
        for (const [channel, message] of messages) {
          await client.publish(channel, message).catch(report);
        }
        return;
      }
      const pipeline = client.pipeline();
      for (const [channel, message] of messages) pipeline.publish(channel, message);
      for (const [error] of (await pipeline.exec()) ?? []) if (error) report(error);
    } catch (error) {
      report(error);
    }
  };
  // Changes of one tick go out together; while a send is in flight, the next ones wait and join.
  let pending: C[] = [];
  let busy = false;
  const drain = async (): Promise<void> => {
    try {
      await sendPending();
    } catch (error) {
      report(error);
    } finally {
      busy = false;
    }
    if (pending.length > 0 && !busy) {
      busy = true;
      await drain();
    }
  };
  const sendPending = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      const byChannel = new Map<string, C[]>();
      for (const change of batch) {
        const channel = changeChannel(prefix, change.feed);
        const list = byChannel.get(channel);
        if (list === undefined) byChannel.set(channel, [change]);
        else list.push(change);
      }
      const messages: [string, string][] = [];
      for (const [channel, changes] of byChannel) {
        for (const message of encodeChanges(changes)) messages.push([channel, message]);
      }
      await send(messages);
    }
  };
  return definition.events.on('change', (change) => {
    pending.push(change);
    if (busy) return;
    busy = true;
    queueMicrotask(() => void drain());
  });
}

/**
 * Parses a published message of notification changes; returns the change of each user it names
 * (in order), or undefined for anything malformed.
 */
export function parseChanges(message: string): PublishedChange[] | undefined {
  return decodeChanges(message, 'notification');
}

/**
 * Parses a published message of flat or aggregated feed changes; returns the change of each user
 * it names (in order), or undefined for anything malformed.
 */
export function parseFeedChanges(message: string): PublishedFeedChange[] | undefined {
  return decodeChanges(message, 'feed');
}

/** Options of {@link subscribeToChanges}. */
export interface SubscribeOptions {
  /**
   * A connection dedicated to subscriptions (a subscribed ioredis connection cannot run other
   * commands): e.g. `redis.duplicate()`. You own it and close it. Any number of subscriptions,
   * to the same or to different feeds, may share it: stopping one leaves the others listening.
   * The connection SUBSCRIBEs once per feed channel and receives every user's changes of that
   * feed; each subscription is handed only its own user's.
   */
  readonly subscriber: Redis;
  readonly feed: string;
  readonly userId: string | number;
  /** Channel prefix. @default 'sf' */
  readonly prefix?: string | undefined;
  /**
   * Called for a message on the feed's channel that is not a valid batch of changes (it is
   * otherwise ignored; the message may have been meant for other users).
   */
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
  return subscribe(options, 'notification', onChange);
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
  return subscribe(options, 'feed', onChange);
}

async function subscribe<C>(
  options: SubscribeOptions,
  kind: ChangeKind,
  onChange: (change: C) => void,
): Promise<() => Promise<void>> {
  checkOptions(options, SUBSCRIBE_KEYS, 'subscribe');
  if (typeof onChange !== 'function') {
    throw new ValidationError('INVALID_OPTION', 'subscribing to changes needs a listener function');
  }
  const channel = changeChannel(options.prefix ?? 'sf', options.feed);
  // A user id that no feed accepts (e.g. one with a lone surrogate) is refused, as feeds do.
  const userId = String(assertId(options.userId, 'userId'));
  const listener = {
    onChange: onChange as (change: unknown) => void,
    onInvalid: options.onInvalid,
  };
  const stop = await redisCall('subscribe', channel, () =>
    addUserListener(options.subscriber, channel, kind, userId, listener),
  );
  return () => redisCall('unsubscribe', channel, stop);
}

/**
 * Shared subscriber connections: any number of listeners may subscribe to the same channel on
 * one connection (an app with one subscriber for every open browser tab). Each connection keeps a
 * count of listeners per channel: the first one sends SUBSCRIBE, the last one to stop sends
 * UNSUBSCRIBE, and one `message` handler per connection hands each message to the listeners of
 * its channel. Internal to the Redis backend.
 * @module
 */
import type { Redis } from 'ioredis';

/** A listener of one channel: called with each message published on it. */
export type ChannelListener = (message: string) => void;

interface Channel {
  readonly listeners: Set<ChannelListener>;
  /** The SUBSCRIBE sent by the channel's first listener; later ones wait for it too. */
  readonly subscribed: Promise<unknown>;
}

interface Connection {
  readonly channels: Map<string, Channel>;
  readonly onMessage: (channel: string, message: string) => void;
}

const connections = new WeakMap<Redis, Connection>();

function connectionOf(subscriber: Redis): Connection {
  let connection = connections.get(subscriber);
  if (connection === undefined) {
    const channels = new Map<string, Channel>();
    const onMessage = (channel: string, message: string): void => {
      const listeners = channels.get(channel)?.listeners;
      if (listeners === undefined) return;
      // Every listener gets the message even if one throws; the first error is rethrown after.
      let failed = false;
      let error: unknown;
      for (const listener of [...listeners]) {
        try {
          listener(message);
        } catch (e) {
          if (!failed) [failed, error] = [true, e];
        }
      }
      if (failed) throw error;
    };
    connection = { channels, onMessage };
    connections.set(subscriber, connection);
  }
  return connection;
}

/**
 * Adds `listener` to `channel` on `subscriber`; resolves once the connection is subscribed, with
 * a function that removes the listener (calling it again does nothing). SUBSCRIBE and UNSUBSCRIBE
 * are sent as the count of a channel's listeners leaves or reaches 0, in call order on the one
 * connection, so concurrent subscribes and stops leave the channel subscribed exactly while a
 * listener wants it. A failed SUBSCRIBE rejects and leaves nothing registered.
 */
export async function addChannelListener(
  subscriber: Redis,
  channel: string,
  listener: ChannelListener,
): Promise<() => Promise<void>> {
  const connection = connectionOf(subscriber);
  let entry = connection.channels.get(channel);
  if (entry === undefined) {
    if (connection.channels.size === 0) subscriber.on('message', connection.onMessage);
    entry = { listeners: new Set(), subscribed: subscriber.subscribe(channel) };
    connection.channels.set(channel, entry);
  }
  // A listener object of its own, so that one function subscribed twice counts twice.
  const own: ChannelListener = (message) => listener(message);
  entry.listeners.add(own);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    entry.listeners.delete(own);
    if (entry.listeners.size > 0 || connection.channels.get(channel) !== entry) return;
    connection.channels.delete(channel);
    if (connection.channels.size === 0) subscriber.off('message', connection.onMessage);
    await subscriber.unsubscribe(channel);
  };
  try {
    await entry.subscribed;
  } catch (error) {
    await stop().catch(() => undefined); // best effort: the SUBSCRIBE failed already
    throw error;
  }
  return stop;
}

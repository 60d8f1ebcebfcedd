/**
 * Per-user subscriptions on a per-feed channel: a subscriber connection subscribes to a feed's
 * channel once (through {@link addChannelListener}), parses each message once, and hands each
 * user's change to that user's listeners only (a Map userId -> listeners), whatever the number of
 * users and listeners on the connection. Internal to the Redis backend.
 * @module
 */
import type { Redis } from 'ioredis';
import { type ChangeKind, decodeChanges, type PublishedChange } from './change-batches.js';
import { addChannelListener } from './channel-subscriptions.js';

/** One subscription: its change listener and its handler of malformed messages. */
export interface UserListener {
  readonly onChange: (change: { readonly userId: string }) => void;
  readonly onInvalid?: ((message: string) => void) | undefined;
}

interface Route {
  readonly users: Map<string, Set<UserListener>>;
  /** The channel listener's registration; resolves with its stop function. */
  readonly ready: Promise<() => Promise<void>>;
}

const routesOf = new WeakMap<Redis, Map<string, Route>>();

/** Calls `call` for each item even if one throws; rethrows the first error after. */
function forEachSafely<T>(items: Iterable<T>, call: (item: T) => void): void {
  let failed = false;
  let error: unknown;
  for (const item of [...items]) {
    try {
      call(item);
    } catch (e) {
      if (!failed) [failed, error] = [true, e];
    }
  }
  if (failed) throw error;
}

function dispatch(route: Route, kind: ChangeKind, message: string): void {
  const wanted = (userId: string): boolean => route.users.has(userId);
  const changes = decodeChanges(message, kind as 'notification', wanted) as
    | PublishedChange[]
    | undefined;
  if (changes === undefined) {
    const all = [...route.users.values()].flatMap((set) => [...set]);
    forEachSafely(all, (l) => l.onInvalid?.(message));
    return;
  }
  const calls: [UserListener, PublishedChange][] = [];
  for (const change of changes) {
    for (const l of route.users.get(change.userId) ?? []) calls.push([l, change]);
  }
  forEachSafely(calls, ([l, change]) => l.onChange(change));
}

/**
 * Adds `listener` for `userId`'s changes on `channel` (a feed's channel) on `subscriber`;
 * resolves once subscribed, with a function that removes it (calling it again does nothing). The
 * last listener of a channel and kind to stop releases the channel. A failed SUBSCRIBE rejects
 * and leaves nothing registered.
 */
export async function addUserListener(
  subscriber: Redis,
  channel: string,
  kind: ChangeKind,
  userId: string,
  listener: UserListener,
): Promise<() => Promise<void>> {
  let routes = routesOf.get(subscriber);
  if (routes === undefined) {
    routes = new Map();
    routesOf.set(subscriber, routes);
  }
  const name = `${kind} ${channel}`;
  let route = routes.get(name);
  if (route === undefined) {
    const users = new Map<string, Set<UserListener>>();
    const ready = addChannelListener(subscriber, channel, (m) => dispatch(created, kind, m));
    const created: Route = { users, ready };
    route = created;
    routes.set(name, route);
  }
  const current = route;
  // A listener object of its own, so that one listener subscribed twice counts twice.
  const own: UserListener = { onChange: listener.onChange, onInvalid: listener.onInvalid };
  let set = current.users.get(userId);
  if (set === undefined) {
    set = new Set();
    current.users.set(userId, set);
  }
  set.add(own);
  let stopped = false;
  /** Removes this listener; true if it was the route's last one (the route is then dropped). */
  const remove = (): boolean => {
    stopped = true;
    const mine = current.users.get(userId);
    mine?.delete(own);
    if (mine?.size === 0) current.users.delete(userId);
    return current.users.size === 0 && routes.get(name) === current;
  };
  const stop = async (): Promise<void> => {
    if (stopped || !remove()) return;
    routes.delete(name);
    await (await current.ready)();
  };
  try {
    await current.ready;
  } catch (error) {
    remove(); // the route failed for every listener: later ones start a new one
    if (routes.get(name) === current) routes.delete(name);
    throw error;
  }
  return stop;
}

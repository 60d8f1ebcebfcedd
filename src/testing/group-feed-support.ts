import { type Activity, type ActivityInput, createActivity } from '../activity/activity.js';
import { groupIdOf } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { byVerbObjectAndDay } from '../aggregation/aggregators.js';
import {
  defineNotificationFeed,
  type NotificationFeedDefinition,
  type NotificationFeedOptions,
  type NotificationGroup,
} from '../feeds/notification-feed.js';
import type { Storage } from '../storage/contracts.js';
import { newestFirst } from './fixtures.js';
import type { HarnessContext, HarnessTest } from './harness.js';

/** Base time of the fixtures: 2024-05-01T12:00:00.000Z, in ms. */
export const GROUP_BASE_TIME_MS: number = Date.UTC(2024, 4, 1, 12, 0, 0);
/** One day in ms: activities a day apart fall in different default groups. */
export const DAY_MS = 86_400_000;

/** Registers group feed tests: `fn` receives fresh, isolated storage from the backend. */
export type GroupCase = HarnessTest<Storage>;

/** The group feed suites' context: the storage alone. */
export function storageOf({ storage }: HarnessContext): Storage {
  return storage;
}

/**
 * Fixture activity number `n`: actor `n`, verb `'love'`, object `'obj-<n>'`, at
 * `GROUP_BASE_TIME_MS + n` seconds, unless overridden. Same verb and day = same default group.
 */
export function act<E extends ExtraData = JsonObject>(
  n: number,
  overrides: Partial<ActivityInput<E>> = {},
): Activity<E> {
  return createActivity<E>({
    actor: n,
    verb: 'love',
    object: `obj-${n}`,
    time: GROUP_BASE_TIME_MS + n * 1000,
    ...overrides,
  } as ActivityInput<E>);
}

/** Fixture activity `n` on day `day` (0 = the base day), `n` seconds after that day's base time. */
export function actOnDay<E extends ExtraData = JsonObject>(
  n: number,
  day: number,
  overrides: Partial<ActivityInput<E>> = {},
): Activity<E> {
  return act<E>(n, { time: GROUP_BASE_TIME_MS + day * DAY_MS + n * 1000, ...overrides });
}

/** `0, 1, ..., n - 1`. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export { newestFirst };

/** A notification feed definition named `'notif'` on `storage`. */
export function defineTestNotifications(
  storage: Storage,
  options: Partial<NotificationFeedOptions> = {},
): NotificationFeedDefinition {
  return defineNotificationFeed({ name: 'notif', storage, ...options });
}

/** The id of the default notification group of an activity (verb + object + day). */
export function notificationGroupId(activity: Activity): string {
  return groupIdOf(byVerbObjectAndDay.groupKey(activity));
}

/** `[id, seen, read]` of each item, for compact assertions. */
export function flagsOf(items: readonly NotificationGroup[]): [string, boolean, boolean][] {
  return items.map((g) => [g.id, g.seen, g.read]);
}

import type { Id } from '../activity/ids.js';
import type { ExtraData, JsonObject } from '../activity/json.js';
import { type Aggregator, byVerbObjectAndDay } from '../aggregation/aggregators.js';
import { DEFAULT_TRACKED_ACTIVITIES } from '../aggregation/group.js';
import { UnsupportedOperationError } from '../errors.js';
import { checkOptions, optionKeys } from '../validation/options.js';
import { boolOptionOr } from '../validation/values.js';
import type { FeedDefinition } from './feed.js';
import type { FeedTarget } from './feed-targets.js';
import { checkGroupIds, createGroupFeedCore } from './group/core.js';
import { GROUP_KEYS, GROUP_MOVED, resolveGroupFeedSettings } from './group/settings.js';
import type { AggregatedFeedBase, AggregatedGroup, GroupFeedOptions } from './group/types.js';
import {
  createNotificationEmitter,
  type NotificationChange,
  type NotificationChangeReason,
  type NotificationEvents,
} from './notification-events.js';

/** Name of the timeline marker carried by unseen groups. */
export const UNSEEN_MARKER = 'unseen';
/** Name of the timeline marker carried by unread groups. */
export const UNREAD_MARKER = 'unread';

/** Options of {@link defineNotificationFeed}. */
export interface NotificationFeedOptions<E extends ExtraData = JsonObject>
  extends GroupFeedOptions<E> {
  /** Which state to keep per group. @default `{ unseen: true, unread: true }` */
  readonly track?: NotificationTracking | undefined;
  /** Receives errors thrown by change listeners (or by computing an event's counts). @default ignore */
  readonly onListenerError?: ((error: unknown, change?: NotificationChange) => void) | undefined;
}

/** The seen/read state a notification feed keeps (`track` of {@link NotificationFeedOptions}). */
export interface NotificationTracking {
  /** Keep unseen state (the original's `track_unseen`). @default true */
  readonly unseen?: boolean | undefined;
  /** Keep unread state (the original's `track_unread`). @default true */
  readonly unread?: boolean | undefined;
}

/** Option keys of `defineNotificationFeed` (the compiler checks them against its options). */
const NOTIFICATION_KEYS: readonly string[] = optionKeys<NotificationFeedOptions>({
  ...GROUP_KEYS,
  onListenerError: true,
  track: true,
});
const TRACK_KEYS = optionKeys<NotificationTracking>({ unseen: true, unread: true });
const NOTIFICATION_MOVED = {
  ...GROUP_MOVED,
  trackUnseen: 'use track: { unseen }',
  trackUnread: 'use track: { unread }',
};

/** A group of a notification feed, with its seen/read state. */
export interface NotificationGroup<E extends ExtraData = JsonObject> extends AggregatedGroup<E> {
  /** False while the group is unseen (always true when unseen state is not tracked). */
  readonly seen: boolean;
  /** False while the group is unread (always true when unread state is not tracked). */
  readonly read: boolean;
}

/** Unseen and unread group counts of a notification feed (0 for untracked state). */
export interface NotificationCounts {
  readonly unseen: number;
  readonly unread: number;
}

/** Options of {@link NotificationFeed.markRead}. */
export interface MarkReadOptions {
  /** Also mark the groups seen. @default false (the original marked them seen too) */
  readonly seen?: boolean | undefined;
}

/** Options of {@link NotificationFeed.markAll}; each flag defaults to false when options are given. */
export interface MarkAllOptions {
  readonly seen?: boolean | undefined;
  readonly read?: boolean | undefined;
}

const MARK_READ_KEYS = optionKeys<MarkReadOptions>({ seen: true });
const MARK_ALL_KEYS = optionKeys<MarkAllOptions>({ seen: true, read: true });

/**
 * One user's notification feed: an aggregated feed whose groups are unseen and unread when they
 * are created or receive a new activity, until marked. Counts always equal what the feed holds:
 * the state lives in timeline markers, cleared with the group when it is removed or trimmed.
 */
export interface NotificationFeed<E extends ExtraData = JsonObject>
  extends AggregatedFeedBase<E, NotificationGroup<E>, 'notification'> {
  /** Unseen and unread counts. */
  counts(): Promise<NotificationCounts>;
  /** Number of unseen groups. */
  countUnseen(): Promise<number>;
  /** Number of unread groups. */
  countUnread(): Promise<number>;
  /** Marks groups seen; unknown ids are ignored. Returns how many groups were unseen. */
  markSeen(groupIds: readonly string[]): Promise<number>;
  /**
   * Marks groups read (and seen, with `{ seen: true }`); unknown ids are ignored. Returns how many
   * groups were unread. Unlike the original, reading does not imply seeing unless asked.
   */
  markRead(groupIds: readonly string[], options?: MarkReadOptions): Promise<number>;
  /** Marks every group seen; returns how many were unseen. */
  markAllSeen(): Promise<number>;
  /** Marks every group read (not seen); returns how many were unread. */
  markAllRead(): Promise<number>;
  /**
   * Marks every group seen and/or read. Without options it marks seen only (the original's
   * `mark_all()` default); with options, each flag not set to true is left alone. Returns how many
   * groups changed state.
   */
  markAll(options?: MarkAllOptions): Promise<{ seen: number; read: number }>;
}

/** A notification feed definition; `for(userId)` gives a user's feed, `events` reports changes. */
export interface NotificationFeedDefinition<E extends ExtraData = JsonObject>
  extends FeedDefinition<E, NotificationFeed<E>> {
  readonly kind: 'notification';
  readonly aggregator: Aggregator<E>;
  readonly maxActivitiesPerGroup: number;
  readonly maxTrackedActors: number;
  readonly maxTrackedActivities: number;
  readonly trackUnseen: boolean;
  readonly trackUnread: boolean;
  /** Change events of every user's feed of this definition, for real-time badges. */
  readonly events: NotificationEvents;
}

/**
 * Defines a notification feed: an aggregated feed (default aggregator verb + object + UTC day,
 * denormalized, 100 groups) with unseen/unread state per group and change events. A new group, or
 * a group that receives a new activity, becomes unseen and unread in the same atomic write;
 * removing activities does not re-mark a group. Throws `INVALID_OPTION` for bad options and
 * `UNSUPPORTED` when the storage has no markers.
 * @example
 * const notifications = defineNotificationFeed({ name: 'notification', storage: createMemoryStorage() });
 * notifications.events.on('change', (c) => pushBadge(c.userId, c.unseen));
 * await notifications.for(7).add(activity);
 * const { unseen, unread } = await notifications.for(7).counts();
 */
export function defineNotificationFeed<E extends ExtraData = JsonObject>(
  options: NotificationFeedOptions<E>,
): NotificationFeedDefinition<E> {
  const settings = resolveGroupFeedSettings<E>(
    options,
    { aggregator: byVerbObjectAndDay as Aggregator<E>, normalized: false },
    NOTIFICATION_KEYS,
    'defineNotificationFeed',
    NOTIFICATION_MOVED,
  );
  const { config } = settings;
  const { timeline } = config.storage;
  const what = `feed ${config.name}`;
  const track = checkOptions<NotificationTracking>(
    options.track,
    TRACK_KEYS,
    'defineNotificationFeed',
    true,
    {
      path: 'track',
    },
  );
  const trackUnseen = boolOptionOr(track.unseen, true, 'track.unseen');
  const trackUnread = boolOptionOr(track.unread, true, 'track.unread');
  if ((trackUnseen || trackUnread) && !timeline.capabilities.markers) {
    throw new UnsupportedOperationError(
      `${what}: timeline storage ${timeline.name} has no markers, which unseen/unread state needs`,
    );
  }
  const emitter = createNotificationEmitter(options.onListenerError);

  const countOf = (key: string, tracked: boolean, marker: string): Promise<number> =>
    tracked ? timeline.countMarked(key, marker) : Promise.resolve(0);
  const countsOf = async (key: string): Promise<NotificationCounts> => {
    const [unseen, unread] = await Promise.all([
      countOf(key, trackUnseen, UNSEEN_MARKER),
      countOf(key, trackUnread, UNREAD_MARKER),
    ]);
    return { unseen, unread };
  };
  const flagsOf = async (key: string, tracked: boolean, marker: string, ids: string[]) =>
    tracked ? timeline.isMarked(key, marker, ids) : ids.map(() => false);

  /** Tells the listeners, if any (without one, every write skips this at no cost). */
  const publish = (target: FeedTarget, reason: NotificationChangeReason): Promise<void> =>
    emitter.listening() ? publishCounts(target, reason) : Promise.resolve();
  const publishCounts = async (
    target: FeedTarget,
    reason: NotificationChangeReason,
  ): Promise<void> => {
    let change: NotificationChange;
    try {
      change = { feed: config.name, ...target, reason, ...(await countsOf(target.key)) };
    } catch (error) {
      emitter.fail(error);
      return;
    }
    emitter.emit(change);
  };

  const core = createGroupFeedCore<E, NotificationGroup<E>, 'notification'>(settings, {
    kind: 'notification',
    markOnChange: [
      ...(trackUnseen ? [UNSEEN_MARKER] : []),
      ...(trackUnread ? [UNREAD_MARKER] : []),
    ],
    async decorate(key, groups) {
      if (groups.length === 0) return [];
      const ids = groups.map((g) => g.id);
      const [unseen, unread] = await Promise.all([
        flagsOf(key, trackUnseen, UNSEEN_MARKER, ids),
        flagsOf(key, trackUnread, UNREAD_MARKER, ids),
      ]);
      return groups.map((g, i) => Object.freeze({ ...g, seen: !unseen[i], read: !unread[i] }));
    },
    afterChange: publish,
  });

  async function mark(
    target: FeedTarget,
    ids: readonly string[] | undefined,
    seen: boolean,
    read: boolean,
  ): Promise<{ seen: number; read: number }> {
    const checked = ids === undefined ? undefined : checkGroupIds(ids, what);
    // The tracked markers asked for, cleared in one call (one round trip on Redis).
    const markers = [
      ...(read && trackUnread ? [UNREAD_MARKER] : []),
      ...(seen && trackUnseen ? [UNSEEN_MARKER] : []),
    ];
    const counts =
      markers.length === 0 ? [] : await timeline.clearMarkers(target.key, markers, checked);
    const cleared = (marker: string) => counts[markers.indexOf(marker)] ?? 0;
    const r = cleared(UNREAD_MARKER);
    const s = cleared(UNSEEN_MARKER);
    if (r > 0 || s > 0) await publish(target, r > 0 ? 'read' : 'seen');
    return { seen: s, read: r };
  }

  function handle(userId: Id): NotificationFeed<E> {
    const base = core.handle(userId);
    const target: FeedTarget = { userId: base.userId, key: base.key };
    return Object.freeze({
      ...base,
      counts: () => countsOf(base.key),
      countUnseen: () => countOf(base.key, trackUnseen, UNSEEN_MARKER),
      countUnread: () => countOf(base.key, trackUnread, UNREAD_MARKER),
      markSeen: async (groupIds: readonly string[]) =>
        (await mark(target, groupIds, true, false)).seen,
      markRead: async (groupIds: readonly string[], options?: MarkReadOptions) => {
        const o = checkOptions<MarkReadOptions>(options, MARK_READ_KEYS, `${what}: markRead`, true);
        return (await mark(target, groupIds, boolOptionOr(o.seen, false, 'seen'), true)).read;
      },
      markAllSeen: async () => (await mark(target, undefined, true, false)).seen,
      markAllRead: async () => (await mark(target, undefined, false, true)).read,
      markAll: async (options?: MarkAllOptions) => {
        if (options === undefined) return mark(target, undefined, true, false);
        const o = checkOptions<MarkAllOptions>(options, MARK_ALL_KEYS, `${what}: markAll`);
        return mark(
          target,
          undefined,
          boolOptionOr(o.seen, false, 'seen'),
          boolOptionOr(o.read, false, 'read'),
        );
      },
    });
  }

  return Object.freeze({
    kind: 'notification' as const,
    name: config.name,
    normalized: settings.normalized,
    config,
    aggregator: settings.aggregator,
    maxActivitiesPerGroup: settings.limits.maxActivities,
    maxTrackedActors: settings.limits.maxTrackedActors,
    maxTrackedActivities: settings.limits.maxTrackedActivities ?? DEFAULT_TRACKED_ACTIVITIES,
    trackUnseen,
    trackUnread,
    events: emitter.events,
    keyFor: (userId: Id) => config.keyFor(userId),
    for: handle,
    validate: core.validate,
    addToMany: core.addToMany,
    removeFromMany: core.removeFromMany,
  });
}

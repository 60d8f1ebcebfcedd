import {
  type ChangeEmitter,
  type ChangeEvents,
  type ChangeListener,
  createChangeEmitter,
} from './change-events.js';

/** Why a notification feed changed. */
export type NotificationChangeReason = 'add' | 'remove' | 'seen' | 'read' | 'delete' | 'trim';

/** Emitted after each successful change of one user's notification feed, with its new counts. */
export interface NotificationChange {
  /** Registry name of the feed definition. */
  readonly feed: string;
  /** The user whose feed changed, in string form. */
  readonly userId: string;
  /** Storage key of that feed. */
  readonly key: string;
  readonly reason: NotificationChangeReason;
  /** Unseen groups after the change (0 when unseen state is not tracked). */
  readonly unseen: number;
  /** Unread groups after the change (0 when unread state is not tracked). */
  readonly unread: number;
}

/** A notification change listener; errors it throws never fail the write. */
export type NotificationListener = ChangeListener<NotificationChange>;

/** The real-time change events of a notification feed definition (all users' feeds). */
export type NotificationEvents = ChangeEvents<NotificationChange>;

/** The emitting side of {@link NotificationEvents}, kept by the feed definition. */
export type NotificationEmitter = ChangeEmitter<NotificationChange>;

/**
 * Creates the event emitter of a notification feed. Listeners run synchronously in the order they
 * were added; what they throw or reject with goes to `onError` (default: ignored).
 */
export function createNotificationEmitter(
  onError: ((error: unknown, change?: NotificationChange) => void) | undefined,
): NotificationEmitter {
  return createChangeEmitter<NotificationChange>('notification', onError);
}

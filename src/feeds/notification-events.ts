import { show } from '../activity/ids.js';
import { ValidationError } from '../errors.js';

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

/** A change listener; errors it throws (or rejections it returns) never fail the write. */
export type NotificationListener = (change: NotificationChange) => void | Promise<void>;

/** The real-time change events of a notification feed definition (all users' feeds). */
export interface NotificationEvents {
  /** Adds a listener; returns a function that removes it. */
  on(event: 'change', listener: NotificationListener): () => void;
  /** Removes a listener added with {@link NotificationEvents.on}. */
  off(event: 'change', listener: NotificationListener): void;
  /** Number of listeners (counts are only computed when there is at least one). */
  listenerCount(event: 'change'): number;
}

/** The emitting side of {@link NotificationEvents}, kept by the feed definition. */
export interface NotificationEmitter {
  readonly events: NotificationEvents;
  /** Whether anyone listens (so the feed can skip computing counts). */
  listening(): boolean;
  /** Calls every listener; a listener's error goes to `onError`, never to the caller. */
  emit(change: NotificationChange): void;
  /** Reports an error that happened while preparing an event. */
  fail(error: unknown, change?: NotificationChange): void;
}

/**
 * Creates the event emitter of a notification feed. Listeners run synchronously in the order they
 * were added; what they throw or reject with goes to `onError` (default: ignored).
 */
export function createNotificationEmitter(
  onError: ((error: unknown, change?: NotificationChange) => void) | undefined,
): NotificationEmitter {
  const listeners = new Set<NotificationListener>();
  const fail = (error: unknown, change?: NotificationChange): void => {
    try {
      onError?.(error, change);
    } catch {
      // an error handler must not fail a write either
    }
  };
  const check = (event: unknown, listener: unknown): void => {
    if (event !== 'change') {
      throw new ValidationError(
        'INVALID_OPTION',
        `notification feeds emit only 'change' events, got ${show(event)}`,
      );
    }
    if (typeof listener !== 'function')
      throw new ValidationError('INVALID_OPTION', 'a change listener must be a function');
  };
  const events: NotificationEvents = Object.freeze({
    on(event: 'change', listener: NotificationListener): () => void {
      check(event, listener);
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    off(event: 'change', listener: NotificationListener): void {
      check(event, listener);
      listeners.delete(listener);
    },
    listenerCount: (event: 'change') => (event === 'change' ? listeners.size : 0),
  });
  return Object.freeze({
    events,
    listening: () => listeners.size > 0,
    fail,
    emit(change: NotificationChange): void {
      for (const listener of [...listeners]) {
        try {
          const result = listener(change);
          if (result instanceof Promise) result.catch((error: unknown) => fail(error, change));
        } catch (error) {
          fail(error, change);
        }
      }
    },
  });
}

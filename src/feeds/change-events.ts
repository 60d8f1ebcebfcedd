import { show } from '../activity/ids.js';
import { ValidationError } from '../errors.js';

/** Why a flat or aggregated feed changed. */
export type FeedChangeReason = 'add' | 'remove' | 'delete' | 'trim';

/**
 * Emitted after each successful write to one user's flat or aggregated feed (for a fan-out, one
 * per follower feed), e.g. to show a "new activities" banner. Computed only while someone listens.
 */
export interface FeedChange {
  /** Registry name of the feed definition. */
  readonly feed: string;
  /** The user whose feed changed, in string form. */
  readonly userId: string;
  /** Storage key of that feed. */
  readonly key: string;
  readonly reason: FeedChangeReason;
  /**
   * Flat feeds: the activity ids written, or asked to be removed. Aggregated feeds: the ids of
   * the groups written or removed. Empty for `delete` and `trim`.
   */
  readonly ids: readonly string[];
}

/** A change listener; errors it throws (or rejections it returns) never fail the write. */
export type ChangeListener<C> = (change: C) => void | Promise<void>;

/** The real-time change events of a feed definition (all users' feeds). */
export interface ChangeEvents<C> {
  /** Adds a listener; returns a function that removes it. */
  on(event: 'change', listener: ChangeListener<C>): () => void;
  /** Removes a listener added with {@link ChangeEvents.on}. */
  off(event: 'change', listener: ChangeListener<C>): void;
  /** Number of listeners (changes are only computed when there is at least one). */
  listenerCount(event: 'change'): number;
}

/** The emitting side of {@link ChangeEvents}, kept by the feed definition. */
export interface ChangeEmitter<C> {
  readonly events: ChangeEvents<C>;
  /** Whether anyone listens (so the feed can skip building changes). */
  listening(): boolean;
  /** Calls every listener; a listener's error goes to `onError`, never to the caller. */
  emit(change: C): void;
  /** Reports an error that happened while preparing a change. */
  fail(error: unknown, change?: C): void;
}

/** Receives the errors of change listeners (what they throw or reject with). */
export type ListenerErrorHandler<C> = (error: unknown, change?: C) => void;

/**
 * Creates the change emitter of a feed definition. Listeners run synchronously in the order they
 * were added; what they throw or reject with goes to `onError` (default: ignored). `kind` names
 * the feed kind in error messages.
 */
export function createChangeEmitter<C>(
  kind: string,
  onError: ListenerErrorHandler<C> | undefined,
): ChangeEmitter<C> {
  const listeners = new Set<ChangeListener<C>>();
  const fail = (error: unknown, change?: C): void => {
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
        `${kind} feeds emit only 'change' events, got ${show(event)}`,
      );
    }
    if (typeof listener !== 'function')
      throw new ValidationError('INVALID_OPTION', 'a change listener must be a function');
  };
  const events: ChangeEvents<C> = Object.freeze({
    on(event: 'change', listener: ChangeListener<C>): () => void {
      check(event, listener);
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    off(event: 'change', listener: ChangeListener<C>): void {
      check(event, listener);
      listeners.delete(listener);
    },
    listenerCount: (event: 'change') => (event === 'change' ? listeners.size : 0),
  });
  return Object.freeze({
    events,
    listening: () => listeners.size > 0,
    fail,
    emit(change: C): void {
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

/** Checks the `onListenerError` option of a feed definition. */
export function checkListenerErrorHandler<C>(
  value: unknown,
  what: string,
): ListenerErrorHandler<C> | undefined {
  if (value === undefined || typeof value === 'function')
    return value as ListenerErrorHandler<C> | undefined;
  throw new ValidationError('INVALID_OPTION', `${what}: onListenerError must be a function`, {
    details: { option: 'onListenerError' },
  });
}

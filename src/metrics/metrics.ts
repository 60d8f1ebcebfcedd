/**
 * Metrics hooks, matching the Python original's Metrics class. Every hook is optional; the default
 * is {@link noopMetrics}. Hooks must not throw: errors they raise are swallowed.
 * @module
 */

/** A fan-out task ran: `feeds` feeds were written with `activities` activities each. */
export interface FanoutEvent {
  readonly feed: string;
  readonly operation: 'add' | 'remove' | 'follow' | 'unfollow';
  readonly feeds: number;
  readonly activities: number;
  readonly durationMs: number;
}

/** A feed read, write or removal, with the number of entries involved. */
export interface FeedEvent {
  readonly feed: string;
  readonly count: number;
  readonly durationMs?: number | undefined;
}

/** Hooks called by feeds and managers. Implement any subset. */
export interface Metrics {
  /** After a fan-out task (the original's `fanout_timer` + `on_fanout`). */
  onFanout?(event: FanoutEvent): void;
  /** After a feed read (`on_feed_read`, `feed_reads_timer`). */
  onFeedRead?(event: FeedEvent): void;
  /** After entries were written to a feed (`on_feed_write`). */
  onFeedWrite?(event: FeedEvent): void;
  /** After entries were removed from a feed (`on_feed_remove`). */
  onFeedRemove?(event: FeedEvent): void;
  /** Activities referenced by a timeline were missing from activity storage during a read. */
  onMissingActivities?(event: FeedEvent): void;
  /** A manager published a user activity (`on_activity_published`). */
  onActivityPublished?(event: { readonly feed: string }): void;
  /** A manager removed a user activity (`on_activity_removed`). */
  onActivityRemoved?(event: { readonly feed: string }): void;
}

/** Metrics that record nothing: the default. */
export const noopMetrics: Metrics = Object.freeze({});

/** Calls a metrics hook, swallowing anything it throws so metrics never break a write. */
export function emitMetric<K extends keyof Metrics>(
  metrics: Metrics,
  hook: K,
  event: Parameters<NonNullable<Metrics[K]>>[0],
): void {
  const fn = metrics[hook] as ((e: typeof event) => void) | undefined;
  if (!fn) return;
  try {
    fn.call(metrics, event);
  } catch {
    // metrics must never fail a feed operation
  }
}

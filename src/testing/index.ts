/**
 * `stream-framework/testing`: the conformance kit. One suite per storage contract, per feed kind
 * and for the manager, written against the public API only, so that every backend (memory, Redis,
 * Redis Cluster, Cassandra, or your own) runs the same checks. The suites use `node:test` and
 * `node:assert/strict`; run them with `node --test`.
 * @example
 * import { describeBackend } from 'stream-framework/testing';
 * describeBackend({ name: 'my-backend', create: () => myStorage({ prefix: crypto.randomUUID() }) });
 * @module
 */
import { describeActivityStorage } from './activity-storage.cases.js';
import { describeAggregatedFeed } from './aggregated-feed.cases.js';
import type { BackendUnderTest } from './backend.js';
import { describeBoundary } from './boundary.cases.js';
import { describeFlatFeed } from './flat-feed.cases.js';
import { describeManager } from './manager.cases.js';
import { describeNotificationFeed } from './notification-feed.cases.js';
import { describeTimelineStorage } from './timeline-storage.cases.js';

export { describeActivityStorage } from './activity-storage.cases.js';
export { describeAggregatedFeed } from './aggregated-feed.cases.js';
export type { BackendUnderTest, QueueUnderTest, SkippedTest } from './backend.js';
export { describeBoundary } from './boundary.cases.js';
export { describeFlatFeed } from './flat-feed.cases.js';
export { describeManager } from './manager.cases.js';
export { describeNotificationFeed } from './notification-feed.cases.js';
export { describeTimelineStorage } from './timeline-storage.cases.js';

/**
 * Runs every conformance suite (timeline storage, activity storage, flat, aggregated and
 * notification feeds, manager, data boundary) against one backend.
 */
export function describeBackend(backend: BackendUnderTest): void {
  describeTimelineStorage(backend);
  describeActivityStorage(backend);
  describeFlatFeed(backend);
  describeAggregatedFeed(backend);
  describeNotificationFeed(backend);
  describeManager(backend);
  describeBoundary(backend);
}

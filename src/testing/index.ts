/**
 * `stream-framework/testing`: the conformance kit. One suite per storage contract, per feed kind
 * and for the manager, written against the public API only, so that every backend (memory, Redis,
 * Redis Cluster, Cassandra, SQLite, or your own) runs the same checks. The kit imports no test
 * runner: pass yours (`{ describe, test }` from node:test, Vitest or Jest). Assertions use
 * `node:assert/strict`, whose AssertionError every runner reports.
 * @example
 * import { describe, test } from 'vitest'; // or 'node:test', or Jest's globals
 * import { describeBackend } from 'stream-framework/testing';
 * describeBackend({ describe, test }, {
 *   name: 'my-backend',
 *   create: () => myStorage({ prefix: crypto.randomUUID() }),
 *   skip: { concurrency: 'one writer per process' }, // optional: whole groups, with a reason
 * });
 * @module
 */
import { describeActivityStorage } from './activity-storage.cases.js';
import { describeAggregatedFeed } from './aggregated-feed.cases.js';
import type { BackendUnderTest } from './backend.js';
import { describeBoundary } from './boundary.cases.js';
import { describeEnrichment } from './enrichment.cases.js';
import { describeFlatFeed } from './flat-feed.cases.js';
import { describeFollowGraph } from './follow-graph.cases.js';
import { describeForeignIds } from './foreign-ids.cases.js';
import { describeManager } from './manager.cases.js';
import { describeNotificationFeed } from './notification-feed.cases.js';
import { describeReactions } from './reactions.cases.js';
import type { KitRunner } from './runner.js';
import { describeTimelineStorage } from './timeline-storage.cases.js';

export { describeActivityStorage } from './activity-storage.cases.js';
export { describeAggregatedFeed } from './aggregated-feed.cases.js';
export type { BackendUnderTest, QueueUnderTest } from './backend.js';
export { describeBoundary } from './boundary.cases.js';
export { describeEnrichment } from './enrichment.cases.js';
export { describeFlatFeed } from './flat-feed.cases.js';
export { describeFollowGraph } from './follow-graph.cases.js';
export { describeForeignIds } from './foreign-ids.cases.js';
export { KIT_GROUPS, type KitGroup, type SkippedGroups } from './groups.js';
export { describeManager } from './manager.cases.js';
export { describeNotificationFeed } from './notification-feed.cases.js';
export { describeReactions } from './reactions.cases.js';
export type { KitCase, KitRunner, KitTest } from './runner.js';
export { describeTimelineStorage } from './timeline-storage.cases.js';

/**
 * Runs every conformance suite (timeline storage, activity storage, flat, aggregated and
 * notification feeds, manager, data boundary, follow graph, reactions, foreign ids, enrichment)
 * against one backend, registered with `runner`.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 */
export function describeBackend(runner: KitRunner, backend: BackendUnderTest): void {
  describeTimelineStorage(runner, backend);
  describeActivityStorage(runner, backend);
  describeFlatFeed(runner, backend);
  describeAggregatedFeed(runner, backend);
  describeNotificationFeed(runner, backend);
  describeManager(runner, backend);
  describeBoundary(runner, backend);
  describeFollowGraph(runner, backend);
  describeReactions(runner, backend);
  describeForeignIds(runner, backend);
  describeEnrichment(runner, backend);
}

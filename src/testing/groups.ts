/**
 * The named groups of the conformance kit. Every case belongs to its suite's group and to the
 * groups of the blocks it is in (e.g. `'flat-feed'` and `'denormalized'`, or `'timeline-storage'`
 * and `'markers'`); a backend skips whole groups by name, never single cases.
 * @module
 */

/** Every group a conformance case can belong to, in the order the suites register them. */
export const KIT_GROUPS = [
  // one per suite
  'timeline-storage',
  'activity-storage',
  'flat-feed',
  'aggregated-feed',
  'notification-feed',
  'manager',
  'boundary',
  'follow-graph',
  'reactions',
  'foreign-ids',
  'enrichment',
  // feed cases run on normalized feeds (activities in activity storage) and on denormalized ones
  'normalized',
  'denormalized',
  // parts of the TimelineStorage suite
  'update',
  'concurrency',
  'markers',
  'model',
  // aggregated and notification feeds: copying groups between feeds (addGroups, removeGroups)
  'group-copy',
] as const;

/** A named group of conformance cases (see {@link KIT_GROUPS}). */
export type KitGroup = (typeof KIT_GROUPS)[number];

/**
 * The groups a backend skips, each with the reason the runner reports, e.g.
 * `{ markers: 'no marker support yet' }`. A name that is not a {@link KitGroup} does not compile.
 */
export type SkippedGroups = Readonly<Partial<Record<KitGroup, string>>>;

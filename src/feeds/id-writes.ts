/**
 * Id-level writes to normalized flat feeds, for the manager's follow copy: it has the ids and
 * scores of a user feed's entries and needs no activity to write them. Internal (not exported
 * from the package): a feed definition registers its writer here when it is normalized.
 * @module
 */
import type { Id } from '../activity/ids.js';
import type { TimelineEntry } from '../storage/contracts.js';

/**
 * Writes id-only entries (activity ids, scores their times) to one user's feed as `addMany` would
 * write those activities: same trim, metrics and `'add'` change; returns how many were new.
 */
export type IdWriter = (userId: Id, entries: readonly TimelineEntry[]) => Promise<number>;

const writers = new WeakMap<object, IdWriter>();

/** Registers the id writer of a feed definition (normalized flat feeds). */
export function registerIdWriter(definition: object, writer: IdWriter): void {
  writers.set(definition, writer);
}

/** The id writer of a feed definition, or `undefined` when its writes need whole activities. */
export function idWriterOf(definition: object): IdWriter | undefined {
  return writers.get(definition);
}

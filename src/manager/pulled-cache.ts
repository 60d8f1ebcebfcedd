/**
 * What a process last read of each consumer's pulled set (the producer ids), so that a merged
 * read can read the pulled set and merge the producers it most likely still holds at the same
 * time: one round trip instead of two when the set did not change, which is the common case (a
 * pulled set changes when a follow, an unfollow or a rebuild changes an edge, not when a pulled
 * producer posts). A read whose pulled set turned out different merges again with the fresh one,
 * so the cache never changes what a read returns. Bounded: at most {@link PULLED_CACHE_SIZE}
 * sets of at most {@link PULLED_CACHE_MAX_PRODUCERS} producers per manager (least recently
 * remembered dropped first); larger sets are not kept, and their reads take two round trips.
 * @module
 */

/** Pulled sets remembered per manager. */
export const PULLED_CACHE_SIZE = 4_096;

/** Larger pulled sets are not remembered (their merge costs more than the saved round trip). */
export const PULLED_CACHE_MAX_PRODUCERS = 64;

/** The last pulled producers read per pulled-set key. */
export interface PulledCache {
  /** The producers last read from `key`, or `undefined` when not remembered. */
  get(key: string): readonly string[] | undefined;
  /** Remembers the producers just read from `key` (a set too large to keep is forgotten). */
  set(key: string, producers: readonly string[]): void;
}

const caches = new WeakMap<object, PulledCache>();

/** The cache of a manager (`owner`: its config object), created on first use. */
export function pulledCacheOf(owner: object): PulledCache {
  let cache = caches.get(owner);
  if (cache === undefined) {
    cache = createPulledCache();
    caches.set(owner, cache);
  }
  return cache;
}

function createPulledCache(): PulledCache {
  const sets = new Map<string, readonly string[]>();
  return {
    get: (key) => sets.get(key),
    set(key, producers) {
      sets.delete(key);
      if (producers.length > PULLED_CACHE_MAX_PRODUCERS) return;
      sets.set(key, producers);
      if (sets.size > PULLED_CACHE_SIZE) sets.delete(sets.keys().next().value!);
    },
  };
}

/** Whether two lists of producer ids (each without repeats) hold the same ids, in any order. */
export function sameProducers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  const inA = new Set(a);
  return b.every((id) => inA.has(id));
}

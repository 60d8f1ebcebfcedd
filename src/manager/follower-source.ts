/**
 * Where the manager reads a user's followers from: the app's `getFollowerIds` function (its
 * whole answer at once, as always) or a follow graph (pages of the fan-out chunk size, never the
 * whole list in memory). Both give a count (hybrid decisions) and the ids of each priority.
 * @module
 */
import type { FollowGraph, FollowPriority } from '../graph/types.js';
import { type FollowerIds, normalizeFollowerIds } from './follower-ids.js';

/** The followers of one user, as a fan-out reads them. */
export interface FollowerList {
  /** How many followers (both priorities). */
  readonly count: number;
  /**
   * The follower ids of one priority, in pages (each id once per call): the whole group at once
   * for `getFollowerIds`, pages of at most the fan-out chunk size for a graph (read as they are
   * iterated). Read `'high'` before `'low'`.
   */
  pages(priority: FollowPriority): AsyncIterable<readonly string[]>;
}

/** Reads the followers of a user (string form). */
export type FollowerSource = (userId: string) => Promise<FollowerList>;

/** No followers. */
export const NO_FOLLOWERS: FollowerList = Object.freeze({
  count: 0,
  async *pages(): AsyncIterable<readonly string[]> {},
});

/** The followers `getFollowerIds` returns, checked (`INVALID_ID`, `INVALID_OPTION`) when read. */
export function functionSource(
  getFollowerIds: (userId: string) => FollowerIds | Promise<FollowerIds>,
): FollowerSource {
  return async (userId) => {
    const groups = normalizeFollowerIds(await getFollowerIds(userId));
    return Object.freeze({
      count: groups.high.length + groups.low.length,
      async *pages(priority: FollowPriority): AsyncIterable<readonly string[]> {
        const ids = groups[priority];
        if (ids.length > 0) yield ids;
      },
    });
  };
}

/**
 * The followers recorded in `graph`, read in pages of `pageSize` edges. The count is read at
 * once (hybrid decisions); the pages as they are iterated. Each priority is one pass over the followers timeline by cursor (newest edge first), and
 * the low pass is skipped when the high pass saw no low edge. An edge followed or unfollowed
 * during a pass may or may not be seen, as for any read during a write.
 */
export function graphSource(graph: FollowGraph, pageSize: number): FollowerSource {
  const size = Math.min(pageSize, graph.maxPageSize);
  return async (userId) => {
    const { followers: count } = await graph.counts(userId);
    let lowSeen: boolean | undefined; // unknown until a high pass has finished
    async function* pages(priority: FollowPriority): AsyncIterable<readonly string[]> {
      // Read even when the count was 0: the count is read before the publish writes the user
      // feed, the pages after it, so a follow made in between is still reached (its copy may
      // have run before the write).
      if (priority === 'low' && lowSeen === false) return;
      let cursor: string | undefined;
      let low = false;
      do {
        const page = await graph.followers(userId, { limit: size, cursor });
        const ids: string[] = [];
        for (const f of page.items) {
          if (f.priority === priority) ids.push(f.userId);
          else low = true;
        }
        if (ids.length > 0) yield ids;
        cursor = page.next;
      } while (cursor !== undefined);
      if (priority === 'high') lowSeen = low;
    }
    return Object.freeze({ count, pages });
  };
}

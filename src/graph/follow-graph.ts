import type { Id } from '../activity/ids.js';
import { userIdString } from '../feeds/keys.js';
import { encodeCursor } from '../feeds/read-options.js';
import type { TimelineEntry } from '../storage/contracts.js';
import { followOptions, idArray, pageRequest, resolveGraphOptions, targetList } from './checks.js';
import { decodeEdge, edgeEntry, entryIdOf, userKeys } from './layout.js';
import type { Followed, Follower, FollowGraph, FollowGraphOptions, GraphPage } from './types.js';

/**
 * Creates a follow graph on a backend's timeline storage (see {@link FollowGraph}): two
 * timelines per user, written through the storage contract, so every backend holds it as it is.
 * Throws `INVALID_OPTION` for bad options.
 * @example
 * const graph = createFollowGraph({ storage });
 * await graph.follow('ann', ['bob', 'cy'], { priority: 'high' });
 * const page = await graph.followers('bob', { limit: 25 }); // page.items, page.next
 * const manager = createManager({ userFeed, feeds, graph });
 */
export function createFollowGraph(options: FollowGraphOptions): FollowGraph {
  const config = resolveGraphOptions(options);
  const { timeline, prefix } = config;
  const keys = (userId: string) => userKeys(prefix, userId);

  async function follow(userId: Id, targetIds: Id | readonly Id[], options?: unknown) {
    const uid = userIdString(userId);
    const targets = targetList(targetIds, config.maxBatchSize, 'follow');
    const { priority, time: now } = followOptions(options);
    if (targets.length === 0) return 0;
    const own = keys(uid);
    const targetEntryIds = targets.map(entryIdOf);
    // An existing edge keeps its follow time: read first (one positional get).
    const existing = await timeline.get(own.following, targetEntryIds);
    const byTime = new Map<number, string[]>();
    targets.forEach((t, i) => {
      const since = existing[i]?.score ?? now;
      const group = byTime.get(since);
      if (group) group.push(keys(t).followers);
      else byTime.set(since, [keys(t).followers]);
    });
    // Followers side first: fan-out reads it, so the follower receives the targets' activities
    // from here on; then the following side (what isFollowing and following() read); then the
    // followers side again, so that an unfollow of the same pair running at the same time can
    // never leave the edge recorded without fan-out (docs/follow-graph.md).
    const me = entryIdOf(uid);
    const writeFollowers = async () => {
      for (const [since, followerKeys] of byTime) {
        await timeline.addToMany(followerKeys, [edgeEntry(uid, me, since, priority)]);
      }
    };
    await writeFollowers();
    const entries = targets.map((t, i) =>
      edgeEntry(t, targetEntryIds[i]!, existing[i]?.score ?? now, 'high'),
    );
    const created = await timeline.add(own.following, entries);
    await writeFollowers();
    return created;
  }

  async function unfollow(userId: Id, targetIds: Id | readonly Id[]) {
    const uid = userIdString(userId);
    const targets = targetList(targetIds, config.maxBatchSize, 'unfollow');
    if (targets.length === 0) return 0;
    // The following side first (the commit), then the followers side (fan-out stops reaching
    // the follower), then the following side again (against a concurrent follow of the pair): a
    // call stopped part-way leaves what a half-done follow leaves.
    const following = keys(uid).following;
    const ids = targets.map(entryIdOf);
    const removed = await timeline.remove(following, ids);
    await timeline.removeFromMany(
      targets.map((t) => keys(t).followers),
      [entryIdOf(uid)],
    );
    await timeline.remove(following, ids);
    return removed;
  }

  async function page<T>(
    key: string,
    options: unknown,
    where: string,
    item: (entry: TimelineEntry) => T,
  ): Promise<GraphPage<T>> {
    const { limit, max } = pageRequest(options, config.maxPageSize, where);
    const entries = await timeline.range(key, { order: 'desc', limit, max });
    const last = entries[entries.length - 1];
    const items = Object.freeze(entries.map(item));
    return Object.freeze(
      entries.length === limit && last ? { items, next: encodeCursor(last) } : { items },
    );
  }

  const graph: FollowGraph = {
    name: timeline.name,
    prefix,
    maxPageSize: config.maxPageSize,
    maxBatchSize: config.maxBatchSize,
    follow,
    unfollow,
    followers: (userId, options) =>
      page(keys(userIdString(userId)).followers, options, 'followers', (e): Follower => {
        const { userId: id, since, priority } = decodeEdge(e);
        return Object.freeze({ userId: id, since: new Date(since), priority });
      }),
    following: (userId, options) =>
      page(keys(userIdString(userId)).following, options, 'following', (e): Followed => {
        const { userId: id, since } = decodeEdge(e);
        return Object.freeze({ userId: id, since: new Date(since) });
      }),
    async counts(userId) {
      const own = keys(userIdString(userId));
      const [followers, following] = await Promise.all([
        timeline.count(own.followers),
        timeline.count(own.following),
      ]);
      return Object.freeze({ followers, following });
    },
    async isFollowing(userId, targetIds) {
      const uid = userIdString(userId);
      const ids = idArray(targetIds, config.maxBatchSize, 'isFollowing').map(entryIdOf);
      if (ids.length === 0) return [];
      const found = await timeline.get(keys(uid).following, [...new Set(ids)]);
      const present = new Set(found.flatMap((e) => (e === undefined ? [] : [e.id])));
      return ids.map((id) => present.has(id));
    },
  };
  return Object.freeze(graph);
}

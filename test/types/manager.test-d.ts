// Type-level tests of the manager, compiled by `npm run typecheck` and never run: each
// expectTypeOf line fails to compile when the type differs, and each `@ts-expect-error` line fails
// to compile when the misuse under it compiles.
import { expectTypeOf } from 'expect-type';
import {
  type Activity,
  type AggregatedFeed,
  type AggregatedGroup,
  createActivity,
  createFollowGraph,
  createManager,
  createMemoryStorage,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  type FlatFeed,
  type Follower,
  type GraphPage,
  type Manager,
  type NotificationCounts,
  type NotificationFeed,
  type NotificationGroup,
} from 'stream-framework';

type PinExtra = { itemId: number };

const storage = createMemoryStorage();
const userFeed = defineFlatFeed<PinExtra>({ name: 'user', storage, maxLength: 10_000 });
const timeline = defineFlatFeed<PinExtra>({ name: 'timeline', storage });
const aggregated = defineAggregatedFeed<PinExtra>({ name: 'aggregated', storage });
const notification = defineNotificationFeed<PinExtra>({ name: 'notification', storage });

// No type argument: the extra type and every handle come from the definitions.
const manager = createManager({
  userFeed,
  feeds: { timeline, aggregated },
  targetFeeds: { notification },
  getFollowerIds: async () => [2, 3],
});
const pin = createActivity<PinExtra>({ actor: 1, verb: 'pin', object: 2, extra: { itemId: 7 } });

// Reads infer the extra type: flat pages, aggregated groups and their members.
const feeds = manager.getFeeds(2);
expectTypeOf(feeds.timeline).toEqualTypeOf<FlatFeed<PinExtra>>();
expectTypeOf(feeds.aggregated).toEqualTypeOf<AggregatedFeed<PinExtra>>();
const page = await feeds.timeline.read({ limit: 25 });
expectTypeOf(page.items).toEqualTypeOf<Activity<PinExtra>[]>();
const first = page.items[0];
if (first !== undefined) {
  expectTypeOf(first.actor).toEqualTypeOf<string | number>();
  expectTypeOf(first.extra.itemId).toEqualTypeOf<number>();
}
const groups = await feeds.aggregated.read();
expectTypeOf(groups.items).toEqualTypeOf<AggregatedGroup<PinExtra>[]>();
expectTypeOf(groups.items[0]!.activities[0]!.extra).toEqualTypeOf<PinExtra>();
expectTypeOf(manager.getUserFeed(1)).toEqualTypeOf<FlatFeed<PinExtra>>();

// getFeed keeps the kind of each fan-out and target feed: counts() only on notification feeds.
const notifications = manager.getFeed('notification', 1);
expectTypeOf(notifications).toEqualTypeOf<NotificationFeed<PinExtra>>();
expectTypeOf(await notifications.counts()).toEqualTypeOf<NotificationCounts>();
expectTypeOf((await notifications.read()).items).toEqualTypeOf<NotificationGroup<PinExtra>[]>();
expectTypeOf(manager.getFeed('aggregated', 1)).toEqualTypeOf<AggregatedFeed<PinExtra>>();
expectTypeOf(manager.getFeed('timeline', 1)).not.toHaveProperty('counts');
expectTypeOf(feeds.aggregated).not.toHaveProperty('counts');
expectTypeOf(feeds.timeline).not.toHaveProperty('markAllSeen');
// @ts-expect-error a flat feed has no counts()
await feeds.timeline.counts();
// @ts-expect-error an aggregated feed has no unseen state
await feeds.aggregated.markAllSeen();
// @ts-expect-error getFeed takes only the name of a registered fan-out or target feed
manager.getFeed('unknown', 1);
// @ts-expect-error getFeeds holds fan-out feeds only, not target feeds
manager.getFeeds(1).notification;

// Writes take the definitions' extra type.
await manager.addUserActivity(1, pin);
await manager.updateUserActivities([pin]);
await manager.batchImport(1, [pin]);
const other = createActivity({ actor: 1, verb: 'pin', object: 2, extra: { boardName: 'x' } });
// @ts-expect-error the activity's extra is not PinExtra
await manager.addUserActivity(1, other);
createManager({
  userFeed,
  feeds: { timeline },
  getFollowerIds: () => [],
  ownerOf: (a) => {
    expectTypeOf(a.extra).toEqualTypeOf<PinExtra>();
    return a.actor;
  },
});

// The inferred manager is a Manager<PinExtra>, e.g. for a function that takes one.
expectTypeOf(manager).toMatchTypeOf<Manager<PinExtra>>();
const widened: Manager<PinExtra> = manager;
expectTypeOf(widened.getFeed('any name', 1).read).returns.resolves.toHaveProperty('items');

// @ts-expect-error createManager takes no extra type argument: it comes from the definitions
createManager<PinExtra>({ userFeed, feeds: { timeline }, getFollowerIds: () => [] });

// A fan-out feed whose activities have another extra type is rejected.
const elsewhere = defineFlatFeed<{ other: string }>({ name: 'elsewhere', storage });
createManager({
  userFeed,
  // @ts-expect-error the feed's extra type does not accept the user feed's activities
  feeds: { elsewhere },
  getFollowerIds: () => [],
});

// Unknown manager options do not compile (and are rejected at run time).
createManager({
  userFeed,
  feeds: { timeline },
  getFollowerIds: () => [],
  // @ts-expect-error not a manager option
  fanoutChunk: 10,
});

// A follow graph instead of getFollowerIds: priorities per follow, typed pages.
const graph = createFollowGraph({ storage });
const graphManager = createManager({ userFeed, feeds: { timeline }, graph });
await graphManager.followUser(1, 2, { priority: 'low' });
// @ts-expect-error a priority is 'high' or 'low'
await graphManager.followUser(1, 2, { priority: 'urgent' });
expectTypeOf(await graph.followers(2, { limit: 25 })).toEqualTypeOf<GraphPage<Follower>>();
expectTypeOf(await graph.isFollowing(1, [2, '3'])).toEqualTypeOf<boolean[]>();
expectTypeOf(await graph.follow(1, [2, 3])).toEqualTypeOf<number>();

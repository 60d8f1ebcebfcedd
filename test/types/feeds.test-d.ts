// Type-level tests of feed definitions and handles, compiled by `npm run typecheck` and never run:
// each expectTypeOf line fails to compile when the type differs, and each `@ts-expect-error` line
// fails to compile when the misuse under it compiles.
import { expectTypeOf } from 'expect-type';
import {
  type Activity,
  type AggregatedGroup,
  createActivity,
  createAggregator,
  createManager,
  createMemoryStorage,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  type FeedPage,
  type GroupReadOptions,
  type Manager,
  type NotificationGroup,
} from 'stream-framework';
import type { CreateWorkerOptions } from 'stream-framework/bullmq';

/** Extra data as an interface (no index signature). */
interface PinExtra {
  readonly itemId: number;
  readonly board?: string;
}

const storage = createMemoryStorage();
const flat = defineFlatFeed<PinExtra>({ name: 'flat', storage });
const pin = createActivity<PinExtra>({ actor: 1, verb: 'pin', object: 2, extra: { itemId: 7 } });

// Interface extra data works end to end: create, write, read.
await flat.for(1).add(pin);
const page = await flat.for(1).read();
expectTypeOf(page).toEqualTypeOf<FeedPage<Activity<PinExtra>>>();
expectTypeOf(page.items[0]!.extra.board).toEqualTypeOf<string | undefined>();
// @ts-expect-error not a field of PinExtra
createActivity<PinExtra>({ actor: 1, verb: 'pin', object: 2, extra: { itemId: 7, color: 'red' } });
// @ts-expect-error itemId must be a number
createActivity<PinExtra>({ actor: 1, verb: 'pin', object: 2, extra: { itemId: '7' } });
// @ts-expect-error extra data is an object
createActivity({ actor: 1, verb: 'pin', object: 2, extra: 'text' });
// @ts-expect-error the flat feed holds PinExtra activities
await flat.for(1).add(createActivity({ actor: 1, verb: 'pin', object: 2, extra: { n: 1 } }));

// Without a type argument, an aggregated feed takes its extra type from its aggregator.
const byBoard = createAggregator<PinExtra>('board', (a) => a.extra.board ?? '');
const aggregated = defineAggregatedFeed({ name: 'aggregated', storage, aggregator: byBoard });
const groups = await aggregated.for(1).read();
expectTypeOf(groups.items).toEqualTypeOf<AggregatedGroup<PinExtra>[]>();
expectTypeOf(groups.items[0]!.activities).toEqualTypeOf<readonly Activity<PinExtra>[]>();
expectTypeOf(await aggregated.for(1).getGroups(['g'])).toEqualTypeOf<
  (AggregatedGroup<PinExtra> | undefined)[]
>();
defineAggregatedFeed<PinExtra>({
  name: 'typed',
  storage,
  // @ts-expect-error a group key reads only fields of the feed's extra type
  aggregator: createAggregator<PinExtra>('bad', (a) => a.extra.color),
});

// Notification feeds: groups carry seen/read; counts and marks exist only here.
const notification = defineNotificationFeed<PinExtra>({ name: 'notification', storage });
const unseen = await notification.for(1).read();
expectTypeOf(unseen.items).toEqualTypeOf<NotificationGroup<PinExtra>[]>();
expectTypeOf(unseen.items[0]!.seen).toEqualTypeOf<boolean>();
expectTypeOf(unseen.items[0]!.activities[0]!.extra).toEqualTypeOf<PinExtra>();
expectTypeOf(notification.for(1).counts).returns.resolves.toEqualTypeOf<{
  readonly unseen: number;
  readonly unread: number;
}>();
expectTypeOf(aggregated.for(1)).not.toHaveProperty('counts');
expectTypeOf(flat.for(1)).not.toHaveProperty('counts');

// Read options accept only their keys and value types.
await flat.for(1).read({ limit: 10, order: 'asc', cursor: page.next });
await flat.for(1).read({ filter: { gte: pin.id } });
// @ts-expect-error id bounds are for flat feeds only (aggregated and notification: cursor)
await aggregated.for(1).read({ filter: { gte: pin.id } });
// @ts-expect-error id bounds are for flat feeds only
await notification.for(1).read({ filter: { lt: pin.id } });
expectTypeOf(aggregated.for(1).read).parameter(0).toEqualTypeOf<GroupReadOptions | undefined>();
// @ts-expect-error `lt` is a filter bound, not a read option: read({ filter: { lt } })
await flat.for(1).read({ lt: pin.id });
// @ts-expect-error order is 'asc' or 'desc'
await flat.for(1).read({ order: 'newest' });
// @ts-expect-error limit is a number
await aggregated.for(1).read({ limit: '10' });
// @ts-expect-error not a filter bound
flat.for(1).filter({ below: pin.id });
// @ts-expect-error unknown write option
await flat.for(1).add(pin, { trimNow: true });

// Feed definitions take only their own options.
// @ts-expect-error an aggregator is for aggregated and notification feeds
defineFlatFeed({ name: 'x', storage, aggregator: byBoard });
// @ts-expect-error not an option of any feed
defineAggregatedFeed({ name: 'y', storage, maxGroups: 10 });

// A notification feed whose extra is an interface registers with a manager of the same type.
const user = defineFlatFeed<PinExtra>({ name: 'user', storage });
const manager = createManager({
  userFeed: user,
  feeds: { aggregated },
  targetFeeds: { notification },
  getFollowerIds: () => [],
});
expectTypeOf(manager.getFeed('notification', 1).countUnseen).returns.resolves.toBeNumber();
await manager.addUserActivity(1, pin);
const widened: Manager<PinExtra> = manager;
expectTypeOf(widened.addUserActivity).parameter(1).toEqualTypeOf<Activity<PinExtra>>();
// A worker takes the manager as it is (only runTask and queue are read).
expectTypeOf(manager).toMatchTypeOf<CreateWorkerOptions['manager']>();

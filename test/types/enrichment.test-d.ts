// Type-level tests of enrichment and foreign ids, compiled by `npm run typecheck` and never run:
// each expectTypeOf line fails to compile when the type differs, and each `@ts-expect-error`
// line fails to compile when the misuse under it compiles.
import { expectTypeOf } from 'expect-type';
import {
  type Activity,
  createEnricher,
  createManager,
  createMemoryStorage,
  defineAggregatedFeed,
  defineFlatFeed,
  type ForeignMatches,
  type Id,
} from 'stream-framework';

type PinExtra = { itemId: number; title?: string };
interface User {
  readonly name: string;
}
interface Pin {
  readonly title: string;
}

const storage = createMemoryStorage();
const userFeed = defineFlatFeed<PinExtra>({ name: 'user', storage });
const timeline = defineFlatFeed<PinExtra>({ name: 'timeline', storage });
const aggregated = defineAggregatedFeed<PinExtra>({ name: 'aggregated', storage });
const manager = createManager({
  userFeed,
  feeds: { timeline, aggregated },
  getFollowerIds: () => [],
});

// Each reference is typed by its loader's values; a kind without a loader is always undefined.
const enricher = createEnricher({
  actor: async (ids: readonly Id[]) => ids.map((id): User => ({ name: String(id) })),
  object: async (ids: readonly Id[]) => new Map(ids.map((id): [Id, Pin] => [id, { title: '' }])),
});
const page = await enricher.enrich(await manager.getFeeds(2).timeline.read());
expectTypeOf(page.items).toEqualTypeOf<Activity<PinExtra>[]>();
const refs = page.refs(page.items[0]!);
expectTypeOf(refs.actor).toEqualTypeOf<User | undefined>();
expectTypeOf(refs.object).toEqualTypeOf<Pin | undefined>();
expectTypeOf(refs.target).toEqualTypeOf<undefined>();
// @ts-expect-error: no target loader, so nothing to read on it
refs.target.name;

// Group pages keep their group type; refs() takes any member activity.
const groups = await enricher.enrich(await manager.getFeeds(2).aggregated.read(), {
  cache: enricher.createCache(),
});
expectTypeOf(groups.refs(groups.items[0]!.activities[0]!).actor).toEqualTypeOf<User | undefined>();

// @ts-expect-error: a cache of another enricher's loaders
await enricher.enrich(page, { cache: createEnricher({ target: async () => [1] }).createCache() });
// @ts-expect-error: a loader must return a promise of values
createEnricher({ actor: (ids: readonly Id[]) => ids });

// Foreign ids: typed by the user feed's extra.
expectTypeOf(await manager.foreign.find('pin:1')).toEqualTypeOf<ForeignMatches<PinExtra>>();
const updated = await manager.foreign.update(
  1,
  { foreignId: 'pin:1', time: 0 },
  { set: { title: 'x' } },
);
expectTypeOf(updated.activity).toEqualTypeOf<Activity<PinExtra>>();
// @ts-expect-error: set takes the extra's own keys and types
await manager.foreign.update(1, { foreignId: 'pin:1', time: 0 }, { set: { itemId: 'seven' } });
// @ts-expect-error: unset takes the extra's keys
await manager.foreign.update(1, { foreignId: 'pin:1', time: 0 }, { unset: ['nope'] });

/**
 * Conformance cases of enrichment (`createEnricher`, docs/enrichment.md): pages read from real
 * flat, aggregated and notification feeds on the backend, resolved through counting batch
 * loaders: one call per kind per page, a per-request cache across pages, missing references
 * reported per activity, failing loaders as typed errors naming the kind.
 * @module
 */
import assert from 'node:assert/strict';
import type { Id } from '../activity/ids.js';
import { createEnricher } from '../enrichment/enricher.js';
import { StreamFrameworkError } from '../errors.js';
import { defineAggregatedFeed } from '../feeds/aggregated-feed.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { defineNotificationFeed } from '../feeds/notification-feed.js';
import { createManager } from '../manager/manager.js';
import type { Storage } from '../storage/contracts.js';
import type { BackendUnderTest } from './backend.js';
import { harnessTest } from './harness.js';
import { act, managerContext, settled, testQueue } from './manager-world.js';
import type { KitRunner } from './runner.js';

interface User {
  readonly name: string;
}
interface Pin {
  readonly title: string;
}

/** Loaders over a fixed directory, recording each call's ids. */
function directory(options: { unknownUsers?: readonly Id[] } = {}) {
  const calls: { kind: string; ids: Id[] }[] = [];
  const unknown = new Set((options.unknownUsers ?? []).map(String));
  const enricher = createEnricher({
    actor: async (ids: readonly Id[]) => {
      calls.push({ kind: 'actor', ids: [...ids] });
      return ids.map((id): User | undefined =>
        unknown.has(String(id)) ? undefined : { name: `user ${id}` },
      );
    },
    object: async (ids: readonly Id[]) => {
      calls.push({ kind: 'object', ids: [...ids] });
      return new Map(ids.map((id): [Id, Pin] => [id, { title: `pin ${id}` }]));
    },
  });
  return { enricher, calls };
}

/** A manager fanning out to a flat, an aggregated and (through `to`) a notification feed. */
function feedWorld(storage: Storage) {
  const followers = new Map<string, Id[]>();
  const manager = createManager({
    userFeed: defineFlatFeed({ name: 'user', storage }),
    feeds: {
      timeline: defineFlatFeed({ name: 'timeline', storage }),
      aggregated: defineAggregatedFeed({ name: 'aggregated', storage }),
    },
    targetFeeds: { notification: defineNotificationFeed({ name: 'notification', storage }) },
    getFollowerIds: (id) => followers.get(id) ?? [],
    queue: testQueue(),
  });
  return { manager, followers };
}

/**
 * Registers the enrichment conformance tests (group `'enrichment'`) for a backend with `runner`.
 * @param runner - your test runner's `describe` and `test` (see {@link KitRunner})
 * @param backend - the backend under test
 */
export function describeEnrichment(runner: KitRunner, backend: BackendUnderTest): void {
  harnessTest(runner, backend, `enrichment (${backend.name})`, 'enrichment', (harness) => {
    const test = harness.map(managerContext(backend));

    test('a flat page resolves actors and objects with one loader call per kind', async ({
      storage,
    }) => {
      const { manager, followers } = feedWorld(storage);
      for (const actor of [1, 2, 3]) followers.set(String(actor), [9]);
      const acts = [act(1, 1), act(2, 2), act(1, 3), act(3, 3)];
      for (const a of acts) await settled(manager.addUserActivity(a.actor, a));
      const { enricher, calls } = directory();
      const page = await enricher.enrich(await manager.getFeeds(9).timeline.read({ limit: 25 }));
      assert.equal(page.items.length, 4);
      assert.deepEqual(
        calls.map((c) => [c.kind, c.ids.length]),
        [
          ['actor', 3],
          ['object', 3],
        ],
      );
      for (const a of page.items) {
        const refs = page.refs(a);
        assert.deepEqual(refs.actor, { name: `user ${a.actor}` });
        assert.equal(refs.object?.title, `pin ${a.object}`);
        assert.equal(refs.target, undefined);
        assert.deepEqual(refs.missing, []);
      }
      assert.deepEqual(page.unresolved, []);
    });

    test('a cache shared across pages loads each id once', async ({ storage }) => {
      const { manager, followers } = feedWorld(storage);
      followers.set('1', [9]);
      followers.set('2', [9]);
      for (let n = 1; n <= 6; n++)
        await settled(manager.addUserActivity((n % 2) + 1, act((n % 2) + 1, n)));
      const { enricher, calls } = directory();
      const cache = enricher.createCache();
      const feed = manager.getFeeds(9).timeline;
      const first = await feed.read({ limit: 3 });
      await enricher.enrich(first, { cache });
      const second = await enricher.enrich(await feed.read({ limit: 3, cursor: first.next }), {
        cache,
      });
      assert.equal(second.items.length, 3);
      assert.deepEqual(
        calls.map((c) => c.kind),
        ['actor', 'object', 'object'],
        'both actors were loaded by the first page',
      );
      for (const a of second.items) assert.equal(second.refs(a).actor?.name, `user ${a.actor}`);
      assert.deepEqual(
        [cache.size('actor'), cache.size('object'), cache.size('target')],
        [2, 6, 0],
      );
      const alone = await enricher.enrich(second);
      assert.equal(alone.items.length, 3);
      assert.equal(calls.length, 5, 'without the cache a page loads again');
    });

    test('aggregated and notification pages resolve the activities of every group', async ({
      storage,
    }) => {
      const { manager, followers } = feedWorld(storage);
      followers.set('1', [9]);
      followers.set('2', [9]);
      const acts = [
        act(1, 1, { to: ['notification:5'] }),
        act(2, 2, { to: ['notification:5'] }),
        act(1, 3, { verb: 'love', to: ['notification:5'] }),
      ];
      for (const a of acts) await settled(manager.addUserActivity(a.actor, a));
      for (const feed of [manager.getFeeds(9).aggregated, manager.getFeed('notification', 5)]) {
        const { enricher, calls } = directory({ unknownUsers: [2] });
        const page = await enricher.enrich(await feed.read({ limit: 25 }));
        assert.ok(page.items.length >= 2);
        assert.equal(calls.length, 2, 'one call per kind for every group of the page');
        const seen = page.items.flatMap((g) => g.activities);
        assert.equal(seen.length, 3);
        for (const a of seen) {
          const refs = page.refs(a);
          assert.equal(refs.object?.title, `pin ${a.object}`);
          if (String(a.actor) === '2')
            assert.deepEqual([refs.actor, refs.missing], [undefined, ['actor']]);
          else assert.equal(refs.actor?.name, `user ${a.actor}`);
        }
        assert.deepEqual(
          page.unresolved.map((u) => [u.kind, String(u.id)]),
          [['actor', '2']],
        );
      }
    });

    test('a failing loader is an EnrichmentError naming its kind, and nothing is cached', async ({
      storage,
    }) => {
      const { manager, followers } = feedWorld(storage);
      followers.set('1', [9]);
      await settled(manager.addUserActivity(1, act(1, 1, { extra: {} })));
      const page = await manager.getFeeds(9).timeline.read();
      let fail = true;
      const enricher = createEnricher({
        actor: async (ids: readonly Id[]) => ids.map((id) => ({ id })),
        target: async () => [],
        object: async (ids: readonly Id[]) => {
          if (fail) throw new Error('pins database down');
          return ids.map(() => 'ok');
        },
      });
      const cache = enricher.createCache();
      await assert.rejects(enricher.enrich(page, { cache }), (error: unknown) => {
        assert.ok(error instanceof StreamFrameworkError);
        assert.equal(error.code, 'ENRICHMENT');
        assert.equal(error.details.kind, 'object');
        assert.match(error.message, /object loader failed.*pins database down/);
        return true;
      });
      assert.equal(cache.size('object'), 0);
      fail = false;
      const again = await enricher.enrich(page, { cache });
      assert.equal(again.refs(page.items[0]!).object, 'ok');
      const short = createEnricher({ actor: async () => [] });
      await assert.rejects(short.enrich(page), (error: unknown) => {
        assert.ok(error instanceof StreamFrameworkError && error.code === 'ENRICHMENT');
        assert.equal(error.details.kind, 'actor');
        return true;
      });
      await assert.rejects(
        short.enrich(page, { cache: enricher.createCache() as never }),
        (e: unknown) => e instanceof StreamFrameworkError && e.code === 'INVALID_OPTION',
      );
    });
  });
}

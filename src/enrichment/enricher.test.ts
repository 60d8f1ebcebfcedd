import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import type { Id } from '../activity/ids.js';
import { EnrichmentError, StreamFrameworkError } from '../errors.js';
import { createEnricher } from './enricher.js';

const acts = [1, 2, 3].map((n) =>
  createActivity({
    actor: n % 2,
    verb: 'add',
    object: n,
    target: n === 3 ? undefined : 'board',
    time: n,
  }),
);
const page = { items: acts, missing: [] };

const code = (expected: string) => (error: unknown) =>
  error instanceof StreamFrameworkError && error.code === expected;

describe('createEnricher', () => {
  it('refuses loaders that are not functions, unknown kinds and no loader at all', () => {
    for (const bad of [{}, { actor: 5 }, { author: async () => [] }, null, []]) {
      assert.throws(
        () => createEnricher(bad as never),
        code('INVALID_OPTION'),
        JSON.stringify(bad),
      );
    }
  });

  it('two pages enriched at once with one cache share one loader call per id', async () => {
    const calls: Id[][] = [];
    const enricher = createEnricher({
      actor: async (ids: readonly Id[]) => {
        calls.push([...ids]);
        await new Promise((r) => setTimeout(r, 5));
        return ids.map((id) => `user ${id}`);
      },
    });
    const cache = enricher.createCache();
    const [a, b] = await Promise.all([
      enricher.enrich(page, { cache }),
      enricher.enrich(page, { cache }),
    ]);
    assert.deepEqual(calls, [[1, 0]]);
    for (const p of [a, b])
      assert.deepEqual(
        acts.map((x) => p.refs(x).actor),
        ['user 1', 'user 0', 'user 1'],
      );
  });

  it('null and absent Map entries are missing; a target-less activity misses nothing', async () => {
    const enricher = createEnricher({
      actor: async (ids: readonly Id[]) => ids.map((id) => (id === 0 ? null : { id })),
      target: async () => new Map<Id, string>(),
    });
    const p = await enricher.enrich(page);
    assert.deepEqual(p.refs(acts[0]!).missing, ['target']);
    assert.deepEqual(p.refs(acts[1]!).missing, ['actor', 'target']);
    assert.deepEqual(p.refs(acts[2]!).missing, []);
    assert.deepEqual(
      p.unresolved.map((u) => [u.activityId === acts[1]!.id, u.kind, u.id]),
      [
        [false, 'target', 'board'],
        [true, 'actor', 0],
        [true, 'target', 'board'],
      ],
    );
    assert.deepEqual(p.refs(createActivity({ actor: 9, verb: 'x', object: 9 })).actor, undefined);
  });

  it('a loader returning the wrong shape is an EnrichmentError naming its kind', async () => {
    for (const result of [[1], 'x', undefined, new Set([1])]) {
      const enricher = createEnricher({ object: async () => result as never });
      await assert.rejects(enricher.enrich(page), (e: unknown) => {
        assert.ok(e instanceof EnrichmentError);
        assert.equal(e.details.kind, 'object');
        return true;
      });
    }
  });

  it('refuses a value that is not a page', async () => {
    const enricher = createEnricher({ actor: async (ids: readonly Id[]) => ids });
    for (const bad of [null, 5, { items: 'x' }, { items: [5], missing: [] }, { items: [null] }]) {
      await assert.rejects(enricher.enrich(bad as never), code('INVALID_OPTION'));
    }
  });

  it("a ranked feed's page (items holding an activity) is enriched as is", async () => {
    const enricher = createEnricher({
      actor: async (ids: readonly Id[]) => ids.map((id) => `u${id}`),
    });
    const ranked = {
      items: acts.map((activity, i) => ({ activity, score: i, signal: 0 })),
      missing: [],
    };
    const enriched = await enricher.enrich(ranked);
    assert.equal(enriched.items, ranked.items);
    assert.deepEqual(
      enriched.items.map((item) => enriched.refs(item.activity).actor),
      ['u1', 'u0', 'u1'],
    );
  });
});

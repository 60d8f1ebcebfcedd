// Scenario: an enriched read of 25 (issue #17) against the plain read of the same 25, in the same
// run. A normalized flat feed of 1,000 activities (50 actors, 1,000 objects, one target); the
// enriched side reads the page and resolves actor, object and target through `createEnricher`
// batch loaders that answer from in-process Maps after one event-loop turn, so the row measures
// what the library adds (collecting ids, three loader calls, the cache, refs by activity), not an
// application's database. Two enriched sides: a fresh cache per page (the default), and a cache
// shared by every page (a request reading many pages of the same people). The sides take turns,
// round by round; p50/p99 over every read of a side.
import { createEnricher } from 'stream-framework';
import { latencies, percentile } from '../lib/measure.mjs';
import { turns } from './reads.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

/** A batch loader over `table`, answering after one turn of the event loop, as a client would. */
const loaderOf = (table) => async (ids) => {
  await new Promise((resolve) => setImmediate(resolve));
  return ids.map((id) => table.get(id));
};

export async function enrich({ quick, backends, clients, record }) {
  const rounds = quick ? 10 : 25;
  const perRound = 200;
  const activities = Array.from({ length: 1000 }, (_, i) => activity(i));
  const users = new Map(Array.from({ length: 50 }, (_, i) => [i, { id: i, name: `user ${i}` }]));
  const objects = new Map(
    activities.map((a) => [a.object, { id: a.object, title: `pin ${a.object}` }]),
  );
  const boards = new Map([[7, { id: 7, title: 'board 7' }]]);
  const enricher = createEnricher({
    actor: loaderOf(users),
    object: loaderOf(objects),
    target: loaderOf(boards),
  });
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    const feed = feeds.flat(storageOn(backend, clients)).for(1);
    for (let i = 0; i < 1000; i += 100) await feed.addMany(activities.slice(i, i + 100));
    const plain = () => feed.read({ limit: 25 });
    const enriched = async () => {
      const page = await enricher.enrich(await feed.read({ limit: 25 }));
      if (page.unresolved.length > 0) throw new Error('bench: a reference was not resolved');
      return page;
    };
    const shared = enricher.createCache();
    const cached = async () => enricher.enrich(await feed.read({ limit: 25 }), { cache: shared });
    for (const side of [plain, enriched, cached]) await latencies(200, side); // warm-up
    const single = await turns(
      rounds,
      [plain, enriched, cached].map((read) => () => latencies(perRound, read)),
    );
    const base = single[0].flat();
    for (const [i, label] of [
      [1, 'enriched read 25 of 1,000 (fresh cache per page)'],
      [2, 'enriched read 25 of 1,000 (cache shared across pages)'],
    ]) {
      const lib = single[i].flat();
      for (const [metric, p] of [
        ['p50 ms', 50],
        ['p99 ms', 99],
      ]) {
        record({
          scenario: label,
          backend,
          metric,
          median: percentile(lib, p),
          min: Math.min(...lib),
          max: percentile(lib, 99.9),
          baseline: { median: percentile(base, p) },
          baselineName: 'plain read 25 of 1,000, same run',
          lowerIsBetter: true,
        });
      }
    }
  }
}

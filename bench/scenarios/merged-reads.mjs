// Scenario: a pulled read (issue #14). The newest 25 activities of a timeline of 1,000 merged with
// the user feeds of 5 pulled producers (200 activities each, interleaved in time with the
// timeline), hydrated and decoded, against the plain read of the same timeline's page, in the same
// run, for the first page and for the page after it (bounded reads). Both sides use the same pieces
// (id-only range or one rangeMany + merge, one getMany, decode), so the ratio is the cost of the
// merge; the plain `feed.read` is recorded beside them.
// Target of the issue: merged p50 <= 2x plain.
import { createJsonSerializer, defineFlatFeed } from 'stream-framework';
// Not exported yet (the next session wires it into flat feeds): read from the build.
import { mergedRange } from '../../dist/feeds/merged-range.js';
import { latencies, percentile } from '../lib/measure.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

const PRODUCERS = 5;
const PAGE = { order: 'desc', limit: 25 };

/** Writes the timeline (1,000 activities) and the producers' user feeds (200 each). */
async function world(storage) {
  const timeline = feeds.flat(storage).for(1);
  const user = defineFlatFeed({ name: 'user', storage, maxLength: 1000 });
  const own = Array.from({ length: 1000 }, (_, i) => activity(i * (PRODUCERS + 1)));
  for (let i = 0; i < own.length; i += 100) await timeline.addMany(own.slice(i, i + 100));
  const producers = [];
  for (let p = 1; p <= PRODUCERS; p++) {
    const feed = user.for(1000 + p);
    const posts = Array.from({ length: 200 }, (_, i) => activity((995 - i * 5) * 6 + p, 50 + p));
    await feed.addMany(posts);
    producers.push(feed.key);
  }
  return { timeline, keys: [timeline.key, ...producers] };
}

export async function mergedReads({ quick, backends, clients, record }) {
  const count = quick ? 1000 : 5000;
  const serializer = createJsonSerializer();
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    const storage = storageOn(backend, clients);
    const { timeline, keys } = await world(storage);
    const ids = storage.timeline.idsOnly();
    const decode = async (entries) => {
      const payloads = await storage.activities.getMany(entries.map((e) => e.id));
      return payloads.map((p, i) => serializer.decodeActivity(p, { key: 'a', id: entries[i].id }));
    };
    // Page 1, and page 2 (after the last entry of page 1: a bounded read on every source).
    const nextPage = (page) => {
      const last = page.at(-1);
      return { ...PAGE, max: { score: last.score, id: last.id, inclusive: false } };
    };
    const page2 = nextPage(await ids.range(keys[0], PAGE));
    const merged2 = nextPage(await mergedRange(ids, keys, PAGE));
    const sides = {
      plain: async () => decode(await ids.range(keys[0], PAGE)),
      merged: async () => decode(await mergedRange(ids, keys, PAGE)),
      feed: () => timeline.read({ limit: 25 }),
      plain2: async () => decode(await ids.range(keys[0], page2)),
      merged2: async () => decode(await mergedRange(ids, keys, merged2)),
    };
    for (const read of [sides.merged, sides.merged2]) {
      const page = await read();
      if (page.length !== 25 || new Set(page.map((a) => a.id)).size !== 25) {
        throw new Error(`merged read returned ${page.length} activities`);
      }
    }
    for (const read of Object.values(sides)) await latencies(200, read); // warm-up
    // Interleaved rounds, so that a slow spell of the machine hits every side alike.
    const times = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
    for (let round = 0; round < 10; round++) {
      for (const [name, read] of Object.entries(sides)) {
        times[name].push(...(await latencies(count / 10, read)));
      }
    }
    for (const [metric, p, low] of [
      ['p50 ms', 50, 0],
      ['p99 ms', 99, 90],
    ]) {
      const row = (scenario, lib, base, baselineName) => ({
        scenario,
        backend,
        metric,
        median: percentile(lib, p),
        min: low === 0 ? Math.min(...lib) : percentile(lib, low),
        max: percentile(lib, 99.9),
        baseline: { median: percentile(base, p) },
        baselineName,
        lowerIsBetter: true,
      });
      record(
        row(
          `read 25 merged with ${PRODUCERS} producers`,
          times.merged,
          times.plain,
          'plain read of the same page (id-only range + getMany + decode)',
        ),
      );
      record(
        row(
          `read 25 merged with ${PRODUCERS} producers, page 2`,
          times.merged2,
          times.plain2,
          'plain read of page 2 of the same timeline (bounded range + getMany + decode)',
        ),
      );
      record(
        row(
          `read 25 merged with ${PRODUCERS} producers vs feed.read`,
          times.merged,
          times.feed,
          'feed.read({ limit: 25 }) of the timeline ("read 25 of 1,000")',
        ),
      );
    }
  }
}

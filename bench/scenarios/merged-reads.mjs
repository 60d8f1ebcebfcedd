// Scenario: a pulled read (issue #14). The newest 25 activities of a timeline of 1,000 merged with
// the user feeds of 5 pulled producers (200 activities each, interleaved in time with the
// timeline), hydrated and decoded, against the plain read of the same timeline's page, in the same
// run. Both sides use the same pieces (id-only range or one rangeMany + merge, one getMany, decode),
// so the ratio is the cost of the merge; the plain `feed.read` is recorded beside them.
// Target of the issue: merged p50 <= 2x plain.
import { createJsonSerializer, defineFlatFeed } from 'stream-framework';
// Not exported yet (the next session wires it into flat feeds): read from the build.
import { mergedRange } from '../../dist/feeds/merged-range.js';
import { percentile } from '../lib/measure.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

const PRODUCERS = 5;
const PAGE = { order: 'desc', limit: 25 };

async function latencies(n, read) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await read();
    out.push(performance.now() - t);
  }
  return out;
}

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
    const plain = async () => decode(await ids.range(keys[0], PAGE));
    const merged = async () => decode(await mergedRange(ids, keys, PAGE));
    const check = await merged();
    if (check.length !== 25 || new Set(check.map((a) => a.id)).size !== 25) {
      throw new Error(`merged read returned ${check.length} activities`);
    }
    const feedRead = () => timeline.read({ limit: 25 });
    for (const read of [plain, merged, feedRead]) await latencies(200, read); // warm-up
    // Interleaved rounds, so that a slow spell of the machine hits both sides alike.
    const times = { plain: [], merged: [], feed: [] };
    for (let round = 0; round < 10; round++) {
      times.plain.push(...(await latencies(count / 10, plain)));
      times.merged.push(...(await latencies(count / 10, merged)));
      times.feed.push(...(await latencies(count / 10, feedRead)));
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
          `read 25 merged with ${PRODUCERS} producers vs feed.read`,
          times.merged,
          times.feed,
          'feed.read({ limit: 25 }) of the timeline ("read 25 of 1,000")',
        ),
      );
    }
  }
}

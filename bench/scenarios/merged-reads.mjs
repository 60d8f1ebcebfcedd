// Scenario: a pulled read (issue #14), as a user gets it. Consumer 1 has a timeline of 1,000
// activities (its flat feed's maxLength) and pulls 5 producers (200 activities each, interleaved in
// time with the timeline: they published as celebrities, `maxPushFollowers: 0`). The merged read is
// `manager.getFeeds(1).timeline.read({ limit: 25 })` in hybrid mode (pulled set, merge, hydration),
// page 1 and page 2 by cursor; the baseline is the plain `feed.read` of the same consumer's
// timeline (push, no manager), same pages, same run, interleaved rounds. The bare-pieces rows are
// kept to show what the merge itself costs: `rangeMerged` + `getMany` + decode against `range` +
// `getMany` + decode.
// Target of the issue: merged p50 <= 2x plain.
import {
  createInlineQueue,
  createJsonSerializer,
  createManager,
  defineFlatFeed,
} from 'stream-framework';
import { latencies, percentile } from '../lib/measure.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

const PRODUCERS = 5;
const LIMIT = 25;
const PAGE = { order: 'desc', limit: LIMIT };
const ROUNDS = 50;

/**
 * Builds the world through the public API: the timeline written through the consumer's feed
 * handle, the producers' activities published through the manager (each producer has one
 * follower, more than `maxPushFollowers: 0`, so every post lands in consumer 1's pulled set).
 */
async function world(storage) {
  const timelineFeed = feeds.flat(storage);
  const userFeed = defineFlatFeed({ name: 'user', storage, maxLength: 1000 });
  const manager = createManager({
    userFeed,
    feeds: { timeline: timelineFeed },
    getFollowerIds: (id) => (Number(id) > 1000 ? ['1'] : []),
    queue: createInlineQueue(),
    fanout: { mode: 'hybrid', maxPushFollowers: 0 },
  });
  const merged = manager.getFeeds(1).timeline;
  const own = Array.from({ length: 1000 }, (_, i) => activity(i * (PRODUCERS + 1)));
  for (let i = 0; i < own.length; i += 100) await merged.addMany(own.slice(i, i + 100));
  const producerKeys = [];
  for (let p = 1; p <= PRODUCERS; p++) {
    for (let i = 199; i >= 0; i--) {
      const batch = await manager.addUserActivity(
        1000 + p,
        activity((995 - i * 5) * 6 + p, 1000 + p),
      );
      await batch.done();
    }
    producerKeys.push(userFeed.for(1000 + p).key);
  }
  const plain = timelineFeed.for(1);
  return { merged, plain, keys: [plain.key, ...producerKeys] };
}

/** Checks that a page holds `LIMIT` distinct activities (and returns it). */
function full(page, what) {
  const ids = page.items ? page.items.map((a) => a.id) : page.map((a) => a.id);
  if (ids.length !== LIMIT || new Set(ids).size !== LIMIT) {
    throw new Error(`${what} returned ${ids.length} activities (${new Set(ids).size} distinct)`);
  }
  return page;
}

export async function mergedReads({ quick, backends, clients, record }) {
  const count = quick ? 1000 : 5000;
  const serializer = createJsonSerializer();
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    const storage = storageOn(backend, clients);
    const { merged, plain, keys } = await world(storage);
    const ids = storage.timeline.idsOnly();
    const decode = async (entries) => {
      const payloads = await storage.activities.getMany(entries.map((e) => e.id));
      return payloads.map((p, i) => serializer.decodeActivity(p, { key: 'a', id: entries[i].id }));
    };
    const mergedCursor = full(await merged.read({ limit: LIMIT }), 'merged read').next;
    const plainCursor = full(await plain.read({ limit: LIMIT }), 'plain read').next;
    const sides = {
      merged: async () => merged.read({ limit: LIMIT }),
      plain: async () => plain.read({ limit: LIMIT }),
      merged2: async () => merged.read({ limit: LIMIT, cursor: mergedCursor }),
      plain2: async () => plain.read({ limit: LIMIT, cursor: plainCursor }),
      pieces: async () => decode(await ids.rangeMerged(keys, PAGE)),
      plainPieces: async () => decode(await ids.range(keys[0], PAGE)),
    };
    for (const [name, read] of Object.entries(sides)) full(await read(), name);
    for (const read of Object.values(sides)) await latencies(200, read); // warm-up
    // Interleaved rounds, so that a slow spell of the machine hits every side alike.
    const times = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
    // Many short rounds (20 reads a side with --quick): the load of a shared machine drifts.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, read] of Object.entries(sides)) {
        times[name].push(...(await latencies(count / ROUNDS, read)));
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
          `read 25 merged with ${PRODUCERS} pulled producers (manager)`,
          times.merged,
          times.plain,
          'feed.read({ limit: 25 }) of the same timeline (push)',
        ),
      );
      record(
        row(
          `read 25 merged with ${PRODUCERS} pulled producers (manager), page 2`,
          times.merged2,
          times.plain2,
          'feed.read page 2 (cursor) of the same timeline',
        ),
      );
      record(
        row(
          `read 25 merged with ${PRODUCERS} producers, bare pieces`,
          times.pieces,
          times.plainPieces,
          'id-only range + getMany + decode of the same page',
        ),
      );
    }
  }
}

// The follow graph (issue #17): a page of 25 followers of a user with 10,000 (the first page, and
// one from the middle by cursor), counts, and a follow of 1 target. The library and the raw
// baseline take turns, round by round; percentiles over every call of a side.
import { createFollowGraph } from 'stream-framework';
import { latencies, percentile } from '../lib/measure.mjs';
import { turns } from './reads.mjs';
import { cleanup, storageOn } from './world.mjs';

const FOLLOWERS = 10_000;

/** Runs `fn` over `items`, `limit` at a time. */
async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export async function graph({ quick, backends, clients, record }) {
  const rounds = quick ? 6 : 15;
  const perRound = 100;
  const users = Array.from({ length: FOLLOWERS }, (_, i) => `u${i}`);
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    const g = createFollowGraph({
      storage: storageOn(backend, clients),
      limits: { maxPageSize: FOLLOWERS / 2 },
    });
    const setup = performance.now();
    await pool(users, 32, (u) => g.follow(u, 'star'));
    console.log(
      `  (${FOLLOWERS} follows of one user in ${Math.round(performance.now() - setup)} ms, 32 at a time)`,
    );
    const mid = await g.followers('star', { limit: FOLLOWERS / 2 });
    let followed = 0;
    const lib = {
      'page 1': () => g.followers('star', { limit: 25 }),
      'page at 5,000': () => g.followers('star', { limit: 25, cursor: mid.next }),
      counts: () => g.counts('star'),
      'follow 1': () => g.follow(`f${followed++}`, 'moon'),
    };
    let raw;
    if (client) {
      // The same data as one plain ZSET (member = follower, score = follow time) per side.
      const z = 'bench:{graph}:followers';
      const f = 'bench:{graph}:following';
      const now = Date.now();
      for (let i = 0; i < FOLLOWERS; i += 1000) {
        await client.zadd(z, ...users.slice(i, i + 1000).flatMap((u) => [now, u]));
      }
      let rawFollowed = 0;
      raw = {
        'page 1': () => client.zrevrange(z, 0, 24, 'WITHSCORES'),
        'page at 5,000': () => client.zrevrange(z, 5000, 5024, 'WITHSCORES'),
        counts: () => Promise.all([client.zcard(z), client.zcard(f)]),
        // What a follow does at least: read the edge, write both sides.
        'follow 1': async () => {
          const u = `r${rawFollowed++}`;
          await client.zscore(`${f}:${u}`, 'moon');
          await client.zadd(`${z}:moon`, Date.now(), u);
          await client.zadd(`${f}:${u}`, Date.now(), 'moon');
        },
      };
    }
    for (const [name, call] of Object.entries(lib)) {
      await latencies(50, call); // warm-up
      const sides = [call, ...(raw ? [raw[name]] : [])];
      if (raw) await latencies(50, raw[name]);
      const out = await turns(
        rounds,
        sides.map((fn) => () => latencies(perRound, fn)),
      );
      const mine = out[0].flat();
      const base = raw ? out[1].flat() : undefined;
      for (const [metric, p] of [
        ['p50 ms', 50],
        ['p99 ms', 99],
      ]) {
        record({
          scenario: `graph ${name}${name.startsWith('page') || name === 'counts' ? ' of 10,000' : ''}`,
          backend,
          metric,
          median: percentile(mine, p),
          min: Math.min(...mine),
          max: percentile(mine, 99.9),
          ...(base
            ? { baseline: { median: percentile(base, p) }, baselineName: baselineOf(name) }
            : {}),
          lowerIsBetter: true,
        });
      }
    }
  }
}

function baselineOf(name) {
  if (name === 'page 1') return 'ZREVRANGE 0 24 WITHSCORES';
  if (name === 'page at 5,000') return 'ZREVRANGE 5000 5024 WITHSCORES';
  if (name === 'counts') return '2 ZCARD';
  return 'ZSCORE + 2 ZADD';
}

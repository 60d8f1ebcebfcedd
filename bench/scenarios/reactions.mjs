// Scenario: reactions (issue #17). Adds of likes (one at a time, and with 50 concurrent writers
// spread over 25 activities) and the summary of a page of 25 activities (counts, newest 5 and
// the reader's own reactions of two kinds), against a raw baseline of the minimal Redis commands
// for the same data: per add one MULTI (ZADD NX of the reaction, HSET of its payload, ZADD into
// the user's own set; the count is the ZCARD), per summary one pipeline of ZCARD + ZREVRANGE on
// each (activity, kind) and ZREVRANGE on each own set, then one pipeline of HMGETs and
// JSON.parse. The library and the baseline take turns, round by round; figures are medians.
import { createReactions } from 'stream-framework';
import { latencies, percentile, stats } from '../lib/measure.mjs';
import { concurrentRate, turns } from './reads.mjs';
import { activity, cleanup, storageOn } from './world.mjs';

const KINDS = ['like', 'comment'];
const WRITERS = 50;

/** The raw baseline on `client`, under its own keys. */
function rawSide(client) {
  const k = (activityId, kind) => `bench:{raw}:a:${activityId}:${kind}`;
  const own = (userId, activityId, kind) => `bench:{raw}:u:${userId}:${activityId}:${kind}`;
  const payloads = 'bench:{raw}:p';
  return {
    async add(activityId, kind, userId, id, time) {
      const payload = JSON.stringify({ u: String(userId), d: {} });
      await client
        .multi()
        .zadd(k(activityId, kind), 'NX', time, id)
        .hset(payloads, id, payload)
        .zadd(own(userId, activityId, kind), time, id)
        .exec();
    },
    async summary(activityIds, userId) {
      const heads = client.pipeline();
      for (const a of activityIds) {
        for (const kind of KINDS) {
          heads.zcard(k(a, kind));
          heads.zrevrange(k(a, kind), 0, 4, 'WITHSCORES');
          heads.zrevrange(own(userId, a, kind), 0, 9, 'WITHSCORES');
        }
      }
      const replies = (await heads.exec()).map(([, r]) => r);
      const bodies = client.pipeline();
      for (let i = 0; i < replies.length; i += 3) {
        for (const list of [replies[i + 1], replies[i + 2]]) {
          const ids = list.filter((_, j) => j % 2 === 0);
          if (ids.length > 0) bodies.hmget(payloads, ...ids);
        }
      }
      return (await bodies.exec()).map(([, r]) => r.map((p) => JSON.parse(p)));
    },
  };
}

/** The library side on `storage`. */
function librarySide(storage) {
  const reactions = createReactions({ storage, kinds: { like: { unique: true }, comment: {} } });
  return {
    add: (activityId, kind, userId, id, time) =>
      reactions.add(
        kind === 'like'
          ? { activityId, kind, userId, time }
          : { activityId, kind, userId, id, time },
      ),
    summary: (activityIds, userId) => reactions.summary(activityIds, { userId, latest: 5 }),
  };
}

export async function reactions({ quick, backends, clients, record }) {
  const rounds = quick ? 5 : 9;
  const perRound = quick ? 200 : 500; // sequential adds per side and round
  const perRate = quick ? 1000 : 2000; // adds per side and round, 50 writers
  const page = Array.from({ length: 25 }, (_, i) => activity(i).id);
  for (const backend of backends) {
    const client = clients[backend];
    if (client) await cleanup(client);
    const sides = [librarySide(storageOn(backend, clients))];
    if (client) sides.push(rawSide(client));
    // Each side's adds go to fresh users, so every add is a new reaction.
    const users = sides.map(() => 0);
    const time = 1_764_000_000_000;
    const addOne = (s) => () => {
      const user = ++users[s];
      return sides[s].add(page[user % 25], 'like', user, `r${user}`, time + user);
    };
    const single = await turns(
      rounds,
      sides.map((_, s) => () => latencies(perRound, addOne(s))),
    );
    const rates = await turns(
      rounds,
      sides.map((_, s) => () => concurrentRate(perRate, WRITERS, addOne(s))),
    );
    // A page whose activities hold likes from the adds above, plus comments of the reader.
    for (const side of sides) {
      for (const [i, a] of page.entries()) {
        for (let c = 0; c < 8; c++) await side.add(a, 'comment', c % 2, `c${i}-${c}`, time + c);
      }
    }
    const summaries = await turns(
      rounds * 2,
      sides.map((side) => () => latencies(quick ? 50 : 100, () => side.summary(page, 1))),
    );
    const baselineName = 'MULTI of ZADD NX + HSET + ZADD (own)';
    const summaryBaseline = 'pipelined ZCARD + ZREVRANGE, then HMGET + JSON.parse';
    const withBase = (baseValues, name, p) =>
      baseValues ? { baseline: { median: percentile(baseValues, p) }, baselineName: name } : {};
    const lib = single[0].flat();
    const raw = single[1]?.flat();
    record({
      scenario: 'reaction add (like)',
      backend,
      metric: 'p50 ms',
      median: percentile(lib, 50),
      min: Math.min(...lib),
      max: percentile(lib, 99.9),
      ...withBase(raw, baselineName, 50),
      lowerIsBetter: true,
    });
    record({
      scenario: `reaction add (like), ${WRITERS} writers`,
      backend,
      metric: 'adds/s',
      ...stats(rates[0]),
      ...(rates[1] ? { baseline: { median: stats(rates[1]).median }, baselineName } : {}),
    });
    const libSummary = summaries[0].flat();
    const rawSummary = summaries[1]?.flat();
    record({
      scenario: 'reaction summary of 25 activities, 2 kinds, own',
      backend,
      metric: 'p50 ms',
      median: percentile(libSummary, 50),
      min: Math.min(...libSummary),
      max: percentile(libSummary, 99.9),
      ...withBase(rawSummary, summaryBaseline, 50),
      lowerIsBetter: true,
    });
  }
}

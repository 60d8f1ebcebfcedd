// Scenarios 4 and 5: aggregated feed writes (one at a time and in batches of 100) and the
// notification cycle add + count unseen + mark all, against raw read-modify-write commands.
import { rate, timed } from '../lib/measure.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

/** Baseline for one aggregated add: read the group, parse, change, write group and rank back. */
async function rawGroupAdd(client, a) {
  const key = `bench:{rawagg}`;
  const group = `${a.verb}`;
  const old = await client.hget(`${key}:p`, group);
  const g = old ? JSON.parse(old) : { ids: [], n: 0 };
  g.ids = [a.id, ...g.ids].slice(0, 15);
  g.n += 1;
  await client
    .multi()
    .hset(`${key}:p`, group, JSON.stringify(g))
    .zadd(`${key}:z`, a.time.getTime(), group)
    .exec();
}

/** Rounds of the notification cycle, each side (after a warm-up round). */
const NOTIFICATION_ROUNDS = 9;

/**
 * Baseline for `cycles` notification cycles: add (the payload under its group, the group ranked,
 * marked unseen and unread, as the library's default `track` keeps both), count unseen, and mark
 * all seen and read (the scenario's `markAll({ seen: true, read: true })` clears both markers).
 */
async function rawNotificationCycles(client, activities, cycles) {
  for (let i = 0; i < cycles; i++) {
    const a = activities[i];
    await client
      .multi()
      .zadd('bench:{n}:z', a.time.getTime(), a.verb)
      .hset('bench:{n}:p', a.verb, JSON.stringify(a))
      .sadd('bench:{n}:unseen', a.verb)
      .sadd('bench:{n}:unread', a.verb)
      .exec();
    await client.scard('bench:{n}:unseen');
    await client.del('bench:{n}:unseen', 'bench:{n}:unread');
  }
}

/** Rounds of the one-at-a-time aggregated add (each: one library run, then one raw run). */
const ONE_AT_A_TIME_ROUNDS = 7;

/** Callers adding to one feed at the same time in the concurrent row. */
const CONCURRENT_CALLERS = 8;

/** The floor's script: one HSET of a payload, as a commit of one group does at least. */
const FLOOR_SCRIPT = "return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])";

/**
 * The largest group payload the library stored in an aggregated feed of the benchmark (what one
 * add carries to Redis and back out), or a 3,400-character stand-in if none is found.
 */
async function storedGroupPayload(client) {
  let largest = '';
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', 'bench*aggregated*:p', 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      for (const value of Object.values(await client.hgetall(key))) {
        if (value.length > largest.length) largest = value;
      }
    }
  } while (cursor !== '0');
  return largest || 'x'.repeat(3400);
}

/**
 * The floor of one acknowledged round trip, one awaited call at a time: `n` sequential PINGs, or
 * `n` EVALSHAs of a script that HSETs `payload` (a group as the library stores it).
 */
async function floorCalls(client, n, payload) {
  if (payload === undefined) {
    for (let i = 0; i < n; i++) await client.ping();
    return;
  }
  const sha = await client.script('LOAD', FLOOR_SCRIPT);
  for (let i = 0; i < n; i++) await client.evalsha(sha, 1, 'bench:{floor}:p', 'g', payload);
}

export async function groups({ quick, backends, clients, record }) {
  const n = quick ? 1000 : 10_000;
  const repeats = quick ? 1 : 3;
  const activities = Array.from({ length: n }, (_, i) => activity(i));
  for (const backend of backends) {
    const client = clients[backend];
    const prepare = async () => {
      if (client) await cleanup(client);
      return { feed: feeds.aggregated(storageOn(backend, clients)).for(1) };
    };
    // One at a time: the library and the raw commands take turns, round by round, so a burst of
    // load from other jobs on the shared machine hits both sides alike; a warm-up round of each
    // first, not counted (with --quick's 1,000 adds, the first round also measures V8 compiling
    // the code: about twice the time per add of the next rounds on either side).
    // The floor (Redis only) takes its turns too: sequential PINGs and EVALSHAs of a script that
    // HSETs a stored group payload, so the add's rate can be read against one round trip.
    const oneTimes = [];
    const rawTimes = [];
    const concurrentTimes = [];
    const pingTimes = [];
    const scriptTimes = [];
    let payload;
    for (let round = 0; round <= (quick ? 3 : ONE_AT_A_TIME_ROUNDS); round++) {
      const lib = await timed(
        1,
        async ({ feed }) => {
          for (const a of activities) await feed.add(a);
        },
        prepare,
      );
      if (client && payload === undefined) payload = await storedGroupPayload(client);
      // The same adds from CONCURRENT_CALLERS callers of one process, each awaiting its own adds
      // one at a time (a worker serving several requests): the adds that wait while an update of
      // the feed is in flight are committed together (group commit).
      const concurrent = await timed(
        1,
        async ({ feed }) => {
          await Promise.all(
            Array.from({ length: CONCURRENT_CALLERS }, async (_, caller) => {
              for (let i = caller; i < n; i += CONCURRENT_CALLERS) await feed.add(activities[i]);
            }),
          );
        },
        prepare,
      );
      const raw = client
        ? await timed(
            1,
            async () => {
              for (const a of activities) await rawGroupAdd(client, a);
            },
            () => cleanup(client),
          )
        : [];
      const ping = client ? await timed(1, () => floorCalls(client, n)) : [];
      const script = client ? await timed(1, () => floorCalls(client, n, payload)) : [];
      if (round === 0) continue;
      oneTimes.push(...lib);
      rawTimes.push(...raw);
      concurrentTimes.push(...concurrent);
      pingTimes.push(...ping);
      scriptTimes.push(...script);
    }
    if (client) {
      record({
        scenario: 'floor: PING, one at a time',
        backend,
        n,
        metric: 'calls/s',
        ...rate(n, pingTimes),
      });
      record({
        scenario: `floor: EVALSHA of an HSET of ${payload.length.toLocaleString('en')} chars, one at a time`,
        backend,
        n,
        metric: 'calls/s',
        ...rate(n, scriptTimes),
      });
    }
    const one = rate(n, oneTimes);
    const base = client ? rate(n, rawTimes) : undefined;
    record({
      scenario: 'aggregated add, one at a time',
      backend,
      n,
      metric: 'activities/s',
      ...one,
      baseline: base,
      baselineName: 'raw HGET + MULTI(HSET, ZADD)',
    });
    record({
      scenario: `aggregated add, ${CONCURRENT_CALLERS} concurrent callers`,
      backend,
      n,
      metric: 'activities/s',
      ...rate(n, concurrentTimes),
      baseline: base,
      baselineName: 'raw HGET + MULTI(HSET, ZADD)',
    });
    const batched = rate(
      n,
      await timed(
        repeats,
        async ({ feed }) => {
          for (let i = 0; i < n; i += 100) await feed.addMany(activities.slice(i, i + 100));
        },
        prepare,
      ),
    );
    record({
      scenario: 'aggregated add, batches of 100',
      backend,
      n,
      metric: 'activities/s',
      ...batched,
      baseline: base,
      baselineName: 'raw HGET + MULTI(HSET, ZADD)',
    });

    // Notification cycle: the library and the raw cycle take turns, round by round (a warm-up
    // round of each first, not counted), so a burst of load from other jobs on the shared machine
    // hits both sides alike.
    const cycles = quick ? 1000 : 2000;
    const rounds = quick ? 5 : NOTIFICATION_ROUNDS;
    const notifLibTimes = [];
    const notifRawTimes = [];
    for (let round = 0; round <= rounds; round++) {
      const lib = await timed(
        1,
        async ({ feed }) => {
          for (let i = 0; i < cycles; i++) {
            await feed.add(activities[i]);
            await feed.countUnseen();
            await feed.markAll({ seen: true, read: true });
          }
        },
        async () => {
          if (client) await cleanup(client);
          return { feed: feeds.notification(storageOn(backend, clients)).for(1) };
        },
      );
      const raw = client
        ? await timed(
            1,
            () => rawNotificationCycles(client, activities, cycles),
            () => cleanup(client),
          )
        : [];
      if (round === 0) continue;
      notifLibTimes.push(...lib);
      notifRawTimes.push(...raw);
    }
    const notif = rate(cycles, notifLibTimes);
    const nbase = client ? rate(cycles, notifRawTimes) : undefined;
    record({
      scenario: 'notification add + count + mark all',
      backend,
      n: cycles,
      metric: 'cycles/s',
      ...notif,
      baseline: nbase,
      baselineName: 'raw MULTI(ZADD, HSET, SADD x2) + SCARD + DEL',
    });
  }
}

// Scenarios 6 and 7: Redis memory per timeline entry and per stored activity, and follow (copying
// 5,000 activities into a follower's feed).
import {
  createInlineQueue,
  createJsonSerializer,
  createManager,
  defineFlatFeed,
} from 'stream-framework';
import { createRedisStorage } from 'stream-framework/redis';
// The key layout is internal (not exported): read it from the built module directly.
import { timelineKeys } from '../../dist/backends/redis/keys.js';
import { stats, timed } from '../lib/measure.mjs';
import { activity, cleanup, feeds, storageOn } from './world.mjs';

async function usedMemory(client) {
  return Number((await client.info('memory')).match(/used_memory:(\d+)/)[1]);
}

/** Rounds of the follow scenario (each: one library copy, then one raw copy). */
const FOLLOW_ROUNDS = 9;

export async function footprint({ quick, backends, clients, record }) {
  const client = clients.redis;
  if (backends.includes('redis') && client) {
    await cleanup(client);
    const storage = storageOn('redis', clients);
    const def = feeds.flat(storage, { maxLength: 5000 });
    const activities = Array.from({ length: 1000 }, (_, i) => activity(i));
    for (const size of [100, 1000]) {
      const feed = def.for(`m${size}`);
      await feed.addMany(activities.slice(0, size), { storeActivities: false });
      const bytes = Number(
        await client.memory('USAGE', timelineKeys(storage.prefix, feed.key).z, 'SAMPLES', 0),
      );
      // Baseline: a ZSET of the same members (20-byte activity ids) with ms scores, written raw.
      const raw = `bench:{rawz${size}}`;
      await client.zadd(raw, ...activities.slice(0, size).flatMap((a) => [a.time.getTime(), a.id]));
      const rawBytes = Number(await client.memory('USAGE', raw, 'SAMPLES', 0));
      record({
        scenario: `timeline entry, feed of ${size}`,
        backend: 'redis',
        metric: 'bytes/entry',
        median: bytes / size,
        min: bytes / size,
        max: bytes / size,
        baseline: { median: rawBytes / size },
        baselineName: `raw ZSET, ${activities[0].id.length}-byte members`,
        lowerIsBetter: true,
      });
    }
    // Stored activities in the keyed form feeds write (no id, no time: the key has them), in the
    // default layout (one big hash on a single node: hashtable encoding) and in time buckets.
    // Bucket sizing (docs/backends/redis.md): these activities come 1 per second, so 10-minute
    // buckets of 8 shards hold about 600 / 8 = 75 activities each, within the 50-120 that keeps
    // every hash under the default hash-max-listpack-entries (128) despite the uneven spread of
    // the shard hash; the 38-byte payloads are under hash-max-listpack-value (64).
    const serializer = createJsonSerializer();
    const layouts = [
      { name: 'one hash', storage: storageOn('redis', clients) },
      {
        name: '10-min buckets x 8',
        storage: createRedisStorage({
          client,
          prefix: 'benchbuckets',
          activityBucketMs: 600_000,
          activityShards: 8,
        }),
      },
      {
        // The cluster default layout (one-minute buckets of one hash, about 60 activities each
        // here), measured on the single node: key names aside, a hash costs what it does there.
        name: '1-min buckets x 1, the cluster default',
        storage: createRedisStorage({
          client,
          prefix: 'benchcolocated',
          activityColocation: 'bucket',
        }),
      },
    ];
    const many = Array.from({ length: 20_000 }, (_, i) => activity(50_000 + i));
    const entries = many.map((a) => ({ id: a.id, payload: serializer.encodeActivity(a, 'keyed') }));
    const payload = entries.reduce((s, e) => s + e.payload.length, 0) / entries.length;
    for (const { name, storage: layout } of layouts) {
      const before = await usedMemory(client);
      await layout.activities.putMany(entries);
      const after = await usedMemory(client);
      const bytes = (after - before) / many.length;
      record({
        scenario: `stored activity (${name})`,
        backend: 'redis',
        metric: 'bytes/activity',
        median: bytes,
        min: bytes,
        max: bytes,
        baseline: { median: payload },
        baselineName: 'keyed payload bytes',
        lowerIsBetter: true,
      });
    }
  }
  // Follow: the library and the raw copy take turns, round by round, so a burst of load from
  // other jobs on the shared machine hits both sides alike.
  const rounds = quick ? 3 : FOLLOW_ROUNDS;
  for (const backend of backends) {
    const c = clients[backend];
    const followWorld = async () => {
      if (c) await cleanup(c);
      const storage = storageOn(backend, clients);
      const manager = createManager({
        userFeed: defineFlatFeed({ name: 'user', storage, maxLength: 10_000 }),
        feeds: { timeline: defineFlatFeed({ name: 'timeline', storage, maxLength: 10_000 }) },
        getFollowerIds: () => [],
        queue: createInlineQueue(),
      });
      await manager.batchImport(
        1,
        Array.from({ length: 5000 }, (_, i) => activity(i, 1)),
        { fanout: false },
      );
      return { manager };
    };
    // Baseline: the same copy with raw commands: read 5,000 (id, score) pairs, ZADD them, trim.
    const rawWorld = async () => {
      await cleanup(c);
      const acts = Array.from({ length: 5000 }, (_, i) => activity(i, 1));
      await c.zadd('bench:{rawfollow}:user', ...acts.flatMap((a) => [a.time.getTime(), a.id]));
    };
    const rawFollow = async () => {
      const pairs = await c.zrange('bench:{rawfollow}:user', 0, 4999, 'REV', 'WITHSCORES');
      const args = [];
      for (let i = 0; i < pairs.length; i += 2) args.push(pairs[i + 1], pairs[i]);
      await c.zadd('bench:{rawfollow}:timeline', ...args);
      await c.zremrangebyrank('bench:{rawfollow}:timeline', 0, -10_001);
    };
    const times = [];
    const rawTimes = [];
    for (let round = 0; round < rounds; round++) {
      times.push(...(await timed(1, async ({ manager }) => manager.followUser(2, 1), followWorld)));
      if (c) rawTimes.push(...(await timed(1, rawFollow, rawWorld)));
    }
    const base = c ? stats(rawTimes) : undefined;
    record({
      scenario: 'follow: copy 5,000 activities',
      backend,
      metric: 'ms',
      ...stats(times),
      baseline: base,
      baselineName: 'raw ZRANGE + ZADD + trim',
      lowerIsBetter: true,
    });
  }
}

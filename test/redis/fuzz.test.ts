import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { activityShardKey, timelineKeys } from '../../src/backends/redis/keys.js';
import { BackendError } from '../../src/index.js';
import {
  assertTyped,
  FUZZ_USERS,
  fuzzPublicCalls,
  fuzzWorld,
  guardAgainstCrashes,
  settle,
  validActivity,
} from '../support/bad-input.js';
import { checkCorruption, checkLimits, corruptionCases } from '../support/bad-storage.js';
import { deletePrefix, singleClient } from '../support/redis.js';
import { dumpPrefix } from '../support/redis-dump.js';

// Bad input at the public boundary on a single Redis: fuzzed public calls compared with a dump of
// every key under the test's prefix (nothing written on a rejection, every key in the backend's
// layout whatever the ids), payloads corrupted with raw HSET/ZADD, and the configurable limits.
const client = singleClient();
const soak = process.env.SF_SOAK === '1';
const SEED = Number(process.env.SF_SEED ?? 20_261_128);
guardAgainstCrashes();
after(() => client.quit());

/** A fresh prefix and fuzz world on the shared server. */
async function fresh() {
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const storage = createRedisStorage({ client, prefix });
  const world = await fuzzWorld(storage);
  return { prefix, world, raw: () => dumpPrefix(client, prefix) };
}

describe('bad input (redis)', () => {
  it('fuzzed arguments to every public call: typed rejections that write no key, keys always in the layout', async (t) => {
    const figures = await fuzzPublicCalls(
      {
        async create() {
          const { prefix, world, raw } = await fresh();
          return { world, raw, destroy: () => deletePrefix(client, prefix) };
        },
      },
      { runs: soak ? 2000 : 60, seed: SEED },
    );
    const line = `fuzz (redis): ${figures.calls} public calls with fuzzed arguments, ${figures.rejected} rejected with a typed error and no key written or changed, ${figures.accepted} accepted, 0 crashes`;
    t.diagnostic(line);
    console.log(line);
    assert.ok(figures.rejected > figures.calls / 2);
  });

  it('payloads corrupted with raw HSET/ZADD: typed errors, nothing else touched', async (t) => {
    const prefixes: string[] = [];
    const figures = await checkCorruption(async () => {
      const { prefix, world, raw } = await fresh();
      prefixes.push(prefix);
      return {
        world,
        raw,
        plantActivity: (id, payload) => client.hset(activityShardKey(prefix, 1, id), id, payload),
        async plantEntry(key, id, score, payload) {
          const k = timelineKeys(prefix, key);
          await client.zadd(k.z, score, id);
          if (payload === undefined) await client.hdel(k.p, id);
          else await client.hset(k.p, id, payload);
        },
      };
    });
    for (const prefix of prefixes) await deletePrefix(client, prefix);
    const line = `fuzz (redis): ${corruptionCases.length} kinds of corrupted payload planted with raw HSET/ZADD, ${figures.operations} operations on them, ${figures.typed} failed with a typed error, ${figures.unaffected} reads of other feeds unaffected, 0 crashes`;
    t.diagnostic(line);
    console.log(line);
  });

  it('a key of the wrong Redis type, or an infinite score: typed errors, other feeds unaffected', async () => {
    const { prefix, world, raw } = await fresh();
    const broken = timelineKeys(prefix, world.timeline.keyFor(2));
    await client.del(broken.z);
    await client.set(broken.z, 'not a sorted set');
    const infinite = timelineKeys(prefix, world.timeline.keyFor(3));
    await client.zadd(infinite.z, 'inf', 'zzzzzzzzzzzzzzzz');
    const before = await raw();
    for (const run of [
      () => world.timeline.for(2).read(),
      () => world.timeline.for(2).count(),
      () => world.timeline.for(2).trim(1),
      () => world.timeline.for(2).remove(validActivity(1).id),
      () => world.timeline.for(2).removeByActors([1]),
    ]) {
      const outcome = await settle(run);
      assert.equal(outcome.ok, false);
      if (!outcome.ok) assertTyped(outcome.error, 'wrong type');
    }
    const read = await settle(() => world.timeline.for(2).read());
    assert.ok(!read.ok && read.error instanceof BackendError && read.error.code === 'BACKEND');
    assert.deepStrictEqual(await raw(), before, 'the failed calls wrote nothing');
    const page = await settle(() => world.timeline.for(3).read({ limit: 2 }));
    if (!page.ok) assertTyped(page.error, 'infinite score');
    for (const u of FUZZ_USERS.filter((u) => u !== 2 && u !== 3)) {
      await world.timeline.for(u).read();
      await world.notification.for(u).read();
    }
    await deletePrefix(client, prefix);
  });

  it('configurable limits: clear typed errors, nothing written', async (t) => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const checked = await checkLimits(() => createRedisStorage({ client, prefix }));
    await deletePrefix(client, prefix);
    const line = `limits (redis): ${checked} limits checked, each rejected with a typed error naming it and nothing written`;
    t.diagnostic(line);
    console.log(line);
  });
});

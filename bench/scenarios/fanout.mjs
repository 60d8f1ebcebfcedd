// Scenario 1 (and 8): fan-out of one activity to N follower feeds through the manager with the
// inline queue, in feed inserts per second, against raw ioredis doing the minimal work.
import { rate, timed } from '../lib/measure.mjs';
import { activity, cleanup, fanoutWorld, storageOn } from './world.mjs';

const ADD_TRIM = `for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])
  if redis.call('ZCARD', KEYS[i]) > 1000 then redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -1001) end
end
return #KEYS`;

/** Baseline: one Lua call adding and trimming per 2,000 keys (single node) or one ZADD per key, pipelined per call batch (cluster). */
async function baseline(client, n) {
  const member = activity(0).id;
  const score = activity(0).time.getTime();
  if (client.isCluster) {
    await Promise.all(
      Array.from({ length: n }, (_, i) => client.zadd(`bench:{b${i}}`, score, member)),
    );
    return;
  }
  const calls = [];
  for (let i = 0; i < n; i += 2000) {
    const keys = Array.from({ length: Math.min(2000, n - i) }, (_, j) => `bench:b${i + j}`);
    calls.push(client.eval(ADD_TRIM, keys.length, ...keys, score, member));
  }
  await Promise.all(calls);
}

export async function fanout({ quick, backends, clients, record }) {
  const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
  const repeats = quick ? 2 : 5;
  for (const backend of backends) {
    for (const n of sizes) {
      if (backend !== 'memory' && quick && n > 10_000) continue;
      const client = clients[backend];
      const base = client
        ? rate(
            n,
            await timed(
              repeats,
              () => baseline(client, n),
              () => cleanup(client),
            ),
          )
        : undefined;
      const lib = rate(
        n,
        await timed(
          repeats,
          ({ manager }, i) => manager.addUserActivity(0, activity(i)),
          async () => {
            if (client) await cleanup(client);
            return { manager: fanoutWorld(storageOn(backend, clients), n) };
          },
        ),
      );
      record({
        scenario: 'fan-out',
        backend,
        n,
        metric: 'feed inserts/s',
        ...lib,
        baseline: base,
        baselineName: client?.isCluster ? 'concurrent ZADDs' : 'Lua add+trim per 2,000 keys',
      });
    }
  }
}

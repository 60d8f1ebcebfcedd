// Scenario 1 (and 8): fan-out of one activity to N follower feeds through the manager with the
// inline queue, in feed inserts per second, against raw ioredis doing the minimal work.
import slot from 'cluster-key-slot';
import { rate, timed } from '../lib/measure.mjs';
import { activity, cleanup, fanoutWorld, storageOn } from './world.mjs';

const ADD_TRIM = `for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])
  if redis.call('ZCARD', KEYS[i]) > 1000 then redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -1001) end
end
return #KEYS`;

// The same on a cluster: one call per master node and 2,000 of its keys, passed in ARGV (a script
// flagged allow-cross-slot-keys may touch keys of every slot its node serves; Redis 7+).
const ADD_TRIM_ON_NODE = `#!lua flags=allow-cross-slot-keys
for i = 3, #ARGV do
  redis.call('ZADD', ARGV[i], ARGV[1], ARGV[2])
  if redis.call('ZCARD', ARGV[i]) > 1000 then redis.call('ZREMRANGEBYRANK', ARGV[i], 0, -1001) end
end
return #ARGV - 2`;

/** Baseline: one Lua call adding and trimming per 2,000 keys (on a cluster: per node and 2,000 keys). */
export async function baseline(client, n) {
  const member = activity(0).id;
  const score = activity(0).time.getTime();
  const keys = Array.from({ length: n }, (_, i) => `bench:{b${i}}`);
  const calls = [];
  if (client.isCluster) {
    const byNode = new Map(client.nodes('master').map((node) => [nodeName(node), [node, []]]));
    for (const key of keys) byNode.get(client.slots[slot(key)][0])[1].push(key);
    for (const [node, nodeKeys] of byNode.values()) {
      for (let i = 0; i < nodeKeys.length; i += 2000) {
        const part = nodeKeys.slice(i, i + 2000);
        calls.push(node.eval(ADD_TRIM_ON_NODE, 1, part[0], score, member, ...part));
      }
    }
  } else {
    for (let i = 0; i < n; i += 2000) {
      const part = keys.slice(i, i + 2000);
      calls.push(client.eval(ADD_TRIM, part.length, ...part, score, member));
    }
  }
  await Promise.all(calls);
}

const nodeName = (node) => `${node.options.host}:${node.options.port}`;

export async function fanout({ quick, backends, clients, record }) {
  const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
  const rounds = quick ? 3 : 7;
  for (const backend of backends) {
    for (const n of sizes) {
      if (backend !== 'memory' && quick && n > 10_000) continue;
      const client = clients[backend];
      // The library and the baseline take turns, round by round, so that a burst of load from
      // other jobs on the shared machine hits both sides alike; medians of each side.
      const libTimes = [];
      const baseTimes = [];
      for (let round = 0; round < rounds; round++) {
        libTimes.push(
          ...(await timed(
            1,
            ({ manager }) => manager.addUserActivity(0, activity(round, 0)),
            async () => {
              if (client) await cleanup(client);
              return { manager: fanoutWorld(storageOn(backend, clients), n) };
            },
          )),
        );
        if (client) {
          baseTimes.push(
            ...(await timed(
              1,
              () => baseline(client, n),
              () => cleanup(client),
            )),
          );
        }
      }
      record({
        scenario: 'fan-out',
        backend,
        n,
        metric: 'feed inserts/s',
        ...rate(n, libTimes),
        baseline: client ? rate(n, baseTimes) : undefined,
        baselineName: client?.isCluster
          ? 'Lua add+trim per node and 2,000 keys'
          : 'Lua add+trim per 2,000 keys',
      });
    }
  }
}

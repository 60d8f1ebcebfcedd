// Starts the servers the benchmarks need, reusing the test runner's groups: a redis-server and a
// 3-master Redis Cluster on free loopback ports, stopped by PID. REDIS_URL / REDIS_CLUSTER_NODES
// point at existing servers instead.

import redis from '../../scripts/backends/redis.mjs';
import redisCluster from '../../scripts/backends/redis-cluster.mjs';

const started = [];

/** Starts (or finds) the servers; returns their addresses. */
export async function startServers({ cluster }) {
  try {
    started.push(redis);
    const env = { ...(await redis.start()) };
    if (cluster) {
      started.push(redisCluster);
      Object.assign(env, await redisCluster.start());
    }
    return env;
  } catch (error) {
    await stopServers().catch(() => {});
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `could not start the servers the benchmarks need: ${reason}\n` +
        'To use servers already running instead: REDIS_URL=redis://127.0.0.1:6379 and ' +
        'REDIS_CLUSTER_NODES=host:port,host:port,... (or --no-cluster).',
    );
  }
}

/** Stops what startServers started. */
export async function stopServers() {
  for (const group of started.reverse()) await group.stop();
}

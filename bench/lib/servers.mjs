// Starts the servers the benchmarks need, reusing the test runner's groups: a redis-server and a
// 3-master Redis Cluster on free loopback ports, stopped by PID. REDIS_URL / REDIS_CLUSTER_NODES
// point at existing servers instead.

import redis from '../../scripts/backends/redis.mjs';
import redisCluster from '../../scripts/backends/redis-cluster.mjs';

const started = [];

/** Starts (or finds) the servers; returns their addresses. */
export async function startServers({ cluster }) {
  const env = { ...(await redis.start()) };
  started.push(redis);
  if (cluster) {
    Object.assign(env, await redisCluster.start());
    started.push(redisCluster);
  }
  return env;
}

/** Stops what startServers started. */
export async function stopServers() {
  for (const group of started.reverse()) await group.stop();
}

// The BullMQ queue adapter's tests, test/bullmq/**/*.test.ts: real worker child processes against
// a throwaway redis-server, plus one test file on a throwaway Redis Cluster.
//
// With REDIS_URL set, that server is used as is (it must run with maxmemory-policy noeviction, which
// BullMQ requires). Otherwise start() runs a foreground redis-server on a free 127.0.0.1 port with
// `--maxmemory-policy noeviction`, in a fresh temp dir persisting nothing. The cluster comes from
// the redis-cluster group's start() (or REDIS_CLUSTER_NODES), started at the same time. The test
// process gets:
//   REDIS_URL            redis://127.0.0.1:PORT
//   REDIS_CLUSTER_NODES  127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
// stop() stops exactly what start() started (by recorded PID) and deletes the dirs.

import { testFiles } from './files.mjs';
import redisCluster from './redis-cluster.mjs';
import {
  groupDir,
  HOST,
  onFreePort,
  serverVersion,
  startRedisServer,
  stopDir,
  summarized,
} from './redis-process.mjs';

let dir; // set before anything is spawned, so stop() can clean up after a half-done start()
let clusterStarted = false;

async function startSingle() {
  if (process.env.REDIS_URL) {
    console.error(`bullmq: using REDIS_URL=${process.env.REDIS_URL} (no server started)`);
    return process.env.REDIS_URL;
  }
  const started = performance.now();
  dir = groupDir('sf-bullmq-');
  try {
    const server = await onFreePort((port) =>
      startRedisServer({ port, dir, args: ['--maxmemory-policy', 'noeviction'] }),
    );
    const version = await serverVersion(server.port);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.error(
      `bullmq: started redis-server ${version} on ${HOST}:${server.port} (pid ${server.pid}) in ${seconds}s`,
    );
    return `redis://${HOST}:${server.port}`;
  } catch (error) {
    throw summarized('bullmq', error);
  }
}

export default {
  name: 'bullmq',
  files: () => testFiles('test/bullmq'),

  async start() {
    clusterStarted = true; // before awaiting: stop() must stop a half-started cluster too
    // Both settle before either error is thrown, so stop() never races a start still running.
    const [single, cluster] = await Promise.allSettled([startSingle(), redisCluster.start()]);
    if (single.status === 'rejected') throw single.reason;
    if (cluster.status === 'rejected') throw cluster.reason;
    return { REDIS_URL: single.value, REDIS_CLUSTER_NODES: cluster.value.REDIS_CLUSTER_NODES };
  },

  async stop() {
    const current = dir;
    dir = undefined;
    await stopDir(current);
    if (clusterStarted) {
      clusterStarted = false;
      await redisCluster.stop();
    }
  },
};

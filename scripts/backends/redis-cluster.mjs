// The Redis backend's cluster tests, test/redis-cluster/**/*.test.ts, against a throwaway Redis
// Cluster of 3 masters and no replicas.
//
// With REDIS_CLUSTER_NODES set (host:port,host:port,...), that cluster is used as is. Otherwise
// start() runs 3 foreground redis-servers with cluster-enabled on free 127.0.0.1 ports whose
// cluster-bus ports (port+10000) are free too, each in its own fresh dir (a stale nodes.conf would
// make a node rejoin an old cluster), joins them and hands the test process
//   REDIS_CLUSTER_NODES  127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3
//
// The cluster is built by hand (ADDSLOTSRANGE, SET-CONFIG-EPOCH, MEET) rather than with
// `redis-cli --cluster create`, whose join wait polls once a second and often adds 1-5 s. Either
// way a master reports cluster_state:ok no sooner than 2 s after it started (Redis'
// CLUSTER_WRITABLE_DELAY), so startup takes a little over 2 s. Notes on all this:
// /work/shared/reference/distributed-backends.md, part A.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { testFiles } from './files.mjs';
import {
  groupDir,
  HOST,
  logTail,
  onFreePort,
  redisCommand,
  serverVersion,
  startRedisServer,
  stopDir,
  summarized,
} from './redis-process.mjs';

const MASTERS = 3;
const SLOTS = 16384;
const READY_TIMEOUT_MS = 30_000;

let root; // the temp dir holding one dir per node; set first, so stop() can undo a half-done start()

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Starts one cluster-enabled node on a free port (with a free bus port) in a fresh dir under
 * `parent` (the failover group starts its nodes with this too, with a short node timeout).
 */
export function startClusterNode(parent, avoid, { nodeTimeout = 5000, args = [] } = {}) {
  return onFreePort(
    (port) => {
      const dir = join(parent, `node-${port}`);
      rmSync(dir, { recursive: true, force: true }); // in case a failed attempt got the same port
      mkdirSync(dir);
      return startRedisServer({
        port,
        dir,
        args: [
          ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
          ...['--cluster-node-timeout', String(nodeTimeout)],
          ...args,
        ],
      });
    },
    { bus: true, avoid },
  );
}

/** CLUSTER INFO of one node as an object, e.g. { cluster_state: 'ok', ... }. */
export async function clusterInfo(port) {
  const text = await redisCommand(port, ['CLUSTER', 'INFO']);
  return Object.fromEntries(
    text
      .split('\r\n')
      .filter(Boolean)
      .map((line) => line.split(':')),
  );
}

/** Resolves once every node reports cluster_state:ok and knows all the others. */
export async function waitUntilReady(ports) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let states = [];
  for (;;) {
    states = await Promise.all(
      ports.map((port) => clusterInfo(port).catch((error) => ({ error: error.message }))),
    );
    const ok = (info) =>
      info.cluster_state === 'ok' && Number(info.cluster_known_nodes) === ports.length;
    if (states.every(ok)) return;
    if (Date.now() > deadline) {
      const summary = states
        .map((info, i) =>
          info.error
            ? `${ports[i]}: ${info.error}`
            : `${ports[i]}: state ${info.cluster_state}, ${info.cluster_known_nodes} known, ` +
              `${info.cluster_slots_assigned} slots`,
        )
        .join('; ');
      throw new Error(`cluster not ok after ${READY_TIMEOUT_MS / 1000} s (${summary})`);
    }
    await sleep(50);
  }
}

/** Starts the cluster, or takes REDIS_CLUSTER_NODES; returns the env for the test process. */
async function startCluster() {
  if (process.env.REDIS_CLUSTER_NODES) {
    console.error(
      `redis-cluster: using REDIS_CLUSTER_NODES=${process.env.REDIS_CLUSTER_NODES} (no server started)`,
    );
    return { REDIS_CLUSTER_NODES: process.env.REDIS_CLUSTER_NODES };
  }
  const started = performance.now();
  root = groupDir('sf-redis-cluster-');

  // Started one after another: each picks its ports knowing the ones already taken.
  const nodes = [];
  for (let i = 0; i < MASTERS; i++) {
    nodes.push(
      await startClusterNode(
        root,
        nodes.map((node) => node.port),
      ),
    );
  }
  const ports = nodes.map((node) => node.port);

  try {
    // Slots split as redis-cli does it (0-5460, 5461-10922, 10923-16383). Distinct config
    // epochs must be set while each node still knows only itself.
    await Promise.all(
      ports.map(async (port, i) => {
        const first = Math.floor((SLOTS * i) / MASTERS);
        const last = Math.floor((SLOTS * (i + 1)) / MASTERS) - 1;
        await redisCommand(port, ['CLUSTER', 'ADDSLOTSRANGE', first, last]);
        await redisCommand(port, ['CLUSTER', 'SET-CONFIG-EPOCH', i + 1]);
      }),
    );
    for (const port of ports.slice(1)) {
      await redisCommand(ports[0], ['CLUSTER', 'MEET', HOST, port]);
    }
    await waitUntilReady(ports);
  } catch (error) {
    const logs = nodes.map((node) => `--- log of ${node.port}:\n${logTail(node.log, 5)}`);
    throw new Error([error.message, ...logs].join('\n'));
  }

  const version = await serverVersion(ports[0]);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const list = ports.map((port) => `${HOST}:${port}`).join(',');
  const pids = nodes.map((node) => node.pid).join(', ');
  console.error(
    `redis-cluster: ${MASTERS} masters (redis-server ${version}) on ${list} (pids ${pids}) ready in ${seconds}s`,
  );
  return { REDIS_CLUSTER_NODES: list };
}

export default {
  name: 'redis-cluster',
  files: () => testFiles('test/redis-cluster'),

  async start() {
    try {
      return await startCluster();
    } catch (error) {
      throw summarized('redis-cluster', error);
    }
  },

  async stop() {
    const current = root;
    root = undefined;
    await stopDir(current); // every node's dir is inside
  },
};

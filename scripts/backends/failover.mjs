// The failover tests, test/failover/**/*.test.ts: a throwaway Redis Cluster of 3 primaries with
// one replica each (6 nodes on 127.0.0.1), whose primaries the tests kill with SIGKILL.
//
// start() runs 6 foreground redis-servers with cluster-enabled on free ports with free bus ports
// (scripts/backends/redis-cluster.mjs's startClusterNode), each in its own fresh dir, with
//   --cluster-node-timeout 1000            a dead primary is failed over in about 1-3 s
//   --cluster-replica-validity-factor 0    a replica may always take over, however long ago it
//                                          last heard from its primary (a loaded machine)
//   --repl-diskless-sync-delay 0, --repl-ping-replica-period 1   replicas sync at once and show
//                                          in CLUSTER SLOTS (distributed-backends.md, gotcha 9)
//   --maxmemory-policy noeviction          BullMQ's requirement
// builds the cluster by hand (slots, epochs, MEET, then CLUSTER REPLICATE), waits until every node
// is ok, every replica's link is up and every node's CLUSTER SLOTS lists all 6 nodes, and hands
// the test process
//   FAILOVER_NODES    127.0.0.1:P1,...,127.0.0.1:P6 (primaries first)
//   FAILOVER_SERVERS  JSON [{ port, pid, argv }]: a test kills a primary by this PID and restarts
//                     it with startRedisServer({ argv }) (same port and dir: it rejoins as a replica)
// The files run one at a time (each kills primaries). stop() stops every PID recorded in the
// group's dir, restarted servers included, and deletes it.
import { testFiles } from './files.mjs';
import { clusterInfo, startClusterNode, waitUntilReady } from './redis-cluster.mjs';
import {
  groupDir,
  HOST,
  logTail,
  redisCommand,
  serverVersion,
  stopDir,
  summarized,
} from './redis-process.mjs';

const PRIMARIES = 3;
const SLOTS = 16384;
const READY_TIMEOUT_MS = 30_000;
const NODE_ARGS = [
  ...['--cluster-replica-validity-factor', '0', '--repl-diskless-sync-delay', '0'],
  ...['--repl-ping-replica-period', '1', '--maxmemory-policy', 'noeviction'],
];

let root;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Waits until every replica's link is up and every node's CLUSTER SLOTS lists every node. */
async function waitForReplicas(ports, replicas) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const links = await Promise.all(
      replicas.map((port) => redisCommand(port, ['INFO', 'replication']).catch(() => '')),
    );
    const slots = await Promise.all(
      ports.map((port) => redisCommand(port, ['CLUSTER', 'SLOTS']).catch(() => [])),
    );
    const linked = links.every((info) => /master_link_status:up/.test(info));
    const listed = slots.every((ranges) => ranges.reduce((n, r) => n + r.length - 2, 0) === 6);
    if (linked && listed) return;
    if (Date.now() > deadline) {
      throw new Error(
        `replicas not ready after ${READY_TIMEOUT_MS / 1000} s (links up: ${linked}, CLUSTER SLOTS complete: ${listed})`,
      );
    }
    await sleep(50);
  }
}

async function startFailoverCluster() {
  const started = performance.now();
  root = groupDir('sf-failover-');
  const nodes = [];
  for (let i = 0; i < PRIMARIES * 2; i++) {
    nodes.push(
      await startClusterNode(
        root,
        nodes.map((node) => node.port),
        { nodeTimeout: 1000, args: NODE_ARGS },
      ),
    );
  }
  const ports = nodes.map((node) => node.port);
  const primaries = ports.slice(0, PRIMARIES);
  const replicas = ports.slice(PRIMARIES);
  try {
    await Promise.all(
      ports.map(async (port, i) => {
        if (i < PRIMARIES) {
          const first = Math.floor((SLOTS * i) / PRIMARIES);
          const last = Math.floor((SLOTS * (i + 1)) / PRIMARIES) - 1;
          await redisCommand(port, ['CLUSTER', 'ADDSLOTSRANGE', first, last]);
        }
        await redisCommand(port, ['CLUSTER', 'SET-CONFIG-EPOCH', i + 1]);
      }),
    );
    for (const port of ports.slice(1))
      await redisCommand(ports[0], ['CLUSTER', 'MEET', HOST, port]);
    // A replica can only follow a primary it knows: wait for the MEETs to spread first.
    const ids = await Promise.all(primaries.map((port) => redisCommand(port, ['CLUSTER', 'MYID'])));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (
      !(await Promise.all(replicas.map((port) => clusterInfo(port)))).every(
        (info) => Number(info.cluster_known_nodes) === ports.length,
      )
    ) {
      if (Date.now() > deadline) throw new Error('the nodes did not meet');
      await sleep(50);
    }
    await Promise.all(
      replicas.map((port, i) => redisCommand(port, ['CLUSTER', 'REPLICATE', ids[i]])),
    );
    await waitUntilReady(ports);
    await waitForReplicas(ports, replicas);
  } catch (error) {
    const logs = nodes.map((node) => `--- log of ${node.port}:\n${logTail(node.log, 5)}`);
    throw new Error([error.message, ...logs].join('\n'));
  }
  const version = await serverVersion(ports[0]);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const list = ports.map((port) => `${HOST}:${port}`).join(',');
  console.error(
    `failover: 3 primaries + 3 replicas (redis-server ${version}) on ${list} (pids ${nodes.map((n) => n.pid).join(', ')}) ready in ${seconds}s`,
  );
  return {
    FAILOVER_NODES: list,
    FAILOVER_SERVERS: JSON.stringify(nodes.map(({ port, pid, argv }) => ({ port, pid, argv }))),
  };
}

export default {
  name: 'failover',
  files: () => testFiles('test/failover'),
  concurrency: 1,

  async start() {
    try {
      return await startFailoverCluster();
    } catch (error) {
      throw summarized('failover', error);
    }
  },

  async stop() {
    const current = root;
    root = undefined;
    await stopDir(current);
  },
};

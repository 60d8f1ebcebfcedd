// A throwaway three-node Cassandra ring on loopback addresses, for the cassandra-ring test group
// (cassandra-ring.mjs) and its node-stop fault test (test/cassandra-ring/).
//
//   const ring = await startRing({ lib, java });  // { dir, nodes: [node, node, node], seconds }
//   await stopRing(ring);                         // every node by its PID, then rm the ring dir
//
// The nodes listen on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (Linux routes all of 127/8 to lo), each
// on the same native and storage ports, one token each, spread evenly over the Murmur3 range, with
// 127.0.0.1 as the seed and no bootstrap (the ring starts empty). The seed starts first; the other
// two join it together. The ring is ready when every node lists the two others as peers and a
// driver session sees all three up.
//
// The ring's directory holds each node's directory and `ring.json`, the nodes as they run now. A
// test file that restarts a node (stopCassandra(node, { keepDir: true }), then startCassandra({
// restart: node, own: false })) records the new PID there with recordNode(), so stopRing(), in
// the group's process, stops the JVM that is running, by its PID, never by name.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCassandra, stopCassandra } from './cassandra-process.mjs';
import { freePort } from './redis-process.mjs';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** The ring's addresses; the first is the seed. */
export const RING_HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

/** One Murmur3 token per node, a third of the range apart: each node owns a third. */
export const RING_TOKENS = ['-9223372036854775808', '-3074457345618258603', '3074457345618258602'];

/** Heap of each ring node (override with CASSANDRA_RING_HEAP). */
export const RING_HEAP = process.env.CASSANDRA_RING_HEAP || '512m';

/** Can we listen on host:port right now? */
function canListen(host, port) {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, host, () => server.close(() => done(true)));
  });
}

/** A port free on every ring address right now, other than `avoid`. */
async function ringPort(avoid = []) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort({ avoid });
    const free = await Promise.all(RING_HOSTS.map((host) => canListen(host, port)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on all of ${RING_HOSTS.join(', ')}`);
}

/**
 * Driver options that reach every node: the contact points and their shared native port. The
 * driver (4.10) connects to the peers it finds in system.peers on `protocolOptions.port`, 9042
 * unless told, whatever port the contact points name.
 */
export function ringClientOptions(nodes) {
  return {
    contactPoints: nodes.map((n) => `${n.host}:${n.nativePort}`),
    localDataCenter: 'datacenter1',
    protocolOptions: { port: nodes[0].nativePort },
  };
}

const STATE = 'ring.json';

/** Records `node` (e.g. restarted with a new PID) in the ring's state file, by its host. */
export function recordNode(ringDir, node) {
  const nodes = readNodes(ringDir);
  const at = nodes.findIndex((n) => n.host === node.host);
  if (at < 0) throw new Error(`no ring node on ${node.host} in ${ringDir}`);
  nodes[at] = node;
  writeFileSync(join(ringDir, STATE), JSON.stringify(nodes, null, 2));
}

/** The ring's nodes as recorded in its state file ([] when there is none yet). */
export function readNodes(ringDir) {
  try {
    return JSON.parse(readFileSync(join(ringDir, STATE), 'utf8'));
  } catch {
    return [];
  }
}

/**
 * Waits until every node lists the other two in system.peers and a driver session connected to
 * all three sees each of them up; rejects after `timeoutMs`.
 */
export async function waitForRing(nodes, { timeoutMs = 120_000 } = {}) {
  const { default: cassandra } = await import('cassandra-driver');
  const deadline = Date.now() + timeoutMs;
  let last = 'not checked yet';
  while (Date.now() < deadline) {
    const client = new cassandra.Client({
      ...ringClientOptions(nodes),
      socketOptions: { connectTimeout: 5000, readTimeout: 10_000 },
    });
    try {
      await client.connect();
      const hosts = client.hosts.values();
      const up = hosts.filter((h) => h.isUp()).length;
      const peers = await Promise.all(
        hosts.map(async (host) => {
          const rs = await client.execute('SELECT peer FROM system.peers', [], { host });
          return rs.rowLength;
        }),
      );
      if (hosts.length === nodes.length && up === nodes.length && peers.every((n) => n === 2)) {
        return;
      }
      last = `${hosts.length} hosts known, ${up} up, peers per node: ${peers.join(', ')}`;
    } catch (error) {
      last = error?.message ?? String(error);
    } finally {
      await client.shutdown().catch(() => {});
    }
    await sleep(500);
  }
  throw new Error(`the ring did not form in ${timeoutMs / 1000}s (${last})`);
}

/**
 * Starts the three nodes (see the top of this file) in a fresh temp dir and waits for the ring.
 * Resolves to { dir, nodes, seconds }. On failure every node started is stopped and the dir
 * removed, and the error carries the failing node's log tail. A node still starting when this
 * process exits (e.g. a second Ctrl-C) is SIGKILLed by cassandra-process.mjs's exit handler.
 */
export async function startRing({ lib, java, heap = RING_HEAP, timeoutMs = 240_000 }) {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'sf-cassandra-ring-'));
  const nativePort = await ringPort();
  const storagePort = await ringPort([nativePort]);
  const nodes = [];
  const start = async (i) => {
    const node = await startCassandra({
      lib,
      java,
      timeoutMs,
      parentDir: dir,
      host: RING_HOSTS[i],
      seed: RING_HOSTS[0],
      initialToken: RING_TOKENS[i],
      nativePort,
      storagePort,
      heap,
      durable: true, // a killed node must come back with its schema (see nodeConfig)
    });
    nodes[i] = node;
    writeFileSync(join(dir, STATE), JSON.stringify(nodes.filter(Boolean), null, 2));
    return node;
  };
  try {
    await start(0);
    const joined = await Promise.allSettled([start(1), start(2)]);
    const failed = joined.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    await waitForRing(nodes, { timeoutMs });
    return { dir, nodes, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await stopRing({ dir, nodes: nodes.filter(Boolean) });
    throw error;
  }
}

/**
 * Stops every node of the ring, the ones it started and the ones its state file records now (a
 * node restarted by a test file), each by its PID (stopCassandra checks the PID is still that
 * node's CassandraDaemon), all at once; then removes the ring's dir. Resolves to what each stop
 * reported, by host.
 */
export async function stopRing(ring) {
  if (!ring) return {};
  const current = readNodes(ring.dir);
  const all = [...ring.nodes, ...current.filter((n) => !ring.nodes.some((o) => o.pid === n.pid))];
  const stopped = await Promise.all(all.map((node) => stopCassandra(node, { keepDir: true })));
  rmSync(ring.dir, { recursive: true, force: true });
  const byHost = {};
  all.forEach((node, i) => {
    if (stopped[i]) byHost[node.host] = stopped[i];
  });
  return byHost;
}

// The Cassandra backend on a three-node ring, test/cassandra-ring/**/*.test.ts: the conformance
// kit's timeline storage, flat, aggregated and notification suites at replication factor 3 and
// quorum consistency, and a fault test that stops one node mid fan-out and restarts it.
//
// start() fetches the jars and finds a Java as the cassandra group does (cassandra-setup.mjs),
// starts the ring (cassandra-ring-process.mjs: 127.0.0.1-3 on the same free ports, 512 MiB heap
// each), creates the keyspace `sf_test` with SimpleStrategy, replication factor 3, and hands the
// test process:
//   CASSANDRA_CONTACT_POINTS  127.0.0.1:PORT,127.0.0.2:PORT,127.0.0.3:PORT
//   CASSANDRA_LOCAL_DC        datacenter1
//   CASSANDRA_RING_DIR        the ring's dir: ring.json lists the nodes (PIDs, ports, dirs), for
//                             the fault test, which restarts a node and records its new PID there
// stop() reports each JVM's peak memory, then stops every node by PID (SIGTERM, SIGKILL after
// 20 s) and deletes the ring's dir.
//
// The files run one at a time (concurrency 1): the fault test stops a node, which the conformance
// suites, with no retries, must not see.
import { memoryOf } from './cassandra-process.mjs';
import {
  RING_HEAP,
  readNodes,
  ringClientOptions,
  startRing,
  stopRing,
} from './cassandra-ring-process.mjs';
import { fetchCassandra, findJava } from './cassandra-setup.mjs';
import { testFiles } from './files.mjs';
import { summarized } from './redis-process.mjs';

/** The keyspace of the ring's tests (the test files create the tables in it). */
const KEYSPACE = process.env.CASSANDRA_TEST_KEYSPACE ?? 'sf_test';

let ring; // set once the ring runs, so stop() can clean up after a half-done start()

/** Creates the test keyspace with replication factor 3 through a session on the whole ring. */
async function createKeyspace(nodes) {
  const { default: cassandra } = await import('cassandra-driver');
  const client = new cassandra.Client({
    ...ringClientOptions(nodes),
    socketOptions: { connectTimeout: 10_000, readTimeout: 30_000 },
    protocolOptions: { port: nodes[0].nativePort, maxSchemaAgreementWaitSeconds: 60 },
  });
  try {
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS "${KEYSPACE}" WITH replication = ` +
        `{'class': 'SimpleStrategy', 'replication_factor': 3}`,
    );
  } finally {
    await client.shutdown();
  }
}

export default {
  name: 'cassandra-ring',
  files: () => testFiles('test/cassandra-ring'),
  concurrency: 1,
  optIn: true, // minutes, not seconds: `--only cassandra-ring` (docs/backends/cassandra.md)

  async start() {
    try {
      const { java, version: javaVersion } = findJava();
      const { lib } = fetchCassandra();
      ring = await startRing({ lib, java });
      await createKeyspace(ring.nodes);
      const rss = ring.nodes.map((n) => memoryOf(n.pid)?.rssMiB ?? '?').join('/');
      console.error(
        `cassandra-ring: started Cassandra ${ring.nodes[0].version} (Java ${javaVersion}, heap ` +
          `${RING_HEAP} each) on ${ring.nodes.map((n) => `${n.host} (pid ${n.pid}, ` + `${n.seconds.toFixed(1)}s)`).join(', ')}, ports ${ring.nodes[0].nativePort}/` +
          `${ring.nodes[0].storagePort}, in ${ring.seconds.toFixed(1)}s; keyspace ${KEYSPACE} ` +
          `RF 3; RSS ${rss} MiB`,
      );
    } catch (error) {
      throw summarized('cassandra-ring', error);
    }
    return {
      CASSANDRA_CONTACT_POINTS: ring.nodes.map((n) => `${n.host}:${n.nativePort}`).join(','),
      CASSANDRA_LOCAL_DC: 'datacenter1',
      CASSANDRA_RING_DIR: ring.dir,
    };
  },

  async stop() {
    const current = ring;
    ring = undefined;
    if (!current) return;
    const memory = readNodes(current.dir).map(
      (n) => `${n.host} ${memoryOf(n.pid)?.peakMiB ?? '?'}`,
    );
    const stopped = await stopRing(current);
    const how = Object.entries(stopped).map(
      ([host, s]) => `${host} ${s.signal} in ${s.seconds.toFixed(1)}s`,
    );
    console.error(
      `cassandra-ring: peak RSS (MiB) ${memory.join(', ')}; stopped ${how.join(', ') || 'nothing'}`,
    );
  },
};

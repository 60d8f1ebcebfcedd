// The Cassandra backend's tests, test/cassandra/**/*.test.ts, against one throwaway Apache
// Cassandra 5.0 node.
//
// With CASSANDRA_CONTACT_POINTS set (host:port,host:port,...), that cluster is used as is and
// nothing is started (CASSANDRA_LOCAL_DC names its data center, default datacenter1). Otherwise
// start() fetches the server's jars from Maven Central into .cache/cassandra/ (first run only;
// cassandra-setup.mjs), starts CassandraDaemon on a Java 17 with a fixed small heap, bound to
// 127.0.0.1 on free ports, waits until a driver session can query it, reports how long that took
// and how much memory the JVM holds, and hands the test process:
//   CASSANDRA_CONTACT_POINTS  127.0.0.1:PORT
//   CASSANDRA_LOCAL_DC        datacenter1
//   CASSANDRA_PID             the JVM's PID
// stop() reports the JVM's peak memory, then stops it by PID (SIGTERM, SIGKILL after 20 s) and
// deletes its directory.

import { memoryOf, startCassandra, stopCassandra } from './cassandra-process.mjs';
import { CASSANDRA_HEAP, CASSANDRA_VERSION, fetchCassandra, findJava } from './cassandra-setup.mjs';
import { testFiles } from './files.mjs';
import { summarized } from './redis-process.mjs';

let node; // set as soon as the JVM runs, so stop() can clean up after a half-done start()

export default {
  name: 'cassandra',
  files: () => testFiles('test/cassandra'),

  async start() {
    const external = process.env.CASSANDRA_CONTACT_POINTS;
    if (external) {
      console.error(`cassandra: using CASSANDRA_CONTACT_POINTS=${external} (no server started)`);
      return {
        CASSANDRA_CONTACT_POINTS: external,
        CASSANDRA_LOCAL_DC: process.env.CASSANDRA_LOCAL_DC || 'datacenter1',
      };
    }
    try {
      const { java, version: javaVersion } = findJava();
      const { lib } = fetchCassandra();
      node = await startCassandra({ lib, java });
      const memory = memoryOf(node.pid);
      console.error(
        `cassandra: started Cassandra ${node.version} (Java ${javaVersion}, heap ${CASSANDRA_HEAP}) on ` +
          `${node.host}:${node.nativePort} (pid ${node.pid}) in ${node.seconds.toFixed(1)}s; ` +
          `RSS ${memory?.rssMiB ?? '?'} MiB`,
      );
    } catch (error) {
      throw summarized('cassandra', error);
    }
    return {
      CASSANDRA_CONTACT_POINTS: `${node.host}:${node.nativePort}`,
      CASSANDRA_LOCAL_DC: 'datacenter1',
      CASSANDRA_PID: String(node.pid),
    };
  },

  async stop() {
    const current = node;
    node = undefined;
    if (!current) return;
    const memory = memoryOf(current.pid);
    const stopped = await stopCassandra(current);
    if (stopped) {
      console.error(
        `cassandra: Cassandra ${current.version ?? CASSANDRA_VERSION} (pid ${current.pid}) used ` +
          `${memory?.rssMiB ?? '?'} MiB RSS at the end, ${memory?.peakMiB ?? '?'} MiB at peak; ` +
          `stopped with ${stopped.signal} in ${stopped.seconds.toFixed(1)}s`,
      );
    }
  },
};

// The test groups scripts/test.mjs runs, in this order. A group is a module whose default export is
//
//   {
//     name: string,                    // shown in the summary; used by --only and REQUIRE_BACKENDS
//     files: () => string[],           // test files, relative to the repo root (see files.mjs)
//     start?: () => Promise<Record<string, string> | void>,
//                                      // starts servers; returns env vars for the test process
//     stop?: () => Promise<void>,      // stops exactly what start() started (by PID, never by name)
//     concurrency?: number,            // test files run at once (default TEST_CONCURRENCY, 2)
//     optIn?: boolean,                 // runs only when --only or REQUIRE_BACKENDS names it
//   }
//
// test.mjs runs start() only when the group has test files, and always runs stop() after it (also
// when start() throws, so stop() must cope with a half-done start; when tests fail; and on
// SIGINT/SIGTERM). A start() that throws makes the group "skipped" with the error message, or a
// failure when the group is listed in REQUIRE_BACKENDS. Test files no group claims are warned
// about in the summary.
//
// sqlite.mjs needs no server (better-sqlite3 is embedded). A backend with servers: see redis.mjs (one redis-server on a free port; PIDs recorded in its temp
// dir; its env vars) and redis-cluster.mjs (3 cluster masters), both built on redis-process.mjs.
// cassandra.mjs starts a Cassandra 5.0 JVM from Maven jars;
// cassandra-ring.mjs a ring of three on 127.0.0.1-3 (opt-in; its files run one at a time). bullmq.mjs starts its own redis-server
// (noeviction) and a cluster through redis-cluster.mjs. failover.mjs starts a cluster of 3 primaries
// with a replica each, whose primaries its tests kill. browser.mjs checks for chromium and builds
// the package for the example app's tests (test/browser). kit-runners.mjs builds the package and
// runs the conformance kit under node:test, Vitest and Jest (test/kit-runners). python-import.mjs
// prepares a venv with the Python Stream Framework 1.4.0 and starts its own redis-server.
import browser from './browser.mjs';
import bullmq from './bullmq.mjs';
import cassandra from './cassandra.mjs';
import cassandraRing from './cassandra-ring.mjs';
import failover from './failover.mjs';
import kitRunners from './kit-runners.mjs';
import memory from './memory.mjs';
import pythonImport from './python-import.mjs';
import redis from './redis.mjs';
import redisCluster from './redis-cluster.mjs';
import sqlite from './sqlite.mjs';
import unit from './unit.mjs';

export const backends = [
  unit,
  memory,
  kitRunners,
  sqlite,
  redis,
  redisCluster,
  cassandra,
  cassandraRing,
  bullmq,
  pythonImport,
  failover,
  browser,
];

// The test groups scripts/test.mjs runs, in this order. A group is a module whose default export is
//
//   {
//     name: string,                    // shown in the summary; used by --only and REQUIRE_BACKENDS
//     files: () => string[],           // test files, relative to the repo root (see files.mjs)
//     start?: () => Promise<Record<string, string> | void>,
//                                      // starts servers; returns env vars for the test process
//     stop?: () => Promise<void>,      // stops exactly what start() started (by PID, never by name)
//   }
//
// test.mjs runs start() only when the group has test files, and always runs stop() after it (also
// when start() throws, so stop() must cope with a half-done start; when tests fail; and on
// SIGINT/SIGTERM). A start() that throws makes the group "skipped" with the error message, or a
// failure when the group is listed in REQUIRE_BACKENDS. Test files no group claims are warned
// about in the summary.
//
// How the Redis backend plugs in: add scripts/backends/redis.mjs along these lines
//
//   import { spawn } from 'node:child_process';
//   import { testFiles } from './files.mjs';
//   let server;
//   export default {
//     name: 'redis',
//     files: () => testFiles('test/redis'),
//     async start() {
//       const port = await freePort();                   // listen on port 0, read it, close
//       server = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no']);
//       await waitForPing(port);                         // throw (-> "skipped") if it never answers
//       return { REDIS_URL: `redis://127.0.0.1:${port}` };
//     },
//     async stop() { server?.kill('SIGTERM'); },          // only the PID spawned above
//   };
//
// and replace `folder('redis')` below with `redis` imported from './redis.mjs'. Same for
// redis-cluster (several redis-server processes + `redis-cli --cluster create`), cassandra,
// bullmq (reuses a redis-server) and browser.
import { testFiles } from './files.mjs';
import memory from './memory.mjs';
import unit from './unit.mjs';

/** A group that is just a folder of tests, for backends whose start()/stop() do not exist yet. */
const folder = (name) => ({ name, files: () => testFiles(`test/${name}`) });

export const backends = [
  unit,
  memory,
  folder('redis'),
  folder('redis-cluster'),
  folder('cassandra'),
  folder('bullmq'),
  folder('browser'),
];

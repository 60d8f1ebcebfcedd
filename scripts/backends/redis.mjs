// The Redis backend's tests, test/redis/**/*.test.ts, against one throwaway redis-server.
//
// With REDIS_URL set, that server is used as is and nothing is started. Otherwise start() runs a
// foreground redis-server on a free 127.0.0.1 port, in a fresh temp dir, persisting nothing, and
// hands the test process:
//   REDIS_URL          redis://127.0.0.1:PORT
//   REDIS_SERVER_PID   the server's PID, for a fault test that kills and restarts it
//   REDIS_SERVER_ARGS  JSON array of the server's arguments (without the binary), to restart it
//                      identically: startRedisServer({ argv }) from redis-process.mjs
// stop() stops every server recorded in that dir (including restarted ones) and deletes it.

import { testFiles } from './files.mjs';
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

export default {
  name: 'redis',
  files: () => testFiles('test/redis'),

  async start() {
    if (process.env.REDIS_URL) {
      console.error(`redis: using REDIS_URL=${process.env.REDIS_URL} (no server started)`);
      return { REDIS_URL: process.env.REDIS_URL };
    }
    const started = performance.now();
    dir = groupDir('sf-redis-');
    let server;
    let version;
    try {
      server = await onFreePort((port) => startRedisServer({ port, dir }));
      version = await serverVersion(server.port);
    } catch (error) {
      throw summarized('redis', error);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    console.error(
      `redis: started redis-server ${version} on ${HOST}:${server.port} (pid ${server.pid}) in ${seconds}s`,
    );
    return {
      REDIS_URL: `redis://${HOST}:${server.port}`,
      REDIS_SERVER_PID: String(server.pid),
      REDIS_SERVER_ARGS: JSON.stringify(server.argv),
    };
  },

  async stop() {
    const current = dir;
    dir = undefined;
    await stopDir(current);
  },
};

// Starting and stopping one throwaway Cassandra node (a JVM running CassandraDaemon in the
// foreground) for the cassandra test group. See cassandra-setup.mjs for the jars, the Java and the
// configuration.
//
//   const node = await startCassandra({ lib, java });   // { pid, host, nativePort, dir, seconds, ... }
//   await stopCassandra(node);                           // SIGTERM, SIGKILL after a timeout; rm dir
//
// A restart (a fault test): stopCassandra(node, { keepDir: true }), then
// startCassandra({ lib, java, restart: node }) runs a new JVM on the same ports and directory, so
// what the node had flushed (a clean shutdown drains its memtables) is still there.
//
// A node of a ring (cassandra-ring-process.mjs): startCassandra({ lib, java, host: '127.0.0.2',
// seed: '127.0.0.1', initialToken, nativePort, storagePort }) binds that loopback address on the
// given ports.
//
// The JVM's stdout/stderr go to <dir>/logs/stdout.log, Cassandra's own log to <dir>/logs/system.log.
// The node is stopped only by its recorded PID, after checking that /proc/<pid>/cmdline still names
// CassandraDaemon with this node's directory: never by name.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASSANDRA_HEAP, nodeConfig } from './cassandra-setup.mjs';
import { freePort, HOST, isRunning, logTail } from './redis-process.mjs';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Resident and peak resident memory of a process in MiB, from /proc/<pid>/status. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssMiB: Math.round(kb('VmRSS') / 1024), peakMiB: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return undefined;
  }
}

/** Is `pid` our CassandraDaemon (its command line names `dir`)? Guards against a reused PID. */
function isOurNode(pid, dir) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return (
      cmdline.includes('org.apache.cassandra.service.CassandraDaemon') && cmdline.includes(dir)
    );
  } catch {
    return false;
  }
}

/** Does host:port accept a TCP connection? */
function portOpen(host, port) {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (ok) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/**
 * Resolves with Cassandra's release_version once a driver session on host:port (127.0.0.1 unless
 * told) can query system.local. Rejects as soon as `alive()` returns false, or after `timeoutMs`.
 */
export async function waitForCql(
  port,
  { timeoutMs = 120_000, alive = () => true, host = HOST } = {},
) {
  const { default: cassandra } = await import('cassandra-driver');
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    if (!alive()) throw new Error('the Cassandra process exited during startup');
    if (Date.now() > deadline) {
      throw new Error(`no CQL session on ${host}:${port} in ${timeoutMs / 1000}s (${last})`);
    }
    if (!(await portOpen(host, port))) {
      last = 'CQL port not open yet';
      await sleep(100);
      continue;
    }
    const client = new cassandra.Client({
      contactPoints: [`${host}:${port}`],
      localDataCenter: 'datacenter1',
      // This node only: a ring's driver would otherwise also connect to its peers.
      policies: {
        loadBalancing: new cassandra.policies.loadBalancing.AllowListPolicy(
          new cassandra.policies.loadBalancing.RoundRobinPolicy(),
          [`${host}:${port}`],
        ),
      },
      socketOptions: { connectTimeout: 5000, readTimeout: 10_000 },
    });
    try {
      await client.connect();
      const rs = await client.execute('SELECT release_version FROM system.local');
      return String(rs.first()?.release_version ?? '?');
    } catch (error) {
      last = error?.message ?? String(error);
      await sleep(200);
    } finally {
      await client.shutdown().catch(() => {});
    }
  }
}

// PIDs started and not yet stopped: SIGKILLed if this process exits first (synchronously, so no
// SIGTERM grace), e.g. on a second Ctrl-C.
const live = new Map(); // pid -> dir
function onExit() {
  for (const [pid, dir] of live) {
    if (isRunning(pid) && isOurNode(pid, dir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts a node on free 127.0.0.1 ports in a fresh temp dir and waits until a CQL session works.
 * Resolves to { pid, host, nativePort, storagePort, dir, version, seconds }. On failure the JVM is
 * stopped, the dir removed, and the error carries the tail of its logs.
 *
 * A node of a ring passes its `host` (127.0.0.x), the `seed`'s address, its `initialToken` and
 * both ports (then a port taken is an error, not a retry). With `restart` (a node stopped with
 * stopCassandra(node, { keepDir: true })), the new JVM reuses that node's address, ports, token
 * and directory (its data and commit log) instead, in one attempt, and the directory is kept on
 * failure: the caller owns it.
 *
 * `parentDir` (default the OS temp dir) holds the node's fresh directory.
 * `own: false` leaves the JVM running when this process exits (by default it is SIGKILLed then):
 * for a node restarted by a test file whose group stops the ring afterwards.
 */
export async function startCassandra({
  lib,
  java,
  timeoutMs = 180_000,
  attempts = 3,
  restart = undefined,
  own = true,
  parentDir = tmpdir(),
  ...placement
}) {
  const fixed = restart ?? placement;
  const host = fixed.host ?? HOST;
  const seed = fixed.seed ?? host;
  const initialToken = fixed.initialToken ?? '0';
  const heap = fixed.heap ?? CASSANDRA_HEAP;
  const durable = fixed.durable ?? false;
  for (let attempt = 1; ; attempt++) {
    const nativePort = fixed.nativePort ?? (await freePort());
    const storagePort = fixed.storagePort ?? (await freePort({ avoid: [nativePort] }));
    const dir = restart ? restart.dir : mkdtempSync(join(parentDir, 'sf-cassandra-'));
    const argv = nodeConfig({
      dir,
      lib,
      storagePort,
      nativePort,
      host,
      seed,
      initialToken,
      heap,
      durable,
    });
    const started = performance.now();
    const out = openSync(join(dir, 'logs', 'stdout.log'), 'a');
    let exit;
    let child;
    try {
      child = spawn(java, argv, { cwd: dir, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    child.once('error', (error) => {
      exit = error.message;
    });
    child.once('exit', (code, signal) => {
      exit = `exited with ${signal ?? code}`;
    });
    child.unref();
    if (child.pid === undefined) {
      await sleep(0);
      if (!restart) rmSync(dir, { recursive: true, force: true });
      throw new Error(`could not start ${java}: ${exit ?? 'unknown error'}`);
    }
    const node = {
      pid: child.pid,
      host,
      seed,
      initialToken,
      heap,
      durable,
      nativePort,
      storagePort,
      dir,
    };
    if (own) {
      if (live.size === 0) process.once('exit', onExit);
      live.set(node.pid, dir);
    }
    try {
      node.version = await waitForCql(nativePort, {
        timeoutMs,
        host,
        alive: () => exit === undefined,
      });
      node.seconds = (performance.now() - started) / 1000;
      return node;
    } catch (error) {
      const tail = [
        logTail(join(dir, 'logs', 'stdout.log'), 20),
        logTail(join(dir, 'logs', 'system.log'), 20),
      ]
        .filter(Boolean)
        .join('\n');
      await stopCassandra(node, { keepDir: Boolean(restart) });
      const portTaken = /Address already in use|Failed to bind/i.test(tail);
      const portsChosen = fixed.nativePort === undefined && fixed.storagePort === undefined;
      if (portTaken && portsChosen && !restart && attempt < attempts) continue; // another process took a port we probed
      const why = exit ? `Cassandra ${exit}` : error.message;
      throw new Error(`Cassandra on ${host}:${nativePort}: ${why}${tail ? `\n${tail}` : ''}`);
    }
  }
}

/**
 * Stops a node started by startCassandra: SIGTERM (Cassandra drains and exits), SIGKILL after
 * `timeoutMs`, then removes its dir; `signal: 'SIGKILL'` kills it at once instead (a crash: no
 * drain). Resolves to { signal, seconds } or undefined when it was not running. Only ever
 * signals the recorded PID, and only while it is still our CassandraDaemon.
 */
export async function stopCassandra(
  node,
  { timeoutMs = 20_000, keepDir = false, signal: first = 'SIGTERM' } = {},
) {
  if (!node) return undefined;
  const { pid, dir } = node;
  const started = performance.now();
  const waitGone = async (ms) => {
    const deadline = Date.now() + ms;
    while (isRunning(pid) && Date.now() < deadline) await sleep(50);
    return !isRunning(pid);
  };
  let signal;
  if (isRunning(pid) && isOurNode(pid, dir)) {
    signal = first;
    try {
      process.kill(pid, first);
    } catch {}
    if (!(await waitGone(first === 'SIGKILL' ? 5000 : timeoutMs)) && isOurNode(pid, dir)) {
      signal = 'SIGKILL';
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      await waitGone(5000);
    }
  }
  if (live.delete(pid) && live.size === 0) process.off('exit', onExit);
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
  return signal ? { signal, seconds: (performance.now() - started) / 1000 } : undefined;
}

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
// The JVM's stdout/stderr go to <dir>/logs/stdout.log, Cassandra's own log to <dir>/logs/system.log.
// The node is stopped only by its recorded PID, after checking that /proc/<pid>/cmdline still names
// CassandraDaemon with this node's directory: never by name.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeConfig } from './cassandra-setup.mjs';
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

/** Does 127.0.0.1:port accept a TCP connection? */
function portOpen(port) {
  return new Promise((done) => {
    const socket = connect({ host: HOST, port });
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
 * Resolves with Cassandra's release_version once a driver session on 127.0.0.1:port can query
 * system.local. Rejects as soon as `alive()` returns false, or after `timeoutMs`.
 */
export async function waitForCql(port, { timeoutMs = 120_000, alive = () => true } = {}) {
  const { default: cassandra } = await import('cassandra-driver');
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    if (!alive()) throw new Error('the Cassandra process exited during startup');
    if (Date.now() > deadline) {
      throw new Error(`no CQL session on ${HOST}:${port} in ${timeoutMs / 1000}s (${last})`);
    }
    if (!(await portOpen(port))) {
      last = 'CQL port not open yet';
      await sleep(100);
      continue;
    }
    const client = new cassandra.Client({
      contactPoints: [`${HOST}:${port}`],
      localDataCenter: 'datacenter1',
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
 * With `restart` (a node stopped with stopCassandra(node, { keepDir: true })), the new JVM reuses
 * that node's ports and directory (its data and commit log) instead, in one attempt, and the
 * directory is kept on failure: the caller owns it.
 */
export async function startCassandra({
  lib,
  java,
  timeoutMs = 180_000,
  attempts = 3,
  restart = undefined,
}) {
  for (let attempt = 1; ; attempt++) {
    const nativePort = restart ? restart.nativePort : await freePort();
    const storagePort = restart ? restart.storagePort : await freePort({ avoid: [nativePort] });
    const dir = restart ? restart.dir : mkdtempSync(join(tmpdir(), 'sf-cassandra-'));
    const argv = nodeConfig({ dir, lib, storagePort, nativePort });
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
    const node = { pid: child.pid, host: HOST, nativePort, storagePort, dir };
    if (live.size === 0) process.once('exit', onExit);
    live.set(node.pid, dir);
    try {
      node.version = await waitForCql(nativePort, { timeoutMs, alive: () => exit === undefined });
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
      if (portTaken && !restart && attempt < attempts) continue; // another process took a port we probed
      const why = exit ? `Cassandra ${exit}` : error.message;
      throw new Error(`Cassandra on ${HOST}:${nativePort}: ${why}${tail ? `\n${tail}` : ''}`);
    }
  }
}

/**
 * Stops a node started by startCassandra: SIGTERM (Cassandra drains and exits), SIGKILL after
 * `timeoutMs`, then removes its dir. Resolves to { signal, seconds } or undefined when it was not
 * running. Only ever signals the recorded PID, and only while it is still our CassandraDaemon.
 */
export async function stopCassandra(node, { timeoutMs = 20_000, keepDir = false } = {}) {
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
    signal = 'SIGTERM';
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
    if (!(await waitGone(timeoutMs)) && isOurNode(pid, dir)) {
      signal = 'SIGKILL';
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
      await waitGone(5000);
    }
  }
  live.delete(pid);
  if (live.size === 0) process.off('exit', onExit);
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
  return signal ? { signal, seconds: (performance.now() - started) / 1000 } : undefined;
}

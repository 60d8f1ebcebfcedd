// Starting and stopping throwaway redis-server processes, for the redis and redis-cluster test
// groups (redis.mjs, redis-cluster.mjs) and for tests that restart a server mid-run:
//
//   import { startRedisServer, stopPid } from '../../scripts/backends/redis-process.mjs';
//   await stopPid(Number(process.env.REDIS_SERVER_PID));
//   const server = await startRedisServer({ argv: JSON.parse(process.env.REDIS_SERVER_ARGS) });
//   // ... same port, same settings, same dir; server.pid is the new process
//
// Every server runs in the foreground (not daemonized), so the spawned PID is the server itself.
// Its output goes to `<dir>/redis-<port>.log`, and its PID is appended to `<dir>/pids`. The test
// group's stop() reads those files (stopDir), so a server a test restarted in the group's directory
// is stopped at the end of the run too. Processes are only ever killed by recorded PID, after checking
// that /proc/<pid>/cmdline still names a redis-server on the expected port: never by name.
import { spawn } from 'node:child_process';
import {
  accessSync,
  appendFileSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const HOST = '127.0.0.1';
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

// ---- finding the binary and free ports ---------------------------------------------------------

/** The absolute path of `bin` on PATH, or undefined. */
export function findOnPath(bin) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return join(dir, bin);
    } catch {}
  }
  return undefined;
}

/** Can we listen on 127.0.0.1:port right now? */
function canListen(port) {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, HOST, () => server.close(() => done(true)));
  });
}

/**
 * A loopback port that is free right now (listen on port 0, read it, close). With `bus: true` the
 * cluster-bus port (port + 10000) must be free as well, and so must be below 65536. `avoid` lists
 * ports already handed out (the caller has not bound them yet).
 */
export async function freePort({ bus = false, avoid = [] } = {}) {
  const taken = new Set(avoid.flatMap((p) => [p, p + 10000]));
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await new Promise((done, fail) => {
      const server = createServer();
      server.once('error', fail);
      server.listen(0, HOST, () => {
        const { port } = server.address();
        server.close(() => done(port));
      });
    });
    if (taken.has(port)) continue;
    if (!bus) return port;
    if (port + 10000 <= 65535 && !taken.has(port + 10000) && (await canListen(port + 10000))) {
      return port;
    }
  }
  throw new Error(`no free loopback port${bus ? ' with a free bus port (port+10000)' : ''} found`);
}

// ---- a minimal RESP client (one command per connection) -----------------------------------------

/** Parses one RESP reply at `at`; returns [value, next] or undefined when incomplete. */
function parseReply(buf, at = 0) {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[at]);
  const head = buf.toString('utf8', at + 1, eol);
  if (type === '+') return [head, eol + 2];
  if (type === '-') return [new Error(head), eol + 2];
  if (type === ':') return [Number(head), eol + 2];
  if (type === '$') {
    const len = Number(head);
    if (len < 0) return [null, eol + 2];
    if (buf.length < eol + 2 + len + 2) return undefined;
    return [buf.toString('utf8', eol + 2, eol + 2 + len), eol + 2 + len + 2];
  }
  if (type === '*') {
    const items = [];
    let next = eol + 2;
    for (let i = 0; i < Number(head); i++) {
      const item = parseReply(buf, next);
      if (!item) return undefined;
      items.push(item[0]);
      next = item[1];
    }
    return [items, next];
  }
  throw new Error(`unexpected RESP reply: ${JSON.stringify(buf.toString('utf8', at, eol))}`);
}

/**
 * Sends one command to 127.0.0.1:port and resolves with its reply (string, number, null, array).
 * An error reply rejects, as do connection errors and `timeoutMs`.
 */
export function redisCommand(port, args, { timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const socket = createConnection({ host: HOST, port });
    const finish = (error, value) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(value);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no reply from ${HOST}:${port}`)));
    socket.once('error', (error) => finish(error));
    // A server that closes without replying (e.g. SHUTDOWN) must not leave the promise pending.
    socket.once('close', () =>
      finish(new Error(`${HOST}:${port} closed the connection without a reply`)),
    );
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let reply;
      try {
        reply = parseReply(buf);
      } catch (error) {
        return finish(error);
      }
      if (reply) finish(reply[0] instanceof Error ? reply[0] : undefined, reply[0]);
    });
    socket.once('connect', () => {
      const parts = args.map(String);
      socket.write(
        `*${parts.length}\r\n` + parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join(''),
      );
    });
  });
}

/**
 * Resolves once 127.0.0.1:port answers PING with PONG. Rejects after `timeoutMs`, or as soon as
 * `alive()` (optional) returns false, e.g. because the server process exited.
 */
export async function waitForPing(port, { timeoutMs = 10_000, alive } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      if ((await redisCommand(port, ['PING'], { timeoutMs: 1000 })) === 'PONG') return;
    } catch (error) {
      last = error; // ECONNREFUSED until it listens; LOADING while it loads
    }
    if (alive && !alive()) throw new Error(`the server on port ${port} exited`);
    if (Date.now() > deadline) {
      throw new Error(`no PONG from ${HOST}:${port} in ${timeoutMs} ms (${last?.message})`);
    }
    await sleep(25);
  }
}

// ---- processes ---------------------------------------------------------------------------------

/** '' if the process is gone, 'Z' for a zombie, else its state letter (from /proc/<pid>/stat). */
function procState(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return '';
  }
}

/** Alive and not a zombie (PID 1 here reaps orphans late, and kill -0 succeeds on a zombie). */
export function isRunning(pid) {
  const state = procState(pid);
  return state !== '' && state !== 'Z';
}

/**
 * Is `pid` still a redis-server (on `port`, when given)? Guards against a PID reused by something
 * else. redis-server rewrites its title to `redis-server 127.0.0.1:PORT`; right after exec it is
 * still `redis-server --port PORT ...`, so both forms count.
 */
function isRedisServer(pid, port) {
  let cmdline;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return false;
  }
  if (!cmdline.includes('redis-server')) return false;
  return port === undefined || new RegExp(`(:|--port )${port}(\\s|$)`).test(cmdline);
}

/**
 * Stops one redis-server by PID: SIGTERM, up to `timeoutMs` (default 5 s) for it to exit, then
 * SIGKILL. Does nothing unless the PID is running and is a redis-server (on `port`, when given).
 * Resolves to true if it sent a signal.
 */
export async function stopPid(pid, { port, timeoutMs = 5000 } = {}) {
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`stopPid: bad pid ${pid}`);
  if (!isRunning(pid) || !isRedisServer(pid, port)) return false;
  const waitGone = async (ms) => {
    const deadline = Date.now() + ms;
    while (isRunning(pid) && Date.now() < deadline) await sleep(20);
    return !isRunning(pid);
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false; // exited in between
  }
  if (await waitGone(timeoutMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
  await waitGone(2000);
  return true;
}

/** The last `lines` lines of a log file ('' if there is none), for error messages. */
export function logTail(file, lines = 15) {
  if (!file || !existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The value following `--name` in an argv array. */
const argValue = (argv, name) => argv[argv.indexOf(name) + 1];

/**
 * Starts a foreground redis-server on 127.0.0.1 and waits for PONG.
 *
 *   startRedisServer({ port, dir?, args? })  port is required; dir defaults to a fresh temp dir
 *                                            (the caller removes it: stopDir(server.dir));
 *                                            args are extra settings, e.g. ['--cluster-enabled', 'yes']
 *   startRedisServer({ argv })               exactly these arguments (e.g. REDIS_SERVER_ARGS), which
 *                                            must include --port and --dir
 *
 * Resolves to { pid, port, dir, argv, log }. If the server does not answer within `timeoutMs`
 * (default 10 s) it is stopped and the error carries the tail of its log.
 */
export async function startRedisServer({ port, dir, args = [], argv, timeoutMs = 10_000 }) {
  const bin = findOnPath('redis-server');
  if (!bin)
    throw new Error('redis-server not found on PATH (Debian: apt-get install redis-server)');
  if (argv) {
    port = Number(argValue(argv, '--port'));
    dir = argValue(argv, '--dir');
    if (!port || !dir) throw new Error('startRedisServer: argv needs --port and --dir');
  } else {
    if (!port) throw new Error('startRedisServer: port is required');
    dir ??= mkdtempSync(join(tmpdir(), 'sf-redis-'));
    // --save '' and --appendonly no: nothing is persisted; --daemonize no: the PID is the server.
    argv = [
      ...['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'],
      ...['--daemonize', 'no', '--dir', dir],
      ...args,
    ];
  }
  mkdirSync(dir, { recursive: true });
  const log = join(dir, `redis-${port}.log`);
  const fd = openSync(log, 'a'); // appended to, so a restarted server keeps the earlier output
  let exit;
  let child;
  try {
    child = spawn(bin, argv, { cwd: dir, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  child.once('error', (error) => {
    exit = error.message;
  });
  child.once('exit', (code, signal) => {
    exit = `exited with ${signal ?? code}`;
  });
  child.unref(); // a server a test forgot to stop must not keep its process alive
  if (child.pid === undefined) {
    await sleep(0); // lets the 'error' event arrive
    throw new Error(`could not start ${bin}: ${exit ?? 'unknown error'}`);
  }
  const pid = child.pid;
  appendFileSync(join(dir, 'pids'), `${pid} ${port}\n`);
  try {
    await waitForPing(port, { timeoutMs, alive: () => exit === undefined });
  } catch (error) {
    await stopPid(pid, { port });
    const tail = logTail(log);
    const why = exit ? `redis-server ${exit}` : error.message;
    throw new Error(`redis-server on port ${port}: ${why}${tail ? `\n${tail}` : ''}`);
  }
  return { pid, port, dir, argv, log };
}

// ---- a group's directory ------------------------------------------------------------------------

/** Every `[pid, port]` recorded in `<dir>/pids` and `<dir>/<subdir>/pids` (one dir per node). */
function recordedPids(dir) {
  if (!existsSync(dir)) return [];
  const files = [
    join(dir, 'pids'),
    ...readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name, 'pids')),
  ];
  return files
    .filter((file) => existsSync(file))
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').filter(Boolean))
    .map((line) => line.split(' ').map(Number));
}

// Dirs made by groupDir() whose stopDir() has not finished. If this process exits before that (a
// second signal, or test.mjs exiting from its signal handler while a stop() is still waiting), the
// 'exit' hook SIGKILLs their servers and deletes them: it must be synchronous, so no SIGTERM grace.
const liveDirs = new Set();
function onExit() {
  for (const dir of liveDirs) {
    for (const [pid, port] of recordedPids(dir)) {
      if (isRunning(pid) && isRedisServer(pid, port)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh temp dir for a group's servers, cleaned up by stopDir() (or at the latest on exit). */
export function groupDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (liveDirs.size === 0) process.once('exit', onExit);
  liveDirs.add(dir);
  return dir;
}

/**
 * Stops every server recorded in `dir` (see recordedPids; by PID, with the cmdline check) and
 * deletes `dir`. Copes with a missing or half-filled directory.
 */
export async function stopDir(dir) {
  if (!dir) return;
  await Promise.all(recordedPids(dir).map(([pid, port]) => stopPid(pid, { port })));
  rmSync(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
  if (liveDirs.size === 0) process.off('exit', onExit);
}

/** `redis_version` from INFO server, e.g. '7.0.15'. */
export async function serverVersion(port) {
  const info = await redisCommand(port, ['INFO', 'server']);
  return /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
}

/**
 * Picks a free port and runs `start(port)`. Ports are only probed, not held, so another process may
 * take one before redis-server binds it: then (the error mentions "Address already in use") it
 * tries again with another port, up to `attempts` times.
 */
export async function onFreePort(start, { bus = false, avoid = [], attempts = 3 } = {}) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort({ bus, avoid });
    try {
      return await start(port);
    } catch (error) {
      if (attempt >= attempts || !/Address already in use/.test(error?.message)) throw error;
    }
  }
}

/**
 * For a group's start(): prints the whole message of `error` (it may carry log tails) to stderr and
 * returns an error with its first line only, which reads better in test.mjs's summary table.
 */
export function summarized(group, error) {
  const message = String(error?.message ?? error);
  if (!message.includes('\n')) return error;
  console.error(`${group}: ${message}`);
  return new Error(`${message.split('\n')[0]} (details above)`);
}

// Helpers of the failover tests: the cluster of scripts/backends/failover.mjs (3 primaries with one
// replica each), killing a primary with SIGKILL by the PID the group started (never by name),
// waiting for its replica to take over, and bringing the killed node back as a replica.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, type ClusterOptions } from 'ioredis';
import {
  isRunning,
  redisCommand,
  startRedisServer,
} from '../../scripts/backends/redis-process.mjs';

interface Server {
  readonly port: number;
  readonly argv: string[];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function servers(): Server[] {
  const json = process.env.FAILOVER_SERVERS;
  if (!json)
    throw new Error('FAILOVER_SERVERS is not set: run `node scripts/test.mjs --only failover`');
  return (JSON.parse(json) as Server[]).map(({ port, argv }) => ({ port, argv }));
}

const serverOf = (port: number): Server => {
  const server = servers().find((s) => s.port === port);
  if (!server) throw new Error(`port ${port} is not a node of the failover cluster`);
  return server;
};

/** The PID now serving `port`: the last one recorded in its dir (a restarted node appends). */
function pidOf(port: number): number {
  const server = serverOf(port);
  const dir = server.argv[server.argv.indexOf('--dir') + 1]!;
  const lines = readFileSync(join(dir, 'pids'), 'utf8').trim().split('\n');
  const pid = Number(lines.at(-1)!.split(' ')[0]);
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  // redis-server retitles itself `redis-server 127.0.0.1:PORT`; right after exec it is still
  // `redis-server --port PORT ...`. Anything else is a reused PID: never signalled.
  if (!cmdline.includes('redis-server') || !new RegExp(`(:|--port )${port}(\\s|$)`).test(cmdline)) {
    throw new Error(`pid ${pid} is not the redis-server of port ${port}: ${cmdline}`);
  }
  return pid;
}

/** A cluster client on every node; `options` are merged over the failover-friendly defaults. */
export function failoverClient(options: ClusterOptions = {}): Cluster {
  const client = new Cluster(
    servers().map(({ port }) => ({ host: '127.0.0.1', port })),
    options,
  );
  client.on('error', () => undefined); // node errors are expected here; commands report them
  return client;
}

/** { port -> 'master' | 'slave' } and the primary owning `slot`, as `port` sees it. */
async function view(port: number, slot: number): Promise<{ owner?: number; nodes: number }> {
  const ranges = (await redisCommand(port, ['CLUSTER', 'SLOTS'])) as [
    number,
    number,
    ...[string, number, string][],
  ][];
  const range = ranges.find(([first, last]) => first <= slot && slot <= last);
  const nodes = ranges.reduce((n, r) => n + r.length - 2, 0);
  return { owner: range?.[2]?.[1], nodes };
}

/** Ports of the live nodes. */
const live = (): number[] =>
  servers()
    .map((s) => s.port)
    .filter((port) => {
      try {
        return isRunning(pidOf(port));
      } catch {
        return false;
      }
    });

/** The port of the primary owning `slot` now. */
export async function primaryOf(slot: number): Promise<number> {
  const { owner } = await view(live()[0]!, slot);
  if (owner === undefined) throw new Error(`no node owns slot ${slot}`);
  return owner;
}

/** Every primary's port now, with one slot it owns. */
export async function primaries(): Promise<{ port: number; slot: number }[]> {
  const ranges = (await redisCommand(live()[0]!, ['CLUSTER', 'SLOTS'])) as [
    number,
    number,
    [string, number],
  ][];
  return ranges.map(([first, , [, port]]) => ({ port, slot: first }));
}

/** SIGKILLs the primary serving `port` by its recorded PID; resolves once it is gone. */
export async function killNode(port: number): Promise<void> {
  const pid = pidOf(port);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 200 && isRunning(pid); i++) await sleep(10);
  if (isRunning(pid)) throw new Error(`pid ${pid} survived SIGKILL`);
}

/**
 * Waits until every live node reports cluster_state:ok and names a new owner of `slot` (not
 * `dead`); resolves to that owner's port.
 */
export async function waitForNewPrimary(slot: number, dead: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ports = live();
    const states = await Promise.all(
      ports.map(async (port) => {
        const info = String(await redisCommand(port, ['CLUSTER', 'INFO']).catch(() => ''));
        const { owner } = await view(port, slot).catch(() => ({ owner: undefined }));
        return { ok: info.includes('cluster_state:ok'), owner };
      }),
    );
    const owner = states[0]?.owner;
    if (owner !== undefined && owner !== dead && states.every((s) => s.ok && s.owner === owner)) {
      return owner;
    }
    if (Date.now() > deadline)
      throw new Error(`no new primary for slot ${slot} in ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * Starts the killed node again (same port, dir and nodes.conf), unless it runs: it rejoins as a
 * replica of the node that took over. Resolves once its replication link is up and every node's
 * CLUSTER SLOTS lists all 6 nodes again, so the next test finds the cluster whole.
 */
export async function restartNode(port: number, timeoutMs = 30_000): Promise<void> {
  const started = !live().includes(port);
  if (started) await startRedisServer({ argv: serverOf(port).argv });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = String(await redisCommand(port, ['INFO', 'replication']).catch(() => ''));
    const views = await Promise.all(live().map((p) => view(p, 0).catch(() => ({ nodes: 0 }))));
    const linked = !started || /master_link_status:up/.test(info);
    if (linked && views.every((v) => v.nodes === 6)) return;
    if (Date.now() > deadline) throw new Error(`node ${port} did not rejoin as a replica`);
    await sleep(50);
  }
}

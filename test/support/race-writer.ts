/**
 * One writer process of the race tests (test/support/race.ts): `node --import tsx
 * test/support/race-writer.ts '<json WriterConfig>'`. It opens its own ioredis connection, builds
 * the race world on it, prints `ready`, waits for `go` on stdin (so that every writer starts at
 * once), publishes its share of the activities, and prints one JSON line with the ids it
 * published. Any error ends it with exit code 1 and the error on stderr.
 * @module
 */
import { createInterface } from 'node:readline';
import { Cluster, Redis } from 'ioredis';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { type Activity, createActivity } from '../../src/index.js';
import { raceWorld, type WriterConfig, type WriterReport } from './race.js';

const config = JSON.parse(process.argv[2] ?? '') as WriterConfig;

const client =
  config.cluster === undefined
    ? new Redis(config.url!)
    : new Cluster(
        config.cluster.map((node) => {
          const [host, port] = node.split(':');
          return { host: host!, port: Number(port) };
        }),
      );

async function main(): Promise<WriterReport> {
  const storage = createRedisStorage({ client, prefix: config.prefix });
  const { manager } = raceWorld(storage);
  const actor = `w${config.writer}`;
  const activities: Activity[] = new Array(config.count);
  // Times come from the clock, as they would in production; `object` makes every id distinct.
  const make = (i: number): Activity => {
    const a = createActivity({
      actor,
      verb: config.verbs[i % config.verbs.length]!,
      object: i,
      extra: { writer: config.writer, i },
      to: [`notification:${config.victim}`],
    });
    activities[i] = a;
    return a;
  };
  await client.ping();
  process.stdout.write('ready\n');
  await new Promise<void>((go) => {
    const lines = createInterface({ input: process.stdin });
    lines.once('line', () => {
      lines.close();
      process.stdin.destroy(); // nothing more to read: stdin must not keep the process alive
      go();
    });
  });

  let next = 0;
  /** One lane: publishes activities one by one, or imports a chunk of them, until none are left. */
  const lane = async (laneIndex: number) => {
    for (;;) {
      const start = next;
      if (start >= config.count) return;
      if ((config.writer + laneIndex) % 2 === 0) {
        next += 1;
        const a = make(start);
        await manager.addUserActivity(actor, a);
      } else {
        const end = Math.min(config.count, start + config.importChunk);
        next = end;
        const chunk = Array.from({ length: end - start }, (_, k) => make(start + k));
        await manager.batchImport(actor, chunk, { chunkSize: config.importChunk });
      }
    }
  };
  await Promise.all(Array.from({ length: config.lanes }, (_, i) => lane(i)));
  return { writer: config.writer, ids: activities.map((a) => a.id) };
}

main()
  .then((report) => {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    client.disconnect();
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `race writer ${config.writer}: ${String((error as Error)?.stack ?? error)}\n`,
    );
    client.disconnect();
    process.exitCode = 1;
  });

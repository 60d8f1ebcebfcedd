/**
 * The race test shared by test/redis/races.test.ts and test/redis-cluster/races.test.ts: 8 writer
 * processes (race-writer.ts), each on its own connection, publish 10,000 activities in total at
 * the same time through a manager whose fan-out reaches one victim's flat and aggregated feeds,
 * and whose `to` reaches the victim's notification feed. Then the parent checks that nothing was
 * lost or duplicated and that every count is exact.
 * @module
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type AggregatedGroup,
  createAggregator,
  createManager,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  type Storage,
} from '../../src/index.js';

export const WRITERS = 8;
export const TOTAL = 10_000;
export const VERBS = ['pin', 'love', 'comment'];
/** Notification groups per verb: activities are bucketed by `object % BUCKETS`. */
export const BUCKETS = 5;
const VICTIM = 'victim';
/** Newest activities published a second time after the race. */
const REDELIVERED = 50;

/** What a writer process is told (as JSON in argv). */
export interface WriterConfig {
  readonly writer: number;
  readonly count: number;
  readonly prefix: string;
  readonly url?: string | undefined;
  readonly cluster?: readonly string[] | undefined;
  readonly verbs: readonly string[];
  readonly victim: string;
  /** Concurrent publish loops in the process. */
  readonly lanes: number;
  /** Activities per batchImport call (odd lanes import, even lanes publish one by one). */
  readonly importChunk: number;
}

/** What a writer process prints when done. */
export interface WriterReport {
  readonly writer: number;
  /** Ids of the writer's activities: `ids[i]` is activity number i (verb VERBS[i % 3], object i). */
  readonly ids: string[];
}

/** The manager and feeds every writer (and the checking parent) builds on the same prefix. */
export function raceWorld(storage: Storage) {
  const user = defineFlatFeed({ name: 'user', storage, maxLength: TOTAL });
  const timeline = defineFlatFeed({ name: 'timeline', storage, maxLength: TOTAL });
  // Grouped without the day, so that a run crossing midnight UTC still has a known group count.
  const aggregated = defineAggregatedFeed({
    name: 'aggregated',
    storage,
    aggregator: createAggregator('verb', (a) => a.verb),
  });
  const notification = defineNotificationFeed({
    name: 'notification',
    storage,
    aggregator: createAggregator('verb+bucket', (a) => `${a.verb}|${Number(a.object) % BUCKETS}`),
  });
  const manager = createManager({
    userFeed: user,
    feeds: { timeline, aggregated },
    targetFeeds: { notification },
    getFollowerIds: () => [VICTIM],
  });
  return { manager, user, timeline, aggregated, notification };
}

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'race-writer.ts');

/** The writer processes of one test, killed by PID in `after()` if still running. */
export class Writers {
  readonly children: ChildProcess[] = [];

  /** Spawns one writer per config; resolves once all of them are connected and ready. */
  async spawn(configs: readonly WriterConfig[]): Promise<void> {
    const ready = configs.map((config) => {
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(config)], {
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      this.children.push(child);
      return new Promise<void>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout! });
        lines.once('line', (line) =>
          line === 'ready' ? resolve() : reject(new Error(`writer said ${line}`)),
        );
        child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
    });
    await Promise.all(ready);
  }

  /** Tells every writer to start, and resolves with their reports once all exited cleanly. */
  async run(): Promise<WriterReport[]> {
    const reports = this.children.map(
      (child, i) =>
        new Promise<WriterReport>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
          });
          child.stderr!.on('data', (chunk: Buffer) => {
            err += chunk.toString();
          });
          child.once('exit', (code, signal) => {
            const last = out.trim().split('\n').at(-1) ?? '';
            if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as WriterReport);
            else reject(new Error(`writer ${i} exited with ${signal ?? code}: ${err.trim()}`));
          });
        }),
    );
    for (const child of this.children) child.stdin!.end('go\n');
    return Promise.all(reports);
  }

  /** Kills, by PID, every writer still running. */
  kill(): void {
    for (const child of this.children) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {}
      }
    }
  }
}

/** The configs of the race's writers: 10,000 activities split over 8 processes. */
export function writerConfigs(
  target: { url?: string; cluster?: string[] },
  prefix: string,
): WriterConfig[] {
  return Array.from({ length: WRITERS }, (_, writer) => ({
    writer,
    count: TOTAL / WRITERS,
    prefix,
    ...target,
    verbs: VERBS,
    victim: VICTIM,
    lanes: 3,
    importChunk: 20,
  }));
}

/** Reads every group of a group feed (they all fit in one page). */
async function allGroups<G extends AggregatedGroup>(feed: {
  read(o: { limit: number }): Promise<{ items: G[]; next?: string | undefined }>;
}): Promise<G[]> {
  const page = await feed.read({ limit: 1000 });
  assert.equal(page.next, undefined, 'every group fits in one page');
  return page.items;
}

/** Checks the victim's feeds after the race; returns the figures to print. */
export async function checkRace(storage: Storage, reports: readonly WriterReport[]) {
  const { manager, user, timeline, aggregated, notification } = raceWorld(storage);
  const ids = reports.flatMap((r) => r.ids);
  assert.equal(ids.length, TOTAL, 'the writers published every activity');
  assert.equal(new Set(ids).size, TOTAL, 'every activity has its own id');

  // Nothing lost: every activity is in activity storage, its author's feed and the victim's timeline.
  const payloads = await storage.activities.getMany(ids);
  assert.equal(payloads.filter((p) => p === undefined).length, 0, 'no activity missing in storage');
  for (const r of reports) {
    assert.equal(
      await user.for(`w${r.writer}`).count(),
      r.ids.length,
      `user feed of writer ${r.writer}`,
    );
  }
  const feed = timeline.for(VICTIM);
  assert.equal(await feed.count(), TOTAL, 'the timeline holds every activity once');
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await feed.read({ limit: 1000, cursor });
    assert.deepEqual(page.missing, []);
    for (const a of page.items) seen.add(a.id);
    cursor = page.next;
  } while (cursor !== undefined);
  assert.deepEqual([...seen].sort(), [...ids].sort(), 'the timeline holds exactly the activities');

  // No duplicate group, exact counts, in the aggregated and the notification feed.
  const expected = expectedGroups(reports);
  const figures = await checkGroups(aggregated, notification, expected);
  const notifications = notification.for(VICTIM);
  assert.deepEqual(await notifications.counts(), {
    unseen: expected.notification.size,
    unread: expected.notification.size,
  });
  assert.equal(await notifications.markAllSeen(), expected.notification.size);

  // At-least-once delivery: the newest activities published again change nothing, not even the
  // unseen badge (they are among the newest of their groups, which remember them).
  const again = (await feed.read({ limit: REDELIVERED })).items;
  for (const a of again) await manager.addUserActivity(a.actor, a);
  await checkGroups(aggregated, notification, expected);
  assert.equal(await feed.count(), TOTAL, 'the timeline still holds every activity once');
  assert.deepEqual(await notifications.counts(), { unseen: 0, unread: expected.notification.size });
  return { activities: TOTAL, redelivered: again.length, ...figures };
}

/** Expected activityCount of each group, from the writers' reports. */
function expectedGroups(reports: readonly WriterReport[]) {
  const aggregated = new Map<string, number>();
  const notification = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  for (const r of reports) {
    r.ids.forEach((_, i) => {
      const verb = VERBS[i % VERBS.length]!;
      bump(aggregated, verb);
      bump(notification, `${verb}|${i % BUCKETS}`);
    });
  }
  return { aggregated, notification };
}

/** One group per key, none duplicated, each with exactly the expected activityCount. */
async function checkGroups(
  aggregated: ReturnType<typeof raceWorld>['aggregated'],
  notification: ReturnType<typeof raceWorld>['notification'],
  expected: ReturnType<typeof expectedGroups>,
) {
  const groups = await allGroups(aggregated.for(VICTIM));
  assert.equal(await aggregated.for(VICTIM).count(), expected.aggregated.size, 'aggregated groups');
  assert.equal(new Set(groups.map((g) => g.id)).size, groups.length, 'no duplicate group id');
  assert.deepEqual(
    Object.fromEntries(groups.map((g) => [g.group, g.activityCount])),
    Object.fromEntries(expected.aggregated),
    'aggregated: activityCount of each group',
  );
  for (const g of groups) assert.equal(g.actorCount, WRITERS, `actors of ${g.group}`);
  const nGroups = await allGroups(notification.for(VICTIM));
  assert.equal(await notification.for(VICTIM).count(), expected.notification.size);
  assert.equal(new Set(nGroups.map((g) => g.id)).size, nGroups.length, 'no duplicate group id');
  assert.deepEqual(
    Object.fromEntries(nGroups.map((g) => [g.group, g.activityCount])),
    Object.fromEntries(expected.notification),
    'notification: activityCount of each group',
  );
  return { aggregatedGroups: groups.length, notificationGroups: nGroups.length };
}

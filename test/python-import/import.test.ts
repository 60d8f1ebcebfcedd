// The importer against data written by the real Python Stream Framework 1.4.0: the fixture script
// (fixtures/write_python_feeds.py) writes flat, aggregated and notification feeds with seen/read
// marks into db 3 of the group's own redis-server and prints what Python reads back, page by page;
// the importer copies that database into feeds of this library (Redis storage, db 4), and every
// page read here must equal Python's page. Env from scripts/backends/python-import.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { importPythonRedis } from '../../src/import/index.js';
import {
  type Activity,
  type AggregatedGroup,
  byVerbAndDay,
  byVerbObjectAndDay,
  createVerbRegistry,
  defineAggregatedFeed,
  defineFlatFeed,
  defineNotificationFeed,
  SerializationError,
} from '../../src/index.js';

const python = process.env.PYTHON_SF_PYTHON;
const url = process.env.PYTHON_SF_REDIS_URL;
const skip =
  !python || !url
    ? 'run by the python-import group (node scripts/test.mjs --only python-import)'
    : false;

interface PyActivity {
  id: string;
  actor: number;
  verb: number;
  object: number;
  target: number | null;
  time: number;
  extra: Record<string, unknown>;
}
interface PyGroup {
  id: string;
  group: string;
  created_at: number;
  updated_at: number;
  activities: PyActivity[];
  activity_count: number;
  actor_count: number;
  is_seen?: boolean;
  is_read?: boolean;
}
interface PyFeed {
  key: string;
  kind: 'flat' | 'aggregated' | 'notification' | 'notification-dates';
  user: number;
  count: number;
  pages: (PyActivity | PyGroup)[][];
  unseen?: number;
  unread?: number;
}

let source: Redis;
let target: Redis;
let dump: { page_size: number; feeds: PyFeed[] };
const verbs = createVerbRegistry([{ id: 5, name: 'pin', pastTense: 'pinned' }]);

function definitions(prefix: string) {
  const storage = createRedisStorage({ client: target, prefix });
  return {
    user: defineFlatFeed({ name: 'user', storage, verbs, maxLength: 1_000_000 }),
    normal: defineFlatFeed({ name: 'normal', storage, verbs }),
    aggregated: defineAggregatedFeed({
      name: 'aggregated',
      storage,
      verbs,
      aggregator: byVerbAndDay,
    }),
    notification: defineNotificationFeed({
      name: 'notification',
      storage,
      verbs,
      aggregator: byVerbObjectAndDay,
    }),
    // The deprecated NotificationFeed: verb+day groups, seen/read by dates.
    oldNotification: defineNotificationFeed({
      name: 'old-notification',
      storage,
      verbs,
      aggregator: byVerbAndDay,
    }),
  };
}
type Defs = ReturnType<typeof definitions>;
const mappings = (d: Defs) => [
  { keyFormat: 'feed:user:%(user_id)s', feed: d.user },
  { keyFormat: 'feed:normal:%(user_id)s', feed: d.normal },
  { keyFormat: 'feed:aggregated:%(user_id)s', feed: d.aggregated },
  { keyFormat: 'notification_feed:%(user_id)s', feed: d.notification },
  {
    keyFormat: 'notification_feed:1:user:%(user_id)s',
    feed: d.oldNotification,
    state: 'dates' as const,
  },
];
const verbName = (id: number) => verbs.require(id).name;
const ms = (epoch: number) => Math.trunc((Math.round(epoch * 1e6) / 1e6) * 1000);

before(async () => {
  if (skip) return;
  source = new Redis(`${url}/3`);
  target = new Redis(`${url}/4`);
  await source.flushdb(); // the group's own throwaway server
  await target.flushdb();
  const port = new URL(url!).port;
  const script = fileURLToPath(new URL('./fixtures/write_python_feeds.py', import.meta.url));
  const run = spawnSync(python!, [script, '--host', '127.0.0.1', '--port', port, '--db', '3'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `the Python fixture failed: ${run.stderr}`);
  dump = JSON.parse(run.stdout);
});
after(async () => {
  source?.disconnect();
  target?.disconnect();
});

function expectActivity(a: Activity, p: PyActivity, where: string): void {
  assert.deepEqual(
    {
      foreignId: a.foreignId,
      actor: a.actor,
      verb: a.verb,
      object: a.object,
      target: a.target,
      time: a.time.getTime(),
      extra: a.extra,
    },
    {
      foreignId: p.id,
      actor: p.actor,
      verb: verbName(p.verb),
      object: p.object,
      target: p.target ?? undefined,
      time: ms(p.time),
      extra: p.extra,
    },
    where,
  );
}

async function compareAll(d: Defs): Promise<number> {
  let pages = 0;
  for (const feed of dump.feeds) {
    const where = `${feed.key}`;
    const handle = {
      flat: feed.key.startsWith('feed:user:') ? d.user : d.normal,
      aggregated: d.aggregated,
      notification: d.notification,
      'notification-dates': d.oldNotification,
    }[feed.kind].for(feed.user);
    assert.equal(await handle.count(), feed.count, `${where}: count`);
    let cursor: string | undefined;
    for (const [n, expected] of feed.pages.entries()) {
      const page = await handle.read({ limit: dump.page_size, cursor });
      cursor = page.next;
      pages++;
      assert.deepEqual(page.missing, [], `${where} page ${n}: missing`);
      assert.equal(page.items.length, expected.length, `${where} page ${n}: length`);
      expected.forEach((p, i) => {
        const at = `${where} page ${n} item ${i}`;
        if (feed.kind === 'flat') {
          expectActivity(page.items[i] as Activity, p as PyActivity, at);
          return;
        }
        const g = page.items[i] as AggregatedGroup & { seen?: boolean; read?: boolean };
        const pg = p as PyGroup;
        assert.equal(g.activityCount, pg.activity_count, `${at}: activityCount`);
        assert.equal(g.actorCount, pg.actor_count, `${at}: actorCount`);
        assert.equal(g.createdAt.getTime(), ms(pg.created_at), `${at}: createdAt`);
        assert.equal(g.updatedAt.getTime(), ms(pg.updated_at), `${at}: updatedAt`);
        const oldestFirst = [...g.activities].reverse();
        assert.equal(oldestFirst.length, pg.activities.length, `${at}: retained`);
        for (const [j, a] of oldestFirst.entries()) {
          expectActivity(a, pg.activities[j]!, `${at} activity ${j}`);
        }
        if (feed.kind.startsWith('notification')) {
          assert.equal(g.seen, pg.is_seen, `${at}: seen`);
          assert.equal(g.read, pg.is_read, `${at}: read`);
        }
      });
    }
    if (feed.kind !== 'flat' && feed.kind !== 'aggregated') {
      const notifications = feed.kind === 'notification' ? d.notification : d.oldNotification;
      const counts = await notifications.for(feed.user).counts();
      assert.deepEqual(counts, { unseen: feed.unseen, unread: feed.unread }, `${where}: counts`);
    }
  }
  return pages;
}

test('a dry run reads every Python feed and writes nothing', { skip }, async () => {
  const d = definitions('dry');
  const progress: number[] = [];
  const result = await importPythonRedis({
    source,
    feeds: mappings(d),
    dryRun: true,
    onProgress: (p) => progress.push(p.feedsDone),
  });
  assert.equal(result.dryRun, true);
  assert.equal(result.feeds, dump.feeds.length);
  const entries = dump.feeds.reduce((n, f) => n + f.count, 0);
  assert.equal(result.entries, entries);
  assert.equal(result.written, entries);
  assert.deepEqual(
    progress,
    dump.feeds.map((_, i) => i + 1),
  );
  assert.deepEqual(await target.keys('dry:*'), []);
});

test('every imported feed reads page by page as Python reads it; a re-run writes nothing', {
  skip,
}, async () => {
  const d = definitions('sf');
  const first = await importPythonRedis({ source, feeds: mappings(d) });
  assert.equal(first.malformedCount, 0);
  assert.ok(first.written > 0);
  const pages = await compareAll(d);
  assert.ok(pages >= dump.feeds.length);
  const dry = await importPythonRedis({ source, feeds: mappings(d), dryRun: true });
  assert.equal(dry.written, 0, `a dry run after the import: ${JSON.stringify(dry.byFeed)}`);
  const second = await importPythonRedis({ source, feeds: mappings(d) });
  assert.equal(second.entries, first.entries);
  assert.equal(second.written, 0, JSON.stringify(second.byFeed));
  await compareAll(d);

  // State changed here after the import (user 1 saw and read everything): a re-run restores
  // Python's state, writing only the groups whose state differs.
  const notifications1 = dump.feeds.find((f) => f.key === 'notification_feed:1')!;
  const unseenInPython = notifications1.pages.flat().filter((g) => !(g as PyGroup).is_seen).length;
  assert.ok(unseenInPython > 0);
  await d.notification.for(1).markAll({ seen: true, read: true });
  const third = await importPythonRedis({ source, feeds: mappings(d) });
  assert.equal(third.written, unseenInPython);
  await compareAll(d);
});

test('an aggregator that splits Python groups is refused before writing', { skip }, async () => {
  const storage = createRedisStorage({ client: target, prefix: 'split' });
  const feed = defineAggregatedFeed({
    name: 'split',
    storage,
    verbs,
    aggregator: byVerbObjectAndDay,
  });
  await assert.rejects(
    importPythonRedis({ source, feeds: [{ keyFormat: 'feed:aggregated:%(user_id)s', feed }] }),
    (error: unknown) =>
      error instanceof Error &&
      (error as { code?: string }).code === 'INVALID_ACTIVITY' &&
      error.message.includes('feed:aggregated:1'),
  );
  assert.deepEqual(await target.keys('split:*'), []);
});

test('malformed data: a typed error naming the key, or reported and skipped', {
  skip,
}, async () => {
  await source.zadd('feed:normal:99', 1, 'not-an-id');
  await source.zadd('feed:normal:99', 2, '17145666451230000000042003'); // not in activity storage
  await source.zadd('feed:aggregated:99', 3, 'v3broken');
  try {
    const d = definitions('bad');
    await assert.rejects(
      importPythonRedis({
        source,
        feeds: [{ keyFormat: 'feed:normal:%(user_id)s', feed: d.normal }],
      }),
      (error: unknown) =>
        error instanceof SerializationError &&
        error.code === 'SERIALIZATION' &&
        error.details.key === 'feed:normal:99' &&
        error.details.member === 'not-an-id',
    );
    // The run stopped at feed:normal:99, after the feeds sorted before it: those are complete.
    const normal1 = dump.feeds.find((f) => f.key === 'feed:normal:1')!;
    assert.equal(await d.normal.for(99).count(), 0);
    assert.equal(await d.normal.for(1).count(), normal1.count);
    const result = await importPythonRedis({ source, feeds: mappings(d), skipMalformed: true });
    assert.equal(result.malformedCount, 3);
    assert.deepEqual(result.malformed.map((m) => m.member).sort(), [
      '17145666451230000000042003',
      'not-an-id',
      'v3broken',
    ]);
    assert.equal(await d.normal.for(99).count(), 0);
    // Going on after the failure: every feed reads as Python reads it.
    await compareAll(d);
  } finally {
    await source.del('feed:normal:99', 'feed:aggregated:99');
  }
});

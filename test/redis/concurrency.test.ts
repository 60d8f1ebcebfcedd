import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { createActivity, defineAggregatedFeed, defineNotificationFeed } from '../../src/index.js';
import { deletePrefix, singleClient } from '../support/redis.js';

// Writers on separate connections interleave their commands at the server like separate
// processes would; every writer has its own storage and feed definitions on the same prefix.
const WRITERS = 8;
const PER_WRITER = 150;
const VERBS = ['love', 'add', 'comment'];
const clients: Redis[] = Array.from({ length: WRITERS }, () => singleClient());
after(() => Promise.all(clients.map((c) => c.quit())));

function activities(writer: number) {
  return Array.from({ length: PER_WRITER }, (_, i) =>
    createActivity({
      actor: writer,
      verb: VERBS[i % VERBS.length]!,
      object: 7,
      time: 1_764_000_000_000 + i * 10 + writer,
    }),
  );
}

describe('Redis: concurrent writers on one feed', () => {
  for (const kind of ['aggregated', 'notification'] as const) {
    it(`${WRITERS} connections adding to one ${kind} feed lose nothing and duplicate no group`, async () => {
      const prefix = `t:${randomUUID().slice(0, 8)}`;
      const define = (client: Redis) => {
        const storage = createRedisStorage({ client, prefix });
        return kind === 'aggregated'
          ? defineAggregatedFeed({ name: 'agg', storage })
          : defineNotificationFeed({ name: 'agg', storage });
      };
      const feeds = clients.map((c) => define(c).for('victim'));
      await Promise.all(
        feeds.map(async (feed, writer) => {
          for (const a of activities(writer)) await feed.add(a);
        }),
      );
      const page = await feeds[0]!.read({ limit: 100 });
      const groups = page.items;
      assert.equal(groups.length, VERBS.length, 'one group per verb, no duplicates');
      assert.equal(new Set(groups.map((g) => g.group)).size, groups.length);
      const total = groups.reduce((sum, g) => sum + g.activityCount, 0);
      assert.equal(total, WRITERS * PER_WRITER, 'every activity counted exactly once');
      for (const g of groups) assert.equal(g.actorCount, WRITERS);
      if (kind === 'notification') {
        const n = define(clients[0]!);
        if (n.kind === 'notification') {
          assert.deepEqual(await n.for('victim').counts(), {
            unseen: VERBS.length,
            unread: VERBS.length,
          });
        }
      }
      await deletePrefix(clients[0]!, prefix);
    });
  }
});

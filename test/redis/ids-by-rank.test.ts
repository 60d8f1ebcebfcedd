import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createActivity } from '../../src/activity/activity.js';
import { activityId, timeOfActivityId } from '../../src/activity/ids.js';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { defineFlatFeed } from '../../src/feeds/flat-feed.js';
import { deletePrefix, singleClient } from '../support/redis.js';

// A view declared with `idsOnly({ scoreOf })` reads a first page without WITHSCORES: the scores
// are computed from the ids, not read back (what the flat feed's first page relies on).
const client = singleClient();
after(() => client.quit());

/** The commands this process sends on `client` while `fn` runs, with their arguments. */
async function commandsOf(fn: () => Promise<unknown>): Promise<string[][]> {
  const sent: string[][] = [];
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: { name: string; args: unknown[] }, stream?: unknown) => {
    sent.push([command.name, ...command.args.map(String)]);
    return (original as (c: unknown, s?: unknown) => unknown)(command, stream);
  }) as typeof client.sendCommand;
  try {
    await fn();
  } finally {
    client.sendCommand = original;
  }
  return sent;
}

describe('redis idsOnly({ scoreOf })', () => {
  it('a first page is a ZREVRANGE/ZRANGE without WITHSCORES, its scores given by scoreOf', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    const ids = Array.from({ length: 30 }, (_, i) => activityId(1_764_000_000_000 + i, `a${i}`));
    // Written with the ids' times, except one: the view promised scoreOf, so that one reads back
    // with scoreOf's score (proof that the scores are not read).
    const odd = ids[29]!;
    await storage.timeline.idsOnly().add(
      'feed:1',
      ids.map((id) => ({ id, score: id === odd ? 5 : timeOfActivityId(id) })),
    );
    const view = storage.timeline.idsOnly({ scoreOf: timeOfActivityId });
    for (const order of ['desc', 'asc'] as const) {
      let page: { id: string; score: number }[] = [];
      const sent = await commandsOf(async () => {
        page = await view.range('feed:1', { order, limit: 25 });
      });
      assert.deepEqual(
        sent.map(([name, ...args]) => [name, args.includes('WITHSCORES')]),
        [[order === 'desc' ? 'zrevrange' : 'zrange', false]],
      );
      assert.equal(page.length, 25);
      for (const e of page) assert.equal(e.score, timeOfActivityId(e.id));
    }
    // Stored with score 5, the odd id is the lowest: first in asc order, with scoreOf's score.
    const [lowest] = await view.range('feed:1', { order: 'asc', limit: 1 });
    assert.deepEqual(lowest, { id: odd, score: timeOfActivityId(odd) });
    await deletePrefix(client, prefix);
  });

  it('a normalized flat feed reads its first page without WITHSCORES and pages by cursor', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    const feed = defineFlatFeed({ name: 'timeline', storage, maxLength: 100 }).for(1);
    const activities = Array.from({ length: 40 }, (_, i) =>
      createActivity({ actor: i, verb: 'add', object: i, time: 1_764_000_000_000 + i * 1000 }),
    );
    await feed.addMany(activities);
    let first = await feed.read({ limit: 25 });
    const sent = await commandsOf(async () => {
      first = await feed.read({ limit: 25 });
    });
    assert.equal(
      sent.some(([, ...args]) => args.includes('WITHSCORES')),
      false,
    );
    const second = await feed.read({ limit: 25, cursor: first.next });
    const newestFirst = [...activities].reverse().map((a) => a.id);
    assert.deepEqual(
      [...first.items, ...second.items].map((a) => a.id),
      newestFirst,
    );
    assert.equal(second.next, undefined);
    await deletePrefix(client, prefix);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { createActivity, defineAggregatedFeed } from '../../src/index.js';
import { deletePrefix, singleClient } from '../support/redis.js';

// An aggregated add stores its activity and commits its group update concurrently: on a single
// node both commands go out in one socket write (coalesce.ts), and results stay exact.
const client = singleClient();
after(() => client.quit());

const T0 = 1_764_000_000_000;
const like = (i: number) =>
  createActivity({ actor: i % 5, verb: 'love', object: i, time: T0 + i * 1000 });

/** Counts the writes the client's socket makes while `run` runs. */
async function socketWrites(run: () => Promise<void>): Promise<number> {
  await client.ping();
  const stream = client.stream as unknown as {
    _write: (...args: unknown[]) => unknown;
    _writev: (...args: unknown[]) => unknown;
  };
  const { _write: write, _writev: writev } = stream;
  let writes = 0;
  stream._write = (...args) => {
    writes++;
    return write.apply(stream, args);
  };
  stream._writev = (...args) => {
    writes++;
    return writev.apply(stream, args);
  };
  try {
    await run();
  } finally {
    stream._write = write;
    stream._writev = writev;
  }
  return writes;
}

/** An aggregated feed of user 'u' under a fresh prefix (the caller deletes it). */
function aggregatedFeed() {
  const prefix = `t:${randomUUID().slice(0, 8)}`;
  const feed = defineAggregatedFeed({
    name: 'agg',
    storage: createRedisStorage({ client, prefix }),
  }).for('u');
  return { prefix, feed };
}

describe('Redis write coalescing', () => {
  it('an aggregated add sends its activity and its group commit in one socket write', async () => {
    const { prefix, feed } = aggregatedFeed();
    try {
      await feed.add(like(0)); // first add: reads the group, loads scripts
      const adds = 20;
      const writes = await socketWrites(async () => {
        for (let i = 1; i <= adds; i++) await feed.add(like(i));
      });
      assert.equal(writes, adds, 'one write per add (activity HSET + commit)');
      const [group] = (await feed.read()).items;
      assert.equal(group?.activityCount, adds + 1);
      assert.equal(group?.activities.length, 15, 'every retained activity was stored');
    } finally {
      await deletePrefix(client, prefix);
    }
  });

  it('a command sent alone is not held: it leaves at the end of its tick', async () => {
    const { prefix, feed } = aggregatedFeed();
    try {
      await feed.add(like(0));
      // Nothing else is sent after it: were the socket left corked, this would never settle.
      assert.equal(await feed.add(like(1), { storeActivities: false }), 1);
      assert.equal(await feed.count(), 1);
    } finally {
      await deletePrefix(client, prefix);
    }
  });

  it('an aggregated add is one command: its activity rides in the group commit', async () => {
    const { prefix, feed } = aggregatedFeed();
    const sent: string[] = [];
    const original = client.sendCommand;
    try {
      await feed.add(like(0)); // first add: reads the group, loads scripts
      client.sendCommand = function (this: typeof client, command, ...rest) {
        sent.push(command.name);
        return original.call(this, command, ...rest);
      } as typeof original;
      for (let i = 1; i <= 5; i++) await feed.add(like(i));
      client.sendCommand = original;
      assert.deepEqual(sent, Array(5).fill('evalsha'), 'no separate HSET of the activity');
      const [group] = (await feed.read()).items;
      assert.equal(group?.activityCount, 6);
      assert.deepEqual(
        group?.activities.map((a) => a.object),
        [5, 4, 3, 2, 1, 0],
        'every activity was stored and reads back',
      );
    } finally {
      client.sendCommand = original;
      await deletePrefix(client, prefix);
    }
  });

  it("held activity writes keep their order with the same storage's reads and removals", async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const { activities } = createRedisStorage({ client, prefix });
    try {
      const a = like(1).id;
      const b = like(2).id;
      // Same tick: put, then read and remove; no commit takes the put.
      const [, read, removed] = await Promise.all([
        activities.putMany([
          { id: a, payload: '[1,1,"love",1]' },
          { id: b, payload: '[1,2,"love",2]' },
        ]),
        activities.getMany([a, b]),
        activities.removeMany([b]),
      ]);
      assert.deepEqual(read, ['[1,1,"love",1]', '[1,2,"love",2]']);
      assert.equal(removed, 1);
      assert.deepEqual(await activities.getMany([a, b]), ['[1,1,"love",1]', undefined]);
      // A put alone is sent at the end of its tick.
      await activities.putMany([{ id: b, payload: '[1,2,"love",3]' }]);
      assert.deepEqual(await activities.getMany([b]), ['[1,2,"love",3]']);
    } finally {
      await deletePrefix(client, prefix);
    }
  });

  it('a commit that fails rejects the activity writes it carried', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}`;
    const storage = createRedisStorage({ client, prefix });
    const put = (id: string) => ({
      changes: { put: [{ id, score: 1, payload: '{}' }] },
      result: undefined,
    });
    try {
      await storage.timeline.update('f', ['g'], () => put('g')); // the version is now cached
      // The version key turns into a hash: the next commit fails inside its script.
      const versionKey = (await client.keys(`${prefix}*:v`))[0]!;
      await client.del(versionKey);
      await client.hset(versionKey, 'x', '1');
      const id = like(1).id;
      const outcomes = await Promise.allSettled([
        storage.activities.putMany([{ id, payload: '[1,1,"love",1]' }]),
        storage.timeline.update('f', ['g'], () => put('g')),
      ]);
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['rejected', 'rejected'],
      );
      assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /WRONGTYPE/);
    } finally {
      await deletePrefix(client, prefix);
    }
  });
});

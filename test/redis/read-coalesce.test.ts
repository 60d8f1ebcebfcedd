import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { createRedisStorage } from '../../src/backends/redis/index.js';
import { createActivity, defineFlatFeed } from '../../src/index.js';
import { deletePrefix, singleClient } from '../support/redis.js';

// Concurrent reads on a single node: a read sent while the connection has commands in flight
// waits for the end of the tick (read-coalesce.ts), so the reads of many readers share socket
// writes; a lone read goes out at once. Pages stay exact either way.
const client = singleClient();
const prefix = `t:${randomUUID().slice(0, 8)}`;
after(async () => {
  await deletePrefix(client, prefix);
  await client.quit();
});

/** The socket writes (a write of one chunk or of several) the client makes while `run` runs. */
async function writesDuring(run: () => Promise<unknown>): Promise<number> {
  const stream = client.stream as unknown as Record<
    '_write' | '_writev',
    (...a: unknown[]) => unknown
  >;
  const original = { _write: stream._write, _writev: stream._writev };
  let writes = 0;
  for (const name of ['_write', '_writev'] as const) {
    stream[name] = (...args: unknown[]) => {
      writes++;
      return original[name].apply(stream, args);
    };
  }
  try {
    await run();
  } finally {
    Object.assign(stream, original);
  }
  return writes;
}

it('50 concurrent reads of a feed share socket writes and read the same page as a lone read', async () => {
  const feed = defineFlatFeed({
    name: 'timeline',
    storage: createRedisStorage({ client, prefix }),
    maxLength: 1000,
  }).for(1);
  const activities = Array.from({ length: 100 }, (_, i) =>
    createActivity({ actor: i % 7, verb: 'love', object: i, time: 1_764_000_000_000 + i * 1000 }),
  );
  await feed.addMany(activities);
  const expected = activities.slice(-25).reverse();

  let lone: Awaited<ReturnType<typeof feed.read>> | undefined;
  // A lone read: ZREVRANGE then HMGET, one write each (nothing held back).
  assert.equal(
    await writesDuring(async () => {
      lone = await feed.read({ limit: 25 });
    }),
    2,
  );
  assert.deepEqual(lone?.items, expected);

  const readers = 50;
  let pages: Awaited<ReturnType<typeof feed.read>>[] = [];
  const writes = await writesDuring(async () => {
    pages = await Promise.all(Array.from({ length: readers }, () => feed.read({ limit: 25 })));
  });
  // 100 commands: the 50 ZREVRANGEs sent in one tick take 2 writes (the first goes out at once),
  // the HMGETs at most one write per chunk of replies the client reads.
  assert.ok(writes <= readers + 2, `${writes} socket writes for ${2 * readers} commands`);
  for (const page of pages) {
    assert.deepEqual(page.items, expected);
    assert.equal(page.next, lone?.next);
    assert.deepEqual(page.missing, []);
  }
});

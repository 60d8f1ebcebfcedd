import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createActivity } from '../activity/activity.js';
import { createMemoryStorage } from '../backends/memory/index.js';
import { ClosedError } from '../errors.js';
import { defineFlatFeed } from '../feeds/flat-feed.js';
import { createInlineQueue } from '../queue/inline-queue.js';
import type { Storage } from '../storage/contracts.js';
import { flakyStorage, idsIn } from '../testing/manager-world.js';
import { createManager } from './manager.js';

const pin = (n: number) =>
  createActivity({ actor: 1, verb: 'pin', object: n, time: Date.UTC(2024, 0, 1, 0, n) });

/** A promise released by hand: a fan-out held at a known point. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

function world(storage: Storage, options: { timelineStorage?: Storage } = {}) {
  const held = { current: undefined as Promise<void> | undefined };
  const followers = Array.from({ length: 30 }, (_, i) => i + 2);
  return {
    held,
    followers,
    options: {
      userFeed: defineFlatFeed({ name: 'user', storage }),
      feeds: {
        timeline: defineFlatFeed({ name: 'timeline', storage: options.timelineStorage ?? storage }),
      },
      getFollowerIds: async () => {
        await held.current;
        return followers;
      },
      limits: { fanoutChunkSize: 10 },
    },
  };
}

const isClosed = (e: unknown) => e instanceof ClosedError && e.code === 'CLOSED';

/** Whether `promise` settled by the time the already queued callbacks ran. */
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** A manager whose publish is held in `getFollowerIds` when `close()` is called. */
async function closeWhilePublishing(storage: Storage, timelineStorage?: Storage) {
  const { held, followers, options } = world(storage, timelineStorage ? { timelineStorage } : {});
  const manager = createManager(options);
  const hold = gate();
  held.current = hold.opened;
  const publish = manager.addUserActivity(1, pin(1));
  await new Promise((resolve) => setImmediate(resolve));
  return { manager, hold, publish, closing: manager.close(), followers };
}

describe('manager.close', () => {
  it('lets a fan-out in flight finish, then refuses every call with a ClosedError', async () => {
    const storage = createMemoryStorage();
    const { manager, hold, publish, closing, followers } = await closeWhilePublishing(storage);
    assert.equal(manager.closed, true);
    assert.equal(manager.close(), closing, 'close twice: the same promise');
    await assert.rejects(manager.addUserActivity(1, pin(2)), isClosed);
    await assert.rejects(manager.removeUserActivity(1, pin(1).id), isClosed);
    await assert.rejects(manager.followUser(2, 1), isClosed);
    await assert.rejects(
      manager.runTask({ v: 1, type: 'trim', feed: 'timeline', userIds: ['2'] }),
      isClosed,
    );
    assert.throws(() => manager.getFeeds(2), isClosed);
    assert.throws(() => manager.getUserFeed(1), isClosed);
    assert.equal(await settledYet(closing), false, 'close waits for the publish in flight');
    hold.open();
    const handle = await publish;
    await closing;
    assert.equal(handle.total, 3);
    assert.equal(handle.completed(), 3);
    const reader = createManager(world(storage).options);
    for (const id of followers)
      assert.deepEqual(await idsIn(reader.getFeeds(id).timeline), [pin(1).id]);
    // The default inline queue was the manager's: it is closed too.
    await assert.rejects(
      manager.queue.enqueue([], { priority: 'high' }, async () => {}),
      isClosed,
    );
    await manager.close(); // a third time, after it finished
  });

  it('a fan-out failing during close fails cleanly and a retry completes it', async () => {
    const storage = createMemoryStorage();
    const flaky = flakyStorage(storage);
    const { hold, publish, closing, followers } = await closeWhilePublishing(storage, flaky);
    hold.open();
    await assert.rejects(publish, /injected addToMany failure/);
    await closing;
    assert.equal(flaky.failed(), 1);
    // What the failed call wrote is consistent: the user feed has it, a retry fans it out.
    const retry = createManager(world(storage, { timelineStorage: flaky }).options);
    assert.deepEqual(await idsIn(retry.getUserFeed(1)), [pin(1).id]);
    await retry.addUserActivity(1, pin(1));
    for (const id of followers)
      assert.deepEqual(await idsIn(retry.getFeeds(id).timeline), [pin(1).id]);
  });

  it('never closes a queue it was given', async () => {
    const queue = createInlineQueue();
    const manager = createManager({ ...world(createMemoryStorage()).options, queue });
    await manager.close();
    const batch = await queue.enqueue([], { priority: 'high' }, async () => {});
    assert.equal(batch.total, 0);
    await queue.close();
    await assert.rejects(
      queue.enqueue([], { priority: 'high' }, async () => {}),
      isClosed,
    );
  });

  it('closes at once when nothing is in flight, and logs it', async () => {
    const records: [string, string][] = [];
    const logger = { info: (_: unknown, message: string) => records.push(['info', message]) };
    const manager = createManager({ ...world(createMemoryStorage()).options, logger });
    await manager.addUserActivity(1, pin(1));
    await manager.close();
    assert.deepEqual(records, [['info', 'stream-framework: manager closed']]);
  });
});

describe('createInlineQueue close', () => {
  it('waits for the batch in flight and refuses new ones', async () => {
    const queue = createInlineQueue();
    const hold = gate();
    const ran: string[] = [];
    const task = { v: 1, type: 'trim', feed: 'timeline', userIds: ['2'] } as const;
    const running = queue.enqueue([task, task], { priority: 'high' }, async (t) => {
      await hold.opened;
      ran.push(t.type);
    });
    const closing = queue.close();
    assert.equal(queue.close(), closing);
    await assert.rejects(
      queue.enqueue([task], { priority: 'low' }, async () => {}),
      isClosed,
    );
    assert.equal(await settledYet(closing), false);
    hold.open();
    assert.equal((await running).total, 2);
    await closing;
    assert.deepEqual(ran, ['trim', 'trim']);
  });
});

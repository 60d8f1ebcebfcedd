import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMemoryStorage,
  MemoryActivityStorage,
  MemoryTimelineStorage,
} from '../backends/memory/index.js';
import { StreamFrameworkError } from '../errors.js';
import { checkedStorage, checkedTimelineStorage } from './checked-storage.js';
import type { TimelineChanges } from './contracts.js';

const typed = (code: string) => (e: unknown) =>
  e instanceof StreamFrameworkError && e.code === code;

describe('checked storage (the contract wrapper)', () => {
  it("keeps the backend's own members and class, and wrapping twice changes nothing", async () => {
    const storage = createMemoryStorage();
    assert.ok(storage.timeline instanceof MemoryTimelineStorage);
    assert.ok(storage.activities instanceof MemoryActivityStorage);
    await storage.timeline.add('k', [{ id: 'a', score: 1 }]);
    assert.equal(storage.timeline.size, 1, 'a getter of the backend reads its private state');
    assert.equal(storage.timeline.name, 'memory');
    assert.equal(checkedTimelineStorage(storage.timeline), storage.timeline);
    assert.equal(checkedStorage(storage).timeline, storage.timeline);
  });

  it('rejects (never throws synchronously) and does not call the backend', async () => {
    const inner = new MemoryTimelineStorage();
    const timeline = checkedTimelineStorage(inner);
    let promise: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      promise = timeline.add(1 as unknown as string, []);
    });
    await assert.rejects(promise!, typed('INVALID_ID'));
    await assert.rejects(
      timeline.setMarked('k', 'unseen', [], 'yes' as unknown as boolean),
      typed('INVALID_OPTION'),
    );
    assert.equal(inner.size, 0);
  });

  it('checks activity storage ids and payloads', async () => {
    const { activities } = createMemoryStorage();
    await assert.rejects(activities.putMany([{ id: '', payload: 'p' }]), typed('INVALID_ID'));
    await assert.rejects(
      activities.putMany([{ id: 'a', payload: 7 as unknown as string }]),
      typed('INVALID_OPTION'),
    );
    await assert.rejects(activities.getMany('abc' as unknown as string[]), typed('INVALID_ID'));
    await assert.rejects(activities.removeMany(['é']), typed('INVALID_ID'));
    assert.equal(activities.size, 0);
  });
  it('an update backend sees exactly the changes that were checked (read once)', async () => {
    const { timeline } = createMemoryStorage();
    await timeline.add('k', [{ id: 'a', score: 1 }]);
    let reads = 0;
    const changes: TimelineChanges = {
      get mark(): Record<string, string[]> {
        reads += 1;
        return reads === 1 ? { unseen: ['a'] } : { 'a b:c': ['a'] };
      },
    };
    await timeline.update('k', [], () => ({ changes, result: 0 }));
    assert.equal(reads, 1);
    assert.equal(await timeline.countMarked('k', 'unseen'), 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStorage } from '../backends/memory/index.js';
import { act, idsIn, settled, world } from '../testing/manager-world.js';
import {
  PULLED_CACHE_MAX_PRODUCERS,
  PULLED_CACHE_SIZE,
  pulledCacheOf,
  sameProducers,
} from './pulled-cache.js';

describe('pulled cache', () => {
  it('remembers the last producers per key, at most PULLED_CACHE_SIZE keys, oldest dropped first', () => {
    const cache = pulledCacheOf({});
    for (let i = 0; i <= PULLED_CACHE_SIZE; i++) cache.set(`k${i}`, [`p${i}`]);
    assert.equal(cache.get('k0'), undefined, 'the least recently remembered key was dropped');
    assert.deepEqual(cache.get('k1'), ['p1']);
    cache.set('k1', ['q']);
    assert.deepEqual(cache.get('k1'), ['q'], 'the last read wins');
    const many = Array.from({ length: PULLED_CACHE_MAX_PRODUCERS + 1 }, (_, i) => `p${i}`);
    cache.set('k1', many);
    assert.equal(cache.get('k1'), undefined, 'a set too large is forgotten, not kept stale');
  });

  it('is one per owner', () => {
    const owner = {};
    pulledCacheOf(owner).set('k', ['a']);
    assert.deepEqual(pulledCacheOf(owner).get('k'), ['a']);
    assert.equal(pulledCacheOf({}).get('k'), undefined);
  });

  it('sameProducers compares as sets', () => {
    assert.ok(sameProducers([], []));
    assert.ok(sameProducers(['a', 'b'], ['b', 'a']));
    assert.ok(!sameProducers(['a', 'b'], ['a']));
    assert.ok(!sameProducers(['a', 'b'], ['a', 'c']));
  });

  it('a merged read after the pulled set changed serves the new set (the guess is re-checked)', async () => {
    const { manager, followers } = world(createMemoryStorage(), {
      fanout: { mode: 'hybrid', maxPushFollowers: 0 },
    });
    followers.set('1', [2]);
    followers.set('4', [2]);
    const two = manager.getFeeds(2).timeline;
    const first = act(1, 1);
    await settled(manager.addUserActivity(1, first));
    assert.deepEqual(await idsIn(two), [first.id], 'the cache now holds producer 1');
    const other = act(4, 2);
    await settled(manager.addUserActivity(4, other)); // producer 4 joins the pulled set
    assert.deepEqual(await idsIn(two), [other.id, first.id]);
    await settled(manager.unfollowUser(2, 1));
    assert.deepEqual(await idsIn(two), [other.id], 'an unfollowed producer is not served');
    await settled(manager.unfollowUser(2, 4));
    assert.deepEqual(await idsIn(two), [], 'an emptied set serves the timeline alone');
  });
});

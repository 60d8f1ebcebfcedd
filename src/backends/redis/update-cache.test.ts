import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpdateCache } from './update-cache.js';

const entry = (id: string, payload = `p-${id}`) => ({ id, score: 1, payload });
const big = { timelines: 100, characters: 1_000_000 };

describe('UpdateCache', () => {
  it('knows ids only at the version they were read or committed at', () => {
    const cache = new UpdateCache(big);
    assert.equal(cache.lookup('f', ['a']), undefined);
    cache.read('f', '7', ['a', 'b'], [entry('a'), undefined]);
    assert.deepEqual(cache.lookup('f', ['b', 'a']), {
      version: '7',
      current: [undefined, entry('a')],
      guessed: [],
    });
    assert.deepEqual(
      cache.lookup('f', ['a', 'c']),
      { version: '7', current: [entry('a'), undefined], guessed: ['c'] },
      'c was never read: guessed absent (the commit checks it)',
    );
    cache.committed('f', '7', '8', { put: [entry('c', 'new')], remove: ['a'] }, 0);
    assert.deepEqual(cache.lookup('f', ['a', 'b', 'c']), {
      version: '8',
      current: [undefined, undefined, entry('c', 'new')],
      guessed: [],
    });
  });

  it('a read at another version replaces what was known', () => {
    const cache = new UpdateCache(big);
    cache.read('f', '1', ['a'], [entry('a')]);
    cache.read('f', '5', ['b'], [entry('b')]);
    assert.deepEqual(cache.lookup('f', ['a'])?.guessed, ['a']);
    assert.equal(cache.lookup('f', ['b'])?.version, '5');
  });

  it('keeps only the version after a trimming commit, forgets a commit from an unknown version', () => {
    const cache = new UpdateCache(big);
    cache.read('f', '1', ['a'], [entry('a')]);
    cache.committed('f', '1', '2', { put: [entry('b')] }, 1);
    assert.deepEqual(cache.lookup('f', ['b', 'a']), {
      version: '2',
      current: [undefined, undefined],
      guessed: ['b', 'a'],
    });
    cache.read('g', '1', ['a'], [entry('a')]);
    cache.committed('g', '3', '4', { put: [entry('b')] }, 0);
    assert.equal(cache.lookup('g', ['a']), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.timelines, 1);
  });

  it('keeps the most recently used timelines within the timeline limit', () => {
    const cache = new UpdateCache({ timelines: 2, characters: 1_000_000 });
    cache.read('a', '1', ['x'], [entry('x')]);
    cache.read('b', '1', ['x'], [entry('x')]);
    cache.lookup('a', ['x']); // a is now more recent than b
    cache.read('c', '1', ['x'], [entry('x')]);
    assert.equal(cache.timelines, 2);
    assert.equal(cache.lookup('b', ['x']), undefined);
    assert.ok(cache.lookup('a', ['x']));
    assert.ok(cache.lookup('c', ['x']));
  });

  it('keeps the characters of ids and payloads within the character limit', () => {
    const cache = new UpdateCache({ timelines: 100, characters: 250 });
    for (let i = 0; i < 10; i++) cache.read(`f${i}`, '1', ['x'], [entry('x', 'y'.repeat(99))]);
    assert.equal(cache.size, 200, 'two timelines of 1 + 99 characters');
    assert.equal(cache.timelines, 2);
    assert.ok(cache.lookup('f9', ['x']));
    assert.equal(cache.lookup('f7', ['x']), undefined);
    cache.forget('f9');
    cache.forget('f8');
    assert.equal(cache.size, 0);
  });

  it('remembers at most 32 entries per timeline, replacing sizes exactly', () => {
    const cache = new UpdateCache(big);
    const ids = Array.from({ length: 40 }, (_, i) => `g${i}`);
    cache.read(
      'f',
      '1',
      ids,
      ids.map((id) => entry(id)),
    );
    assert.deepEqual(cache.lookup('f', ['g0'])?.guessed, ['g0'], 'the oldest were forgotten');
    assert.ok(cache.lookup('f', ['g8', 'g39']));
    const before = cache.size;
    cache.committed('f', '1', '2', { put: [entry('g39', 'p-g39')] }, 0);
    assert.equal(cache.size, before, 'same id and payload length: same size');
  });

  it('holds nothing when the timeline limit is 0', () => {
    const cache = new UpdateCache({ timelines: 0, characters: 1_000_000 });
    cache.read('f', '1', ['a'], [entry('a')]);
    assert.equal(cache.lookup('f', ['a']), undefined);
    assert.equal(cache.size, 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '../testing/fixtures.js';
import {
  assertActivityId,
  assertFeedName,
  assertId,
  assertMarkerName,
  isWellFormed,
  MAX_ID_LENGTH,
  parseFeedRef,
} from './names.js';

describe('validation: names', () => {
  it('isWellFormed refuses lone surrogates and accepts pairs', () => {
    assert.equal(isWellFormed('alice'), true);
    assert.equal(isWellFormed('\u{1f600}'), true);
    for (const bad of ['\ud800', '\udbff', '\udc00', 'a\ud800b', '\udc00\ud800']) {
      assert.equal(isWellFormed(bad), false, JSON.stringify(bad));
    }
  });

  it('assertId: the lone-surrogate ids that UTF-8 storage would merge are refused', () => {
    assert.equal(assertId('alice\ufffd', 'userId'), 'alice\ufffd');
    assert.throws(() => assertId('alice\udbff', 'userId'), hasCode('INVALID_ID'));
    assert.throws(() => assertId('alice\ud800', 'userId'), hasCode('INVALID_ID'));
  });

  it('assertId: integers, strings and their limits', () => {
    assert.equal(assertId(0, 'x'), 0);
    assert.equal(Object.is(assertId(-0, 'x'), 0), true, '-0 becomes 0');
    assert.equal(assertId('x'.repeat(MAX_ID_LENGTH), 'x').toString().length, MAX_ID_LENGTH);
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN, '', 'x'.repeat(MAX_ID_LENGTH + 1), null, {}]) {
      assert.throws(() => assertId(bad, 'x'), hasCode('INVALID_ID'), String(bad));
    }
  });

  it('activity ids, feed names and marker names follow one pattern each', () => {
    assert.equal(assertActivityId('0000000000000abc'), '0000000000000abc');
    assert.throws(() => assertActivityId('0000000000000ABC'), hasCode('INVALID_ID'));
    assert.equal(assertFeedName('timeline_2-x'), 'timeline_2-x');
    for (const bad of ['', '2x', 'a:b', 'a b', 'x'.repeat(65), 1]) {
      assert.throws(() => assertFeedName(bad), hasCode('INVALID_OPTION'), String(bad));
    }
    assert.equal(assertMarkerName('unseen'), 'unseen');
    for (const bad of ['', 'a b:c', 'a:b', '{x}', 'x'.repeat(65), null]) {
      assert.throws(() => assertMarkerName(bad), hasCode('INVALID_OPTION'), String(bad));
    }
  });

  it('parseFeedRef splits at the first colon and checks both halves', () => {
    assert.deepEqual(parseFeedRef('notification:42'), { feed: 'notification', userId: '42' });
    assert.deepEqual(parseFeedRef('feed:a:b'), { feed: 'feed', userId: 'a:b' });
    for (const bad of [
      '',
      ':1',
      'feed:',
      '1feed:1',
      'feed',
      'feed:\ud800',
      42,
      `f:${'x'.repeat(600)}`,
    ]) {
      assert.throws(() => parseFeedRef(bad), hasCode('INVALID_ACTIVITY'), String(bad));
    }
  });
});

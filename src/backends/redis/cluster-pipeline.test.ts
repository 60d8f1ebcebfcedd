import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slotOf } from './cluster-pipeline.js';

describe('slotOf', () => {
  it('matches CLUSTER KEYSLOT for known keys (measured on Redis 7.0)', () => {
    assert.equal(slotOf('{sf}'), 4458);
    assert.equal(slotOf('bull:{sf}:x'), 4458);
    assert.equal(slotOf('feed:{42}:timeline'), 8000);
    assert.equal(slotOf('feed:{42}:aggregated'), 8000);
    assert.equal(slotOf('foo'), 12182); // the Redis Cluster specification's example
  });
  it('hashes the whole key when the tag is empty or unclosed', () => {
    assert.equal(slotOf('a{}b'), slotOf('a{}b'));
    assert.notEqual(slotOf('a{}b'), slotOf(''));
    assert.equal(slotOf('x{y'), slotOf('x{y'));
    assert.notEqual(slotOf('x{y'), slotOf('y'));
  });
  it('hashes an ASCII key (by char codes) as the same tag in a non-ASCII key (by UTF-8 bytes)', () => {
    for (const tag of ['timeline:1', 'sf', 'a%7Bb', '\u007f\u0001 ~']) {
      assert.equal(slotOf(`sf:{${tag}}:z`), slotOf(`\u00e9:{${tag}}:z`), tag);
    }
  });
  it('hashes UTF-8 bytes of non-ASCII tags', () => {
    assert.equal(slotOf('a:{über}:z'), slotOf('b:{über}:p'));
    assert.ok(slotOf('{über}') >= 0 && slotOf('{über}') < 16384);
  });
});

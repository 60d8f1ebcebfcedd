import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { charCodeAt } from './char-code.js';

describe('charCodeAt', () => {
  it('gives what text.charCodeAt(i) gives, past the end and on lone surrogates too', () => {
    class Verbatim extends String {} // what ioredis defines: must not change any answer
    assert.equal(new Verbatim('x').length, 1);
    for (const text of [
      '',
      'a',
      '0midc1z40pypBTuHM9CC',
      'é漢😀',
      '\ud800x\udfff',
      '\u0000\u007f',
    ]) {
      for (let i = -1; i <= text.length; i++) {
        assert.ok(
          Object.is(charCodeAt(text, i), text.charCodeAt(i)),
          `${JSON.stringify(text)} at ${i}`,
        );
      }
    }
  });
});

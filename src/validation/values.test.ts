import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '../testing/fixtures.js';
import { checkOptions } from './options.js';
import {
  boolOption,
  boolOptionOr,
  chanceOption,
  fnOptionOr,
  intOption,
  intOptionOr,
  numberOption,
  oneOfOption,
} from './values.js';

describe('validation: option values', () => {
  it('intOption: integers in range, LIMIT_EXCEEDED above the maximum, -0 as 0', () => {
    assert.equal(intOption(3, 'n', 1, 10), 3);
    assert.equal(Object.is(intOption(-0, 'n', 0), 0), true);
    for (const bad of [0, 1.5, '3', Number.NaN, null, true]) {
      assert.throws(() => intOption(bad, 'n', 1, 10), hasCode('INVALID_OPTION'), String(bad));
    }
    assert.throws(() => intOption(11, 'n', 1, 10), hasCode('LIMIT_EXCEEDED'));
    assert.equal(intOptionOr(undefined, 7, 'n', 1), 7);
  });

  it('booleans are booleans: "no", 0 and null are refused', () => {
    assert.equal(boolOption(false, 'b'), false);
    assert.equal(boolOptionOr(undefined, true, 'b'), true);
    for (const bad of ['no', 'false', 0, 1, null]) {
      assert.throws(() => boolOption(bad, 'b'), hasCode('INVALID_OPTION'), String(bad));
    }
  });

  it('numbers, chances, functions and enumerations', () => {
    assert.equal(chanceOption(0.5, 'p'), 0.5);
    assert.throws(() => chanceOption(1.01, 'p'), hasCode('INVALID_OPTION'));
    assert.throws(() => numberOption(Number.NaN, 'x', 0, 1), hasCode('INVALID_OPTION'));
    const f = () => 1;
    assert.equal(fnOptionOr(f, undefined, 'f'), f);
    assert.equal(fnOptionOr(undefined, undefined, 'f'), undefined);
    assert.throws(() => fnOptionOr('f', undefined, 'f'), hasCode('INVALID_OPTION'));
    assert.equal(oneOfOption('asc', ['asc', 'desc'], 'order'), 'asc');
    assert.throws(() => oneOfOption('up', ['asc', 'desc'], 'order'), hasCode('INVALID_OPTION'));
  });

  it('checkOptions refuses a misspelt key, a non-object, and reads only own keys', () => {
    const keys = ['maxLength', 'name'];
    assert.deepEqual(checkOptions({ maxLength: 3 }, keys, 'defineFlatFeed'), { maxLength: 3 });
    assert.throws(
      () => checkOptions({ maxlength: 3 }, keys, 'defineFlatFeed'),
      (e: Error) => hasCode('INVALID_OPTION')(e) && /maxlength/.test(e.message),
    );
    for (const bad of [null, 1, 'x', [], undefined]) {
      assert.throws(() => checkOptions(bad, keys, 'x'), hasCode('INVALID_OPTION'), String(bad));
    }
    assert.deepEqual(checkOptions(undefined, keys, 'x', true), {});
    const inherited = Object.create({ bogus: 1 }) as object;
    assert.equal(
      checkOptions(inherited, keys, 'x'),
      inherited,
      'an inherited key is not an own key',
    );
  });
});
